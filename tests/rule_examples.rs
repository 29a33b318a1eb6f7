//! Every rule's examples and counter-examples, as `newsfacts rules test` runs them.

use newsfacts::rules::RuleSet;
use newsfacts::ruletest::run_examples;

#[test]
fn every_rule_example_passes() {
    let rules = RuleSet::embedded().expect("built-in rules compile");
    let report = run_examples(&rules);
    let failures: Vec<String> = report.failures.iter().map(|f| f.to_string()).collect();
    assert!(
        failures.is_empty(),
        "{} rule example(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        report.passed > 50,
        "suspiciously few examples ran: {}",
        report.passed
    );
}

#[test]
fn every_fact_rule_has_positive_and_negative_examples() {
    let rules = RuleSet::embedded().expect("built-in rules compile");
    for r in &rules.rules {
        if rules.kind(&r.kind).is_some_and(|k| k.emit) {
            assert!(
                !r.examples.is_empty(),
                "{} has no examples",
                r.qualified_id()
            );
            assert!(
                !r.counter_examples.is_empty(),
                "{} has no counter-examples",
                r.qualified_id()
            );
        }
    }
}
