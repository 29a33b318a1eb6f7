//! A fetch or crawl run: lock the archive, discover article URLs from feeds and sitemaps, decide what
//! is new, fetch politely, archive, extract, emit only facts not emitted before, record the state,
//! and report.
//!
//! Delivery is at least once: state is committed after the facts were delivered (stdout flushed, the
//! output file and the fact store committed), so a run that dies in between emits those facts again
//! next time, never loses them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;

use super::archive::{Archive, PageMeta, sha256_hex};
use super::discover::{self, Entry};
use super::http::header_str;
use super::page::{charset_of, looks_like_wall, page_to_article, rough_text};
use super::store::{PageState, Store, StoreError};
use super::{FetchOptions, Fetcher, Job, Kind, Outcome};
use crate::article::Article;
use crate::fact::FactRecord;
use crate::pipeline::{self, Event, RunOptions};
use crate::reader::ReadEvent;
use crate::rules::RuleSet;

/// `fetch` mines every page it gets; `crawl` mines only what is new and emits each fact once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Fetch,
    Crawl,
}

/// Validated settings of a run (see `config` for where they come from).
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub mode: Mode,
    pub fetch: FetchOptions,
    pub archive: Option<PathBuf>,
    pub articles: Vec<String>,
    pub feeds: Vec<String>,
    pub sitemaps: Vec<String>,
    /// Feed and sitemap entries dated before this are not fetched.
    pub since: Option<DateTime<Utc>>,
    /// At most this many pages are requested per run; the rest wait for the next run.
    pub max_pages: usize,
    /// Date for pages with no findable publication date.
    pub fallback_date: Option<NaiveDate>,
    /// A crawl whose failure rate passes this exits non-zero.
    pub max_failure_rate: f64,
}

/// Errors that stop a run before or after its pages (a page's own failure is in the report).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("another newsfacts run holds the lock {path} ({holder}); not starting")]
    Locked { path: String, holder: String },
    #[error("archive {path}: {source}")]
    Archive {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Client(String),
    #[error("writing records: {0}")]
    Sink(#[source] io::Error),
}

/// One URL's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct PageReport {
    pub url: String,
    pub kind: Kind,
    /// `fetched`, `not_modified`, `unchanged`, `consent_or_paywall`, `skipped`, `failed`.
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// Facts emitted from this page in this run.
    pub facts: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Feeds and sitemaps fetched.
    pub sources: usize,
    /// Article URLs found in feeds and sitemaps.
    pub discovered: usize,
    pub fetched: usize,
    pub not_modified: usize,
    /// Fetched again, same bytes as last time: not mined.
    pub unchanged: usize,
    pub consent_or_paywall: usize,
    pub skipped: usize,
    pub skipped_robots: usize,
    pub failed: usize,
    /// Articles extraction ran on.
    pub articles: usize,
    pub facts_emitted: usize,
    /// Facts found again whose id an earlier run already emitted.
    pub facts_already_emitted: usize,
}

/// The run summary; `--report FILE` writes it as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub mode: Mode,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    pub counts: Counts,
    pub skipped_by_reason: BTreeMap<String, usize>,
    pub failed_by_reason: BTreeMap<String, usize>,
    /// failed / URLs requested (robots refusals and URLs not requested do not count).
    pub failure_rate: f64,
    pub max_failure_rate: f64,
    pub failure_rate_exceeded: bool,
    pub pages: Vec<PageReport>,
}

impl Report {
    /// One line for stderr.
    pub fn summary_line(&self) -> String {
        let by = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let c = &self.counts;
        let mut s = format!(
            "{} fetched, {} not modified, {} unchanged, {} skipped",
            c.fetched, c.not_modified, c.unchanged, c.skipped
        );
        if c.skipped > 0 {
            s += &format!(" ({})", by(&self.skipped_by_reason));
        }
        s += &format!(", {} failed", c.failed);
        if c.failed > 0 {
            s += &format!(" ({})", by(&self.failed_by_reason));
        }
        s += &format!(
            ", {} consent/paywall, {} articles, {} facts emitted",
            c.consent_or_paywall, c.articles, c.facts_emitted
        );
        if c.facts_already_emitted > 0 {
            s += &format!(" ({} already emitted before)", c.facts_already_emitted);
        }
        s + &format!(" in {:.1} s", self.duration_ms as f64 / 1000.0)
    }
}

/// The archive lock: held (an OS file lock, released even if the process dies) for the whole run.
struct RunLock {
    _file: File,
}

