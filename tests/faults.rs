//! Fetch faults and refusals against misbehaving servers the test starts on 127.0.0.1 (raw sockets,
//! so a server can lie, stall, reset and redirect in ways a real HTTP server library would not). No
//! test here looks up a name or sends anything to an address other than 127.0.0.1: the non-loopback
//! addresses the guard must refuse are checked through the library, which refuses before connecting.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{code, fact_key, newsfacts, outcomes, records, stderr};

/// Requests seen, as `PORT PATH`.
type Hits = Arc<Mutex<Vec<String>>>;

fn page(name: &str) -> Vec<u8> {
    std::fs::read(Path::new("fixtures/site/news").join(name)).expect("fixture page")
}

/// A server on 127.0.0.1 answering each path with a fault (or a good page); several can share one
/// hit log. Each host is its own politeness queue, so faults on different servers run in parallel.
struct Faulty {
    base: String,
    port: u16,
}

impl Faulty {
    fn start(hits: &Hits) -> Faulty {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().unwrap().port();
        let hits = hits.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let hits = hits.clone();
                std::thread::spawn(move || serve(conn, &hits, port));
            }
        });
        Faulty {
            base: format!("http://127.0.0.1:{port}"),
            port,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Read one request head; the path, or None when the client went away.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let path = line.split_whitespace().nth(1)?.to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 || h.trim().is_empty() {
            break;
        }
    }
    Some(path)
}

fn head(status: &str, headers: &[(&str, &str)]) -> String {
    let mut h = format!("HTTP/1.1 {status}\r\n");
    for (k, v) in headers {
        h += &format!("{k}: {v}\r\n");
    }
    h + "\r\n"
}

fn html_head(len: usize) -> String {
    head(
        "200 OK",
        &[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", &len.to_string()),
        ],
    )
}

/// Bytes of `short-cl.html` announced (the page itself is longer): the cut falls after the first
/// paragraph, so the fact survives and the archived body shows where the client stopped.
const SHORT_CL: usize = 640;

/// Serve requests on one connection (keep-alive) until the client leaves or a fault ends it.
fn serve(conn: TcpStream, hits: &Hits, port: u16) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    while let Some(path) = read_request(&mut reader) {
        hits.lock().unwrap().push(format!("{port} {path}"));
        if !answer(&mut conn, &path, port) {
            return;
        }
    }
}

