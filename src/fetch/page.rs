//! A fetched page → an [`Article`]: the one seam between fetching and HTML extraction, plus the
//! consent/paywall check that keeps cookie walls and subscription prompts out of the facts.

use chrono::NaiveDate;

use crate::article::Article;

/// Turn an HTML page into an article. The single call site of HTML extraction for fetched and archived
/// pages: main text, title and publication date by [`crate::html::article_from_html`].
pub fn page_to_article(
    bytes: &[u8],
    id: &str,
    source: &str,
    url: Option<&str>,
    charset_hint: Option<&str>,
    fallback_date: Option<NaiveDate>,
) -> Result<Article, String> {
    let opts = crate::html::HtmlOptions {
        fallback_date,
        ..Default::default()
    };
    crate::html::article_from_html(bytes, id, source, url, charset_hint, &opts)
        .map_err(|e| e.to_string())
}

/// The charset named by a Content-Type header value (`text/html; charset=windows-1252`).
pub fn charset_of(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"'))
    })
}

/// Words that make up consent walls and paywalls. Kept short and specific: a news story that
/// mentions a subscription service once is not a paywall.
const WALL_WORDS: &[&str] = &[
    "cookie",
    "consent",
    "subscribe",
    "subscription",
    "subscriber",
    "sign in",
    "log in",
    "paywall",
    "privacy policy",
    "accept all",
    "premium content",
    "continue reading",
];

/// Longest text still considered a possible wall: real articles behind a consent banner are longer.
const WALL_MAX_WORDS: usize = 200;

/// A short text whose sentences are mostly about cookies, consent or subscribing.
pub fn looks_like_wall(text: &str) -> bool {
    if text.split_whitespace().count() > WALL_MAX_WORDS {
        return false;
    }
    let sentences: Vec<String> = text
        .split(['.', '!', '?', '\n'])
        .map(|s| s.trim().to_lowercase())
        .filter(|s| s.split_whitespace().count() >= 2)
        .collect();
    if sentences.is_empty() {
        return false;
    }
    let walled = sentences
        .iter()
        .filter(|s| WALL_WORDS.iter().any(|w| s.contains(w)))
        .count();
    walled * 2 >= sentences.len()
}

/// Visible text of a page, roughly (tags, scripts and styles dropped): for the wall check on pages
/// the extractor gave up on. Decoded as the extractor decodes (same charset rules, same URL hint).
pub fn rough_text(bytes: &[u8], url: Option<&str>, charset_hint: Option<&str>) -> String {
    let tld = url.and_then(crate::html::encoding::url_tld);
    let (html, _, _) = crate::html::encoding::decode(bytes, charset_hint, tld.as_deref());
    // A page too deep for the extractor is too deep to parse here as well (quadratic in html5ever).
    if crate::html::nesting::too_deep(&html, crate::html::MAX_NESTING_WORK).is_some() {
        return String::new();
    }
    let doc = scraper::Html::parse_document(&html);
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        if let Some(t) = node.value().as_text() {
            let skip = node
                .parent()
                .and_then(|p| p.value().as_element())
                .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript"));
            if !skip {
                out.push_str(t);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_reads_text_title_and_date() {
        let html = br#"<html><head><title>Big night</title>
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2024-02-05T01:30:00Z"}</script>
</head><body><nav><a href="/">Home</a></nav><p>Dua Lipa won  Best New Artist.</p><p>Second.</p></body></html>"#;
        let a = page_to_article(html, "u", "s", Some("http://x/"), None, None).unwrap();
        assert_eq!(a.title.as_deref(), Some("Big night"));
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 2, 5).unwrap());
        assert_eq!(a.date_source.as_deref(), Some("json-ld"));
        assert_eq!(a.text, "Dua Lipa won Best New Artist.\n\nSecond.");
    }

    #[test]
    fn windows_1252_from_header_meta_or_guess() {
        let body = b"<meta property=\"article:published_time\" content=\"2024-01-02\"><p>Beyonc\xe9 won.</p>";
        for hint in [Some("windows-1252"), None] {
            let a = page_to_article(body, "u", "s", None, hint, None).unwrap();
            assert_eq!(a.text, "Beyonc\u{e9} won.");
            assert_eq!(a.date_source.as_deref(), Some("meta"));
        }
        assert_eq!(
            charset_of("text/html; charset=\"ISO-8859-1\""),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_of("text/html"), None);
    }

    #[test]
    fn no_date_is_an_error_unless_a_fallback_is_given() {
        let e = page_to_article(b"<p>x</p>", "u", "s", None, None, None).unwrap_err();
        assert!(e.contains("no publication date"), "{e}");
        let d = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let a = page_to_article(b"<p>x</p>", "u", "s", None, None, Some(d)).unwrap();
        assert_eq!(a.date_source.as_deref(), Some("flag"));
    }

    #[test]
    fn rough_text_keeps_visible_text_decoded_as_the_extractor_decodes() {
        // windows-1252 named by the header only (é = E9); scripts and styles are not visible text.
        let page = b"<html><head><style>p{}</style><script>var cookie=1;</script></head><body>\
<p>Caf\xe9 Wire values your privacy.</p><p>We use cookies.</p><p>Accept all or subscribe.</p></body></html>";
        let text = rough_text(page, Some("http://x.test/a"), Some("windows-1252"));
        assert_eq!(
            text,
            "Caf\u{e9} Wire values your privacy.\nWe use cookies.\nAccept all or subscribe.\n"
        );
        // Two of its three sentences are about cookies or subscribing.
        assert!(looks_like_wall(&text));
    }

    #[test]
    fn walls_are_recognised_and_articles_are_not() {
        assert!(looks_like_wall(
            "We value your privacy. We use cookies to improve your experience. Accept all or manage consent. Subscribe to continue reading."
        ));
        assert!(!looks_like_wall(
            "Taylor Swift won Album of the Year at the Grammy Awards. The singer thanked her fans. Subscribers to her newsletter got the news first."
        ));
    }
}
