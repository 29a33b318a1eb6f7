//! The `newsfacts` command line, end to end: exit codes, what goes to stdout and stderr, and the shape
//! of the records. Expected values are worked out by hand from the inputs written here.

use std::collections::HashSet;
use std::path::Path;
use std::process::Output;

use crate::support::{code, newsfacts, records, run, stderr, stdout, write};
use serde_json::Value;

const SEED: &str = "fixtures/000_a70e21486debb34f.txt";
const SEED_ID: &str = "000_a70e21486debb34f";
const DUA: &str = "Dua Lipa won Best New Artist at the 2019 Grammy Awards.";

fn article_ids(recs: &[Value]) -> Vec<String> {
    recs.iter()
        .map(|r| r["article"]["id"].as_str().unwrap().to_string())
        .collect()
}

/// Article ids in first-seen order, without repeats.
fn distinct_article_ids(recs: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in article_ids(recs) {
        if out.last() != Some(&id) {
            out.push(id);
        }
    }
    out
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// The body of a text article: the ` date YYYY-MM-DD` header and surrounding whitespace removed.
fn article_body(file_text: &str) -> &str {
    let rest = file_text
        .trim_start()
        .strip_prefix("date ")
        .expect("file starts with a date header");
    assert!(
        rest.as_bytes()[..10]
            .iter()
            .all(|b| b.is_ascii_digit() || *b == b'-')
    );
    rest[10..].trim()
}

fn summary(err: &str) -> &str {
    err.lines()
        .rev()
        .find(|l| l.starts_with("newsfacts: ") && l.contains(" articles read, "))
        .unwrap_or_else(|| panic!("no summary line in: {err}"))
}

/// The fact count of the summary line.
fn facts_emitted(err: &str) -> usize {
    let s = summary(err);
    let n = s
        .rsplit_once(", ")
        .unwrap()
        .1
        .strip_suffix(" facts emitted")
        .unwrap();
    n.parse().unwrap()
}

#[test]
fn extract_seed_records_have_the_documented_shape() {
    let o = run(&["extract", SEED]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let body_file =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)).unwrap();
    let body: Vec<char> = article_body(&body_file).chars().collect();
    let recs = records(&o);
    assert!(!recs.is_empty());
    for r in &recs {
        assert_eq!(
            keys(r),
            [
                "id",
                "kind",
                "article",
                "fields",
                "evidence",
                "rule",
                "confidence"
            ]
        );
        assert_eq!(keys(&r["article"]), ["id", "source", "date"]);
        assert_eq!(r["article"]["id"], SEED_ID);
        assert_eq!(r["article"]["source"], SEED);
        assert_eq!(r["article"]["date"], "2023-11-06");
        assert!(r["fields"].is_object());
        let ev = &r["evidence"];
        let (start, end) = (
            ev["start"].as_u64().unwrap() as usize,
            ev["end"].as_u64().unwrap() as usize,
        );
        assert!(start < end && end <= body.len(), "{ev}");
        let slice: String = body[start..end].iter().collect();
        assert_eq!(
            ev["text"].as_str().unwrap(),
            slice,
            "evidence [{start}, {end})"
        );
        let rule = r["rule"].as_str().unwrap();
        let (file, id) = rule.split_once('#').expect("rule is FILE#ID");
        assert!(file.ends_with(".toml") && !id.is_empty(), "{rule}");
        let rule_file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("rules")
            .join(file);
        let rule_text =
            std::fs::read_to_string(&rule_file).unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert!(rule_text.contains(&format!("id = \"{id}\"")), "{rule}");
        let c = r["confidence"].as_f64().unwrap();
        assert!(c > 0.0 && c <= 1.0, "{c}");
    }
    // The seed's "SEVEN currently has 5.92 million streams on Spotify." (characters 2824..2876: the
    // body has a curly apostrophe before it, so byte offsets would differ).
    let seven = recs
        .iter()
        .find(|r| r["kind"] == "stream_count" && r["fields"]["count"] == 5_920_000)
        .expect("the Spotify stream count of SEVEN");
    assert_eq!(seven["fields"]["work"], "Seven");
    assert_eq!(seven["fields"]["platform"], "Spotify");
    assert_eq!(seven["evidence"]["start"], 2824);
    assert_eq!(seven["evidence"]["end"], 2876);
    let err = stderr(&o);
    assert_eq!(
        summary(&err),
        format!(
            "newsfacts: 1 articles read, 0 failed, {} facts emitted",
            recs.len()
        )
    );
}

