//! robots.txt as RFC 9309 says: fetched once per origin and cached at most 24 hours; a 4xx file means
//! no restrictions, a 5xx or unreachable one means nothing on that origin is crawled; rules are
//! matched by `texting_robots` (longest match wins, allow wins a tie); Crawl-delay raises the
//! per-host delay, never lowers it.

use std::time::{Duration, Instant};

use texting_robots::Robot;

/// RFC 9309 asks crawlers to parse at least 500 KiB; more is ignored.
pub const MAX_ROBOTS_BYTES: usize = 500 * 1024;
/// RFC 9309: a cached robots.txt should not be used for more than 24 hours.
pub const ROBOTS_TTL: Duration = Duration::from_secs(24 * 3600);

/// What robots.txt says about one origin.
pub enum Robots {
    /// No file (4xx) or an empty one: everything allowed.
    AllowAll,
    Rules {
        robot: Box<Robot>,
        crawl_delay: Option<Duration>,
    },
    /// 5xx, unreachable, or unparsable: nothing may be crawled. The reason is reported.
    DisallowAll(String),
}

pub struct CachedRobots {
    pub robots: Robots,
    pub fetched: Instant,
}

impl CachedRobots {
    pub fn fresh(&self) -> bool {
        self.fetched.elapsed() < ROBOTS_TTL
    }
}

/// The verdict for one URL.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Allowed { crawl_delay: Option<Duration> },
    Disallowed,
    Unavailable(String),
}

impl Robots {
    /// Parse a 200 response's body for our product token.
    pub fn parse(token: &str, body: &[u8]) -> Robots {
        let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Robots::AllowAll;
        }
        match Robot::new(token, body) {
            Ok(robot) => {
                let crawl_delay = robot
                    .delay
                    .filter(|d| d.is_finite() && *d > 0.0)
                    .map(|d| Duration::from_secs_f32(d.min(86_400.0)));
                Robots::Rules {
                    robot: Box::new(robot),
                    crawl_delay,
                }
            }
            // Being polite when in doubt: a file we cannot read is not a licence to crawl.
            Err(e) => Robots::DisallowAll(format!("robots.txt could not be parsed: {e}")),
        }
    }

    /// From the status of the robots.txt request (after redirects).
    pub fn from_status(token: &str, status: u16, body: Option<&[u8]>) -> Robots {
        match status {
            200..=299 => Robots::parse(token, body.unwrap_or_default()),
            // 429 is a "slow down", not "no file": treated like a server error, as major crawlers do.
            429 => Robots::DisallowAll("robots.txt answered 429".into()),
            400..=499 => Robots::AllowAll,
            s => Robots::DisallowAll(format!("robots.txt answered {s}")),
        }
    }

    pub fn verdict(&self, url: &str) -> Verdict {
        match self {
            Robots::AllowAll => Verdict::Allowed { crawl_delay: None },
            Robots::Rules { robot, crawl_delay } => {
                if robot.allowed(url) {
                    Verdict::Allowed {
                        crawl_delay: *crawl_delay,
                    }
                } else {
                    Verdict::Disallowed
                }
            }
            Robots::DisallowAll(reason) => Verdict::Unavailable(reason.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &[u8] = b"User-agent: *\nDisallow: /private/\nAllow: /private/press/\nCrawl-delay: 2\n\nUser-agent: otherbot\nDisallow: /\n";

    #[test]
    fn longest_match_wins_and_delay_is_read() {
        let r = Robots::parse("newsfacts", TXT);
        let ok = Verdict::Allowed {
            crawl_delay: Some(Duration::from_secs(2)),
        };
        assert_eq!(r.verdict("http://h/news/a.html"), ok);
        assert_eq!(r.verdict("http://h/private/a.html"), Verdict::Disallowed);
        assert_eq!(r.verdict("http://h/private/press/a.html"), ok);
    }

    #[test]
    fn status_rules() {
        assert!(matches!(
            Robots::from_status("newsfacts", 404, None),
            Robots::AllowAll
        ));
        assert!(matches!(
            Robots::from_status("newsfacts", 403, None),
            Robots::AllowAll
        ));
        for s in [500, 503, 429] {
            assert!(matches!(
                Robots::from_status("newsfacts", s, None).verdict("http://h/x"),
                Verdict::Unavailable(_)
            ));
        }
        assert!(matches!(
            Robots::from_status("newsfacts", 200, Some(b"")),
            Robots::AllowAll
        ));
    }

    #[test]
    fn own_group_applies() {
        let r = Robots::parse("otherbot", TXT);
        assert_eq!(r.verdict("http://h/news/a.html"), Verdict::Disallowed);
    }
}
