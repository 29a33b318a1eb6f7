//! Entity normalizers: artist names, work titles, award categories and ceremonies.
//!
//! Each one cleans the captured span, recognises anaphors ("the song", "the idol"), maps aliases to
//! canonical names through the gazetteers in `rules/gazetteers/`, and refuses spans that are not clean
//! names: a fact is better dropped than emitted with a sentence fragment.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use super::Normalized;
use crate::rules::{RuleSet, Slot};

/// Trim whitespace, wrapping quotes and trailing clause punctuation.
pub fn clean(raw: &str) -> &str {
    let mut s = raw.trim();
    loop {
        let before = s;
        s = s.trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | ';' | ':' | '!' | '?' | '—' | '–')
        });
        for (open, close) in [('"', '"'), ('\'', '\''), ('‘', '’'), ('“', '”'), ('(', ')')]
        {
            if s.len() >= 2 && s.starts_with(open) && s.ends_with(close) {
                s = &s[open.len_utf8()..s.len() - close.len_utf8()];
            }
        }
        // A sentence-final period is punctuation, an abbreviation's period ("H.E.R.", "Jr.") is not.
        if let Some(stripped) = s.strip_suffix('.') {
            let last_word = stripped.rsplit(' ').next().unwrap_or("");
            if !last_word.contains('.') && last_word.len() > 3 {
                s = stripped;
            }
        }
        if s == before {
            return s;
        }
    }
}

fn value(s: impl Into<String>) -> Normalized {
    Normalized::Value(Value::String(s.into()))
}

fn anaphor(s: &str, rules: &RuleSet, slots: &[Slot]) -> Option<Slot> {
    let anaphors = rules.gazetteer("anaphors");
    let e = anaphors.get(s).or_else(|| {
        // "The 15-track set", "her long-awaited third album": a determiner, lowercase modifiers,
        // then a listed anaphor's noun read as that anaphor ("the set", "the album").
        let words: Vec<&str> = s.split_whitespace().collect();
        if words.len() < 3 {
            return None;
        }
        let (det, last) = (words.first()?, words.last()?);
        let det = det.to_lowercase();
        let modifiers = &words[1..words.len() - 1];
        let lowercase_mods = !modifiers.is_empty()
            && modifiers
                .iter()
                .all(|w| w.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()));
        (lowercase_mods && ["the", "his", "her", "their", "its"].contains(&det.as_str()))
            .then(|| anaphors.get(&format!("the {last}")))
            .flatten()
    })?;
    let slot = Slot::parse(e.attr("slot")?)?;
    slots.contains(&slot).then_some(slot)
}

fn is_upper_start(w: &str) -> bool {
    // A quoted nickname inside a name ("Sean \"Diddy\" Combs") starts with its quote.
    w.trim_start_matches('"')
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Words that may stand lowercase inside a name or title.
const CONNECTORS: &[&str] = &[
    "the",
    "of",
    "and",
    "x",
    "da",
    "de",
    "del",
    "la",
    "le",
    "los",
    "las",
    "van",
    "von",
    "y",
    "to",
    "a",
    "an",
    "in",
    "on",
    "for",
    "at",
    "as",
    "with",
    "my",
    "me",
    "you",
    "your",
    "is",
    "it",
    "i",
    "be",
    "what",
    "was",
    "made",
    "am",
    "gonna",
    "do",
    "that's",
    "not",
    "no",
    "all",
    "want",
    "christmas",
    "from",
    "by",
    "or",
    "but",
    "we",
    "us",
    "our",
    "her",
    "his",
    "him",
    "she",
    "he",
    "they",
    "them",
    "this",
    "feat",
    "el",
    "en",
    "por",
    "que",
    "mi",
    "tu",
    "di",
    "n'",
    "o'",
];

fn is_month_or_weekday(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ];
    WORDS.contains(&w.trim_end_matches('.').to_lowercase().as_str())
}

