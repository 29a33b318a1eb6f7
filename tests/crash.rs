//! Crash safety and full disks: `extract --db` and `crawl` killed with SIGKILL at pseudo-random
//! points (a fixed seed, so a failure can be replayed), and records written to a device or a file
//! system that is full.
//!
//! The CI versions kill each command a dozen times; the long versions are `#[ignore]`d:
//! `cargo test --test tests crash:: -- --ignored --nocapture` (about 100 kills each).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rusqlite::Connection;
use serde_json::Value;

use crate::support::{code, newsfacts, records, stderr};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("newsfacts")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// xorshift64*: reproducible kill points without a crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Rules that compile in milliseconds, so that a killed run spends its time extracting and storing
/// (crash safety does not depend on the rules; the built-in set takes seconds to compile).
const TINY_RULES: &str = "tests/data/tiny-rules";

/// Articles in the corpus of the extract kill test: about 0.5 s of work.
const ARTICLES: usize = 6000;

/// `n` short JSON Lines articles: an award win, a stream count, or nothing, in turn.
fn corpus(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let (date, text) = match i % 3 {
            0 => (
                "2019-02-11",
                "Dua Lipa won Best New Artist at the 2019 Grammy Awards.".to_string(),
            ),
            1 => (
                "2023-11-06",
                format!(
                    "Seven currently has {}.5 million streams on Spotify.",
                    i % 97
                ),
            ),
            _ => (
                "2024-06-15",
                format!("Fans queued for {i} hours outside the arena in the rain."),
            ),
        };
        let line = serde_json::json!({"id": format!("c{i:04}"), "date": date, "text": text});
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// Article id → its facts (id, kind, fields), read in one statement so it is one consistent snapshot
/// even while a writer is committing.
type Snapshot = BTreeMap<String, BTreeSet<String>>;

fn snapshot(db: &Path) -> Option<Snapshot> {
    let c = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let mut st = c
        .prepare(
            "SELECT a.id, f.id, f.kind, f.fields FROM articles a \
             LEFT JOIN facts f ON f.article_id = a.id",
        )
        .ok()?;
    let mut out = Snapshot::new();
    let rows = st
        .query_map([], |r| {
            let fact: Option<String> = r.get(1)?;
            let row = match fact {
                Some(id) => Some(format!(
                    "{id}|{}|{}",
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?
                )),
                None => None,
            };
            Ok((r.get::<_, String>(0)?, row))
        })
        .ok()?;
    for row in rows {
        let (article, fact) = row.ok()?;
        let facts = out.entry(article).or_default();
        facts.extend(fact);
    }
    Some(out)
}

fn integrity(db: &Path) -> String {
    let c = Connection::open(db).expect("the store opens");
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check runs")
}

/// Kill `child` after `after` (unless it ends first, then `false`), snapshotting just before.
fn kill_after<T>(child: &mut Child, after: Duration, before_kill: impl FnOnce() -> T) -> Option<T> {
    let t = Instant::now();
    while t.elapsed() < after {
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let seen = before_kill();
    if child.try_wait().unwrap().is_some() {
        return None;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    Some(seen)
}

fn kill_extract_many_times(kills: usize, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    std::fs::write(&input, corpus(ARTICLES)).unwrap();
    let clean_db = dir.path().join("clean.db");
    let args = |db: &Path, force: bool| {
        let mut a = vec![
            "extract".to_string(),
            "--db".into(),
            s(db).into(),
            "--db-batch".into(),
            "5".into(),
            "--rules".into(),
            TINY_RULES.into(),
            "--no-stdout".into(),
            "-q".into(),
        ];
        if force {
            a.push("--force".into());
        }
        a.push(s(&input).into());
        a
    };
    let t = Instant::now();
    let o = Command::new(bin())
        .args(args(&clean_db, false))
        .output()
        .unwrap();
    let clean_time = t.elapsed();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    eprintln!("extract: clean run {clean_time:?}");
    let clean = snapshot(&clean_db).unwrap();
    assert_eq!(clean.len(), ARTICLES);
    assert_eq!(
        clean.values().map(BTreeSet::len).sum::<usize>(),
        ARTICLES / 3 * 2
    );

    // Runs go on against one store until one ends by itself (the store is then complete); the next
    // kills go to a fresh store, so that kills keep landing while articles are being added.
    let (mut cycle, mut db) = (0, dir.path().join("killed-0.db"));
    let mut rng = Rng(seed);
    let (mut landed, mut stored_at_kill) = (0, Vec::new());
    for i in 0..kills {
        // Every other run re-extracts everything (--force): a kill then lands while stored articles
        // are being replaced, not only while new ones are added.
        let force = i % 2 == 1;
        let after = Duration::from_millis(rng.below(clean_time.as_millis() as u64 * 6 / 5));
        let mut child = Command::new(bin())
            .args(args(&db, force))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let before = kill_after(&mut child, after, || snapshot(&db).unwrap_or_default());
        landed += usize::from(before.is_some());
        if !db.exists() {
            continue;
        }
        assert_eq!(integrity(&db), "ok", "kill {i} after {after:?}");
        let Some(now) = snapshot(&db) else {
            // Killed while creating the store: the schema is created in one transaction, so the
            // file is still empty of it, and the next run starts it afresh.
            let c = Connection::open(&db).unwrap();
            let objects: i64 = c
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                .unwrap();
            assert_eq!(objects, 0, "kill {i}: a half-created store");
            continue;
        };
        // Every article stored is stored whole, with exactly the facts a clean run gives it.
        for (article, facts) in &now {
            assert_eq!(
                Some(facts),
                clean.get(article),
                "kill {i}: article {article}"
            );
        }
        match before {
            Some(before) => {
                stored_at_kill.push(before.len());
                // Nothing committed before the kill was lost.
                for article in before.keys() {
                    assert!(now.contains_key(article), "kill {i}: {article} was lost");
                }
            }
            None => {
                assert_eq!(now, clean, "run {i} ended by itself with the whole store");
                cycle += 1;
                db = dir.path().join(format!("killed-{cycle}.db"));
            }
        }
    }
    eprintln!(
        "extract: {landed} of {kills} kills landed, {cycle} runs ended by themselves; \
         articles stored at each kill: {stored_at_kill:?}"
    );
    assert!(
        landed * 3 >= kills,
        "a third of the kills at least landed while the run was working"
    );
    assert!(
        stored_at_kill.iter().any(|&n| n > 0 && n < ARTICLES),
        "some kill landed midway through storing: {stored_at_kill:?}"
    );

    let o = Command::new(bin()).args(args(&db, false)).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(integrity(&db), "ok");
    assert_eq!(snapshot(&db).unwrap(), clean);
}

#[test]
fn extract_db_killed_at_random_points_never_corrupts_or_loses_and_the_next_run_completes() {
    kill_extract_many_times(12, 0x5eed_0001);
}

#[test]
#[ignore = "long: about 100 kills; run with --ignored"]
fn extract_db_killed_a_hundred_times() {
    kill_extract_many_times(100, 0x5eed_0101);
}

/// A news site on 127.0.0.1: a feed of `PAGES` article URLs, each answered after a short pause so a
/// crawl spends its time fetching as well as extracting.
struct Site {
    base: String,
}

/// Article pages in the feed; each has an award win and a stream count.
const PAGES: usize = 12;

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let b = base.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let b = b.clone();
                std::thread::spawn(move || serve_site(conn, &b));
            }
        });
        Site { base }
    }
}

