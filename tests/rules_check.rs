//! `newsfacts rules check` / `rules test` on broken rule folders: a copy of the real `rules/` with one
//! file added. Every fault is reported at once as `file:line:col: rule-id: message`; the line numbers
//! below are counted by hand in the files written here.

use std::path::Path;

use crate::support::{code, copy_dir, run, stderr};

/// A temp folder holding a copy of the real rules plus `extra` files (name, contents).
fn rules_with(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"),
        dir.path(),
    );
    for (name, text) in extra {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn dir_arg(d: &tempfile::TempDir) -> &str {
    d.path().to_str().expect("UTF-8 temp path")
}

/// Asserts a stderr line starts with `prefix` (`file:line:col: rule: `) and contains `message`.
#[track_caller]
fn assert_reported(err: &str, prefix: &str, message: &str) {
    assert!(
        err.lines()
            .any(|l| l.starts_with(prefix) && l[prefix.len()..].contains(message)),
        "no line `{prefix}...{message}...` in:\n{err}"
    );
}

/// One fault per rule. `patterns = [` is 12 characters, so patterns start at column 13; `id = ` is 5,
/// so ids at column 6.
const BAD: &str = r#"# Broken rules, one fault each.
[[rule]]
id = "good-one"
kind = "collaboration"
triggers = ["guests on"]
patterns = ['''(?P<collaborator>{NAME})\sguests\son\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nobody here guests on anything."]
examples = [{ text = "Phoebe Bridgers guests on \"Nothing New\".", facts = [{ collaborator = "Phoebe Bridgers", work = "Nothing New" }] }]

[[rule]]
id = "bad-regex"
kind = "collaboration"
patterns = ['''(?P<winner>[A-Z''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "unused-capture"
kind = "collaboration"
patterns = ['''(?P<collaborator>{NAME})\sjoined\s(?P<work>{QTITLE})\s(?P<extra>\w+)''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "field-without-capture"
kind = "collaboration"
patterns = ['''(?P<collaborator>{NAME})\sjoined\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "title"
fields.role = "text"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "bad-normalizer"
kind = "collaboration"
patterns = ['''(?P<collaborator>{NAME})\sjoined\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "shouty"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "bad-gazetteer"
kind = "collaboration"
patterns = ['''(?P<collaborator>{@nosuch})\sjoined\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "bad-macro"
kind = "collaboration"
patterns = ['''(?P<collaborator>{NO_SUCH_MACRO})\sjoined\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "good-one"
kind = "collaboration"
patterns = ['''(?P<collaborator>{NAME})\steams\sup\son\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nothing."]
examples = [{ text = "Nothing at all." }]

[[rule]]
id = "no-examples"
kind = "collaboration"
patterns = ['''(?P<collaborator>{NAME})\sduets\son\s(?P<work>{QTITLE})''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = ["Nothing."]
"#;

/// An unterminated string on line 4 (the error is at its end, column 22).
const SYNTAX: &str =
    "# Syntax error on line 4.\n[[rule]]\nid = \"syntax\"\nkind = \"collaboration\npatterns = []\n";

#[test]
fn every_fault_is_reported_at_once_with_file_line_and_rule() {
    let dir = rules_with(&[("zz_bad.toml", BAD), ("zz_syntax.toml", SYNTAX)]);
    let o = run(&["rules", "check", dir_arg(&dir)]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert_reported(&err, "zz_bad.toml:15:13: bad-regex: ", "bad regex");
    assert_reported(
        &err,
        "zz_bad.toml:24:13: unused-capture: ",
        "capture \"extra\" is used by no field",
    );
    assert_reported(
        &err,
        "zz_bad.toml:31:6: field-without-capture: ",
        "field role has no capture",
    );
    assert_reported(
        &err,
        "zz_bad.toml:41:6: bad-normalizer: ",
        "unknown normalizer \"shouty\" (known: ",
    );
    // The list names real normalizers (it grows, so only a few are checked).
    let known = err
        .lines()
        .find(|l| l.contains("unknown normalizer"))
        .and_then(|l| l.split("(known: ").nth(1))
        .unwrap();
    for name in ["artist", "title", "award", "date", "count", "text"] {
        assert!(known.split([',', ' ', ')']).any(|n| n == name), "{known}");
    }
    assert_reported(
        &err,
        "zz_bad.toml:52:13: bad-gazetteer: ",
        "unknown gazetteer {@nosuch}",
    );
    assert_reported(
        &err,
        "zz_bad.toml:61:13: bad-macro: ",
        "unknown macro {NO_SUCH_MACRO}",
    );
    assert_reported(
        &err,
        "zz_bad.toml:68:6: good-one: ",
        "duplicate rule id (first defined at zz_bad.toml:3)",
    );
    assert_reported(
        &err,
        "zz_bad.toml:77:6: no-examples: ",
        "rule has no examples",
    );
    assert_reported(&err, "zz_syntax.toml:4:", "");
    // Nothing is reported against the real rules, nor against the one good rule.
    for l in err.lines().filter(|l| l.contains(".toml:")) {
        assert!(
            l.starts_with("zz_bad.toml:") || l.starts_with("zz_syntax.toml:"),
            "{l}"
        );
        assert!(!l.contains(":3:6: good-one:"), "{l}");
    }
    assert!(
        err.lines().last().unwrap().ends_with(" rule error(s)"),
        "{err}"
    );
}

/// A valid rule whose example passes; `counter` is spliced into its counter_examples (line 10 on).
fn guests_on_rule(id: &str, counter: &str) -> String {
    format!(
        r#"# An extra rule.
[[rule]]
id = "{id}"
kind = "collaboration"
triggers = ["guests on"]
patterns = ['''(?P<collaborator>{{NAME}})\sguests\son\s(?P<work>{{QTITLE}})''']
fields.collaborator = "artist"
fields.work = "title"
counter_examples = [
  "Nobody here guests on anything.",{counter}
]

[[rule.examples]]
text = "Phoebe Bridgers guests on \"Nothing New\"."
facts = [{{ collaborator = "Phoebe Bridgers", work = "Nothing New" }}]
"#
    )
}

/// `rules ok: N rules, ...` → N.
fn rule_count(err: &str) -> usize {
    let rest = err
        .split("newsfacts: rules ok: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no `rules ok` in {err}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn valid_extra_rule_file_passes() {
    let plain = rules_with(&[]);
    let o = run(&["rules", "check", dir_arg(&plain)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let before = rule_count(&stderr(&o));

    let dir = rules_with(&[("zz_extra.toml", &guests_on_rule("guests-on", ""))]);
    let o = run(&["rules", "check", dir_arg(&dir)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(rule_count(&stderr(&o)), before + 1);

    let o = run(&["rules", "test", dir_arg(&dir)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains(" passed, 0 failed"), "{}", stderr(&o));
}

#[test]
fn extract_with_broken_rules_is_a_usage_error() {
    let dir = rules_with(&[("zz_bad.toml", BAD)]);
    let o = run(&[
        "extract",
        "--rules",
        dir_arg(&dir),
        "fixtures/000_a70e21486debb34f.txt",
    ]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert_reported(&err, "zz_bad.toml:15:13: bad-regex: ", "bad regex");
    assert!(!err.contains("articles read"), "no extraction ran: {err}");

    let o = run(&["rules", "check", "/nonexistent/rules-dir"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("/nonexistent/rules-dir"));
    assert!(stderr(&o).contains("not a directory"));
}

#[test]
fn counter_example_that_yields_a_fact_fails_rules_test() {
    // The second counter-example (line 11) is the positive example itself.
    let rule = guests_on_rule(
        "guests-on-leaky",
        "\n  \"Phoebe Bridgers guests on \\\"Nothing New\\\".\",",
    );
    assert_eq!(
        rule.lines().nth(10).unwrap(),
        r#"  "Phoebe Bridgers guests on \"Nothing New\".","#
    );
    let dir = rules_with(&[("zz_leaky.toml", &rule)]);
    let o = run(&["rules", "check", dir_arg(&dir)]);
    assert_eq!(code(&o), 0, "it is valid: {}", stderr(&o));

    let o = run(&["rules", "test", dir_arg(&dir)]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert_reported(
        &err,
        "FAIL zz_leaky.toml:11: guests-on-leaky: ",
        "counter-example yielded",
    );
    assert!(
        err.contains("\"collaborator\":\"Phoebe Bridgers\""),
        "{err}"
    );
    assert_eq!(err.matches("FAIL ").count(), 1, "{err}");
    assert!(err.contains(" passed, 1 failed"), "{err}");
}
