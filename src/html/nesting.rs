//! A cheap guard run before the real parse: html5ever's tree builder scans the stack of open elements
//! for many tags ("close a p element in button scope", "has an element in scope"), so its work is
//! about the sum, over all tags, of the nesting depth at that tag: 100 000 nested `<div>`s take
//! minutes. A page whose estimated work exceeds a budget is refused instead of parsed.
//!
//! The depth is estimated with a small model of the tree builder: void elements and raw-text
//! elements (`<script>`…) do not nest, an end tag closes up to its matching open element, a repeated
//! `<p>`/`<li>`/`<td>`… closes its unclosed predecessor, and `/>` closes an element only inside
//! `<svg>`/`<math>` (an HTML start tag like `<div>` breaks out of them, as in the parser). The model
//! errs towards a larger depth than html5ever builds, never a much smaller one.

const VOID: &[&str] = &[
    "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img",
    "input", "keygen", "link", "meta", "param", "source", "track", "wbr",
];
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
];
/// Elements whose end tag may be omitted: a second one closes the first.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "rb",
    "rt", "rp", "rtc",
];
/// HTML start tags that end foreign (`svg`/`math`) content.
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

fn is_in(list: &[&str], name: &str) -> bool {
    list.contains(&name)
}

/// `Some(deepest nesting seen)` when the tree builder's work on `html` (the nesting depth summed
/// over every tag) would exceed `budget`; `None` otherwise. Linear in the length of `html`, plus the
/// budget at worst.
pub(crate) fn too_deep(html: &str, budget: u64) -> Option<usize> {
    let b = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    // Index in `stack` of the outermost open svg/math element, if any.
    let mut foreign: Option<usize> = None;
    let mut work: u64 = 0;
    let mut deepest = 0;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find_ascii_ci(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let start = i;
        while i < b.len() && !matches!(b[i], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>') {
            i += 1;
        }
        let name = html[start..i].to_ascii_lowercase();
        // No `>` left: no further tag can close, and scanning on from every `<` would be quadratic.
        let Some(end) = b[i..].iter().position(|&c| c == b'>').map(|e| i + e) else {
            break;
        };
        let self_closed = b[end - 1] == b'/';
        i = end + 1;
        work += stack.len() as u64 + 1;
        if work > budget {
            return Some(deepest.max(stack.len()));
        }

        if closing {
            if let Some(pos) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(pos);
                if foreign.is_some_and(|f| f >= stack.len()) {
                    foreign = None;
                }
            }
            continue;
        }
        if let Some(f) = foreign
            && is_in(BREAKOUT, &name)
        {
            stack.truncate(f);
            foreign = None;
        }
        if foreign.is_some() && self_closed {
            continue;
        }
        if is_in(VOID, &name) {
            continue;
        }
        if is_in(RAW_TEXT, &name) {
            // Its content is text up to the matching end tag: skip it, tags and all.
            let close = format!("</{name}");
            i = find_ascii_ci(b, i, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if is_in(SELF_CLOSING_SIBLINGS, &name) && stack.last() == Some(&name) {
            stack.pop();
        }
        if foreign.is_none() && (name == "svg" || name == "math") {
            foreign = Some(stack.len());
        }
        stack.push(name);
        deepest = deepest.max(stack.len());
    }
    None
}

/// Where `needle` first occurs at or after `from`, ASCII case ignored.
fn find_ascii_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_of_ordinary_and_hostile_markup() {
        let deep = |tag: &str, n: usize| format!("{}x", format!("<{tag}>").repeat(n));
        // Ten nested divs: 1 + 2 + … + 10 = 55 steps, depth 10.
        assert_eq!(too_deep(&deep("div", 10), 55), None);
        assert_eq!(too_deep(&deep("div", 10), 54), Some(9));
        assert_eq!(too_deep(&deep("div", 11), 55), Some(10));
        // `/>` does not close an HTML element, so it nests…
        assert_eq!(too_deep(&deep("div/", 11), 55), Some(10));
        // …but it does inside svg (50 paths at depth 1, 1 + 50 * 2 + 2 = 103 steps), until an HTML
        // tag breaks out of it.
        let svg = format!("<svg>{}</svg>", deep("path/", 50));
        assert_eq!(too_deep(&svg, 103), None);
        assert!(too_deep(&format!("<svg>{}", deep("div/", 50)), 200).is_some());
        // Closed, void, sibling-closing and raw-text elements do not pile up: work stays linear
        // (here 1 + 2 + 3 + 2 = 8 steps per repeat).
        assert_eq!(too_deep(&"<div><p>a</p></div>".repeat(50), 50 * 8), None);
        assert_eq!(too_deep(&"<br><img src=x><meta a=b>".repeat(50), 150), None);
        let list = format!("<ul>{}</ul>", "<li>item".repeat(50));
        assert_eq!(too_deep(&list, 1 + 2 + 49 * 3 + 3), None);
        assert_eq!(
            too_deep(&format!("<script>{}</SCRIPT>", "<div>".repeat(50)), 2),
            None
        );
        assert_eq!(too_deep(&format!("<!--{}-->", "<div>".repeat(50)), 0), None);
        // Unclosed paragraphs are closed by the end tag of their container.
        assert_eq!(
            too_deep(&"<div><p>a<p>b<span>c</div>".repeat(50), 50 * 13),
            None
        );
        // Hostile: end tags that match nothing, deep down, cost their depth each.
        let stray = format!("{}{}", "<div>".repeat(100), "</p>".repeat(10_000));
        assert!(too_deep(&stray, 100_000).is_some());
    }
}
