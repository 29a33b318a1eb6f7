//! Extraction: article → sentences → prefiltered rule matches → normalized, context-filled, merged facts.

pub mod context;
pub mod sentence;

use std::collections::HashMap;

use chrono::Datelike;
use regex::Captures;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::article::Article;
use crate::fact::{Evidence, Explain, Fact, Step};
use crate::normalize::date::Tense;
use crate::normalize::{NormEnv, Normalized, Normalizer, entity};
use crate::rules::{FieldSource, FillSource, KindSpec, Rule, RuleSet, Slot, VetoScope};
use context::{Context, EventDate, Mention};
use sentence::Sentence;

/// Why a sentence that a rule's prefilter admitted gave no fact (for `explain`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub rule: String,
    pub sentence: Evidence,
    pub reason: String,
}

/// What extraction found in one article.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extraction {
    pub facts: Vec<Fact>,
    /// Filled only when explaining.
    pub notes: Vec<Note>,
}

/// Runs a compiled rule set over articles. Cheap to create; share the `RuleSet` across threads.
#[derive(Debug, Clone, Copy)]
pub struct Extractor<'r> {
    rules: &'r RuleSet,
    explain: bool,
}

/// A fact before merging.
struct Candidate {
    kind: String,
    rule: usize,
    pattern: usize,
    sentence: usize,
    span: (usize, usize),
    fields: Vec<(String, Value)>,
    deferred_event_date: bool,
    /// A required field no source filled yet, to take from the next sentence's first mention of
    /// its context slot ("X won A on Wednesday night. The wins came at the CMA Awards.").
    forward: Option<Forward>,
    penalties: u32,
    steps: Vec<Step>,
}

/// A required field left for the next sentence to fill.
struct Forward {
    field: String,
    slot: Slot,
    /// The candidate's year came from the article date, so a year the forward ceremony carries
    /// ("the 58th annual CMA Awards") replaces it.
    year_from_article: bool,
}

/// One field's normalized items (one item unless the field is a list).
struct FieldItems {
    items: Vec<Result<Option<Value>, String>>,
    /// The value came from an anaphor or a fill, not from the text itself.
    inferred: bool,
}

impl<'r> Extractor<'r> {
    pub fn new(rules: &'r RuleSet) -> Self {
        Extractor {
            rules,
            explain: false,
        }
    }

    /// Record patterns, normalization steps and dropped matches.
    pub fn explain(mut self, on: bool) -> Self {
        self.explain = on;
        self
    }

    pub fn extract(&self, article: &Article) -> Extraction {
        let folded = sentence::fold_quotes(&article.text);
        let text: &str = &folded;
        let sentences = sentence::split(text, self.rules.gazetteer("abbreviations"));
        let mut ctx = Context::default();
        let mut cands: Vec<Candidate> = Vec::new();
        let mut notes: Vec<Note> = Vec::new();
        let mut prev_cands = 0;

        let untriggered = self.untriggered_sentences(text, &sentences);
        let mut hit = vec![false; self.rules.rules.len()];
        let mut atoms = vec![false; self.rules.atom_count()];
        for (si, s) in sentences.iter().enumerate() {
            let stext = &text[s.start..s.end];
            hit.fill(false);
            self.rules.mark_triggered(stext, &mut hit);
            for (r, in_sentences) in &untriggered {
                hit[*r] |= in_sentences.as_ref().is_none_or(|marks| marks[si]);
            }
            let rule_ids: Vec<usize> = (0..hit.len()).filter(|&r| hit[r]).collect();
            if rule_ids.is_empty() {
                continue;
            }
            self.rules.mark_atoms(stext, &mut atoms);
            let mut run = SentenceRun {
                atoms: &atoms,
                ex: self,
                article,
                stext,
                sentence: *s,
                index: si,
                ctx: &ctx,
                mentions: Vec::new(),
                events: Vec::new(),
                cands: Vec::new(),
                notes: Vec::new(),
            };
            // Mentions first, so a fact rule can resolve "the song" to a title named earlier in the sentence.
            for &ri in &rule_ids {
                let rule = &self.rules.rules[ri];
                if self.kind(rule).is_some_and(|k| !k.emit) {
                    run.run_rule(ri);
                }
            }
            for &ri in &rule_ids {
                let rule = &self.rules.rules[ri];
                if self.kind(rule).is_some_and(|k| k.emit) {
                    let before = run.cands.len();
                    run.run_rule(ri);
                    if self.explain
                        && run.cands.len() == before
                        && !run.notes.iter().any(|n| n.rule == rule.qualified_id())
                    {
                        let hits = self.rules.triggers_in(rule, stext);
                        if !hits.is_empty() {
                            run.note(
                                rule,
                                format!(
                                    "prefilter hit ({}) but no pattern matched",
                                    hits.join(", ")
                                ),
                            );
                        }
                    }
                }
            }
            let SentenceRun {
                mentions,
                events,
                cands: c,
                notes: n,
                ..
            } = run;
            // The sentence after a win that names no ceremony may name it ("Both wins came at the
            // 58th annual CMA Awards"); a paragraph break ends that reach.
            let joined = si > 0 && !text[sentences[si - 1].end..s.start].contains("\n\n");
            // Only the previous sentence's candidates (the tail pushed last) can be waiting.
            for c in cands[prev_cands..]
                .iter_mut()
                .filter(|c| c.sentence + 1 == si)
            {
                // Left waiting (after a paragraph break, or with nothing to fill from), it goes below.
                let Some(f) = c.forward.as_ref().filter(|_| joined) else {
                    continue;
                };
                let first = mentions
                    .iter()
                    .filter(|m| m.slot == f.slot)
                    .min_by_key(|m| m.pos);
                if let Some(m) = first
                    && let Some(f) = c.forward.take()
                {
                    fill_forward(c, &f, m, self.explain);
                }
            }
            prev_cands = cands.len();
            cands.extend(c);
            notes.extend(n);
            ctx.events.extend(events);
            ctx.absorb(mentions);
        }

        // A required field the next sentence did not fill either: the candidate goes.
        cands.retain(|c| c.forward.is_none());

        // Dates that the article gives for a ceremony anywhere apply to every win at it.
        for c in &mut cands {
            if !c.deferred_event_date {
                continue;
            }
            let get = |k: &str| {
                c.fields
                    .iter()
                    .find(|(f, _)| f == k)
                    .map(|(_, v)| v.clone())
            };
            if let Some(cer) = get("ceremony") {
                let year = get("year").and_then(|y| y.as_i64());
                if let Some(d) = ctx.event_date(&cer, year) {
                    c.fields.push(("date".into(), d.clone()));
                    c.steps.push(Step {
                        field: "date".into(),
                        input: "event:date".into(),
                        normalizer: "fill".into(),
                        output: d.clone(),
                    });
                }
            }
        }

        let facts = self.merge(article, &folded, &sentences, cands);
        Extraction { facts, notes }
    }

