//! Polite fetching: URLs → pages, with robots.txt, per-host politeness, retries, conditional requests
//! and a body cap; and the nightly crawl built on it (see [`crawl`]).
//!
//! The HTTP client is reqwest's *blocking* client with rustls: the work is a few hosts fetched one
//! request at a time each, so a small pool of threads (one host per worker) is all the concurrency
//! needed, and it keeps the library free of an async runtime in its API.

pub mod archive;
pub mod config;
pub mod crawl;
pub mod discover;
pub mod http;
pub mod page;
pub mod robots;
pub mod store;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::Url;
use reqwest::header::{self, HeaderMap, HeaderValue};

use http::{GetResult, Http, HttpFail, header_value};
use robots::{CachedRobots, Robots, Verdict};

/// The product token matched against robots.txt `User-agent` lines.
pub const ROBOTS_TOKEN: &str = "newsfacts";

/// Politeness and safety settings of a fetcher.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// A URL (or mail address) where site owners can reach the operator; goes into the User-Agent.
    pub contact: Option<String>,
    /// Minimum time between two requests to one host (robots.txt Crawl-delay may raise it).
    pub delay: Duration,
    /// Hosts fetched in parallel (each host is fetched by one worker at a time).
    pub concurrency: usize,
    pub connect_timeout: Duration,
    /// For the whole response, body included.
    pub timeout: Duration,
    /// Retries after the first attempt, for timeouts, connection errors, 429 and 5xx.
    pub retries: u32,
    /// First retry waits this long (then twice as long each time, plus jitter).
    pub backoff: Duration,
    /// A Retry-After longer than this gives up on the URL instead of stalling the run.
    pub max_retry_wait: Duration,
    pub max_redirects: usize,
    /// Bodies longer than this are abandoned while streaming.
    pub max_body: u64,
    /// Allow loopback, private and link-local addresses (tests; intranet crawls).
    pub allow_private_addresses: bool,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            contact: None,
            delay: Duration::from_secs(1),
            concurrency: 4,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            retries: 2,
            backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(120),
            max_redirects: 5,
            max_body: 8 << 20,
            allow_private_addresses: false,
        }
    }
}

impl FetchOptions {
    /// `newsfacts/0.1.0 (+https://example.org/bot)`.
    pub fn user_agent(&self) -> String {
        let version = env!("CARGO_PKG_VERSION");
        match &self.contact {
            Some(c) => format!("{ROBOTS_TOKEN}/{version} (+{c})"),
            None => format!("{ROBOTS_TOKEN}/{version}"),
        }
    }
}

/// What a URL is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Page,
    Feed,
    Sitemap,
}

/// One URL to fetch, with the validators of its last fetch (for a conditional request).
#[derive(Debug, Clone)]
pub struct Job {
    pub url: String,
    pub kind: Kind,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Job {
    pub fn new(url: &str, kind: Kind) -> Job {
        Job {
            url: url.to_string(),
            kind,
            etag: None,
            last_modified: None,
        }
    }
}

/// A 200 response with its body.
#[derive(Debug)]
pub struct Fetched {
    pub final_url: Url,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub fetched_at: DateTime<Utc>,
}

/// What became of one URL. `reason` keys are stable (they are the report's keys).
#[derive(Debug)]
pub enum Outcome {
    Fetched(Fetched),
    NotModified {
        final_url: Url,
        headers: HeaderMap,
    },
    /// Not fetched, by policy: `robots`, `content_type`, `too_large`, `private_address`, `scheme`, `bad_url`.
    Skipped {
        reason: &'static str,
        detail: String,
        final_url: Option<Url>,
    },
    /// `timeout`, `connect`, `dns`, `http_<status>`, `redirects`, `robots_unavailable`, ...
    Failed {
        reason: String,
        detail: String,
        status: Option<u16>,
        final_url: Option<Url>,
    },
}

const ACCEPT_PAGE: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1";
const ACCEPT_XML: &str =
    "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1";

/// Fetches URLs politely. Shared by all workers of a run.
pub struct Fetcher {
    http: Http,
    opts: FetchOptions,
    robots: Mutex<HashMap<String, Arc<CachedRobots>>>,
    last_request: Mutex<HashMap<String, Instant>>,
    /// Hosts that kept answering 429 (or asked for a Retry-After over the cap), with why: their other
    /// URLs fail at once, so a throttling server costs one URL's retries per run, not every URL's.
    throttled: Mutex<HashMap<String, String>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Politeness is per host and port: one worker, one request at a time, `delay` apart.
fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

impl Fetcher {
    pub fn new(opts: FetchOptions) -> Result<Fetcher, String> {
        Ok(Fetcher {
            http: Http::new(&opts)?,
            opts,
            robots: Mutex::new(HashMap::new()),
            last_request: Mutex::new(HashMap::new()),
            throttled: Mutex::new(HashMap::new()),
        })
    }