#[test]
fn extract_is_deterministic_across_jobs_and_runs() {
    let one = run(&["extract", "--jobs", "1", "fixtures/"]);
    let two = run(&["extract", "--jobs", "2", "fixtures/"]);
    let again = run(&["extract", "--jobs", "2", "fixtures/"]);
    for o in [&one, &two, &again] {
        assert_eq!(code(o), 0, "{}", stderr(o));
    }
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, two.stdout, "--jobs 1 and --jobs 2 differ");
    assert_eq!(two.stdout, again.stdout, "two runs differ");
    let recs = records(&one);
    let mut seen = HashSet::new();
    for r in &recs {
        let id = r["id"].as_str().unwrap();
        assert_eq!(id.len(), 32, "{id}");
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
        assert!(seen.insert(id.to_string()), "duplicate fact id {id}");
    }
    // Directory order: sorted by file name, so the seed (000_) comes first.
    assert_eq!(article_ids(&recs)[0], SEED_ID);
}

#[test]
fn out_file_gets_exactly_what_stdout_would() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("facts.jsonl");
    let to_stdout = run(&["extract", SEED]);
    let to_file = run(&["extract", "--out", path_str(&out), SEED]);
    assert_eq!(code(&to_file), 0, "{}", stderr(&to_file));
    assert!(to_file.stdout.is_empty(), "stdout must be empty with --out");
    assert!(!to_stdout.stdout.is_empty());
    assert_eq!(std::fs::read(&out).unwrap(), to_stdout.stdout);
    assert!(summary(&stderr(&to_file)).contains("1 articles read, 0 failed"));
    // Only the target is left behind: no temporary file.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn out_into_missing_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no-such-dir").join("facts.jsonl");
    let o = run(&["extract", "--out", path_str(&out), SEED]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains(path_str(&out)), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
    assert!(!dir.path().join("no-such-dir").exists());
}

#[test]
fn empty_file_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.txt", b"");
    let o = run(&["extract", path_str(&empty), SEED]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: error: {}: empty file",
            empty.display()
        )),
        "{err}"
    );
    let recs = records(&o);
    assert!(!recs.is_empty(), "the seed still gives facts");
    assert!(article_ids(&recs).iter().all(|a| a == SEED_ID));
    assert!(summary(&err).starts_with("newsfacts: 1 articles read, 1 failed, "));
}

#[test]
fn binary_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bin = write(
        dir.path(),
        "blob.txt",
        b" date 2019-02-11 Dua Lipa won\0\0\x01 Best New Artist.",
    );
    let o = run(&["extract", path_str(&bin)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!("newsfacts: error: {}: binary file", bin.display())),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    assert_eq!(
        summary(&err),
        "newsfacts: 0 articles read, 1 failed, 0 facts emitted"
    );
}

#[test]
fn non_utf8_text_is_a_warning_and_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = format!(" date 2019-02-11 {DUA} Caf").into_bytes();
    bytes.extend_from_slice(b"\xe9 \xff\xfe later.\n");
    let p = write(dir.path(), "latin1.txt", &bytes);
    let o = run(&["extract", path_str(&p)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: warning: {}: not valid UTF-8",
            p.display()
        )),
        "{err}"
    );
    assert_eq!(
        summary(&err),
        "newsfacts: 1 articles read, 0 failed, 1 facts emitted"
    );
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["fields"]["winner"], "Dua Lipa");
    assert_eq!(recs[0]["fields"]["award"], "Best New Artist");
    assert_eq!(recs[0]["fields"]["year"], 2019);
}

#[test]
fn fifty_megabyte_article_dedupes_to_the_seed_facts() {
    let seed = run(&["extract", SEED]);
    assert_eq!(code(&seed), 0);
    let seed_count = facts_emitted(&stderr(&seed));
    assert!(seed_count > 0);
    assert_eq!(seed_count, records(&seed).len());

    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SEED)).unwrap();
    let body = article_body(&text);
    let mut big = String::from(" date 2023-11-06 ");
    while big.len() < 50 * 1024 * 1024 {
        big.push_str(body);
        big.push_str("\n\n");
    }
    let dir = tempfile::tempdir().unwrap();
    // Same file stem as the seed, so the article id and thus the fact ids are the seed's.
    let p = write(dir.path(), &format!("{SEED_ID}.txt"), big.as_bytes());
    drop(big);
    let o = run(&["extract", path_str(&p)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        summary(&err),
        format!("newsfacts: 1 articles read, 0 failed, {seed_count} facts emitted")
    );
    let ids = |recs: Vec<Value>| -> HashSet<String> {
        recs.iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(records(&o)), ids(records(&seed)));
}

#[test]
fn date_header_missing_or_malformed() {
    let dir = tempfile::tempdir().unwrap();
    let bare = write(dir.path(), "bare.txt", format!("{DUA}\n").as_bytes());
    let o = run(&["extract", path_str(&bare)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: error: {}: missing date header",
            bare.display()
        )),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    let o = run(&["extract", "--date", "2024-01-02", path_str(&bare)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["article"]["id"], "bare");
    assert_eq!(recs[0]["article"]["date"], "2024-01-02");
    assert_eq!(recs[0]["fields"]["year"], 2019);

    let bad = write(
        dir.path(),
        "bad.txt",
        format!(" date 2023-13-45 {DUA}\n").as_bytes(),
    );
    let o = run(&["extract", path_str(&bad)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: error: {}: malformed date header \"2023-13-45\"",
            bad.display()
        )),
        "{err}"
    );
}

