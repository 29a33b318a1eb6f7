//! `newsfacts eval` against the gold sets: it agrees with the reference scorer, and quality never
//! falls below the floors recorded here (raise them as the rules improve; never lower them to pass).

use std::path::Path;
use std::process::Command;

use newsfacts::eval::{evaluate, load_gold};
use newsfacts::rules::RuleSet;

fn micro_f1(dir: &str) -> (f64, usize) {
    let rules = RuleSet::embedded().expect("rules compile");
    let cases = load_gold(Path::new(dir)).expect("gold cases load");
    let report = evaluate(&rules, &cases, false);
    (report.micro().f1, report.violations.len())
}

/// The reference scorer, run on our predictions, must print the same final line as `eval`.
#[test]
fn eval_agrees_with_reference_scorer() {
    let scorer = Path::new("../shared/tools/score.py");
    if !scorer.exists() || Command::new("python3").arg("--version").output().is_err() {
        eprintln!("skipping: ../shared/tools/score.py or python3 not available");
        return;
    }
    let rules = RuleSet::embedded().expect("rules compile");
    for (dir, strict) in [
        ("../shared/dev-cases", false),
        ("tests/gold/cases", false),
        ("tests/gold/fixtures", true),
        ("tests/gold/blind", false),
        ("tests/gold/heldout", false),
    ] {
        let cases = load_gold(Path::new(dir)).expect("gold cases load");
        let report = evaluate(&rules, &cases, strict);
        let mut ours = Vec::new();
        report.write(&mut ours, true).unwrap();
        let ours = String::from_utf8(ours).unwrap();

        // Re-extract to a prediction file in the shape score.py reads.
        let extractor = newsfacts::extract::Extractor::new(&rules);
        let tmp = tempfile::NamedTempFile::new().unwrap();
        let mut preds = String::new();
        for c in &cases {
            let article = newsfacts::article::Article {
                id: c.id.clone(),
                source: "gold".into(),
                url: None,
                title: None,
                date: newsfacts::article::parse_article_date(&c.date).unwrap(),
                date_source: None,
                text: c.text.clone(),
            };
            for f in extractor.extract(&article).facts {
                preds.push_str(
                    &serde_json::to_string(&newsfacts::fact::FactRecord::new(&article, f)).unwrap(),
                );
                preds.push('\n');
            }
        }
        std::fs::write(tmp.path(), preds).unwrap();
        let mut cmd = Command::new("python3");
        cmd.arg(scorer).arg(dir).arg(tmp.path());
        if strict {
            cmd.arg("--strict");
        }
        let out = cmd.output().expect("score.py runs");
        let theirs = String::from_utf8_lossy(&out.stdout).into_owned();
        let last = |s: &str| s.lines().last().unwrap_or("").to_string();
        assert_eq!(
            last(&ours),
            last(&theirs),
            "{dir}: eval and score.py disagree"
        );
        let table = |s: &str| s.lines().take(4).map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            table(&ours),
            table(&theirs),
            "{dir}: per-kind tables differ"
        );
    }
}

/// The set's micro-F1 is at least `floor` and no `must_not` fact is produced.
fn assert_floor(dir: &str, floor: f64, label: &str) {
    let (f1, violations) = micro_f1(dir);
    assert!(f1 >= floor, "{label} micro-F1 {f1:.3} fell below {floor}");
    assert_eq!(violations, 0, "must_not violations on {label}");
}

#[test]
fn dev_cases_stay_above_floor() {
    assert_floor("../shared/dev-cases", DEV_FLOOR, "dev-cases");
}

#[test]
fn own_cases_stay_above_floor() {
    assert_floor("tests/gold/cases", CASES_FLOOR, "own cases");
}

#[test]
fn fixtures_stay_above_floor() {
    assert_floor("tests/gold/fixtures", FIXTURES_FLOOR, "fixtures");
}

/// Blind set 1: passages in real outlets' styles written by someone who never saw the rules. It
/// scored 0.493 before any tuning on it; it is a tuning set now (a second blind set is the held-out).
#[test]
fn blind_set_stays_above_floor() {
    assert_floor("tests/gold/blind", BLIND_FLOOR, "the blind set");
}

/// Blind set 2 (`tests/gold/heldout`): 40 passages written by someone who never saw the rules,
/// scored 0.490 at 29350c4 before any rule was written after it. Rule authors do not read its
/// misses; it stands in for the hidden held-out set. The floor only guards against regressions.
#[test]
fn heldout_set_stays_above_floor() {
    assert_floor("tests/gold/heldout", HELDOUT_FLOOR, "the held-out stand-in");
}

// Measured floors (micro-F1, key-field matching). See README "Quality".
const DEV_FLOOR: f64 = 0.93;
const CASES_FLOOR: f64 = 0.92;
const FIXTURES_FLOOR: f64 = 0.86;
const BLIND_FLOOR: f64 = 0.75;
const HELDOUT_FLOOR: f64 = 0.50;