    /// For each rule without triggers, the sentences it may match in (`None`: try every sentence).
    /// One search over the article replaces a search per sentence: every sentence that a match of
    /// the whole text overlaps is marked, and a match inside a sentence always leaves such a mark
    /// (it is a match of the whole text too, unless an earlier match covers it, which marks it).
    fn untriggered_sentences(
        &self,
        text: &str,
        sentences: &[Sentence],
    ) -> Vec<(usize, Option<Vec<bool>>)> {
        self.rules
            .untriggered_rules()
            .iter()
            .map(|&r| {
                if !self.rules.scannable_whole(r) {
                    return (r, None);
                }
                let mut marks = vec![false; sentences.len()];
                for p in &self.rules.rules[r].patterns {
                    for m in p.regex.find_iter(text) {
                        let end = m.end().max(m.start() + 1);
                        let first = sentences.partition_point(|s| s.end <= m.start());
                        for (si, s) in sentences.iter().enumerate().skip(first) {
                            if s.start >= end {
                                break;
                            }
                            marks[si] = true;
                        }
                    }
                }
                (r, Some(marks))
            })
            .collect()
    }

    fn kind(&self, rule: &Rule) -> Option<&'r KindSpec> {
        self.rules.kind(&rule.kind)
    }

    /// Merge candidates with equal key fields (first mention wins; later ones add missing fields), order
    /// by position, and attach evidence from the original text.
    fn merge(
        &self,
        article: &Article,
        folded: &str,
        sentences: &[Sentence],
        mut cands: Vec<Candidate>,
    ) -> Vec<Fact> {
        cands.sort_by_key(|c| (c.sentence, c.span.0, c.rule, c.pattern));
        drop_truncated_works(&mut cands, self.rules);
        let mut order: Vec<String> = Vec::new();
        let mut merged: HashMap<String, (Candidate, Vec<usize>)> = HashMap::new();
        for c in cands {
            let Some(kind) = self.rules.kind(&c.kind) else {
                continue;
            };
            let key = {
                let mut k = c.kind.clone();
                for f in &kind.key {
                    k.push('\u{1f}');
                    if let Some((_, v)) = c.fields.iter().find(|(n, _)| n == f) {
                        k.push_str(&v.to_string());
                    }
                }
                k
            };
            match merged.get_mut(&key) {
                Some((first, rules)) => {
                    for (f, v) in c.fields {
                        if !first.fields.iter().any(|(n, _)| *n == f) {
                            first.fields.push((f, v));
                        }
                    }
                    if !rules.contains(&c.rule) {
                        rules.push(c.rule);
                    }
                }
                None => {
                    order.push(key.clone());
                    let r = c.rule;
                    merged.insert(key, (c, vec![r]));
                }
            }
        }
        let evidence = EvidenceTexts::new(&article.text, folded);
        let mut facts = Vec::with_capacity(order.len());
        for key in order {
            let Some((c, rule_ids)) = merged.remove(&key) else {
                continue;
            };
            let Some(kind) = self.rules.kind(&c.kind) else {
                continue;
            };
            let rule = &self.rules.rules[c.rule];
            let mut fields = Map::new();
            for f in &kind.fields {
                if let Some((_, v)) = c.fields.iter().find(|(n, _)| n == f) {
                    fields.insert(f.clone(), v.clone());
                }
            }
            let s = sentences[c.sentence];
            let base = rule.precision.unwrap_or(0.8);
            let confidence = (base * 0.9f64.powi(c.penalties as i32) * 1000.0).round() / 1000.0;
            facts.push(Fact {
                kind: c.kind,
                fields,
                evidence: Evidence {
                    text: evidence.text(s),
                    start: s.char_start,
                    end: s.char_end,
                },
                rule: rule.qualified_id(),
                confidence,
                explain: self.explain.then(|| Explain {
                    pattern: rule.patterns[c.pattern].source.clone(),
                    span: [c.span.0, c.span.1],
                    steps: c.steps,
                    rules: rule_ids
                        .iter()
                        .map(|&r| self.rules.rules[r].qualified_id())
                        .collect(),
                }),
            });
        }
        facts
    }
}

/// The kind's `distinct` pairs: a collaborator who is the artist, or two names the gazetteer knows as
/// one act ("Simon & Garfunkel"), make no collaboration.
fn same_act(kind: &KindSpec, fields: &[(String, Value)], rules: &RuleSet) -> Option<String> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    for (x, y) in &kind.distinct {
        let (Some(Value::String(a)), Some(Value::String(b))) = (get(x), get(y)) else {
            continue;
        };
        if a == b {
            return Some(format!("{x} and {y} are the same ({a})"));
        }
        let artists = rules.gazetteer("artists");
        if [" & ", " and ", " x "]
            .iter()
            .any(|j| artists.contains(&format!("{a}{j}{b}")))
        {
            return Some(format!("{a} and {b} are one act"));
        }
    }
    None
}