fn serve_site(conn: TcpStream, base: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                break;
            }
        }
        let (ctype, body) = match path.as_str() {
            "/robots.txt" => ("text/plain", b"User-agent: *\nAllow: /\n".to_vec()),
            "/feed.xml" => {
                let items: String = (0..PAGES)
                    .map(|i| {
                        format!(
                            "<item><title>Story {i}</title><link>{base}/p/{i}.html</link>\
                             <pubDate>Mon, 05 Feb 2024 10:{i:02}:00 GMT</pubDate></item>"
                        )
                    })
                    .collect();
                let feed = format!(
                    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>\
                     <link>{base}/</link><description>news</description>{items}</channel></rss>"
                );
                ("application/rss+xml", feed.into_bytes())
            }
            p if p.starts_with("/p/") => {
                std::thread::sleep(Duration::from_millis(40));
                let i: usize = p[3..].trim_end_matches(".html").parse().unwrap_or(0);
                let page = format!(
                    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Story {i}</title>\
                     <meta property=\"article:published_time\" content=\"2024-02-05T10:00:00Z\">\
                     </head><body><article><h1>Story {i}</h1>\
                     <p>Dua Lipa won Best New Artist at the 2019 Grammy Awards.</p>\
                     <p>Seven currently has {i}.5 million streams on Spotify.</p>\
                     <p>The rest of the story, with commas, names, and more words, to be extracted.</p>\
                     </article></body></html>"
                );
                ("text/html; charset=utf-8", page.into_bytes())
            }
            _ => ("text/plain", Vec::new()),
        };
        let status = if body.is_empty() {
            "404 Not Found"
        } else {
            "200 OK"
        };
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if conn.write_all(head.as_bytes()).is_err() || conn.write_all(&body).is_err() {
            return;
        }
    }
}

