//! Required literals of a pattern, worked out from its syntax tree, in the manner of RE2's
//! FilteredRE2 and of trigram indexes for regex search.
//!
//! Most sentences a rule's triggers admit still cannot match most of its patterns, and a failing
//! search is the costly part of extraction: the patterns are large (name spans, gazetteers), so
//! the lazy DFA keeps building new states and never settles. Before a pattern is searched, a
//! boolean query over literals it cannot match without ("took home", "awards", "streams") is
//! checked against the literals found in the sentence by one Aho-Corasick pass. The query is
//! derived from the compiled pattern, not written by hand, so it is sound by construction: a
//! sentence the pattern matches always satisfies it, and results never change.
//!
//! Literals are compared after case folding and with every ASCII space character read as a plain
//! space (see [`fold`]).

use std::collections::{BTreeSet, HashMap};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// A literal shorter than this (in bytes) occurs in too many sentences to be worth requiring.
const MIN_ATOM: usize = 3;
/// Largest set of alternative strings kept exact before it is turned into a query.
const MAX_EXACT: usize = 16;
/// A character class with more distinct folded members than this requires nothing.
const MAX_CLASS: usize = 4;

/// A query over the atoms of a rule set: what a sentence must contain for a pattern to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// No requirement.
    Any,
    /// This atom (an index into the rule set's atom list) occurs.
    Atom(usize),
    And(Vec<Query>),
    Or(Vec<Query>),
}

impl Query {
    /// Whether a sentence whose atoms are marked in `present` may match.
    pub fn admits(&self, present: &[bool]) -> bool {
        match self {
            Query::Any => true,
            Query::Atom(a) => present.get(*a).copied().unwrap_or(true),
            Query::And(qs) => qs.iter().all(|q| q.admits(present)),
            Query::Or(qs) => qs.iter().any(|q| q.admits(present)),
        }
    }
}

/// The fold applied to atoms and to the text they are found in: ASCII letters to lower case, the
/// two non-ASCII letters that case-insensitive patterns equate with ASCII ones (the Kelvin sign and
/// the long s) to theirs, ASCII whitespace to a space.
pub fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

fn fold_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\x0B' | '\x0C' | '\r' => ' ',
        '\u{212A}' => 'k',
        '\u{017F}' => 's',
        c => c.to_ascii_lowercase(),
    }
}

/// A query still holding its literals (before they are numbered).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Req {
    Any,
    Lit(String),
    And(Vec<Req>),
    Or(Vec<Req>),
}