/// "Hit Me Hard and Soft, arrives Friday" also reads as "Soft, arrives Friday": in one sentence, a
/// candidate whose work is the tail of another's work ("Soft" of "Hit Me Hard and Soft"), the other
/// key fields equal, is a truncated reading and goes.
fn drop_truncated_works(cands: &mut Vec<Candidate>, rules: &RuleSet) {
    fn value<'c>(c: &'c Candidate, f: &str) -> Option<&'c Value> {
        c.fields.iter().find(|(n, _)| n == f).map(|(_, v)| v)
    }
    // Per candidate: its work, and the kind's other key fields (a truncated reading agrees with the
    // full one on all of them).
    type Key<'c> = Option<(&'c str, Vec<Option<&'c Value>>)>;
    let keys: Vec<Key> = cands
        .iter()
        .map(|c| {
            let work = value(c, "work")?.as_str()?;
            let rest = rules.kind(&c.kind).map_or_else(Vec::new, |k| {
                k.key
                    .iter()
                    .filter(|f| *f != "work")
                    .map(|f| value(c, f))
                    .collect()
            });
            Some((work, rest))
        })
        .collect();
    // Only candidates of one sentence are compared: group them first, so a long article costs
    // the sum of its sentences' squares, not the square of its candidates.
    let mut by_sentence: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, k) in keys.iter().enumerate() {
        if k.is_some() {
            by_sentence.entry(cands[i].sentence).or_default().push(i);
        }
    }
    let mut truncated = vec![false; cands.len()];
    for group in by_sentence.values() {
        for &i in group {
            let Some((wa, ra)) = &keys[i] else { continue };
            truncated[i] = group.iter().any(|&j| {
                keys[j].as_ref().is_some_and(|(wb, rb)| {
                    cands[i].kind == cands[j].kind
                        && wb.len() > wa.len()
                        && wb.ends_with(wa)
                        && wb[..wb.len() - wa.len()].ends_with(' ')
                        && ra == rb
                })
            });
        }
    }
    let mut drop = truncated.into_iter();
    cands.retain(|_| !drop.next().unwrap_or(false));
}

/// Evidence text comes from the original article (curly quotes and all), though matching ran on the
/// folded copy; both have the same characters one for one.
struct EvidenceTexts<'a> {
    original: &'a str,
    same: bool,
}

impl<'a> EvidenceTexts<'a> {
    fn new(original: &'a str, folded: &str) -> Self {
        EvidenceTexts {
            original,
            same: original.len() == folded.len(),
        }
    }

    fn text(&self, s: Sentence) -> String {
        if self.same {
            return self
                .original
                .get(s.start..s.end)
                .unwrap_or_default()
                .to_string();
        }
        self.original
            .chars()
            .skip(s.char_start)
            .take(s.char_end - s.char_start)
            .collect()
    }
}

/// The work of one sentence: mentions found so far, candidates, notes.
struct SentenceRun<'a, 'r> {
    ex: &'a Extractor<'r>,
    article: &'a Article,
    stext: &'a str,
    sentence: Sentence,
    index: usize,
    ctx: &'a Context,
    /// The literals of the rule set's pattern queries present in the sentence.
    atoms: &'a [bool],
    mentions: Vec<Mention>,
    events: Vec<EventDate>,
    cands: Vec<Candidate>,
    notes: Vec<Note>,
}

impl SentenceRun<'_, '_> {
    fn note(&mut self, rule: &Rule, reason: String) {
        if !self.ex.explain {
            return;
        }
        self.notes.push(Note {
            rule: rule.qualified_id(),
            sentence: Evidence {
                text: self.stext.to_string(),
                start: self.sentence.char_start,
                end: self.sentence.char_end,
            },
            reason,
        });
    }

    /// Character position in the article of a byte offset in this sentence.
    fn pos(&self, byte: usize) -> usize {
        self.sentence.char_start + self.stext.get(..byte).map_or(0, |p| p.chars().count())
    }