fn crawl_cmd(site: &Site, archive: &Path) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["crawl", "--feed", &format!("{}/feed.xml", site.base)])
        .arg("--archive")
        .arg(archive)
        .args([
            "--rules",
            TINY_RULES,
            "--allow-private-addresses",
            "--delay",
            "0s",
            "--timeout",
            "5s",
            "--retries",
            "0",
            "--contact",
            "https://example.org/newsfacts-tests",
            "-q",
        ]);
    cmd
}

fn fact_ids(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

/// Fact ids the crawl state says were emitted, and each page's (outcome, content hash).
/// Page URL → (outcome, content hash).
type PageRows = BTreeMap<String, (String, Option<String>)>;

fn crawl_state(archive: &Path) -> (BTreeSet<String>, PageRows) {
    let c = Connection::open(archive.join("state.sqlite")).unwrap();
    let ids = c
        .prepare("SELECT id FROM facts")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let pages = c
        .prepare("SELECT url, outcome, content_hash FROM pages")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    (ids, pages)
}

fn kill_crawl_many_times(kills: usize, seed: u64) {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let clean_archive = dir.path().join("clean");
    let t = Instant::now();
    let o = crawl_cmd(&site, &clean_archive).output().unwrap();
    let clean_time = t.elapsed();
    eprintln!("crawl: clean run {clean_time:?}");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let clean_ids = fact_ids(&String::from_utf8_lossy(&o.stdout));
    let (clean_emitted, clean_pages) = crawl_state(&clean_archive);
    assert_eq!(clean_emitted, clean_ids);
    assert_eq!(
        clean_ids.len(),
        2 * PAGES,
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(clean_pages.len(), PAGES);

    // The next run after kills finishes the work: the lock the killed runs held is free, every fact
    // of a clean crawl has been delivered at least once, and the state is the clean crawl's.
    let complete = |archive: &Path, delivered: &BTreeSet<String>, what: &str| {
        assert_eq!(delivered, &clean_ids, "{what}");
        let (emitted, pages) = crawl_state(archive);
        assert_eq!(emitted, clean_emitted, "{what}");
        assert_eq!(pages, clean_pages, "{what}");
    };
    // A crawl commits its state once, at the end: until a run completes, every run has the whole
    // crawl to do. Once one completes, the next kills go to a fresh archive.
    let mut cycle = 0;
    let mut archive = dir.path().join("killed-0");
    let mut rng = Rng(seed);
    // Every fact the runs of this archive printed (and flushed) before they died or finished.
    let mut delivered: BTreeSet<String> = BTreeSet::new();
    let mut landed = 0;
    for i in 0..kills {
        // Up to a little past a clean run's length, so some runs end by themselves, some just after
        // committing their state.
        let after = Duration::from_millis(rng.below(clean_time.as_millis() as u64 * 6 / 5));
        let mut child = crawl_cmd(&site, &archive)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut buf = String::new();
            let _ = std::io::Read::read_to_string(&mut stdout, &mut buf);
            buf
        });
        let killed = kill_after(&mut child, after, || ()).is_some();
        landed += usize::from(killed);
        delivered.extend(fact_ids(&reader.join().unwrap()));
        let state = archive.join("state.sqlite");
        if state.exists() {
            assert_eq!(integrity(&state), "ok", "kill {i} after {after:?}");
            let (emitted, _) = crawl_state(&archive);
            // State says "emitted" only for facts that really went out.
            assert!(
                emitted.is_subset(&delivered),
                "kill {i} after {after:?}: recorded as emitted but never printed: {:?}",
                emitted.difference(&delivered).collect::<Vec<_>>()
            );
        }
        if !killed {
            complete(&archive, &delivered, &format!("run {i} ended by itself"));
            cycle += 1;
            archive = dir.path().join(format!("killed-{cycle}"));
            delivered.clear();
        }
    }
    eprintln!("crawl: {landed} of {kills} kills landed, {cycle} runs ended by themselves");
    assert!(
        landed * 3 >= kills,
        "a third of the kills at least landed while the crawl was working"
    );
    let o = crawl_cmd(&site, &archive).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    delivered.extend(fact_ids(&String::from_utf8_lossy(&o.stdout)));
    complete(&archive, &delivered, "the run after the last kill");
}