impl Req {
    fn and(parts: Vec<Req>) -> Req {
        let mut out: Vec<Req> = Vec::new();
        for p in parts {
            match p {
                Req::Any => {}
                Req::And(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        Req::joined(out, Req::And)
    }

    fn or(parts: Vec<Req>) -> Req {
        let mut out: Vec<Req> = Vec::new();
        for p in parts {
            match p {
                Req::Any => return Req::Any,
                Req::Or(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        Req::joined(out, Req::Or)
    }

    /// Flattened parts, sorted and deduplicated: none is no requirement, one stands alone.
    fn joined(mut parts: Vec<Req>, wrap: fn(Vec<Req>) -> Req) -> Req {
        parts.sort();
        parts.dedup();
        match parts.len() {
            0 => Req::Any,
            1 => parts.pop().unwrap_or(Req::Any),
            _ => wrap(parts),
        }
    }
}

/// What is known about the strings a piece of pattern matches.
enum Info {
    /// It matches exactly one of these (folded) strings.
    Exact(BTreeSet<String>),
    /// Any string it matches satisfies this.
    Match(Req),
}

impl Info {
    fn into_req(self) -> Req {
        match self {
            Info::Match(r) => r,
            Info::Exact(set) => exact_req(set),
        }
    }
}

fn empty() -> Info {
    Info::Exact(BTreeSet::from([String::new()]))
}

/// One of these strings must occur. A string that contains another member is implied by it and
/// dropped; a member too short to be worth requiring makes the whole set require nothing.
fn exact_req(set: BTreeSet<String>) -> Req {
    if set.iter().any(|s| s.len() < MIN_ATOM) {
        return Req::Any;
    }
    let kept: Vec<&String> = set
        .iter()
        .filter(|s| !set.iter().any(|o| o != *s && s.contains(o.as_str())))
        .collect();
    Req::or(kept.into_iter().map(|s| Req::Lit(s.clone())).collect())
}

/// Works out requirements, with the gazetteers that skeleton markers stand for.
struct Analysis<'g> {
    gazetteers: &'g [Required],
}

impl Analysis<'_> {
    fn info(&self, hir: &Hir) -> Info {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => empty(),
            HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
                Ok(s) => self.literal(s),
                Err(_) => Info::Match(Req::Any),
            },
            HirKind::Class(class) => class_info(class),
            HirKind::Capture(cap) => self.info(&cap.sub),
            HirKind::Repetition(rep) => {
                if rep.min == 0 {
                    Info::Match(Req::Any)
                } else if rep.min == 1 && rep.max == Some(1) {
                    self.info(&rep.sub)
                } else {
                    Info::Match(self.info(&rep.sub).into_req())
                }
            }
            HirKind::Concat(subs) => concat(subs.iter().map(|h| self.info(h))),
            HirKind::Alternation(subs) => {
                let infos: Vec<Info> = subs.iter().map(|h| self.info(h)).collect();
                let total: usize = infos
                    .iter()
                    .map(|i| match i {
                        Info::Exact(s) => s.len(),
                        Info::Match(_) => usize::MAX / 2,
                    })
                    .fold(0, usize::saturating_add);
                if total <= MAX_EXACT {
                    let mut union = BTreeSet::new();
                    for i in infos {
                        if let Info::Exact(s) = i {
                            union.extend(s);
                        }
                    }
                    Info::Exact(union)
                } else {
                    Info::Match(Req::or(infos.into_iter().map(Info::into_req).collect()))
                }
            }
        }
    }

    /// A literal, split where a gazetteer marker stands.
    fn literal(&self, s: &str) -> Info {
        if !s.chars().any(is_marker) {
            return Info::Exact(BTreeSet::from([fold(s)]));
        }
        let mut parts = Vec::new();
        let mut run = String::new();
        for c in s.chars() {
            if is_marker(c) {
                if !run.is_empty() {
                    parts.push(Info::Exact(BTreeSet::from([fold(&run)])));
                    run.clear();
                }
                let index = (u32::from(c) - MARKER_BASE) as usize;
                parts.push(Info::Match(
                    self.gazetteers.get(index).map_or(Req::Any, |r| r.0.clone()),
                ));
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() {
            parts.push(Info::Exact(BTreeSet::from([fold(&run)])));
        }
        concat(parts.into_iter())
    }
}

fn is_marker(c: char) -> bool {
    (MARKER_BASE..=0xFFFFD).contains(&u32::from(c))
}

/// A concatenation: exact sets are multiplied out while they stay small; each part that is not
/// exact, and each exact run that grew too large, becomes a requirement of its own.
fn concat(parts: impl Iterator<Item = Info>) -> Info {
    let mut reqs: Vec<Req> = Vec::new();
    let mut acc: Option<BTreeSet<String>> = Some(BTreeSet::from([String::new()]));
    for part in parts {
        match part {
            Info::Exact(set) => {
                acc = Some(match acc.take() {
                    Some(prev) if prev.len() * set.len() <= MAX_EXACT => prev
                        .iter()
                        .flat_map(|a| set.iter().map(move |b| format!("{a}{b}")))
                        .collect(),
                    Some(prev) => {
                        reqs.push(exact_req(prev));
                        set
                    }
                    None => set,
                });
            }
            Info::Match(r) => {
                if let Some(prev) = acc.take() {
                    reqs.push(exact_req(prev));
                }
                reqs.push(r);
            }
        }
    }
    match acc {
        Some(set) if reqs.is_empty() => Info::Exact(set),
        Some(set) => {
            reqs.push(exact_req(set));
            Info::Match(Req::and(reqs))
        }
        None => Info::Match(Req::and(reqs)),
    }
}

/// A class of few members is an exact set of one-character strings; a larger one requires nothing.
fn class_info(class: &Class) -> Info {
    let mut set = BTreeSet::new();
    match class {
        Class::Unicode(c) => {
            for r in c.iter() {
                if (r.end() as u32) - (r.start() as u32) >= (MAX_CLASS as u32) * 2 {
                    return Info::Match(Req::Any);
                }
                for ch in r.start()..=r.end() {
                    set.insert(fold_char(ch).to_string());
                    if set.len() > MAX_CLASS {
                        return Info::Match(Req::Any);
                    }
                }
            }
        }
        Class::Bytes(c) => {
            for r in c.iter() {
                if r.end() >= 0x80 || r.end() - r.start() >= (MAX_CLASS as u8) * 2 {
                    return Info::Match(Req::Any);
                }
                for b in r.start()..=r.end() {
                    set.insert(fold_char(char::from(b)).to_string());
                    if set.len() > MAX_CLASS {
                        return Info::Match(Req::Any);
                    }
                }
            }
        }
    }
    if set.is_empty() {
        // A class that matches nothing: no sentence can match, but requiring nothing is still sound.
        return Info::Match(Req::Any);
    }
    Info::Exact(set)
}

/// What one pattern requires, before its literals are numbered (computed apart, so that patterns
/// can be analysed in parallel and numbered in a fixed order).
#[derive(Debug, Clone)]
pub struct Required(Req);

impl Required {
    /// No requirement.
    pub fn any() -> Required {
        Required(Req::Any)
    }
}

/// First of the private-use characters that stand for gazetteers in a pattern skeleton.
const MARKER_BASE: u32 = 0xF0000;

/// The marker character that stands for the `index`th gazetteer in a pattern skeleton: a
/// private-use code point, which no rule writes.
pub fn marker(index: usize) -> char {
    u32::try_from(index)
        .ok()
        .and_then(|i| char::from_u32(MARKER_BASE + i))
        .unwrap_or('\u{FFFFD}')
}

/// The requirement of a pattern. `gazetteers[i]` is what the gazetteer that marker `i` stands
/// for requires; a marker beyond that list requires nothing. A pattern the syntax parser cannot
/// read (it compiled, so this does not happen) requires nothing.
pub fn required(pattern: &str, gazetteers: &[Required]) -> Required {
    match regex_syntax::ParserBuilder::new().build().parse(pattern) {
        Ok(hir) => Required(Analysis { gazetteers }.info(&hir).into_req()),
        Err(_) => Required(Req::Any),
    }
}

/// Collects the atoms of every pattern of a rule set, numbering each literal once.
#[derive(Default)]
pub struct AtomsBuilder {
    atoms: Vec<String>,
    index: HashMap<String, usize>,
}

impl AtomsBuilder {
    /// Number the literals of one pattern's requirement, giving its query.
    pub fn query(&mut self, required: Required) -> Query {
        self.number(required.0)
    }

    fn number(&mut self, req: Req) -> Query {
        match req {
            Req::Any => Query::Any,
            Req::Lit(s) => {
                let next = self.atoms.len();
                let i = *self.index.entry(s.clone()).or_insert(next);
                if i == next {
                    self.atoms.push(s);
                }
                Query::Atom(i)
            }
            Req::And(rs) => Query::And(rs.into_iter().map(|r| self.number(r)).collect()),
            Req::Or(rs) => Query::Or(rs.into_iter().map(|r| self.number(r)).collect()),
        }
    }

    /// The automaton that finds every atom in folded text; `None` when no pattern requires any.
    pub fn build(self) -> Result<Option<Atoms>, String> {
        if self.atoms.is_empty() {
            return Ok(None);
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(&self.atoms)
            .map_err(|e| format!("cannot build the literal prefilter: {e}"))?;
        Ok(Some(Atoms {
            ac,
            count: self.atoms.len(),
        }))
    }
}

/// Finds the atoms of a rule set in a sentence.
#[derive(Debug, Clone)]
pub struct Atoms {
    ac: AhoCorasick,
    count: usize,
}

impl Atoms {
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Mark in `present` (of length [`Atoms::len`]) every atom that occurs in `folded`, text
    /// already passed through [`fold`].
    pub fn mark(&self, folded: &str, present: &mut [bool]) {
        present.fill(false);
        for m in self.ac.find_overlapping_iter(folded) {
            if let Some(p) = present.get_mut(m.pattern().as_usize()) {
                *p = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As patterns are compiled: `\s` and `\d` made ASCII.
    fn req(p: &str) -> Req {
        required(&crate::rules::raw::ascii_classes(p), &[]).0
    }

    fn lit(s: &str) -> Req {
        Req::Lit(s.into())
    }

    #[test]
    fn literal_words_are_required_folded() {
        assert_eq!(req(r"[Ww]on\sthe"), lit("won the"));
        assert_eq!(req(r"(?i:took\shome)"), lit("took home"));
    }

    #[test]
    fn concatenation_requires_each_part() {
        assert_eq!(
            req(r"[A-Z]\w+\s(?:won|bagged)\s\w+\sawards"),
            Req::And(vec![
                lit(" awards"),
                Req::Or(vec![lit(" bagged "), lit(" won ")])
            ])
        );
    }

    #[test]
    fn optional_parts_and_short_literals_require_nothing() {
        assert_eq!(req(r"(?:streams)?\d+"), Req::Any);
        assert_eq!(req(r"\w+at\w+"), Req::Any);
        assert_eq!(req(r"(?:won|a)\s\d"), Req::Any);
    }

    #[test]
    fn alternation_of_queries_is_an_or() {
        let big = (0..20)
            .map(|i| format!("word{i:02}"))
            .collect::<Vec<_>>()
            .join("|");
        match req(&format!("(?:{big})x+")) {
            Req::Or(items) => assert_eq!(items.len(), 20),
            other => panic!("expected an Or, got {other:?}"),
        }
    }

    #[test]
    fn a_longer_string_implied_by_a_shorter_one_is_dropped() {
        assert_eq!(req(r"(?:win|wins|winning)\b"), lit("win"));
    }

    #[test]
    fn queries_admit_what_their_patterns_match() {
        let mut b = AtomsBuilder::default();
        let src = r"(?P<who>[A-Z]\w+)\s(?:took\shome|won)\s(?P<n>\d+)\s(?:awards|trophies)";
        let q = b.query(required(src, &[]));
        let atoms = b.build().expect("builds").expect("has atoms");
        let re = regex::Regex::new(src).expect("compiles");
        let mut present = vec![false; atoms.len()];
        for s in [
            "Adele took  home 3 Awards",
            "Adele won 3 trophies last night",
            "Adele won 3 prizes",
            "Adele TOOK HOME 5 TROPHIES",
            "Nothing at all",
        ] {
            atoms.mark(&fold(s), &mut present);
            if re.is_match(s) {
                assert!(q.admits(&present), "{s}");
            }
        }
        atoms.mark(&fold("Adele won 3 prizes"), &mut present);
        assert!(!q.admits(&present));
    }

    /// Soundness on the shipped rules: every text a pattern matches in (each rule example and
    /// counter-example, each line of the fixture articles) satisfies the pattern's query.
    #[test]
    fn shipped_patterns_never_lose_a_match() {
        let rules = crate::rules::RuleSet::embedded().expect("shipped rules compile");
        let mut texts: Vec<String> = Vec::new();
        for r in &rules.rules {
            texts.extend(r.examples.iter().map(|e| e.text.clone()));
            texts.extend(r.counter_examples.iter().map(|e| e.text.clone()));
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for entry in std::fs::read_dir(dir).expect("fixtures dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                let text = std::fs::read_to_string(&path).expect("fixture reads");
                texts.extend(text.lines().map(str::to_string));
            }
        }
        let mut present = vec![false; rules.atom_count()];
        let (mut checked, mut matched) = (0, 0);
        for t in &texts {
            let t = crate::extract::sentence::fold_quotes(t);
            rules.mark_atoms(&t, &mut present);
            for r in &rules.rules {
                for p in &r.patterns {
                    checked += 1;
                    if p.regex.is_match(&t) {
                        matched += 1;
                        assert!(p.query.admits(&present), "{}: {t}", r.id);
                    }
                }
            }
        }
        assert!(matched > 500, "{matched} of {checked}");
    }
}
