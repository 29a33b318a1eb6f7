//! One walk over the parsed page: a flat list of elements (preorder, with subtree ends and hints), the
//! page's text cut into blocks (one per paragraph-like element), and the metadata later stages need
//! (meta tags, JSON-LD, `<time>` elements, `<title>`, `<h1>`). Everything after this works on these
//! flat vectors, never on the DOM again.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

pub(crate) const NONE: u32 = u32::MAX;

/// What an element is, as far as scoring cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Div,
    Article,
    Main,
    Section,
    P,
    Heading(u8),
    List,
    Item,
    Quote,
    Pre,
    Table,
    Cell,
    Link,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct ENode {
    pub parent: u32,
    /// One past the last descendant's index: the subtree of `i` is `i..end`.
    pub end: u32,
    pub tag: Tag,
    /// Class/id weight: -1 boilerplate-looking, +1 content-looking, 0 neither.
    pub hint: i8,
    /// Boilerplate by tag or hint (nav, aside, footer, comment box, share bar, ...). Soft: a block of
    /// these that holds most of the article's text is kept anyway.
    pub junk: bool,
}

/// What kind of element a block of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Para,
    Heading(u8),
    Item,
    Quote,
    Pre,
    Cell,
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct Block {
    /// The innermost block-level element holding the text.
    pub node: u32,
    pub kind: Kind,
    pub text: String,
    pub chars: u32,
    pub link_chars: u32,
    /// The nearest soft-junk element enclosing the block (or `NONE`).
    pub junk: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Meta<'a> {
    /// `name`, `property`, `itemprop` or `http-equiv`, lower-cased.
    pub key: String,
    pub content: &'a str,
}

#[derive(Debug, Clone)]
pub(crate) struct TimeEl<'a> {
    pub node: u32,
    pub datetime: &'a str,
    /// `pubdate` attribute, or a class/itemprop saying "published".
    pub published: bool,
    /// A class/itemprop saying "modified"/"updated".
    pub modified: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Doc<'a> {
    pub nodes: Vec<ENode>,
    pub blocks: Vec<Block>,
    pub metas: Vec<Meta<'a>>,
    pub jsonld: Vec<String>,
    pub times: Vec<TimeEl<'a>>,
    pub title: Option<String>,
    /// The text of the first `<h1>` that has any.
    pub h1: Option<String>,
    /// The text of each element whose class/id suggests a date line or byline (short ones only).
    pub date_lines: Vec<(u32, String)>,
}

impl Doc<'_> {
    /// Is node `a` an ancestor of (or the same as) node `b`?
    pub fn contains(&self, a: u32, b: u32) -> bool {
        a != NONE && b != NONE && a <= b && b < self.nodes[a as usize].end
    }
}

/// An element whose content is not walked as page text.
enum Role {
    /// Contents ignored entirely.
    Skip,
    /// Text collected separately, not part of the body: the `<title>`, a JSON-LD script.
    Title,
    JsonLd,
}

fn is_block_level(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "caption"
            | "hr"
            | "figure"
            | "figcaption"
            | "header"
            | "footer"
            | "nav"
            | "aside"
            | "form"
            | "fieldset"
            | "address"
            | "center"
            | "details"
            | "summary"
            | "body"
            | "html"
            | "menu"
            | "dialog"
            | "hgroup"
            | "legend"
    )
}

fn tag_of(name: &str) -> Tag {
    match name {
        "div" => Tag::Div,
        "article" => Tag::Article,
        "main" => Tag::Main,
        "section" => Tag::Section,
        "p" => Tag::P,
        "h1" => Tag::Heading(1),
        "h2" => Tag::Heading(2),
        "h3" => Tag::Heading(3),
        "h4" => Tag::Heading(4),
        "h5" => Tag::Heading(5),
        "h6" => Tag::Heading(6),
        "ul" | "ol" | "dl" => Tag::List,
        "li" | "dd" | "dt" => Tag::Item,
        "blockquote" => Tag::Quote,
        "pre" => Tag::Pre,
        "table" => Tag::Table,
        "td" | "th" => Tag::Cell,
        "a" => Tag::Link,
        _ => Tag::Other,
    }
}

/// Elements whose content is never article text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "select"
            | "option"
            | "button"
            | "textarea"
            | "label"
            | "input"
    )
}

fn is_junk_tag(name: &str) -> bool {
    matches!(
        name,
        "nav" | "aside" | "footer" | "header" | "figure" | "figcaption" | "menu" | "dialog"
    )
}