#[test]
fn crawl_killed_at_random_points_keeps_its_state_and_delivers_every_fact() {
    kill_crawl_many_times(12, 0x5eed_0002);
}

#[test]
#[ignore = "long: about 100 kills; run with --ignored"]
fn crawl_killed_a_hundred_times() {
    kill_crawl_many_times(100, 0x5eed_0102);
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full exists"),
    )
}

fn assert_is_dev_full() {
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata("/dev/full").unwrap();
    assert!(
        meta.file_type().is_char_device(),
        "/dev/full is still a device"
    );
}

/// The run failed with exit 1 and an error that says `what`.
fn assert_fails_naming(o: &Output, what: &str) {
    assert_eq!(code(o), 1, "{}", stderr(o));
    assert!(stderr(o).contains(what), "{}", stderr(o));
}

#[test]
fn records_to_a_full_device_are_an_error_naming_it_with_exit_1() {
    let out = Command::new(bin())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["extract", "fixtures/"])
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_fails_naming(
        &out,
        "writing records to standard output: No space left on device",
    );

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    std::fs::write(&input, corpus(300)).unwrap();
    for format in ["jsonl", "csv", "json"] {
        let out = newsfacts()
            .args(["extract", "-q", "--rules", TINY_RULES, "--format", format])
            .args(["--out", "/dev/full", s(&input)])
            .output()
            .unwrap();
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        assert!(
            stderr(&out).contains("writing /dev/full: No space left on device"),
            "{format}: {}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty());
        assert_is_dev_full();
    }
}

#[test]
fn a_crawl_whose_records_cannot_be_written_records_nothing_as_emitted() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let o = crawl_cmd(&site, &archive)
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_fails_naming(
        &o,
        "writing records to standard output: No space left on device",
    );
    let (emitted, pages) = crawl_state(&archive);
    assert!(
        emitted.is_empty() && pages.is_empty(),
        "{emitted:?} {pages:?}"
    );
    // The next run, with room to write, delivers every fact.
    let o = crawl_cmd(&site, &archive).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(records(&o).len(), 2 * PAGES);
    let o = crawl_cmd(&site, &archive)
        .args(["--out", "/dev/full"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "nothing new to write: {}", stderr(&o));
    // A report that cannot be written is an error naming it (the run's facts were delivered).
    let o = crawl_cmd(&site, &archive)
        .args(["--report", "/dev/full"])
        .output()
        .unwrap();
    assert_fails_naming(&o, "writing /dev/full: No space left on device");
    assert_is_dev_full();
}

