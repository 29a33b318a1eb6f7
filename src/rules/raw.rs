//! The rule files as written (serde structs with spans), and their validation into a compiled
//! [`RuleSet`](super::RuleSet).

use std::collections::{BTreeMap, HashMap, HashSet};

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use rayon::prelude::*;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::atoms::{self, AtomsBuilder, Required};
use super::*;
use crate::article::parse_article_date;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    macros: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    kinds: BTreeMap<String, Spanned<RawKind>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    veto: Vec<Spanned<RawVeto>>,
    #[serde(default)]
    tense: Option<Spanned<RawTense>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    fields: Vec<String>,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    key: Vec<String>,
    #[serde(default)]
    fill: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    mentions: BTreeMap<String, String>,
    #[serde(default = "yes")]
    emit: bool,
    #[serde(default)]
    distinct: Vec<[String; 2]>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    triggers: Vec<String>,
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    fields: BTreeMap<String, RawField>,
    #[serde(default)]
    examples: Vec<Spanned<RawExample>>,
    #[serde(default)]
    counter_examples: Vec<Spanned<RawCounter>>,
    #[serde(default)]
    precision: Option<f64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawField {
    Normalizer(String),
    Spec(RawFieldSpec),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldSpec {
    capture: Option<String>,
    normalizer: Option<String>,
    value: Option<toml::Value>,
    #[serde(default)]
    list: bool,
    attach: Option<String>,
    tense: Option<String>,
    #[serde(default)]
    from: Vec<String>,
    #[serde(default)]
    required: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    text: String,
    date: Option<String>,
    #[serde(default)]
    facts: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawCounter {
    Text(String),
    Full { text: String, date: Option<String> },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVeto {
    id: String,
    kinds: Vec<String>,
    pattern: Spanned<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    window: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTense {
    future: Option<Spanned<String>>,
    past: Option<Spanned<String>>,
    #[serde(default)]
    window: Option<usize>,
}

/// Default article date of examples that name none.
fn default_example_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap_or_default()
}

/// Byte offset → 1-based (line, column in characters).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct Errors<'a> {
    file: &'a str,
    text: &'a str,
    out: &'a mut Vec<RuleError>,
}

impl Errors<'_> {
    fn at(&mut self, offset: usize, rule: Option<&str>, message: impl Into<String>) {
        let (line, col) = line_col(self.text, offset);
        self.out.push(RuleError {
            file: self.file.to_string(),
            line,
            col,
            rule: rule.map(str::to_string),
            message: message.into(),
        });
    }
}

/// A macro as defined: its body and where.
struct MacroDef {
    body: String,
    file: String,
    offset: usize,
}

/// Expands `{NAME}` macro references and `{@gazetteer}` / `{@gazetteer/i}` references.
///
/// `{@gazetteer!MACRO}` keeps only the forms that MACRO cannot match whole. Written right after
/// `{MACRO}|` in one alternation it matches exactly what the full list does there: a form the macro
/// matches already has a path through the macro, with the same span and a higher leftmost-first
/// priority, so the gazetteer's copy of it could never be chosen. Dropping those copies is what keeps
/// `WHO` small: 97% of artist names are capitalised spans that `NAME` reads anyway, and a 2,700-form
/// trie inlined into every pattern made automata large, slow to build and slow to search.
struct Expander<'a> {
    macros: &'a HashMap<String, MacroDef>,
    gazetteers: &'a HashMap<String, Gazetteer>,
    cache: HashMap<String, String>,
    /// When set, a gazetteer expands to one marker character (see [`atoms::marker`]) and its
    /// spec is recorded here: the pattern skeleton that literal analysis parses, which is a
    /// fraction of the size of the full pattern.
    markers: Option<Vec<String>>,
}

