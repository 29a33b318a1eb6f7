//! The publication date of a page, from the most trusted signal that has one:
//! JSON-LD `datePublished` → publication meta tags → `<time>` in the article → the URL path → a visible
//! byline. Modification dates are used only when nothing else gives a date.
//!
//! **Which day a timestamp belongs to**: the calendar day written in the timestamp, i.e. its date in its
//! own offset. `2023-11-06T23:30:00-05:00` is 6 November (the publisher's local day, though it is the 7th
//! in UTC) and `2023-11-06T00:30:00Z` is 6 November too. A page's timestamp is written by its publisher,
//! whose offset is the only local time the page knows; converting to UTC or to the reader's zone would
//! move late-evening articles to the next day. Unix epoch numbers (no offset) are read in UTC.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde_json::Value;

use super::dom::{Doc, NONE};

/// The signal that gave the date (`Article::date_source`).
pub const SRC_JSONLD: &str = "json-ld";
pub const SRC_META: &str = "meta";
pub const SRC_TIME: &str = "time";
pub const SRC_URL: &str = "url";
pub const SRC_BYLINE: &str = "byline";
pub const SRC_MODIFIED: &str = "modified";
pub const SRC_TEXT: &str = "text";

/// The earliest plausible publication date of a web page.
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1995, 1, 1).expect("a valid date");

/// Meta keys (name/property/itemprop, lower-cased) that carry the publication date, most trusted first.
const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "published_date",
    "publication_date",
    "publication-date",
    "pubdate",
    "pub_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.published",
    "dc.date.created",
    "dcterms.created",
    "datecreated",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "cxenseparse:recs:publishtime",
    "citation_publication_date",
    "citation_date",
    "rnews:datepublished",
    "bt:pubdate",
    "prism.publicationdate",
    "date_published",
    "article:post_date",
    "dc.date",
    "dcterms.date",
    "date",
    "created",
    "uploaddate",
];
const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
    "revised",
];

/// Day-first or month-first for ambiguous numeric dates like 03/04/2020.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericOrder {
    DayFirst,
    MonthFirst,
}

/// Find the publication date; returns it with the name of the signal.
pub(crate) fn find(
    doc: &Doc<'_>,
    article_root: u32,
    url: Option<&str>,
    latest: NaiveDate,
) -> Option<(NaiveDate, &'static str)> {
    let ok = |d: NaiveDate| d >= EARLIEST && d <= latest;
    let order = NumericOrder::MonthFirst;

    let region = article_region(doc, article_root);
    // A UTC instant does not say which calendar day it was where the page was published. When it is
    // close enough to midnight for the publisher's day to differ (before 08:00 UTC it is still the day
    // before in the Americas; from 14:00 UTC it is the next day in East Asia and Oceania) and the page
    // shows that neighbouring day elsewhere (URL path, byline, title), the shown day wins.
    let settle = |d: NaiveDate, utc_hour: Option<u32>| -> NaiveDate {
        let Some(h) = utc_hour else { return d };
        let shown = || {
            url.and_then(date_from_url)
                .filter(|d| ok(*d))
                .or_else(|| byline_date(doc, region, order, &ok))
        };
        match (h, d.pred_opt(), d.succ_opt()) {
            (0..8, Some(prev), _) if shown() == Some(prev) => prev,
            (14.., _, Some(next)) if shown() == Some(next) => next,
            _ => d,
        }
    };
    let (jsonld_pub, jsonld_mod) = jsonld_dates(doc, order, &ok);
    if let Some((d, utc)) = jsonld_pub {
        return Some((settle(d, utc), SRC_JSONLD));
    }
    let mut best_meta: Option<(usize, NaiveDate, Option<u32>)> = None;
    let mut modified_meta: Option<(usize, NaiveDate)> = None;
    for m in &doc.metas {
        if let Some(rank) = PUBLISHED_META.iter().position(|k| *k == m.key) {
            if best_meta.is_none_or(|(r, _, _)| rank < r)
                && let Some(d) = parse_date_value(m.content, order).filter(|d| ok(*d))
            {
                best_meta = Some((rank, d, utc_hour(m.content)));
            }
        } else if let Some(rank) = MODIFIED_META.iter().position(|k| *k == m.key)
            && modified_meta.is_none_or(|(r, _)| rank < r)
            && let Some(d) = parse_date_value(m.content, order).filter(|d| ok(*d))
        {
            modified_meta = Some((rank, d));
        }
    }
    if let Some((_, d, utc)) = best_meta {
        return Some((settle(d, utc), SRC_META));
    }

    // <time> elements: one marked as the publication time anywhere, else the first one in the article.
    let time_date = |pred: &dyn Fn(&super::dom::TimeEl<'_>) -> bool| {
        doc.times.iter().filter(|t| pred(t)).find_map(|t| {
            parse_date_value(t.datetime, order)
                .filter(|d| ok(*d))
                .map(|d| settle(d, utc_hour(t.datetime)))
        })
    };
    if let Some(d) = time_date(&|t| t.published && !in_junk(doc, t.node, region)).or_else(|| {
        time_date(&|t| !t.modified && doc.contains(region, t.node) && !in_junk(doc, t.node, region))
    }) {
        return Some((d, SRC_TIME));
    }
    if let Some(d) = url.and_then(date_from_url).filter(|d| ok(*d)) {
        return Some((d, SRC_URL));
    }
    if let Some(d) = byline_date(doc, region, order, &ok) {
        return Some((d, SRC_BYLINE));
    }
    if let Some(d) = time_date(&|_| true) {
        return Some((d, SRC_TIME));
    }
    if let Some(d) = jsonld_mod.or(modified_meta.map(|(_, d)| d)) {
        return Some((d, SRC_MODIFIED));
    }
    text_date(doc, region, order, &ok).map(|d| (d, SRC_TEXT))
}

