//! One polite HTTP GET: private-address guard, retries with backoff and jitter, a streamed body cap.
//!
//! Redirects are not followed here (the client's policy is `none`): the fetcher follows them hop by
//! hop so each hop is checked against the scheme rule, robots.txt and the address guard.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{StatusCode, Url};

use super::FetchOptions;

/// Why a request produced no usable response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFail {
    Timeout,
    Connect(String),
    Dns(String),
    /// Every address of the host is loopback, private, link-local or otherwise not public.
    PrivateAddress(String),
    /// The body passed the cap (bytes read so far, or the declared length).
    TooLarge(u64),
    /// The server asked us to wait longer than `max_retry_wait` (seconds asked).
    RetryAfterTooLong(u64),
    /// The connection broke before the body was complete (a reset, or a short body).
    Truncated(String),
    Other(String),
}

impl HttpFail {
    /// A stable key for reports.
    pub fn key(&self) -> &'static str {
        match self {
            HttpFail::Timeout => "timeout",
            HttpFail::Connect(_) => "connect",
            HttpFail::Dns(_) => "dns",
            HttpFail::PrivateAddress(_) => "private_address",
            HttpFail::TooLarge(_) => "too_large",
            HttpFail::RetryAfterTooLong(_) => "retry_after_too_long",
            HttpFail::Truncated(_) => "truncated",
            HttpFail::Other(_) => "http_error",
        }
    }
}

impl std::fmt::Display for HttpFail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpFail::Timeout => f.write_str("timed out"),
            HttpFail::Connect(e) => write!(f, "connection failed: {e}"),
            HttpFail::Dns(e) => write!(f, "DNS lookup failed: {e}"),
            HttpFail::PrivateAddress(h) => write!(
                f,
                "{h} resolves only to loopback/private/link-local addresses (pass --allow-private-addresses to allow)"
            ),
            HttpFail::TooLarge(n) => write!(f, "body larger than the cap ({n} bytes seen)"),
            HttpFail::RetryAfterTooLong(s) => {
                write!(
                    f,
                    "server asked to retry after {s} s, longer than --max-retry-wait"
                )
            }
            HttpFail::Truncated(e) => write!(f, "the body was cut off: {e}"),
            HttpFail::Other(e) => f.write_str(e),
        }
    }
}

/// A response: status, headers and, for 200 responses the caller accepted, the body.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Option<Vec<u8>>,
}

/// What the caller says after seeing a 200's headers: read the body, or stop with a reason.
pub type HeaderCheck<'a> = &'a dyn Fn(&HeaderMap) -> Result<(), String>;

/// Outcome of [`Http::get`]: a response, a refusal by the header check, or a failure.
#[derive(Debug)]
pub enum GetResult {
    Response(HttpResponse),
    Refused { headers: HeaderMap, reason: String },
    Failed(HttpFail),
}

/// DNS answers checked once by the worker thread and pinned, so the address the client connects to is
/// the one that was checked (no rebinding between check and connect).
#[derive(Default)]
struct PinnedDns {
    pins: Mutex<HashMap<String, Vec<IpAddr>>>,
}

impl Resolve for PinnedDns {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let pinned = super::lock(&self.pins).get(&host).cloned();
        let result: Result<Addrs, Box<dyn std::error::Error + Send + Sync>> = match pinned {
            // Port 0: the connector puts in the URL's port.
            Some(ips) => Ok(Box::new(
                ips.into_iter()
                    .map(|ip| SocketAddr::new(ip, 0))
                    .collect::<Vec<_>>()
                    .into_iter(),
            )),
            None => Err(format!("{host}: not resolved by the address guard").into()),
        };
        Box::pin(std::future::ready(result))
    }
}

/// Addresses a crawler must not reach by default: loopback, private, link-local, unspecified,
/// shared (CGNAT), multicast, broadcast, documentation, unique-local IPv6 and mapped forms of these.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

pub struct Http {
    client: Client,
    dns: Arc<PinnedDns>,
    opts: FetchOptions,
}

impl Http {
    pub fn new(opts: &FetchOptions) -> Result<Http, String> {
        let dns = Arc::new(PinnedDns::default());
        let client = Client::builder()
            .user_agent(opts.user_agent())
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(dns.clone())
            .build()
            .map_err(|e| format!("building the HTTP client: {e}"))?;
        Ok(Http {
            client,
            dns,
            opts: opts.clone(),
        })
    }

