//! Hostile and broken input: each case is refused with an error naming the input, or read safely, in
//! bounded time and memory; nothing panics and the rest of the batch goes on.

use std::io::{self, BufReader, Cursor, Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use newsfacts::article::Article;
use newsfacts::html::{HtmlError, HtmlOptions, article_from_html};
use newsfacts::normalize::date::{Precision, Tense, resolve};
use newsfacts::reader::{ReadEvent, ReadOptions, parse_text_article, read_jsonl};

use crate::support::{code, newsfacts, records, run, stderr, write};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

const DUA: &str = "Dua Lipa won Best New Artist at the 2019 Grammy Awards.";

/// A page with a publication date in its meta tags and `inner` as the body.
fn page(inner: &str) -> String {
    format!(
        "<html><head><meta charset=\"utf-8\"><meta property=\"article:published_time\" \
         content=\"2019-02-11\"><title>t</title></head><body>{inner}</body></html>"
    )
}

/// A page parsed as the HTML reader parses a file (no URL, no HTTP charset).
fn parse_page(html: &[u8]) -> Result<Article, HtmlError> {
    let opts = HtmlOptions {
        latest_date: Some(d(2030, 1, 1)),
        ..Default::default()
    };
    article_from_html(html, "page", "page.html", None, None, &opts)
}

// ---- HTML ----

/// html5ever's tree builder is quadratic in nesting depth (100 000 nested `<div>`s took minutes):
/// pages whose depth-times-tags work exceeds `MAX_NESTING_WORK` are refused by a linear pre-scan.
#[test]
fn html_nested_100k_levels_deep_is_refused_in_bounded_time() {
    for tag in ["div", "b", "span", "div/"] {
        let depth = 100_000;
        let inner = format!(
            "{}<p>{DUA}</p>{}",
            format!("<{tag}>").repeat(depth),
            format!("</{tag}>").repeat(depth)
        );
        let html = page(&inner);
        let t = Instant::now();
        let r = parse_page(html.as_bytes());
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "<{tag}>: {:?}",
            t.elapsed()
        );
        assert!(matches!(r, Err(HtmlError::TooDeep(_))), "<{tag}>: {r:?}");
    }
    // 5 000 deep is fine (12.5 million steps): parsed, text and date found.
    let depth = 5_000;
    let html = page(&format!(
        "{}<p>{DUA}</p>{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    ));
    let a = parse_page(html.as_bytes()).unwrap();
    assert_eq!((a.text.as_str(), a.date), (DUA, d(2019, 2, 11)));
    // So is a page of 200 000 tags at an ordinary depth.
    let wide = page(&"<div><p>Some text.</p></div>".repeat(100_000));
    let n = parse_page(wide.as_bytes()).map(|a| a.text.matches("Some text.").count());
    assert_eq!(n, Ok(100_000));
    // Deep, then wide at that depth: refused too (8 000 levels, then 200 000 tags at depth 8 000).
    let deep_wide = page(&format!(
        "{}{}",
        "<div>".repeat(8_000),
        "<div></div>".repeat(200_000)
    ));
    let r = parse_page(deep_wide.as_bytes());
    assert!(matches!(r, Err(HtmlError::TooDeep(8_001..))), "{r:?}");
    // Through the CLI: the error names the file, the next page is read.
    let dir = tempfile::tempdir().unwrap();
    let deep = write(
        dir.path(),
        "a_deep.html",
        page(&"<div>".repeat(100_000)).as_bytes(),
    );
    write(
        dir.path(),
        "b_ok.html",
        page(&format!("<p>{DUA}</p>")).as_bytes(),
    );
    let o = run(&["read", p(dir.path())]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(&format!(
            "newsfacts: error: {}: elements nested too deeply to parse in bounded time",
            p(&deep)
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(records(&o).len(), 1);
}

#[test]
fn html_with_invalid_utf8_or_nul_bytes() {
    // Invalid UTF-8 in a page declared UTF-8 decodes to U+FFFD, like a browser does.
    for (at, html) in [
        (
            "start",
            format!("\u{1}{}", page(&format!("<p>\u{1}{DUA}</p>"))).into_bytes(),
        ),
        ("middle", page("<p>Dua \u{1} Lipa won.</p>").into_bytes()),
        (
            "end",
            format!("{}\u{1}", page("<p>Dua Lipa won.</p>")).into_bytes(),
        ),
    ] {
        let bytes: Vec<u8> = html
            .iter()
            .map(|&b| if b == 1 { 0xFF } else { b })
            .collect();
        let a = parse_page(&bytes).unwrap_or_else(|e| panic!("{at}: {e}"));
        assert_eq!(a.date, d(2019, 2, 11), "{at}");
        if at == "middle" {
            assert_eq!(a.text, "Dua \u{FFFD} Lipa won.");
        }
    }
    // A few NULs (html5ever replaces them); many are binary data, refused.
    let few = page("<p>Dua\0 Lipa won.</p>");
    let a = parse_page(few.as_bytes()).unwrap();
    assert!(a.text.starts_with("Dua"), "{}", a.text);
    assert!(!a.text.contains('\0'), "{:?}", a.text);
    let many = page(&"\0".repeat(64));
    assert_eq!(
        parse_page(many.as_bytes()),
        Err(HtmlError::NotHtml("binary data (NUL bytes)"))
    );
}

#[test]
fn gzip_bomb_of_1_gib_is_refused_by_name_and_the_batch_goes_on() {
    // 64 gzip members of 16 MiB of spaces each: about 1 GiB once inflated, 1 MiB on disk.
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&vec![b' '; 16 << 20]).unwrap();
    let member = member.finish().unwrap();
    let bomb: Vec<u8> = member.repeat(64);
    assert!(bomb.len() < 4 << 20, "{}", bomb.len());

    let dir = tempfile::tempdir().unwrap();
    let bomb = write(dir.path(), "a_bomb.html.gz", &bomb);
    write(
        dir.path(),
        "b_ok.html",
        page(&format!("<p>{DUA}</p>")).as_bytes(),
    );
    let t = Instant::now();
    let o = run(&["read", p(dir.path())]);
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: error: {}: decompresses to more than 64 MiB (a gzip bomb?); not read",
            p(&bomb)
        )),
        "{err}"
    );
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "b_ok");
}

