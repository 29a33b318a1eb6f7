//! Start points → article URLs: RSS/Atom feeds (feed-rs) and sitemaps, including sitemap indexes,
//! gzipped sitemaps and Google News sitemaps. Links are followed to articles, never beyond.

use std::io::Read;

use chrono::{DateTime, NaiveDate, Utc};
use reqwest::Url;

/// One article URL found in a feed or sitemap, with the date the source gives for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub url: String,
    /// Publication or last-modification date: decides what is new.
    pub date: Option<DateTime<Utc>>,
}

/// What a sitemap file holds: article entries, or (an index) more sitemaps.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sitemap {
    pub entries: Vec<Entry>,
    pub sitemaps: Vec<String>,
}

/// The sitemap protocol caps a file at 50,000 URLs; more is a broken or hostile file.
const MAX_SITEMAP_URLS: usize = 50_000;
/// Gzipped sitemaps inflate to at most 50 MB by the protocol.
const MAX_SITEMAP_BYTES: u64 = 50 << 20;

/// Article links of an RSS or Atom feed, relative links resolved against the feed URL.
pub fn parse_feed(bytes: &[u8], base: &Url) -> Result<Vec<Entry>, String> {
    let feed = feed_rs::parser::parse(bytes).map_err(|e| format!("not an RSS/Atom feed: {e}"))?;
    Ok(feed
        .entries
        .into_iter()
        .filter_map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())?;
            let url = base.join(link.href.trim()).ok()?;
            Some(Entry {
                url: url.to_string(),
                date: e.published.or(e.updated),
            })
        })
        .collect())
}

/// A sitemap (`<urlset>`) or sitemap index (`<sitemapindex>`), plain or gzipped.
pub fn parse_sitemap(bytes: &[u8], base: &Url) -> Result<Sitemap, String> {
    let inflated;
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_SITEMAP_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip: {e}"))?;
        if out.len() as u64 > MAX_SITEMAP_BYTES {
            return Err("sitemap inflates past 50 MB".into());
        }
        inflated = out;
        &inflated[..]
    } else {
        bytes
    };
    let text = std::str::from_utf8(bytes).map_err(|e| format!("sitemap is not UTF-8: {e}"))?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Sitemap::default();
    let mut root: Option<String> = None;
    // Path of element local names, and the fields of the <url>/<sitemap> being read.
    let mut path: Vec<String> = Vec::new();
    let mut loc = String::new();
    let mut date: Option<DateTime<Utc>> = None;
    let mut news_date: Option<DateTime<Utc>> = None;
    let mut buf = String::new();
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("bad XML at byte {}: {e}", reader.buffer_position()))?;
        use quick_xml::events::Event;
        match ev {
            Event::Start(s) => {
                let name = s.local_name().as_ref().to_string();
                if root.is_none() {
                    root = Some(name.clone());
                }
                if matches!(name.as_str(), "url" | "sitemap") {
                    loc.clear();
                    date = None;
                    news_date = None;
                }
                path.push(name);
                buf.clear();
            }
            Event::Text(t) => buf.push_str(&t.xml10_content()),
            Event::CData(t) => buf.push_str(&t.into_inner()),
            Event::GeneralRef(r) => {
                let raw = format!("&{};", r.xml10_content());
                buf.push_str(&quick_xml::escape::unescape(&raw).unwrap_or_default());
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                match name.as_str() {
                    "loc" => loc = buf.trim().to_string(),
                    "lastmod" => date = parse_w3c_datetime(buf.trim()),
                    "publication_date" => news_date = parse_w3c_datetime(buf.trim()),
                    "url" | "sitemap" => {
                        if out.entries.len() + out.sitemaps.len() >= MAX_SITEMAP_URLS {
                            break;
                        }
                        if let Ok(u) = base.join(&loc) {
                            if name == "sitemap" {
                                out.sitemaps.push(u.to_string());
                            } else {
                                out.entries.push(Entry {
                                    url: u.to_string(),
                                    // A news sitemap's publication date is the article's own date.
                                    date: news_date.or(date),
                                });
                            }
                        }
                    }
                    _ => {}
                }
                buf.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match root.as_deref() {
        Some("urlset" | "sitemapindex") => Ok(out),
        Some(other) => Err(format!(
            "not a sitemap: root element <{other}>, expected <urlset> or <sitemapindex>"
        )),
        None => Err("not a sitemap: no root element".into()),
    }
}

/// W3C datetime as sitemaps use it: `2024-06-01`, `2024-06-01T10:00:00+02:00`, or without seconds.
pub fn parse_w3c_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://news.test/feeds/main.xml").unwrap()
    }

    #[test]
    fn rss_links_and_dates() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>a</title><link>/news/a.html</link><pubDate>Mon, 05 Feb 2024 09:00:00 GMT</pubDate></item>
<item><title>b</title><link>http://other.test/b</link></item></channel></rss>"#;
        let e = parse_feed(rss, &base()).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].url, "http://news.test/news/a.html");
        assert_eq!(e[0].date, parse_w3c_datetime("2024-02-05T09:00:00Z"));
        assert_eq!(e[1].url, "http://other.test/b");
        assert_eq!(e[1].date, None);
        assert!(parse_feed(b"<html></html>", &base()).is_err());
    }

    #[test]
    fn sitemaps_indexes_and_news() {
        let sm = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://news.test/a?x=1&amp;y=2</loc><lastmod>2024-03-01</lastmod></url>
<url><loc>http://news.test/b</loc><lastmod>2024-01-01</lastmod>
 <news:news><news:publication_date>2024-03-02T10:00:00+02:00</news:publication_date><news:title>B</news:title></news:news></url>
</urlset>"#;
        let s = parse_sitemap(sm, &base()).unwrap();
        assert_eq!(s.sitemaps, Vec::<String>::new());
        assert_eq!(s.entries[0].url, "http://news.test/a?x=1&y=2");
        assert_eq!(
            s.entries[0].date,
            parse_w3c_datetime("2024-03-01T00:00:00Z")
        );
        assert_eq!(
            s.entries[1].date,
            parse_w3c_datetime("2024-03-02T08:00:00Z")
        );

        let idx = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, idx).unwrap();
        let s = parse_sitemap(&gz.finish().unwrap(), &base()).unwrap();
        assert_eq!(s.sitemaps, vec!["http://news.test/s1.xml".to_string()]);
        assert!(parse_sitemap(b"<rss></rss>", &base()).is_err());
    }
}
