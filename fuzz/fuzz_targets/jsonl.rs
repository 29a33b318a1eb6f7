//! The JSON Lines reader, line cap and all, with HTML records resolved as the pipeline does.
#![no_main]

use std::io::Cursor;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use newsfacts::reader::{ReadEvent, ReadOptions, read_jsonl};

fuzz_target!(|data: &[u8]| {
    let with_date = ReadOptions {
        default_date: NaiveDate::from_ymd_opt(2020, 1, 2),
        ..Default::default()
    };
    let lines = data.split(|&b| b == b'\n').count();
    for opts in [ReadOptions::default(), with_date] {
        for ev in read_jsonl("fuzz.jsonl", Cursor::new(data.to_vec()), opts) {
            match ev.resolve() {
                ReadEvent::Article(a) => assert!(!a.id.trim().is_empty()),
                ReadEvent::Failed(e) | ReadEvent::Warning(e) => {
                    assert_eq!(e.location.path, "fuzz.jsonl");
                    let line = e.location.line.expect("a JSONL error names its line");
                    assert!(line >= 1 && line <= lines, "line {line} of {lines}");
                    assert!(!e.reason.is_empty());
                }
                ReadEvent::Html(_) => panic!("resolve leaves no pending HTML"),
            }
        }
    }
});
