//! `crawl.toml` and the flags that mirror it: every setting is optional in both; a flag overrides the
//! file, the file overrides the default. Validation happens once, in [`CrawlConfig::settings`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;

use super::FetchOptions;
use super::crawl::{Mode, RunSettings};

/// The raw settings as written in `crawl.toml` (or given as flags). Durations are `500ms`, `2s`,
/// `5m`, `1h`, `2d`; sizes are bytes or `512KiB`, `8MiB`, `1GiB` (also `KB`/`MB`/`GB`, decimal).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlConfig {
    pub archive: Option<PathBuf>,
    #[serde(default)]
    pub articles: Vec<String>,
    #[serde(default)]
    pub feeds: Vec<String>,
    #[serde(default)]
    pub sitemaps: Vec<String>,
    /// A window (`2d`) back from now, or a date (`2024-06-01`) or RFC 3339 time.
    pub since: Option<String>,
    pub contact: Option<String>,
    pub delay: Option<String>,
    pub concurrency: Option<usize>,
    pub connect_timeout: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub backoff: Option<String>,
    pub max_retry_wait: Option<String>,
    pub max_redirects: Option<usize>,
    pub max_body: Option<toml::Value>,
    pub max_pages: Option<usize>,
    pub max_failure_rate: Option<f64>,
    pub allow_private_addresses: Option<bool>,
    pub report: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub rules: Option<PathBuf>,
    /// Date for pages with no findable publication date (YYYY-MM-DD).
    pub date: Option<String>,
    pub min_confidence: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{0}")]
    Invalid(String),
}

impl CrawlConfig {
    pub fn from_file(path: &Path) -> Result<CrawlConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let mut cfg: CrawlConfig = toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.display().to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        // Relative paths in the file are relative to the file, so cron's working directory does not matter.
        let dir = path.parent().unwrap_or(Path::new("."));
        for p in [
            &mut cfg.archive,
            &mut cfg.report,
            &mut cfg.out,
            &mut cfg.rules,
        ]
        .into_iter()
        .flatten()
        {
            if p.is_relative() {
                *p = dir.join(&*p);
            }
        }
        Ok(cfg)
    }

    /// `self` with every setting `over` has replaced (start-point lists are added).
    pub fn overridden_by(self, over: CrawlConfig) -> CrawlConfig {
        let cat = |mut a: Vec<String>, b: Vec<String>| {
            a.extend(b);
            a
        };
        CrawlConfig {
            archive: over.archive.or(self.archive),
            articles: cat(self.articles, over.articles),
            feeds: cat(self.feeds, over.feeds),
            sitemaps: cat(self.sitemaps, over.sitemaps),
            since: over.since.or(self.since),
            contact: over.contact.or(self.contact),
            delay: over.delay.or(self.delay),
            concurrency: over.concurrency.or(self.concurrency),
            connect_timeout: over.connect_timeout.or(self.connect_timeout),
            timeout: over.timeout.or(self.timeout),
            retries: over.retries.or(self.retries),
            backoff: over.backoff.or(self.backoff),
            max_retry_wait: over.max_retry_wait.or(self.max_retry_wait),
            max_redirects: over.max_redirects.or(self.max_redirects),
            max_body: over.max_body.or(self.max_body),
            max_pages: over.max_pages.or(self.max_pages),
            max_failure_rate: over.max_failure_rate.or(self.max_failure_rate),
            allow_private_addresses: over
                .allow_private_addresses
                .or(self.allow_private_addresses),
            report: over.report.or(self.report),
            out: over.out.or(self.out),
            rules: over.rules.or(self.rules),
            date: over.date.or(self.date),
            min_confidence: over.min_confidence.or(self.min_confidence),
        }
    }

    /// Validate into the settings a run uses.
    pub fn settings(&self, mode: Mode, now: DateTime<Utc>) -> Result<RunSettings, ConfigError> {
        let d = FetchOptions::default();
        let dur = |name: &str, v: &Option<String>, default: Duration| match v {
            Some(s) => parse_duration(s).map_err(|e| ConfigError::Invalid(format!("{name}: {e}"))),
            None => Ok(default),
        };
        let max_body = match &self.max_body {
            None => d.max_body,
            Some(toml::Value::Integer(n)) if *n > 0 => *n as u64,
            Some(toml::Value::String(s)) => {
                parse_size(s).map_err(|e| ConfigError::Invalid(format!("max_body: {e}")))?
            }
            Some(other) => {
                return Err(ConfigError::Invalid(format!(
                    "max_body: expected a size like \"8MiB\", not {other}"
                )));
            }
        };
        let since = match &self.since {
            None => None,
            Some(s) => {
                Some(parse_since(s, now).map_err(|e| ConfigError::Invalid(format!("since: {e}")))?)
            }
        };
        let fallback_date =
            match &self.date {
                None => None,
                Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
                    ConfigError::Invalid(format!("date: expected YYYY-MM-DD ({e})"))
                })?),
            };
        if let Some(r) = self.max_failure_rate
            && !(0.0..=1.0).contains(&r)
        {
            return Err(ConfigError::Invalid(
                "max_failure_rate must be within [0, 1]".into(),
            ));
        }
        if self.concurrency == Some(0) {
            return Err(ConfigError::Invalid(
                "concurrency must be at least 1".into(),
            ));
        }
        if mode == Mode::Crawl {
            if self.archive.is_none() {
                return Err(ConfigError::Invalid(
                    "crawl needs an archive directory (--archive DIR or archive = \"DIR\"): it holds the state between runs".into(),
                ));
            }
            if self.articles.is_empty() && self.feeds.is_empty() && self.sitemaps.is_empty() {
                return Err(ConfigError::Invalid(
                    "nothing to crawl: give feeds, sitemaps or articles (in the config or as --feed/--sitemap/--article)".into(),
                ));
            }
        }
        Ok(RunSettings {
            mode,
            fetch: FetchOptions {
                contact: self.contact.clone(),
                delay: dur("delay", &self.delay, d.delay)?,
                concurrency: self.concurrency.unwrap_or(d.concurrency),
                connect_timeout: dur("connect_timeout", &self.connect_timeout, d.connect_timeout)?,
                timeout: dur("timeout", &self.timeout, d.timeout)?,
                retries: self.retries.unwrap_or(d.retries),
                backoff: dur("backoff", &self.backoff, d.backoff)?,
                max_retry_wait: dur("max_retry_wait", &self.max_retry_wait, d.max_retry_wait)?,
                max_redirects: self.max_redirects.unwrap_or(d.max_redirects),
                max_body,
                allow_private_addresses: self.allow_private_addresses.unwrap_or(false),
            },
            archive: self.archive.clone(),
            articles: self.articles.clone(),
            feeds: self.feeds.clone(),
            sitemaps: self.sitemaps.clone(),
            since,
            max_pages: self.max_pages.unwrap_or(5_000),
            fallback_date,
            max_failure_rate: self.max_failure_rate.unwrap_or(0.2),
        })
    }
}