fn jsonl_four_lines() -> String {
    let good =
        |id: &str, date: &str| serde_json::json!({"id": id, "date": date, "text": DUA}).to_string();
    let no_date = serde_json::json!({"id": "three", "text": DUA}).to_string();
    format!(
        "{}\nthis line is not JSON\n{no_date}\n{}\n",
        good("one", "2019-02-11"),
        good("four", "2023-11-06T23:30:00-05:00")
    )
}

fn check_jsonl_run(o: &Output, path: &str) {
    assert_eq!(code(o), 1);
    let err = stderr(o);
    assert!(
        err.contains(&format!("newsfacts: error: {path}:2: not a JSON article")),
        "{err}"
    );
    assert!(
        err.contains(&format!("newsfacts: error: {path}:3: missing \"date\"")),
        "{err}"
    );
    assert!(!err.contains(&format!("{path}:1:")) && !err.contains(&format!("{path}:4:")));
    let recs = records(o);
    assert_eq!(article_ids(&recs), ["one", "four"]);
    assert_eq!(recs[0]["article"]["date"], "2019-02-11");
    assert_eq!(recs[0]["article"]["source"], format!("{path}:1"));
    // RFC 3339 with an offset: the local calendar date, not the UTC one (2023-11-07).
    assert_eq!(recs[1]["article"]["date"], "2023-11-06");
    assert_eq!(recs[1]["article"]["source"], format!("{path}:4"));
    for r in &recs {
        assert_eq!(r["fields"]["winner"], "Dua Lipa");
    }
    assert_eq!(
        summary(&err),
        "newsfacts: 2 articles read, 2 failed, 2 facts emitted"
    );
}

#[test]
fn jsonl_bad_lines_fail_alone() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "batch.jsonl", jsonl_four_lines().as_bytes());
    let o = run(&["extract", path_str(&p)]);
    check_jsonl_run(&o, path_str(&p));
}

#[test]
fn jsonl_on_stdin() {
    let o = newsfacts()
        .args(["extract", "-"])
        .write_stdin(jsonl_four_lines())
        .output()
        .unwrap();
    check_jsonl_run(&o, "<stdin>");
}

#[test]
fn jsonl_with_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let line = serde_json::json!({"id": "one", "date": "2019-02-11", "text": DUA}).to_string();
    let p = write(
        dir.path(),
        "bom.jsonl",
        format!("\u{FEFF}{line}\n").as_bytes(),
    );
    let o = run(&["extract", path_str(&p)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(article_ids(&records(&o)), ["one"]);
}

#[test]
fn missing_input_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone.txt");
    let o = run(&["extract", path_str(&gone), SEED]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "newsfacts: error: {}: no such file or directory",
            gone.display()
        )),
        "{err}"
    );
    let recs = records(&o);
    assert!(!recs.is_empty());
    assert_eq!(distinct_article_ids(&recs), [SEED_ID]);
    assert!(summary(&err).starts_with("newsfacts: 1 articles read, 1 failed, "));
}

#[test]
fn directory_is_walked_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    let art = format!(" date 2019-02-11 {DUA}\n");
    // Created out of order; sorted path order is a.txt, b/x.txt, c.txt.
    write(dir.path(), "c.txt", art.as_bytes());
    write(dir.path(), "b/x.txt", art.as_bytes());
    write(dir.path(), "a.txt", art.as_bytes());
    // Not articles: hidden files and other extensions are skipped in directories.
    write(dir.path(), ".hidden.txt", art.as_bytes());
    write(dir.path(), "notes.md", art.as_bytes());
    let o = run(&["extract", path_str(dir.path())]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let recs = records(&o);
    assert_eq!(article_ids(&recs), ["a", "x", "c"]);
    assert_eq!(
        recs[1]["article"]["source"],
        dir.path().join("b").join("x.txt").display().to_string()
    );
    assert_eq!(
        summary(&stderr(&o)),
        "newsfacts: 3 articles read, 0 failed, 3 facts emitted"
    );
}

#[test]
fn usage_errors_exit_2() {
    let o = run(&[]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("Usage"), "{}", stderr(&o));

    let o = run(&["extract", "--no-such-flag", SEED]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("--no-such-flag"), "{}", stderr(&o));

    let o = run(&["extract", "--date", "notadate", SEED]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("notadate"), "{}", stderr(&o));

    let o = run(&["extract"]);
    assert_eq!(code(&o), 2, "inputs are required");
}

