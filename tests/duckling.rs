//! Conformance against Duckling's English date and numeral corpora
//! (`../shared/external/duckling-en-*.jsonl`; see `DUCKLING.md` there), plus checks of the
//! `rules/dates.toml` regex macros against the same corpus and against trap sentences.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use newsfacts::normalize::date::{Tense, resolve};
use newsfacts::normalize::number::parse_number;
use regex::Regex;
use serde::Deserialize;

fn external(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/external")
        .join(name)
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
    let path = external(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: bad row {l}: {e}")))
        .collect()
}

/// chrono is built without its serde feature here, so dates arrive as strings.
#[derive(Deserialize, Debug)]
struct RawDateRow {
    text: String,
    reference: String,
    expected: String,
    grain: String,
    tag: String,
    locale: String,
}

#[derive(Debug)]
struct DateRow {
    text: String,
    reference: NaiveDate,
    expected: NaiveDate,
    grain: String,
    tag: String,
    locale: String,
}

fn ymd(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("bad date {s:?}: {e}"))
}

impl DateRow {
    /// Expected value cut to the row's grain, in the form `ResolvedDate::to_iso` prints.
    fn want(&self) -> String {
        let full = self.expected.format("%Y-%m-%d").to_string();
        match self.grain.as_str() {
            "year" => full[..4].to_string(),
            "month" => full[..7].to_string(),
            _ => full,
        }
    }

    fn got(&self, tense: Tense) -> Option<String> {
        resolve(&self.text, self.reference, tense).map(|r| r.to_iso())
    }
}

#[derive(Deserialize, Debug)]
struct NumberRow {
    text: String,
    expected: f64,
    tag: String,
}

/// Where the resolver deliberately disagrees with Duckling: (phrase, reference, our value, why).
/// These count as known deviations, not as passes.
const DEVIATIONS: &[(&str, &str, &str, &str)] = &[
    (
        "next wednesday",
        "2013-02-12",
        "2013-02-13",
        "said on a Tuesday, 'next Wednesday' in news is the coming Wednesday; Duckling takes the \
         Wednesday of next calendar week, which is also its own 'wednesday after next'",
    ),
    (
        "next saturday",
        "2013-02-12",
        "2013-02-16",
        "said on a Tuesday, 'next Saturday' in news is the coming Saturday (first one strictly after \
         the article date), not Duckling's Saturday of next calendar week eleven days out",
    ),
];

fn deviation(
    row: &DateRow,
) -> Option<&'static (&'static str, &'static str, &'static str, &'static str)> {
    DEVIATIONS
        .iter()
        .find(|(t, r, _, _)| t.eq_ignore_ascii_case(&row.text) && *r == row.reference.to_string())
}

fn date_rows() -> Vec<DateRow> {
    read_jsonl::<RawDateRow>("duckling-en-dates.jsonl")
        .into_iter()
        .map(|r| DateRow {
            reference: ymd(&r.reference),
            expected: ymd(&r.expected),
            text: r.text,
            grain: r.grain,
            tag: r.tag,
            locale: r.locale,
        })
        .collect()
}

fn is_scored(row: &DateRow) -> bool {
    (row.tag == "absolute" || row.tag == "relative")
        && (row.locale == "en" || row.locale == "en_US")
}

#[test]
fn duckling_dates_absolute_and_relative() {
    let rows = date_rows();
    let (mut pass, mut known, mut total) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    let mut seen_deviations = Vec::new();
    for row in rows.iter().filter(|r| is_scored(r)) {
        total += 1;
        // The corpus phrases carry their own direction ("last", "next", "ago") or a year.
        let got = row.got(Tense::Unknown);
        if got.as_deref() == Some(row.want().as_str()) {
            pass += 1;
        } else if let Some(dev) = deviation(row)
            && got.as_deref() == Some(dev.2)
        {
            known += 1;
            seen_deviations.push(dev.0);
        } else {
            failures.push(format!(
                "  {:?} @ {} → {:?}, Duckling {}",
                row.text,
                row.reference,
                got,
                row.want()
            ));
        }
    }
    let rate = pass as f64 / total as f64;
    println!(
        "dates absolute+relative (en, en_US): {pass}/{total} pass ({:.1}%), {known} known deviations, {} failures",
        rate * 100.0,
        failures.len()
    );
    for f in &failures {
        println!("{f}");
    }
    assert!(total >= 100, "corpus too small: {total}");
    assert!(rate >= 0.95, "pass rate {:.1}% < 95%", rate * 100.0);
    for (t, _, _, _) in DEVIATIONS {
        assert!(seen_deviations.contains(t), "stale DEVIATIONS entry {t:?}");
    }
}

