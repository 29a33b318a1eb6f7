//! The text-article reader: an optional `date YYYY-MM-DD` header, then the body, any bytes at all.
#![no_main]

use chrono::{Datelike, NaiveDate};
use libfuzzer_sys::fuzz_target;
use newsfacts::article::ARTICLE_YEARS;
use newsfacts::reader::parse_text_article;

fuzz_target!(|data: &[u8]| {
    let fallback = NaiveDate::from_ymd_opt(2020, 1, 2);
    // Both with and without `--date`: the header branch and the fallback branch.
    for default_date in [None, fallback] {
        match parse_text_article("fuzz", "fuzz.txt", data, default_date) {
            Ok((a, _lossy)) => {
                assert!(!a.text.trim().is_empty(), "an article always has text");
                assert!(
                    ARTICLE_YEARS.contains(&a.date.year()),
                    "implausible date {} accepted",
                    a.date
                );
            }
            Err(reason) => assert!(!reason.is_empty()),
        }
    }
});