/// Boilerplate words that win even against a content word ("article-comments" is comments).
const STRONG_NEGATIVE: &[&str] = &[
    "comment",
    "related",
    "sharing",
    "social",
    "newsletter",
    "subscri",
    "cookie",
    "consent",
    "gdpr",
    "promo",
    "sidebar",
    "outbrain",
    "taboola",
    "recommend",
    "advert",
    "sponsor",
    "disqus",
    "paywall",
    "trending",
    "popular",
    "mostread",
    "most-read",
    "signup",
    "newsbox",
    "teaser",
];
/// Boilerplate words that a content word overrides ("article-header" is part of the article).
const WEAK_NEGATIVE: &[&str] = &[
    "footer",
    "header",
    "masthead",
    "banner",
    "breadcrumb",
    "pagination",
    "pager",
    "popup",
    "modal",
    "widget",
    "toolbar",
    "byline",
    "author",
    "caption",
    "copyright",
    "skip",
];
/// Whole class tokens (or their prefixes) that mean boilerplate; short, so matched per token.
const TOKEN_NEGATIVE: &[&str] = &[
    "nav", "menu", "share", "ad", "ads", "tags", "tag", "print", "meta", "hidden",
];
const POSITIVE: &[&str] = &[
    "article", "content", "entry", "story", "main", "body", "text", "post", "prose", "blog",
];
const DATE_HINTS: &[&str] = &[
    "date",
    "time",
    "byline",
    "publish",
    "posted",
    "dateline",
    "meta",
    "datum",
    "author",
    "info",
    "created",
    "stamp",
    "submitted",
];

/// One automaton over every hint word; pattern ids map back to their list.
static HINTS: std::sync::LazyLock<(aho_corasick::AhoCorasick, Vec<u8>)> =
    std::sync::LazyLock::new(|| {
        let lists: [(&[&str], u8); 4] = [
            (STRONG_NEGATIVE, STRONG),
            (WEAK_NEGATIVE, WEAK),
            (POSITIVE, POS),
            (DATE_HINTS, DATE),
        ];
        let mut words = Vec::new();
        let mut kinds = Vec::new();
        for (list, kind) in lists {
            for w in list {
                words.push(*w);
                kinds.push(kind);
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&words)
            .expect("static hint words");
        (ac, kinds)
    });
const STRONG: u8 = 1;
const WEAK: u8 = 2;
const POS: u8 = 4;
const DATE: u8 = 8;

/// -1, 0 or +1 for a class/id string, and whether it looks like a date line.
fn class_hint(s: &str) -> (i8, bool) {
    if s.is_empty() {
        return (0, false);
    }
    let (ac, kinds) = &*HINTS;
    let mut found = 0u8;
    for m in ac.find_overlapping_iter(s) {
        found |= kinds[m.pattern().as_usize()];
    }
    let date = found & DATE != 0;
    if found & STRONG != 0 {
        return (-1, date);
    }
    let token_neg = s.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| {
        TOKEN_NEGATIVE.iter().any(|h| {
            t.eq_ignore_ascii_case(h)
                || (h.len() >= 3
                    && t.len() <= h.len() + 4
                    && t.len() >= h.len()
                    && t[..h.len()].eq_ignore_ascii_case(h))
        })
    });
    let weak = token_neg || found & WEAK != 0;
    let positive = found & POS != 0;
    match (weak, positive) {
        (true, false) => (-1, date),
        (false, true) => (1, date),
        _ => (0, date),
    }
}

/// Collects text of the current block with whitespace collapsed.
#[derive(Default)]
struct TextBuf {
    text: String,
    chars: u32,
    link_chars: u32,
    pre: u32,
}

impl TextBuf {
    fn push(&mut self, s: &str, in_link: bool) {
        let mut added = 0u32;
        if self.pre > 0 {
            self.text.push_str(s);
            added = s.chars().count() as u32;
        } else {
            for c in s.chars() {
                if c.is_whitespace() {
                    if !self.text.is_empty() && !self.text.ends_with([' ', '\n']) {
                        self.text.push(' ');
                    }
                } else {
                    self.text.push(c);
                    added += 1;
                }
            }
        }
        self.chars += added;
        if in_link {
            self.link_chars += added;
        }
    }

    fn newline(&mut self) {
        while self.text.ends_with(' ') {
            self.text.pop();
        }
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }
}

fn kind_of(tag: Tag) -> Kind {
    match tag {
        Tag::P => Kind::Para,
        Tag::Heading(l) => Kind::Heading(l),
        Tag::Item => Kind::Item,
        Tag::Quote => Kind::Quote,
        Tag::Pre => Kind::Pre,
        Tag::Cell => Kind::Cell,
        _ => Kind::Other,
    }
}