// ---- JSON Lines ----

/// `{"id":"big","date":"2024-01-02","text":"aaaa…` of `len` bytes with no newline, then `tail`.
struct HugeLine {
    head: Cursor<Vec<u8>>,
    remaining: u64,
    tail: Cursor<Vec<u8>>,
}

impl HugeLine {
    fn new(len: u64, tail: &str) -> Self {
        let head = br#"{"id":"big","date":"2024-01-02","text":""#.to_vec();
        HugeLine {
            remaining: len - head.len() as u64,
            head: Cursor::new(head),
            tail: Cursor::new(tail.as_bytes().to_vec()),
        }
    }
}

impl Read for HugeLine {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 {
            return Ok(n);
        }
        if self.remaining > 0 {
            let n = buf.len().min(self.remaining as usize);
            buf[..n].fill(b'a');
            self.remaining -= n as u64;
            return Ok(n);
        }
        self.tail.read(buf)
    }
}

const GIB: u64 = 1 << 30;
const NEXT_LINE: &str = "\n{\"id\":\"next\",\"date\":\"2024-01-03\",\"text\":\"Dua Lipa won.\"}\n";

#[test]
fn jsonl_line_of_1_gib_is_skipped_and_the_next_line_read() {
    let reader = BufReader::with_capacity(1 << 20, HugeLine::new(GIB, NEXT_LINE));
    let t = Instant::now();
    let events: Vec<ReadEvent> = read_jsonl("huge.jsonl", reader, ReadOptions::default()).collect();
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    match &events[..] {
        [ReadEvent::Failed(e), ReadEvent::Article(a)] => {
            assert_eq!(
                e.to_string(),
                "huge.jsonl:1: line longer than 128 MiB; skipped"
            );
            assert_eq!((a.id.as_str(), a.date), ("next", d(2024, 1, 3)));
            assert_eq!(a.source, "huge.jsonl:2");
        }
        other => panic!("{other:?}"),
    }
}

/// Peak resident memory of a running process, in bytes (Linux).
fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn jsonl_line_of_1_gib_on_stdin_is_skipped_without_buffering_it() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_newsfacts"))
        .args(["read", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let t = Instant::now();
    io::copy(&mut HugeLine::new(GIB, NEXT_LINE), &mut stdin).unwrap();
    stdin.flush().unwrap();
    // All but the pipe's last few KiB are read by now: the line buffer has reached its peak.
    let peak = peak_rss(child.id());
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert!(t.elapsed() < Duration::from_secs(60), "{:?}", t.elapsed());
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("newsfacts: error: <stdin>:1: line longer than 128 MiB; skipped"),
        "{}",
        stderr(&o)
    );
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "next");
    // The cap is 128 MiB: far below the 1 GiB a whole-line read would need.
    if let Some(peak) = peak {
        assert!(peak < 400 << 20, "peak RSS {} MiB", peak >> 20);
    }
}