    pub fn options(&self) -> &FetchOptions {
        &self.opts
    }

    /// Sleep until `delay` has passed since the last request to this host, then claim the slot.
    fn wait_turn(&self, key: &str, delay: Duration) {
        let last = lock(&self.last_request).get(key).copied();
        if let Some(last) = last {
            let ready = last + delay;
            let now = Instant::now();
            if ready > now {
                std::thread::sleep(ready - now);
            }
        }
        lock(&self.last_request).insert(key.to_string(), Instant::now());
    }

    /// The robots.txt verdict for `url`, fetching robots.txt for its origin when not cached.
    fn robots_verdict(&self, url: &Url) -> Verdict {
        let origin = url.origin().ascii_serialization();
        let cached = lock(&self.robots).get(&origin).cloned();
        let entry = match cached.filter(|c| c.fresh()) {
            Some(c) => c,
            None => {
                let fresh = Arc::new(CachedRobots {
                    robots: self.fetch_robots(url),
                    fetched: Instant::now(),
                });
                lock(&self.robots).insert(origin, fresh.clone());
                fresh
            }
        };
        entry.robots.verdict(url.as_str())
    }

    fn fetch_robots(&self, page: &Url) -> Robots {
        let Ok(mut url) = page.join("/robots.txt") else {
            return Robots::DisallowAll("no robots.txt URL for this origin".into());
        };
        let key = host_key(page);
        // RFC 9309: follow at least five redirects for robots.txt.
        for _ in 0..=5 {
            let before = || self.wait_turn(&key, self.opts.delay);
            let accept_all = |_: &HeaderMap| Ok(());
            match self.http.get(&url, HeaderMap::new(), &accept_all, &before) {
                GetResult::Response(r) if r.status.is_redirection() => {
                    match location(&url, &r.headers) {
                        Some(next) => url = next,
                        None => {
                            return Robots::DisallowAll(
                                "robots.txt redirect without Location".into(),
                            );
                        }
                    }
                }
                GetResult::Response(r) => {
                    return Robots::from_status(ROBOTS_TOKEN, r.status.as_u16(), r.body.as_deref());
                }
                GetResult::Refused { reason, .. } => return Robots::DisallowAll(reason),
                GetResult::Failed(e) => {
                    return Robots::DisallowAll(format!("robots.txt unreachable: {e}"));
                }
            }
        }
        Robots::DisallowAll("robots.txt redirects too often".into())
    }

    /// Fetch one URL: scheme check, robots.txt, politeness wait, the request with retries, redirects
    /// hop by hop (each hop checked again), content-type check before the body is read.
    pub fn fetch(&self, job: &Job) -> Outcome {
        let mut url = match Url::parse(job.url.trim()) {
            Ok(u) => u,
            Err(e) => {
                return Outcome::Skipped {
                    reason: "bad_url",
                    detail: format!("not a URL: {e}"),
                    final_url: None,
                };
            }
        };
        for _hop in 0..=self.opts.max_redirects {
            if !matches!(url.scheme(), "http" | "https") {
                return Outcome::Skipped {
                    reason: "scheme",
                    detail: format!("only http and https are fetched, not {}:", url.scheme()),
                    final_url: Some(url),
                };
            }
            // Before robots.txt, so not even robots.txt is requested from a refused address.
            if let Err(e) = self.http.guard(&url) {
                return failed_outcome(e, url);
            }
            let key = host_key(&url);
            if let Some(why) = lock(&self.throttled).get(&key).cloned() {
                return Outcome::Failed {
                    reason: "throttled".into(),
                    detail: why,
                    status: None,
                    final_url: Some(url),
                };
            }
            let delay = match self.robots_verdict(&url) {
                Verdict::Allowed { crawl_delay } => {
                    crawl_delay.map_or(self.opts.delay, |d| d.max(self.opts.delay))
                }
                Verdict::Disallowed => {
                    return Outcome::Skipped {
                        reason: "robots",
                        detail: "disallowed by robots.txt".into(),
                        final_url: Some(url),
                    };
                }
                Verdict::Unavailable(why) => {
                    return Outcome::Failed {
                        reason: "robots_unavailable".into(),
                        detail: format!("{why}; nothing on this host is fetched"),
                        status: None,
                        final_url: Some(url),
                    };
                }
            };
            let before = || self.wait_turn(&key, delay);
            let kind = job.kind;
            let check = move |h: &HeaderMap| content_type_ok(kind, h);
            let result = self
                .http
                .get(&url, self.request_headers(job), &check, &before);
            let throttled = match &result {
                GetResult::Response(r) if r.status == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                    Some("answered 429 Too Many Requests until the retries ran out".to_string())
                }
                GetResult::Failed(e @ HttpFail::RetryAfterTooLong(_)) => Some(e.to_string()),
                _ => None,
            };
            if let Some(why) = throttled {
                let detail = format!(
                    "{key} is throttling us ({why} for {url}); its other URLs wait for the next run"
                );
                lock(&self.throttled).insert(key.clone(), detail);
            }
            match result {
                GetResult::Failed(e) => return failed_outcome(e, url),
                GetResult::Refused { reason, .. } => {
                    return Outcome::Skipped {
                        reason: "content_type",
                        detail: reason,
                        final_url: Some(url),
                    };
                }
                GetResult::Response(r) if r.status == reqwest::StatusCode::NOT_MODIFIED => {
                    return Outcome::NotModified {
                        final_url: url,
                        headers: r.headers,
                    };
                }
                GetResult::Response(r) if r.status.is_redirection() => {
                    match location(&url, &r.headers) {
                        Some(next) => {
                            tracing::debug!(from = %url, to = %next, "redirect");
                            url = next;
                        }
                        None => {
                            return Outcome::Failed {
                                reason: format!("http_{}", r.status.as_u16()),
                                detail: "redirect without a usable Location".into(),
                                status: Some(r.status.as_u16()),
                                final_url: Some(url),
                            };
                        }
                    }
                }
                GetResult::Response(r) => match r.body {
                    Some(body) => {
                        return Outcome::Fetched(Fetched {
                            final_url: url,
                            headers: r.headers,
                            body,
                            fetched_at: Utc::now(),
                        });
                    }
                    None => {
                        let status = r.status.as_u16();
                        return Outcome::Failed {
                            reason: format!("http_{status}"),
                            detail: format!("HTTP {}", r.status),
                            status: Some(status),
                            final_url: Some(url),
                        };
                    }
                },
            }
        }
        Outcome::Failed {
            reason: "redirects".into(),
            detail: format!("more than {} redirects", self.opts.max_redirects),
            status: None,
            final_url: Some(url),
        }
    }

