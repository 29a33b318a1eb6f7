//! Fetching and crawling against a fixture site served by a small HTTP server on 127.0.0.1 (started
//! by the test; no other address is ever contacted). The site (`fixtures/site/`) has a feed, a sitemap
//! index with a Google News sitemap, robots.txt with a disallowed path, pages in UTF-8 and
//! windows-1252, a redirect, a page that fails twice then works, one that never answers, a 20 MB one,
//! a PDF, a consent wall and an ETag page.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::support::{self, code, fact_key, newsfacts, records, stderr};

const SITE: &str = "fixtures/site";

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Hit {
    path: String,
    if_none_match: Option<String>,
    user_agent: String,
}

#[derive(Default)]
struct SiteState {
    /// 1 for the first crawl, 2 after the site "changed" (a new feed entry, an updated page).
    round: AtomicUsize,
    flaky_calls: AtomicUsize,
    busy_calls: AtomicUsize,
    /// robots.txt answers 503: nothing on the host may be fetched.
    robots_down: std::sync::atomic::AtomicBool,
    hits: Mutex<Vec<Hit>>,
}

struct Site {
    base: String,
    state: Arc<SiteState>,
}

impl Site {
    fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(SiteState::default());
        state.round.store(1, Ordering::SeqCst);
        let (st, b) = (state.clone(), base.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (st, b) = (st.clone(), b.clone());
                std::thread::spawn(move || serve(conn, &st, &b));
            }
        });
        Site { base, state }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn take_hits(&self) -> Vec<Hit> {
        std::mem::take(&mut *self.state.hits.lock().unwrap())
    }
}

fn count(hits: &[Hit], path: &str) -> usize {
    hits.iter().filter(|h| h.path == path).count()
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(SITE).join(path)).expect("fixture file")
}

fn template(path: &str, base: &str, round: usize) -> Vec<u8> {
    let text = String::from_utf8(file(path)).unwrap();
    let extra = if round >= 2 {
        format!(
            "<item><title>Looking back</title><link>{base}/news/olivia.html</link><pubDate>Fri, 21 Jun 2024 10:00:00 GMT</pubDate></item>"
        )
    } else {
        String::new()
    };
    // Round 2 says the SZA story changed after the first crawl.
    let lastmod = if round >= 2 {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    } else {
        "2024-02-05".to_string()
    };
    text.replace("{{BASE}}", base)
        .replace("{{EXTRA}}", &extra)
        .replace("{{SZA_LASTMOD}}", &lastmod)
        .into_bytes()
}

fn respond(conn: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head += &format!("{k}: {v}\r\n");
    }
    head += "\r\n";
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(body);
}