/// The part of the page that belongs to the article: the nearest `<article>`/`<main>` around the chosen
/// text, else the text's parent (its header and byline are usually siblings of the body).
fn article_region(doc: &Doc<'_>, root: u32) -> u32 {
    use super::dom::Tag;
    if root == NONE {
        return NONE;
    }
    let mut a = root;
    while a != NONE {
        if matches!(doc.nodes[a as usize].tag, Tag::Article | Tag::Main) {
            return a;
        }
        a = doc.nodes[a as usize].parent;
    }
    let p = doc.nodes[root as usize].parent;
    if p == NONE { root } else { p }
}

/// Is `node` inside a boilerplate element that is itself inside `region` (or anywhere, for `NONE`)?
fn in_junk(doc: &Doc<'_>, node: u32, region: u32) -> bool {
    let mut a = node;
    while a != NONE && a != region {
        if doc.nodes[a as usize].junk {
            return true;
        }
        a = doc.nodes[a as usize].parent;
    }
    false
}

fn jsonld_dates(
    doc: &Doc<'_>,
    order: NumericOrder,
    ok: &dyn Fn(NaiveDate) -> bool,
) -> (Option<(NaiveDate, Option<u32>)>, Option<NaiveDate>) {
    // (rank, date, utc): rank 0 datePublished of an article-like type, 1 of another type, 2 dateCreated.
    let mut published: Option<(u8, NaiveDate, Option<u32>)> = None;
    let mut modified: Option<NaiveDate> = None;
    for script in &doc.jsonld {
        match serde_json::from_str::<Value>(script.trim()) {
            Ok(v) => walk_jsonld(&v, order, ok, &mut published, &mut modified, 0),
            Err(_) => {
                // Broken JSON (trailing commas, raw newlines in strings) is common: look for the key.
                static KEY: LazyLock<Regex> = LazyLock::new(|| {
                    Regex::new(r#""datePublished"\s*:\s*"([^"]{6,40})""#).expect("static regex")
                });
                if let Some(raw) = KEY.captures(script).and_then(|c| c.get(1))
                    && let Some(d) = parse_date_value(raw.as_str(), order).filter(|d| ok(*d))
                    && published.is_none_or(|(r, _, _)| r > 1)
                {
                    published = Some((1, d, utc_hour(raw.as_str())));
                }
            }
        }
    }
    (published.map(|p| (p.1, p.2)), modified)
}

fn is_article_type(v: &Value) -> bool {
    let t = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("article") || s.contains("posting") || s.contains("report") || s == "review"
    };
    match v.get("@type") {
        Some(Value::String(s)) => t(s),
        Some(Value::Array(a)) => a.iter().any(|x| x.as_str().is_some_and(t)),
        _ => false,
    }
}

