//! The fact store (`extract --db`, `query`), output formats and sharding, end to end. Expected values
//! are read off the fixture articles and the inputs written here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::support::{code, copy_dir, newsfacts, records, run, stderr, stdout};

const DUA: &str = "Dua Lipa won Best New Artist at the 2019 Grammy Awards.";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

fn summary(o: &Output) -> String {
    stderr(o)
        .lines()
        .find(|l| l.contains(" articles read, "))
        .unwrap_or_else(|| panic!("no summary line in: {}", stderr(o)))
        .to_string()
}

/// A fact as one comparable line: id, kind, article id, fields, evidence text, start, end, rule,
/// confidence.
fn fact_row(cells: [&dyn std::fmt::Display; 9]) -> String {
    cells.map(|c| c.to_string()).join("|")
}

/// Every fact row, sorted by id: what must be equal between runs.
fn facts_table(db: &Path) -> Vec<String> {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = c
        .prepare(
            "SELECT id, kind, article_id, fields, evidence, evidence_start, evidence_end, rule, \
             confidence FROM facts ORDER BY id",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok(fact_row([
            &r.get::<_, String>(0)?,
            &r.get::<_, String>(1)?,
            &r.get::<_, String>(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(4)?,
            &r.get::<_, i64>(5)?,
            &r.get::<_, i64>(6)?,
            &r.get::<_, String>(7)?,
            &r.get::<_, f64>(8)?,
        ]))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Article ids with their content hash and rule-set version, sorted.
fn articles_table(db: &Path) -> Vec<(String, String, String)> {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut st = c
        .prepare("SELECT id, content_hash, rules_version FROM articles ORDER BY id")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The records of a JSONL run as the store keeps them (same shape as [`facts_table`]).
fn as_rows(recs: &[Value]) -> Vec<String> {
    let mut rows: Vec<String> = recs
        .iter()
        .map(|r| {
            fact_row([
                &r["id"].as_str().unwrap(),
                &r["kind"].as_str().unwrap(),
                &r["article"]["id"].as_str().unwrap(),
                &r["fields"],
                &r["evidence"]["text"].as_str().unwrap(),
                &r["evidence"]["start"],
                &r["evidence"]["end"],
                &r["rule"].as_str().unwrap(),
                &r["confidence"].as_f64().unwrap(),
            ])
        })
        .collect();
    rows.sort();
    rows
}

/// One `extract --db` run over the fixtures, shared by the tests that only read its store or its
/// records (each extract run pays for compiling the rules).
struct FixtureRun {
    _dir: tempfile::TempDir,
    db: PathBuf,
    output: Output,
}

fn fixture_run() -> &'static FixtureRun {
    static RUN: std::sync::OnceLock<FixtureRun> = std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("facts.db");
        let output = run(&["extract", "--db", s(&db), "fixtures/"]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        FixtureRun {
            _dir: dir,
            db,
            output,
        }
    })
}

/// Articles under `fixtures/`: 16 text files, 3 HTML pages in `fixtures/html/` and the 11 pages of
/// the crawl test's site in `fixtures/site/` (its feed, sitemaps and robots file are not articles).
const FIXTURE_ARTICLES: usize = 30;

#[test]
fn rerun_upserts_skips_unchanged_and_force_redoes() {
    let shared = fixture_run();
    let first = &shared.output;
    let recs = records(first);
    assert!(recs.len() > 50, "the fixtures give many facts");
    // The store holds exactly what stdout carried.
    assert_eq!(facts_table(&shared.db), as_rows(&recs));
    assert_eq!(articles_table(&shared.db).len(), FIXTURE_ARTICLES);
    assert_eq!(
        summary(first),
        format!(
            "newsfacts: {FIXTURE_ARTICLES} articles read, 0 failed, {n} facts emitted, 0 unchanged \
             articles skipped; store {}: {FIXTURE_ARTICLES} articles, {n} facts",
            shared.db.display(),
            n = recs.len()
        )
    );
    // `finish` folds the WAL into the file: a copy of the file is the whole store.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("facts.db");
    std::fs::copy(&shared.db, &db).unwrap();

    // Unchanged articles and rules: nothing is extracted, nothing is printed, nothing changes.
    let second = run(&["extract", "--db", s(&db), "fixtures/"]);
    assert_eq!(code(&second), 0);
    assert_eq!(stdout(&second), "");
    assert!(
        summary(&second).starts_with(&format!(
            "newsfacts: 0 articles read, 0 failed, 0 facts emitted, {FIXTURE_ARTICLES} unchanged \
             articles skipped"
        )),
        "{}",
        summary(&second)
    );
    assert_eq!(facts_table(&db), as_rows(&recs));

    // --force extracts all again: same records, and the store still has each fact once.
    let forced = run(&["extract", "--db", s(&db), "--force", "fixtures/"]);
    assert_eq!(code(&forced), 0);
    assert_eq!(stdout(&forced), stdout(first));
    assert_eq!(facts_table(&db), as_rows(&recs));
    assert_eq!(articles_table(&db).len(), FIXTURE_ARTICLES);
}

#[test]
fn a_changed_article_is_extracted_again_and_others_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for f in [
        "013_kendrick_not_like_us_grammys.txt",
        "017_yoasobi_idol_year_end.txt",
    ] {
        std::fs::copy(Path::new("fixtures").join(f), input.join(f)).unwrap();
    }
    let db = dir.path().join("facts.db");
    let before = run(&["extract", "--db", s(&db), "--no-stdout", s(&input)]);
    assert_eq!(code(&before), 0, "{}", stderr(&before));
    assert_eq!(stdout(&before), "");
    let wins = |db: &Path| -> usize {
        let c = Connection::open(db).unwrap();
        c.query_row(
            "SELECT count(*) FROM facts WHERE kind = 'award_win' AND winner = 'dua lipa'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as usize
    };
    assert_eq!(wins(&db), 0);

    let edited = input.join("017_yoasobi_idol_year_end.txt");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str(&format!("\n\n{DUA}\n"));
    std::fs::write(&edited, text).unwrap();
    let after = run(&["extract", "--db", s(&db), s(&input)]);
    assert_eq!(code(&after), 0);
    assert!(
        summary(&after).contains(" 1 articles read, ")
            && summary(&after).contains(" 1 unchanged articles skipped"),
        "{}",
        summary(&after)
    );
    assert!(
        records(&after)
            .iter()
            .all(|r| r["article"]["id"] == "017_yoasobi_idol_year_end")
    );
    assert_eq!(wins(&db), 1);
}

#[test]
fn new_rules_replace_an_articles_facts() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(Path::new("rules"), &rules);
    let db = dir.path().join("facts.db");
    let input = "fixtures/013_kendrick_not_like_us_grammys.txt";
    let old = run(&["extract", "--db", s(&db), "--rules", s(&rules), input]);
    assert_eq!(code(&old), 0, "{}", stderr(&old));
    let kinds = |db: &Path| -> Vec<String> {
        let c = Connection::open(db).unwrap();
        let mut st = c
            .prepare("SELECT DISTINCT kind FROM facts ORDER BY kind")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // "Not Like Us" has amassed more than 1.2 billion streams on Spotify, and its music video sits
    // at 480 million views on YouTube: two stream_count facts.
    assert_eq!(
        kinds(&db),
        ["award_win", "collaboration", "release", "stream_count"]
    );

    // A veto that cancels every stream count: the rule set's version changes, the article is due
    // again, and its stream fact disappears while the rest stay.
    let mut context = std::fs::read_to_string(rules.join("context.toml")).unwrap();
    context.push_str(
        "\n[[veto]]\nid = \"test-no-streams\"\nkinds = [\"stream_count\"]\nscope = \"sentence\"\npattern = '''.'''\n",
    );
    std::fs::write(rules.join("context.toml"), context).unwrap();
    let new = run(&["extract", "--db", s(&db), "--rules", s(&rules), input]);
    assert_eq!(code(&new), 0, "{}", stderr(&new));
    assert!(summary(&new).contains(" 1 articles read, "));
    assert_eq!(kinds(&db), ["award_win", "collaboration", "release"]);
    assert_eq!(facts_table(&db), as_rows(&records(&new)));
    let old_rows = as_rows(&records(&old));
    assert_eq!(facts_table(&db).len(), old_rows.len() - 2);
}

fn query(db: &Path, args: &[&str]) -> Output {
    let mut all = vec!["query", "--db", s(db)];
    all.extend_from_slice(args);
    run(&all)
}

fn field<'a>(r: &'a Value, name: &str) -> &'a Value {
    &r["fields"][name]
}

