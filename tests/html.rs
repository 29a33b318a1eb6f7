//! HTML input end to end: `newsfacts read` and `extract` on pages written here and in fixtures/html/.
//! Expected texts, titles and dates are worked out by hand from the pages.

use std::io::Write;
use std::path::Path;

use crate::support::{code, records, run, stderr, write};
use serde_json::Value;

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

const DATED: &str = r#"<html><head><meta property="article:published_time" content="2024-02-05T21:30:00-08:00">
<title>Miley Cyrus wins her first Grammy | Site</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="story"><p>Miley Cyrus won Record of the Year at the 2024 Grammy Awards for "Flowers", her first Grammy win.</p></div>
</body></html>"#;

const UNDATED: &str = r#"<html><head><title>Undated</title></head><body>
<div class="story"><p>Dua Lipa won Best New Artist at the Grammy Awards, and thanked her family on stage that night.</p></div>
</body></html>"#;

#[test]
fn read_prints_one_record_per_page_with_all_keys() {
    let o = run(&["read", "fixtures/html/jungkook_ema.html"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "source",
            "url",
            "title",
            "date",
            "date_source",
            "text"
        ]
    );
    assert_eq!(r["id"], "jungkook_ema");
    assert_eq!(r["source"], "fixtures/html/jungkook_ema.html");
    assert_eq!(r["url"], Value::Null);
    // og:title, not the <title> with its " | Pop Wire" suffix.
    assert_eq!(r["title"], "Jungkook wins Best Song at the MTV EMAs");
    // JSON-LD datePublished 2023-11-05T22:10:00-05:00: the day in its own offset (03:10 UTC on the 6th).
    assert_eq!(r["date"], "2023-11-05");
    assert_eq!(r["date_source"], "json-ld");
    // No cookie banner, nav, byline, share bar, caption, related list, comments, footer or script.
    assert_eq!(
        r["text"],
        "Jungkook won Best Song at the 2023 MTV EMAs for \"Seven\", his summer single with Latto, at the ceremony in Paris on Sunday.\n\n\
         The singer, who also performed at the show, thanked his fans in a short video message, saying the award belonged to them.\n\n\
         A record year\n\n\
         \"Seven\" spent weeks at the top of the global charts, and the win caps a record year for the BTS member, whose first solo album arrived in November.\n\n\
         \"Thank you, ARMY, for always being there,\" he said."
    );
}

#[test]
fn read_windows_1252_and_gzipped_pages() {
    let o = run(&[
        "read",
        "fixtures/html/latin_grammys_cp1252.html",
        "fixtures/html/tyla_grammy.html.gz",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 2);
    let latin = &recs[0];
    assert_eq!(
        latin["title"],
        "Rosalía and Shakira shine at the Latin Grammys"
    );
    assert_eq!(latin["date"], "2023-11-17");
    assert_eq!(latin["date_source"], "meta");
    let text = latin["text"].as_str().unwrap();
    assert!(text.starts_with("Rosalía won Album of the Year"), "{text}");
    // windows-1252 0x96 and 0x93/0x94: en dash and curly quotes.
    assert!(text.contains("two sons – “mis amores”."), "{text}");
    assert!(!text.contains("boletín"), "newsletter box kept: {text}");
    let tyla = &recs[1];
    assert_eq!(tyla["id"], "tyla_grammy");
    assert_eq!(tyla["source"], "fixtures/html/tyla_grammy.html.gz");
    assert_eq!(
        tyla["title"],
        "Tyla wins the first Best African Music Performance Grammy"
    );
    // "Published Feb. 5, 2024" in the post-meta line.
    assert_eq!(tyla["date"], "2024-02-05");
    assert_eq!(tyla["date_source"], "byline");
    assert_eq!(
        tyla["text"],
        "South African singer Tyla won Best African Music Performance at the 2024 Grammy Awards for \"Water\", beating Burna Boy and Davido.\n\n\
         The category was new this year. Tyla, 22, accepted the award in Los Angeles and called it a win for the whole continent.\n\n\
         Nominees: Tyla, Burna Boy, Davido, Ayra Starr and Asake\n\n\
         Winner: Tyla for \"Water\""
    );
}

#[test]
fn page_without_date_fails_alone_and_date_flag_is_the_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a_undated.html", UNDATED.as_bytes());
    let b = write(dir.path(), "b_dated.htm", DATED.as_bytes());
    let o = run(&["read", p(dir.path())]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: error: {}: no publication date found",
            p(&a)
        )),
        "{err}"
    );
    assert!(
        err.contains("newsfacts: 1 articles read, 1 failed"),
        "{err}"
    );
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "b_dated");
    assert_eq!(recs[0]["source"], p(&b));
    assert_eq!(recs[0]["title"], "Miley Cyrus wins her first Grammy");
    // 21:30 in Los Angeles on the 5th (05:30 UTC on the 6th): the written day.
    assert_eq!(recs[0]["date"], "2024-02-05");

    let o = run(&["read", "--date", "2024-01-02", p(&a)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs[0]["date"], "2024-01-02");
    assert_eq!(recs[0]["date_source"], "flag");
    assert_eq!(
        recs[0]["text"],
        "Dua Lipa won Best New Artist at the Grammy Awards, and thanked her family on stage that night."
    );
}

