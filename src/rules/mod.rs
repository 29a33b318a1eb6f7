//! Rules: the rule files under `rules/` are parsed into raw serde structs (keeping spans for line numbers),
//! then validated and compiled, in one place, into a [`RuleSet`]: macros expanded, gazetteers loaded,
//! regexes compiled, one literal prefilter over all triggers. Only the `RuleSet` reaches extraction.
//!
//! Every fault in a rule set is collected and reported at once as `file:line:col: rule-id: message`.

pub mod atoms;
pub mod gazetteer;
mod raw;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::Path;

use aho_corasick::AhoCorasick;
use chrono::NaiveDate;
use regex::Regex;
use sha2::{Digest, Sha256};

pub use gazetteer::{Entry, Gazetteer, fold_key};

use crate::normalize::Normalizer;
use crate::normalize::date::Tense;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// The regex crate is linear-time, but a hostile or careless rule can still ask for a huge automaton.
const REGEX_SIZE_LIMIT: usize = 64 << 20;
const MAX_RULES: usize = 20_000;
/// The shipped rule files are tens of KiB; a rule file this big is a mistake, not read into memory.
const MAX_RULE_FILE_BYTES: u64 = 16 << 20;

/// A problem found while loading or validating rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleError {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.col)?;
        if let Some(r) = &self.rule {
            write!(f, "{r}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// All the errors of a rule set, reported together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// The raw text of a rule set: `(path relative to the rules folder, contents)`, in sorted order.
#[derive(Debug, Clone)]
pub struct RuleFiles {
    pub files: Vec<(String, String)>,
}

/// A rule file's text, refused when larger than [`MAX_RULE_FILE_BYTES`] or not UTF-8.
fn read_rule_file(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_RULE_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_RULE_FILE_BYTES {
        return Err(format!(
            "larger than {} MiB; not a rule file",
            MAX_RULE_FILE_BYTES >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("not valid UTF-8: {e}"))
}

impl RuleFiles {
    /// The rule set compiled into the binary from the repository's `rules/` folder.
    pub fn embedded() -> RuleFiles {
        let mut files: Vec<(String, String)> = embedded::FILES
            .iter()
            .map(|(n, c)| (n.to_string(), c.to_string()))
            .collect();
        files.sort();
        RuleFiles { files }
    }

    /// Every `*.toml` and `gazetteers/*.txt` file under `dir`.
    pub fn from_dir(dir: &Path) -> Result<RuleFiles, RuleErrors> {
        let mut files = Vec::new();
        let mut errors = Vec::new();
        if !dir.is_dir() {
            return Err(RuleErrors(vec![RuleError {
                file: dir.display().to_string(),
                line: 0,
                col: 0,
                rule: None,
                message: "not a directory".into(),
            }]));
        }
        for entry in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .follow_links(false)
        {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    errors.push(file_error(&dir.display().to_string(), e.to_string()));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            let wanted =
                rel.ends_with(".toml") || (rel.starts_with("gazetteers/") && rel.ends_with(".txt"));
            if !wanted {
                continue;
            }
            match read_rule_file(entry.path()) {
                Ok(c) => files.push((rel, c)),
                Err(e) => errors.push(file_error(&entry.path().display().to_string(), e)),
            }
        }
        if errors.is_empty() {
            Ok(RuleFiles { files })
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// A hash of every file's name and contents: the rule-set version recorded with extracted facts.
    pub fn version(&self) -> String {
        let mut h = Sha256::new();
        for (name, contents) in &self.files {
            h.update(name.as_bytes());
            h.update([0]);
            h.update(contents.as_bytes());
            h.update([0]);
        }
        hex(&h.finalize()[..8])
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_error(file: &str, message: String) -> RuleError {
    RuleError {
        file: file.to_string(),
        line: 0,
        col: 0,
        rule: None,
        message,
    }
}

/// A context slot: what an article "currently" talks about, for anaphora and defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Slot {
    Artist,
    Song,
    Album,
    Work,
    Award,
    Ceremony,
    YearCue,
    EventDate,
    Platform,
    /// A bare pronoun ("she", "they"): the latest artist named, not the article's topic.
    Pronoun,
}

impl Slot {
    pub fn parse(s: &str) -> Option<Slot> {
        Some(match s {
            "artist" => Slot::Artist,
            "song" => Slot::Song,
            "album" => Slot::Album,
            "work" => Slot::Work,
            "award" => Slot::Award,
            "ceremony" => Slot::Ceremony,
            "year_cue" => Slot::YearCue,
            "event_date" => Slot::EventDate,
            "platform" => Slot::Platform,
            _ => return None,
        })
    }
}

/// Where a missing field may be filled from, tried in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillSource {
    /// The most recent mention of that slot in the article.
    Context(Slot),
    /// The year of the context ceremony, when the fact's ceremony is that ceremony.
    ContextCeremonyYear,
    /// A year cue ("last year", "In 2022,") in the sentence, nearest before or inside the match.
    SentenceYear,
    /// A mention of that slot anywhere in the same sentence, nearest to the match.
    Sentence(Slot),
    /// The artist mention that opens the sentence, its subject ("Burna Boy, meanwhile, told … that
    /// his next single …"), when the match comes after it.
    SentenceSubject,
    ArticleYear,
    ArticleDate,
    /// The date the article gives for the fact's ceremony and year ("On November 5, the ceremony…").
    EventDate,
}

impl FillSource {
    fn parse(s: &str) -> Option<FillSource> {
        Some(match s {
            "context:ceremony_year" => FillSource::ContextCeremonyYear,
            "sentence:year" => FillSource::SentenceYear,
            "sentence:subject" => FillSource::SentenceSubject,
            "article:year" => FillSource::ArticleYear,
            "article:date" => FillSource::ArticleDate,
            "event:date" => FillSource::EventDate,
            _ => match s.split_once(':')? {
                ("context", slot) => FillSource::Context(Slot::parse(slot)?),
                ("sentence", slot) => FillSource::Sentence(Slot::parse(slot)?),
                _ => return None,
            },
        })
    }
}

/// The schema of a fact kind, from `[kinds.NAME]`.
#[derive(Debug, Clone)]
pub struct KindSpec {
    pub name: String,
    /// Field names in output order.
    pub fields: Vec<String>,
    pub required: Vec<String>,
    /// Fields that identify a fact: two matches with equal key fields are one fact, merged.
    pub key: Vec<String>,
    pub fill: BTreeMap<String, Vec<FillSource>>,
    /// Which context slot a field's value updates (and a field of a mention rule names a slot).
    pub mentions: BTreeMap<String, Slot>,
    /// `false` for mention kinds: they feed the context and never reach the output.
    pub emit: bool,
    /// Pairs of fields that must name different acts: a fact whose pair is equal, or is one act the
    /// artists gazetteer knows ("Simon & Garfunkel"), is dropped.
    pub distinct: Vec<(String, String)>,
}

/// How one output field gets its value.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: String,
    pub source: FieldSource,
    pub normalizer: Normalizer,
    /// The capture holds a list ("A, B and C"): one fact per item.
    pub list: bool,
    /// With a list elsewhere in the match, this field belongs to the last list item only.
    pub attach_last: bool,
    /// Overrides the tense found in the sentence (awards are won in the past).
    pub tense: Option<Tense>,
    /// A rejected value drops the match even though the kind makes the field optional.
    pub required: bool,
    /// Where the value comes from when the capture did not take part (tried before the kind's fills).
    pub fallback: Vec<FillSource>,
}

#[derive(Debug, Clone)]
pub enum FieldSource {
    Capture(String),
    Value(serde_json::Value),
    /// No capture: filled from these sources, in order (e.g. "context:album" for "Credits mention X").
    Fill(Vec<FillSource>),
}

/// A compiled pattern with its source and place.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    pub regex: Regex,
    /// The literals a sentence must hold for `regex` to match in it (derived from the regex).
    pub query: atoms::Query,
    pub line: usize,
}

/// One example of a rule: a text, its article date, and the facts (field subsets) expected.
#[derive(Debug, Clone)]
pub struct Example {
    pub text: String,
    pub date: NaiveDate,
    pub facts: Vec<BTreeMap<String, serde_json::Value>>,
    pub line: usize,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub file: String,
    pub line: usize,
    pub kind: String,
    pub description: String,
    pub patterns: Vec<Pattern>,
    pub fields: Vec<FieldSpec>,
    pub triggers: Vec<String>,
    pub examples: Vec<Example>,
    pub counter_examples: Vec<Example>,
    /// Declared precision on real text, if the author measured it.
    pub precision: Option<f64>,
}

impl Rule {
    /// `FILE#RULE-ID`, as written in fact records.
    pub fn qualified_id(&self) -> String {
        format!("{}#{}", self.file, self.id)
    }
}

/// Where a veto pattern looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VetoScope {
    /// Anywhere in the sentence.
    Sentence,
    /// From `window` characters before the match to its end.
    Window(usize),
    /// The `window` characters right after the match.
    After(usize),
}

/// A phrase that cancels matches of some kinds: nominations, predictions, negations.
#[derive(Debug, Clone)]
pub struct Veto {
    pub id: String,
    pub file: String,
    pub kinds: Vec<String>,
    pub regex: Regex,
    pub scope: VetoScope,
}

/// Tense cues: regexes that mark a clause as future or past.
#[derive(Debug, Clone)]
pub struct TenseCues {
    pub future: Option<Regex>,
    pub past: Option<Regex>,
    /// How far before a match the cues are looked for.
    pub window: usize,
}

/// The validated, compiled rule set. Built once; shared by reference across workers.
#[derive(Debug)]
pub struct RuleSet {
    pub kinds: BTreeMap<String, KindSpec>,
    pub rules: Vec<Rule>,
    pub vetoes: Vec<Veto>,
    pub tense: TenseCues,
    pub gazetteers: HashMap<String, Gazetteer>,
    pub version: String,
    prefilter: Option<AhoCorasick>,
    /// Finds the literals that patterns' queries ask for.
    atoms: Option<atoms::Atoms>,
    /// For each prefilter pattern, the rules it admits.
    trigger_rules: Vec<Vec<usize>>,
    /// Rules with no triggers: always tried.
    always: Vec<usize>,
    /// Per rule: see [`RuleSet::scannable_whole`].
    whole_text: Vec<bool>,
    empty_gazetteer: Gazetteer,
}

impl RuleSet {
    /// The rule set built into the binary.
    pub fn embedded() -> Result<RuleSet, RuleErrors> {
        RuleSet::compile(&RuleFiles::embedded())
    }

    pub fn from_dir(dir: &Path) -> Result<RuleSet, RuleErrors> {
        RuleSet::compile(&RuleFiles::from_dir(dir)?)
    }

    /// Validate and compile. Returns every error found, not only the first.
    pub fn compile(files: &RuleFiles) -> Result<RuleSet, RuleErrors> {
        raw::compile(files)
    }

    /// A gazetteer by name; an empty one if the rule set has none of that name (checked at load time
    /// for every name a pattern uses).
    pub fn gazetteer(&self, name: &str) -> &Gazetteer {
        self.gazetteers.get(name).unwrap_or(&self.empty_gazetteer)
    }

    pub fn kind(&self, name: &str) -> Option<&KindSpec> {
        self.kinds.get(name)
    }

    /// The rules without triggers, which no prefilter narrows.
    pub fn untriggered_rules(&self) -> &[usize] {
        &self.always
    }

    /// Whether `rule` can be searched once over a whole article instead of sentence by sentence
    /// (to learn which sentences it can match in): true when no pattern anchors to the start or end
    /// of the text, since a match inside a sentence is then also a match in the article.
    pub fn scannable_whole(&self, rule: usize) -> bool {
        self.whole_text.get(rule).copied().unwrap_or(false)
    }

    /// Set `hit[r]` for every rule `r` with a trigger in `sentence`.
    pub fn mark_triggered(&self, sentence: &str, hit: &mut [bool]) {
        if let Some(ac) = &self.prefilter {
            for m in ac.find_overlapping_iter(sentence) {
                for &r in &self.trigger_rules[m.pattern().as_usize()] {
                    hit[r] = true;
                }
            }
        }
    }

    /// How many literals the patterns' queries use: the length of the array [`RuleSet::mark_atoms`] fills.
    pub fn atom_count(&self) -> usize {
        self.atoms.as_ref().map_or(0, atoms::Atoms::len)
    }

    /// Mark in `present` the literals of every pattern's query found in `sentence`.
    pub fn mark_atoms(&self, sentence: &str, present: &mut [bool]) {
        if let Some(a) = &self.atoms {
            a.mark(&atoms::fold(sentence), present);
        }
    }

    /// The trigger words of `rule` found in `sentence` (case-insensitively): what the prefilter admitted.
    pub fn triggers_in(&self, rule: &Rule, sentence: &str) -> Vec<String> {
        let lower = sentence.to_lowercase();
        rule.triggers
            .iter()
            .filter(|t| lower.contains(t.as_str()))
            .cloned()
            .collect()
    }
}