/// Rows Duckling resolves forward by convention; reported, not enforced (news resolves by tense).
#[test]
fn duckling_dates_report_optional_tags() {
    let rows = date_rows();
    let report = |label: &str, filter: &dyn Fn(&DateRow) -> bool, tense: Tense| {
        let picked: Vec<&DateRow> = rows.iter().filter(|r| filter(r)).collect();
        let mut agree = 0;
        let mut unresolved = 0;
        for row in &picked {
            match row.got(tense) {
                Some(g) if g == row.want() => agree += 1,
                Some(_) => {}
                None => unresolved += 1,
            }
        }
        println!(
            "{label}: {agree}/{} agree with Duckling ({:.1}%), {unresolved} unresolved",
            picked.len(),
            100.0 * agree as f64 / picked.len().max(1) as f64
        );
        for row in picked
            .iter()
            .filter(|r| r.got(tense).as_deref() != Some(r.want().as_str()))
        {
            println!(
                "  {:?} → {:?}, Duckling {}",
                row.text,
                row.got(tense),
                row.want()
            );
        }
    };
    let en = |r: &DateRow| r.locale == "en" || r.locale == "en_US";
    report(
        "underspecified (Tense::Future)",
        &|r| r.tag == "underspecified" && en(r),
        Tense::Future,
    );
    report(
        "holiday (Tense::Future)",
        &|r| r.tag == "holiday" && en(r),
        Tense::Future,
    );
    report(
        "latent (Tense::Future)",
        &|r| r.tag == "latent",
        Tense::Future,
    );
    // Day-first rows: no day-first mode, but unambiguous ones (first field > 12) still read right.
    report(
        "en_GB absolute (unambiguous day-first only)",
        &|r| r.locale == "en_GB" && r.tag == "absolute",
        Tense::Unknown,
    );
}

#[test]
fn duckling_numbers() {
    let rows: Vec<NumberRow> = read_jsonl("duckling-en-numbers.jsonl");
    const REQUIRED: &[&str] = &[
        "words",
        "digits",
        "digits_with_multiplier",
        "spoken_decimal",
        "mixed",
        "surround",
    ];
    let mut per_tag: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut required_failures = Vec::new();
    for row in &rows {
        let got = parse_number(&row.text);
        let ok =
            got.is_some_and(|g| (g - row.expected).abs() <= 1e-9 * row.expected.abs().max(1e-300));
        let e = per_tag.entry(row.tag.as_str()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else {
            let line = format!(
                "  [{}] {:?} → {:?}, Duckling {}",
                row.tag, row.text, got, row.expected
            );
            if REQUIRED.contains(&row.tag.as_str()) {
                required_failures.push(line);
            } else {
                println!("{line} (optional tag)");
            }
        }
    }
    for (tag, (ok, n)) in &per_tag {
        let kind = if REQUIRED.contains(tag) {
            "required"
        } else {
            "optional"
        };
        println!("numbers {tag} ({kind}): {ok}/{n}");
    }
    for f in &required_failures {
        println!("{f}");
    }
    for tag in REQUIRED {
        assert!(
            per_tag.get(tag).is_some_and(|(_, n)| *n > 0),
            "no rows tagged {tag}"
        );
    }
    assert!(
        required_failures.is_empty(),
        "{} required numeral rows fail",
        required_failures.len()
    );
}

// ---------------------------------------------------------------- rules/dates.toml

fn macros() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/dates.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let doc: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("parsing dates.toml: {e}"));
    assert_eq!(
        doc.keys().collect::<Vec<_>>(),
        vec!["macros"],
        "dates.toml holds only [macros]"
    );
    let table = doc["macros"].as_table().expect("[macros] is a table");
    table
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .unwrap_or_else(|| panic!("macro {k} is not a string"))
                    .to_string(),
            )
        })
        .collect()
}

