//! Scoring against gold cases, with the same matching as the reference scorer `tools/score.py`:
//! one-to-one on each kind's key fields, strings case-folded without diacritics and with punctuation
//! turned into spaces, a gold field may list acceptable values, `--strict` checks every gold field.

use std::io::{self, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::article::{Article, parse_article_date};
use crate::extract::Extractor;
use crate::fact::FactRecord;
use crate::rules::RuleSet;

/// Key fields per kind: two facts of a kind are the same fact when these agree.
pub const KEYS: &[(&str, &[&str])] = &[
    ("award_win", &["winner", "award", "ceremony", "year"]),
    ("release", &["work", "date"]),
    ("stream_count", &["work", "platform", "count"]),
    ("collaboration", &["work", "collaborator"]),
];

fn keys_of(kind: &str) -> Option<&'static [&'static str]> {
    KEYS.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v)
}

/// A gold case file.
#[derive(Debug, Clone, Deserialize)]
pub struct GoldCase {
    pub id: String,
    pub date: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub facts: Vec<Map<String, Value>>,
    #[serde(default)]
    pub optional: Vec<Map<String, Value>>,
    #[serde(default)]
    pub must_not: Vec<Map<String, Value>>,
}

/// Read `DIR/*.json` and `DIR/cases/*.json` in sorted path order; a later file with the same id replaces
/// an earlier one, as in the reference scorer.
pub fn load_gold(dir: &Path) -> anyhow::Result<Vec<GoldCase>> {
    let mut paths = Vec::new();
    for d in [dir.to_path_buf(), dir.join("cases")] {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") && p.is_file() {
                paths.push(p);
            }
        }
    }
    if paths.is_empty() {
        anyhow::bail!("no *.json gold files in {}", dir.display());
    }
    paths.sort();
    let mut cases: Vec<GoldCase> = Vec::new();
    for p in paths {
        let text =
            std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        let case: GoldCase =
            serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
        match cases.iter_mut().find(|c| c.id == case.id) {
            Some(slot) => *slot = case,
            None => cases.push(case),
        }
    }
    Ok(cases)
}

/// Case-fold, drop diacritics, straighten quotes, punctuation to spaces, collapse spaces.
pub fn fold(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e18 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => fold_str(s),
        other => fold_str(&other.to_string()),
    }
}

fn fold_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        if c.is_alphanumeric() || c == '_' {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn field<'a>(pred: &'a FactRecord, name: &str) -> Option<&'a Value> {
    pred.fields.get(name)
}

fn norm_date(s: &str, precision: Option<&str>) -> String {
    let b = s.as_bytes();
    let is_day = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    match precision {
        Some("month") if is_day && s.ends_with("-01") => s[..7].to_string(),
        Some("year") if is_day && s.ends_with("-01-01") => s[..4].to_string(),
        _ => s.to_string(),
    }
}

fn values_match(name: &str, gold: &Value, pred: &FactRecord) -> bool {
    let Some(pv) = field(pred, name) else {
        return false;
    };
    if pv.is_null() {
        return false;
    }
    let alts: Vec<&Value> = match gold {
        Value::Array(a) => a.iter().collect(),
        v => vec![v],
    };
    match name {
        "date" => {
            let precision = field(pred, "precision").and_then(Value::as_str);
            let p = norm_date(&value_str(pv), precision);
            alts.iter().any(|a| norm_date(&value_str(a), None) == p)
        }
        "year" | "count" => match as_int(pv) {
            Some(p) => alts.iter().any(|a| as_int(a) == Some(p)),
            None => false,
        },
        _ => {
            let p = fold(pv);
            alts.iter().any(|a| fold(a) == p)
        }
    }
}

fn value_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn matches(gold: &Map<String, Value>, pred: &FactRecord, fields: &[&str]) -> bool {
    fields
        .iter()
        .filter(|f| gold.contains_key(**f))
        .all(|f| values_match(f, &gold[*f], pred))
}

/// Per-kind counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Counts {
    pub fn scores(&self) -> Scores {
        let p = ratio(self.tp, self.tp + self.fp);
        let r = ratio(self.tp, self.tp + self.fn_);
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Scores {
            precision: p,
            recall: r,
            f1,
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, Default)]
pub struct EvalReport {
    pub per_kind: Vec<(&'static str, Counts)>,
    pub misses: Vec<(String, Map<String, Value>)>,
    pub false_positives: Vec<(String, FactRecord)>,
    pub violations: Vec<(String, Map<String, Value>, FactRecord)>,
}

impl EvalReport {
    pub fn micro(&self) -> Scores {
        let mut all = Counts::default();
        for (_, c) in &self.per_kind {
            all.tp += c.tp;
            all.fp += c.fp;
            all.fn_ += c.fn_;
        }
        all.scores()
    }