fn serve(mut conn: TcpStream, st: &SiteState, base: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let (mut inm, mut ua) = (None, String::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "if-none-match" => inm = Some(v.trim().to_string()),
                "user-agent" => ua = v.trim().to_string(),
                _ => {}
            }
        }
    }
    st.hits.lock().unwrap().push(Hit {
        path: path.clone(),
        if_none_match: inm.clone(),
        user_agent: ua,
    });
    let round = st.round.load(Ordering::SeqCst);
    let html = [("Content-Type", "text/html; charset=utf-8")];
    let xml = [("Content-Type", "application/xml")];
    match path.as_str() {
        "/robots.txt" if st.robots_down.load(Ordering::SeqCst) => {
            respond(&mut conn, "503 Service Unavailable", &html, b"down")
        }
        // 429 with Retry-After once, then the page.
        "/news/busy.html" => {
            if st.busy_calls.fetch_add(1, Ordering::SeqCst) == 0 {
                respond(
                    &mut conn,
                    "429 Too Many Requests",
                    &[("Retry-After", "1")],
                    b"",
                );
            } else {
                respond(&mut conn, "200 OK", &html, &file("news/karol-g.html"));
            }
        }
        "/robots.txt" => respond(
            &mut conn,
            "200 OK",
            &[("Content-Type", "text/plain")],
            &file("robots"),
        ),
        "/feed.xml" => respond(
            &mut conn,
            "200 OK",
            &[("Content-Type", "application/rss+xml")],
            &template("feed.xml", base, round),
        ),
        "/sitemap.xml" => respond(
            &mut conn,
            "200 OK",
            &xml,
            &template("sitemap.xml", base, round),
        ),
        "/sitemap-news.xml" => respond(
            &mut conn,
            "200 OK",
            &xml,
            &template("sitemap-news.xml", base, round),
        ),
        "/news/cowboy-carter.html" => respond(
            &mut conn,
            "200 OK",
            &[("Content-Type", "text/html; charset=windows-1252")],
            &file("news/cowboy-carter.html"),
        ),
        "/news/old-url" => respond(
            &mut conn,
            "301 Moved Permanently",
            &[("Location", "/news/houdini.html")],
            b"",
        ),
        "/news/flaky.html" => {
            if st.flaky_calls.fetch_add(1, Ordering::SeqCst) < 2 {
                respond(
                    &mut conn,
                    "500 Internal Server Error",
                    &html,
                    b"<p>oops</p>",
                );
            } else {
                respond(&mut conn, "200 OK", &html, &file("news/flaky.html"));
            }
        }
        // Never answers: holds the connection, then goes away (the server stops by itself).
        "/news/slow.html" => std::thread::sleep(Duration::from_secs(4)),
        // 20 MB, chunked (no Content-Length): the client must stop reading at its cap.
        "/news/huge.html" => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            if conn.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = "<p>la la la la la la la la la la la la la la la la la la la la.</p>\n"
                .repeat(1000);
            let mut sent = 0;
            while sent < 20_000_000 {
                let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
                if conn.write_all(frame.as_bytes()).is_err() {
                    return;
                }
                sent += chunk.len();
            }
            let _ = conn.write_all(b"0\r\n\r\n");
        }
        "/news/press-kit.pdf" => respond(
            &mut conn,
            "200 OK",
            &[("Content-Type", "application/pdf")],
            b"%PDF-1.4\n%fake press kit\n",
        ),
        "/news/kendrick.html" => {
            if inm.as_deref() == Some("\"k1\"") {
                respond(&mut conn, "304 Not Modified", &[("ETag", "\"k1\"")], b"");
            } else {
                respond(
                    &mut conn,
                    "200 OK",
                    &[
                        ("Content-Type", "text/html; charset=utf-8"),
                        ("ETag", "\"k1\""),
                    ],
                    &file("news/kendrick.html"),
                );
            }
        }
        "/news/sza.html" => {
            let f = if round >= 2 {
                "news/sza-v2.html"
            } else {
                "news/sza.html"
            };
            respond(&mut conn, "200 OK", &html, &file(f));
        }
        p if p.ends_with(".html") && Path::new(SITE).join(&p[1..]).is_file() => {
            respond(&mut conn, "200 OK", &html, &file(&p[1..]));
        }
        _ => respond(&mut conn, "404 Not Found", &html, b"<p>not here</p>"),
    }
}

/// Fast politeness settings so the suite stays quick; the never-answering page costs 3 × 0.5 s.
const FAST: &[&str] = &[
    "--allow-private-addresses",
    "--delay",
    "0s",
    "--timeout",
    "500ms",
    "--connect-timeout",
    "500ms",
    "--retries",
    "2",
    "--backoff",
    "10ms",
    "--max-body",
    "2MiB",
    "--contact",
    "https://example.org/newsfacts-tests",
    "-q",
];

/// `newsfacts fetch ARGS` with the fast settings.
fn fetch<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    newsfacts()
        .arg("fetch")
        .args(args)
        .args(FAST)
        .output()
        .expect("newsfacts runs")
}

fn assert_stderr_has(out: &Output, needle: &str) {
    let err = stderr(out);
    assert!(err.contains(needle), "{needle:?} not in stderr:\n{err}");
}