/// Answer one request; false when the connection must not be used again.
fn answer(conn: &mut TcpStream, path: &str, port: u16) -> bool {
    let ok = |conn: &mut TcpStream, body: &[u8]| {
        let _ = conn.write_all(html_head(body.len()).as_bytes());
        conn.write_all(body).is_ok()
    };
    let redirect = |conn: &mut TcpStream, to: &str| {
        let h = head("302 Found", &[("Location", to), ("Content-Length", "0")]);
        conn.write_all(h.as_bytes()).is_ok()
    };
    let karol = page("karol-g.html");
    match path {
        "/robots.txt" => {
            let body = b"User-agent: *\nAllow: /\n";
            let h = head(
                "200 OK",
                &[
                    ("Content-Type", "text/plain"),
                    ("Content-Length", &body.len().to_string()),
                ],
            );
            let _ = conn.write_all(h.as_bytes());
            conn.write_all(body).is_ok()
        }
        p if p.starts_with("/ok/") => ok(conn, &page(p[4..].split('?').next().unwrap_or(""))),
        // The climbing paths of the archive test (the client resolves `..` and `%2e%2e` itself, so
        // some arrive as plain `/escape-…`) get a real page, to be archived.
        p if p.contains("escape") => ok(conn, &page("sza.html")),
        // A feed and sitemaps pointing at local files and other schemes, beside real articles.
        "/hostile-feed.xml" => {
            let links = [
                "file:///etc/passwd".to_string(),
                "ftp://127.0.0.1/pub/news.html".into(),
                "javascript:alert(document.cookie)".into(),
                "data:text/html,<p>Karol G won a Grammy.</p>".into(),
                format!("gopher://127.0.0.1:{port}/1/news"),
                "/ok/karol-g.html".into(),
                format!("//127.0.0.1:{port}/ok/sza.html"),
            ];
            let items: String = links
                .iter()
                .map(|l| {
                    format!(
                        "<item><title>x</title><link>{}</link>\
                         <pubDate>Mon, 05 Feb 2024 10:00:00 GMT</pubDate></item>",
                        l.replace('&', "&amp;").replace('<', "&lt;")
                    )
                })
                .collect();
            let feed = format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>\
                 <link>http://127.0.0.1:{port}/</link><description>d</description>{items}\
                 </channel></rss>"
            );
            let h = head(
                "200 OK",
                &[
                    ("Content-Type", "application/rss+xml"),
                    ("Content-Length", &feed.len().to_string()),
                ],
            );
            let _ = conn.write_all(h.as_bytes());
            conn.write_all(feed.as_bytes()).is_ok()
        }
        "/hostile-index.xml" | "/hostile-sitemap.xml" => {
            let xml = if path == "/hostile-index.xml" {
                format!(
                    "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                     <sitemap><loc>file:///etc/sitemap.xml</loc></sitemap>\
                     <sitemap><loc>http://127.0.0.1:{port}/hostile-sitemap.xml</loc></sitemap>\
                     </sitemapindex>"
                )
            } else {
                format!(
                    "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
                     <url><loc>file:///etc/shadow</loc></url>\
                     <url><loc>ftp://127.0.0.1/pub/sitemap-entry.html</loc></url>\
                     <url><loc>http://127.0.0.1:{port}/ok/grammys-swift.html</loc></url>\
                     </urlset>"
                )
            };
            let h = head(
                "200 OK",
                &[
                    ("Content-Type", "application/xml"),
                    ("Content-Length", &xml.len().to_string()),
                ],
            );
            let _ = conn.write_all(h.as_bytes());
            conn.write_all(xml.as_bytes()).is_ok()
        }
        // Half the page, then a TCP reset (SO_LINGER 0 turns the close into an RST).
        "/reset.html" => {
            let _ = conn.write_all(html_head(karol.len()).as_bytes());
            let _ = conn.write_all(&karol[..karol.len() / 2]);
            let _ = conn.flush();
            std::thread::sleep(Duration::from_millis(50));
            let _ = socket2::SockRef::from(&*conn).set_linger(Some(Duration::ZERO));
            false
        }
        // The head at once, then the body one byte a second.
        "/drip.html" => {
            let _ = conn.write_all(html_head(karol.len()).as_bytes());
            for b in &karol {
                std::thread::sleep(Duration::from_secs(1));
                if conn.write_all(&[*b]).is_err() {
                    return false;
                }
            }
            true
        }
        // Even the status line one byte a second.
        "/drip-head.html" => {
            for b in html_head(karol.len()).bytes().chain(karol.iter().copied()) {
                if conn.write_all(&[b]).is_err() {
                    return false;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            true
        }
        p if p.starts_with("/loop/") => {
            let n: u64 = p[6..].parse().unwrap_or(0);
            redirect(conn, &format!("/loop/{}", n + 1))
        }
        "/self" => redirect(conn, "/self"),
        "/to-file" => redirect(conn, "file:///etc/passwd"),
        "/to-ftp" => redirect(conn, "ftp://127.0.0.1/pub/news.html"),
        "/to-js" => redirect(conn, "javascript:alert(document.cookie)"),
        "/to-data" => redirect(conn, "data:text/html,<p>Karol G won a Grammy.</p>"),
        "/storm.html" => {
            let h = head(
                "429 Too Many Requests",
                &[("Retry-After", "1"), ("Content-Length", "0")],
            );
            conn.write_all(h.as_bytes()).is_ok()
        }
        "/storm-long.html" => {
            let h = head(
                "429 Too Many Requests",
                &[("Retry-After", "3600"), ("Content-Length", "0")],
            );
            conn.write_all(h.as_bytes()).is_ok()
        }
        "/storm-date.html" => {
            let h = head(
                "503 Service Unavailable",
                &[
                    ("Retry-After", "Fri, 31 Dec 2055 23:59:59 GMT"),
                    ("Content-Length", "0"),
                ],
            );
            conn.write_all(h.as_bytes()).is_ok()
        }
        // Announces fewer bytes than it sends; the rest lands on the kept-alive connection as junk.
        "/short-cl.html" => {
            let _ = conn.write_all(html_head(SHORT_CL).as_bytes());
            conn.write_all(&karol).is_ok()
        }
        // Announces more bytes than it sends, then closes cleanly.
        "/long-cl.html" => {
            let _ = conn.write_all(html_head(karol.len() + 5000).as_bytes());
            let _ = conn.write_all(&karol);
            false
        }
        // A chunked body that never ends, as fast as the client takes it.
        "/endless.html" => {
            let h = head(
                "200 OK",
                &[
                    ("Content-Type", "text/html"),
                    ("Transfer-Encoding", "chunked"),
                ],
            );
            let _ = conn.write_all(h.as_bytes());
            let chunk = "<p>and on and on and on and on and on and on and on.</p>\n".repeat(200);
            let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
            while conn.write_all(frame.as_bytes()).is_ok() {}
            false
        }
        // A chunked body that never ends, one small chunk every 100 ms (never a read timeout).
        "/endless-slow.html" => {
            let h = head(
                "200 OK",
                &[
                    ("Content-Type", "text/html"),
                    ("Transfer-Encoding", "chunked"),
                ],
            );
            let _ = conn.write_all(h.as_bytes());
            loop {
                std::thread::sleep(Duration::from_millis(100));
                if conn.write_all(b"6\r\n<p>...\r\n").is_err() {
                    return false;
                }
            }
        }
        // 64 MiB of spaces in 64 KiB of gzip: the cap applies to the decoded body.
        "/bomb.html" => {
            let bomb = gzip_bomb();
            let h = head(
                "200 OK",
                &[
                    ("Content-Type", "text/html"),
                    ("Content-Encoding", "gzip"),
                    ("Content-Length", &bomb.len().to_string()),
                ],
            );
            let _ = conn.write_all(h.as_bytes());
            conn.write_all(&bomb).is_ok()
        }
        _ => {
            let h = head("404 Not Found", &[("Content-Length", "0")]);
            conn.write_all(h.as_bytes()).is_ok()
        }
    }
}

fn gzip_bomb() -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&block).unwrap();
    }
    enc.finish().unwrap()
}