struct Walker<'a> {
    doc: Doc<'a>,
    buf: TextBuf,
    /// Open block-level elements (the innermost owns the text being collected).
    owners: Vec<u32>,
    /// Open elements, innermost last, with their DOM ids (to pair closing tags with what was opened).
    open: Vec<(u32, ego_tree::NodeId)>,
    junk: Vec<u32>,
    /// Open date-line elements and where their text starts in `hint_text`.
    date_hint: Vec<(u32, usize)>,
    hint_text: String,
    link_depth: u32,
}

impl<'a> Walker<'a> {
    fn flush(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        self.buf.pre = buf.pre;
        let text = buf.text.trim();
        if text.is_empty() || buf.chars == 0 {
            return;
        }
        let node = self.owners.last().copied().unwrap_or(NONE);
        let kind = if node == NONE {
            Kind::Other
        } else {
            kind_of(self.doc.nodes[node as usize].tag)
        };
        self.doc.blocks.push(Block {
            node,
            kind,
            text: text.to_string(),
            chars: buf.chars,
            link_chars: buf.link_chars,
            junk: self.junk.last().copied().unwrap_or(NONE),
        });
    }
}

/// Walk the whole document once.
pub(crate) fn walk(html: &Html) -> Doc<'_> {
    let mut w = Walker {
        doc: Doc::default(),
        buf: TextBuf::default(),
        owners: Vec::new(),
        open: Vec::new(),
        junk: Vec::new(),
        date_hint: Vec::new(),
        hint_text: String::new(),
        link_depth: 0,
    };
    // While inside a skipped or captured element: its node id, what to do with its text, and the text.
    let mut skip: Option<(ego_tree::NodeId, Role)> = None;
    let mut captured = String::new();
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if let Some((_, role)) = &skip {
                    if let (Role::Title | Role::JsonLd, Node::Text(t)) = (role, node.value()) {
                        captured.push_str(t);
                    }
                    continue;
                }
                match node.value() {
                    Node::Text(t) => {
                        let in_link = w.link_depth > 0;
                        w.buf.push(t, in_link);
                        if !w.date_hint.is_empty() && w.hint_text.len() < 4096 {
                            w.hint_text.push_str(t);
                        }
                    }
                    Node::Element(el) => {
                        let name = el.name();
                        if let Some(role) = open_element(&mut w, el, name, node.id()) {
                            skip = Some((node.id(), role));
                            captured.clear();
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some((id, role)) = &skip {
                    if *id == node.id() {
                        match role {
                            Role::Title if w.doc.title.is_none() => {
                                w.doc.title = Some(collapse_ws(&captured));
                            }
                            Role::JsonLd => w.doc.jsonld.push(std::mem::take(&mut captured)),
                            _ => {}
                        }
                        skip = None;
                    }
                    continue;
                }
                if let Node::Element(el) = node.value() {
                    close_element(&mut w, el.name(), node.id());
                }
            }
        }
    }
    w.flush();
    w.doc
}