#[test]
fn jsonl_lines_with_html_url_and_explicit_date() {
    let dir = tempfile::tempdir().unwrap();
    let line = |v: Value| format!("{v}\n");
    let mut jsonl = String::new();
    // The URL path is the only date signal.
    jsonl += &line(
        serde_json::json!({"id": "u", "url": "https://news.example/2024/03/09/dua", "html": UNDATED}),
    );
    // An explicit date wins over the page's own meta date.
    jsonl += &line(serde_json::json!({"id": "e", "date": "2024-02-07", "html": DATED}));
    // No date anywhere: this line fails, named by path and line.
    jsonl += &line(serde_json::json!({"id": "n", "html": UNDATED}));
    jsonl += &line(
        serde_json::json!({"id": "t", "date": "2024-01-01", "text": "Plain text still works."}),
    );
    let f = write(dir.path(), "pages.jsonl", jsonl.as_bytes());
    let o = run(&["read", "--jobs", "2", p(&f)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:3: no publication date found", p(&f))),
        "{err}"
    );
    let recs = records(&o);
    let got: Vec<(&str, &str, &str)> = recs
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["date"].as_str().unwrap(),
                r["date_source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("u", "2024-03-09", "url"),
            ("e", "2024-02-07", "field"),
            ("t", "2024-01-01", "field")
        ]
    );
    assert_eq!(recs[0]["url"], "https://news.example/2024/03/09/dua");
    assert_eq!(recs[0]["source"], format!("{}:1", p(&f)));
    assert_eq!(recs[2]["text"], "Plain text still works.");
}

#[test]
fn gzip_bomb_and_corrupt_gzip_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // 65 MiB of spaces compress to about 64 KiB: over the 64 MiB cap once inflated.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let block = vec![b' '; 1 << 20];
    for _ in 0..65 {
        enc.write_all(&block).unwrap();
    }
    let bomb = write(dir.path(), "bomb.html.gz", &enc.finish().unwrap());
    let bad = write(dir.path(), "bad.html.gz", b"this is not gzip");
    let ok = write(dir.path(), "ok.html", DATED.as_bytes());
    let o = run(&["read", p(&bad), p(&bomb), p(&ok)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}: not valid gzip", p(&bad))),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}: decompresses to more than 64 MiB (a gzip bomb?); not read",
            p(&bomb)
        )),
        "{err}"
    );
    assert_eq!(records(&o).len(), 1);
}

#[test]
fn extract_reads_html_and_output_is_the_same_for_any_jobs() {
    let one = run(&["extract", "--jobs", "1", "fixtures/html/"]);
    let two = run(&["extract", "--jobs", "2", "fixtures/html/"]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout);
    let recs = records(&one);
    let wins: Vec<(&str, &str, &str)> = recs
        .iter()
        .filter(|r| r["kind"] == "award_win")
        .map(|r| {
            (
                r["article"]["id"].as_str().unwrap(),
                r["article"]["date"].as_str().unwrap(),
                r["fields"]["winner"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        wins.contains(&("jungkook_ema", "2023-11-05", "Jungkook")),
        "{wins:?}"
    );
    assert!(
        wins.contains(&("latin_grammys_cp1252", "2023-11-17", "Rosalía")),
        "{wins:?}"
    );
    assert!(
        wins.contains(&("tyla_grammy", "2024-02-05", "Tyla")),
        "{wins:?}"
    );
    let read_one = run(&["read", "--jobs", "1", "fixtures/html/"]);
    let read_two = run(&["read", "--jobs", "2", "fixtures/html/"]);
    assert_eq!(read_one.stdout, read_two.stdout);
    assert_eq!(records(&read_one).len(), 3);
}