/// (page path, kind, key field) of each record, sorted: what came out, readable in a failure message.
fn summary(recs: &[Value], base: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = recs
        .iter()
        .map(|r| {
            (
                r["article"]["id"].as_str().unwrap().replace(base, ""),
                r["kind"].as_str().unwrap().to_string(),
                fact_key(r).to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The report's outcomes, by URL with this site's base dropped.
fn outcomes(report: &Value, base: &str) -> BTreeMap<String, String> {
    support::outcomes(report)
        .into_iter()
        .map(|(url, o)| (url.replace(base, ""), o))
        .collect()
}

fn crawl(site: &Site, archive: &Path, report: &Path) -> Output {
    let mut cmd = newsfacts();
    cmd.args([
        "crawl",
        "--feed",
        &site.url("/feed.xml"),
        "--sitemap",
        &site.url("/sitemap.xml"),
    ])
    .args(["--article", &site.url("/news/kendrick.html")])
    .args(["--since", "2024-01-01", "--archive"])
    .arg(archive)
    .arg("--report")
    .arg(report)
    .args(FAST);
    cmd.output().expect("newsfacts runs")
}

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn crawl_twice_fetches_only_what_changed_and_never_repeats_a_fact() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let report_path = dir.path().join("report.json");

    // First night.
    let out = crawl(&site, &archive, &report_path);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let first = records(&out);
    let b = &site.base;
    let want1 = vec![
        (
            s("/news/cowboy-carter.html"),
            s("release"),
            s("Cowboy Carter"),
        ),
        (s("/news/flaky.html"), s("release"), s("Brat")),
        (
            s("/news/grammys-swift.html"),
            s("award_win"),
            s("Miley Cyrus"),
        ),
        (
            s("/news/grammys-swift.html"),
            s("award_win"),
            s("Taylor Swift"),
        ),
        (s("/news/karol-g.html"), s("award_win"), s("Karol G")),
        (s("/news/kendrick.html"), s("collaboration"), s("Mustard")),
        (s("/news/kendrick.html"), s("release"), s("Not Like Us")),
        (s("/news/old-url"), s("release"), s("Houdini")),
        (s("/news/old-url"), s("release"), s("Radical Optimism")),
        (s("/news/old-url"), s("stream_count"), s("Houdini")),
        (s("/news/sza.html"), s("award_win"), s("SZA")),
    ];
    assert_eq!(summary(&first, b), want1);
    // The windows-1252 page was decoded, not mangled.
    let beyonce = first
        .iter()
        .find(|r| r["fields"]["work"] == "Cowboy Carter")
        .unwrap();
    assert_eq!(beyonce["fields"]["artist"], "Beyoncé");
    // The redirected page keeps its requested URL as id and names where it ended up.
    let houdini = first.iter().find(|r| r["kind"] == "stream_count").unwrap();
    assert_eq!(houdini["article"]["source"], site.url("/news/houdini.html"));

    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let o = outcomes(&report, b);
    let expect = [
        ("/feed.xml", "fetched"),
        ("/sitemap.xml", "fetched"),
        ("/sitemap-news.xml", "fetched"),
        ("/news/kendrick.html", "fetched"),
        ("/news/grammys-swift.html", "fetched"),
        ("/news/cowboy-carter.html", "fetched"),
        ("/news/old-url", "fetched"),
        ("/news/flaky.html", "fetched"),
        ("/news/slow.html", "failed:timeout"),
        ("/news/huge.html", "skipped:too_large"),
        ("/news/press-kit.pdf", "skipped:content_type"),
        ("/private/leak.html", "skipped:robots"),
        ("/news/consent.html", "consent_or_paywall"),
        ("/news/karol-g.html", "fetched"),
        ("/news/sza.html", "fetched"),
    ];
    let expect: BTreeMap<String, String> = expect.iter().map(|(k, v)| (s(k), s(v))).collect();
    assert_eq!(o, expect);
    let page = |p: &str| {
        report["pages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["url"] == site.url(p))
            .unwrap()
            .clone()
    };
    assert_eq!(
        page("/news/old-url")["final_url"],
        site.url("/news/houdini.html")
    );
    assert_eq!(page("/news/grammys-swift.html")["facts"], 2);
    let c = &report["counts"];
    assert_eq!(c["sources"], 3);
    assert_eq!(c["discovered"], 12);
    assert_eq!(c["fetched"], 7);
    assert_eq!(c["skipped"], 4);
    assert_eq!(c["skipped_robots"], 1);
    assert_eq!(c["failed"], 1);
    assert_eq!(c["consent_or_paywall"], 1);
    assert_eq!(c["facts_emitted"], 11);
    assert_eq!(report["skipped_by_reason"]["old"], 1);
    assert_eq!(report["failed_by_reason"]["timeout"], 1);
    // 1 failure out of 14 URLs requested (the robots refusal was never requested).
    assert!((report["failure_rate"].as_f64().unwrap() - 1.0 / 14.0).abs() < 1e-9);

    let hits = site.take_hits();
    assert_eq!(
        count(&hits, "/private/leak.html"),
        0,
        "robots.txt disallows it"
    );
    assert_eq!(count(&hits, "/news/ancient.html"), 0, "older than --since");
    assert_eq!(count(&hits, "/news/flaky.html"), 3, "500, 500, then 200");
    assert_eq!(count(&hits, "/news/slow.html"), 3, "timeout, retried twice");
    assert_eq!(count(&hits, "/news/houdini.html"), 1);
    assert_eq!(
        count(&hits, "/robots.txt"),
        1,
        "robots.txt is cached for the run"
    );
    assert!(hits.iter().all(|h| {
        h.user_agent.starts_with("newsfacts/")
            && h.user_agent
                .ends_with("(+https://example.org/newsfacts-tests)")
    }));

    // Re-extraction from the archive, without the network, gives the same facts.
    let again = newsfacts().arg("extract").arg(&archive).output().unwrap();
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_stderr_has(&again, "consent or paywall");
    let ids = |recs: &[Value]| -> HashSet<String> {
        recs.iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&records(&again)), ids(&first));

    // Second night: the feed has one new story, the SZA story was updated, nothing else changed.
    site.state.round.store(2, Ordering::SeqCst);
    let out = crawl(&site, &archive, &report_path);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let second = records(&out);
    assert_eq!(
        summary(&second, b),
        vec![
            (s("/news/olivia.html"), s("award_win"), s("Olivia Rodrigo")),
            (s("/news/sza.html"), s("award_win"), s("Billie Eilish")),
        ]
    );
    assert!(
        ids(&second).is_disjoint(&ids(&first)),
        "a fact was emitted twice"
    );

    let hits = site.take_hits();
    for unchanged in [
        "/news/grammys-swift.html",
        "/news/cowboy-carter.html",
        "/news/old-url",
        "/news/flaky.html",
        "/news/karol-g.html",
        "/news/consent.html",
        "/news/huge.html",
        "/news/press-kit.pdf",
        "/private/leak.html",
    ] {
        assert_eq!(count(&hits, unchanged), 0, "{unchanged} was fetched again");
    }
    assert_eq!(count(&hits, "/news/olivia.html"), 1);
    assert_eq!(count(&hits, "/news/sza.html"), 1);
    let kendrick: Vec<_> = hits
        .iter()
        .filter(|h| h.path == "/news/kendrick.html")
        .collect();
    assert_eq!(kendrick.len(), 1);
    assert_eq!(kendrick[0].if_none_match.as_deref(), Some("\"k1\""));

    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let o = outcomes(&report, b);
    assert_eq!(o["/news/kendrick.html"], "not_modified");
    assert_eq!(o["/news/olivia.html"], "fetched");
    assert_eq!(o["/news/sza.html"], "fetched");
    assert_eq!(o["/news/slow.html"], "failed:timeout");
    let c = &report["counts"];
    assert_eq!(c["fetched"], 2);
    assert_eq!(c["not_modified"], 1);
    assert_eq!(c["facts_emitted"], 2);
    assert_eq!(c["facts_already_emitted"], 1, "SZA's unchanged fact");
    assert_eq!(report["skipped_by_reason"]["seen"], 8);

    // A third run while another holds the lock exits 3 and says why.
    let lock = std::fs::File::options()
        .write(true)
        .open(archive.join(".lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let out = crawl(&site, &archive, &report_path);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_stderr_has(&out, "another newsfacts run holds the lock");
    assert!(out.stdout.is_empty());
    assert!(
        site.take_hits().is_empty(),
        "a locked-out run sends no request"
    );
}

#[test]
fn fetch_extracts_named_pages_and_reports_what_it_skipped() {
    let site = Site::start();
    let out = fetch([
        site.url("/news/grammys-swift.html"),
        site.url("/news/press-kit.pdf"),
        site.url("/private/leak.html"),
        "ftp://127.0.0.1/file.html".to_string(),
        site.url("/news/missing.html"),
        site.url("/news/busy.html"),
    ]);
    assert_eq!(code(&out), 1, "four URLs gave nothing: {}", stderr(&out));
    let recs = records(&out);
    assert_eq!(
        summary(&recs, &site.base),
        vec![
            (s("/news/busy.html"), s("award_win"), s("Karol G")),
            (
                s("/news/grammys-swift.html"),
                s("award_win"),
                s("Miley Cyrus")
            ),
            (
                s("/news/grammys-swift.html"),
                s("award_win"),
                s("Taylor Swift")
            ),
        ]
    );
    for needle in [
        "content type application/pdf is not HTML",
        "disallowed by robots.txt",
        "only http and https",
        "missing.html: HTTP 404 Not Found (http_404)",
    ] {
        assert_stderr_has(&out, needle);
    }
    let hits = site.take_hits();
    assert_eq!(count(&hits, "/news/missing.html"), 1, "4xx is not retried");
    assert_eq!(
        count(&hits, "/news/busy.html"),
        2,
        "429, then after Retry-After the page"
    );
    assert_eq!(count(&hits, "/private/leak.html"), 0);
}

#[test]
fn a_failing_robots_txt_means_nothing_is_fetched_from_that_host() {
    let site = Site::start();
    site.state.robots_down.store(true, Ordering::SeqCst);
    let out = fetch([
        site.url("/news/grammys-swift.html"),
        site.url("/news/sza.html"),
    ]);
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    assert_stderr_has(&out, "robots.txt answered 503");
    let hits = site.take_hits();
    // robots.txt once, retried twice as a 5xx; then cached: no page is requested.
    assert_eq!(count(&hits, "/robots.txt"), 3);
    assert_eq!(hits.len(), 3, "{hits:?}");
}

#[test]
fn private_addresses_are_refused_by_default() {
    let site = Site::start();
    let out = newsfacts()
        .args([
            "fetch",
            &site.url("/news/grammys-swift.html"),
            "--delay",
            "0s",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    assert_stderr_has(&out, "--allow-private-addresses");
    assert!(
        site.take_hits().is_empty(),
        "not even robots.txt was requested"
    );
}

#[test]
fn fetch_with_an_archive_mines_a_304_from_the_archived_copy() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let url = site.url("/news/kendrick.html");
    let run = || fetch([url.as_ref(), "--archive".as_ref(), dir.path().as_os_str()]);
    let one = run();
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    let two = run();
    assert_eq!(code(&two), 0, "{}", stderr(&two));
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(records(&two).len(), 2);
    let hits: Vec<_> = site
        .take_hits()
        .into_iter()
        .filter(|h| h.path == "/news/kendrick.html")
        .collect();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[1].if_none_match.as_deref(), Some("\"k1\""));
}

#[test]
fn crawl_config_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("crawl.toml");
    std::fs::write(
        &cfg,
        "archive = \"a\"\nfeeds = [\"http://127.0.0.1:9/feed.xml\"]\ndealy = \"1s\"\n",
    )
    .unwrap();
    let out = newsfacts()
        .args(["crawl", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_stderr_has(&out, "dealy");
    let out = newsfacts()
        .args(["crawl", "--feed", "http://127.0.0.1:9/feed.xml"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2);
    assert_stderr_has(&out, "archive");
}

#[test]
fn fetch_with_a_db_stores_each_page_and_its_facts() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("facts.db");
    let out = fetch([
        "--db".as_ref(),
        db.as_os_str(),
        site.url("/news/grammys-swift.html").as_ref(),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let q = newsfacts()
        .args(["query", "--format", "csv", "--db"])
        .arg(&db)
        .args([
            "sql",
            "SELECT f.winner, a.url LIKE '%/news/grammys-swift.html' AS page FROM facts f \
             JOIN articles a ON a.id = f.article_id WHERE f.kind = 'award_win' ORDER BY f.winner",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&q), 0, "{}", stderr(&q));
    assert_eq!(
        String::from_utf8_lossy(&q.stdout),
        "winner,page\nMiley Cyrus,1\nTaylor Swift,1\n"
    );
}