/// `500ms`, `2s`, `1.5s`, `5m`, `1h`, `2d`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 500ms, 2s, 5m, 1h, 2d"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => return Err(format!("{s:?}: unknown unit (ms, s, m, h, d)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{s:?}: {e}"))
}

/// `1048576`, `512KiB`, `8MiB`, `1GiB`, `500KB`, `8MB`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 8MiB"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "kb" | "k" => 1_000,
        "mb" | "m" => 1_000_000,
        "gb" | "g" => 1_000_000_000,
        _ => return Err(format!("{s:?}: unknown unit (KiB, MiB, GiB, KB, MB, GB)")),
    };
    n.checked_mul(mult)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("{s:?}: out of range"))
}

/// `--since`: a window back from now (`36h`, `2d`), a date, or an RFC 3339 time.
pub fn parse_since(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc())
            .ok_or_else(|| "bad date".to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.with_timezone(&Utc));
    }
    let window = parse_duration(s)
        .map_err(|_| format!("{s:?}: expected a window (2d, 36h), a date or an RFC 3339 time"))?;
    let window = chrono::Duration::from_std(window).map_err(|e| e.to_string())?;
    Ok(now - window)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_sizes_and_windows() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3 weeks").is_err());
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("500KB"), Ok(500_000));
        assert!(parse_size("0").is_err());
        let now = DateTime::parse_from_rfc3339("2024-06-10T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            parse_since("2d", now).unwrap(),
            DateTime::parse_from_rfc3339("2024-06-08T12:00:00Z")
                .unwrap()
                .to_utc()
        );
        assert_eq!(
            parse_since("2024-06-01", now).unwrap(),
            DateTime::parse_from_rfc3339("2024-06-01T00:00:00Z")
                .unwrap()
                .to_utc()
        );
    }

    #[test]
    fn the_sample_config_is_valid() {
        let cfg: CrawlConfig = toml::from_str(include_str!("../../crawl.example.toml")).unwrap();
        let s = cfg.settings(Mode::Crawl, Utc::now()).unwrap();
        assert_eq!(s.fetch.delay, Duration::from_secs(2));
        assert_eq!(s.fetch.max_body, 8 << 20);
        assert_eq!(s.max_failure_rate, 0.2);
    }

    #[test]
    fn flags_override_the_file_and_lists_add_up() {
        let file: CrawlConfig = toml::from_str(
            "archive = \"/a\"\nfeeds = [\"http://x/f\"]\ndelay = \"3s\"\nmax_body = \"1MiB\"\n",
        )
        .unwrap();
        let flags = CrawlConfig {
            delay: Some("0s".into()),
            feeds: vec!["http://y/f".into()],
            ..Default::default()
        };
        let s = file
            .overridden_by(flags)
            .settings(Mode::Crawl, Utc::now())
            .unwrap();
        assert_eq!(s.fetch.delay, Duration::ZERO);
        assert_eq!(s.fetch.max_body, 1 << 20);
        assert_eq!(s.feeds, vec!["http://x/f", "http://y/f"]);
        assert!(toml::from_str::<CrawlConfig>("dealy = \"1s\"").is_err());
        let e = CrawlConfig::default()
            .settings(Mode::Crawl, Utc::now())
            .unwrap_err();
        assert!(e.to_string().contains("archive"), "{e}");
    }
}