impl Expander<'_> {
    fn expand(&mut self, src: &str, stack: &mut Vec<String>) -> Result<String, String> {
        let mut out = String::with_capacity(src.len());
        let bytes = src.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c == b'\\' && i + 1 < bytes.len() {
                // Keep escapes verbatim, so `\{` is a literal brace, never a reference, and a Unicode
                // class `\p{L}` keeps its braces.
                let ch_len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                let mut end = i + 1 + ch_len;
                if matches!(bytes[i + 1], b'p' | b'P')
                    && src[end..].starts_with('{')
                    && let Some(close) = src[end..].find('}')
                {
                    end += close + 1;
                }
                out.push_str(&src[i..end]);
                i = end;
                continue;
            }
            if c == b'{'
                && let Some(close) = src[i + 1..].find('}')
            {
                let name = &src[i + 1..i + 1 + close];
                if let Some(gaz) = name.strip_prefix('@') {
                    out.push_str(&self.gazetteer_alternation(gaz)?);
                    i += close + 2;
                    continue;
                }
                if is_macro_name(name) {
                    out.push_str("(?:");
                    out.push_str(&self.expand_macro(name, stack)?);
                    out.push(')');
                    i += close + 2;
                    continue;
                }
            }
            let ch_len = src[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&src[i..i + ch_len]);
            i += ch_len;
        }
        Ok(out)
    }

    fn expand_macro(&mut self, name: &str, stack: &mut Vec<String>) -> Result<String, String> {
        if let Some(done) = self.cache.get(name) {
            return Ok(done.clone());
        }
        if stack.iter().any(|s| s == name) {
            return Err(format!("macro cycle: {} -> {name}", stack.join(" -> ")));
        }
        let Some(def) = self.macros.get(name) else {
            return Err(format!("unknown macro {{{name}}}"));
        };
        stack.push(name.to_string());
        let body = def.body.clone();
        let expanded = self.expand(&body, stack)?;
        stack.pop();
        self.cache.insert(name.to_string(), expanded.clone());
        Ok(expanded)
    }

    fn gazetteer_alternation(&mut self, spec: &str) -> Result<String, String> {
        let key = format!("@{spec}");
        if let Some(done) = self.cache.get(&key) {
            return Ok(done.clone());
        }
        // `{@name!MACRO}`: the forms that MACRO cannot match whole (why that is exact: `Expander`).
        let (spec_base, except) = match spec.split_once('!') {
            Some((g, m)) => (g, Some(m)),
            None => (spec, None),
        };
        if let Some(m) = except
            && !is_macro_name(m)
        {
            return Err(format!("{{@{spec}}}: {m:?} is not a macro name"));
        }
        if let Some(specs) = &mut self.markers {
            let name = spec_base.strip_suffix("/i").unwrap_or(spec_base);
            if !self.gazetteers.contains_key(name) {
                return Err(format!("unknown gazetteer {{@{name}}}"));
            }
            let marker = format!("\\x{{{:X}}}", u32::from(atoms::marker(specs.len())));
            specs.push(spec.to_string());
            self.cache.insert(key, marker.clone());
            return Ok(marker);
        }
        let (name, insensitive) = match spec_base.strip_suffix("/i") {
            Some(n) => (n, true),
            None => (spec_base, false),
        };
        let Some(g) = self.gazetteers.get(name) else {
            return Err(format!("unknown gazetteer {{@{name}}}"));
        };
        // `/i` spells each form as written, in lower, upper, title and sentence case rather than
        // with a case-insensitive flag: the text writes names in those cases, and pure literals
        // compile to a trie, where `(?i:...)` would make every form a chain of classes.
        let mut forms: Vec<String> = Vec::new();
        for f in g.surface_forms() {
            // Text is matched with its curly quotes folded to straight ones.
            let f: String = f
                .chars()
                .map(|c| match c {
                    '\u{2018}' | '\u{2019}' => '\'',
                    '\u{201C}' | '\u{201D}' => '"',
                    c => c,
                })
                .collect();
            if insensitive {
                let lower = f.to_lowercase();
                forms.push(f.to_uppercase());
                forms.push(capitalize_words(&lower, true));
                forms.push(capitalize_words(&lower, false));
                forms.push(lower);
            }
            forms.push(f);
        }
        // Longest first, so the leftmost-first alternation prefers the longest name.
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        forms.dedup();
        if let Some(m) = except {
            let shape = self.expand_macro(m, &mut Vec::new())?;
            let whole = build_regex(&format!("^(?:{shape})$"))
                .map_err(|e| format!("{{@{spec}}}: macro {m}: {e}"))?;
            forms.retain(|f| !whole.is_match(f));
        }
        let alternation = if forms.is_empty() {
            // An empty gazetteer must match nothing, not the empty string.
            "(?:[^\\s\\S])".to_string()
        } else {
            literal_trie(&forms)
        };
        self.cache.insert(key, alternation.clone());
        Ok(alternation)
    }
}

/// An alternation of literal forms, factored by first character: `(?:B(?:TS|LACKPINK)|I(?:U|VE))`.
///
/// Each inner alternation is all literals (spaces are literal: text spacing is folded before
/// matching), so the regex compiler builds it as a trie; and the outer one cannot be flattened into
/// an enclosing alternation (`NAME|{@artists}`), which would undo that. A union of a thousand names
/// instead costs a thousand branches at every position, in automaton size, search time and memory.
/// Order within each first character is kept, so the leftmost-first preference for the longer form
/// holds; forms with different first characters never compete at one position.
fn literal_trie(forms: &[String]) -> String {
    let mut groups: Vec<(char, Vec<&str>)> = Vec::new();
    for f in forms {
        let Some(first) = f.chars().next() else {
            continue;
        };
        let rest = &f[first.len_utf8()..];
        match groups.iter_mut().find(|(c, _)| *c == first) {
            Some((_, rests)) => rests.push(rest),
            None => groups.push((first, vec![rest])),
        }
    }
    let alternatives: Vec<String> = groups
        .iter()
        .map(|(c, rests)| {
            let rests: Vec<String> = rests.iter().map(|r| regex::escape(r)).collect();
            format!("{}(?:{})", regex::escape(&c.to_string()), rests.join("|"))
        })
        .collect();
    format!("(?:{})", alternatives.join("|"))
}