fn walk_jsonld(
    v: &Value,
    order: NumericOrder,
    ok: &dyn Fn(NaiveDate) -> bool,
    published: &mut Option<(u8, NaiveDate, Option<u32>)>,
    modified: &mut Option<NaiveDate>,
    depth: u32,
) {
    if depth > 12 {
        return;
    }
    match v {
        Value::Array(items) => {
            for x in items {
                walk_jsonld(x, order, ok, published, modified, depth + 1);
            }
        }
        Value::Object(map) => {
            let article = is_article_type(v);
            let date = |key: &str| {
                let raw = map.get(key).and_then(|x| match x {
                    Value::String(s) => Some(s.as_str()),
                    Value::Array(a) => a.first().and_then(Value::as_str),
                    _ => None,
                })?;
                let d = parse_date_value(raw, order).filter(|d| ok(*d))?;
                Some((d, utc_hour(raw)))
            };
            let mut consider = |rank: u8, d: Option<(NaiveDate, Option<u32>)>| {
                if let Some((d, utc)) = d
                    && published.is_none_or(|(r, _, _)| rank < r)
                {
                    *published = Some((rank, d, utc));
                }
            };
            consider(if article { 0 } else { 1 }, date("datePublished"));
            consider(2, date("dateCreated"));
            if modified.is_none() {
                *modified = date("dateModified").map(|(d, _)| d);
            }
            for (k, x) in map {
                if matches!(x, Value::Object(_) | Value::Array(_)) && k != "publisher" {
                    walk_jsonld(x, order, ok, published, modified, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// A date in a visible byline: elements in the article region marked as date lines by class/id, then
/// short blocks there that say "Published …"/"Posted …", then date lines anywhere, then the `<title>`.
fn byline_date(
    doc: &Doc<'_>,
    region: u32,
    order: NumericOrder,
    ok: &dyn Fn(NaiveDate) -> bool,
) -> Option<NaiveDate> {
    static CUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(published|posted|veröffentlicht|publié|publicado|pubblicato|erschienen|stand|date|datum|on|am|vom)\b")
            .expect("static regex")
    });
    let near = |node: u32| region == NONE || doc.contains(region, node);
    let line = |pred: &dyn Fn(u32) -> bool| {
        doc.date_lines
            .iter()
            .filter(|(n, _)| pred(*n))
            .find_map(|(_, t)| find_in_text(t, order).filter(|d| ok(*d)))
    };
    line(&near)
        .or_else(|| {
            doc.blocks
                .iter()
                .filter(|b| b.chars <= 200 && near(b.node) && CUE.is_match(&b.text))
                .find_map(|b| find_in_text(&b.text, order).filter(|d| ok(*d)))
        })
        .or_else(|| line(&|_| true))
        .or_else(|| {
            doc.title
                .as_deref()
                .and_then(|t| find_in_text(t, order))
                .filter(|d| ok(*d))
        })
}

/// Last resort: the first date written in the article's text, then anywhere in the page's text.
fn text_date(
    doc: &Doc<'_>,
    region: u32,
    order: NumericOrder,
    ok: &dyn Fn(NaiveDate) -> bool,
) -> Option<NaiveDate> {
    let first = |pred: &dyn Fn(u32) -> bool| {
        doc.blocks
            .iter()
            .filter(|b| pred(b.node))
            .find_map(|b| find_in_text(&b.text, order).filter(|d| ok(*d)))
    };
    first(&|n| region != NONE && doc.contains(region, n)).or_else(|| first(&|_| true))
}

/// A date in a URL path: `/2023/11/06/`, `/2023-11-06`, `_20231106`, `/20231106/`.
pub fn date_from_url(url: &str) -> Option<NaiveDate> {
    static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?x)
            [/_.-](?P<y1>(?:19|20)\d{2})[/_.-](?P<m1>\d{1,2})[/_.-](?P<d1>\d{1,2})(?:[/_.-]|$|\D)
          | [/_.-](?P<y2>(?:19|20)\d{2})(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?:[/_.-]|$|[^0-9])
            ",
        )
        .expect("static regex")
    });
    let path = url.split_once("://").map_or(url, |(_, r)| r);
    let path = path.find('/').map_or("", |i| &path[i..]);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    URL_DATE.captures_iter(path).find_map(|c| {
        // Only the groups of the alternative that matched are set.
        let (y, m, d) =
            ymd_groups(&c, ["y1", "m1", "d1"]).or_else(|| ymd_groups(&c, ["y2", "m2", "d2"]))?;
        NaiveDate::from_ymd_opt(y as i32, m, d)
    })
}

