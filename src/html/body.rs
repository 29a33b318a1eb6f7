//! Main text: readability-style scoring of the page's blocks. Paragraph-like blocks give points to
//! their ancestors (decaying with distance); the best-scoring element, with sibling elements that
//! score close to it, is the article. Inside it, boilerplate subtrees (by tag and class/id hints) and
//! link-heavy blocks are dropped. No site-specific selectors.

use super::dom::{Block, Doc, Kind, NONE, Tag};

/// Blocks shorter than this (characters) give no score: captions, buttons, bylines.
const MIN_SCORED_CHARS: u32 = 25;

pub(crate) struct Body {
    pub text: String,
    /// The element chosen as the article (for locating `<time>` elements and bylines).
    pub root: u32,
}

fn link_density(chars: u32, link_chars: u32) -> f32 {
    if chars == 0 {
        0.0
    } else {
        link_chars as f32 / chars as f32
    }
}

fn tag_weight(tag: Tag) -> f32 {
    match tag {
        Tag::Div | Tag::Article | Tag::Main | Tag::Section => 5.0,
        Tag::Pre | Tag::Cell | Tag::Quote => 3.0,
        Tag::List | Tag::Item => -3.0,
        Tag::Heading(_) => -5.0,
        _ => 0.0,
    }
}

pub(crate) fn extract(doc: &Doc<'_>, title: Option<&str>) -> Body {
    let n = doc.nodes.len();
    // Characters and link characters under each element.
    let mut chars = vec![0u32; n];
    let mut links = vec![0u32; n];
    let mut score = vec![0f32; n];
    let mut scored = vec![false; n];
    // Own text first, then summed up the tree in reverse preorder (children before parents): linear
    // however deep the nesting.
    for b in doc.blocks.iter().filter(|b| b.node != NONE) {
        chars[b.node as usize] += b.chars;
        links[b.node as usize] += b.link_chars;
    }
    for i in (0..n).rev() {
        let p = doc.nodes[i].parent;
        if p != NONE {
            chars[p as usize] += chars[i];
            links[p as usize] += links[i];
        }
    }
    for b in &doc.blocks {
        if b.chars < MIN_SCORED_CHARS || b.node == NONE || matches!(b.kind, Kind::Heading(_)) {
            continue;
        }
        let ld = link_density(b.chars, b.link_chars);
        if ld > 0.5 {
            continue;
        }
        let commas = b.text.matches([',', '，', '、', '،']).count() as f32;
        let mut content = 1.0 + commas + (b.chars as f32 / 100.0).min(3.0);
        if b.junk != NONE {
            // Inside a comment box, sidebar, footer...: counts, but little. Not zero, so that a page
            // whose article sits in a mislabelled wrapper still has a best element.
            content *= 0.25;
        }
        // The paragraph's container gets full points, its parent half, then a third per level.
        let mut a = doc.nodes[b.node as usize].parent;
        if matches!(b.kind, Kind::Other) {
            // Text directly in a div: the div itself is the container.
            a = b.node;
        }
        let mut level = 0;
        while a != NONE && level < 5 {
            let ai = a as usize;
            if !scored[ai] {
                scored[ai] = true;
                let node = &doc.nodes[ai];
                // A class name is a hint about content, not content: a tiny element named
                // "content" must not outscore the article, so the hint grows with the text.
                let mass = (chars[ai] as f32 / 500.0).min(1.0);
                score[ai] = tag_weight(node.tag) + 25.0 * node.hint as f32 * mass;
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => l as f32 * 3.0,
            };
            score[ai] += content / div;
            a = doc.nodes[ai].parent;
            level += 1;
        }
    }
    let mut best = NONE;
    let mut best_score = f32::MIN;
    for i in 0..n {
        if !scored[i] {
            continue;
        }
        let s = score[i] * (1.0 - link_density(chars[i], links[i]));
        score[i] = s;
        if s > best_score {
            best_score = s;
            best = i as u32;
        }
    }

    let mut roots: Vec<u32> = Vec::new();
    if best == NONE {
        // No paragraph anywhere: take the whole page, boilerplate removed.
        if let Some(first) = (0..n as u32).find(|&i| doc.nodes[i as usize].parent == NONE) {
            roots.push(first);
        }
    } else {
        let parent = doc.nodes[best as usize].parent;
        if parent == NONE {
            roots.push(best);
        } else {
            let threshold = (best_score * 0.2).max(10.0);
            let mut i = parent + 1;
            while i < doc.nodes[parent as usize].end {
                let node = &doc.nodes[i as usize];
                let include = i == best
                    || (scored[i as usize] && score[i as usize] >= threshold)
                    || sibling_paragraph(doc, i, chars[i as usize], links[i as usize]);
                if include {
                    roots.push(i);
                }
                i = node.end;
            }
        }
    }

    let mut text = String::new();
    // Roots are disjoint subtrees in document order, and so are blocks: one forward pass.
    let mut ri = 0;
    for b in &doc.blocks {
        if b.node == NONE {
            continue;
        }
        while ri < roots.len() && doc.nodes[roots[ri] as usize].end <= b.node {
            ri += 1;
        }
        let Some(&root) = roots.get(ri).filter(|&&r| doc.contains(r, b.node)) else {
            continue;
        };
        if b.junk != NONE && doc.contains(root, b.junk) && b.junk != root {
            // A boilerplate-looking element inside the article: dropped unless it holds most of it.
            if chars[b.junk as usize] * 2 < chars[root as usize] {
                continue;
            }
        }
        if !keep_block(b) {
            continue;
        }
        if let Kind::Heading(1) = b.kind
            && title.is_some_and(|t| same_text(t, &b.text))
        {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&b.text);
    }
    Body {
        text,
        root: if best == NONE {
            roots.first().copied().unwrap_or(NONE)
        } else {
            best
        },
    }
}

/// A sibling of the best element that is itself a good paragraph (readability's sibling rule).
fn sibling_paragraph(doc: &Doc<'_>, i: u32, chars: u32, links: u32) -> bool {
    if doc.nodes[i as usize].tag != Tag::P || doc.nodes[i as usize].junk {
        return false;
    }
    let ld = link_density(chars, links);
    chars > 80 && ld < 0.25
}

fn keep_block(b: &Block) -> bool {
    let ld = link_density(b.chars, b.link_chars);
    match b.kind {
        Kind::Heading(_) | Kind::Item => ld < 0.5,
        _ => ld <= 0.5 || b.chars > 300 && ld < 0.7,
    }
}

fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    norm(a) == norm(b)
}