    /// Run every pattern of a rule over the sentence. When a match yields nothing because a captured
    /// value was not clean (say the leftmost "title" was a sentence adverb), the search resumes one
    /// character after the match start rather than after its end, so a later, cleaner reading is found.
    fn run_rule(&mut self, ri: usize) {
        let rules = self.ex.rules;
        let rule = &rules.rules[ri];
        for (pi, p) in rule.patterns.iter().enumerate() {
            if !p.query.admits(self.atoms) {
                continue;
            }
            let mut at = 0;
            while at <= self.stext.len() {
                let Some(caps) = p.regex.captures_at(self.stext, at) else {
                    break;
                };
                let Some(m) = caps.get(0) else { break };
                let next_char = m.start()
                    + self.stext[m.start()..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                at = match self.process_match(ri, pi, &caps) {
                    // Past the rejected span, never inside it: a fragment of a rejected name
                    // ("Super Freaky Girl" of "Nicki Minaj's Super Freaky Girl") is no better.
                    Some(after) => after.max(next_char),
                    None if m.end() == m.start() => next_char,
                    None => m.end(),
                };
            }
        }
    }

    fn tense_at(&self, start: usize, end: usize) -> Tense {
        let cues = &self.ex.rules.tense;
        let from = floor_boundary(self.stext, start.saturating_sub(cues.window));
        let region = &self.stext[from..end];
        if cues.future.as_ref().is_some_and(|r| r.is_match(region)) {
            Tense::Future
        } else if cues.past.as_ref().is_some_and(|r| r.is_match(region)) {
            Tense::Past
        } else {
            Tense::Unknown
        }
    }

    fn veto(&self, kind: &str, start: usize, end: usize) -> Option<String> {
        for v in &self.ex.rules.vetoes {
            if !v.kinds.iter().any(|k| k == kind) {
                continue;
            }
            let hit = match v.scope {
                VetoScope::Sentence => v.regex.is_match(self.stext),
                VetoScope::Window(w) => {
                    // The window stops at a clause break before the match: "Stapleton didn't leave
                    // empty-handed: he took Male Vocalist" negates the first clause, not the second.
                    let mut from = floor_boundary(self.stext, start.saturating_sub(w));
                    if let Some(b) = self.stext[from..start].rfind([';', ':', '—', '–']) {
                        from += b + self.stext[from + b..]
                            .chars()
                            .next()
                            .map_or(1, char::len_utf8);
                    }
                    // So does a contrast: in "X was nominated for A, but that award went to Y" the
                    // nomination belongs to the first clause, the win to the second.
                    if let Some(b) = self.stext[from..start].rfind(", but ") {
                        from += b + ", but ".len();
                    }
                    let region = mask_relative_clauses(&self.stext[from..end], start - from);
                    v.regex.is_match(&mask_quoted(&region))
                }
                VetoScope::After(w) => {
                    let to = floor_boundary(self.stext, (end + w).min(self.stext.len()));
                    v.regex.is_match(&self.stext[end..to])
                }
            };
            if hit {
                return Some(format!("{}#{}", v.file, v.id));
            }
        }
        None
    }

    /// The year cue nearest the match: inside it first, then the nearest before it in the sentence.
    /// The year cue that governs a match: one inside it, else one opening the sentence ("In 2022,",
    /// "Last year,"). A cue in another clause ("After winning X in 2023, …") does not carry over.
    fn sentence_year(&self, start: usize, end: usize) -> Option<Value> {
        let cues = self.mentions.iter().filter(|m| m.slot == Slot::YearCue);
        let inside = cues
            .clone()
            .filter(|m| m.pos >= start && m.pos < end)
            .min_by_key(|m| m.pos);
        let opening = self.sentence.char_start + 3;
        inside
            .or_else(|| {
                cues.filter(|m| m.pos <= opening && m.pos < start)
                    .min_by_key(|m| m.pos)
            })
            .map(|m| m.value.clone())
    }

    /// Turn one match into candidates. When the match gave nothing because a captured value was
    /// rejected, returns the end of that capture, so the caller can look for another reading after it.
    fn process_match(&mut self, ri: usize, pi: usize, caps: &Captures<'_>) -> Option<usize> {
        let ex = self.ex;
        let rules = ex.rules;
        let rule = &rules.rules[ri];
        let kind = rules.kind(&rule.kind)?;
        let m0 = caps.get(0)?;
        if m0.as_str().trim().is_empty() {
            return None;
        }
        let (ms, me) = (m0.start(), m0.end());
        let (span_start, span_end) = (self.pos(ms), self.pos(me));
        let tense = self.tense_at(ms, me);
        let env = NormEnv {
            rules,
            article_date: self.article.date,
            tense,
        };

        // Normalize every field from its capture or constant.
        let mut values: Vec<(usize, FieldItems)> = Vec::new();
        let mut steps: Vec<Step> = Vec::new();
        let mut list_len = 1;
        for (fi, spec) in rule.fields.iter().enumerate() {
            let field_env = NormEnv {
                tense: spec.tense.unwrap_or(tense),
                ..env
            };
            let fitems = match &spec.source {
                FieldSource::Value(v) => FieldItems {
                    items: vec![Ok(Some(v.clone()))],
                    inferred: false,
                },
                FieldSource::Fill(_) => FieldItems {
                    items: vec![Ok(None)],
                    inferred: true,
                },
                FieldSource::Capture(cap) => match caps.name(cap) {
                    None => FieldItems {
                        items: vec![Ok(None)],
                        inferred: false,
                    },
                    Some(m) => {
                        let pieces: Vec<(usize, &str)> = if spec.list {
                            split_list(m.as_str(), rules)
                                .into_iter()
                                .map(|(o, t)| (m.start() + o, t))
                                .collect()
                        } else {
                            vec![(m.start(), m.as_str())]
                        };
                        let drop_before = if spec.list && spec.normalizer == Normalizer::Artist {
                            qualifier_chain_start(&pieces, rules)
                        } else {
                            0
                        };
                        let mut inferred = false;
                        let mut items = Vec::new();
                        for (idx, (off, piece)) in pieces.iter().enumerate() {
                            if idx < drop_before {
                                continue;
                            }
                            let pos = self.pos(*off);
                            // News quotes titles, never people: a "name" opening right after a quote
                            // mark is part of a quoted title ("Miley Cyrus' 'Flowers' was named…").
                            let quoted = matches!(
                                spec.normalizer,
                                Normalizer::Artist | Normalizer::Musician
                            ) && self.stext[..*off].ends_with(['\'', '"']);
                            let out = if quoted {
                                Normalized::Reject(format!(
                                    "{piece:?} is inside quotes: a title, not a name"
                                ))
                            } else {
                                spec.normalizer.apply(piece, &field_env)
                            };
                            let resolved = match out {
                                Normalized::Value(v) => Ok(Some(v)),
                                Normalized::Missing(_) => Ok(None),
                                Normalized::Reject(r) => Err(r),
                                Normalized::Anaphor(slot) => {
                                    inferred = true;
                                    // "the quintet": the latest group of five the gazetteer knows.
                                    let sized = group_size(piece)
                                        .and_then(|n| self.latest_group_of_size(n, pos));
                                    match sized.or_else(|| self.resolve_anaphor(slot, pos)) {
                                        Some(v) => Ok(Some(v)),
                                        None => Err(format!(
                                            "{:?} refers to no earlier {slot:?}",
                                            entity::clean(piece)
                                        )),
                                    }
                                }
                            };
                            if ex.explain {
                                steps.push(Step {
                                    field: spec.name.clone(),
                                    input: piece.to_string(),
                                    normalizer: spec.normalizer.name().to_string(),
                                    output: match &resolved {
                                        Ok(Some(v)) => v.clone(),
                                        Ok(None) => Value::Null,
                                        Err(r) => Value::String(format!("rejected: {r}")),
                                    },
                                });
                            }
                            // "Lambert" after "Miranda Lambert": the full name.
                            let resolved = match resolved {
                                Ok(Some(Value::String(n)))
                                    if matches!(
                                        spec.normalizer,
                                        Normalizer::Artist | Normalizer::Musician
                                    ) =>
                                {
                                    Ok(Some(
                                        self.ctx
                                            .full_name(&n)
                                            .or_else(|| self.full_name_in_text(&n))
                                            .unwrap_or(Value::String(n)),
                                    ))
                                }
                                other => other,
                            };
                            // A work named earlier standing where an act belongs ("Peso Pluma's album
                            // Génesis … Génesis picked up Album of the Year") stands for its artist.
                            let resolved = match resolved {
                                Ok(Some(Value::String(n)))
                                    if spec.normalizer == Normalizer::Artist
                                        && self.names_known_work(&n, pos) =>
                                {
                                    inferred = true;
                                    let artist = self.ctx.topic_artist(&self.mentions, pos);
                                    artist.map(Some).ok_or_else(|| {
                                        format!("{n:?} names a work, and no artist is in context")
                                    })
                                }
                                other => other,
                            };
                            // Every clean value is a mention, whatever becomes of this match.
                            if let (Ok(Some(v)), Some(slot)) =
                                (&resolved, kind.mentions.get(&spec.name))
                            {
                                self.push_mention(
                                    *slot,
                                    v.clone(),
                                    piece,
                                    pos,
                                    caps,
                                    rule,
                                    span_start,
                                    span_end,
                                );
                            }
                            items.push(resolved);
                        }
                        FieldItems { items, inferred }
                    }
                },
            };
            if spec.list {
                list_len = fitems.items.len();
            }
            values.push((fi, fitems));
        }

        if !kind.emit {
            return None;
        }
        if let Some(v) = self.veto(&rule.kind, ms, me) {
            self.note(rule, format!("vetoed by {v}: {:?}", m0.as_str()));
            return None;
        }
        let mut produced = false;
        let mut rejected_end: Option<usize> = None;

        // One candidate per list item.
        for item in 0..list_len.max(1) {
            let mut fields: Vec<(String, Value)> = Vec::new();
            let mut penalties = 0;
            let mut rejected: Option<String> = None;
            for (fi, fitems) in &values {
                let spec = &rule.fields[*fi];
                if spec.attach_last && item + 1 != list_len {
                    continue;
                }
                let got = if spec.list {
                    fitems.items.get(item).cloned().unwrap_or(Ok(None))
                } else {
                    fitems.items.first().cloned().unwrap_or(Ok(None))
                };
                match got {
                    Ok(Some(v)) => {
                        if fitems.inferred {
                            penalties += 1;
                        }
                        fields.push((spec.name.clone(), v));
                    }
                    Ok(None) => {}
                    Err(r) => {
                        if spec.required || kind.required.contains(&spec.name) {
                            rejected = Some(format!("{}: {r}", spec.name));
                            if let FieldSource::Capture(c) = &spec.source
                                && let Some(m) = caps.name(c)
                            {
                                rejected_end =
                                    Some(rejected_end.map_or(m.end(), |e| e.max(m.end())));
                            }
                            break;
                        }
                        self.note(rule, format!("optional field {} dropped: {r}", spec.name));
                    }
                }
            }
            if let Some(r) = rejected {
                self.note(rule, format!("dropped: {r}"));
                continue;
            }
            let mut deferred = false;
            let mut year_from_article = false;
            let mut steps = if ex.explain {
                steps.clone()
            } else {
                Vec::new()
            };
            for field in &kind.fields {
                if fields.iter().any(|(f, _)| f == field) {
                    continue;
                }
                // The rule's own fill sources come before the kind's.
                let own =
                    rule.fields
                        .iter()
                        .find(|f| &f.name == field)
                        .and_then(|f| match &f.source {
                            FieldSource::Fill(chain) => Some(chain),
                            _ if !f.fallback.is_empty() => Some(&f.fallback),
                            _ => None,
                        });
                let Some(chain) = own.or_else(|| kind.fill.get(field)) else {
                    continue;
                };
                for src in chain {
                    let v = match src {
                        FillSource::EventDate => {
                            deferred = true;
                            None
                        }
                        _ => self.fill(*src, &fields, span_start, span_end),
                    };
                    if let Some(v) = v {
                        penalties += 1;
                        year_from_article |=
                            field == "year" && matches!(src, FillSource::ArticleYear);
                        if ex.explain {
                            steps.push(Step {
                                field: field.clone(),
                                input: fill_name(*src),
                                normalizer: "fill".into(),
                                output: v.clone(),
                            });
                        }
                        fields.push((field.clone(), v));
                        break;
                    }
                }
            }
            let missing: Vec<&String> = kind
                .required
                .iter()
                .filter(|f| !fields.iter().any(|(n, _)| n == *f))
                .collect();
            // One required field missing whose fill chain reads a context slot may still come
            // from the next sentence; anything else is dropped now.
            let forward = match missing.as_slice() {
                [] => None,
                [field] => match forward_slot(rule, kind, field) {
                    Some(slot) => Some(Forward {
                        field: (*field).clone(),
                        slot,
                        year_from_article,
                    }),
                    None => {
                        self.note(
                            rule,
                            format!("dropped: no value for required field {field}"),
                        );
                        continue;
                    }
                },
                [field, ..] => {
                    self.note(
                        rule,
                        format!("dropped: no value for required field {field}"),
                    );
                    continue;
                }
            };
            if let Some(reason) = same_act(kind, &fields, rules) {
                self.note(rule, format!("dropped: {reason}"));
                continue;
            }
            self.cands.push(Candidate {
                kind: rule.kind.clone(),
                rule: ri,
                pattern: pi,
                sentence: self.index,
                span: (span_start, span_end),
                fields,
                deferred_event_date: deferred,
                forward,
                penalties,
                steps,
            });
            produced = true;
        }
        if produced { None } else { rejected_end }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_mention(
        &mut self,
        slot: Slot,
        value: Value,
        raw: &str,
        pos: usize,
        caps: &Captures<'_>,
        rule: &Rule,
        span_start: usize,
        span_end: usize,
    ) {
        let rules = self.ex.rules;
        match slot {
            Slot::Ceremony => {
                let year = match entity::ceremony_year(raw, rules, self.article.date) {
                    Normalized::Value(v) => v.as_i64(),
                    _ => self
                        .sentence_year(span_start, span_end)
                        .and_then(|v| v.as_i64()),
                };
                self.mentions.push(Mention {
                    year,
                    ..Mention::new(slot, value, pos)
                });
            }
            Slot::EventDate => {
                // The ceremony named in the same match, else the one in context.
                let env = NormEnv {
                    rules,
                    article_date: self.article.date,
                    tense: Tense::Past,
                };
                let named = rule
                    .fields
                    .iter()
                    .find(|f| f.normalizer == Normalizer::Ceremony)
                    .and_then(|f| {
                        let FieldSource::Capture(c) = &f.source else {
                            return None;
                        };
                        caps.name(c).map(|m| m.as_str())
                    });
                let (ceremony, year) = match named.map(|n| (Normalizer::Ceremony.apply(n, &env), n))
                {
                    Some((Normalized::Value(v), n)) => {
                        let y = match entity::ceremony_year(n, rules, self.article.date) {
                            Normalized::Value(y) => y.as_i64(),
                            _ => self
                                .sentence_year(span_start, span_end)
                                .and_then(|v| v.as_i64()),
                        };
                        (Some(v), y)
                    }
                    _ => match self.ctx.resolve(Slot::Ceremony, &self.mentions, pos) {
                        Some(m) => (Some(m.value.clone()), m.year),
                        None => (None, None),
                    },
                };
                if let Some(ceremony) = ceremony {
                    let year = year.or_else(|| {
                        value
                            .as_str()
                            .and_then(|d| d.get(..4))
                            .and_then(|y| y.parse().ok())
                    });
                    self.events.push(EventDate {
                        ceremony,
                        year,
                        date: value,
                    });
                }
            }
            Slot::Work | Slot::Song | Slot::Album => {
                // A work's type decides whether "the album" or "the song" will find it.
                let typed = rule
                    .fields
                    .iter()
                    .find(|f| f.normalizer == Normalizer::WorkType)
                    .and_then(|f| match &f.source {
                        FieldSource::Capture(c) => caps.name(c).map(|m| m.as_str().to_lowercase()),
                        FieldSource::Value(v) => v.as_str().map(str::to_lowercase),
                        FieldSource::Fill(_) => None,
                    });
                let album_like = typed.as_deref().is_some_and(|t| {
                    let t = rules
                        .gazetteer("work_types")
                        .get(t)
                        .map_or(t.to_string(), |e| e.canonical.to_lowercase());
                    // Canonical forms keep their case ("EP"): compare lowercased.
                    matches!(t.as_str(), "album" | "ep" | "mini album" | "mixtape")
                });
                // A bare quoted title already typed as an album ("album "Armageddon"") stays an
                // album, so "the music video" after it still finds the song.
                let known_album = typed.is_none()
                    && (self
                        .mentions
                        .iter()
                        .any(|m| m.slot == Slot::Album && m.value == value)
                        || self
                            .ctx
                            .resolve(Slot::Album, &[], pos)
                            .is_some_and(|m| m.slot == Slot::Album && m.value == value));
                let slot = match slot {
                    Slot::Work if album_like || known_album => Slot::Album,
                    Slot::Work => Slot::Song,
                    s => s,
                };
                self.mentions.push(Mention::new(slot, value, pos));
            }
            Slot::Artist => {
                // A fact's winner or artist, or the sentence's opening name, is what the article is
                // about more than a name in passing.
                let subject = rules.kind(&rule.kind).is_some_and(|k| k.emit)
                    || pos <= self.sentence.char_start + 1;
                self.mentions.push(Mention {
                    weight: if subject { 2 } else { 1 },
                    ..Mention::new(slot, value, pos)
                });
            }
            _ => self.mentions.push(Mention::new(slot, value, pos)),
        }
    }

    /// The latest act mentioned (this sentence first) whose members the artists gazetteer lists,
    /// `n` of them.
    fn latest_group_of_size(&self, n: usize, pos: usize) -> Option<Value> {
        let artists = self.ex.rules.gazetteer("artists");
        let size = |group: &str| {
            artists
                .entries
                .iter()
                .filter(|e| {
                    e.attr("group")
                        .is_some_and(|g| g.eq_ignore_ascii_case(group))
                })
                .count()
        };
        let mut here: Vec<&Mention> = self
            .mentions
            .iter()
            .filter(|m| m.slot == Slot::Artist && m.pos < pos)
            .collect();
        here.sort_by_key(|m| std::cmp::Reverse(m.pos));
        here.into_iter()
            .map(|m| &m.value)
            .chain(self.ctx.artists_by_recency())
            .find(|v| v.as_str().is_some_and(|g| size(g) == n))
            .cloned()
    }

    /// Whether `name` is the latest song or album in context and no act the gazetteer knows
    /// (a song may be named after an act: Peso Pluma's "Lady Gaga").
    fn names_known_work(&self, name: &str, pos: usize) -> bool {
        if self.ex.rules.gazetteer("artists").get(name).is_some() {
            return false;
        }
        [Slot::Song, Slot::Album].into_iter().any(|slot| {
            self.ctx
                .resolve(slot, &self.mentions, pos)
                .and_then(|m| m.value.as_str())
                .is_some_and(|w| w.eq_ignore_ascii_case(name))
        })
    }

    /// A lone surname whose full name no rule mentioned ("Performed in the film by Zoe Saldaña. …
    /// Saldaña also won …"): the latest "First Surname" written earlier in the article, when the
    /// word before it is a capitalised name word and the surname is no act of its own.
    fn full_name_in_text(&self, name: &str) -> Option<Value> {
        let rules = self.ex.rules;
        if name.contains(' ')
            || !name.chars().next().is_some_and(char::is_uppercase)
            || rules.gazetteer("artists").get(name).is_some()
        {
            return None;
        }
        // The article before this sentence, borrowed: this runs for every one-word name.
        let text = &self.article.text;
        let end = text
            .char_indices()
            .nth(self.sentence.char_start)
            .map_or(text.len(), |(i, _)| i);
        let before = &text[..end];
        let stop = rules.gazetteer("stopwords");
        let mut found = None;
        for (i, _) in before.match_indices(name) {
            if before[i + name.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let Some(head) = before[..i].strip_suffix(' ') else {
                continue;
            };
            let word = head
                .rsplit(|c: char| !(c.is_alphabetic() || c == '-' || c == '\''))
                .next()
                .unwrap_or("");
            let first_upper = word.chars().next().is_some_and(char::is_uppercase);
            if first_upper
                && word.chars().count() >= 2
                && word.chars().skip(1).all(|c| !c.is_uppercase())
                && stop.get(word).is_none()
            {
                found = Some(Value::String(format!("{word} {name}")));
            }
        }
        found
    }

    /// "the idol", "the artist": an artist named earlier in the same sentence, else the
    /// article's topic artist (news rarely calls a collaborator "the artist"). Other slots: the
    /// latest fitting mention.
    fn resolve_anaphor(&self, slot: Slot, pos: usize) -> Option<Value> {
        // "She picked up …": a pronoun takes the latest artist named (descriptions take the topic).
        if slot == Slot::Pronoun {
            return self
                .ctx
                .resolve(Slot::Artist, &self.mentions, pos)
                .map(|m| m.value.clone());
        }
        if slot == Slot::Artist {
            let here = self
                .mentions
                .iter()
                .filter(|m| m.slot == Slot::Artist && m.pos < pos)
                .max_by_key(|m| m.pos);
            return here
                .map(|m| m.value.clone())
                .or_else(|| self.ctx.topic_artist(&[], pos));
        }
        self.ctx
            .resolve(slot, &self.mentions, pos)
            .map(|m| m.value.clone())
    }

    fn fill(
        &self,
        src: FillSource,
        fields: &[(String, Value)],
        start: usize,
        end: usize,
    ) -> Option<Value> {
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        match src {
            FillSource::Context(Slot::Artist) => self.ctx.topic_artist(&self.mentions, start),
            FillSource::Context(slot) => self
                .ctx
                .resolve(slot, &self.mentions, start)
                .map(|m| m.value.clone()),
            FillSource::ContextCeremonyYear => {
                let m = self.ctx.resolve(Slot::Ceremony, &self.mentions, end)?;
                (Some(&m.value) == get("ceremony")).then_some(())?;
                m.year.map(Value::from)
            }
            FillSource::SentenceYear => self.sentence_year(start, end),
            FillSource::Sentence(slot) => self
                .mentions
                .iter()
                .filter(|m| m.slot == slot)
                .min_by_key(|m| m.pos.abs_diff(start))
                .map(|m| m.value.clone()),
            FillSource::SentenceSubject => self
                .mentions
                .iter()
                .find(|m| {
                    m.slot == Slot::Artist && m.pos == self.sentence.char_start && m.pos < start
                })
                .map(|m| m.value.clone()),
            // A ceremony held months after the article's date was last held the year before.
            FillSource::ArticleYear => match get("ceremony").and_then(Value::as_str) {
                Some(c) => Some(Value::from(entity::latest_edition_year(
                    c,
                    self.ex.rules,
                    self.article.date,
                ))),
                None => Some(Value::from(self.article.date.year())),
            },
            FillSource::ArticleDate => Some(Value::String(
                self.article.date.format("%Y-%m-%d").to_string(),
            )),
            FillSource::EventDate => None,
        }
    }
}

/// The number of members a group descriptor names: "the quintet" 5, "the 13-member group" 13.
fn group_size(phrase: &str) -> Option<usize> {
    let p = phrase.to_lowercase();
    let words = [
        ("duo", 2),
        ("trio", 3),
        ("quartet", 4),
        ("quintet", 5),
        ("sextet", 6),
        ("septet", 7),
        ("octet", 8),
        ("nonet", 9),
    ];
    for w in p.split(|c: char| !c.is_alphanumeric() && c != '-') {
        if let Some((_, n)) = words.iter().find(|(name, _)| *name == w) {
            return Some(*n);
        }
        if let Some(num) = w
            .strip_suffix("-member")
            .or_else(|| w.strip_suffix("-piece"))
            .and_then(|d| d.parse::<usize>().ok())
        {
            return Some(num);
        }
    }
    None
}

/// The context slot a required field's fill chain reads (`context:SLOT`), if any: the slot a later
/// sentence's mention may fill it from.
fn forward_slot(rule: &Rule, kind: &KindSpec, field: &str) -> Option<Slot> {
    let own = rule
        .fields
        .iter()
        .find(|f| f.name == field)
        .and_then(|f| match &f.source {
            FieldSource::Fill(chain) => Some(chain),
            _ if !f.fallback.is_empty() => Some(&f.fallback),
            _ => None,
        });
    own.or_else(|| kind.fill.get(field))?
        .iter()
        .find_map(|src| match src {
            FillSource::Context(slot) if *slot != Slot::Artist => Some(*slot),
            _ => None,
        })
}

/// Fill a candidate's missing field from the next sentence's mention; a ceremony brings its year
/// when the candidate only had the article's.
fn fill_forward(c: &mut Candidate, f: &Forward, m: &Mention, explain: bool) {
    c.fields.push((f.field.clone(), m.value.clone()));
    c.penalties += 1;
    if explain {
        c.steps.push(Step {
            field: f.field.clone(),
            input: format!("next sentence:{}", slot_name(f.slot)),
            normalizer: "fill".into(),
            output: m.value.clone(),
        });
    }
    if let (Slot::Ceremony, true, Some(y)) = (f.slot, f.year_from_article, m.year)
        && let Some((_, v)) = c.fields.iter_mut().find(|(n, _)| n == "year")
    {
        *v = Value::from(y);
    }
}

/// A slot as rule files write it (`song`, `ceremony`).
fn slot_name(s: Slot) -> String {
    format!("{s:?}").to_lowercase()
}

fn fill_name(src: FillSource) -> String {
    match src {
        FillSource::Context(s) => format!("context:{}", slot_name(s)),
        FillSource::ContextCeremonyYear => "context:ceremony_year".into(),
        FillSource::SentenceYear => "sentence:year".into(),
        FillSource::SentenceSubject => "sentence:subject".into(),
        FillSource::Sentence(s) => format!("sentence:{}", slot_name(s)),
        FillSource::ArticleYear => "article:year".into(),
        FillSource::ArticleDate => "article:date".into(),
        FillSource::EventDate => "event:date".into(),
    }
}

/// Blank out quoted titles ("Not Like Us", 'WE PRAY'): a title says nothing about whether something
/// happened, and its words ("Not", "Never", "Pray") must not trip a veto. Single quotes count only
/// where they open and close at word edges, so apostrophes stay.
fn mask_quoted(s: &str) -> std::borrow::Cow<'_, str> {
    static QUOTED: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = QUOTED.get_or_init(|| {
        regex::Regex::new(r#""[^"\n]*"|(?-u:\B)'(?:[^'\n]|'[a-z])+?'(?-u:\B)"#)
            .unwrap_or_else(|_| unreachable!("constant regex"))
    });
    re.replace_all(s, "\"\"")
}

/// Blank out relative clauses set off by commas or dashes (", who many predicted would sweep the
/// night,", " – who arrived with seven nominations –"): they describe the subject, and a prediction,
/// nomination or negation inside one says nothing about the main clause's win. A clause holding the
/// match start (`keep_at`) is kept: there the match itself is the aside.
fn mask_relative_clauses(s: &str, keep_at: usize) -> std::borrow::Cow<'_, str> {
    static CLAUSE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = CLAUSE.get_or_init(|| {
        regex::Regex::new(
            r"(?i),\s(?:who|whom|whose|which)\s[^,;:\n]+,|\s[–—]\s(?:who|whom|whose|which)\s[^–—;:\n]+[–—]",
        )
        .unwrap_or_else(|_| unreachable!("constant regex"))
    });
    if !re.is_match(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in re.find_iter(s) {
        if (m.start()..m.end()).contains(&keep_at) {
            continue;
        }
        out.push_str(&s[last..m.start()]);
        out.push_str(", ");
        last = m.end();
    }
    out.push_str(&s[last..]);
    std::borrow::Cow::Owned(out)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Split a list capture ("A, B and C", "A & B") into items with their byte offsets; adjacent items
/// that together form a known act ("Simon & Garfunkel") stay one item.
pub fn split_list<'t>(text: &'t str, rules: &RuleSet) -> Vec<(usize, &'t str)> {
    let sep = list_separator();
    let mut pieces: Vec<(usize, usize)> = Vec::new();
    let mut last = 0;
    for m in sep.find_iter(text) {
        pieces.push((last, m.start()));
        last = m.end();
    }
    pieces.push((last, text.len()));
    let artists = rules.gazetteer("artists");
    let mut out: Vec<(usize, &str)> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let mut j = i;
        // Join with the next piece when the joined span is a known act.
        while j + 1 < pieces.len() && artists.contains(text[pieces[i].0..pieces[j + 1].1].trim()) {
            j += 1;
        }
        let (s, e) = (pieces[i].0, pieces[j].1);
        let piece = &text[s..e];
        let lead = piece.len() - piece.trim_start().len();
        if !piece.trim().is_empty() {
            out.push((s + lead, piece.trim()));
        }
        i = j + 1;
    }
    out
}

fn list_separator() -> &'static regex::Regex {
    static SEP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    SEP.get_or_init(|| {
        regex::Regex::new(r"\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")
            .unwrap_or_else(|_| unreachable!("constant regex"))
    })
}

/// "Nevertheless and My Name actor Han So Hee": when the last item is a person described by capitalised
/// titles before a role word, the earlier items are part of that description, not people. Returns the
/// index of the first item to keep.
fn qualifier_chain_start(pieces: &[(usize, &str)], rules: &RuleSet) -> usize {
    let Some((_, last)) = pieces.last() else {
        return 0;
    };
    if pieces.len() < 2 {
        return 0;
    }
    let stripped = entity::strip_descriptors(last, rules);
    if stripped.len() == last.len() {
        return 0;
    }
    let qualifier = last[..last.len() - stripped.len()].trim();
    let first_word = qualifier.split_whitespace().next().unwrap_or("");
    let is_title_qualifier = first_word.chars().next().is_some_and(char::is_uppercase)
        && !rules.gazetteer("nationalities").contains(first_word)
        && !rules.gazetteer("artists").contains(first_word)
        && !qualifier.contains('\'');
    if is_title_qualifier {
        pieces.len() - 1
    } else {
        0
    }
}