    /// Resolve the URL's host, drop non-public addresses unless allowed, and pin the rest (once per
    /// host and run).
    pub fn guard(&self, url: &Url) -> Result<(), HttpFail> {
        let host = match url.host() {
            Some(h) => h,
            None => return Err(HttpFail::Other("URL has no host".into())),
        };
        if let url::Host::Domain(d) = host
            && super::lock(&self.dns.pins).contains_key(&d.to_ascii_lowercase())
        {
            return Ok(());
        }
        let ips: Vec<IpAddr> = match host {
            url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
            url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
            url::Host::Domain(d) => {
                let port = url.port_or_known_default().unwrap_or(80);
                match (d, port).to_socket_addrs() {
                    Ok(it) => it.map(|a| a.ip()).collect(),
                    Err(e) => return Err(HttpFail::Dns(format!("{d}: {e}"))),
                }
            }
        };
        let allowed: Vec<IpAddr> = ips
            .into_iter()
            .filter(|ip| self.opts.allow_private_addresses || is_public_ip(*ip))
            .collect();
        if allowed.is_empty() {
            return Err(HttpFail::PrivateAddress(host.to_string()));
        }
        if let url::Host::Domain(d) = host {
            super::lock(&self.dns.pins).insert(d.to_ascii_lowercase(), allowed);
        }
        Ok(())
    }

    /// GET `url` once per attempt, retrying timeouts, connection errors, 429 and 5xx with exponential
    /// backoff and jitter (or the server's Retry-After), never 4xx. `before_request` runs before each
    /// attempt (the per-host politeness wait). A 200's body is read only if `check` accepts its headers.
    pub fn get(
        &self,
        url: &Url,
        headers: HeaderMap,
        check: HeaderCheck<'_>,
        before_request: &dyn Fn(),
    ) -> GetResult {
        if let Err(e) = self.guard(url) {
            return GetResult::Failed(e);
        }
        let mut attempt: u32 = 0;
        loop {
            before_request();
            let started = Instant::now();
            let outcome = self.once(url, headers.clone(), check, started);
            let retry_after = match &outcome {
                GetResult::Response(r)
                    if r.status == StatusCode::TOO_MANY_REQUESTS || r.status.is_server_error() =>
                {
                    Some(parse_retry_after(&r.headers, chrono::Utc::now()))
                }
                GetResult::Failed(
                    HttpFail::Timeout | HttpFail::Connect(_) | HttpFail::Truncated(_),
                ) => Some(None),
                _ => None,
            };
            let Some(asked) = retry_after else {
                return outcome;
            };
            if attempt >= self.opts.retries {
                return outcome;
            }
            let wait = match asked {
                Some(secs) if Duration::from_secs(secs) > self.opts.max_retry_wait => {
                    return GetResult::Failed(HttpFail::RetryAfterTooLong(secs));
                }
                Some(secs) => Duration::from_secs(secs),
                None => backoff(self.opts.backoff, attempt),
            };
            tracing::debug!(%url, attempt, ?wait, "retrying");
            std::thread::sleep(wait);
            attempt += 1;
        }
    }

    fn once(
        &self,
        url: &Url,
        headers: HeaderMap,
        check: HeaderCheck<'_>,
        started: Instant,
    ) -> GetResult {
        let resp = match self.client.get(url.clone()).headers(headers).send() {
            Ok(r) => r,
            Err(e) => return GetResult::Failed(classify(&e)),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        if status != StatusCode::OK {
            return GetResult::Response(HttpResponse {
                status,
                headers,
                body: None,
            });
        }
        if let Err(reason) = check(&headers) {
            return GetResult::Refused { headers, reason };
        }
        let cap = self.opts.max_body;
        if let Some(len) = resp.content_length().filter(|&l| l > cap) {
            return GetResult::Failed(HttpFail::TooLarge(len));
        }
        match read_capped(resp, cap, started, self.opts.timeout) {
            Ok(body) => GetResult::Response(HttpResponse {
                status,
                headers,
                body: Some(body),
            }),
            Err(e) => GetResult::Failed(e),
        }
    }
}

/// Stream the body, stopping as soon as it passes `cap` or the whole response passes `timeout`
/// (the client's own timeout applies per read, so a server dribbling bytes is caught here).
fn read_capped(
    mut resp: reqwest::blocking::Response,
    cap: u64,
    started: Instant,
    timeout: Duration,
) -> Result<Vec<u8>, HttpFail> {
    let mut body = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match resp.read(&mut buf) {
            Ok(0) => return Ok(body),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(body_error(&e)),
        };
        body.extend_from_slice(&buf[..n]);
        if body.len() as u64 > cap {
            return Err(HttpFail::TooLarge(body.len() as u64));
        }
        if started.elapsed() > timeout {
            return Err(HttpFail::Timeout);
        }
    }
}

