//! Normalizers: small, pure functions from captured text to canonical values. Rules name them by string;
//! an unknown name fails when the rules load. A normalizer never looks at the article's context itself:
//! when the text is an anaphor ("the song", "the idol") it says which context slot it refers to, and the
//! extractor resolves it.

pub mod date;
pub mod entity;
pub mod number;

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::rules::{RuleSet, Slot};
use date::Tense;

/// The outcome of normalizing one captured string.
#[derive(Debug, Clone, PartialEq)]
pub enum Normalized {
    Value(Value),
    /// The text refers back to an earlier mention ("the song" → the last song).
    Anaphor(Slot),
    /// Nothing usable here; the field may still be filled from elsewhere (context, article date).
    Missing(String),
    /// The text is not a clean value of this type; a fact that needs it is dropped, with this reason.
    Reject(String),
}

/// What a normalizer may consult besides the captured text.
#[derive(Debug, Clone, Copy)]
pub struct NormEnv<'a> {
    pub rules: &'a RuleSet,
    pub article_date: NaiveDate,
    pub tense: Tense,
}

/// The normalizers a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalizer {
    Artist,
    Musician,
    Title,
    Award,
    Ceremony,
    CeremonyYear,
    Year,
    Date,
    ReleaseStatus,
    Count,
    Platform,
    WorkType,
    Role,
    Text,
    Lower,
}