/// Run `script` as root in a private mount namespace with a tmpfs of `size` mounted on `$1`
/// (`$2` is the newsfacts binary); None (and a note on stderr) where that is not possible.
fn on_small_tmpfs(size: &str, script: &str, args: &[&str]) -> Option<Output> {
    let mnt = tempfile::tempdir().unwrap();
    let probe = Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            "mount -t tmpfs -o size=4k tmpfs \"$1\"",
            "sh",
        ])
        .arg(mnt.path())
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipped: cannot mount a tmpfs in a private mount namespace (needs root and unshare)"
        );
        return None;
    }
    let full = format!("mount -t tmpfs -o size={size} tmpfs \"$1\" || exit 99\n{script}");
    let out = Command::new("unshare")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-m", "sh", "-c", &full, "sh"])
        .arg(mnt.path())
        .arg(bin())
        .args(args)
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(99), "mount failed");
    Some(out)
}

#[test]
fn an_output_file_on_a_full_file_system_is_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    std::fs::write(&input, corpus(1500)).unwrap();
    // 1000 records are about 400 KB; the file system has 128 KiB.
    let script = r#"
printf 'old\n' > "$1/facts.jsonl"
"$2" extract -q --rules tests/data/tiny-rules --out "$1/facts.jsonl" "$3"
echo "exit=$?"
ls -A "$1"
cat "$1/facts.jsonl"
"#;
    let Some(out) = on_small_tmpfs("128k", script, &[s(&input)]) else {
        return;
    };
    let err = stderr(&out);
    assert!(
        err.contains("facts.jsonl: No space left on device"),
        "{err}"
    );
    assert!(err.contains("newsfacts: error: writing /"), "{err}");
    // Exit 1, only the old file there (the temporary file is gone), and it is unchanged.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "exit=1\nfacts.jsonl\nold\n"
    );
}

/// `extract` with the tiny rules into a store; the caller adds the store and the input.
fn tiny_extract_into() -> Command {
    let mut c = Command::new(bin());
    c.args([
        "extract",
        "-q",
        "--rules",
        TINY_RULES,
        "--no-stdout",
        "--db",
    ]);
    c
}

#[test]
fn a_fact_store_on_a_full_file_system_stays_consistent_and_the_next_run_completes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("corpus.jsonl");
    std::fs::write(&input, corpus(1500)).unwrap();
    let saved = dir.path().join("saved");
    std::fs::create_dir(&saved).unwrap();
    let script = r#"
"$2" extract -q --rules tests/data/tiny-rules --no-stdout --db-batch 50 --db "$1/facts.db" "$3"
echo "exit=$?"
cp "$1"/facts.db* "$4"/
"#;
    let Some(out) = on_small_tmpfs("256k", script, &[s(&input), s(&saved)]) else {
        return;
    };
    let err = stderr(&out);
    assert!(err.contains("database or disk is full"), "{err}");
    assert!(err.contains("facts.db"), "the store is named: {err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "exit=1\n", "{err}");

    let clean_db = dir.path().join("clean.db");
    let o = tiny_extract_into()
        .args([s(&clean_db), s(&input)])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let clean = snapshot(&clean_db).unwrap();

    let db = saved.join("facts.db");
    assert_eq!(integrity(&db), "ok");
    let partial = snapshot(&db).unwrap();
    assert!(
        !partial.is_empty() && partial.len() < clean.len(),
        "{}",
        partial.len()
    );
    for (article, facts) in &partial {
        assert_eq!(Some(facts), clean.get(article), "{article} is whole");
    }
    // With room again, the next run completes the store.
    let o = tiny_extract_into()
        .args([s(&db), s(&input)])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(snapshot(&db).unwrap(), clean);
}
