//! Bytes → text for HTML pages: byte-order mark, then the HTTP charset, then a `<meta>` declaration in the
//! first bytes, else UTF-8 when the bytes are valid UTF-8, else a guess by `chardetng`. Decoding never
//! fails: bytes that do not fit the encoding become U+FFFD.

use std::borrow::Cow;
use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How far into the page a `<meta charset>` is looked for (browsers look at 1024 bytes; pages with a
/// long `<head>` of scripts before the meta are common, so a little more).
const PRESCAN_BYTES: usize = 4096;
/// chardetng sees at most this much: enough to decide, bounded for huge pages.
const DETECT_BYTES: usize = 256 * 1024;

/// Which rule chose the encoding (for tests and debugging).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    Bom,
    Http,
    Meta,
    Utf8,
    Detected,
}

/// Decode `bytes` to text; returns the text, the encoding and why it was chosen.
/// `tld` (lower-case ASCII, e.g. `de`) helps the detector for unlabeled legacy pages.
pub fn decode<'a>(
    bytes: &'a [u8],
    charset_hint: Option<&str>,
    tld: Option<&str>,
) -> (Cow<'a, str>, &'static Encoding, EncodingSource) {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text, enc, EncodingSource::Bom);
    }
    let (enc, source) = if let Some(enc) = charset_hint.and_then(label_to_encoding) {
        (enc, EncodingSource::Http)
    } else if let Some(enc) = meta_charset(bytes) {
        (enc, EncodingSource::Meta)
    } else if std::str::from_utf8(bytes).is_ok() {
        (UTF_8, EncodingSource::Utf8)
    } else {
        (detect(bytes, tld), EncodingSource::Detected)
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    (text, enc, source)
}

/// A charset label as HTML treats it: a UTF-16 label in a page that was read as bytes means UTF-8
/// (the page could not have declared itself in ASCII otherwise), `x-user-defined` means windows-1252.
fn label_to_encoding(label: &str) -> Option<&'static Encoding> {
    let enc =
        Encoding::for_label_no_replacement(label.trim().trim_matches(['"', '\'']).as_bytes())?;
    Some(if enc == UTF_16BE || enc == UTF_16LE {
        UTF_8
    } else if enc.name() == "x-user-defined" {
        WINDOWS_1252
    } else {
        enc
    })
}

static META_CHARSET: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(r#"(?i-u)<meta\s[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#)
        .expect("static regex")
});

/// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="text/html; charset=…">` near the top.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    META_CHARSET
        .captures_iter(head)
        .filter_map(|c| c.get(1))
        .filter_map(|m| std::str::from_utf8(m.as_bytes()).ok())
        .find_map(label_to_encoding)
}

fn detect(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let sample = &bytes[..bytes.len().min(DETECT_BYTES)];
    det.feed(sample, sample.len() == bytes.len());
    // chardetng panics on a TLD with non-ASCII bytes, a period or upper case: let only a plain label through.
    let tld = tld.filter(|t| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    det.guess(tld.map(str::as_bytes), chardetng::Utf8Detection::Allow)
}

/// The top-level domain of a URL's host, lower-cased (`https://www.example.de/x` → `de`).
pub fn url_tld(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next()?;
    let tld = host.rsplit('.').next()?.to_ascii_lowercase();
    (!tld.is_empty() && tld.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(tld)
}

#[cfg(test)]
mod tests {
    use super::*;

    // "Café – naïve" in windows-1252: é = E9, – (en dash) = 96, ï = EF.
    const CP1252_BODY: &[u8] = b"<p>Caf\xE9 \x96 na\xEFve</p>";

    #[test]
    fn windows_1252_declared_in_meta() {
        let mut page = b"<html><head><meta charset=\"windows-1252\"></head><body>".to_vec();
        page.extend_from_slice(CP1252_BODY);
        let (text, enc, src) = decode(&page, None, None);
        assert_eq!(enc, WINDOWS_1252);
        assert_eq!(src, EncodingSource::Meta);
        assert!(text.contains("Café – naïve"), "{text}");
    }

    #[test]
    fn windows_1252_http_equiv_and_latin1_label() {
        // iso-8859-1 is windows-1252 for the web (the WHATWG label table).
        let mut page =
            b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">"
                .to_vec();
        page.extend_from_slice(CP1252_BODY);
        let (text, enc, _) = decode(&page, None, None);
        assert_eq!(enc, WINDOWS_1252);
        assert!(text.contains("Café – naïve"));
    }

    #[test]
    fn windows_1252_without_any_declaration_is_detected() {
        let mut page = b"<html><body><p>Le caf\xE9 est ferm\xE9 le lundi. Les \xE9l\xE8ves arrivent \xE0 huit heures.</p>"
            .to_vec();
        page.extend_from_slice(CP1252_BODY);
        let (text, enc, src) = decode(&page, None, Some("fr"));
        assert_eq!(src, EncodingSource::Detected);
        assert_eq!(enc, WINDOWS_1252);
        assert!(text.contains("Le café est fermé"), "{text}");
        assert!(text.contains("Café – naïve"));
    }

    #[test]
    fn bom_beats_http_beats_meta() {
        let page = b"\xEF\xBB\xBF<meta charset=windows-1252><p>caf\xC3\xA9</p>";
        let (text, enc, src) = decode(page, Some("iso-8859-2"), None);
        assert_eq!((enc, src), (UTF_8, EncodingSource::Bom));
        assert!(text.contains("café"));
        let page = b"<meta charset=utf-8><p>caf\xE9</p>";
        let (text, enc, src) = decode(page, Some("windows-1252"), None);
        assert_eq!((enc, src), (WINDOWS_1252, EncodingSource::Http));
        assert!(text.contains("café"));
    }

    #[test]
    fn odd_bytes_and_labels_never_panic() {
        let (text, _, _) = decode(b"\xFF\xFE\xFF", Some("no-such-charset"), Some("DE.x"));
        assert!(!text.is_empty());
        let (_, enc, _) = decode(b"<meta charset=utf-16><p>x</p>", None, None);
        assert_eq!(enc, UTF_8);
        let (_, _, src) = decode(&[0x80, 0x81, 0xC0], None, Some("ÿ"));
        assert_eq!(src, EncodingSource::Detected);
    }

    #[test]
    fn tld_of_urls() {
        assert_eq!(url_tld("https://www.Example.DE/a/b").as_deref(), Some("de"));
        assert_eq!(url_tld("http://user@host.fr:8080/").as_deref(), Some("fr"));
        assert_eq!(url_tld("not a url"), None);
    }
}
