//! The rule-file parser and compiler: a fuzzed rule file (and, after a NUL byte, a gazetteer it may
//! use as `{@fuzz}`) compiled with the shipped fact kinds; a rule set that compiles runs its own
//! examples and one article.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use newsfacts::article::Article;
use newsfacts::extract::Extractor;
use newsfacts::rules::{Gazetteer, RuleFiles, RuleSet};

const KINDS: &str = include_str!("../../rules/kinds.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (rule, gazetteer) = text.split_once('\0').unwrap_or((text, ""));
    let _ = Gazetteer::parse("fuzz", gazetteer);
    let mut files = vec![
        ("fuzz.toml".to_string(), rule.to_string()),
        ("kinds.toml".to_string(), KINDS.to_string()),
    ];
    if !gazetteer.is_empty() {
        files.push(("gazetteers/fuzz.txt".to_string(), gazetteer.to_string()));
    }
    files.sort();
    match RuleSet::compile(&RuleFiles { files }) {
        Ok(set) => {
            let _ = newsfacts::ruletest::run_examples(&set);
            let article = Article {
                id: "fuzz".into(),
                source: "fuzz".into(),
                url: None,
                title: None,
                date: NaiveDate::from_ymd_opt(2024, 3, 9).unwrap(),
                date_source: None,
                text: "Dua Lipa won Best New Artist at the 2019 Grammy Awards. \
                       The song, released on Friday, passed 1.2 billion streams on Spotify."
                    .into(),
            };
            let _ = Extractor::new(&set).extract(&article);
        }
        Err(errors) => {
            assert!(!errors.0.is_empty());
            for e in &errors.0 {
                assert!(!e.file.is_empty() && !e.message.is_empty(), "{e}");
            }
        }
    }
});
