//! Sentence splitting with offsets, and the quote folding that lets rules treat curly and straight
//! quotes alike.

use std::borrow::Cow;

use crate::rules::Gazetteer;

/// A sentence: byte range in the folded text and character range in the article text (the two texts
/// have the same characters one for one, so character offsets are shared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_end: usize,
}

/// Curly quotes and apostrophes become straight ones, odd spaces plain spaces: one character for one,
/// so character offsets into the folded text are offsets into the original.
pub fn fold_quotes(text: &str) -> Cow<'_, str> {
    let needs = text.chars().any(|c| fold_char(c) != c);
    if !needs {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(fold_char).collect())
}

fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{2033}' => '"',
        '\u{00A0}' | '\u{2009}' | '\u{202F}' | '\u{2007}' => ' ',
        c => c,
    }
}

/// Abbreviations used when no `abbreviations` gazetteer is loaded; a period after one never ends a sentence.
const DEFAULT_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "feat", "ft", "f", "inc", "ltd", "co", "no",
    "vol", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "ga", "fla", "calif", "mt", "ave", "prod", "approx", "est", "u.s", "u.k", "d.c",
];

/// Split `text` into sentences: every line break ends one (headlines, list items), and so does
/// `.`, `!` or `?` (with closing quotes) followed by a space and a capital, digit or opening quote,
/// unless the period closes an abbreviation or an initial.
pub fn split(text: &str, abbreviations: &Gazetteer) -> Vec<Sentence> {
    let bytes = text.as_bytes();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    let mut line_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            cuts.push((line_start, i));
            line_start = i + 1;
        }
    }
    cuts.push((line_start, bytes.len()));

    let mut spans = Vec::new();
    for (ls, le) in cuts {
        let line = &text[ls..le];
        let mut start = 0;
        let lb = line.as_bytes();
        let mut i = 0;
        while i < lb.len() {
            let b = lb[i];
            if matches!(b, b'.' | b'!' | b'?') {
                let mut j = i + 1;
                while j < lb.len() && matches!(lb[j], b'"' | b'\'' | b')' | b']') {
                    j += 1;
                }
                if j < lb.len()
                    && lb[j] == b' '
                    && starts_sentence(&line[j + 1..])
                    && !(b == b'.' && is_abbreviation(&line[start..i], abbreviations))
                {
                    spans.push((ls + start, ls + j));
                    start = j + 1;
                    i = j + 1;
                    continue;
                }
            }
            i += 1;
        }
        spans.push((ls + start, le));
    }

    let mut out = Vec::with_capacity(spans.len());
    let mut char_pos = 0;
    let mut byte_pos = 0;
    for (s, e) in spans {
        let seg = &text[s..e];
        let trimmed_start = s + (seg.len() - seg.trim_start().len());
        let trimmed_end = e - (seg.len() - seg.trim_end().len());
        if trimmed_start >= trimmed_end {
            continue;
        }
        char_pos += text[byte_pos..trimmed_start].chars().count();
        let char_start = char_pos;
        char_pos += text[trimmed_start..trimmed_end].chars().count();
        byte_pos = trimmed_end;
        out.push(Sentence {
            start: trimmed_start,
            end: trimmed_end,
            char_start,
            char_end: char_pos,
        });
    }
    out
}

fn starts_sentence(rest: &str) -> bool {
    let rest = rest.trim_start_matches(['"', '\'', '(', '[', ' ']);
    rest.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Whether the word before a period is an abbreviation or an initial ("J. Cole", "H.E.R.").
fn is_abbreviation(before: &str, abbreviations: &Gazetteer) -> bool {
    let word = before
        .rsplit([' ', '(', '"', '\''])
        .next()
        .unwrap_or("")
        .trim_start_matches(['(', '"', '\'']);
    if word.is_empty() {
        return false;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 1 && word.chars().next().is_some_and(char::is_uppercase) {
        return true;
    }
    // "H.E.R" before the final period, "d.a": an acronym with inner periods.
    if word.contains('.') && word.chars().all(|c| c.is_alphabetic() || c == '.') && letters <= 5 {
        return true;
    }
    let lower = word.to_lowercase();
    if abbreviations.entries.is_empty() {
        DEFAULT_ABBREVIATIONS.contains(&lower.as_str())
    } else {
        abbreviations.contains(&lower)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<String> {
        split(t, &Gazetteer::default())
            .iter()
            .map(|s| t[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn splits_on_lines_and_terminators() {
        assert_eq!(
            texts("Headline here\n\nHe won. She lost! Did they? \"Yes.\" Then 2 more."),
            vec![
                "Headline here",
                "He won.",
                "She lost!",
                "Did they?",
                "\"Yes.\"",
                "Then 2 more."
            ]
        );
    }

    #[test]
    fn keeps_abbreviations_and_initials() {
        assert_eq!(
            texts(
                "Seven feat. Latto is out. J. Cole and H.E.R. won. It ends Sept. 22 in Miami, Fla. Then more."
            ),
            vec![
                "Seven feat. Latto is out.",
                "J. Cole and H.E.R. won.",
                "It ends Sept. 22 in Miami, Fla. Then more."
            ]
        );
    }

    #[test]
    fn char_offsets_count_characters() {
        let t = "Café won. Next one.";
        let s = split(t, &Gazetteer::default());
        assert_eq!((s[1].char_start, s[1].char_end), (10, 19));
        assert_eq!(&t[s[1].start..s[1].end], "Next one.");
    }

    #[test]
    fn folding_is_one_char_for_one() {
        let t = "BTS’ “Seven”\u{a0}won";
        let f = fold_quotes(t);
        assert_eq!(f, "BTS' \"Seven\" won");
        assert_eq!(f.chars().count(), t.chars().count());
    }
}
