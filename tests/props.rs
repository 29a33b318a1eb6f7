//! Property tests for the normalizers: dates always valid ISO, numbers never overflow or panic, the
//! same input always gives the same output. Case counts are kept small so CI stays fast.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate};
use newsfacts::article::ARTICLE_YEARS;
use newsfacts::normalize::date::{Precision, Tense, resolve};
use newsfacts::normalize::number::{parse_count, parse_number};
use newsfacts::normalize::{NormEnv, Normalized, Normalizer};
use newsfacts::rules::RuleSet;
use proptest::prelude::*;

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded().expect("the shipped rules compile"));

/// Any article date the readers accept: every day of the years in [`ARTICLE_YEARS`].
fn article_date() -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(*ARTICLE_YEARS.start(), 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(*ARTICLE_YEARS.end(), 12, 31).unwrap();
    (0..=last.signed_duration_since(first).num_days() as u64)
        .prop_map(move |n| first + Days::new(n))
}

fn tense() -> impl Strategy<Value = Tense> {
    prop_oneof![Just(Tense::Past), Just(Tense::Future), Just(Tense::Unknown)]
}

/// Date-like phrases built from the words the resolver knows, with numbers of any size.
fn date_phrase() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        prop::sample::select(vec![
            "last",
            "next",
            "this",
            "ago",
            "in",
            "on",
            "the",
            "of",
            "early",
            "late",
            "mid",
            "day",
            "days",
            "week",
            "weeks",
            "month",
            "months",
            "year",
            "years",
            "decade",
            "today",
            "tomorrow",
            "yesterday",
            "Monday",
            "Friday",
            "Sunday",
            "January",
            "Feb",
            "Nov.",
            "December",
            "May",
            "spring",
            "summer",
            "fall",
            "winter",
            "quarter",
            "st",
            "th",
            ",",
            "/",
            "-",
            "'s",
            "year's",
            "after",
            "before",
            "earlier",
            "later",
            "from",
            "now",
        ])
        .prop_map(str::to_string),
        any::<u64>().prop_map(|n| n.to_string()),
        (0u32..3000).prop_map(|n| n.to_string()),
        (1u32..13, 1u32..32, 1000u32..10000).prop_map(|(m, d, y)| format!("{m}/{d}/{y}")),
        (1000u32..10000, 0u32..14, 0u32..33).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
    ];
    prop::collection::vec(word, 0..7).prop_map(|w| w.join(" "))
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` naming a real year, month or day. An oracle written apart from
/// the library (which has no ISO parser); `fuzz/fuzz_targets/normalize.rs` keeps its own copy, as the
/// fuzz crate cannot use test code.
fn valid_iso(s: &str) -> bool {
    match s.len() {
        4 => s.parse::<i32>().is_ok_and(|y| (1000..=9999).contains(&y)),
        7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    }
}

/// Number phrases as news writes them: digits with separators, decimals, multipliers, words.
fn number_phrase() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        any::<u128>().prop_map(|n| n.to_string()),
        (0u32..1000, 0u32..1000, 0u32..1000).prop_map(|(a, b, c)| format!("{a},{b:03},{c:03}")),
        (0u32..100_000, "[0-9]{1,40}").prop_map(|(a, f)| format!("{a}.{f}")),
        prop::sample::select(vec![
            "million",
            "billion",
            "trillion",
            "thousand",
            "hundred",
            "bn",
            "M",
            "m",
            "k",
            "K",
            "B",
            "one",
            "two",
            "twelve",
            "twenty",
            "forty-five",
            "ninety",
            "point",
            "a",
            "and",
            "over",
            "nearly",
            "half",
            "-",
            "/",
            "(",
            ")",
            "%",
            "times",
            "streams",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(part, 0..6).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn resolved_dates_are_valid_iso_at_their_precision(
        phrase in date_phrase(), reference in article_date(), tense in tense()
    ) {
        let first = resolve(&phrase, reference, tense);
        prop_assert_eq!(first, resolve(&phrase, reference, tense));
        if let Some(r) = first {
            let iso = r.to_iso();
            prop_assert!(valid_iso(&iso), "{:?} -> {}", phrase, iso);
            prop_assert!((1000..=9999).contains(&r.date.year()));
            match r.precision {
                Precision::Year => prop_assert_eq!(iso.len(), 4),
                Precision::Month => prop_assert_eq!((iso.len(), r.date.day()), (7, 1)),
                Precision::Day => prop_assert_eq!(iso.len(), 10),
            }
        }
    }

    #[test]
    fn any_text_resolves_or_not_without_panicking(
        phrase in "\\PC{0,80}", reference in article_date(), tense in tense()
    ) {
        let first = resolve(&phrase, reference, tense);
        prop_assert_eq!(first, resolve(&phrase, reference, tense));
        if let Some(r) = first {
            prop_assert!(valid_iso(&r.to_iso()));
        }
    }

    #[test]
    fn numbers_never_overflow_and_are_deterministic(phrase in number_phrase()) {
        let n = parse_number(&phrase);
        prop_assert!(n.is_none_or(f64::is_finite), "{:?} -> {:?}", phrase, n);
        prop_assert_eq!(n.map(f64::to_bits), parse_number(&phrase).map(f64::to_bits));
        prop_assert_eq!(parse_count(&phrase), parse_count(&phrase));
    }

    #[test]
    fn any_text_parses_as_a_number_or_not_without_panicking(phrase in "\\PC{0,80}") {
        prop_assert!(parse_number(&phrase).is_none_or(f64::is_finite));
        prop_assert_eq!(parse_count(&phrase), parse_count(&phrase));
    }

    /// Exact values, worked out by hand: plain digits, with separators, and scaled by a multiplier
    /// that fits (or does not fit) in 64 bits.
    #[test]
    fn counts_are_exact_and_overflow_is_none(n in any::<u64>(), m in 0u64..1_000_000) {
        prop_assert_eq!(parse_count(&n.to_string()), Some(n));
        let grouped = m.to_string().as_bytes().rchunks(3).rev()
            .map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",");
        prop_assert_eq!(parse_count(&grouped), Some(m));
        prop_assert_eq!(parse_count(&format!("{m} million")), Some(m * 1_000_000));
        let billions = format!("{n} billion");
        prop_assert_eq!(parse_count(&billions), n.checked_mul(1_000_000_000));
    }
}

proptest! {
    // Each case runs all fifteen normalizers; fewer cases keep this under a second or two.
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_normalizer_is_deterministic_and_dates_are_valid_iso(
        raw in prop_oneof![date_phrase(), number_phrase(), "\\PC{0,60}"],
        reference in article_date(),
        tense in tense(),
    ) {
        let env = NormEnv { rules: &RULES, article_date: reference, tense };
        for name in Normalizer::NAMES {
            let norm = Normalizer::parse(name).unwrap();
            let out = norm.apply(&raw, &env);
            prop_assert_eq!(&out, &norm.apply(&raw, &env), "{} on {:?}", name, raw);
            if let (Normalizer::Date, Normalized::Value(v)) = (norm, &out) {
                let s = v.as_str().unwrap_or_default();
                prop_assert!(valid_iso(s), "{:?} -> {}", raw, s);
            }
            if let (Normalizer::Year, Normalized::Value(v)) = (norm, &out) {
                prop_assert!(v.as_i64().is_some_and(|y| (1000..=9999).contains(&y)), "{}", v);
            }
        }
    }
}