#[test]
fn queries_answer_from_the_fixture_articles() {
    let db = fixture_run().db.clone();

    // Fixture 013: Kendrick Lamar went five-for-five at the 67th Grammy Awards (Feb. 2, 2025) with
    // "Not Like Us": record of the year, song of the year, best rap performance, best rap song and
    // best music video. The name matches whatever its case; wins come ordered by year, ceremony, award.
    let o = query(&db, &["wins", "--artist", "kendrick LAMAR"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let wins = records(&o);
    let got: Vec<(&str, &str, i64, &str)> = wins
        .iter()
        .map(|r| {
            (
                field(r, "award").as_str().unwrap(),
                field(r, "ceremony").as_str().unwrap(),
                field(r, "year").as_i64().unwrap(),
                field(r, "work").as_str().unwrap(),
            )
        })
        .collect();
    let g = "Grammy Awards";
    let w = "Not Like Us";
    assert_eq!(
        got,
        [
            ("Best Music Video", g, 2025, w),
            ("Best Rap Performance", g, 2025, w),
            ("Best Rap Song", g, 2025, w),
            ("Record of the Year", g, 2025, w),
            ("Song of the Year", g, 2025, w),
        ]
    );
    assert!(wins.iter().all(|r| field(r, "winner") == "Kendrick Lamar"
        && r["article"]["id"] == "013_kendrick_not_like_us_grammys"));

    // Releases in November 2024: FROM ZERO, due November 15 (fixture 020, dated 2024-09-12), and
    // GNX, released without warning on Nov. 22 (fixture 013, dated 2025-02-03).
    let o = query(
        &db,
        &["releases", "--from", "2024-11-01", "--to", "2024-11-30"],
    );
    let got: Vec<(String, String, String)> = records(&o)
        .iter()
        .map(|r| {
            (
                field(r, "work").as_str().unwrap().to_lowercase(),
                field(r, "date").as_str().unwrap().to_string(),
                field(r, "status").as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        got,
        [
            row("from zero", "2024-11-15", "upcoming"),
            row("gnx", "2024-11-22", "released"),
        ]
    );
    // The same range given as a month.
    let month = query(&db, &["releases", "--from", "2024-11", "--to", "2024-11"]);
    assert_eq!(stdout(&month), stdout(&o));

    // "Not Like Us" has amassed more than 1.2 billion streams on Spotify, ... and its ... music video
    // sits at 480 million views on YouTube. One article date: ordered by count.
    let o = query(&db, &["streams", "--work", "NOT LIKE US"]);
    let streams = records(&o);
    assert_eq!(streams.len(), 2, "{}", stdout(&o));
    assert_eq!(field(&streams[0], "platform"), "YouTube");
    assert_eq!(field(&streams[0], "count"), 480_000_000u64);
    assert_eq!(field(&streams[1], "platform"), "Spotify");
    assert_eq!(field(&streams[1], "count"), 1_200_000_000u64);

    // "luther," a duet with SZA.
    let o = query(&db, &["collaborators", "--work", "Luther"]);
    let collabs = records(&o);
    assert_eq!(collabs.len(), 1, "{}", stdout(&o));
    assert_eq!(field(&collabs[0], "collaborator"), "SZA");
    assert_eq!(field(&collabs[0], "role"), "duet");

    // Query records are the extract wire format, byte for byte.
    let direct = stdout(&fixture_run().output);
    for line in stdout(&query(&db, &["wins", "--artist", "Kendrick Lamar"])).lines() {
        assert!(direct.lines().any(|l| l == line), "{line}");
    }

    // A table for people; CSV with the documented header.
    let t = query(
        &db,
        &["--format", "table", "streams", "--work", "not like us"],
    );
    let table = stdout(&t);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[0].starts_with("article_date  work         "),
        "{table}"
    );
    assert!(
        lines[1].starts_with("------------  -----------  "),
        "{table}"
    );
    for line in &lines[2..] {
        assert!(line.starts_with("2025-02-03    Not Like Us  "), "{table}");
    }
    assert!(lines[2].contains("YouTube   480000000"), "{table}");
    assert!(lines[3].contains("Spotify   1200000000"), "{table}");
    let c = query(
        &db,
        &["--format", "csv", "collaborators", "--work", "luther"],
    );
    let csv_text = stdout(&c);
    let mut rd = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][12], "SZA");
    assert_eq!(
        &rows[0][20],
        "The set includes \"luther,\" a duet with SZA, and \"tv off,\" featuring Lefty Gunplay."
    );

    // Any read-only SQL; writes are refused.
    let o = query(
        &db,
        &[
            "sql",
            "SELECT winner, count(*) AS wins FROM facts WHERE kind = 'award_win' \
             AND winner = 'kendrick lamar' GROUP BY winner",
        ],
    );
    assert_eq!(stdout(&o), "{\"winner\":\"Kendrick Lamar\",\"wins\":5}\n");
    let before = facts_table(&db);
    let o = query(&db, &["sql", "DELETE FROM facts"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("only read-only statements"),
        "{}",
        stderr(&o)
    );
    assert_eq!(facts_table(&db), before);
}

#[test]
fn a_store_of_another_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("facts.db");
    let c = Connection::open(&db).unwrap();
    c.execute_batch("PRAGMA application_id = 1852203892; PRAGMA user_version = 7;")
        .unwrap();
    drop(c);
    let o = query(&db, &["wins", "--artist", "x"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("store schema version 7, but this newsfacts uses version 1"),
        "{}",
        stderr(&o)
    );
    let missing = query(&dir.path().join("none.db"), &["wins", "--artist", "x"]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("none.db: no such store"));
}

#[test]
fn csv_and_json_carry_the_jsonl_records() {
    // Three fixtures, and their records from the shared run.
    let files = [
        "fixtures/000_a70e21486debb34f.txt",
        "fixtures/013_kendrick_not_like_us_grammys.txt",
        "fixtures/022_rose_apt_mama_rosie.txt",
    ];
    let recs: Vec<Value> = records(&fixture_run().output)
        .into_iter()
        .filter(|r| files.iter().any(|f| r["article"]["source"] == **f))
        .collect();
    assert!(recs.len() > 20);

    // JSON: one array of the same objects.
    let mut args = vec!["extract", "--format", "json"];
    args.extend(files);
    let json = run(&args);
    assert_eq!(code(&json), 0);
    let arr: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(arr.as_array().unwrap(), &recs);

    // CSV: the documented header, one row per record, each cell the record's value.
    args[2] = "csv";
    let csv_out = run(&args);
    assert_eq!(code(&csv_out), 0);
    let text = stdout(&csv_out);
    assert_eq!(
        text.lines().next().unwrap(),
        "id,kind,article_id,article_source,article_date,winner,award,ceremony,year,work,artist,\
         work_type,collaborator,role,platform,count,scope,status,date,other_fields,evidence,\
         evidence_start,evidence_end,rule,confidence"
    );
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let header = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows.len(), recs.len());
    for (row, r) in rows.iter().zip(&recs) {
        assert_eq!(&row[0], r["id"].as_str().unwrap());
        assert_eq!(&row[2], r["article"]["id"].as_str().unwrap());
        assert_eq!(&row[20], r["evidence"]["text"].as_str().unwrap());
        for (i, name) in header.iter().enumerate().take(19).skip(5) {
            let want = match &r["fields"][name] {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            assert_eq!(row[i], want, "{name} of {}", r["id"]);
        }
        assert_eq!(&row[19], "", "built-in kinds have no other fields");
    }

    // One article by hand: Dua Lipa won Best New Artist at the 2019 Grammy Awards.
    let line = format!("{{\"id\":\"dua\",\"date\":\"2019-02-11\",\"text\":\"{DUA}\"}}\n");
    let mut cmd = newsfacts();
    cmd.args(["extract", "--format", "csv", "-"])
        .write_stdin(line.clone());
    let o = cmd.output().unwrap();
    let text = stdout(&o);
    let row = text.lines().nth(1).unwrap();
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(
        &cells[1..10],
        [
            "award_win",
            "dua",
            "<stdin>:1",
            "2019-02-11",
            "Dua Lipa",
            "Best New Artist",
            "Grammy Awards",
            "2019",
            ""
        ]
    );
    assert_eq!(cells[20], DUA);
    assert_eq!(&cells[21..23], ["0", "55"]);

    // No records: an empty array.
    let none = "{\"id\":\"n\",\"date\":\"2019-02-11\",\"text\":\"Nothing happened.\"}\n";
    let mut cmd = newsfacts();
    cmd.args(["extract", "--format", "json", "-q", "-"])
        .write_stdin(none);
    assert_eq!(stdout(&cmd.output().unwrap()), "[]\n");
}

/// The shard a relative path belongs to, by the rule the README documents (1-based).
fn documented_shard(rel: &str, n: u64) -> u64 {
    use sha2::{Digest, Sha256};
    let h = Sha256::digest(rel.as_bytes());
    u64::from_be_bytes(h[..8].try_into().unwrap()) % n + 1
}

#[test]
fn shards_split_a_directory_into_disjoint_parts_whose_union_is_the_whole() {
    // The archive sits at different places on two machines; shards depend on paths inside it only.
    // 30 small articles in two folders (each is recorded in the store, facts or not).
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("machine-a/archive");
    let b = dir.path().join("b");
    let mut names = Vec::new();
    for i in 0..30 {
        let rel = format!("{}/a{i:02}.txt", if i % 2 == 0 { "2023" } else { "2024" });
        for root in [&a, &b] {
            let p = root.join(&rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("date 2024-01-01 Nothing happened on day {i}.")).unwrap();
        }
        names.push(rel);
    }
    // Each shard's articles, read back from a store.
    let shard = |root: &Path, k: u64| -> BTreeSet<String> {
        let db = dir
            .path()
            .join(format!("{}-{k}.db", root.file_name().unwrap().display()));
        let spec = format!("{k}/3");
        let o = run(&[
            "extract",
            "--shard",
            &spec,
            "--db",
            s(&db),
            "--no-stdout",
            s(root),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        articles_table(&db)
            .into_iter()
            .map(|(id, _, _)| id)
            .collect()
    };
    let mut union = BTreeSet::new();
    let mut total = 0;
    for k in 1..=3 {
        let part = shard(&a, k);
        let expected: BTreeSet<String> = names
            .iter()
            .filter(|rel| documented_shard(rel, 3) == k)
            .map(|rel| rel[5..8].to_string())
            .collect();
        assert_eq!(part, expected, "shard {k}/3");
        assert!(!part.is_empty());
        total += part.len();
        union.extend(part);
    }
    // Disjoint (no article twice) and, together, the whole archive.
    assert_eq!(total, union.len());
    assert_eq!(union.len(), 30);
    // The same split on the other machine.
    assert_eq!(shard(&b, 2), shard(&a, 2));

    let o = run(&["extract", "--shard", "1/2", "-"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("standard input cannot be split"));
    let o = run(&["extract", "--shard", "3/2", "fixtures/"]);
    assert_eq!(code(&o), 2);
}

/// A corpus of `n` short JSON Lines articles: a win, a stream count, or nothing, in turn; several
/// chunks' worth so that a run is killed between them.
fn kill_corpus(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (date, text) = match i % 3 {
            0 => ("2019-02-11", DUA.to_string()),
            1 => (
                "2023-11-06",
                "SEVEN currently has 5.92 million streams on Spotify.".to_string(),
            ),
            _ => (
                "2024-06-15",
                format!("Fans queued for {i} hours outside the arena in the rain."),
            ),
        };
        out.push_str(
            &serde_json::json!({"id": format!("k{i:04}"), "date": date, "text": text,
                "source": format!("corpus/{i}")})
            .to_string(),
        );
        out.push('\n');
    }
    out
}

fn committed_articles(db: &Path) -> Option<i64> {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    c.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))
        .ok()
}

#[test]
fn kill_9_midway_then_restart_gives_exactly_the_clean_runs_facts() {
    const N: usize = 900;
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    std::fs::write(&corpus, kill_corpus(N)).unwrap();
    let clean = dir.path().join("clean.db");
    let o = run(&["extract", "--db", s(&clean), "--no-stdout", s(&corpus)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = facts_table(&clean);
    // 300 wins and 300 stream counts, one per article; every third article has none.
    assert_eq!(want.len(), 600);
    assert_eq!(articles_table(&clean).len(), N);

    let db = dir.path().join("killed.db");
    let start = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("newsfacts"))
            .args([
                "extract",
                "--db",
                s(&db),
                "--db-batch",
                "7",
                "--no-stdout",
                "-q",
                s(&corpus),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("newsfacts starts")
    };
    let mut landed = 0;
    // Kill points: before anything is stored (rules still compiling), then as soon as the store has
    // grown past what an earlier run left: inside a batch transaction or between chunks.
    let mut kill_at = |wait: &dyn Fn() -> bool| {
        let mut child = start();
        let t = Instant::now();
        while !wait() && t.elapsed() < Duration::from_secs(120) {
            if child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            child.wait().unwrap();
            landed += 1;
        }
    };
    kill_at(&|| true);
    kill_at(&|| committed_articles(&db).unwrap_or(0) >= 1);
    let stored = committed_articles(&db).unwrap_or(0);
    assert!((stored as usize) < N, "the second run was killed midway");
    kill_at(&|| committed_articles(&db).unwrap_or(0) > stored);
    assert!(landed >= 2, "kills landed while the runs were working");

    let last = run(&["extract", "--db", s(&db), "--no-stdout", s(&corpus)]);
    assert_eq!(code(&last), 0, "{}", stderr(&last));
    assert!(
        summary(&last).contains(" unchanged articles skipped")
            && !summary(&last).contains(" 0 unchanged"),
        "the restart resumed: {}",
        summary(&last)
    );
    assert_eq!(facts_table(&db), want);
    assert_eq!(articles_table(&db), articles_table(&clean));
}
