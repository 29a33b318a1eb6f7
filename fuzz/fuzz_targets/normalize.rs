//! The normalizers: the date resolver, the number and count parsers, and every named normalizer.
//! Bytes 0-2 pick the article date (a day in `ARTICLE_YEARS`), byte 3 the tense; the rest is the
//! captured text.
//! Results must be valid (ISO dates that exist, finite numbers) and the same on a second call.
#![no_main]

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate};
use libfuzzer_sys::fuzz_target;
use newsfacts::article::ARTICLE_YEARS;
use newsfacts::normalize::date::{Precision, Tense, resolve};
use newsfacts::normalize::number::{parse_count, parse_number};
use newsfacts::normalize::{NormEnv, Normalized, Normalizer};
use newsfacts::rules::RuleSet;

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded().expect("the shipped rules compile"));

/// The same oracle as `valid_iso` in tests/props.rs (this crate cannot use test code).
fn valid_iso(s: &str) -> bool {
    match s.len() {
        4 => s.parse::<i32>().is_ok_and(|y| (1000..=9999).contains(&y)),
        7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    }
}

// Compiled before fuzzing starts, so the first input is not charged for it (-timeout=1).
fuzz_target!(
    init: {
        LazyLock::force(&RULES);
    },
    |data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let first = NaiveDate::from_ymd_opt(*ARTICLE_YEARS.start(), 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(*ARTICLE_YEARS.end(), 12, 31).unwrap();
    let span = last.signed_duration_since(first).num_days() as u64 + 1;
    let days = u64::from(u32::from_le_bytes([data[0], data[1], data[2], 0])) % span;
    let reference = first + Days::new(days);
    let tense = match data[3] % 3 {
        0 => Tense::Past,
        1 => Tense::Future,
        _ => Tense::Unknown,
    };
    let Ok(text) = std::str::from_utf8(&data[4..]) else {
        return;
    };

    let d = resolve(text, reference, tense);
    assert_eq!(d, resolve(text, reference, tense));
    if let Some(d) = d {
        let iso = d.to_iso();
        assert!(valid_iso(&iso), "{iso}");
        match d.precision {
            Precision::Year => assert_eq!((d.date.month(), d.date.day()), (1, 1)),
            Precision::Month => assert_eq!(d.date.day(), 1),
            Precision::Day => {}
        }
    }
    let n = parse_number(text);
    assert!(n.is_none_or(f64::is_finite));
    assert_eq!(n.map(f64::to_bits), parse_number(text).map(f64::to_bits));
    assert_eq!(parse_count(text), parse_count(text));

    let env = NormEnv {
        rules: &RULES,
        article_date: reference,
        tense,
    };
    for name in Normalizer::NAMES {
        let norm = Normalizer::parse(name).expect("every listed name parses");
        let out = norm.apply(text, &env);
        assert_eq!(out, norm.apply(text, &env), "{name} on {text:?}");
        if let (Normalizer::Date, Normalized::Value(v)) = (norm, &out) {
            let s = v.as_str().expect("a date is a string");
            assert!(valid_iso(s), "{s}");
        }
    }
    }
);