/// A failed body read: the whole-response deadline, a connection that broke before the body was
/// complete (a reset, or fewer bytes than Content-Length), or something else. reqwest wraps its
/// error in an `io::Error`, whose `source()` skips the wrapped error, so the chain is walked by hand.
fn body_error(e: &std::io::Error) -> HttpFail {
    use std::io::ErrorKind as K;
    let (mut timed_out, mut cut) = (false, false);
    let mut root = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        root = c.to_string();
        if let Some(r) = c.downcast_ref::<reqwest::Error>() {
            timed_out |= r.is_timeout();
        }
        cur = match c.downcast_ref::<std::io::Error>() {
            Some(io) => {
                timed_out |= io.kind() == K::TimedOut;
                cut |= matches!(
                    io.kind(),
                    K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe
                );
                io.get_ref()
                    .map(|inner| inner as &(dyn std::error::Error + 'static))
            }
            None => c.source(),
        };
    }
    // hyper says so in words when the connection closed before the declared length.
    cut |= root.contains("before message") || root.contains("message length");
    if timed_out || root.contains("timed out") {
        HttpFail::Timeout
    } else if cut {
        HttpFail::Truncated(root)
    } else {
        HttpFail::Other(format!("reading the body: {root}"))
    }
}

fn classify(e: &reqwest::Error) -> HttpFail {
    if e.is_timeout() {
        return HttpFail::Timeout;
    }
    // The chain names the root cause ("connection refused", "tls handshake ...").
    let mut msg = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        msg = s.to_string();
        src = s.source();
    }
    if msg.contains("timed out") {
        HttpFail::Timeout
    } else if e.is_connect() {
        HttpFail::Connect(msg)
    } else {
        HttpFail::Other(msg)
    }
}

/// `base · 2^attempt`, plus up to half of that again at random so many clients do not retry in step.
pub fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16));
    let jitter_range = exp.as_millis() as u64 / 2;
    let jitter = if jitter_range == 0 {
        0
    } else {
        random_u64() % (jitter_range + 1)
    };
    exp + Duration::from_millis(jitter)
}

/// Randomness for jitter without a crate: std seeds every `RandomState` differently.
fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish()
}

/// Retry-After as seconds: either delta-seconds or an HTTP-date (past dates mean 0).
pub fn parse_retry_after(headers: &HeaderMap, now: chrono::DateTime<chrono::Utc>) -> Option<u64> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(secs);
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    Some((at.with_timezone(&chrono::Utc) - now).num_seconds().max(0) as u64)
}

/// Header values from possibly hostile servers, as text.
pub fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn header_value(s: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_addresses() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(is_public_ip(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&h, now), Some(7));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Sat, 01 Jun 2024 12:01:30 GMT"),
        );
        assert_eq!(parse_retry_after(&h, now), Some(90));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Sat, 01 Jun 2024 11:00:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h, now), Some(0));
        h.insert("retry-after", HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h, now), None);
    }

    #[test]
    fn body_read_errors_are_classified_through_wrapped_errors() {
        use std::io::{Error, ErrorKind};
        let reset = Error::new(ErrorKind::ConnectionReset, "connection reset by peer");
        assert_eq!(
            body_error(&reset),
            HttpFail::Truncated("connection reset by peer".into())
        );
        // The kind sits one wrapper down, as when reqwest wraps hyper's error.
        let wrapped = Error::other(Error::new(ErrorKind::TimedOut, "deadline"));
        assert_eq!(body_error(&wrapped), HttpFail::Timeout);
        // hyper names a short body only in words.
        let short = Error::other("end of file before message length reached");
        assert_eq!(
            body_error(&short),
            HttpFail::Truncated("end of file before message length reached".into())
        );
        let other = Error::other("invalid chunk size");
        assert_eq!(
            body_error(&other),
            HttpFail::Other("reading the body: invalid chunk size".into())
        );
    }

    #[test]
    fn backoff_grows_with_bounded_jitter() {
        let base = Duration::from_millis(100);
        for attempt in 0..4 {
            let exp = 100u64 << attempt;
            let d = backoff(base, attempt).as_millis() as u64;
            assert!((exp..=exp + exp / 2).contains(&d), "{attempt}: {d}");
        }
    }
}