fn json_out(o: &Output) -> Value {
    assert_eq!(code(o), 0, "{}", stderr(o));
    let out = stdout(o);
    assert_eq!(out.lines().count(), 1, "{out}");
    serde_json::from_str(out.trim()).unwrap()
}

#[test]
fn normalize_number_and_date() {
    let v = json_out(&run(&["normalize", "number", "5.92 million"]));
    assert_eq!(v["value"].as_f64(), Some(5_920_000.0));
    assert_eq!(v["count"].as_u64(), Some(5_920_000));

    let v = json_out(&run(&[
        "normalize",
        "date",
        "next month",
        "--ref",
        "2023-11-06",
    ]));
    assert_eq!(
        v,
        serde_json::json!({"value": "2023-12", "precision": "month"})
    );

    // 2024-04-17 is a Wednesday; the coming Friday is the 19th.
    let v = json_out(&run(&[
        "normalize",
        "date",
        "on Friday",
        "--ref",
        "2024-04-17",
        "--tense",
        "future",
    ]));
    assert_eq!(v["value"], "2024-04-19");
    assert_eq!(v["precision"], "day");

    let o = run(&["normalize", "date", "blorp zzyzx", "--ref", "2024-04-17"]);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("\"blorp zzyzx\" is not a date phrase"));

    let o = run(&["normalize", "number", "a great many"]);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
}

#[test]
fn builtin_rules_check_and_test() {
    let o = run(&["rules", "check"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("newsfacts: rules ok: "),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());

    let o = run(&["rules", "test"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(" passed, 0 failed"), "{err}");
    assert!(!err.contains("FAIL "), "{err}");
}

const KIND_LINES: [&str; 4] = ["award_win ", "release ", "stream_count ", "collaboration "];

/// The quiet report: the four kind lines, maybe MUST_NOT details, and the micro line last.
fn check_quiet_report(out: &str) -> &str {
    let lines: Vec<&str> = out.lines().collect();
    for (line, kind) in lines.iter().zip(KIND_LINES) {
        assert!(line.starts_with(kind) && line.contains(" F1="), "{out}");
    }
    assert!(
        !lines[4..]
            .iter()
            .any(|l| l.starts_with("MISS ") || l.starts_with("FALSE "))
    );
    let last = lines.last().unwrap();
    assert!(last.starts_with("micro_f1="), "{out}");
    last
}

#[test]
fn eval_dev_cases_quiet() {
    let o = run(&["eval", "--gold", "../shared/dev-cases", "--quiet"]);
    let out = stdout(&o);
    let last = check_quiet_report(&out);
    let f1: f64 = last["micro_f1=".len()..last.find(' ').unwrap()]
        .parse()
        .unwrap();
    assert!((0.0..=1.0).contains(&f1), "{last}");
    // Without --min-f1 the exit code only reflects must_not violations.
    let violations = last.rsplit_once("must_not=").unwrap().1;
    assert_eq!(code(&o), if violations == "0" { 0 } else { 1 }, "{out}");

    let o = run(&[
        "eval",
        "--gold",
        "../shared/dev-cases",
        "--quiet",
        "--min-f1",
        "1.01",
    ]);
    assert_eq!(code(&o), 1);
    check_quiet_report(&stdout(&o));
}

#[test]
fn eval_on_a_hand_made_gold_case() {
    let dir = tempfile::tempdir().unwrap();
    let case = serde_json::json!({
        "id": "t1", "date": "2019-02-11", "text": DUA,
        "facts": [{"kind": "award_win", "winner": "Dua Lipa", "award": "Best New Artist",
                   "ceremony": "Grammy Awards", "year": 2019}]
    });
    write(dir.path(), "t1.json", case.to_string().as_bytes());
    let gold = path_str(dir.path());
    let o = run(&["eval", "--gold", gold, "--quiet"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let out = stdout(&o);
    assert_eq!(
        out.lines().next().unwrap(),
        "award_win      tp=  1 fp=  0 fn=  0  P=1.000 R=1.000 F1=1.000"
    );
    assert_eq!(
        check_quiet_report(&out),
        "micro_f1=1.000 recall=1.000 precision=1.000 must_not=0"
    );
    let o = run(&["eval", "--gold", gold, "--quiet", "--min-f1", "1.01"]);
    assert_eq!(code(&o), 1);

    // A must_not the extractor does produce: exit 1 even without --min-f1.
    let case = serde_json::json!({
        "id": "t2", "date": "2019-02-11", "text": DUA,
        "must_not": [{"kind": "award_win", "winner": "Dua Lipa"}]
    });
    write(dir.path(), "t2.json", case.to_string().as_bytes());
    let o = run(&["eval", "--gold", gold, "--quiet"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("MUST_NOT t2 "), "{out}");
    assert!(check_quiet_report(&out).ends_with(" must_not=1"), "{out}");
}
