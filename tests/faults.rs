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

use crate::support::{code, newsfacts, records, stderr};

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
        if !answer(&mut conn, &path) {
            return;
        }
    }
}

/// Answer one request; false when the connection must not be used again.
fn answer(conn: &mut TcpStream, path: &str) -> bool {
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
        p if p.starts_with("/ok/") => ok(conn, &page(&p[4..])),
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

fn outcomes(report: &Value) -> BTreeMap<String, String> {
    report["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut o = p["outcome"].as_str().unwrap().to_string();
            if let Some(r) = p["reason"].as_str() {
                o = format!("{o}:{r}");
            }
            (p["url"].as_str().unwrap().to_string(), o)
        })
        .collect()
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
            let f = &r["fields"];
            let key = f
                .get("winner")
                .or_else(|| f.get("collaborator"))
                .or_else(|| f.get("work"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = r["article"]["id"].as_str().unwrap();
            (id.rsplit('/').next().unwrap().to_string(), key.to_string())
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

    let report: Value = serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    let got = outcomes(&report);
    let want: BTreeMap<String, String> = [
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
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
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

    // Bounded: the slowest faults (two 1.5 s timeouts each) run in parallel; the rest is start-up.
    assert!(took < Duration::from_secs(20), "took {took:?}");
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