/// Whether a pattern uses `^`, `$`, `\A` or `\z` outside a character class.
fn anchors_text(src: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.next(), Some('A' | 'z')) && depth == 0 => return true,
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            '^' | '$' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// "best new artist" → "Best New Artist" (every word) or "Best new artist" (the first only).
fn capitalize_words(lower: &str, every: bool) -> String {
    let mut out = String::with_capacity(lower.len());
    let mut at_word_start = true;
    let mut first = true;
    for c in lower.chars() {
        if at_word_start && c.is_alphanumeric() && (every || first) {
            out.extend(c.to_uppercase());
            first = false;
        } else {
            out.push(c);
        }
        if c.is_alphanumeric() {
            at_word_start = false;
            first = false;
        } else if c.is_whitespace() {
            at_word_start = true;
        }
    }
    out
}

fn is_macro_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `\s` and `\d` in rule patterns mean ASCII whitespace and ASCII digits, and `\w` means a word
/// character of the Latin script (digits, `_`, and the letters of the `LETTER` macro). Their Unicode
/// classes compile to many automaton states at every use (a third of a large rule's automaton), the
/// text they meet has its odd spaces folded to plain ones before matching (`sentence::fold_quotes`),
/// and names are read in Latin script anyway (`UPPER`, `LETTER`).
pub(crate) fn ascii_classes(src: &str) -> String {
    const LATIN_WORD: &str = r"0-9A-Za-z_\x{00C0}-\x{00D6}\x{00D8}-\x{00F6}\x{00F8}-\x{024F}";
    let mut out = String::with_capacity(src.len());
    let mut in_class = 0usize;
    let mut chars = src.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                match (n, in_class > 0) {
                    ('s', false) => out.push_str("[\\t\\n\\x0B\\x0C\\r ]"),
                    ('d', false) => out.push_str("[0-9]"),
                    ('s', true) => out.push_str("\\t\\n\\x0B\\x0C\\r "),
                    ('d', true) => out.push_str("0-9"),
                    ('w', false) => {
                        out.push('[');
                        out.push_str(LATIN_WORD);
                        out.push(']');
                    }
                    ('w', true) => out.push_str(LATIN_WORD),
                    _ => {
                        out.push(c);
                        out.push(n);
                    }
                }
            }
            '[' => {
                in_class += 1;
                out.push(c);
                // A `]` or `^]` right after the opening bracket is a literal, not the end.
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A pattern's compiled regex and literal requirement, or why it did not compile.
type Built = Result<(Regex, Required), String>;

fn build_regex(src: &str) -> Result<Regex, String> {
    RegexBuilder::new(&ascii_classes(src))
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(n) => {
                format!("pattern too large once compiled (over the {n}-byte limit); split the rule or shrink its gazetteers")
            }
            other => other.to_string(),
        })
}

/// The syntax errors `build_regex` would report, without building the automata: macros are checked
/// on their own so an error names the macro, and every pattern that uses one is built anyway (a
/// build of each big macro alone cost a tenth of the start-up).
fn check_syntax(src: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(&ascii_classes(src))
        .map(drop)
        .map_err(|e| e.to_string())
}

