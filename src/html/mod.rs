//! HTML page → [`Article`]: main text, title and publication date from one parse.
//!
//! The bytes are decoded ([`encoding`]), parsed once with `scraper` (html5ever), and walked once into a
//! flat list of elements and text blocks (`dom`). The main text is chosen by readability-style block
//! scoring (`body`), the date by a fixed order of trust ([`date`]), the title from `og:title`, `<h1>` or
//! `<title>`.

mod body;
pub mod date;
mod dom;
pub mod encoding;
pub(crate) mod nesting;

use chrono::NaiveDate;

use crate::article::Article;

/// Options for [`article_from_html`].
#[derive(Debug, Clone, Default)]
pub struct HtmlOptions {
    /// The date used when the page has none (`--date`); `date_source` is then `flag`.
    pub fallback_date: Option<NaiveDate>,
    /// Dates after this are not publication dates (typos, copyright years ahead, event dates).
    /// Default: tomorrow (UTC), so a page published "today" anywhere on Earth still counts.
    pub latest_date: Option<NaiveDate>,
}

/// Why a page gave no article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HtmlError {
    #[error(
        "no publication date found in the page (no JSON-LD, meta, <time>, URL or byline date; pass --date)"
    )]
    NoDate,
    #[error("no main text found in the page")]
    NoText,
    #[error("not an HTML page: {0}")]
    NotHtml(&'static str),
    #[error(
        "elements nested too deeply to parse in bounded time (over {0} levels; a hostile page?); not parsed"
    )]
    TooDeep(usize),
}

/// The most tree-builder work a page may cost, in open-element steps (the nesting depth summed over
/// every tag): a real page needs well under a million (depth 30 × 10 000 tags); 5 000 nested `<div>`s
/// need 12.5 million; this is about half a second of html5ever. A page over it is [`HtmlError::TooDeep`].
pub const MAX_NESTING_WORK: u64 = 50_000_000;

/// Everything read from one page; fields are `None` when the page does not have them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub title: Option<String>,
    pub text: String,
    /// The publication date and the signal that gave it (`json-ld`, `meta`, `time`, `url`, `byline`,
    /// `modified`).
    pub date: Option<(NaiveDate, &'static str)>,
    /// The encoding the bytes were decoded with.
    pub encoding: &'static str,
}

/// Read text, title and date from one page (raw bytes, any encoding). `charset_hint` is the HTTP
/// `Content-Type` charset, if any.
pub fn parse_page(
    bytes: &[u8],
    url: Option<&str>,
    charset_hint: Option<&str>,
    opts: &HtmlOptions,
) -> Result<Page, HtmlError> {
    if bytes.iter().take(1024).filter(|&&b| b == 0).count() > 8
        && encoding_rs::Encoding::for_bom(bytes).is_none()
    {
        return Err(HtmlError::NotHtml("binary data (NUL bytes)"));
    }
    let tld = url.and_then(encoding::url_tld);
    let (text, enc, _) = encoding::decode(bytes, charset_hint, tld.as_deref());
    if let Some(depth) = nesting::too_deep(&text, MAX_NESTING_WORK) {
        return Err(HtmlError::TooDeep(depth));
    }
    let html = scraper::Html::parse_document(&text);
    let doc = dom::walk(&html);
    let title = title(&doc);
    let body = body::extract(&doc, title.as_deref());
    let latest = opts
        .latest_date
        .unwrap_or_else(|| chrono::Utc::now().date_naive() + chrono::Days::new(1));
    let date = date::find(&doc, body.root, url, latest);
    Ok(Page {
        title,
        text: body.text,
        date,
        encoding: enc.name(),
    })
}