/// A TLS server with a self-signed certificate (tests/data/tls, made with
/// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
/// -subj "/CN=newsfacts self-signed test" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost"
/// -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature"
/// -addext "extendedKeyUsage=serverAuth"`, then converted to DER). Counts handshakes that completed: none may, since no client should trust it.
fn tls_server(completed: Arc<Mutex<usize>>) -> String {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let cert = CertificateDer::from(std::fs::read("tests/data/tls/cert.der").unwrap());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        std::fs::read("tests/data/tls/key.der").unwrap(),
    ));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut sock in listener.incoming().flatten() {
            let (config, completed) = (config.clone(), completed.clone());
            std::thread::spawn(move || {
                let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
                let mut tls = rustls::ServerConnection::new(config).unwrap();
                while tls.is_handshaking() {
                    if tls.complete_io(&mut sock).is_err() {
                        return;
                    }
                }
                *completed.lock().unwrap() += 1;
                let mut stream = rustls::Stream::new(&mut tls, &mut sock);
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                let body = page("kendrick.html");
                let _ = stream.write_all(html_head(body.len()).as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    base
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn read_report(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Expected outcomes by URL, as [`outcomes`] gives them.
fn expected<const N: usize>(pairs: [(String, &str); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(url, o)| (url, s(o))).collect()
}

fn detail(report: &Value, url: &str) -> String {
    report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["url"] == url)
        .and_then(|p| p["detail"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Winner/work/collaborator of each record with its page, sorted.
fn facts(recs: &[Value]) -> Vec<(String, String)> {
    let mut out: Vec<_> = recs
        .iter()
        .map(|r| {
            let id = r["article"]["id"].as_str().unwrap();
            (id.rsplit('/').next().unwrap().to_string(), s(fact_key(r)))
        })
        .collect();
    out.sort();
    out
}

fn s(v: &str) -> String {
    v.to_string()
}

#[test]
fn each_fetch_fault_is_a_recorded_failure_in_bounded_time_and_the_rest_of_the_run_goes_on() {
    let hits: Hits = Arc::default();
    let tls_done = Arc::new(Mutex::new(0));
    let servers: Vec<Faulty> = (0..13).map(|_| Faulty::start(&hits)).collect();
    let [a, b, c, d, e, f, f2, f3, g, h, i, j, k] = &servers[..] else {
        unreachable!()
    };
    let refused = format!("http://127.0.0.1:{}/ok/kendrick.html", closed_port());
    let tls = format!("{}/ok/kendrick.html", tls_server(tls_done.clone()));
    let urls = vec![
        a.url("/reset.html"),
        a.url("/ok/karol-g.html"),
        b.url("/drip.html"),
        c.url("/drip-head.html"),
        d.url("/loop/0"),
        d.url("/self"),
        e.url("/to-file"),
        e.url("/to-ftp"),
        e.url("/to-js"),
        e.url("/to-data"),
        f.url("/storm.html"),
        f.url("/ok/kendrick.html"),
        f2.url("/storm-long.html"),
        f3.url("/storm-date.html"),
        g.url("/short-cl.html"),
        g.url("/ok/grammys-swift.html"),
        h.url("/long-cl.html"),
        h.url("/ok/sza.html"),
        i.url("/endless.html"),
        i.url("/bomb.html"),
        j.url("/endless-slow.html"),
        k.url("/ok/olivia.html"),
        refused.clone(),
        tls.clone(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.json");
    let archive = dir.path().join("archive");
    let started = Instant::now();
    let out: Output = newsfacts()
        .arg("fetch")
        .args(&urls)
        .args([
            "--allow-private-addresses",
            "--delay",
            "0s",
            "--concurrency",
            "16",
            "--timeout",
            "1500ms",
            "--connect-timeout",
            "1s",
            "--retries",
            "1",
            "--backoff",
            "10ms",
            "--max-retry-wait",
            "5s",
            "--max-body",
            "1MiB",
            "--max-redirects",
            "5",
            "-q",
        ])
        .arg("--report")
        .arg(&report_path)
        .arg("--archive")
        .arg(&archive)
        .output()
        .unwrap();
    let took = started.elapsed();
    let err = stderr(&out);
    assert_eq!(code(&out), 1, "{err}");
    eprintln!("fault run took {took:?}\n{err}");

    // The good pages, including those after a fault on the same host, were fetched and mined.
    assert_eq!(
        facts(&records(&out)),
        vec![
            (s("grammys-swift.html"), s("Miley Cyrus")),
            (s("grammys-swift.html"), s("Taylor Swift")),
            (s("karol-g.html"), s("Karol G")),
            (s("olivia.html"), s("Olivia Rodrigo")),
            (s("short-cl.html"), s("Karol G")),
            (s("sza.html"), s("SZA")),
        ]
    );

    let report = read_report(&report_path);
    let got = outcomes(&report);
    let want = expected([
        (a.url("/reset.html"), "failed:truncated"),
        (a.url("/ok/karol-g.html"), "fetched"),
        (b.url("/drip.html"), "failed:timeout"),
        (c.url("/drip-head.html"), "failed:timeout"),
        (d.url("/loop/0"), "failed:redirects"),
        (d.url("/self"), "failed:redirects"),
        (e.url("/to-file"), "skipped:scheme"),
        (e.url("/to-ftp"), "skipped:scheme"),
        (e.url("/to-js"), "skipped:scheme"),
        (e.url("/to-data"), "skipped:scheme"),
        (f.url("/storm.html"), "failed:http_429"),
        (f.url("/ok/kendrick.html"), "failed:throttled"),
        (f2.url("/storm-long.html"), "failed:retry_after_too_long"),
        (f3.url("/storm-date.html"), "failed:retry_after_too_long"),
        (g.url("/short-cl.html"), "fetched"),
        (g.url("/ok/grammys-swift.html"), "fetched"),
        (h.url("/long-cl.html"), "failed:truncated"),
        (h.url("/ok/sza.html"), "fetched"),
        (i.url("/endless.html"), "skipped:too_large"),
        (i.url("/bomb.html"), "skipped:too_large"),
        (j.url("/endless-slow.html"), "failed:timeout"),
        (k.url("/ok/olivia.html"), "fetched"),
        (refused.clone(), "failed:robots_unavailable"),
        (tls.clone(), "failed:robots_unavailable"),
    ]);
    assert_eq!(got, want);

    // Every fault is named on stderr with its URL and reason.
    for (url, o) in &want {
        if o.starts_with("failed") || o.starts_with("skipped") {
            let reason = o.split(':').nth(1).unwrap();
            assert!(
                err.lines()
                    .any(|l| l.contains(url.as_str()) && l.ends_with(&format!("({reason})"))),
                "{url} ({reason}) not on stderr:\n{err}"
            );
        }
    }
    assert!(
        detail(&report, &refused).contains("Connection refused"),
        "{}",
        detail(&report, &refused)
    );
    let tls_detail = detail(&report, &tls);
    assert!(
        tls_detail.contains("certificate") && tls_detail.contains("UnknownIssuer"),
        "{tls_detail}"
    );
    assert_eq!(
        *tls_done.lock().unwrap(),
        0,
        "no handshake with an untrusted certificate"
    );
    assert!(detail(&report, &e.url("/to-file")).contains("not file:"));
    assert!(detail(&report, &d.url("/loop/0")).contains("more than 5 redirects"));

    let hits = hits.lock().unwrap().clone();
    let n = |srv: &Faulty, path: &str| {
        hits.iter()
            .filter(|h| **h == format!("{} {path}", srv.port))
            .count()
    };
    // Hop limit: the first request and five redirects followed.
    assert_eq!(n(d, "/loop/0"), 1);
    assert_eq!(n(d, "/loop/5"), 1);
    assert_eq!(n(d, "/loop/6"), 0);
    assert_eq!(n(d, "/self"), 6);
    // A Retry-After over --max-retry-wait gives up at once; a short one is waited for, then retried once.
    assert_eq!(n(f2, "/storm-long.html"), 1);
    assert_eq!(n(f3, "/storm-date.html"), 1);
    assert_eq!(n(f, "/storm.html"), 2);
    // A host that kept answering 429 is left alone for the rest of the run.
    assert_eq!(n(f, "/ok/kendrick.html"), 0);
    // Timeouts and broken bodies are retried once (--retries 1).
    assert_eq!(n(b, "/drip.html"), 2);
    assert_eq!(n(a, "/reset.html"), 2);
    assert_eq!(n(h, "/long-cl.html"), 2);

    // Lying Content-Length, shorter: exactly the announced bytes were kept.
    let karol = page("karol-g.html");
    let bodies = archived_bodies(&archive);
    assert!(
        bodies.contains(&karol[..SHORT_CL].to_vec()),
        "the archive holds the first {SHORT_CL} bytes"
    );
    assert!(
        !bodies.iter().any(|b| b.len() > 64 << 10),
        "no bomb or endless body archived"
    );

    // Bounded: the slowest faults (two 1.5 s timeouts each) run in parallel; the rest is start-up
    // (about 3 s of rule compilation on a busy machine). Unbounded waits would take minutes.
    assert!(took < Duration::from_secs(30), "took {took:?}");
}

/// Every archived body, inflated.
fn archived_bodies(archive: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(archive.join("objects")) {
        let e = e.unwrap();
        if e.path().to_string_lossy().ends_with(".html.gz") {
            let mut body = Vec::new();
            flate2::read::GzDecoder::new(std::fs::File::open(e.path()).unwrap())
                .read_to_end(&mut body)
                .unwrap();
            out.push(body);
        }
    }
    out
}

#[test]
fn feed_and_sitemap_entries_with_other_schemes_are_refused_without_a_request() {
    let hits: Hits = Arc::default();
    let site = Faulty::start(&hits);
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.json");
    let archive = dir.path().join("archive");
    let out = newsfacts()
        .args(["crawl", "--feed", &site.url("/hostile-feed.xml")])
        .args(["--sitemap", &site.url("/hostile-index.xml")])
        .args(["--article", "file:///etc/passwd"])
        .args(["--article", "FILE:/etc/hostname"])
        .args(["--allow-private-addresses", "--delay", "0s", "-q"])
        .arg("--archive")
        .arg(&archive)
        .arg("--report")
        .arg(&report_path)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "skips are not failures: {}", stderr(&out));
    assert_eq!(
        facts(&records(&out)),
        vec![
            (s("grammys-swift.html"), s("Miley Cyrus")),
            (s("grammys-swift.html"), s("Taylor Swift")),
            (s("karol-g.html"), s("Karol G")),
            (s("sza.html"), s("SZA")),
        ]
    );
    let report = read_report(&report_path);
    let got = outcomes(&report);
    let p = site.port;
    let want = expected([
        (site.url("/hostile-feed.xml"), "fetched"),
        (site.url("/hostile-index.xml"), "fetched"),
        (site.url("/hostile-sitemap.xml"), "fetched"),
        (s("file:///etc/sitemap.xml"), "skipped:scheme"),
        (s("file:///etc/passwd"), "skipped:scheme"),
        (s("FILE:/etc/hostname"), "skipped:scheme"),
        (s("ftp://127.0.0.1/pub/news.html"), "skipped:scheme"),
        (s("javascript:alert(document.cookie)"), "skipped:scheme"),
        (
            s("data:text/html,<p>Karol G won a Grammy.</p>"),
            "skipped:scheme",
        ),
        (format!("gopher://127.0.0.1:{p}/1/news"), "skipped:scheme"),
        (site.url("/ok/karol-g.html"), "fetched"),
        (site.url("/ok/sza.html"), "fetched"),
        (s("file:///etc/shadow"), "skipped:scheme"),
        (
            s("ftp://127.0.0.1/pub/sitemap-entry.html"),
            "skipped:scheme",
        ),
        (site.url("/ok/grammys-swift.html"), "fetched"),
    ]);
    assert_eq!(got, want);
    // The server saw robots.txt, the feed, the sitemaps and the three articles: nothing else.
    let mut seen: Vec<String> = hits
        .lock()
        .unwrap()
        .iter()
        .map(|h| h[h.find(' ').unwrap() + 1..].to_string())
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            "/hostile-feed.xml",
            "/hostile-index.xml",
            "/hostile-sitemap.xml",
            "/ok/grammys-swift.html",
            "/ok/karol-g.html",
            "/ok/sza.html",
            "/robots.txt",
        ]
    );
    // No local file was read into the archive.
    for body in archived_bodies(&archive) {
        assert!(!String::from_utf8_lossy(&body).contains("root:"));
    }
}

/// Loopback in the spellings a hostile feed might use: every one reaches 127.0.0.1 (where the test
/// server listens) if the guard fails, so a failure shows as a request, and no other host is touched.
#[test]
fn loopback_in_any_spelling_is_refused_before_any_request() {
    let hits: Hits = Arc::default();
    let site = Faulty::start(&hits);
    let p = site.port;
    let urls = [
        format!("http://127.0.0.1:{p}/ok/karol-g.html"),
        format!("http://127.1:{p}/ok/karol-g.html"),
        format!("http://2130706433:{p}/ok/karol-g.html"),
        format!("http://0x7f000001:{p}/ok/karol-g.html"),
        format!("http://0177.0.0.1:{p}/ok/karol-g.html"),
        format!("http://[::ffff:127.0.0.1]:{p}/ok/karol-g.html"),
        format!("http://[::ffff:7f00:1]:{p}/ok/karol-g.html"),
        format!("https://127.0.0.1:{p}/ok/karol-g.html"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let report_path = dir.path().join("report.json");
    let out = newsfacts()
        .arg("fetch")
        .args(&urls)
        .args(["--delay", "0s", "--retries", "0", "-q", "--report"])
        .arg(&report_path)
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(out.stdout.is_empty());
    let report = read_report(&report_path);
    for (url, o) in outcomes(&report) {
        assert_eq!(o, "skipped:private_address", "{url}");
    }
    assert_eq!(report["pages"].as_array().unwrap().len(), urls.len());
    assert!(
        stderr(&out).contains("pass --allow-private-addresses to allow"),
        "{}",
        stderr(&out)
    );
    assert!(
        hits.lock().unwrap().is_empty(),
        "{:?}",
        hits.lock().unwrap()
    );
}

/// The guard on its own (no connection is ever attempted here): every non-public literal address is
/// refused unless allowed, public ones pass.
#[test]
fn the_address_guard_refuses_every_non_public_range() {
    use newsfacts::fetch::FetchOptions;
    use newsfacts::fetch::http::{Http, HttpFail};
    let strict = Http::new(&FetchOptions::default()).unwrap();
    let lax = Http::new(&FetchOptions {
        allow_private_addresses: true,
        ..FetchOptions::default()
    })
    .unwrap();
    for host in [
        "127.0.0.1",
        "127.255.255.254",
        "[::1]",
        "169.254.169.254",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "100.64.0.1",
        "0.0.0.0",
        "[::]",
        "[fd00::1]",
        "[fc00::1]",
        "[fe80::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[::ffff:10.0.0.1]",
        "224.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "[2001:db8::1]",
    ] {
        let url = url::Url::parse(&format!("http://{host}/")).unwrap();
        match strict.guard(&url) {
            Err(HttpFail::PrivateAddress(_)) => {}
            other => panic!("{host}: {other:?}"),
        }
        assert_eq!(
            lax.guard(&url),
            Ok(()),
            "{host} with --allow-private-addresses"
        );
    }
    for host in ["93.184.216.34", "[2606:4700:4700::1111]"] {
        let url = url::Url::parse(&format!("http://{host}/")).unwrap();
        assert_eq!(strict.guard(&url), Ok(()), "{host}");
    }
}

/// URL paths that climb (`..`, `%2e%2e`, encoded slashes and backslashes) never become file paths:
/// the archive holds only hash-named objects, and nothing is written beside it.
#[test]
fn no_url_path_becomes_a_file_path_outside_the_archive() {
    let hits: Hits = Arc::default();
    let site = Faulty::start(&hits);
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let urls = [
        site.url("/news/../../../../escape-dots.html"),
        site.url("/%2e%2e/%2e%2e/%2E%2E/escape-encoded.html"),
        site.url("/..%2f..%2f..%2fescape-slash.html"),
        site.url("/news/..%5c..%5cescape-backslash.html"),
        site.url("/ok/sza.html?file=../../../escape-query.html"),
    ];
    let out = newsfacts()
        .arg("fetch")
        .args(&urls)
        .args([
            "--allow-private-addresses",
            "--delay",
            "0s",
            "-q",
            "--archive",
        ])
        .arg(&archive)
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(records(&out).len(), 5, "every page was fetched and mined");
    let mut names = Vec::new();
    for e in walkdir::WalkDir::new(dir.path()).min_depth(1) {
        let e = e.unwrap();
        let rel = e
            .path()
            .strip_prefix(dir.path())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if e.file_type().is_file() {
            names.push(rel);
        }
    }
    let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    for name in &names {
        let ok = match name.strip_prefix("archive/") {
            Some("newsfacts-archive.json" | "state.sqlite" | ".lock") => true,
            Some(rest) => {
                let parts: Vec<&str> = rest.split('/').collect();
                parts.len() == 3
                    && parts[0] == "objects"
                    && parts[1].len() == 2
                    && [".html.gz", ".json"].iter().any(|ext| {
                        parts[2]
                            .strip_suffix(ext)
                            .is_some_and(|h| hex(h) && h.starts_with(parts[1]))
                    })
            }
            None => false,
        };
        assert!(ok, "unexpected file {name} (all: {names:?})");
    }
    // One body (the same page five times, stored once by content) and one meta per body.
    assert_eq!(names.iter().filter(|n| n.ends_with(".html.gz")).count(), 1);
    assert_eq!(
        names
            .iter()
            .filter(|n| n.ends_with(".json") && n.contains("objects"))
            .count(),
        1
    );
    // Re-extraction from the archive works from the metadata, not from paths.
    let again = newsfacts().arg("extract").arg(&archive).output().unwrap();
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(records(&again).len(), 1, "the latest archived URL's page");
}
