//! Gazetteers: plain-text entity lists under `rules/gazetteers/`, one entry per line:
//! `Canonical | alias | alias @key=value @key=value`. `#` starts a comment line.

use std::collections::{BTreeMap, HashMap};

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub canonical: String,
    /// Every surface form, canonical first.
    pub names: Vec<String>,
    pub attrs: BTreeMap<String, String>,
    /// 1-based line in the file, for error messages.
    pub line: usize,
}

impl Entry {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }
}

/// A named list with case-insensitive lookup from any surface form to its entry.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    pub name: String,
    pub entries: Vec<Entry>,
    lookup: HashMap<String, usize>,
}

/// A problem in a gazetteer file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazetteerIssue {
    pub line: usize,
    pub message: String,
}

/// Lookup key: case-folded, curly quotes straightened, inner whitespace collapsed.
pub fn fold_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars() {
            match c {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' => out.push('\''),
                '\u{201C}' | '\u{201D}' => out.push('"'),
                _ => out.extend(c.to_lowercase()),
            }
        }
    }
    out
}

impl Gazetteer {
    /// Parse a gazetteer file. Bad lines are reported and skipped; the rest still loads.
    pub fn parse(name: &str, text: &str) -> (Gazetteer, Vec<GazetteerIssue>) {
        let mut g = Gazetteer {
            name: name.to_string(),
            ..Default::default()
        };
        let mut issues = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (names_part, attrs) = split_attrs(line);
            let names: Vec<String> = names_part
                .split('|')
                .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|n| !n.is_empty())
                .collect();
            let Some(canonical) = names.first().cloned() else {
                issues.push(GazetteerIssue {
                    line: line_no,
                    message: "entry has no name".into(),
                });
                continue;
            };
            let idx = g.entries.len();
            for n in &names {
                let key = fold_key(n);
                match g.lookup.get(&key) {
                    // The same form twice in one entry ("Rosé | Rose | ROSÉ" folds together).
                    Some(&other) if other == idx => {}
                    Some(&other) if g.entries[other].canonical != canonical => {
                        issues.push(GazetteerIssue {
                            line: line_no,
                            message: format!(
                                "{n:?} already names {:?} (line {})",
                                g.entries[other].canonical, g.entries[other].line
                            ),
                        });
                    }
                    Some(_) => {}
                    None => {
                        g.lookup.insert(key, idx);
                    }
                }
            }
            g.entries.push(Entry {
                canonical,
                names,
                attrs,
                line: line_no,
            });
        }
        (g, issues)
    }

    /// The entry whose canonical name or alias equals `s` (case-insensitively).
    pub fn get(&self, s: &str) -> Option<&Entry> {
        self.lookup.get(&fold_key(s)).map(|&i| &self.entries[i])
    }

    pub fn contains(&self, s: &str) -> bool {
        self.lookup.contains_key(&fold_key(s))
    }

    /// All surface forms, longest first, so that a regex alternation prefers the longest form.
    pub fn surface_forms(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .entries
            .iter()
            .flat_map(|e| e.names.iter().map(String::as_str))
            .collect();
        v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        v.dedup();
        v
    }
}

/// Split trailing `@key=value` tokens off an entry line.
fn split_attrs(line: &str) -> (&str, BTreeMap<String, String>) {
    let mut attrs = BTreeMap::new();
    let Some(at) = line
        .find(" @")
        .or_else(|| line.starts_with('@').then_some(0))
    else {
        return (line, attrs);
    };
    for tok in line[at..].split_whitespace() {
        if let Some(kv) = tok.strip_prefix('@') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, "yes"));
            attrs.insert(k.to_string(), v.replace('_', " "));
        }
    }
    (&line[..at], attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_aliases_and_attrs() {
        let text = "# comment\nGrammy Awards | Grammys | Grammy @first=1959 @month=2\n\nJungkook | Jung Kook | Bangtan’s maknae @group=BTS\n";
        let (g, issues) = Gazetteer::parse("t", text);
        assert!(issues.is_empty());
        assert_eq!(g.entries.len(), 2);
        assert_eq!(
            g.get("the grammys".trim_start_matches("the "))
                .unwrap()
                .canonical,
            "Grammy Awards"
        );
        assert_eq!(g.get("GRAMMY").unwrap().attr("first"), Some("1959"));
        assert_eq!(g.get("Bangtan's maknae").unwrap().canonical, "Jungkook");
        assert_eq!(g.surface_forms()[0], "Bangtan’s maknae");
    }

    #[test]
    fn an_entry_may_repeat_a_form_case_folded() {
        let (g, issues) = Gazetteer::parse("t", "Rosé | ROSÉ | Rose\n");
        assert!(issues.is_empty());
        assert_eq!(g.get("rose").unwrap().canonical, "Rosé");
    }

    #[test]
    fn alias_collisions_are_reported() {
        let (_, issues) = Gazetteer::parse("t", "A | X\nB | x\n");
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].line, 2);
    }
}