/// Split `"X's Y"` / `"X' Y"` into ("X", "Y").
fn split_possessive(s: &str) -> Option<(&str, &str)> {
    for (i, c) in s.char_indices() {
        if c != '\'' && c != '’' {
            continue;
        }
        let after = &s[i + c.len_utf8()..];
        if let Some(rest) = after.strip_prefix("s ") {
            return Some((&s[..i], rest));
        }
        let owner = &s[..i];
        if after.starts_with(' ') && owner.ends_with(['s', 'S', 'z', 'Z']) {
            return Some((owner, &after[1..]));
        }
    }
    None
}

/// A canonical artist name, or why the span is not one.
pub fn artist(raw: &str, rules: &RuleSet) -> Normalized {
    let s = clean(raw);
    // "Jungkook's hit single": the owner is the artist.
    let s = s
        .strip_suffix("'s")
        .or_else(|| s.strip_suffix("’s"))
        .or_else(|| s.strip_suffix('\'').filter(|r| r.ends_with(['s', 'S'])))
        .unwrap_or(s);
    if s.is_empty() {
        return Normalized::Missing("empty name".into());
    }
    if matches!(
        s.to_lowercase().as_str(),
        "he" | "she" | "they" | "him" | "her" | "them"
    ) {
        return Normalized::Anaphor(Slot::Pronoun);
    }
    if let Some(slot) = anaphor(s, rules, &[Slot::Artist]) {
        return Normalized::Anaphor(slot);
    }
    let artists = rules.gazetteer("artists");
    if let Some(e) = artists.get(s) {
        return value(e.canonical.clone());
    }
    if described_reference(s, rules) {
        return Normalized::Anaphor(Slot::Artist);
    }
    // "The Drake-assisted 'MELTDOWN'": an article before a known act's name is not part of it.
    if let Some(e) = s.strip_prefix("The ").and_then(|rest| artists.get(rest)) {
        return value(e.canonical.clone());
    }
    // "BTS' Jungkook", "BLACKPINK's Lisa": a group's member is the member.
    if let Some((owner, rest)) = split_possessive(s) {
        let owner_is_group = artists
            .get(owner)
            .is_some_and(|e| e.attr("kind") == Some("group"));
        if owner_is_group || artists.contains(clean(rest)) {
            return artist(rest, rules);
        }
        return Normalized::Reject(format!("{s:?} is a possessive phrase, not a name"));
    }
    let stripped = strip_descriptors(s, rules);
    if stripped != s {
        return artist(stripped, rules);
    }
    validate_name(s, rules).map_or_else(Normalized::Reject, value)
}

/// An artist who makes music: as `artist`, but a gazetteer entry marked `@kind=actor` is refused
/// ("Shah Rukh Khan and Deepika Padukone's Pathaan" is a film, not a joint single).
pub fn musician(raw: &str, rules: &RuleSet) -> Normalized {
    match artist(raw, rules) {
        Normalized::Value(Value::String(name)) => {
            let actor = rules
                .gazetteer("artists")
                .get(&name)
                .is_some_and(|e| e.attr("kind") == Some("actor"));
            if actor {
                Normalized::Reject(format!("{name:?} is an actor, not a musician"))
            } else {
                Normalized::Value(Value::String(name))
            }
        }
        other => other,
    }
}

/// "The Euphoria singer", "the British pop star", "the 13-piece group": a definite description ending in
/// a role word refers back to an artist already named.
fn described_reference(s: &str, rules: &RuleSet) -> bool {
    let Some(rest) = s.strip_prefix("the ").or_else(|| s.strip_prefix("The ")) else {
        return false;
    };
    let roles = rules.gazetteer("roles");
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 {
        return false;
    }
    (1..=words.len().min(3)).any(|n| roles.contains(&words[words.len() - n..].join(" ")))
}