/// Parse one HTML page (raw bytes, any encoding) into an [`Article`]: main text, title, publication
/// date and `date_source`. `charset_hint` is the HTTP Content-Type charset, if any. Errors name the
/// reason (no date found, no main text, ...).
pub fn article_from_html(
    bytes: &[u8],
    id: &str,
    source: &str,
    url: Option<&str>,
    charset_hint: Option<&str>,
    opts: &HtmlOptions,
) -> Result<Article, HtmlError> {
    let page = parse_page(bytes, url, charset_hint, opts)?;
    if page.text.trim().is_empty() {
        return Err(HtmlError::NoText);
    }
    let (date, date_source) = match (page.date, opts.fallback_date) {
        (Some((d, s)), _) => (d, s),
        (None, Some(d)) => (d, "flag"),
        (None, None) => return Err(HtmlError::NoDate),
    };
    Ok(Article {
        id: id.to_string(),
        source: source.to_string(),
        url: url.map(str::to_string),
        title: page.title,
        date,
        date_source: Some(date_source.to_string()),
        text: page.text,
    })
}

/// `og:title`, else the first `<h1>`, else `<title>`; a trailing " | Site" / " - Site" is removed.
fn title(doc: &dom::Doc<'_>) -> Option<String> {
    let meta = |key: &str| {
        doc.metas
            .iter()
            .find(|m| m.key == key)
            .map(|m| dom::collapse_ws(m.content))
            .filter(|s| !s.is_empty())
    };
    let raw = meta("og:title")
        .or_else(|| meta("twitter:title"))
        .or_else(|| doc.h1.as_deref().map(dom::collapse_ws))
        .or_else(|| doc.title.clone().filter(|t| !t.is_empty()))?;
    Some(strip_site_suffix(&raw))
}