/// Expand `{NAME}` references by plain string substitution, as the rule engine does.
fn expand(name: &str, macros: &BTreeMap<String, String>) -> String {
    let reference = Regex::new(r"\{([A-Z][A-Za-z0-9_]*)\}").expect("static regex");
    let mut out = macros
        .get(name)
        .unwrap_or_else(|| panic!("no macro {name}"))
        .clone();
    for _ in 0..32 {
        if !reference.is_match(&out) {
            return out;
        }
        out = reference
            .replace_all(&out, |c: &regex::Captures<'_>| {
                macros
                    .get(&c[1])
                    .unwrap_or_else(|| panic!("unknown macro {}", &c[1]))
                    .clone()
            })
            .into_owned();
    }
    panic!("macro {name} does not finish expanding (cycle?)");
}

fn date_regex() -> Regex {
    let src = expand("DATE", &macros());
    Regex::new(&src).unwrap_or_else(|e| panic!("DATE does not compile: {e}"))
}

#[test]
fn date_macros_compile_without_captures() {
    let m = macros();
    for name in [
        "MONTH",
        "WEEKDAY",
        "YEAR",
        "DAY_OF_MONTH",
        "ABS_DATE",
        "REL_DATE",
        "DATE",
    ] {
        assert!(m.contains_key(name), "missing macro {name}");
    }
    for name in m.keys() {
        let re = Regex::new(&expand(name, &m))
            .unwrap_or_else(|e| panic!("{name} does not compile: {e}"));
        assert_eq!(
            re.captures_len(),
            1,
            "{name} has capture groups; use (?:...)"
        );
    }
}

/// Is `m` the whole phrase, after at most one leading preposition?
fn covers(phrase: &str, m: regex::Match<'_>) -> bool {
    let before = phrase[..m.start()].trim();
    let after = phrase[m.end()..].trim();
    let lead_ok = before.is_empty()
        || [
            "on", "in", "by", "since", "around", "during", "from", "until", "at",
        ]
        .iter()
        .any(|p| before.eq_ignore_ascii_case(p));
    lead_ok && after.trim_end_matches(['.', ',']).is_empty()
}

#[test]
fn date_regex_matches_every_resolved_corpus_phrase() {
    let re = date_regex();
    let mut misses = Vec::new();
    let mut checked = 0;
    for row in date_rows().iter().filter(|r| is_scored(r)) {
        if row.got(Tense::Unknown).is_none() {
            continue;
        }
        checked += 1;
        match re.find(&row.text) {
            Some(m) if covers(&row.text, m) => {}
            Some(m) => misses.push(format!("  {:?}: matched only {:?}", row.text, m.as_str())),
            None => misses.push(format!("  {:?}: no match", row.text)),
        }
    }
    println!(
        "DATE regex covers {}/{checked} resolved corpus phrases",
        checked - misses.len()
    );
    for m in &misses {
        println!("{m}");
    }
    assert!(misses.is_empty());
}

#[test]
fn date_regex_skips_ordinary_words() {
    let re = date_regex();
    for sentence in [
        "Seventeen won the daesang.",
        "May I have this dance?",
        "The band led a March for peace.",
        "Fans queued to see the 3D singer.",
        "It spent 70 days at number one.",
        "The album has 11 tracks.",
        "The record sold 2000 copies.",
        "The 1975 headlined Reading.",
        "They sat in the sun by the pool.",
        "Mon Laferte and Jan Delay toured.",
        "A Christmas album and a summer single.",
        "Critics gave it 2/10.",
        "Version 1.2.10 of the app shipped.",
        "Watch the leaves fall.",
        "Augustana and the Decemberists played.",
        "June Carter sang.",
        "The single was certified 4x platinum.",
        "It debuted at No. 3 in March's chart",
    ] {
        if let Some(m) = re.find(sentence) {
            // The last sentence does hold a date ("in March"); it must not swallow the "3".
            if sentence.starts_with("It debuted") {
                assert_eq!(m.as_str(), "in March", "{sentence}");
                continue;
            }
            panic!("DATE matched {:?} in {sentence:?}", m.as_str());
        }
    }
}