fn parse_tense(s: &str) -> Option<Tense> {
    match s {
        "past" => Some(Tense::Past),
        "future" => Some(Tense::Future),
        "unknown" => Some(Tense::Unknown),
        _ => None,
    }
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

pub(super) fn compile(files: &RuleFiles) -> Result<RuleSet, RuleErrors> {
    let mut errors = Vec::new();

    // Gazetteers first: patterns refer to them.
    let mut gazetteers = HashMap::new();
    for (name, text) in &files.files {
        if let Some(stem) = name
            .strip_prefix("gazetteers/")
            .and_then(|n| n.strip_suffix(".txt"))
        {
            let (g, issues) = Gazetteer::parse(stem, text);
            for i in issues {
                errors.push(RuleError {
                    file: name.clone(),
                    line: i.line,
                    col: 1,
                    rule: None,
                    message: i.message,
                });
            }
            gazetteers.insert(stem.to_string(), g);
        }
    }

    // Parse every TOML file; a file that does not parse is reported and skipped.
    let mut parsed: Vec<(&str, &str, RawFile)> = Vec::new();
    for (name, text) in &files.files {
        if !name.ends_with(".toml") {
            continue;
        }
        match toml::from_str::<RawFile>(text) {
            Ok(f) => parsed.push((name, text, f)),
            Err(e) => {
                let (line, col) = e.span().map_or((1, 1), |s| line_col(text, s.start));
                errors.push(RuleError {
                    file: name.clone(),
                    line,
                    col,
                    rule: None,
                    message: e.message().trim().to_string(),
                });
            }
        }
    }

    // Macros are global across files.
    let mut macros: HashMap<String, MacroDef> = HashMap::new();
    for (file, text, raw) in &parsed {
        let mut errs = Errors {
            file,
            text,
            out: &mut errors,
        };
        for (name, body) in &raw.macros {
            if !is_macro_name(name) {
                errs.at(
                    body.span().start,
                    None,
                    format!("macro name {name:?} must be UPPER_CASE (letters, digits, _)"),
                );
                continue;
            }
            if let Some(prev) = macros.get(name) {
                let (l, _) = line_col(
                    files
                        .files
                        .iter()
                        .find(|(n, _)| n == &prev.file)
                        .map_or("", |(_, t)| t.as_str()),
                    prev.offset,
                );
                errs.at(
                    body.span().start,
                    None,
                    format!("macro {name} already defined at {}:{l}", prev.file),
                );
                continue;
            }
            macros.insert(
                name.clone(),
                MacroDef {
                    body: body.get_ref().clone(),
                    file: file.to_string(),
                    offset: body.span().start,
                },
            );
        }
    }
    let mut expander = Expander {
        macros: &macros,
        gazetteers: &gazetteers,
        cache: HashMap::new(),
        markers: None,
    };
    // Check every macro once, so an unused broken macro is still reported.
    let mut macro_names: Vec<&String> = macros.keys().collect();
    macro_names.sort();
    for name in macro_names {
        let def = &macros[name];
        let text = files
            .files
            .iter()
            .find(|(n, _)| n == &def.file)
            .map_or("", |(_, t)| t.as_str());
        let mut errs = Errors {
            file: &def.file,
            text,
            out: &mut errors,
        };
        match expander.expand_macro(name, &mut Vec::new()) {
            Ok(src) => {
                if let Err(e) = check_syntax(&src) {
                    errs.at(def.offset, None, format!("macro {name}: bad regex: {e}"));
                }
            }
            Err(e) => errs.at(def.offset, None, format!("macro {name}: {e}")),
        }
    }

    // Kinds.
    let mut kinds: BTreeMap<String, KindSpec> = BTreeMap::new();
    for (file, text, raw) in &parsed {
        let mut errs = Errors {
            file,
            text,
            out: &mut errors,
        };
        for (name, spec) in &raw.kinds {
            let at = spec.span().start;
            let k = spec.get_ref();
            if kinds.contains_key(name) {
                errs.at(at, None, format!("kind {name} defined twice"));
                continue;
            }
            let known: HashSet<&str> = k.fields.iter().map(String::as_str).collect();
            for f in k
                .required
                .iter()
                .chain(&k.key)
                .chain(k.fill.keys())
                .chain(k.mentions.keys())
                .chain(k.distinct.iter().flatten())
            {
                if !known.contains(f.as_str()) {
                    errs.at(
                        at,
                        None,
                        format!("kind {name}: {f:?} is not one of its fields"),
                    );
                }
            }
            let mut fill = BTreeMap::new();
            for (field, sources) in &k.fill {
                let mut v = Vec::new();
                for s in sources {
                    match FillSource::parse(s) {
                        Some(src) => v.push(src),
                        None => errs.at(
                            at,
                            None,
                            format!("kind {name}: unknown fill source {s:?} for {field} (context:SLOT, sentence:SLOT, context:ceremony_year, sentence:year, article:year, article:date, event:date)"),
                        ),
                    }
                }
                fill.insert(field.clone(), v);
            }
            let mut mentions = BTreeMap::new();
            for (field, slot) in &k.mentions {
                match Slot::parse(slot) {
                    Some(s) => {
                        mentions.insert(field.clone(), s);
                    }
                    None => errs.at(
                        at,
                        None,
                        format!("kind {name}: unknown context slot {slot:?}"),
                    ),
                }
            }
            kinds.insert(
                name.clone(),
                KindSpec {
                    name: name.clone(),
                    fields: k.fields.clone(),
                    required: k.required.clone(),
                    key: if k.key.is_empty() {
                        k.required.clone()
                    } else {
                        k.key.clone()
                    },
                    fill,
                    mentions,
                    emit: k.emit,
                    distinct: k
                        .distinct
                        .iter()
                        .map(|[a, b]| (a.clone(), b.clone()))
                        .collect(),
                },
            );
        }
    }

    // Rules. Too many is refused before any is compiled, so a runaway rule file costs its parse only.
    let mut rules: Vec<Rule> = Vec::new();
    let mut atoms = AtomsBuilder::default();
    let mut seen_ids: HashMap<String, (String, usize)> = HashMap::new();
    let total: usize = parsed.iter().map(|(_, _, raw)| raw.rule.len()).sum();
    if total > MAX_RULES {
        let mut before = 0;
        for (file, text, raw) in &parsed {
            if let Some(first_over) = raw.rule.get(MAX_RULES.saturating_sub(before)) {
                Errors {
                    file,
                    text,
                    out: &mut errors,
                }
                .at(
                    first_over.span().start,
                    None,
                    format!("{total} rules, more than the {MAX_RULES} allowed; none compiled"),
                );
                break;
            }
            before += raw.rule.len();
        }
    }
    let to_compile: &[_] = if total > MAX_RULES { &[] } else { &parsed };
    // Every pattern's regex and literal requirement, built in parallel: they are most of start-up.
    // The requirement is worked out on a skeleton of the pattern in which each gazetteer is one
    // marker, analysed once (see atoms.rs).
    let mut skeletons = Expander {
        macros: &macros,
        gazetteers: &gazetteers,
        cache: HashMap::new(),
        markers: Some(Vec::new()),
    };
    let mut sources: Vec<&str> = to_compile
        .iter()
        .flat_map(|(_, _, raw)| raw.rule.iter())
        .flat_map(|r| r.get_ref().patterns.iter())
        .map(|p| p.get_ref().as_str())
        .collect();
    sources.sort_unstable();
    sources.dedup();
    // A pattern whose expansion fails is left out here and reported by `compile_rule`.
    let expanded: Vec<(&str, String, String)> = sources
        .into_iter()
        .filter_map(|src| {
            let full = expander.expand(src, &mut Vec::new()).ok()?;
            let skeleton = skeletons.expand(src, &mut Vec::new()).ok()?;
            Some((src, full, skeleton))
        })
        .collect();
    let marked: Vec<String> = skeletons
        .markers
        .take()
        .unwrap_or_default()
        .iter()
        .map(|spec| expander.gazetteer_alternation(spec).unwrap_or_default())
        .collect();
    let gazetteer_reqs: Vec<Required> = marked
        .par_iter()
        // Case-insensitively: a gazetteer may sit inside a `(?i:...)` group, and a requirement
        // that admits every case is sound in either place.
        .map(|alt| atoms::required(&format!("(?i:{})", ascii_classes(alt)), &[]))
        .collect();
    // Keyed by the pattern as written: macros are global, so equal sources expand equally.
    let built: HashMap<&str, Built> = expanded
        .into_par_iter()
        .map(|(src, full, skeleton)| {
            let built = build_regex(&full).map(|re| {
                (
                    re,
                    atoms::required(&ascii_classes(&skeleton), &gazetteer_reqs),
                )
            });
            (src, built)
        })
        .collect();

    for (file, text, raw) in to_compile {
        for spanned in &raw.rule {
            let mut errs = Errors {
                file,
                text,
                out: &mut errors,
            };
            if let Some(rule) = compile_rule(
                spanned,
                &kinds,
                &mut expander,
                (&built, &mut atoms),
                &mut errs,
            ) {
                let line = rule.line;
                if let Some((pfile, pline)) = seen_ids.get(&rule.id) {
                    errs.at(
                        spanned.get_ref().id.span().start,
                        Some(&rule.id),
                        format!("duplicate rule id (first defined at {pfile}:{pline})"),
                    );
                    continue;
                }
                seen_ids.insert(rule.id.clone(), (file.to_string(), line));
                rules.push(rule);
            }
        }
    }

    // Vetoes and tense cues.
    let mut vetoes = Vec::new();
    let mut tense = TenseCues {
        future: None,
        past: None,
        window: 80,
    };
    for (file, text, raw) in &parsed {
        let mut errs = Errors {
            file,
            text,
            out: &mut errors,
        };
        for v in &raw.veto {
            let at = v.span().start;
            let rv = v.get_ref();
            for k in &rv.kinds {
                if !kinds.contains_key(k) {
                    errs.at(at, Some(&rv.id), format!("veto names unknown kind {k:?}"));
                }
            }
            let scope = match (rv.scope.as_deref(), rv.window) {
                (Some("sentence"), _) => VetoScope::Sentence,
                (Some("after"), w) => VetoScope::After(w.unwrap_or(20)),
                (None | Some("window"), w) => VetoScope::Window(w.unwrap_or(0)),
                (Some(other), _) => {
                    errs.at(
                        at,
                        Some(&rv.id),
                        format!("unknown veto scope {other:?} (sentence, window or after)"),
                    );
                    continue;
                }
            };
            match expander
                .expand(rv.pattern.get_ref(), &mut Vec::new())
                .and_then(|s| build_regex(&s))
            {
                Ok(regex) => vetoes.push(Veto {
                    id: rv.id.clone(),
                    file: file.to_string(),
                    kinds: rv.kinds.clone(),
                    regex,
                    scope,
                }),
                Err(e) => errs.at(
                    rv.pattern.span().start,
                    Some(&rv.id),
                    format!("bad regex: {e}"),
                ),
            }
        }
        if let Some(t) = &raw.tense {
            let t = t.get_ref();
            if let Some(w) = t.window {
                tense.window = w;
            }
            for (slot, src) in [(&mut tense.future, &t.future), (&mut tense.past, &t.past)] {
                if let Some(src) = src {
                    match expander
                        .expand(src.get_ref(), &mut Vec::new())
                        .and_then(|s| build_regex(&s))
                    {
                        Ok(r) => *slot = Some(r),
                        Err(e) => {
                            errs.at(src.span().start, None, format!("tense cue: bad regex: {e}"))
                        }
                    }
                }
            }
        }
    }

    if !errors.is_empty() {
        return Err(RuleErrors(errors));
    }

    // The prefilter: one Aho-Corasick automaton over every rule's trigger words.
    let mut trigger_words: Vec<String> = Vec::new();
    let mut trigger_rules: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut always = Vec::new();
    for (ri, r) in rules.iter().enumerate() {
        if r.triggers.is_empty() {
            always.push(ri);
        }
        for t in &r.triggers {
            let i = *index.entry(t.clone()).or_insert_with(|| {
                trigger_words.push(t.clone());
                trigger_rules.push(Vec::new());
                trigger_words.len() - 1
            });
            trigger_rules[i].push(ri);
        }
    }
    let whole_text = rules
        .iter()
        .map(|r| r.patterns.iter().all(|p| !anchors_text(&p.source)))
        .collect();
    let prefilter = if trigger_words.is_empty() {
        None
    } else {
        match AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&trigger_words)
        {
            Ok(ac) => Some(ac),
            Err(e) => {
                return Err(RuleErrors(vec![file_error(
                    "rules",
                    format!("cannot build the trigger prefilter: {e}"),
                )]));
            }
        }
    };

    let atoms = match atoms.build() {
        Ok(a) => a,
        Err(e) => return Err(RuleErrors(vec![file_error("rules", e)])),
    };

    Ok(RuleSet {
        kinds,
        rules,
        atoms,
        vetoes,
        tense,
        gazetteers,
        version: files.version(),
        prefilter,
        trigger_rules,
        always,
        whole_text,
        empty_gazetteer: Gazetteer::default(),
    })
}