/// Drop descriptors before a name: "American rapper Latto" → "Latto", "BTS member Jungkook" → "Jungkook",
/// "Nevertheless and My Name actor Han So Hee" → "Han So Hee", "famed producer Dave Cobb" → "Dave Cobb".
pub fn strip_descriptors<'a>(s: &'a str, rules: &RuleSet) -> &'a str {
    let roles = rules.gazetteer("roles");
    let nationalities = rules.gazetteer("nationalities");
    let words: Vec<(usize, &str)> = s
        .split(' ')
        .scan(0usize, |pos, w| {
            let start = *pos;
            *pos += w.len() + 1;
            Some((start, w))
        })
        .filter(|(_, w)| !w.is_empty())
        .collect();
    // The last role word that is followed by a capitalised word ends the descriptor.
    let mut cut = None;
    for i in 0..words.len().saturating_sub(1) {
        for len in (1..=3).rev() {
            if i + len >= words.len() {
                continue;
            }
            let phrase = &s[words[i].0..words[i + len - 1].0 + words[i + len - 1].1.len()];
            let is_role =
                roles.contains(phrase) && phrase.chars().next().is_some_and(|c| !c.is_uppercase());
            if is_role && is_upper_start(words[i + len].1) {
                cut = Some(words[i + len].0);
                break;
            }
        }
    }
    if let Some(c) = cut {
        return &s[c..];
    }
    // Leading nationality adjectives and lowercase words ("the", "famed") before a capitalised name.
    let mut i = 0;
    while i + 1 < words.len() {
        let w = words[i].1;
        let two =
            (i + 2 < words.len()).then(|| &s[words[i].0..words[i + 1].0 + words[i + 1].1.len()]);
        if two.is_some_and(|t| nationalities.contains(t)) {
            i += 2;
            continue;
        }
        if nationalities.contains(w)
            || !is_upper_start(w) && !w.starts_with(|c: char| c.is_ascii_digit())
        {
            i += 1;
            continue;
        }
        break;
    }
    if i > 0 && i < words.len() {
        &s[words[i].0..]
    } else {
        s
    }
}

/// Check that `s` looks like a person's or act's name.
fn validate_name(s: &str, rules: &RuleSet) -> Result<String, String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.is_empty() {
        return Err("empty name".into());
    }
    if words.len() > 6 || s.chars().count() > 60 {
        return Err(format!("{s:?} is too long for a name"));
    }
    let stop = rules.gazetteer("stopwords");
    if !is_upper_start(words[0]) {
        return Err(format!("{s:?} does not start like a name"));
    }
    // "The Blessed Madonna", "The Weeknd": an article may open a capitalised act's name.
    let the_name =
        words[0] == "The" && words.len() > 1 && words[1..].iter().all(|w| is_upper_start(w));
    if (stop.contains(words[0]) && !the_name) || words.iter().all(|w| stop.contains(w)) {
        return Err(format!("{s:?} starts with a function word"));
    }
    if s.chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Err(format!("{s:?} is a number, not a name"));
    }
    if words.len() == 1 && is_month_or_weekday(words[0]) {
        return Err(format!("{s:?} is a date word"));
    }
    if words.iter().any(|w| is_month_or_weekday(w)) && s.chars().any(|c| c.is_ascii_digit()) {
        return Err(format!("{s:?} is a date, not a name"));
    }
    for gaz in ["platforms", "ceremonies", "categories"] {
        if rules.gazetteer(gaz).contains(s) {
            return Err(format!("{s:?} is in the {gaz} gazetteer, not an artist"));
        }
    }
    for w in &words[1..] {
        if !is_upper_start(w)
            && !CONNECTORS.contains(&w.to_lowercase().as_str())
            && !w.contains(['$', '.', '-', '&'])
        {
            return Err(format!(
                "{s:?} has lowercase word {w:?}: a phrase, not a name"
            ));
        }
    }
    if words
        .last()
        .is_some_and(|w| CONNECTORS.contains(&w.to_lowercase().as_str()) && !is_upper_start(w))
    {
        return Err(format!("{s:?} ends with a connector"));
    }
    Ok(s.to_string())
}