    /// Print in the reference scorer's layout, with the evidence sentence under each false positive.
    pub fn write(&self, out: &mut dyn Write, details: bool) -> io::Result<()> {
        for (k, c) in &self.per_kind {
            let s = c.scores();
            writeln!(
                out,
                "{k:<14} tp={:3} fp={:3} fn={:3}  P={:.3} R={:.3} F1={:.3}",
                c.tp, c.fp, c.fn_, s.precision, s.recall, s.f1
            )?;
        }
        if details {
            for (aid, g) in &self.misses {
                writeln!(out, "MISS  {aid} {}", py_json(&Value::Object(g.clone())))?;
            }
            for (aid, p) in &self.false_positives {
                writeln!(
                    out,
                    "FALSE {aid} {} {}",
                    p.kind,
                    py_json(&Value::Object(p.fields.clone()))
                )?;
                writeln!(out, "      evidence: {}  [{}]", p.evidence.text, p.rule)?;
            }
        }
        for (aid, m, p) in &self.violations {
            writeln!(out, "MUST_NOT {aid} {}", py_json(&Value::Object(m.clone())))?;
            writeln!(out, "      evidence: {}  [{}]", p.evidence.text, p.rule)?;
        }
        let m = self.micro();
        writeln!(
            out,
            "micro_f1={:.3} recall={:.3} precision={:.3} must_not={}",
            m.f1,
            m.recall,
            m.precision,
            self.violations.len()
        )
    }
}

/// JSON as Python's `json.dumps(..., ensure_ascii=False)` writes it, so lines compare with score.py's.
fn py_json(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), py_json(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(py_json).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// Extract every case's text with its date and score the facts.
pub fn evaluate(rules: &RuleSet, cases: &[GoldCase], strict: bool) -> EvalReport {
    let extractor = Extractor::new(rules);
    let preds: Vec<Vec<FactRecord>> = cases
        .par_iter()
        .map(|case| {
            let Some(date) = parse_article_date(&case.date) else {
                return Vec::new();
            };
            let article = Article {
                id: case.id.clone(),
                source: "gold".into(),
                url: None,
                title: None,
                date,
                date_source: None,
                text: case.text.clone(),
            };
            extractor
                .extract(&article)
                .facts
                .into_iter()
                .map(|f| FactRecord::new(&article, f))
                .collect()
        })
        .collect();
    score(cases, &preds, strict)
}

/// Score predictions (per case, in case order) against gold.
pub fn score(cases: &[GoldCase], preds: &[Vec<FactRecord>], strict: bool) -> EvalReport {
    let mut report = EvalReport {
        per_kind: KEYS.iter().map(|(k, _)| (*k, Counts::default())).collect(),
        ..Default::default()
    };
    let counts = |r: &mut EvalReport, kind: &str| -> Option<usize> {
        r.per_kind.iter().position(|(k, _)| *k == kind)
    };
    for (case, ps) in cases.iter().zip(preds) {
        let ps: Vec<&FactRecord> = ps.iter().filter(|p| keys_of(&p.kind).is_some()).collect();
        let mut used = vec![false; ps.len()];
        for g in &case.facts {
            let Some(kind) = g.get("kind").and_then(Value::as_str) else {
                continue;
            };
            let Some(keyf) = keys_of(kind) else { continue };
            let strict_fields: Vec<&str> = g
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "kind")
                .collect();
            let want: &[&str] = if strict { &strict_fields } else { keyf };
            let hit = ps
                .iter()
                .enumerate()
                .find(|(i, p)| !used[*i] && p.kind == kind && matches(g, p, want));
            let Some(ki) = counts(&mut report, kind) else {
                continue;
            };
            match hit {
                Some((i, _)) => {
                    used[i] = true;
                    report.per_kind[ki].1.tp += 1;
                }
                None => {
                    report.per_kind[ki].1.fn_ += 1;
                    report.misses.push((case.id.clone(), g.clone()));
                }
            }
        }
        for (i, p) in ps.iter().enumerate() {
            if used[i] {
                continue;
            }
            let Some(keyf) = keys_of(&p.kind) else {
                continue;
            };
            let optional = case.optional.iter().any(|o| {
                o.get("kind").and_then(Value::as_str) == Some(&p.kind) && matches(o, p, keyf)
            });
            if optional {
                continue;
            }
            if let Some(ki) = counts(&mut report, &p.kind) {
                report.per_kind[ki].1.fp += 1;
            }
            report.false_positives.push((case.id.clone(), (*p).clone()));
            for m in &case.must_not {
                if m.get("kind").and_then(Value::as_str) != Some(&p.kind) {
                    continue;
                }
                let fields: Vec<&str> = m
                    .keys()
                    .map(String::as_str)
                    .filter(|k| *k != "kind")
                    .collect();
                if matches(m, p, &fields) {
                    report
                        .violations
                        .push((case.id.clone(), m.clone(), (*p).clone()));
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_matches_reference() {
        assert_eq!(fold(&Value::from("Harry’s House")), "harry s house");
        assert_eq!(fold(&Value::from("Beyoncé")), "beyonce");
        assert_eq!(fold(&Value::from("Pop/R&B Act")), "pop r b act");
        assert_eq!(fold(&Value::from("  (G)I-DLE ")), "g i dle");
        assert_eq!(fold(&Value::from(2023)), "2023");
    }

    #[test]
    fn dates_reduce_by_precision() {
        assert_eq!(norm_date("2023-07-01", Some("month")), "2023-07");
        assert_eq!(norm_date("2023-01-01", Some("year")), "2023");
        assert_eq!(norm_date("2023-07-14", None), "2023-07-14");
    }
}