fn compile_rule(
    spanned: &Spanned<RawRule>,
    kinds: &BTreeMap<String, KindSpec>,
    expander: &mut Expander<'_>,
    (built, atoms): (&HashMap<&str, Built>, &mut AtomsBuilder),
    errs: &mut Errors<'_>,
) -> Option<Rule> {
    let raw = spanned.get_ref();
    let id = raw.id.get_ref().trim().to_string();
    let rule_at = raw.id.span().start;
    let (line, _) = line_col(errs.text, rule_at);
    let before = errs.out.len();
    if id.is_empty() {
        errs.at(rule_at, None, "rule id is empty");
    }
    let rid = Some(id.as_str());
    let Some(kind) = kinds.get(raw.kind.get_ref()) else {
        errs.at(
            raw.kind.span().start,
            rid,
            format!(
                "unknown kind {:?} (known: {})",
                raw.kind.get_ref(),
                kinds.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        );
        return None;
    };
    if raw.patterns.is_empty() {
        errs.at(rule_at, rid, "rule has no patterns");
    }
    let mut patterns = Vec::new();
    let mut captures: BTreeMap<String, usize> = BTreeMap::new();
    for p in &raw.patterns {
        let at = p.span().start;
        // Every pattern that expands was built above; one that was not is expanded again to say
        // why (and, were it to expand after all, built here with no literal requirement).
        let prebuilt = match built.get(p.get_ref().as_str()) {
            Some(b) => b.clone(),
            None => match expander.expand(p.get_ref(), &mut Vec::new()) {
                Ok(full) => build_regex(&full).map(|re| (re, Required::any())),
                Err(e) => {
                    errs.at(at, rid, e);
                    continue;
                }
            },
        };
        match prebuilt {
            Ok((regex, required)) => {
                for name in regex.capture_names().flatten() {
                    captures.entry(name.to_string()).or_insert(at);
                }
                patterns.push(Pattern {
                    source: p.get_ref().clone(),
                    query: atoms.query(required),
                    regex,
                    line: line_col(errs.text, at).0,
                });
            }
            Err(e) => errs.at(at, rid, format!("bad regex: {e}")),
        }
    }

    let mut fields = Vec::new();
    let mut used_captures: HashSet<String> = HashSet::new();
    for (name, f) in &raw.fields {
        if !kind.fields.contains(name) {
            errs.at(
                rule_at,
                rid,
                format!(
                    "field {name:?} is not a field of kind {} ({})",
                    kind.name,
                    kind.fields.join(", ")
                ),
            );
            continue;
        }
        let spec = match f {
            RawField::Normalizer(n) => RawFieldSpec {
                capture: None,
                normalizer: Some(n.clone()),
                value: None,
                list: false,
                attach: None,
                tense: None,
                from: Vec::new(),
                required: false,
            },
            RawField::Spec(s) => RawFieldSpec {
                capture: s.capture.clone(),
                normalizer: s.normalizer.clone(),
                value: s.value.clone(),
                list: s.list,
                attach: s.attach.clone(),
                tense: s.tense.clone(),
                from: s.from.clone(),
                required: s.required,
            },
        };
        let normalizer_name = spec.normalizer.as_deref().unwrap_or("text");
        let Some(normalizer) = Normalizer::parse(normalizer_name) else {
            errs.at(
                rule_at,
                rid,
                format!(
                    "field {name}: unknown normalizer {normalizer_name:?} (known: {})",
                    Normalizer::NAMES.join(", ")
                ),
            );
            continue;
        };
        if spec.value.is_some() && (spec.capture.is_some() || !spec.from.is_empty()) {
            errs.at(
                rule_at,
                rid,
                format!("field {name}: a value takes no capture and no from"),
            );
            continue;
        }
        let mut fallback = Vec::new();
        for f in &spec.from {
            match FillSource::parse(f) {
                Some(src) => fallback.push(src),
                None => errs.at(
                    rule_at,
                    rid,
                    format!("field {name}: unknown fill source {f:?}"),
                ),
            }
        }
        let source = match (&spec.value, &spec.capture) {
            (Some(v), _) => FieldSource::Value(toml_to_json(v)),
            // `from` alone: no capture, filled from those sources; with a capture, its fallback.
            (None, None) if !fallback.is_empty() => {
                FieldSource::Fill(std::mem::take(&mut fallback))
            }
            (_, c) => {
                let cap = c.clone().unwrap_or_else(|| name.clone());
                if !captures.contains_key(&cap) && !patterns.is_empty() {
                    errs.at(
                        rule_at,
                        rid,
                        format!("field {name} has no capture: no pattern defines (?P<{cap}>...)"),
                    );
                }
                used_captures.insert(cap.clone());
                FieldSource::Capture(cap)
            }
        };
        let attach_last = match spec.attach.as_deref() {
            None => false,
            Some("last") => true,
            Some(other) => {
                errs.at(
                    rule_at,
                    rid,
                    format!("field {name}: unknown attach {other:?} (only \"last\")"),
                );
                false
            }
        };
        let tense = match spec.tense.as_deref() {
            None => None,
            Some(t) => match parse_tense(t) {
                Some(t) => Some(t),
                None => {
                    errs.at(
                        rule_at,
                        rid,
                        format!("field {name}: unknown tense {t:?} (past, future, unknown)"),
                    );
                    None
                }
            },
        };
        fields.push(FieldSpec {
            name: name.clone(),
            source,
            normalizer,
            list: spec.list,
            attach_last,
            tense,
            required: spec.required,
            fallback,
        });
    }
    for (cap, at) in &captures {
        if !used_captures.contains(cap) {
            errs.at(*at, rid, format!("capture {cap:?} is used by no field"));
        }
    }
    if fields.iter().filter(|f| f.list).count() > 1 {
        errs.at(rule_at, rid, "at most one field may be a list");
    }
    for req in &kind.required {
        let has = fields.iter().any(|f| &f.name == req) || kind.fill.contains_key(req);
        if !has {
            errs.at(
                rule_at,
                rid,
                format!(
                    "required field {req} of kind {} is neither captured nor filled",
                    kind.name
                ),
            );
        }
    }
    if let Some(p) = raw.precision
        && !(0.0..=1.0).contains(&p)
    {
        errs.at(rule_at, rid, format!("precision {p} is not in [0, 1]"));
    }

    let mut examples = Vec::new();
    for ex in &raw.examples {
        let at = ex.span().start;
        let e = ex.get_ref();
        let date = match e.date.as_deref() {
            None => default_example_date(),
            Some(d) => match parse_article_date(d) {
                Some(d) => d,
                None => {
                    errs.at(at, rid, format!("example date {d:?} is not YYYY-MM-DD"));
                    continue;
                }
            },
        };
        let mut facts = Vec::new();
        for f in &e.facts {
            let mut m = BTreeMap::new();
            for (k, v) in f {
                if !kind.fields.contains(k) {
                    errs.at(
                        at,
                        rid,
                        format!("example fact names {k:?}, not a field of {}", kind.name),
                    );
                }
                m.insert(k.clone(), toml_to_json(v));
            }
            facts.push(m);
        }
        examples.push(Example {
            text: e.text.clone(),
            date,
            facts,
            line: line_col(errs.text, at).0,
        });
    }
    let mut counter_examples = Vec::new();
    for ce in &raw.counter_examples {
        let at = ce.span().start;
        let (text, date) = match ce.get_ref() {
            RawCounter::Text(t) => (t.clone(), None),
            RawCounter::Full { text, date } => (text.clone(), date.clone()),
        };
        let date = match date.as_deref() {
            None => default_example_date(),
            Some(d) => match parse_article_date(d) {
                Some(d) => d,
                None => {
                    errs.at(
                        at,
                        rid,
                        format!("counter-example date {d:?} is not YYYY-MM-DD"),
                    );
                    continue;
                }
            },
        };
        counter_examples.push(Example {
            text,
            date,
            facts: Vec::new(),
            line: line_col(errs.text, at).0,
        });
    }
    if kind.emit && examples.is_empty() {
        errs.at(
            rule_at,
            rid,
            "rule has no examples: every rule carries at least one positive example",
        );
    }
    if kind.emit && counter_examples.is_empty() {
        errs.at(
            rule_at,
            rid,
            "rule has no counter_examples: every rule carries at least one negative example",
        );
    }

    if errs.out.len() > before {
        return None;
    }
    Some(Rule {
        id,
        file: errs.file.to_string(),
        line,
        kind: kind.name.clone(),
        description: raw.description.clone(),
        patterns,
        fields,
        triggers: raw.triggers.iter().map(|t| t.to_lowercase()).collect(),
        examples,
        counter_examples,
        precision: raw.precision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_pairs_must_name_fields_of_the_kind() {
        let files = RuleFiles {
            files: vec![(
                "kinds.toml".into(),
                "[kinds.x]\nfields = [\"a\", \"b\"]\ndistinct = [[\"a\", \"c\"]]\n".into(),
            )],
        };
        let errors = compile(&files).unwrap_err();
        assert_eq!(errors.0.len(), 1);
        assert_eq!(
            errors.0[0].to_string(),
            "kinds.toml:1:1: kind x: \"c\" is not one of its fields"
        );
    }

    #[test]
    fn gazetteer_minus_a_macro_keeps_only_what_the_macro_cannot_read() {
        let macros = HashMap::from([(
            "CAP".to_string(),
            MacroDef {
                body: "[A-Z][a-z]+(?: [A-Z][a-z]+)?".into(),
                file: "m.toml".into(),
                offset: 0,
            },
        )]);
        let (g, issues) = Gazetteer::parse("g", "Adele\naespa\nP!nk\nBad Bunny\n");
        assert!(issues.is_empty());
        let gazetteers = HashMap::from([("g".to_string(), g)]);
        let mut ex = Expander {
            macros: &macros,
            gazetteers: &gazetteers,
            cache: HashMap::new(),
            markers: None,
        };
        let rest = ex.gazetteer_alternation("g!CAP").unwrap();
        assert_eq!(rest, "(?:a(?:espa)|P(?:!nk))");
        // Used after the macro in one alternation, it reads every form of the full list.
        let full = ex.expand("^(?:{CAP}|{@g!CAP})$", &mut Vec::new()).unwrap();
        let re = regex::Regex::new(&full).unwrap();
        for f in ["Adele", "aespa", "P!nk", "Bad Bunny"] {
            assert!(re.is_match(f), "{f}");
        }
        assert_eq!(
            ex.gazetteer_alternation("g!cap").unwrap_err(),
            "{@g!cap}: \"cap\" is not a macro name"
        );
        assert_eq!(
            ex.gazetteer_alternation("g!NOPE").unwrap_err(),
            "unknown macro {NOPE}"
        );
    }

    #[test]
    fn line_col_counts_chars() {
        let t = "ab\ncdé\nf";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 8), (3, 1));
    }

    #[test]
    fn gazetteer_forms_become_a_trie_by_first_character() {
        let forms: Vec<String> = ["BLACKPINK", "BTS", "IU", "A$AP Rocky", "B"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let alt = literal_trie(&forms);
        assert_eq!(alt, r"(?:B(?:LACKPINK|TS|)|I(?:U)|A(?:\$AP Rocky))");
        let re = regex::Regex::new(&format!("^{alt}$")).unwrap();
        for f in &forms {
            assert!(re.is_match(f), "{f}");
        }
        assert!(!re.is_match("BT"));
    }

    #[test]
    fn case_spellings() {
        assert_eq!(capitalize_words("best new artist", true), "Best New Artist");
        assert_eq!(
            capitalize_words("best new artist", false),
            "Best new artist"
        );
        assert_eq!(capitalize_words("k-pop", true), "K-pop");
    }

    #[test]
    fn anchors_are_found_outside_classes_only() {
        assert!(anchors_text(r"^The"));
        assert!(anchors_text(r"end$"));
        assert!(anchors_text(r"\Astart"));
        assert!(!anchors_text(r"[^.;]+ A\$AP [\d$&]"));
    }

    #[test]
    fn shorthand_classes_are_ascii() {
        assert_eq!(ascii_classes(r"a\sb"), r"a[\t\n\x0B\x0C\r ]b");
        assert_eq!(ascii_classes(r"[^\s\d,]"), r"[^\t\n\x0B\x0C\r 0-9,]");
        assert_eq!(ascii_classes(r"\\s \p{L}"), r"\\s \p{L}");
        let re = build_regex(r"\d+\s[\s\d]").unwrap();
        assert!(re.is_match("12 3"));
        assert!(!re.is_match("١٢ 3"));
    }

    #[test]
    fn word_class_is_latin() {
        assert_eq!(
            ascii_classes(r"[\w'\-]+\w"),
            r"[0-9A-Za-z_\x{00C0}-\x{00D6}\x{00D8}-\x{00F6}\x{00F8}-\x{024F}'\-]+[0-9A-Za-z_\x{00C0}-\x{00D6}\x{00D8}-\x{00F6}\x{00F8}-\x{024F}]"
        );
        let re = build_regex(r"^\w+$").unwrap();
        assert!(re.is_match("Beyoncé_2"));
        assert!(re.is_match("Łódź"));
        assert!(!re.is_match("방탄"));
        assert!(!re.is_match("a×b"));
        assert!(!re.is_match("a÷b"));
    }

    #[test]
    fn macro_syntax_check_reports_what_a_build_would() {
        for bad in [r"(?:a", r"[z-a]", r"\p{Nope}", r"a{2,1}"] {
            assert_eq!(
                check_syntax(bad).unwrap_err(),
                build_regex(bad).unwrap_err(),
                "{bad}"
            );
        }
        assert_eq!(check_syntax(r"(?:\w+\s\d)"), Ok(()));
    }
}