/// "BTS win big | Music News | Site" → "BTS win big". Only a short last part after a spaced separator
/// is a site name; a title that is all parts is kept whole.
fn strip_site_suffix(t: &str) -> String {
    let mut s = t.trim();
    for sep in [" | ", " – ", " — ", " - ", " :: ", " · ", " » "] {
        while let Some(i) = s.rfind(sep) {
            let (head, tail) = (&s[..i], &s[i + sep.len()..]);
            let tail_words = tail.split_whitespace().count();
            if tail_words <= 4 && head.split_whitespace().count() >= 3 {
                s = head.trim();
            } else {
                break;
            }
        }
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn opts() -> HtmlOptions {
        HtmlOptions {
            fallback_date: None,
            latest_date: Some(d(2030, 1, 1)),
        }
    }

    const BODY: &str = "<article><h1>BTS win big at the awards</h1>\
        <p>BTS won three awards at the ceremony on Sunday night, including Best Group, Best Song and Best Video.</p>\
        <p>The group thanked their fans, known as ARMY, in a long speech that closed the show.</p></article>";

    fn page(head: &str, body: &str) -> String {
        format!("<!doctype html><html><head>{head}</head><body>{body}</body></html>")
    }

    fn date_of(head: &str, body: &str, url: Option<&str>) -> Option<(NaiveDate, &'static str)> {
        parse_page(page(head, body).as_bytes(), url, None, &opts())
            .unwrap()
            .date
    }

    #[test]
    fn jsonld_graph_beats_meta_and_prefers_published() {
        let head = r#"<meta property="article:published_time" content="2023-11-05T10:00:00Z">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebSite","name":"x"},
              {"@type":["NewsArticle"],"dateModified":"2023-11-09T08:00:00Z","datePublished":"2023-11-06T22:15:00-05:00"}]}</script>"#;
        assert_eq!(date_of(head, BODY, None), Some((d(2023, 11, 6), "json-ld")));
        // An array of objects, and a WebPage date only when no article type has one.
        let head = r#"<script type="application/ld+json">[{"@type":"WebPage","datePublished":"2020-01-01"},
            {"@type":"BlogPosting","datePublished":"2023-11-06"}]</script>"#;
        assert_eq!(date_of(head, BODY, None), Some((d(2023, 11, 6), "json-ld")));
    }

    #[test]
    fn meta_keys_by_trust_and_modified_last() {
        let head = r#"<meta name="date" content="2023-01-01"><meta property="article:modified_time" content="2023-12-01">
            <meta property="article:published_time" content="2023-11-06T09:00:00+01:00">"#;
        assert_eq!(date_of(head, BODY, None), Some((d(2023, 11, 6), "meta")));
        let head = r#"<meta property="article:modified_time" content="2023-12-01">"#;
        assert_eq!(
            date_of(head, BODY, None),
            Some((d(2023, 12, 1), "modified"))
        );
        let head = r#"<meta name="sailthru.date" content="Mon, 06 Nov 2023 10:00:00 -0500">"#;
        assert_eq!(date_of(head, BODY, None), Some((d(2023, 11, 6), "meta")));
    }

    #[test]
    fn time_then_url_then_byline() {
        let body = format!(
            "<nav><time datetime=\"2020-02-02\">x</time></nav><div class=\"post\"><time datetime=\"2023-11-06T08:00\">Nov 6</time>{BODY}</div>"
        );
        assert_eq!(
            date_of("", &body, Some("https://x.com/2022/01/02/a")),
            Some((d(2023, 11, 6), "time"))
        );
        assert_eq!(
            date_of("", BODY, Some("https://x.com/2022/01/02/a")),
            Some((d(2022, 1, 2), "url"))
        );
        let body =
            format!("<div><p class=\"byline\">By Kim · Published Nov. 6, 2023</p>{BODY}</div>");
        assert_eq!(date_of("", &body, None), Some((d(2023, 11, 6), "byline")));
        assert_eq!(date_of("", BODY, None), None);
    }

    #[test]
    fn utc_timestamp_near_midnight_takes_the_day_the_page_shows() {
        let ld = |ts: &str| {
            format!(
                r#"<script type="application/ld+json">{{"@type":"NewsArticle","datePublished":"{ts}"}}</script>"#
            )
        };
        let url_6th = Some("https://x.com/2023/11/06/a");
        // 03:00 UTC on the 7th was still the 6th in the Americas, and the URL says the 6th.
        assert_eq!(
            date_of(&ld("2023-11-07T03:00:00Z"), BODY, url_6th),
            Some((d(2023, 11, 6), "json-ld"))
        );
        // Nothing else on the page shows a day: the written day stays.
        assert_eq!(
            date_of(&ld("2023-11-07T03:00:00Z"), BODY, None),
            Some((d(2023, 11, 7), "json-ld"))
        );
        // 10:00 UTC is the same day nearly everywhere, and an offset other than UTC is the publisher's
        // own day: neither moves.
        assert_eq!(
            date_of(&ld("2023-11-07T10:00:00Z"), BODY, url_6th),
            Some((d(2023, 11, 7), "json-ld"))
        );
        assert_eq!(
            date_of(&ld("2023-11-07T03:00:00+01:00"), BODY, url_6th),
            Some((d(2023, 11, 7), "json-ld"))
        );
        // 15:00 UTC on the 6th is already the 7th in East Asia, and the byline says the 7th.
        let body =
            format!("<div><p class=\"byline\">By Kim · Published Nov. 7, 2023</p>{BODY}</div>");
        assert_eq!(
            date_of(&ld("2023-11-06T15:00:00Z"), &body, None),
            Some((d(2023, 11, 7), "json-ld"))
        );
        // The same rule for a meta tag.
        let head = r#"<meta property="article:published_time" content="2023-11-07T03:00:00Z">"#;
        assert_eq!(date_of(head, BODY, url_6th), Some((d(2023, 11, 6), "meta")));
    }

    #[test]
    fn a_date_in_the_text_is_the_last_resort() {
        // Over 200 characters: too long for a byline, so only the last-resort text scan reads it.
        let body = format!(
            "<article>{BODY}<p>The band announced a world tour that starts on 6 November 2023 in Seoul, \
             with further dates across Asia, Europe and the Americas to follow, and tickets for every \
             show, including the new stadium dates added this week, go on sale to members of the fan \
             club first.</p></article>"
        );
        assert_eq!(date_of("", &body, None), Some((d(2023, 11, 6), "text")));
    }

    #[test]
    fn future_dates_are_not_publication_dates() {
        let head = r#"<meta property="article:published_time" content="2031-01-01"><meta name="pubdate" content="2023-11-06">"#;
        assert_eq!(date_of(head, BODY, None), Some((d(2023, 11, 6), "meta")));
    }

    #[test]
    fn boilerplate_is_removed_and_order_kept() {
        let html = page(
            "<title>BTS win big at the awards | Music Site</title>",
            r##"<header><a href="/">Home</a> <a href="/news">News</a></header>
            <nav><ul><li><a href="/a">Pop</a></li><li><a href="/b">Rock</a></li></ul></nav>
            <div class="cookie-banner">We use cookies to improve your experience, and by continuing you accept this.</div>
            <div id="content"><article>
              <h1>BTS win big at the awards</h1>
              <p>BTS won three awards at the ceremony on Sunday night, including Best Group, Best Song and Best Video.</p>
              <div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on X</a></div>
              <h2>A speech for ARMY</h2>
              <p>The group thanked their fans, known as ARMY, in a long speech that closed the show, and promised a tour.</p>
              <ul><li>Best Group</li><li>Best Song</li></ul>
              <blockquote>We love you, ARMY, and we will see you very soon on the road.</blockquote>
              <script>var x = "not text";</script><style>p{}</style>
            </article>
            <aside class="related"><h3>Related</h3><p>Another story about another band that won another award last year, and more.</p></aside>
            <section class="comments"><p>Great article, I totally agree with everything written here, thanks a lot!</p></section></div>
            <footer><p>Copyright 2023 Music Site, all rights reserved, do not copy anything from here.</p></footer>"##,
        );
        let p = parse_page(html.as_bytes(), None, None, &opts()).unwrap();
        assert_eq!(p.title.as_deref(), Some("BTS win big at the awards"));
        assert_eq!(
            p.text,
            "BTS won three awards at the ceremony on Sunday night, including Best Group, Best Song and Best Video.\n\n\
             A speech for ARMY\n\n\
             The group thanked their fans, known as ARMY, in a long speech that closed the show, and promised a tour.\n\n\
             Best Group\n\nBest Song\n\n\
             We love you, ARMY, and we will see you very soon on the road."
        );
    }

    #[test]
    fn article_errors_name_the_reason() {
        let html = page("", BODY);
        let e = article_from_html(html.as_bytes(), "a", "a.html", None, None, &opts()).unwrap_err();
        assert_eq!(e, HtmlError::NoDate);
        let with_flag = HtmlOptions {
            fallback_date: Some(d(2024, 1, 2)),
            ..opts()
        };
        let a = article_from_html(html.as_bytes(), "a", "a.html", None, None, &with_flag).unwrap();
        assert_eq!(
            (a.date, a.date_source.as_deref()),
            (d(2024, 1, 2), Some("flag"))
        );
        let e = article_from_html(
            b"<html><body></body></html>",
            "a",
            "a",
            None,
            None,
            &with_flag,
        )
        .unwrap_err();
        assert_eq!(e, HtmlError::NoText);
        let e = article_from_html(&[0u8; 64], "a", "a", None, None, &with_flag).unwrap_err();
        assert!(matches!(e, HtmlError::NotHtml(_)));
    }

    #[test]
    fn odd_pages_never_panic() {
        // Deep nesting (the walk and the sums are iterative), many sibling paragraphs, bytes of every value.
        let deep = format!(
            "{}<p>{}</p>",
            "<div>".repeat(5000),
            "Deep text, with commas, here. ".repeat(5)
        );
        let p = parse_page(deep.as_bytes(), None, None, &opts()).unwrap();
        assert!(p.text.starts_with("Deep text, with commas, here."));
        let wide =
            "<p>A sibling paragraph that is long enough to count, with a comma.</p>".repeat(3000);
        let p = parse_page(wide.as_bytes(), None, None, &opts()).unwrap();
        assert_eq!(p.text.matches("A sibling paragraph").count(), 3000);
        let noise: Vec<u8> = (1..=255u8).cycle().take(4096).collect();
        assert!(parse_page(&noise, Some("http://x.Y/"), Some("bogus"), &opts()).is_ok());
    }

    #[test]
    fn site_suffixes() {
        assert_eq!(
            strip_site_suffix("BTS win big at the awards | Music Site"),
            "BTS win big at the awards"
        );
        assert_eq!(
            strip_site_suffix("BTS win big - News - Site"),
            "BTS win big"
        );
        assert_eq!(strip_site_suffix("Q&A | Music Site"), "Q&A | Music Site");
    }
}
