//! Whole-article extraction with the shipped rules: a text article (date header optional) through the
//! reader and the extractor. The rules are compiled once, not per input.
#![no_main]

use std::sync::LazyLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use newsfacts::extract::Extractor;
use newsfacts::reader::parse_text_article;
use newsfacts::rules::RuleSet;

static RULES: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::embedded().expect("the shipped rules compile"));

// Compiled before fuzzing starts, so the first input is not charged for it (-timeout=1).
fuzz_target!(
    init: {
        LazyLock::force(&RULES);
    },
    |data: &[u8]| {
    let Ok((article, _)) =
        parse_text_article("fuzz", "fuzz.txt", data, NaiveDate::from_ymd_opt(2024, 3, 9))
    else {
        return;
    };
    let chars = article.text.chars().count();
    let out = Extractor::new(&RULES).explain(true).extract(&article);
    for f in &out.facts {
        assert!(f.evidence.start <= f.evidence.end && f.evidence.end <= chars);
        assert!((0.0..=1.0).contains(&f.confidence), "{}", f.confidence);
    }
    }
);
