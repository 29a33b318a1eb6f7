//! HTML pages: encoding sniffing, the DOM walk, main-text scoring, the date finder, and the gzip path.
//! The first byte picks the options (charset hint, URL, `--date`, gzipped); the rest is the page.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use newsfacts::html::date::{NumericOrder, date_from_url, find_in_text, parse_date_value};
use newsfacts::html::{HtmlOptions, article_from_html, encoding};
use newsfacts::reader::{Location, PendingHtml, ReadEvent};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let hint = match flags & 3 {
        0 => None,
        1 => Some("utf-8"),
        2 => Some("windows-1252"),
        _ => Some("shift_jis"),
    };
    let url = (flags & 4 != 0).then_some("https://news.example.de/2024/03/09/story-page");
    let latest = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let opts = HtmlOptions {
        fallback_date: (flags & 8 != 0).then(|| NaiveDate::from_ymd_opt(2020, 1, 2).unwrap()),
        latest_date: Some(latest),
    };
    if flags & 16 != 0 {
        // `.html.gz` as the reader resolves it: capped inflation, then the page.
        let pending = PendingHtml {
            location: Location {
                path: "fuzz.html.gz".into(),
                line: None,
            },
            id: "fuzz".into(),
            source: "fuzz.html.gz".into(),
            url: url.map(str::to_string),
            date: None,
            fallback_date: opts.fallback_date,
            gzipped: true,
            bytes: bytes.to_vec(),
        };
        match ReadEvent::Html(Box::new(pending)).resolve() {
            ReadEvent::Article(a) => assert!(!a.text.trim().is_empty()),
            ReadEvent::Failed(e) => assert_eq!(e.location.path, "fuzz.html.gz"),
            other => panic!("unexpected {other:?}"),
        }
    } else if let Ok(a) = article_from_html(bytes, "fuzz", "fuzz.html", url, hint, &opts) {
        assert!(!a.text.trim().is_empty());
        if a.date_source.as_deref() != Some("flag") {
            assert!(a.date <= latest, "{} after the latest date", a.date);
        }
    }
    // The date finder's string parsers and the decoder on their own.
    let _ = encoding::decode(bytes, hint, Some("jp"));
    let text = String::from_utf8_lossy(bytes);
    for order in [NumericOrder::DayFirst, NumericOrder::MonthFirst] {
        let _ = find_in_text(&text, order);
        let _ = parse_date_value(&text, order);
    }
    let _ = date_from_url(&text);
});