/// The number in a named group, if the group took part in the match.
fn group_num(c: &regex::Captures<'_>, name: &str) -> Option<u32> {
    c.name(name)?.as_str().parse().ok()
}

/// The numbers in three named groups (year, month, day), if all three took part in the match.
fn ymd_groups(c: &regex::Captures<'_>, [y, m, d]: [&str; 3]) -> Option<(u32, u32, u32)> {
    Some((group_num(c, y)?, group_num(c, m)?, group_num(c, d)?))
}

/// A date in an attribute or JSON value: an ISO 8601 / RFC 3339 timestamp (the day as written: see the
/// module note), `YYYY/MM/DD`, `YYYYMMDD`, a Unix epoch in seconds or milliseconds, or any form
/// [`find_in_text`] knows.
pub fn parse_date_value(s: &str, order: NumericOrder) -> Option<NaiveDate> {
    static ISO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[^0-9])").expect("static regex")
    });
    static COMPACT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*((?:19|20)\d{2})([01]\d)([0-3]\d)(?:$|[^0-9])").expect("static regex")
    });
    static EPOCH: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*(1\d{9})(\d{3})?\s*$").expect("static regex"));
    let ymd = |c: regex::Captures<'_>| {
        let y = c.get(1)?.as_str().parse().ok()?;
        let m = c.get(2)?.as_str().parse().ok()?;
        let d = c.get(3)?.as_str().parse().ok()?;
        NaiveDate::from_ymd_opt(y, m, d)
    };
    if let Some(c) = ISO.captures(s) {
        return ymd(c);
    }
    if let Some(c) = EPOCH.captures(s) {
        let secs: i64 = c.get(1)?.as_str().parse().ok()?;
        return chrono::DateTime::from_timestamp(secs, 0).map(|t| t.date_naive());
    }
    if let Some(c) = COMPACT.captures(s) {
        return ymd(c);
    }
    find_in_text(s, order)
}

/// The hour of a timestamp written in UTC (`Z`, `+00:00`, `GMT`); `None` for any other offset or none.
fn utc_hour(s: &str) -> Option<u32> {
    static UTC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(\d{1,2}):\d{1,2}(?::\d{1,2}(?:\.\d+)?)?\s*(?:z|[+-]00:?00|utc|gmt)\s*$")
            .expect("static regex")
    });
    UTC.captures(s)?.get(1)?.as_str().parse().ok()
}