/// Handle an opening tag; returns a role when the element's content is not walked normally.
fn open_element<'a>(
    w: &mut Walker<'a>,
    el: &'a scraper::node::Element,
    name: &str,
    id: ego_tree::NodeId,
) -> Option<Role> {
    let mut class_id = String::new();
    let mut meta_key: Option<&'a str> = None;
    let mut content: Option<&'a str> = None;
    let mut datetime: Option<&'a str> = None;
    let mut itemprop: Option<&'a str> = None;
    let mut script_type: Option<&'a str> = None;
    let mut pubdate = false;
    let mut title_attr: Option<&'a str> = None;
    let mut hidden = false;
    let mut role_hint: i8 = 0;
    for (qn, value) in &el.attrs {
        let v: &'a str = value;
        match &*qn.local {
            "class" | "id" => {
                class_id.push_str(v);
                class_id.push(' ');
            }
            "name" | "property" | "http-equiv" => meta_key = meta_key.or(Some(v)),
            "itemprop" => itemprop = Some(v),
            "content" => content = Some(v),
            "datetime" => datetime = Some(v),
            "type" => script_type = Some(v),
            "title" => title_attr = Some(v),
            "pubdate" => pubdate = true,
            "hidden" => hidden = true,
            "style" => {
                let s: String = v
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                if s.contains("display:none") || s.contains("visibility:hidden") {
                    hidden = true;
                }
            }
            "role" => {
                role_hint = match v {
                    "navigation" | "banner" | "contentinfo" | "complementary" | "search"
                    | "dialog" | "menu" | "menubar" | "alert" | "alertdialog" => -1,
                    "main" | "article" => 1,
                    _ => 0,
                }
            }
            _ => {}
        }
    }

    match name {
        "meta" => {
            if let (Some(k), Some(c)) = (meta_key.or(itemprop), content) {
                w.doc.metas.push(Meta {
                    key: meta_key_name(k),
                    content: c,
                });
            }
            return None;
        }
        "title" if w.doc.title.is_none() => {
            return Some(Role::Title);
        }
        "script" => {
            return Some(
                if script_type.is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
                {
                    Role::JsonLd
                } else {
                    Role::Skip
                },
            );
        }
        _ => {}
    }
    // Microdata on any element: <span itemprop="datePublished" content="…"> is as good as a meta tag.
    if let Some(ip) = itemprop
        && let Some(v) = content.or(datetime)
    {
        w.doc.metas.push(Meta {
            key: meta_key_name(ip),
            content: v,
        });
    }
    if is_skipped(name) || (hidden && name != "body" && name != "html") {
        return Some(Role::Skip);
    }

    let idx = w.doc.nodes.len() as u32;
    let parent = w.open.last().map_or(NONE, |o| o.0);
    let (mut hint, date) = class_hint(&class_id);
    if role_hint != 0 {
        hint = role_hint;
    }
    if itemprop.is_some_and(|p| p.eq_ignore_ascii_case("articleBody")) {
        hint = 1;
    }
    let tag = tag_of(name);
    let block = is_block_level(name);
    let junk = is_junk_tag(name) || hint < 0;
    if name == "time"
        && let Some(dt) = datetime.or(content)
    {
        let lower = (class_id.clone() + itemprop.unwrap_or("")).to_ascii_lowercase();
        w.doc.times.push(TimeEl {
            node: idx,
            datetime: dt,
            published: pubdate || lower.contains("publish") || lower.contains("created"),
            modified: lower.contains("modif") || lower.contains("updated"),
        });
    }
    if block {
        w.flush();
    }
    w.doc.nodes.push(ENode {
        parent,
        end: idx + 1,
        tag,
        hint,
        junk,
    });
    w.open.push((idx, id));
    if block {
        w.owners.push(idx);
    }
    if junk {
        w.junk.push(idx);
    }
    if date {
        // <span class="date" title="2020-09-20T14:20:02Z">3 hours ago</span>: the title is the date.
        if let Some(t) =
            title_attr.filter(|t| t.len() <= 64 && t.bytes().any(|b| b.is_ascii_digit()))
        {
            w.doc.date_lines.push((idx, t.to_string()));
        }
        w.date_hint.push((idx, w.hint_text.len()));
    } else if !w.date_hint.is_empty() && block {
        w.hint_text.push(' ');
    }
    match name {
        "a" => w.link_depth += 1,
        "br" => w.buf.newline(),
        "pre" => w.buf.pre += 1,
        _ => {}
    }
    None
}

fn close_element(w: &mut Walker<'_>, name: &str, id: ego_tree::NodeId) {
    // Some elements (meta) never pushed a node; only close what was opened.
    let Some(&(idx, open_id)) = w.open.last() else {
        return;
    };
    if open_id != id {
        return;
    }
    w.doc.nodes[idx as usize].end = w.doc.nodes.len() as u32;
    if is_block_level(name) {
        w.flush();
        if w.owners.last() == Some(&idx) {
            w.owners.pop();
        }
    }
    if name == "h1" && w.doc.h1.is_none() {
        // The heading's blocks are the last ones pushed.
        let blocks = &w.doc.blocks;
        let start = blocks
            .iter()
            .rposition(|b| !w.doc.contains(idx, b.node))
            .map_or(0, |i| i + 1);
        let joined = blocks[start..]
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if !joined.is_empty() {
            w.doc.h1 = Some(joined);
        }
    }
    match name {
        "a" => w.link_depth = w.link_depth.saturating_sub(1),
        "pre" => w.buf.pre = w.buf.pre.saturating_sub(1),
        _ => {}
    }
    w.open.pop();
    if w.junk.last() == Some(&idx) {
        w.junk.pop();
    }
    if let Some(&(h, start)) = w.date_hint.last()
        && h == idx
    {
        w.date_hint.pop();
        let text = w.hint_text.get(start..).unwrap_or("");
        if text.len() <= 400 && text.bytes().any(|b| b.is_ascii_digit()) {
            let line = collapse_ws(text);
            w.doc.date_lines.push((idx, line));
        }
        if w.date_hint.is_empty() {
            w.hint_text.clear();
        }
    }
}

/// `schema:dateCreated` → `datecreated`: RDFa prefixes name the vocabulary, not the property.
fn meta_key_name(k: &str) -> String {
    let k = k.trim().to_ascii_lowercase();
    match k.strip_prefix("schema:") {
        Some(rest) => rest.to_string(),
        None => k,
    }
}

pub(crate) fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
