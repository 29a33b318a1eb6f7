//! Runs every rule's examples, the way Duckling runs its corpus: each positive example must yield
//! exactly the facts it lists (of the rule's kind, compared on the fields it names) with the rule taking
//! part, and each counter-example must yield no fact of that kind.

use rayon::prelude::*;
use serde_json::Value;

use crate::article::Article;
use crate::extract::Extractor;
use crate::fact::Fact;
use crate::rules::{Example, Rule, RuleSet};

/// One failed example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub file: String,
    pub line: usize,
    pub rule: String,
    pub text: String,
    pub problem: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}\n    text: {}",
            self.file, self.line, self.rule, self.problem, self.text
        )
    }
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExampleReport {
    pub passed: usize,
    pub failures: Vec<ExampleFailure>,
}

/// Run all examples of all rules (in parallel; the report is in rule order).
pub fn run_examples(rules: &RuleSet) -> ExampleReport {
    let extractor = Extractor::new(rules).explain(true);
    let per_rule: Vec<(usize, Vec<ExampleFailure>)> = rules
        .rules
        .par_iter()
        .map(|rule| {
            let mut passed = 0;
            let mut failures = Vec::new();
            for ex in &rule.examples {
                match check_positive(&extractor, rule, ex) {
                    Ok(()) => passed += 1,
                    Err(problem) => failures.push(failure(rule, ex, problem)),
                }
            }
            for ex in &rule.counter_examples {
                let facts = facts_of_kind(&extractor, rule, ex);
                if facts.is_empty() {
                    passed += 1;
                } else {
                    let shown: Vec<String> = facts.iter().map(show).collect();
                    failures.push(failure(
                        rule,
                        ex,
                        format!("counter-example yielded {}", shown.join("; ")),
                    ));
                }
            }
            (passed, failures)
        })
        .collect();
    let mut report = ExampleReport::default();
    for (p, f) in per_rule {
        report.passed += p;
        report.failures.extend(f);
    }
    report
}

fn failure(rule: &Rule, ex: &Example, problem: String) -> ExampleFailure {
    ExampleFailure {
        file: rule.file.clone(),
        line: ex.line,
        rule: rule.id.clone(),
        text: ex.text.clone(),
        problem,
    }
}

fn facts_of_kind(extractor: &Extractor<'_>, rule: &Rule, ex: &Example) -> Vec<Fact> {
    let article = Article {
        id: "example".into(),
        source: format!("{}:{}", rule.file, ex.line),
        url: None,
        title: None,
        date: ex.date,
        date_source: None,
        text: ex.text.clone(),
    };
    extractor
        .extract(&article)
        .facts
        .into_iter()
        .filter(|f| f.kind == rule.kind)
        .collect()
}

fn show(f: &Fact) -> String {
    Value::Object(f.fields.clone()).to_string()
}

fn same(want: &Value, got: Option<&Value>) -> bool {
    match (want, got) {
        (_, None) => false,
        (Value::Number(a), Some(Value::Number(b))) => a.as_f64() == b.as_f64(),
        (a, Some(b)) => a == b,
    }
}

fn check_positive(extractor: &Extractor<'_>, rule: &Rule, ex: &Example) -> Result<(), String> {
    let facts = facts_of_kind(extractor, rule, ex);
    let mut used = vec![false; facts.len()];
    let mut problems = Vec::new();
    let mut rule_took_part = false;
    for want in &ex.facts {
        let hit = facts
            .iter()
            .enumerate()
            .find(|(i, f)| !used[*i] && want.iter().all(|(k, v)| same(v, f.fields.get(k))));
        match hit {
            Some((i, f)) => {
                used[i] = true;
                let q = rule.qualified_id();
                rule_took_part |=
                    f.rule == q || f.explain.as_ref().is_some_and(|e| e.rules.contains(&q));
            }
            None => problems.push(format!(
                "expected {} not found",
                Value::Object(want.clone().into_iter().collect())
            )),
        }
    }
    for (i, f) in facts.iter().enumerate() {
        if !used[i] {
            problems.push(format!("unexpected {}", show(f)));
        }
    }
    if problems.is_empty() && !ex.facts.is_empty() && !rule_took_part {
        problems
            .push("facts came out, but not from this rule: the example does not test it".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let got: Vec<String> = facts.iter().map(show).collect();
        Err(format!(
            "{} (got: [{}])",
            problems.join("; "),
            got.join(", ")
        ))
    }
}