/// Month names and abbreviations (English, German, French, Spanish, Italian, Portuguese, Dutch), lower
/// case, January first: the one list both the date regex and [`month_number`] are built from.
const MONTH_WORDS: [&str; 12] = [
    "jan january januar jänner janvier enero ene gennaio gen janeiro januari janv",
    "feb february februar février fevrier févr fev fév febrero febbraio fevereiro februari",
    "mar march märz maerz mars marzo março marco maart mär",
    "apr april avril abril aprile abr avr",
    "may mai mayo maggio maio mei mag",
    "jun june juni juin junio giugno junho giu",
    "jul july juli juillet juil julio luglio julho lug",
    "aug august août aout agosto ago augustus",
    "sep sept september septembre septiembre settembre setembro set",
    "oct october oktober okt octobre octubre ottobre outubro out ott",
    "nov november novembre noviembre novembro",
    "dec december dezember dez décembre decembre déc diciembre dic dicembre dezembro",
];

/// A month word matched by the date regex → 1..12.
fn month_number(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let i = MONTH_WORDS
        .iter()
        .position(|words| words.split(' ').any(|m| m == w))?;
    Some(i as u32 + 1)
}

/// The first date written in free text: `2023-11-06`, `6.11.2023`, `11/06/2023` (see `order`),
/// `Nov. 6, 2023`, `6 November 2023`, `6. November 2023`, `6 de noviembre de 2023`.
pub fn find_in_text(s: &str, order: NumericOrder) -> Option<NaiveDate> {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        let months = MONTH_WORDS.join(" ").replace(' ', "|");
        let pat = format!(
            r"(?ix)
            (?P<iy>(?:19|20)\d{{2}})-(?P<im>[01]?\d)-(?P<id>[0-3]?\d)(?:[^0-9]|$)
          | (?:^|[^0-9.])(?P<gd>[0-3]?\d)\.\s?(?P<gm>[01]?\d)\.\s?(?P<gy>(?:19|20)\d{{2}})(?:[^0-9]|$)
          | (?:^|[^0-9/])(?P<sa>[01]?\d|[0-3]?\d)/(?P<sb>[0-3]?\d)/(?P<sy>(?:19|20)\d{{2}})(?:[^0-9]|$)
          | (?:^|[^0-9/])(?P<ry>(?:19|20)\d{{2}})/(?P<rm>[01]?\d)/(?P<rd>[0-3]?\d)(?:[^0-9]|$)
          | \b(?P<mn>{months})\.?\s+(?P<md>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<my>(?:19|20)\d{{2}})\b
          | \b(?P<dd>[0-3]?\d)(?:st|nd|rd|th|er|º)?\.?\s+(?:de\s+|of\s+)?(?P<dm>{months})\.?,?\s+(?:de\s+)?(?P<dy>(?:19|20)\d{{2}})\b
            "
        );
        Regex::new(&pat).expect("static regex")
    });
    DATE.captures_iter(s).find_map(|c| {
        // Only the groups of the alternative that matched are set. Every alternative requires a year
        // 19xx/20xx, so no further range check is needed.
        let month_named = |[y, m, d]: [&str; 3]| {
            Some((
                group_num(&c, y)?,
                month_number(c.name(m)?.as_str())?,
                group_num(&c, d)?,
            ))
        };
        let (y, m, d) = ymd_groups(&c, ["iy", "im", "id"])
            .or_else(|| ymd_groups(&c, ["gy", "gm", "gd"]))
            .or_else(|| ymd_groups(&c, ["ry", "rm", "rd"]))
            .or_else(|| month_named(["my", "mn", "md"]))
            .or_else(|| month_named(["dy", "dm", "dd"]))
            .or_else(|| {
                let (y, a, b) = ymd_groups(&c, ["sy", "sa", "sb"])?;
                let (m, d) = if a > 12 {
                    (b, a)
                } else if b > 12 {
                    (a, b)
                } else {
                    match order {
                        NumericOrder::MonthFirst => (a, b),
                        NumericOrder::DayFirst => (b, a),
                    }
                };
                Some((y, m, d))
            })?;
        NaiveDate::from_ymd_opt(y as i32, m, d)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    const MF: NumericOrder = NumericOrder::MonthFirst;

    /// Each input with the date expected from it.
    fn check(f: impl Fn(&str) -> Option<NaiveDate>, cases: &[(&str, Option<NaiveDate>)]) {
        for (input, want) in cases {
            assert_eq!(f(input), *want, "{input}");
        }
    }

    #[test]
    fn midnight_rule_keeps_the_written_day() {
        check(
            |s| parse_date_value(s, MF),
            &[
                // 23:30 in New York is 04:30 UTC on the 7th: the publisher's day, the 6th, wins.
                ("2023-11-06T23:30:00-05:00", Some(d(2023, 11, 6))),
                // Just after midnight UTC: still the 6th (in New York it was the evening of the 5th).
                ("2023-11-06T00:30:00Z", Some(d(2023, 11, 6))),
                ("2023-11-06T00:00:00+09:00", Some(d(2023, 11, 6))),
                // Epoch seconds have no offset: UTC. 1699229400 = 2023-11-06T00:10:00Z.
                ("1699229400", Some(d(2023, 11, 6))),
                ("1699229400000", Some(d(2023, 11, 6))),
            ],
        );
    }

    #[test]
    fn value_forms() {
        check(
            |s| parse_date_value(s, MF),
            &[
                ("2023/11/06", Some(d(2023, 11, 6))),
                ("20231106", Some(d(2023, 11, 6))),
                ("2023-11-06 10:00:00", Some(d(2023, 11, 6))),
                ("Mon, 06 Nov 2023 10:00:00 GMT", Some(d(2023, 11, 6))),
                ("2023-02-30", None),
                ("soon", None),
            ],
        );
    }

    #[test]
    fn text_forms() {
        let t = |s| find_in_text(s, MF);
        assert_eq!(t("Published Nov. 6, 2023 at 5pm"), Some(d(2023, 11, 6)));
        assert_eq!(t("Posted on November 6th, 2023"), Some(d(2023, 11, 6)));
        assert_eq!(t("6 November 2023"), Some(d(2023, 11, 6)));
        assert_eq!(t("Veröffentlicht am 6. März 2023"), Some(d(2023, 3, 6)));
        assert_eq!(t("Stand: 06.11.2023, 14:00 Uhr"), Some(d(2023, 11, 6)));
        assert_eq!(t("publié le 6 février 2023"), Some(d(2023, 2, 6)));
        assert_eq!(t("6 de noviembre de 2023"), Some(d(2023, 11, 6)));
        // Numeric with slashes: month first unless the first number cannot be a month.
        assert_eq!(t("11/06/2023"), Some(d(2023, 11, 6)));
        assert_eq!(t("25/06/2023"), Some(d(2023, 6, 25)));
        assert_eq!(
            find_in_text("03/04/2020", NumericOrder::DayFirst),
            Some(d(2020, 4, 3))
        );
        assert_eq!(t("version 1.2.3 of 2023"), None);
        assert_eq!(t("May 2023"), None);
        // Every form needs a year 19xx or 20xx.
        assert_eq!(t("1899-11-06"), None);
    }

    #[test]
    fn every_month_word_is_read_in_either_order_and_any_case() {
        for (i, words) in MONTH_WORDS.iter().enumerate() {
            let want = Some(d(2023, i as u32 + 1, 6));
            for w in words.split(' ') {
                assert_eq!(find_in_text(&format!("6 {w} 2023"), MF), want, "{w}");
                let upper = w.to_uppercase();
                assert_eq!(find_in_text(&format!("{upper}. 6, 2023"), MF), want, "{w}");
            }
        }
    }

    #[test]
    fn url_paths() {
        check(
            date_from_url,
            &[
                ("https://x.com/2023/11/06/bts-wins/", Some(d(2023, 11, 6))),
                ("https://x.com/news/2023-11-06-bts", Some(d(2023, 11, 6))),
                ("https://x.com/a/20231106/b.html", Some(d(2023, 11, 6))),
                ("https://x.com/story_20231106.html", Some(d(2023, 11, 6))),
                // A month without a day is not a publication day; an id that looks like a date but isn't a day.
                ("https://x.com/2023/11/bts-wins", None),
                ("https://x.com/a/20231399/b", None),
                // The host is not the path.
                ("https://2023.11.06.example/", None),
            ],
        );
    }
}