#[test]
fn date_regex_finds_dates_in_sentences_and_they_resolve() {
    let re = date_regex();
    let r = NaiveDate::from_ymd_opt(2023, 11, 6).expect("date");
    use Tense::{Future, Past, Unknown};
    // Tense is what the sentence's verb says; the rule engine decides it the same way.
    for (sentence, tense, want_match, want_iso) in [
        (
            "The album arrives Friday via Columbia.",
            Future,
            "Friday",
            "2023-11-10",
        ),
        (
            "It dropped Friday via Columbia.",
            Past,
            "Friday",
            "2023-11-03",
        ),
        (
            "It was released on July 14, 2023, to acclaim.",
            Past,
            "on July 14, 2023",
            "2023-07-14",
        ),
        (
            "The tour starts Sept. 22 in Austin.",
            Future,
            "Sept. 22",
            "2024-09-22",
        ),
        (
            "Earlier this year she signed with XL.",
            Past,
            "Earlier this year",
            "2023",
        ),
        ("He died in May at 81.", Past, "in May", "2023-05"),
        (
            "The video, out since 2016, still charts",
            Unknown,
            "since 2016",
            "2016",
        ),
        ("2016's best album", Unknown, "2016's", "2016"),
        (
            "Tickets go on sale next month.",
            Future,
            "next month",
            "2023-12",
        ),
        (
            "The song topped the chart last week.",
            Past,
            "last week",
            "2023-10",
        ),
        (
            "It hit 1 billion streams three weeks ago.",
            Past,
            "three weeks ago",
            "2023-10-16",
        ),
        (
            "The LP is slated for March 8.",
            Future,
            "slated for March 8",
            "2024-03-08",
        ),
        (
            "The 31st Oct 1974 show was taped.",
            Past,
            "The 31st Oct 1974",
            "1974-10-31",
        ),
        (
            "They played on the 4th, then rested.",
            Past,
            "on the 4th",
            "2023-11-04",
        ),
        (
            "The festival returns in mid-June.",
            Future,
            "in mid-June",
            "2024-06",
        ),
        (
            "The single (10/31/74) charted.",
            Past,
            "10/31/74",
            "1974-10-31",
        ),
        (
            "Signed on Christmas Day 2019.",
            Past,
            "on Christmas Day 2019",
            "2019-12-25",
        ),
        ("Back in 2019 the band split.", Past, "Back in 2019", "2019"),
        (
            "The first Monday of this month saw a surprise drop.",
            Past,
            "The first Monday of this month",
            "2023-11-06",
        ),
        (
            "She performed last Sunday of March 2014 in Paris.",
            Past,
            "last Sunday of March 2014",
            "2014-03-30",
        ),
        (
            "The remaster lands by the end of the year.",
            Future,
            "by the end of the year",
            "2023",
        ),
        (
            "The reunion was announced this summer.",
            Past,
            "this summer",
            "2023",
        ),
        (
            "A deluxe edition follows in early 2024.",
            Future,
            "in early 2024",
            "2024",
        ),
        (
            "It was certified on 2023-07-14.",
            Past,
            "on 2023-07-14",
            "2023-07-14",
        ),
        (
            "Out Friday, Nov. 10.",
            Future,
            "Friday, Nov. 10",
            "2023-11-10",
        ),
    ] {
        let m = re
            .find(sentence)
            .unwrap_or_else(|| panic!("no DATE in {sentence:?}"));
        assert_eq!(m.as_str(), want_match, "{sentence}");
        let got = resolve(m.as_str(), r, tense).map(|x| x.to_iso());
        assert_eq!(got.as_deref(), Some(want_iso), "{sentence}");
    }
}