fn take_lock(archive: &Archive) -> Result<RunLock, RunError> {
    let path = archive.root().join(".lock");
    let shown = path.display().to_string();
    let mut file = File::options()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|source| RunError::Archive {
            path: shown.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            let holder = holder.trim();
            return Err(RunError::Locked {
                path: shown,
                holder: if holder.is_empty() {
                    "holder unknown".into()
                } else {
                    holder.to_string()
                },
            });
        }
        Err(std::fs::TryLockError::Error(source)) => {
            return Err(RunError::Archive {
                path: shown,
                source,
            });
        }
    }
    let _ = file.set_len(0);
    let _ = writeln!(
        file,
        "pid {}, started {}",
        std::process::id(),
        now_str(Utc::now())
    );
    Ok(RunLock { _file: file })
}

/// What a worker made of one page.
struct PageResult {
    report: PageReport,
    state: PageState,
    article: Option<Article>,
}

fn now_str(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A failed query on the crawl state (`state.sqlite` under the archive).
fn state_error(source: rusqlite::Error) -> StoreError {
    StoreError {
        path: "state.sqlite".into(),
        source,
    }
}

/// Run a fetch or crawl. Facts go to `emit` in page order (a crawl passes only facts no run emitted
/// before); `on_article` first sees every mined article with all its facts, new or not (for a fact
/// store, which replaces a page's facts). `deliver` runs once, after the last fact and before the
/// crawl state is committed: it must make what `emit` and `on_article` took durable (flush stdout,
/// commit the output file and the fact store), so that state saying "emitted" always means
/// delivered, even when the process is killed right after. The report comes back.
pub fn run(
    settings: &RunSettings,
    rules: &RuleSet,
    opts: RunOptions,
    mut emit: impl FnMut(&FactRecord) -> io::Result<()>,
    mut on_article: impl FnMut(&Article, &[FactRecord]) -> io::Result<()>,
    deliver: impl FnOnce() -> io::Result<()>,
) -> Result<Report, RunError> {
    let started = Utc::now();
    let clock = std::time::Instant::now();
    let archive = match &settings.archive {
        Some(root) => Some(Archive::open(root).map_err(|source| RunError::Archive {
            path: root.display().to_string(),
            source,
        })?),
        None => None,
    };
    let _lock = archive.as_ref().map(take_lock).transpose()?;
    let mut store = match &archive {
        Some(a) => Some(Store::open(&a.root().join("state.sqlite"))?),
        None => None,
    };
    if settings.fetch.contact.is_none() {
        tracing::warn!("no --contact given: site owners cannot see who runs this crawler");
    }
    let fetcher = Fetcher::new(settings.fetch.clone()).map_err(RunError::Client)?;
    let mut counts = Counts::default();
    let mut pages: Vec<PageReport> = Vec::new();
    let mut skipped_quiet: BTreeMap<String, usize> = BTreeMap::new();

    // 1. Discovery: feeds and sitemaps (sitemap indexes up to three levels deep).
    let mut entries: Vec<Entry> = Vec::new();
    let mut sources: Vec<Job> = settings
        .feeds
        .iter()
        .map(|u| Job::new(u, Kind::Feed))
        .chain(settings.sitemaps.iter().map(|u| Job::new(u, Kind::Sitemap)))
        .collect();
    let mut visited: HashSet<String> = HashSet::new();
    for _depth in 0..3 {
        sources.retain(|j| visited.insert(j.url.clone()));
        if sources.is_empty() {
            break;
        }
        let results = fetcher.fetch_all(std::mem::take(&mut sources), |job, outcome| {
            discover_one(job, outcome)
        });
        for (report, found, children) in results {
            if report.outcome == "fetched" {
                counts.sources += 1;
            }
            entries.extend(found);
            sources.extend(children.into_iter().map(|u| Job::new(&u, Kind::Sitemap)));
            pages.push(report);
        }
    }
    counts.discovered = entries.len();

    // 2. What to fetch: explicit articles always (conditionally), entries when new or changed.
    let mut seen_urls: HashSet<String> = HashSet::new();
    let mut jobs: Vec<Job> = Vec::new();
    // The stored state of each URL to fetch: validators, content hash, what the new state builds on.
    let mut previous: HashMap<String, PageState> = HashMap::new();
    let explicit = settings.articles.iter().map(|u| (u.clone(), None, true));
    let listed = entries.into_iter().map(|e| (e.url, e.date, false));
    for (url, date, is_explicit) in explicit.chain(listed) {
        if !seen_urls.insert(url.clone()) {
            continue;
        }
        if let (Some(since), Some(d)) = (settings.since, date)
            && d < since
        {
            *skipped_quiet.entry("old".into()).or_default() += 1;
            continue;
        }
        let state = match &store {
            Some(s) => s.page(&url).map_err(state_error)?,
            None => None,
        };
        if settings.mode == Mode::Crawl
            && !is_explicit
            && let Some(st) = &state
            && st.settled()
            && date.is_none_or(|d| now_str(d) <= st.fetched_at)
        {
            *skipped_quiet.entry("seen".into()).or_default() += 1;
            continue;
        }
        if jobs.len() >= settings.max_pages {
            *skipped_quiet.entry("max_pages".into()).or_default() += 1;
            continue;
        }
        let mut job = Job::new(&url, Kind::Page);
        if let Some(st) = state {
            // Validators only help when the archive still has the bytes they stand for.
            if st.content_hash.is_some() {
                job.etag = st.etag.clone();
                job.last_modified = st.last_modified.clone();
            }
            previous.insert(url, st);
        }
        jobs.push(job);
    }

    // 3. Fetch, archive and turn pages into articles on the workers.
    let mut results = fetcher.fetch_all(jobs, |job, outcome| {
        page_result(
            job,
            outcome,
            previous.get(&job.url),
            archive.as_ref(),
            settings,
        )
    });

    // 4. Extract, in page order, emitting only facts no earlier run emitted.
    let mut emitted_now: HashSet<String> = HashSet::new();
    let mut new_facts: Vec<(String, String)> = Vec::new();
    let mut facts_per_page: HashMap<String, usize> = HashMap::new();
    let mut store_error = None;
    let events: Vec<ReadEvent> = results
        .iter_mut()
        .filter_map(|r| r.article.take().map(ReadEvent::Article))
        .collect();
    let summary = pipeline::run(rules, events, opts, |ev| -> io::Result<()> {
        let Event::Article(article, records, _) = ev else {
            return Ok(());
        };
        // Every fact of the page, new or not, for a fact store (which replaces the page's facts).
        on_article(article, &records)?;
        let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let before = match (&store, settings.mode) {
            (Some(s), Mode::Crawl) => match s.emitted(&ids) {
                Ok(set) => set,
                Err(e) => {
                    store_error = Some(e);
                    HashSet::new()
                }
            },
            _ => HashSet::new(),
        };
        for r in &records {
            if settings.mode == Mode::Crawl
                && (before.contains(&r.id) || !emitted_now.insert(r.id.clone()))
            {
                counts.facts_already_emitted += 1;
                continue;
            }
            emit(r)?;
            counts.facts_emitted += 1;
            *facts_per_page.entry(article.id.clone()).or_default() += 1;
            new_facts.push((r.id.clone(), article.id.clone()));
        }
        Ok(())
    })
    .map_err(RunError::Sink)?;
    if let Some(source) = store_error {
        return Err(state_error(source).into());
    }
    counts.articles = summary.articles;
    // A failure here leaves the state as it was: the next run emits these facts again.
    deliver().map_err(RunError::Sink)?;

    // 5. Record state and build the report.
    let finished = Utc::now();
    let mut state_rows = Vec::new();
    for r in results {
        let mut report = r.report;
        report.facts = facts_per_page.get(&report.url).copied().unwrap_or(0);
        let mut st = r.state;
        st.facts_emitted = report.facts as i64;
        state_rows.push((report.url.clone(), st));
        pages.push(report);
    }
    if let Some(s) = store.as_mut() {
        s.commit_run(&state_rows, &new_facts, &now_str(finished))
            .map_err(state_error)?;
    }
    let mut skipped_by_reason = skipped_quiet;
    let mut failed_by_reason = BTreeMap::new();
    let mut requested = 0usize;
    for p in &pages {
        let reason = p.reason.as_deref().unwrap_or_default();
        match p.outcome {
            "fetched" if p.kind == Kind::Page => counts.fetched += 1,
            "not_modified" => counts.not_modified += 1,
            "unchanged" => counts.unchanged += 1,
            "consent_or_paywall" => counts.consent_or_paywall += 1,
            "failed" => {
                counts.failed += 1;
                *failed_by_reason.entry(reason.to_string()).or_default() += 1;
            }
            "skipped" => *skipped_by_reason.entry(reason.to_string()).or_default() += 1,
            _ => {}
        }
        let no_request = p.outcome == "skipped"
            && matches!(reason, "robots" | "bad_url" | "scheme" | "private_address");
        if !no_request {
            requested += 1;
        }
    }
    counts.skipped = skipped_by_reason.values().sum();
    counts.skipped_robots = skipped_by_reason.get("robots").copied().unwrap_or(0);
    let failure_rate = if requested == 0 {
        0.0
    } else {
        counts.failed as f64 / requested as f64
    };
    Ok(Report {
        version: 1,
        mode: settings.mode,
        started_at: now_str(started),
        finished_at: now_str(finished),
        duration_ms: clock.elapsed().as_millis() as u64,
        counts,
        skipped_by_reason,
        failed_by_reason,
        failure_rate,
        max_failure_rate: settings.max_failure_rate,
        failure_rate_exceeded: failure_rate > settings.max_failure_rate,
        pages,
    })
}

fn base_report(job: &Job) -> PageReport {
    PageReport {
        url: job.url.clone(),
        kind: job.kind,
        outcome: "fetched",
        reason: None,
        detail: None,
        status: None,
        final_url: None,
        facts: 0,
    }
}

/// A feed or sitemap: its report line, the article entries, and child sitemaps.
fn discover_one(job: &Job, outcome: Outcome) -> (PageReport, Vec<Entry>, Vec<String>) {
    let mut report = base_report(job);
    match outcome {
        Outcome::Fetched(f) => {
            report.status = Some(200);
            report.final_url = Some(f.final_url.to_string());
            let parsed = match job.kind {
                Kind::Feed => discover::parse_feed(&f.body, &f.final_url).map(|e| (e, Vec::new())),
                _ => {
                    discover::parse_sitemap(&f.body, &f.final_url).map(|s| (s.entries, s.sitemaps))
                }
            };
            match parsed {
                Ok((entries, children)) => {
                    tracing::info!(url = %job.url, entries = entries.len(), sitemaps = children.len(), "discovered");
                    return (report, entries, children);
                }
                Err(e) => {
                    report.outcome = "failed";
                    report.reason = Some("parse".into());
                    report.detail = Some(e);
                }
            }
        }
        other => fill_not_fetched(&mut report, other),
    }
    (report, Vec::new(), Vec::new())
}

/// Outcomes other than a 200, into the report line.
fn fill_not_fetched(report: &mut PageReport, outcome: Outcome) {
    match outcome {
        Outcome::Fetched(_) => {}
        Outcome::NotModified { final_url, .. } => {
            report.outcome = "not_modified";
            report.status = Some(304);
            report.final_url = Some(final_url.to_string());
        }
        Outcome::Skipped {
            reason,
            detail,
            final_url,
        } => {
            report.outcome = "skipped";
            report.reason = Some(reason.into());
            report.detail = Some(detail);
            report.final_url = final_url.map(|u| u.to_string());
        }
        Outcome::Failed {
            reason,
            detail,
            status,
            final_url,
        } => {
            report.outcome = "failed";
            report.reason = Some(reason);
            report.detail = Some(detail);
            report.status = status;
            report.final_url = final_url.map(|u| u.to_string());
        }
    }
}

/// Turn a page outcome into its report line, its new state, and (when it is to be mined) its article.
fn page_result(
    job: &Job,
    outcome: Outcome,
    previous: Option<&PageState>,
    archive: Option<&Archive>,
    settings: &RunSettings,
) -> PageResult {
    let mut report = base_report(job);
    let mut state = PageState {
        fetched_at: now_str(Utc::now()),
        ..previous.cloned().unwrap_or_default()
    };
    let mut article = None;
    match outcome {
        Outcome::Fetched(f) => {
            let final_url = f.final_url.to_string();
            let sha = sha256_hex(&f.body);
            report.status = Some(200);
            report.final_url = Some(final_url.clone());
            state.final_url = Some(final_url.clone());
            state.status = Some(200);
            state.etag = header_str(&f.headers, "etag").map(str::to_string);
            state.last_modified = header_str(&f.headers, "last-modified").map(str::to_string);
            let unchanged = previous.and_then(|p| p.content_hash.as_deref()) == Some(sha.as_str());
            if let Some(a) = archive {
                let meta = PageMeta {
                    sha256: sha.clone(),
                    url: job.url.clone(),
                    final_url: final_url.clone(),
                    fetched_at: now_str(f.fetched_at),
                    status: 200,
                    headers: f
                        .headers
                        .iter()
                        .filter_map(|(k, v)| Some((k.to_string(), v.to_str().ok()?.to_string())))
                        .collect(),
                };
                if let Err(e) = a.put(&f.body, &meta) {
                    report.outcome = "failed";
                    report.reason = Some("archive_write".into());
                    report.detail = Some(format!("archiving the page: {e}"));
                    state.outcome = "failed".into();
                    return PageResult {
                        report,
                        state,
                        article: None,
                    };
                }
            }
            state.content_hash = Some(sha);
            if unchanged && settings.mode == Mode::Crawl {
                report.outcome = "unchanged";
            } else {
                let charset = header_str(&f.headers, "content-type").and_then(charset_of);
                article = mine(
                    &mut report,
                    &f.body,
                    &job.url,
                    &final_url,
                    charset,
                    settings,
                );
            }
        }
        Outcome::NotModified { final_url, headers } => {
            report.outcome = "not_modified";
            report.status = Some(304);
            report.final_url = Some(final_url.to_string());
            // A 304 may carry refreshed validators.
            if let Some(e) = header_str(&headers, "etag") {
                state.etag = Some(e.to_string());
            }
            state.status = Some(304);
            // `fetch` answers for every URL it is given: a 304 is mined from the archived copy.
            if settings.mode == Mode::Fetch
                && let (Some(a), Some(sha)) =
                    (archive, previous.and_then(|p| p.content_hash.clone()))
            {
                match a.get(&sha) {
                    Ok(body) => {
                        let fu = final_url.to_string();
                        article = mine(&mut report, &body, &job.url, &fu, None, settings);
                    }
                    Err(e) => {
                        report.outcome = "failed";
                        report.reason = Some("archive_read".into());
                        report.detail = Some(format!("the archived copy is unreadable: {e}"));
                    }
                }
            }
        }
        other => fill_not_fetched(&mut report, other),
    }
    tracing::info!(
        url = %report.url,
        outcome = report.outcome,
        reason = report.reason.as_deref().unwrap_or(""),
        "page"
    );
    state.outcome = match (report.outcome, report.reason.as_deref()) {
        ("skipped", Some("robots")) => "skipped_robots".into(),
        (o, _) => o.into(),
    };
    PageResult {
        report,
        state,
        article,
    }
}

/// HTML → article, unless the page is a consent wall or paywall (flagged, not mined) or has no
/// article in it (a failure with the extractor's reason).
fn mine(
    report: &mut PageReport,
    body: &[u8],
    id: &str,
    final_url: &str,
    charset: Option<&str>,
    settings: &RunSettings,
) -> Option<Article> {
    match page_to_article(
        body,
        id,
        final_url,
        Some(final_url),
        charset,
        settings.fallback_date,
    ) {
        Ok(a) if looks_like_wall(&a.text) => {
            report.outcome = "consent_or_paywall";
            report.detail =
                Some("short page dominated by cookie/subscription text; not mined".into());
            None
        }
        Ok(a) => Some(a),
        Err(e) => {
            if looks_like_wall(&rough_text(body, Some(final_url), charset)) {
                report.outcome = "consent_or_paywall";
                report.detail = Some("consent or paywall page; not mined".into());
            } else {
                report.outcome = "failed";
                report.reason = Some("extract".into());
                report.detail = Some(e);
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> PageReport {
        base_report(&Job::new("http://x.test/a", Kind::Page))
    }

    #[test]
    fn a_page_without_an_article_is_a_wall_or_an_extraction_failure() {
        let settings = super::super::config::CrawlConfig::default()
            .settings(Mode::Fetch, Utc::now())
            .unwrap();
        // No date anywhere, so extraction gives up; the rough text is still recognised as a wall.
        let wall =
            b"<p>We value your privacy.</p><p>We use cookies.</p><p>Accept all or subscribe.</p>";
        let mut r = report();
        let a = mine(
            &mut r,
            wall,
            "http://x.test/a",
            "http://x.test/a",
            None,
            &settings,
        );
        assert!(a.is_none());
        assert_eq!(r.outcome, "consent_or_paywall");
        assert_eq!(r.reason, None);
        assert_eq!(
            r.detail.as_deref(),
            Some("consent or paywall page; not mined")
        );

        let story = b"<p>Karol G won Best Musica Urbana Album at the Grammys.</p>";
        let mut r = report();
        let a = mine(
            &mut r,
            story,
            "http://x.test/a",
            "http://x.test/a",
            None,
            &settings,
        );
        assert!(a.is_none());
        assert_eq!(r.outcome, "failed");
        assert_eq!(r.reason.as_deref(), Some("extract"));
        assert!(
            r.detail.as_deref().unwrap().contains("no publication date"),
            "{r:?}"
        );
    }
}