/// Strip a trailing feature or remix credit from a title: "Fortnight (feat. Post Malone)" →
/// "Fortnight", "Levitating (The Blessed Madonna Remix)" → "Levitating".
fn strip_feature(s: &str) -> &str {
    let lower = s.to_lowercase();
    if (lower.ends_with(" remix)") || lower.ends_with(" mix)") || lower.ends_with(" edit)"))
        && let Some(i) = s.rfind(" (")
    {
        return s[..i].trim_end();
    }
    for pat in [
        " (feat",
        " (ft",
        " (featuring",
        " [feat",
        " feat.",
        " ft.",
        " featuring ",
    ] {
        if let Some(i) = lower.find(pat) {
            return s[..i].trim_end();
        }
    }
    s
}

/// Title-case a title written in capitals for emphasis ("SEVEN" → "Seven"), but keep acronyms
/// ("FTCU", "3D"): only words of 4+ letters with 2+ vowels are recased.
fn recase_shouted(s: &str) -> String {
    let letters: Vec<char> = s.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.is_empty() || letters.iter().any(|c| c.is_lowercase()) {
        return s.to_string();
    }
    s.split(' ')
        .map(|w| {
            let n_letters = w.chars().filter(|c| c.is_alphabetic()).count();
            let vowels = w.chars().filter(|c| "AEIOUY".contains(*c)).count();
            if n_letters >= 4 && vowels >= 2 {
                let mut cs = w.chars();
                match cs.next() {
                    Some(f) => f.to_string() + &cs.as_str().to_lowercase(),
                    None => String::new(),
                }
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A work title: quotes dropped, a shouted title recased, feature credits stripped.
pub fn title(raw: &str, rules: &RuleSet) -> Normalized {
    let trimmed = raw.trim().trim_end_matches([',', ';', ':']);
    let inside = trimmed.strip_prefix(['"', '\'', '‘', '“']);
    let quoted = inside.is_some();
    // Inside quotes the title keeps its own ? and !, but a comma or period there is the outlet's
    // ("'Seventeenth Heaven.'").
    let s = match inside {
        Some(inside) => inside
            .trim_end_matches(['"', '\'', '’', '”'])
            .trim()
            .trim_end_matches([',', '.']),
        None => clean(trimmed),
    };
    if s.is_empty() {
        return Normalized::Missing("empty title".into());
    }
    if let Some(slot) = anaphor(s, rules, &[Slot::Song, Slot::Album, Slot::Work]) {
        return Normalized::Anaphor(slot);
    }
    let s = strip_feature(s);
    // "Travis Scott's UTOPIA": a known act's possessive before a title is its credit, not its name.
    let s = match split_possessive(s) {
        Some((owner, rest))
            if !quoted && rules.gazetteer("artists").contains(owner) && !rest.is_empty() =>
        {
            rest
        }
        _ => s,
    };
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() > 14 || s.chars().count() > 100 {
        return Normalized::Reject(format!("{s:?} is too long for a title"));
    }
    if !quoted {
        if !is_upper_start(s) {
            return Normalized::Reject(format!("{s:?} does not start like a title"));
        }
        if s.ends_with("'s") || s.ends_with("’s") || s.ends_with("s'") {
            return Normalized::Reject(format!("{s:?} is a possessive, not a title"));
        }
        // Unquoted titles are capitalised throughout, small words aside ("Closer to You").
        if let Some(w) = words[1..].iter().find(|w| {
            // "(Coup de Grâce)": a parenthetical subtitle opens with a capital too.
            let w = w.trim_start_matches(['(', '[']);
            // "Heroes & Villains", "Love + War": a symbol between words is no lowercase word.
            w.chars().any(char::is_alphanumeric)
                && !is_upper_start(w)
                && !CONNECTORS.contains(&w.to_lowercase().as_str())
        }) {
            return Normalized::Reject(format!(
                "{s:?} has lowercase word {w:?}: a phrase, not a title"
            ));
        }
        // "Rick Ross & Meek Mill" is a credit line, not a title.
        let artists = rules.gazetteer("artists");
        let parts: Vec<&str> = s
            .split(" & ")
            .flat_map(|p| p.split(" and "))
            .map(str::trim)
            .collect();
        if parts.len() > 1 && parts.iter().all(|p| artists.contains(p)) {
            return Normalized::Reject(format!("{s:?} names artists, not a title"));
        }
        if rules.gazetteer("nationalities").contains(s) {
            return Normalized::Reject(format!("{s:?} is a nationality, not a title"));
        }
        // "2024 League of Legends World Championship": a year and a name make an event.
        let first = words[0].trim_end_matches("'s").trim_end_matches("’s");
        if words.len() > 1 && first.len() == 4 && first.chars().all(|c| c.is_ascii_digit()) {
            return Normalized::Reject(format!("{s:?} names an event, not a title"));
        }
        let stop = rules.gazetteer("stopwords");
        if words.len() == 1 && (stop.contains(s) || is_month_or_weekday(s)) {
            return Normalized::Reject(format!("{s:?} is not a title"));
        }
        if let Some(e) = rules.gazetteer("artists").get(s)
            && e.attr("ambiguous").is_none()
        {
            return Normalized::Reject(format!("{s:?} is an artist, not a title"));
        }
        // "EP arrives October 4": a bare work-type word is the noun, not the record's name.
        for gaz in ["platforms", "ceremonies", "work_types"] {
            if rules.gazetteer(gaz).contains(s) {
                return Normalized::Reject(format!("{s:?} is in the {gaz} gazetteer, not a title"));
            }
        }
    }
    value(recase_shouted(s))
}

/// Lowercase words that trail a category name without being part of it ("the 'Biggest Fans' award").
const AWARD_TAILS: &[&str] = &[
    " award",
    " awards",
    " category",
    " prize",
    " trophy",
    " honor",
    " honour",
    " title",
];

/// An award category: "the 'Best Song' award" → "Best Song"; "Grammy Award for Best New Artist" →
/// "Best New Artist"; categories in the gazetteer take their canonical spelling.
pub fn award(raw: &str, rules: &RuleSet) -> Normalized {
    // Title-case headlines: "Best K-Pop At 2024 MTV VMAs" ends where "At" or "During" begins.
    for cut in [" At ", " During "] {
        if let Some(i) = raw.find(cut) {
            return award(&raw[..i], rules);
        }
    }
    // "'Song of the Year' for 'As It Was'": a quoted category, then the work it was won for.
    if let Some(i) = raw.find(" for ") {
        let head = raw[..i]
            .trim()
            .trim_start_matches("the ")
            .trim_start_matches("The ");
        if head.starts_with(['\'', '"']) && head.ends_with(['\'', '"']) {
            return award(head, rules);
        }
    }
    let mut s = clean(raw);
    if s.is_empty() {
        return Normalized::Missing("empty award".into());
    }
    if let Some(slot) = anaphor(s, rules, &[Slot::Award]) {
        return Normalized::Anaphor(slot);
    }
    let categories = rules.gazetteer("categories");
    let ceremonies = rules.gazetteer("ceremonies");
    for art in ["the ", "The ", "a ", "an "] {
        if let Some(r) = s.strip_prefix(art) {
            s = clean(r);
        }
    }
    loop {
        let before = s;
        for tail in AWARD_TAILS {
            if let Some(r) = s.strip_suffix(tail) {
                s = clean(r);
            }
        }
        if s == before {
            break;
        }
    }
    // "Grammy Award for Best New Artist": the category follows the ceremony.
    if let Some(i) = s.find(" for ") {
        let (head, tail) = (&s[..i], &s[i + 5..]);
        let head_is_ceremony = ceremonies.contains(head)
            || ceremonies.contains(head.trim_end_matches(" Award").trim_end_matches(" award"));
        if head_is_ceremony {
            return award(tail, rules);
        }
    }
    // "'Song of the Year' for 'As It Was'": the work is not part of the category.
    if let Some(i) = s.find(" for ") {
        let head = clean(&s[..i]);
        let quoted_work = s[i + 5..].starts_with(['\'', '"']);
        if categories.contains(head) || quoted_work || raw.trim_start().starts_with(['\'', '"']) {
            return award(head, rules);
        }
    }
    if let Some(e) = categories.get(s) {
        return value(e.canonical.clone());
    }
    for tail in [" Award", " Awards", " Prize"] {
        if let Some(e) = s.strip_suffix(tail).and_then(|stem| categories.get(stem)) {
            return value(e.canonical.clone());
        }
    }
    if s.ends_with("'s") || s.ends_with("’s") {
        return Normalized::Reject(format!("{s:?} is a possessive, not a category"));
    }
    // Leading lowercase adjectives ("coveted", "highly coveted", "prestigious") are not the name.
    let mut rest = s;
    while let Some((w, r)) = rest.split_once(' ') {
        if is_upper_start(w) || w.starts_with(['\'', '"']) {
            break;
        }
        rest = r;
    }
    let s = clean(rest);
    if let Some(e) = categories.get(s) {
        return value(e.canonical.clone());
    }
    if !is_upper_start(s) {
        return Normalized::Reject(format!("{s:?} is not a category name"));
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return Normalized::Reject(format!("{s:?} is a count, not a category"));
    }
    if ceremonies.contains(s) {
        return Normalized::Reject(format!("{s:?} is a ceremony, not a category"));
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() > 10 {
        return Normalized::Reject(format!("{s:?} is too long for a category"));
    }
    if rules.gazetteer("stopwords").contains(words[0]) && words.len() == 1 {
        return Normalized::Reject(format!("{s:?} is not a category"));
    }
    value(s.to_string())
}

/// Words that make an unknown capitalised span a ceremony name.
const CEREMONY_HEADS: &[&str] = &[
    "Awards",
    "Award",
    "Prize",
    "Festival",
    "Gala",
    "Honors",
    "Honours",
    "Choice",
    "Music Awards",
];

/// Split a leading or trailing year and a leading edition ordinal off a ceremony mention.
/// Returns (bare name, year, ordinal).
fn ceremony_parts(s: &str) -> (String, Option<i32>, Option<u32>) {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    let mut year = None;
    let mut ordinal = None;
    let parse_year = |w: &str| -> Option<i32> {
        let w = w
            .trim_end_matches("'s")
            .trim_end_matches("’s")
            .trim_matches(['\'', '’', ',']);
        (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
            .then(|| w.parse().ok())
            .flatten()
            .filter(|y| (1900..=2200).contains(y))
    };
    while let Some(first) = words.first().copied() {
        let first = first.trim_start_matches(['\'', '"', '‘', '“']);
        let lower = first.to_lowercase();
        if matches!(
            lower.as_str(),
            "the" | "annual" | "this" | "year's" | "year’s"
        ) {
            words.remove(0);
        } else if let Some(y) = parse_year(first) {
            year = Some(y);
            words.remove(0);
        } else if let Some(n) = parse_ordinal(&lower) {
            ordinal = Some(n);
            words.remove(0);
        } else {
            break;
        }
    }
    if let Some(last) = words.last().copied()
        && let Some(y) = parse_year(last)
    {
        year = Some(y);
        words.pop();
    }
    let name = words
        .join(" ")
        .replace("'s ", " ")
        .replace("’s ", " ")
        .replace(['\'', '‘', '’', '"', '“', '”'], "");
    (name, year, ordinal)
}

fn parse_ordinal(w: &str) -> Option<u32> {
    let digits: String = w.chars().take_while(|c| c.is_ascii_digit()).collect();
    let suffix = &w[digits.len()..];
    if digits.is_empty() || !matches!(suffix, "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok().filter(|n| (1..=300).contains(n))
}

/// A ceremony's canonical name: "the 2023 MTV EMAs" → "MTV EMAs", "39th Golden Disc Awards" →
/// "Golden Disc Awards"; an unknown "... Awards" span keeps its own words.
pub fn ceremony(raw: &str, rules: &RuleSet) -> Normalized {
    let s = clean(raw);
    if s.is_empty() {
        return Normalized::Missing("empty ceremony".into());
    }
    // "the show" refers back; a quoted or title-cased "'The Show'" is SBS M's music show.
    let named = raw.trim_start().starts_with(['\'', '"'])
        || s.split_whitespace()
            .nth(1)
            .is_some_and(|w| w.starts_with(char::is_uppercase));
    if !named && let Some(slot) = anaphor(s, rules, &[Slot::Ceremony]) {
        return Normalized::Anaphor(slot);
    }
    let (name, _, _) = ceremony_parts(s);
    // "MTV's European Music Awards(EMAs)": possessives and a glued abbreviation are not the name.
    let name = name
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .replace("'s ", " ")
        .replace("’s ", " ");
    let name = name.trim_end_matches("'s").trim_end_matches("’s");
    if name.is_empty() {
        return Normalized::Reject(format!("{s:?} names no ceremony"));
    }
    let ceremonies = rules.gazetteer("ceremonies");
    // The whole name first: "The Show" is a show's name, not "the" + "Show".
    for candidate in [
        s,
        name,
        name.trim_end_matches(" ceremony"),
        name.trim_end_matches(" Awards"),
    ] {
        if let Some(e) = ceremonies.get(candidate) {
            return value(e.canonical.clone());
        }
    }
    // A known ceremony behind a broadcaster or qualifier ("Mnet's MAMA Awards", "MTV European
    // Music Awards"): the longest known suffix names it.
    let words: Vec<&str> = name.split_whitespace().collect();
    for i in 1..words.len() {
        if let Some(e) = ceremonies.get(&words[i..].join(" ")) {
            return value(e.canonical.clone());
        }
    }
    if rules.gazetteer("categories").contains(name) {
        return Normalized::Reject(format!("{name:?} is an award category, not a ceremony"));
    }
    let looks_like_ceremony = CEREMONY_HEADS
        .iter()
        .any(|h| name.ends_with(h) || name.contains(&format!("{h} ")))
        && is_upper_start(name);
    if looks_like_ceremony && name.split_whitespace().count() <= 8 {
        value(name.to_string())
    } else {
        Normalized::Reject(format!("{s:?} is not a known ceremony"))
    }
}

/// The year of the latest edition of a ceremony held by `article_date`, when its gazetteer entry
/// gives the month it is held in: a win is past, so a December show ("Japan Record Awards")
/// reported in January is last year's. Only a gap of two months or more counts, since
/// ceremonies drift by a few weeks between years (the Grammys are held in late January some years).
pub fn latest_edition_year(name: &str, rules: &RuleSet, article_date: NaiveDate) -> i32 {
    let month = rules
        .gazetteer("ceremonies")
        .get(name)
        .and_then(|e| e.attr("month"))
        .and_then(|m| m.parse::<u32>().ok());
    match month {
        Some(m) if m >= article_date.month() + 2 => article_date.year() - 1,
        _ => article_date.year(),
    }
}

/// The edition year a ceremony mention states: an explicit year, or an ordinal edition counted from
/// the gazetteer's `@anchor=N:YYYY` (edition N was held in YYYY) or `@first` year. An edition count
/// only says which year roughly, since ceremonies skip and move; when it lands within a year of the
/// article date, the article's year (or the latest edition's,
/// see [`latest_edition_year`]) is the better guess ("the 66th Grammy Awards" in February 2024).
/// Missing when the mention gives neither.
pub fn ceremony_year(raw: &str, rules: &RuleSet, article_date: NaiveDate) -> Normalized {
    let article_year = article_date.year();
    let s = clean(raw);
    let (name, year, ordinal) = ceremony_parts(s);
    if let Some(y) = year {
        return Normalized::Value(Value::from(y));
    }
    // "the 66th Grammy Awards" counts editions; "her 13th Grammy win" counts wins.
    let edition =
        name.ends_with("Awards") || name.ends_with("Award") || s.to_lowercase().contains("annual");
    if let Some(n) = ordinal.filter(|_| edition) {
        let entry = rules.gazetteer("ceremonies").get(&name);
        let anchored = entry.and_then(|e| e.attr("anchor")).and_then(|a| {
            let (ed, yr) = a.split_once(':')?;
            Some(yr.parse::<i32>().ok()? + n as i32 - ed.parse::<i32>().ok()?)
        });
        let counted = entry
            .and_then(|e| e.attr("first"))
            .and_then(|f| f.parse::<i32>().ok())
            .map(|first| first + n as i32 - 1);
        let latest = latest_edition_year(&name, rules, article_date);
        let year = match anchored.or(counted) {
            // A count one short of the article's year is right when that edition is the latest held.
            Some(y) if y == latest => y,
            Some(y) if (y - article_year).abs() <= 1 => article_year,
            Some(y) => y,
            None => article_year,
        };
        return Normalized::Value(Value::from(year));
    }
    Normalized::Missing(format!("{s:?} states no year"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_quotes_and_punctuation_but_not_abbreviations() {
        assert_eq!(clean(" 'Best Song', "), "Best Song");
        assert_eq!(clean("“Fortnight.”"), "Fortnight");
        assert_eq!(clean("H.E.R."), "H.E.R.");
        assert_eq!(clean("Seventeenth Heaven."), "Seventeenth Heaven");
    }

    #[test]
    fn shouted_titles_recased_acronyms_kept() {
        assert_eq!(recase_shouted("SEVEN"), "Seven");
        assert_eq!(recase_shouted("GOLDEN"), "Golden");
        assert_eq!(recase_shouted("FTCU"), "FTCU");
        assert_eq!(recase_shouted("3D"), "3D");
        assert_eq!(
            recase_shouted("Standing Next To You"),
            "Standing Next To You"
        );
    }

    #[test]
    fn ceremony_parts_split_years_and_ordinals() {
        assert_eq!(
            ceremony_parts("2023 MTV EMAs"),
            ("MTV EMAs".into(), Some(2023), None)
        );
        assert_eq!(
            ceremony_parts("the 66th Grammy Awards"),
            ("Grammy Awards".into(), None, Some(66))
        );
        assert_eq!(
            ceremony_parts("'39th Golden Disc Awards'"),
            ("Golden Disc Awards".into(), None, Some(39))
        );
        assert_eq!(
            ceremony_parts("Golden Disc Awards 2025"),
            ("Golden Disc Awards".into(), Some(2025), None)
        );
        assert_eq!(
            ceremony_parts("this year's Europe Music Awards"),
            ("Europe Music Awards".into(), None, None)
        );
    }

    #[test]
    fn feature_credits_leave_titles() {
        assert_eq!(
            strip_feature("Fortnight (featuring Post Malone)"),
            "Fortnight"
        );
        assert_eq!(strip_feature("Seven feat. Latto"), "Seven");
        assert_eq!(strip_feature("Closer to You"), "Closer to You");
    }

    #[test]
    fn possessives_split() {
        assert_eq!(split_possessive("BTS' Jungkook"), Some(("BTS", "Jungkook")));
        assert_eq!(
            split_possessive("BLACKPINK's Lisa"),
            Some(("BLACKPINK", "Lisa"))
        );
        assert_eq!(split_possessive("Lisa"), None);
    }
}