impl Normalizer {
    pub const NAMES: &'static [&'static str] = &[
        "artist",
        "musician",
        "title",
        "award",
        "ceremony",
        "ceremony_year",
        "year",
        "date",
        "release_status",
        "count",
        "platform",
        "work_type",
        "role",
        "text",
        "lower",
    ];

    pub fn parse(name: &str) -> Option<Normalizer> {
        Some(match name {
            "artist" => Normalizer::Artist,
            "musician" => Normalizer::Musician,
            "title" => Normalizer::Title,
            "award" => Normalizer::Award,
            "ceremony" => Normalizer::Ceremony,
            "ceremony_year" => Normalizer::CeremonyYear,
            "year" => Normalizer::Year,
            "date" => Normalizer::Date,
            "release_status" => Normalizer::ReleaseStatus,
            "count" => Normalizer::Count,
            "platform" => Normalizer::Platform,
            "work_type" => Normalizer::WorkType,
            "role" => Normalizer::Role,
            "text" => Normalizer::Text,
            "lower" => Normalizer::Lower,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        Normalizer::NAMES[self as usize]
    }

    /// Normalize one captured string (one list item, for list fields).
    pub fn apply(self, raw: &str, env: &NormEnv<'_>) -> Normalized {
        let rules = env.rules;
        match self {
            Normalizer::Artist => entity::artist(raw, rules),
            Normalizer::Musician => entity::musician(raw, rules),
            Normalizer::Title => entity::title(raw, rules),
            Normalizer::Award => entity::award(raw, rules),
            Normalizer::Ceremony => entity::ceremony(raw, rules),
            Normalizer::CeremonyYear => entity::ceremony_year(raw, rules, env.article_date),
            Normalizer::Year => year(raw, env),
            Normalizer::Date => match date::resolve(now_is_today(raw), env.article_date, env.tense)
            {
                Some(d) => Normalized::Value(Value::String(d.to_iso())),
                None => Normalized::Reject(format!("{raw:?} is not a date")),
            },
            Normalizer::ReleaseStatus => release_status(raw, env),
            Normalizer::Count => match number::parse_count(raw) {
                Some(n) => Normalized::Value(Value::from(n)),
                None => Normalized::Reject(format!("{raw:?} is not a whole count")),
            },
            Normalizer::Platform => match rules.gazetteer("platforms").get(entity::clean(raw)) {
                Some(e) => Normalized::Value(Value::String(e.canonical.clone())),
                None => Normalized::Reject(format!("{raw:?} is not a known platform")),
            },
            Normalizer::WorkType => {
                let c = entity::clean(raw).to_lowercase();
                match rules.gazetteer("work_types").get(&c) {
                    Some(e) => Normalized::Value(Value::String(e.canonical.clone())),
                    None if c.is_empty() => Normalized::Missing("empty".into()),
                    None => Normalized::Value(Value::String(c)),
                }
            }
            Normalizer::Role => role(raw),
            Normalizer::Text => text_value(entity::clean(raw).to_string()),
            Normalizer::Lower => text_value(entity::clean(raw).to_lowercase()),
        }
    }
}

/// "out now" / "available now" mean the article's own date.
fn now_is_today(raw: &str) -> &str {
    if entity::clean(raw).eq_ignore_ascii_case("now") {
        "today"
    } else {
        raw
    }
}

fn text_value(s: String) -> Normalized {
    if s.is_empty() {
        Normalized::Missing("empty".into())
    } else {
        Normalized::Value(Value::String(s))
    }
}

/// A year phrase: "2022", "In 2022", "last year", "this year's".
fn year(raw: &str, env: &NormEnv<'_>) -> Normalized {
    let s = entity::clean(raw);
    let s = s
        .strip_suffix("'s")
        .or_else(|| s.strip_suffix("’s"))
        .unwrap_or(s);
    match date::resolve(s, env.article_date, env.tense) {
        Some(d) => Normalized::Value(Value::from(d.date.year())),
        None => Normalized::Reject(format!("{raw:?} is not a year")),
    }
}

/// `released` or `upcoming`, from the release date against the article date; within the article's own
/// period (same day, or the current month/year at lower precision) the tense decides.
fn release_status(raw: &str, env: &NormEnv<'_>) -> Normalized {
    let Some(d) = date::resolve(now_is_today(raw), env.article_date, env.tense) else {
        return Normalized::Reject(format!("{raw:?} is not a date"));
    };
    let a = env.article_date;
    let ord = match d.precision {
        date::Precision::Day => d.date.cmp(&a),
        date::Precision::Month => (d.date.year(), d.date.month()).cmp(&(a.year(), a.month())),
        date::Precision::Year => d.date.year().cmp(&a.year()),
    };
    let status = match ord {
        std::cmp::Ordering::Less => "released",
        std::cmp::Ordering::Greater => "upcoming",
        std::cmp::Ordering::Equal => match env.tense {
            Tense::Future => "upcoming",
            _ => "released",
        },
    };
    Normalized::Value(Value::String(status.into()))
}

/// Collaboration roles from the words that signal them.
fn role(raw: &str) -> Normalized {
    let s = entity::clean(raw).to_lowercase();
    let s = s.trim_end_matches('.');
    // "a duet with", "in collaboration with": the role word without its frame.
    let s = s
        .strip_prefix("a ")
        .or_else(|| s.strip_prefix("in "))
        .unwrap_or(s);
    let s = s.strip_suffix(" with").unwrap_or(s);
    // "produced, as always, by": the aside is not part of the role.
    let folded;
    let s = match s.split_once(',') {
        Some((head, _)) if s.ends_with(" by") => {
            folded = format!("{} by", head.trim());
            folded.as_str()
        }
        _ => s,
    };
    let canonical = match s {
        "feat" | "ft" | "f" | "featuring" | "features" | "featured" | "feature" | "with"
        | "joined by" => "featuring",
        "produced by" | "producer" | "produced" | "production" | "prod" | "prod. by"
        | "co-produced" | "co-produced by" | "co-produced with" | "produced with"
        | "co-producer" => "producer",
        // "produced largely by": the adverb says how much, not what role.
        s if s.starts_with("produced ") && s.ends_with(" by") => "producer",
        "co-written" | "co-wrote" | "co-writer" | "written" | "wrote" | "co-written by"
        | "written by" | "composed by" | "co-composed by" | "composer" | "co-composer"
        | "songwriter" | "writer" => "co-writer",
        "remix" | "remixed" | "remixed by" => "remix",
        "duet" => "duet",
        "collaboration" | "collab" | "teamed up" | "teams up" | "team up" | "collaborated"
        | "alongside" | "&" | "and" | "x" => "credit",
        "directed" | "directed by" | "director" | "music video" => "music video",
        "" => return Normalized::Missing("empty".into()),
        other => other,
    };
    Normalized::Value(Value::String(canonical.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_fold_to_canonical_words() {
        let v = |s: &str| match role(s) {
            Normalized::Value(Value::String(s)) => s,
            other => panic!("{other:?}"),
        };
        assert_eq!(v("feat."), "featuring");
        assert_eq!(v("ft"), "featuring");
        assert_eq!(v("Produced by"), "producer");
        assert_eq!(v("co-wrote"), "co-writer");
        assert_eq!(v("duet"), "duet");
        assert_eq!(v("produced, as always, by"), "producer");
    }
}
