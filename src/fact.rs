//! Fact records: the normalized facts with their provenance, and the wire format other tools rely on.
//!
//! One JSON object per line, keys in this order:
//! `{"id", "kind", "article": {"id", "source", "date"}, "fields": {...}, "evidence": {"text", "start",
//! "end"}, "rule", "confidence"}` and, with `--explain`, `"explain": {"pattern", "match", "steps"}`.
//! `id` is a stable hash of kind, article id and fields, so re-runs are idempotent; `start`/`end` are
//! character offsets of the evidence sentence in the article text.

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::article::Article;

/// The sentence a fact was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One normalization step, for `--explain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub field: String,
    /// The captured text, or the fill source ("context:ceremony").
    pub input: String,
    pub normalizer: String,
    pub output: Value,
}

/// How a fact was found, for `--explain`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explain {
    pub pattern: String,
    /// Character range of the regex match in the article text.
    #[serde(rename = "match")]
    pub span: [usize; 2],
    pub steps: Vec<Step>,
    /// Rules whose matches merged into this fact, first one first.
    pub rules: Vec<String>,
}

/// A normalized fact found in one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    pub kind: String,
    pub fields: Map<String, Value>,
    pub evidence: Evidence,
    pub rule: String,
    pub confidence: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleRef {
    pub id: String,
    pub source: String,
    pub date: String,
}

/// A fact as emitted: the wire format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactRecord {
    pub id: String,
    pub kind: String,
    pub article: ArticleRef,
    pub fields: Map<String, Value>,
    pub evidence: Evidence,
    pub rule: String,
    pub confidence: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

impl FactRecord {
    pub fn new(article: &Article, fact: Fact) -> FactRecord {
        FactRecord {
            id: fact_id(&fact.kind, &article.id, &fact.fields),
            kind: fact.kind,
            article: ArticleRef {
                id: article.id.clone(),
                source: article.source.clone(),
                date: article.date.format("%Y-%m-%d").to_string(),
            },
            fields: fact.fields,
            evidence: fact.evidence,
            rule: fact.rule,
            confidence: fact.confidence,
            explain: fact.explain,
        }
    }
}

/// Stable id: the first 16 bytes of SHA-256 over kind, article id and the fields in their order.
pub fn fact_id(kind: &str, article_id: &str, fields: &Map<String, Value>) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update([0]);
    h.update(article_id.as_bytes());
    for (k, v) in fields {
        h.update([0]);
        h.update(k.as_bytes());
        h.update([b'=']);
        h.update(v.to_string().as_bytes());
    }
    crate::rules::hex(&h.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_field_sensitive() {
        let mut f = Map::new();
        f.insert("work".into(), Value::from("Seven"));
        let a = fact_id("release", "x", &f);
        assert_eq!(a, fact_id("release", "x", &f));
        assert_eq!(a.len(), 32);
        assert_ne!(a, fact_id("release", "y", &f));
        f.insert("date".into(), Value::from("2023-07-14"));
        assert_ne!(a, fact_id("release", "x", &f));
    }
}