#[test]
fn jsonl_invalid_utf8_and_nul_bytes_fail_their_line_only() {
    let good = br#"{"id":"ok","date":"2024-01-02","text":"Dua Lipa won."}"#;
    let mut input = Vec::new();
    input.extend_from_slice(b"\xFF{\"id\":\"a\",\"date\":\"2024-01-02\",\"text\":\"x\"}\n");
    input.extend_from_slice(b"{\"id\":\"b\",\"date\":\"2024-01-02\",\"text\":\"x\xFFy\"}\n");
    input.extend_from_slice(b"{\"id\":\"c\",\"date\":\"2024-01-02\",\"text\":\"x\"}\xC3\n");
    input.extend_from_slice(b"{\"id\":\"d\",\"date\":\"2024-01-02\",\"text\":\"x\0y\"}\n");
    input.extend_from_slice(good);
    input.push(b'\n');
    let events: Vec<ReadEvent> =
        read_jsonl("bad.jsonl", Cursor::new(input), ReadOptions::default()).collect();
    assert_eq!(events.len(), 5, "{events:?}");
    let failed: Vec<String> = events[..4]
        .iter()
        .map(|e| match e {
            ReadEvent::Failed(e) => e.to_string(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        failed[0],
        "bad.jsonl:1: not valid UTF-8: invalid utf-8 sequence of 1 bytes from index 0"
    );
    assert_eq!(
        failed[1],
        "bad.jsonl:2: not valid UTF-8: invalid utf-8 sequence of 1 bytes from index 39"
    );
    assert_eq!(
        failed[2],
        "bad.jsonl:3: not valid UTF-8: invalid utf-8 sequence of 1 bytes from index 41"
    );
    assert!(
        failed[3].starts_with("bad.jsonl:4: not a JSON article: control character"),
        "{}",
        failed[3]
    );
    assert!(matches!(&events[4], ReadEvent::Article(a) if a.id == "ok"));
}

// ---- Text articles ----

fn text(bytes: &[u8]) -> Result<(newsfacts::article::Article, bool), String> {
    parse_text_article("t", "t.txt", bytes, None)
}

#[test]
fn text_invalid_utf8_in_every_position() {
    // In the header: the header error says the bytes are not UTF-8, and where.
    assert_eq!(
        text(b"\xFF date 2024-03-09 Body.").unwrap_err(),
        "missing date header: expected ' date YYYY-MM-DD' at the start (or pass --date) \
         (not valid UTF-8 from byte 0)"
    );
    assert_eq!(
        text(b" date 2024-0\xFF-09 Body.").unwrap_err(),
        "malformed date header \"2024-0\u{FFFD}-09\": expected ' date YYYY-MM-DD' \
         (not valid UTF-8 from byte 12)"
    );
    assert_eq!(
        text(b" date 2024-03-09\xFF Body.").unwrap_err(),
        "malformed date header \"2024-03-09\u{FFFD}\": expected ' date YYYY-MM-DD' \
         (not valid UTF-8 from byte 16)"
    );
    // The offset counts the byte-order mark.
    assert_eq!(
        text(b"\xEF\xBB\xBF\xFF date 2024-03-09 Body.").unwrap_err(),
        "missing date header: expected ' date YYYY-MM-DD' at the start (or pass --date) \
         (not valid UTF-8 from byte 3)"
    );
    // In the body: read, lossily, and flagged so the reader warns.
    for (bytes, body) in [
        (&b" date 2024-03-09 \xFFDua won."[..], "\u{FFFD}Dua won."),
        (b" date 2024-03-09 Dua \xE2\x80 won.", "Dua \u{FFFD} won."),
        (b" date 2024-03-09 Dua won.\xF0\x9F", "Dua won.\u{FFFD}"),
    ] {
        let (a, lossy) = text(bytes).unwrap();
        assert!(lossy);
        assert_eq!((a.text.as_str(), a.date), (body, d(2024, 3, 9)));
    }
}

#[test]
fn text_invalid_utf8_and_nul_through_the_cli_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let head = write(dir.path(), "a_head.txt", b" date 2024-0\xFF-09 Body.");
    let body = write(dir.path(), "b_body.txt", b" date 2024-03-09 Dua \xFF won.");
    // A NUL past the first 8 KiB is still caught.
    let mut late_nul = b" date 2024-03-09 ".to_vec();
    late_nul.extend(std::iter::repeat_n(b'x', 10_000));
    late_nul.push(0);
    let nul = write(dir.path(), "c_nul.txt", &late_nul);
    let o = run(&["read", p(dir.path())]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    for line in [
        format!(
            "newsfacts: error: {}: malformed date header \"2024-0\u{FFFD}-09\": expected ' date \
             YYYY-MM-DD' (not valid UTF-8 from byte 12)",
            p(&head)
        ),
        format!(
            "newsfacts: warning: {}: not valid UTF-8; decoded lossily (invalid bytes became U+FFFD)",
            p(&body)
        ),
        format!(
            "newsfacts: error: {}: binary file (NUL bytes); not an article",
            p(&nul)
        ),
    ] {
        assert!(err.contains(&line), "{line}\n---\n{err}");
    }
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["text"], "Dua \u{FFFD} won.");
}

// ---- Dates ----

#[test]
fn impossible_and_out_of_range_article_dates_are_refused_with_the_reason() {
    assert_eq!(
        text(b" date 9999-99-99 Body.").unwrap_err(),
        "malformed date header \"9999-99-99\": expected ' date YYYY-MM-DD'"
    );
    assert_eq!(
        text(b" date 9999-12-31 Body.").unwrap_err(),
        "date header \"9999-12-31\" is outside the years 1800-2200 accepted for an article"
    );
    assert_eq!(
        text(b" date 1799-12-31 Body.").unwrap_err(),
        "date header \"1799-12-31\" is outside the years 1800-2200 accepted for an article"
    );
    let lines = "{\"id\":\"a\",\"date\":\"9999-99-99\",\"text\":\"x\"}\n\
                 {\"id\":\"b\",\"date\":\"2201-01-01T00:00:00Z\",\"text\":\"x\"}\n";
    let failed: Vec<String> = read_jsonl("d.jsonl", Cursor::new(lines), ReadOptions::default())
        .map(|e| match e {
            ReadEvent::Failed(e) => e.to_string(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        failed,
        [
            "d.jsonl:1: malformed \"date\" \"9999-99-99\": expected YYYY-MM-DD or RFC 3339",
            "d.jsonl:2: \"date\" \"2201-01-01T00:00:00Z\" is outside the years 1800-2200 \
             accepted for an article"
        ]
    );
}

/// Articles dated 1900 and 2100 are accepted (archives are old; the window is 1800-2200), and date
/// arithmetic from them cannot overflow: results outside 1000-9999 are "not a date", never a panic.
#[test]
fn articles_dated_1900_and_2100_are_read_and_relative_dates_stay_in_range() {
    let (a, _) = text(b" date 1900-05-01 Caruso sang.").unwrap();
    assert_eq!(a.date, d(1900, 5, 1));
    let (a, _) = text(b" date 2100-12-31 Caruso sang.").unwrap();
    assert_eq!(a.date, d(2100, 12, 31));

    let old = d(1900, 5, 1);
    let new = d(2100, 12, 31);
    for (phrase, reference, tense, want) in [
        ("last year", old, Tense::Past, "1899"),
        ("100 years ago", old, Tense::Past, "1800-05-01"),
        ("next year", new, Tense::Future, "2101"),
        ("tomorrow", new, Tense::Future, "2101-01-01"),
        ("3 weeks ago", old, Tense::Past, "1900-04-10"),
    ] {
        let got = resolve(phrase, reference, tense).map(|r| r.to_iso());
        assert_eq!(got.as_deref(), Some(want), "{phrase}");
    }
    for huge in [
        "9000 years ago",
        "99999999999999999999 years ago",
        "in 99999999999999999999 days",
        "18446744073709551616 weeks ago",
        "in 4294967296 months",
    ] {
        for reference in [old, new, d(1800, 1, 1), d(2200, 12, 31)] {
            assert_eq!(resolve(huge, reference, Tense::Unknown), None, "{huge}");
        }
    }
    // A win with no year cue takes the article's year: 1900 and 2100 as they are.
    let win = "Dua Lipa won Best New Artist at the Grammy Awards.";
    let o = newsfacts()
        .args(["extract", "-"])
        .write_stdin(format!(
            "{{\"id\":\"old\",\"date\":\"1900-05-01\",\"text\":\"{win}\"}}\n\
             {{\"id\":\"new\",\"date\":\"2100-02-11\",\"text\":\"{win}\"}}\n"
        ))
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let recs = records(&o);
    let got: Vec<(&str, &str, i64)> = recs
        .iter()
        .map(|r| {
            (
                r["article"]["id"].as_str().unwrap(),
                r["article"]["date"].as_str().unwrap(),
                r["fields"]["year"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("old", "1900-05-01", 1900), ("new", "2100-02-11", 2100)]
    );
    let precision = resolve("May 1900", old, Tense::Past).map(|r| r.precision);
    assert_eq!(precision, Some(Precision::Month));
}

// ---- Rules ----

/// A rule folder with the real fact kinds and `files` (name, contents).
fn rule_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let kinds =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/kinds.toml"))
            .unwrap();
    write(dir.path(), "kinds.toml", kinds.as_bytes());
    for (name, contents) in files {
        write(dir.path(), name, contents.as_bytes());
    }
    dir
}

fn one_rule(id: &str, pattern: &str) -> String {
    format!(
        "[[rule]]\nid = \"{id}\"\nkind = \"mention\"\npatterns = ['''{pattern}''']\n\
         fields.artist = \"text\"\n"
    )
}

#[test]
fn catastrophic_looking_regex_runs_in_linear_time() {
    // Nested quantifiers that backtracking engines explode on; the regex crate stays linear.
    let dir = rule_dir(&[("evil.toml", &one_rule("evil", r"(?P<artist>(?:a+)+b)"))]);
    let rules = newsfacts::rules::RuleSet::from_dir(dir.path()).unwrap();
    let article = newsfacts::article::Article {
        id: "evil".into(),
        source: "evil".into(),
        url: None,
        title: None,
        date: d(2024, 1, 2),
        date_source: None,
        text: format!("{}c.", "a".repeat(50_000)),
    };
    let t = Instant::now();
    let facts = newsfacts::extract::Extractor::new(&rules)
        .extract(&article)
        .facts;
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert!(facts.is_empty());
}

#[test]
fn rule_whose_regex_is_too_large_is_reported_with_file_line_and_rule() {
    let big = format!(
        "# A pattern that compiles to more than the size limit.\n{}",
        one_rule("huge", r"(?P<artist>\p{L}{2000}(?:\w{1000}){100})")
    );
    let dir = rule_dir(&[("big.toml", &big)]);
    let t = Instant::now();
    let o = run(&["rules", "check", p(dir.path())]);
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("big.toml:5:13: huge: bad regex: pattern too large once compiled"),
        "{err}"
    );
}

#[test]
fn rule_file_of_100k_rules_is_refused_in_bounded_time() {
    let mut many = String::with_capacity(100_000 * 80);
    for i in 0..100_000 {
        many.push_str(&one_rule(&format!("r{i}"), "(?P<artist>Dua Lipa)"));
    }
    let dir = rule_dir(&[("many.toml", &many)]);
    let t = Instant::now();
    let o = run(&["rules", "check", p(dir.path())]);
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(code(&o), 2);
    // Rule 20 001 starts on line 5 * 20 000 + 1.
    assert!(
        stderr(&o).contains(
            "many.toml:100001:1: 100000 rules, more than the 20000 allowed; none compiled"
        ),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rule_file_over_16_mib_is_not_read() {
    let dir = rule_dir(&[]);
    let f = std::fs::File::create(dir.path().join("huge.toml")).unwrap();
    f.set_len((16 << 20) + 1).unwrap();
    let o = run(&["rules", "check", p(dir.path())]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!(
            "{}:0:0: larger than 16 MiB; not a rule file",
            p(&dir.path().join("huge.toml"))
        )),
        "{}",
        stderr(&o)
    );
}

// ---- Directories ----

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_directory_are_reported_and_the_rest_is_read() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    write(&dir, "a.txt", format!(" date 2024-01-02 {DUA}").as_bytes());
    write(
        &dir,
        "sub/b.txt",
        format!(" date 2024-01-03 {DUA}").as_bytes(),
    );
    symlink(&dir, dir.join("sub/up")).unwrap();
    symlink(".", dir.join("self")).unwrap();
    symlink(dir.join("a.txt"), dir.join("sub/c.txt")).unwrap();
    symlink(dir.join("gone.txt"), dir.join("dangling.txt")).unwrap();
    let t = Instant::now();
    let o = run(&["read", p(&dir)]);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    for line in [
        format!(
            "newsfacts: error: {}: symlink loop (points back to {}); not followed",
            p(&dir.join("self")),
            p(&dir)
        ),
        format!(
            "newsfacts: error: {}: symlink loop (points back to {}); not followed",
            p(&dir.join("sub/up")),
            p(&dir)
        ),
        format!(
            "newsfacts: error: {}: no such file or directory",
            p(&dir.join("dangling.txt"))
        ),
    ] {
        assert!(err.contains(&line), "{line}\n---\n{err}");
    }
    // a.txt, sub/b.txt, and sub/c.txt (a symlink to a.txt) are read.
    let ids: Vec<String> = records(&o)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
}
