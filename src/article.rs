//! The article: what every reader produces and every later stage consumes.

use chrono::NaiveDate;
use serde::Serialize;

/// One dated article, ready for extraction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Article {
    /// Stable identifier: the file stem for text files, the `id` field for JSON Lines.
    pub id: String,
    /// Where the article came from: a path, `path:line` for JSON Lines, or the declared source.
    pub source: String,
    /// Optional canonical URL of the article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The article's title, when the source has one (HTML `<title>`/headline, a JSONL `title` field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The article's own publication date; every relative date resolves against it.
    pub date: NaiveDate,
    /// Which signal gave `date`: `header`, `field`, `flag`, `json-ld`, `meta`, `url`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_source: Option<String>,
    /// The article body. Evidence offsets are character offsets into this string.
    pub text: String,
}

/// Parse a date as `YYYY-MM-DD` or as an RFC 3339 timestamp, whose calendar date (in its own offset) is used.
pub fn parse_article_date(s: &str) -> Option<NaiveDate> {
    parse_date_or_timestamp(s.trim()).filter(plausible_article_date)
}

/// `YYYY-MM-DD` or RFC 3339, any year: [`parse_article_date`] before its plausibility check.
fn parse_date_or_timestamp(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.date_naive())
    })
}

/// The years an article's own date may have: digitized archives go back to 1800, and 2200 leaves room
/// for any real date while catching a broken header (year 9999) and keeping relative dates in range.
pub const ARTICLE_YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;

/// News articles are dated within a sane window; anything else is a broken header, not an article of year 9999.
fn plausible_article_date(d: &NaiveDate) -> bool {
    use chrono::Datelike;
    ARTICLE_YEARS.contains(&d.year())
}

/// Why `s` is not an article date: a real date outside [`ARTICLE_YEARS`], or not a date at all.
/// `what` names the field (`date header`, `"date"`); `expected` says what a good one looks like.
pub fn article_date_problem(s: &str, what: &str, expected: &str) -> String {
    let s = s.trim();
    let shown: String = s.chars().take(40).collect();
    match parse_date_or_timestamp(s) {
        Some(_) => format!(
            "{what} {shown:?} is outside the years {}-{} accepted for an article",
            ARTICLE_YEARS.start(),
            ARTICLE_YEARS.end()
        ),
        None => format!("malformed {what} {shown:?}: expected {expected}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_rfc3339_dates() {
        let d = NaiveDate::from_ymd_opt(2023, 11, 6).unwrap();
        assert_eq!(parse_article_date("2023-11-06"), Some(d));
        assert_eq!(parse_article_date("2023-11-06T23:30:00-05:00"), Some(d));
        assert_eq!(parse_article_date("2023-11-06T01:00:00Z"), Some(d));
        assert_eq!(parse_article_date("9999-99-99"), None);
        assert_eq!(parse_article_date("2023-02-30"), None);
        assert_eq!(parse_article_date("yesterday"), None);
    }

    #[test]
    fn a_date_problem_tells_an_implausible_year_from_a_malformed_date() {
        assert_eq!(
            article_date_problem(" 9999-01-01 ", "date header", "YYYY-MM-DD"),
            "date header \"9999-01-01\" is outside the years 1800-2200 accepted for an article"
        );
        assert_eq!(
            article_date_problem("1700-03-01T10:00:00Z", "\"date\"", "YYYY-MM-DD"),
            "\"date\" \"1700-03-01T10:00:00Z\" is outside the years 1800-2200 accepted for an article"
        );
        assert_eq!(
            article_date_problem("2023-02-30", "date header", "YYYY-MM-DD"),
            "malformed date header \"2023-02-30\": expected YYYY-MM-DD"
        );
    }
}