    fn request_headers(&self, job: &Job) -> HeaderMap {
        let mut h = HeaderMap::new();
        let accept = if job.kind == Kind::Page {
            ACCEPT_PAGE
        } else {
            ACCEPT_XML
        };
        h.insert(header::ACCEPT, HeaderValue::from_static(accept));
        if let Some(v) = job.etag.as_deref().and_then(header_value) {
            h.insert(header::IF_NONE_MATCH, v);
        }
        if let Some(v) = job.last_modified.as_deref().and_then(header_value) {
            h.insert(header::IF_MODIFIED_SINCE, v);
        }
        h
    }

    /// Fetch every job, hosts in parallel (at most `concurrency` at once), each host's URLs one after
    /// the other in the given order. `process` runs on the worker (archiving, HTML parsing); results
    /// come back in job order.
    pub fn fetch_all<T: Send>(
        &self,
        jobs: Vec<Job>,
        process: impl Fn(&Job, Outcome) -> T + Sync,
    ) -> Vec<T> {
        let n = jobs.len();
        let mut groups: Vec<(String, Vec<(usize, Job)>)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, job) in jobs.into_iter().enumerate() {
            let key = Url::parse(job.url.trim())
                .map(|u| host_key(&u))
                .unwrap_or_default();
            let g = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push((i, job));
        }
        let workers = self.opts.concurrency.max(1).min(groups.len());
        let queue: Mutex<VecDeque<Vec<(usize, Job)>>> =
            Mutex::new(groups.into_iter().map(|(_, g)| g).collect());
        let results: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    loop {
                        let Some(group) = lock(&queue).pop_front() else {
                            return;
                        };
                        for (i, job) in group {
                            let outcome = self.fetch(&job);
                            let value = process(&job, outcome);
                            lock(&results)[i] = Some(value);
                        }
                    }
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .flatten()
            .collect()
    }
}

fn location(base: &Url, headers: &HeaderMap) -> Option<Url> {
    let loc = http::header_str(headers, "location")?;
    base.join(loc.trim()).ok()
}

/// Pages must be HTML or XHTML (a missing Content-Type is given the benefit of the doubt); feeds and
/// sitemaps are judged by their parsers.
fn content_type_ok(kind: Kind, headers: &HeaderMap) -> Result<(), String> {
    if kind != Kind::Page {
        return Ok(());
    }
    let Some(ct) = http::header_str(headers, "content-type") else {
        return Ok(());
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if matches!(mime.as_str(), "text/html" | "application/xhtml+xml" | "") {
        Ok(())
    } else {
        Err(format!("content type {mime} is not HTML"))
    }
}

/// A refused address or an oversized body is a policy skip; anything else a failure.
fn failed_outcome(e: HttpFail, url: Url) -> Outcome {
    match e {
        HttpFail::PrivateAddress(_) | HttpFail::TooLarge(_) => Outcome::Skipped {
            reason: e.key(),
            detail: e.to_string(),
            final_url: Some(url),
        },
        other => Outcome::Failed {
            reason: other.key().to_string(),
            detail: other.to_string(),
            status: None,
            final_url: Some(url),
        },
    }
}
