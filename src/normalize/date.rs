//! Date phrases from news text → calendar dates with a precision (year, month or day).
//!
//! The resolver follows news semantics rather than an assistant's: a year-less or
//! weekday date resolves backward when the clause is in the past tense ("On November 5"
//! in an article of 2023-11-06 is 2023-11-05), forward when it is in the future tense,
//! and to the nearest candidate otherwise. Explicit direction words in the phrase
//! ("last", "next", "ago") always win over tense.
//!
//! Deliberate departures from Duckling (whose corpus is the conformance test):
//! - "next <weekday>" is the first such weekday strictly after the reference. Duckling
//!   takes the weekday in the following calendar week, so "next Saturday" said on a
//!   Tuesday lands eleven days out; a news reader means the coming Saturday, and
//!   Duckling's own "Wednesday after next" (= its "next Wednesday") shows the reading
//!   is not self-consistent.
//! - "last week"/"this week"/"next week" give the month (news annotators record them at
//!   month grain); "N weeks ago" stays at day precision.
//! - A weekday next to a year-less date pins it to the nearest date with that weekday
//!   ("Sunday, Feb 10" → the nearest Feb 10 that is a Sunday), whatever the tense.
//! - A bare weekday naming the reference day is that day ("Tuesday" said on a Tuesday,
//!   future tense); Duckling moves it a week ahead.
//! - Numeric dates are month-first; a day-first date is read only when it cannot be
//!   month-first ("31/10/1974").

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use regex::Regex;

/// Grammatical tense of the clause a date phrase sits in; decides which way a year-less or weekday date resolves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tense {
    Past,
    Future,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Year,
    Month,
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResolvedDate {
    /// First day of the period: 2023-07-01 for "July 2023", 2023-01-01 for "2023".
    pub date: NaiveDate,
    pub precision: Precision,
}

impl ResolvedDate {
    /// "2023" / "2023-07" / "2023-07-14" by precision.
    pub fn to_iso(&self) -> String {
        let d = self.date;
        match self.precision {
            Precision::Year => format!("{:04}", d.year()),
            Precision::Month => format!("{:04}-{:02}", d.year(), d.month()),
            Precision::Day => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        }
    }
}

impl std::fmt::Display for ResolvedDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_iso())
    }
}

/// Build a result, snapping to the start of the period; years outside 1000..=9999 are not dates.
fn mk(date: NaiveDate, precision: Precision) -> Option<ResolvedDate> {
    if !(1000..=9999).contains(&date.year()) {
        return None;
    }
    let date = match precision {
        Precision::Day => date,
        Precision::Month => date.with_day(1)?,
        Precision::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1)?,
    };
    Some(ResolvedDate { date, precision })
}

fn day(d: NaiveDate) -> Option<ResolvedDate> {
    mk(d, Precision::Day)
}

fn month_res(d: NaiveDate) -> Option<ResolvedDate> {
    mk(d, Precision::Month)
}

fn year_res(y: i32) -> Option<ResolvedDate> {
    mk(NaiveDate::from_ymd_opt(y, 1, 1)?, Precision::Year)
}

// ---------------------------------------------------------------- calendar arithmetic

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

/// Calendar-month shift; the day is clamped to the target month's end (Mar 31 − 1 month = Feb 28).
fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    if n >= 0 {
        d.checked_add_months(m)
    } else {
        d.checked_sub_months(m)
    }
}

fn month_start(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)
}

fn first_of_month(d: NaiveDate) -> Option<NaiveDate> {
    d.with_day(1)
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    month_start(y, m)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// Days from `from` forward to the next `to` (0..=6).
fn wd_gap(from: Weekday, to: Weekday) -> i64 {
    i64::from((to.num_days_from_monday() + 7 - from.num_days_from_monday()) % 7)
}

/// The n-th `wd` after `r` (n ≥ 1); `strict` skips `r` itself.
fn weekday_after(r: NaiveDate, wd: Weekday, n: u32, strict: bool) -> Option<NaiveDate> {
    let mut gap = wd_gap(r.weekday(), wd);
    if strict && gap == 0 {
        gap = 7;
    }
    add_days(r, gap + 7 * (i64::from(n.max(1)) - 1))
}

/// The n-th `wd` before `r` (n ≥ 1); `strict` skips `r` itself.
fn weekday_before(r: NaiveDate, wd: Weekday, n: u32, strict: bool) -> Option<NaiveDate> {
    let mut gap = wd_gap(wd, r.weekday());
    if strict && gap == 0 {
        gap = 7;
    }
    add_days(r, -(gap + 7 * (i64::from(n.max(1)) - 1)))
}

/// Monday of the calendar week (Monday–Sunday) containing `r`.
fn monday_of(r: NaiveDate) -> Option<NaiveDate> {
    add_days(r, -i64::from(r.weekday().num_days_from_monday()))
}

fn nth_weekday_of_month(y: i32, m: u32, wd: Weekday, n: u32) -> Option<NaiveDate> {
    let first = month_start(y, m)?;
    let d = weekday_after(first, wd, n, false)?;
    (d.month() == m).then_some(d)
}

fn last_weekday_of_month(y: i32, m: u32, wd: Weekday) -> Option<NaiveDate> {
    weekday_before(last_day_of_month(y, m)?, wd, 1, false)
}

/// Gregorian Easter Sunday (anonymous Gregorian computus).
fn easter(y: i32) -> Option<NaiveDate> {
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let dom = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(y, u32::try_from(month).ok()?, u32::try_from(dom).ok()?)
}

// ---------------------------------------------------------------- choosing among candidates

/// How to choose one of several dates that fit a phrase.
#[derive(Clone, Copy, Debug)]
enum Pick {
    OnOrBefore,
    OnOrAfter,
    Nearest,
    /// The n-th strictly before the anchor ("last March" = 1, "March before last" = 2).
    Before(u32),
    /// The n-th strictly after the anchor.
    After(u32),
}

fn pick_for(tense: Tense) -> Pick {
    match tense {
        Tense::Past => Pick::OnOrBefore,
        Tense::Future => Pick::OnOrAfter,
        Tense::Unknown => Pick::Nearest,
    }
}

fn pick(mut cands: Vec<NaiveDate>, anchor: NaiveDate, p: Pick) -> Option<NaiveDate> {
    cands.sort_unstable();
    cands.dedup();
    let nth = |n: u32| usize::try_from(n.max(1) - 1).unwrap_or(usize::MAX);
    match p {
        Pick::OnOrBefore => cands.iter().rev().find(|d| **d <= anchor).copied(),
        Pick::OnOrAfter => cands.iter().find(|d| **d >= anchor).copied(),
        // Ties go to the earlier date: news reports more often than it announces.
        Pick::Nearest => cands
            .iter()
            .min_by_key(|d| ((**d - anchor).num_days().abs(), **d > anchor))
            .copied(),
        Pick::Before(n) => cands
            .iter()
            .rev()
            .filter(|d| **d < anchor)
            .nth(nth(n))
            .copied(),
        Pick::After(n) => cands.iter().filter(|d| **d > anchor).nth(nth(n)).copied(),
    }
}

/// Candidates from the years around the reference; 25 years covers every weekday/leap pattern.
fn yearly(r: NaiveDate, f: impl Fn(i32) -> Option<NaiveDate>) -> Vec<NaiveDate> {
    (r.year() - 12..=r.year() + 12).filter_map(f).collect()
}

/// Candidates from the months around the reference.
fn monthly(r: NaiveDate, f: impl Fn(i32, u32) -> Option<NaiveDate>) -> Vec<NaiveDate> {
    let Some(base) = first_of_month(r) else {
        return Vec::new();
    };
    (-40..=40)
        .filter_map(|off| add_months(base, off))
        .filter_map(|d| f(d.year(), d.month()))
        .collect()
}

/// A year-less month compared at month grain: "in November" said on Nov 6 is this November.
fn pick_month(r: NaiveDate, m: u32, p: Pick) -> Option<ResolvedDate> {
    let anchor = first_of_month(r)?;
    let cands = (r.year() - 3..=r.year() + 3)
        .filter_map(|y| month_start(y, m))
        .collect();
    month_res(pick(cands, anchor, p)?)
}

fn pick_weekday(r: NaiveDate, wd: Weekday, tense: Tense) -> Option<NaiveDate> {
    match tense {
        Tense::Past => weekday_before(r, wd, 1, false),
        Tense::Future => weekday_after(r, wd, 1, false),
        Tense::Unknown => {
            let back = weekday_before(r, wd, 1, false)?;
            let fwd = weekday_after(r, wd, 1, false)?;
            // Gaps are d and 7−d, never equal; the nearer one wins.
            Some(if (r - back).num_days() <= (fwd - r).num_days() {
                back
            } else {
                fwd
            })
        }
    }
}

// ---------------------------------------------------------------- tokens

#[derive(Clone, Debug, PartialEq)]
enum T {
    /// A number; `len` is its digit count (0 when spelled out), `ord` marks "3rd"/"third"/"the 3".
    Num {
        v: u32,
        len: usize,
        ord: bool,
    },
    W(String),
}

fn normalize(phrase: &str) -> String {
    let mapped: String = phrase
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{B4}' => '\'',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    mapped
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '.' | ','
                        | ';'
                        | ':'
                        | '!'
                        | '?'
                        | '"'
                        | '\''
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '\u{AB}'
                        | '\u{BB}'
                        | '\u{201C}'
                        | '\u{201D}'
                )
        })
        .to_string()
}

fn cardinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

fn ordinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => return None,
    })
}

/// Split normalized text into number and word tokens; None when a digit run is absurdly long.
fn tokenize(s: &str) -> Option<Vec<T>> {
    let chars: Vec<char> = s.chars().collect();
    let mut raw = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_ascii_digit() {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            if digits.len() > 9 {
                return None;
            }
            let v: u32 = digits.parse().ok()?;
            let mut ord = false;
            // "14th", "2016's": suffixes glued to the digits.
            let suffix: String = chars[i..]
                .iter()
                .take_while(|c| c.is_alphabetic() || **c == '\'')
                .collect();
            if matches!(suffix.as_str(), "st" | "nd" | "rd" | "th") {
                ord = true;
                i += 2;
            } else if suffix == "'s" {
                i += 2;
            }
            raw.push(T::Num {
                v,
                len: digits.len(),
                ord,
            });
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|c| {
                c.is_alphabetic()
                    || (*c == '\'' && chars.get(i + 1).is_some_and(|n| n.is_alphabetic()))
            }) {
                i += 1;
            }
            let w: String = chars[start..i].iter().collect();
            // Possessives read as their noun: "last week's Sunday", "new year's eve".
            let w = w.strip_suffix("'s").unwrap_or(&w).to_string();
            raw.push(T::W(w));
        } else {
            i += 1;
        }
    }
    // Spelled-out numbers: "three", "twenty one", "thirty-first", "the 24" (a day).
    let mut out: Vec<T> = Vec::with_capacity(raw.len());
    let mut k = 0;
    while k < raw.len() {
        let tok = &raw[k];
        let next_w = match raw.get(k + 1) {
            Some(T::W(w)) => Some(w.as_str()),
            _ => None,
        };
        match tok {
            T::W(w) if w == "the" => {
                if let Some(T::Num { v, len, .. }) = raw.get(k + 1)
                    && *len <= 2
                {
                    out.push(T::Num {
                        v: *v,
                        len: *len,
                        ord: true,
                    });
                    k += 2;
                    continue;
                }
                k += 1;
                continue;
            }
            T::W(w) => {
                let tens = cardinal_word(w).filter(|v| *v >= 20 && v % 10 == 0);
                if let (Some(t), Some(n)) = (tens, next_w) {
                    if let Some(u) = cardinal_word(n).filter(|u| *u < 10) {
                        out.push(T::Num {
                            v: t + u,
                            len: 0,
                            ord: false,
                        });
                        k += 2;
                        continue;
                    }
                    if let Some(u) = ordinal_word(n).filter(|u| *u < 10) {
                        out.push(T::Num {
                            v: t + u,
                            len: 0,
                            ord: true,
                        });
                        k += 2;
                        continue;
                    }
                }
                if let Some(v) = cardinal_word(w) {
                    out.push(T::Num {
                        v,
                        len: 0,
                        ord: false,
                    });
                } else if let Some(v) = ordinal_word(w) {
                    out.push(T::Num {
                        v,
                        len: 0,
                        ord: true,
                    });
                } else {
                    out.push(tok.clone());
                }
            }
            T::Num { .. } => out.push(tok.clone()),
        }
        k += 1;
    }
    Some(out)
}

fn w(t: &T) -> Option<&str> {
    match t {
        T::W(s) => Some(s.as_str()),
        T::Num { .. } => None,
    }
}

fn is(t: &T, opts: &[&str]) -> bool {
    w(t).is_some_and(|s| opts.contains(&s))
}

fn month_of(t: &T) -> Option<u32> {
    Some(match w(t)? {
        "january" | "jan" => 1,
        "february" | "feb" | "febr" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

fn weekday_word(s: &str) -> Option<Weekday> {
    Some(match s {
        "monday" | "mon" => Weekday::Mon,
        "tuesday" | "tue" | "tues" => Weekday::Tue,
        "wednesday" | "wed" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thu,
        "friday" | "fri" => Weekday::Fri,
        "saturday" | "sat" => Weekday::Sat,
        "sunday" | "sun" => Weekday::Sun,
        _ => return None,
    })
}

fn weekday_of(t: &T) -> Option<Weekday> {
    weekday_word(w(t)?)
}

/// "fridays" (or "friday") in counted phrases like "3 fridays from now".
fn weekday_plural(t: &T) -> Option<Weekday> {
    let s = w(t)?;
    weekday_word(s.strip_suffix('s').unwrap_or(s)).filter(|_| s.len() > 4)
}

fn year4(t: &T) -> Option<i32> {
    match t {
        T::Num {
            v,
            len: 4,
            ord: false,
        } => i32::try_from(*v).ok().filter(|y| (1000..=9999).contains(y)),
        _ => None,
    }
}

/// Two-digit year, placed in the century that keeps it within 20 years ahead of the reference.
fn year2(t: &T, r: NaiveDate) -> Option<i32> {
    match t {
        T::Num {
            v,
            len: 2,
            ord: false,
        } => {
            let yy = i32::try_from(*v).ok()?;
            let mut y = r.year().div_euclid(100) * 100 + yy;
            if y > r.year() + 20 {
                y -= 100;
            }
            Some(y)
        }
        _ => None,
    }
}

/// A day of the month: "14", "14th", "fourteenth".
fn day_num(t: &T) -> Option<u32> {
    match t {
        T::Num { v, len, .. } if *len <= 2 && (1..=31).contains(v) => Some(*v),
        _ => None,
    }
}

fn ordinal(t: &T) -> Option<u32> {
    match t {
        T::Num { v, len, ord: true } if *len <= 2 && *v >= 1 => Some(*v),
        _ => None,
    }
}

/// A count: "3", "three", "a", "an".
fn count(t: &T) -> Option<u32> {
    match t {
        T::Num { v, ord: false, .. } => Some(*v),
        T::W(s) if s == "a" || s == "an" => Some(1),
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Unit {
    Day,
    Week,
    Fortnight,
    Month,
    Year,
    Decade,
}

fn unit_of(t: &T) -> Option<Unit> {
    Some(match w(t)? {
        "day" | "days" => Unit::Day,
        "week" | "weeks" | "wk" | "wks" => Unit::Week,
        "fortnight" | "fortnights" => Unit::Fortnight,
        "month" | "months" => Unit::Month,
        "year" | "years" | "yr" | "yrs" => Unit::Year,
        "decade" | "decades" => Unit::Decade,
        _ => return None,
    })
}

fn shift(d: NaiveDate, unit: Unit, n: i64) -> Option<NaiveDate> {
    match unit {
        Unit::Day => add_days(d, n),
        Unit::Week => add_days(d, n.checked_mul(7)?),
        Unit::Fortnight => add_days(d, n.checked_mul(14)?),
        Unit::Month => add_months(d, n),
        Unit::Year => add_months(d, n.checked_mul(12)?),
        Unit::Decade => add_months(d, n.checked_mul(120)?),
    }
}

// ---------------------------------------------------------------- numeric formats

static ISO_YMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{4})([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})$").expect("static regex")
});
static ISO_YM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{4})[-/]([0-9]{1,2})$").expect("static regex"));
static MDY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([0-9]{1,2}) ?([-/.]) ?([0-9]{1,2}) ?([-/.]) ?([0-9]{4}|[0-9]{2})$")
        .expect("static regex")
});
static MDY_SPACED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,2}) ([0-9]{1,2}) ([0-9]{4})$").expect("static regex"));
static MY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,2}) ?[-/] ?([0-9]{4})$").expect("static regex"));
static MD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([0-9]{1,2}) ?[-/] ?([0-9]{1,2})$").expect("static regex"));

fn cap_u32(c: &regex::Captures<'_>, i: usize) -> Option<u32> {
    c.get(i)?.as_str().parse().ok()
}

/// Month-first unless only day-first is a valid reading.
fn month_day(a: u32, b: u32) -> Option<(u32, u32)> {
    if (1..=12).contains(&a) && (1..=31).contains(&b) {
        Some((a, b))
    } else if (1..=12).contains(&b) && (13..=31).contains(&a) {
        Some((b, a))
    } else {
        None
    }
}

fn parse_numeric(s: &str, r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    if let Some(c) = ISO_YMD.captures(s) {
        if c.get(2)?.as_str() != c.get(4)?.as_str() {
            return None;
        }
        let y = i32::try_from(cap_u32(&c, 1)?).ok()?;
        return day(NaiveDate::from_ymd_opt(
            y,
            cap_u32(&c, 3)?,
            cap_u32(&c, 5)?,
        )?);
    }
    if let Some(c) = ISO_YM.captures(s) {
        let y = i32::try_from(cap_u32(&c, 1)?).ok()?;
        return month_res(month_start(y, cap_u32(&c, 2)?)?);
    }
    if let Some(c) = MDY.captures(s) {
        if c.get(2)?.as_str() != c.get(4)?.as_str() {
            return None;
        }
        let (m, d) = month_day(cap_u32(&c, 1)?, cap_u32(&c, 3)?)?;
        let yt = c.get(5)?.as_str();
        let y = if yt.len() == 2 {
            year2(
                &T::Num {
                    v: yt.parse().ok()?,
                    len: 2,
                    ord: false,
                },
                r,
            )?
        } else {
            yt.parse().ok()?
        };
        return day(NaiveDate::from_ymd_opt(y, m, d)?);
    }
    if let Some(c) = MDY_SPACED.captures(s) {
        let (m, d) = month_day(cap_u32(&c, 1)?, cap_u32(&c, 2)?)?;
        let y = i32::try_from(cap_u32(&c, 3)?).ok()?;
        return day(NaiveDate::from_ymd_opt(y, m, d)?);
    }
    if let Some(c) = MY.captures(s) {
        let y = i32::try_from(cap_u32(&c, 2)?).ok()?;
        return month_res(month_start(y, cap_u32(&c, 1)?)?);
    }
    if let Some(c) = MD.captures(s) {
        let (m, d) = month_day(cap_u32(&c, 1)?, cap_u32(&c, 2)?)?;
        return day(pick(
            yearly(r, |y| NaiveDate::from_ymd_opt(y, m, d)),
            r,
            pick_for(tense),
        )?);
    }
    None
}

// ---------------------------------------------------------------- word patterns

/// Relative words with no numbers: today, last year, this month, next week, this weekend…
fn relative_words(t: &[T], r: NaiveDate) -> Option<ResolvedDate> {
    let ws: Vec<&str> = t.iter().map(w).collect::<Option<_>>()?;
    const LAST: &[&str] = &["last", "previous", "past"];
    const THIS: &[&str] = &["this", "current"];
    const NEXT: &[&str] = &["next", "coming"];
    let dir = |s: &str| -> Option<i64> {
        if LAST.contains(&s) {
            Some(-1)
        } else if THIS.contains(&s) {
            Some(0)
        } else if NEXT.contains(&s) {
            Some(1)
        } else {
            None
        }
    };
    match ws.as_slice() {
        ["today" | "tonight"] | ["this", "morning" | "afternoon" | "evening"] => day(r),
        ["yesterday"] | ["last", "night"] => day(add_days(r, -1)?),
        ["tomorrow"] => day(add_days(r, 1)?),
        ["day", "after", "tomorrow"] => day(add_days(r, 2)?),
        ["day", "before", "yesterday"] => day(add_days(r, -2)?),
        [d, "year" | "yr"] => year_res(r.year().checked_add(i32::try_from(dir(d)?).ok()?)?),
        [d, "month"] => month_res(add_months(r, dir(d)?)?),
        // News annotators record week mentions at month grain.
        [d, "week"] => month_res(add_days(r, 7 * dir(d)?)?),
        [d, "weekend"] => {
            let sat = add_days(monday_of(r)?, 5 + 7 * dir(d)?)?;
            month_res(sat)
        }
        _ => None,
    }
}

/// Season start (month, day), northern meteorological-astronomical convention.
fn season_start(s: &str) -> Option<(u32, u32)> {
    Some(match s {
        "spring" => (3, 20),
        "summer" => (6, 21),
        "fall" | "autumn" => (9, 22),
        "winter" => (12, 21),
        _ => return None,
    })
}

/// Seasons resolve to a year: "this summer" → the reference year, "last summer" → the
/// latest summer already over, "summer 2019" → 2019.
fn seasons(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let si = t
        .iter()
        .position(|x| w(x).and_then(season_start).is_some())?;
    let (pre, name, post) = (&t[..si], w(&t[si])?, &t[si + 1..]);
    let (sm, sd) = season_start(name)?;
    // Winter is labelled by the year holding most of it (January–March).
    let label = |start: NaiveDate| start.year() + i32::from(name == "winter");
    let instances: Vec<(NaiveDate, NaiveDate)> = (r.year() - 2..=r.year() + 2)
        .filter_map(|y| {
            let start = NaiveDate::from_ymd_opt(y, sm, sd)?;
            Some((start, start.checked_add_months(Months::new(3))?))
        })
        .collect();
    let latest_over = || {
        instances
            .iter()
            .rev()
            .find(|(_, end)| *end <= r)
            .map(|x| label(x.0))
    };
    let next_start = || instances.iter().find(|(st, _)| *st > r).map(|x| label(x.0));
    let year = match (pre, post) {
        ([], []) => match tense {
            Tense::Past => instances
                .iter()
                .rev()
                .find(|(st, _)| *st <= r)
                .map(|x| label(x.0))?,
            Tense::Future => instances
                .iter()
                .find(|(_, end)| *end > r)
                .map(|x| label(x.0))?,
            Tense::Unknown => r.year(),
        },
        ([p], []) => match w(p)? {
            "this" | "current" => r.year(),
            "last" | "past" | "previous" => latest_over()?,
            "next" | "coming" => next_start()?,
            _ => return None,
        },
        ([], [y]) => year4(y)?,
        ([], [o, y]) if is(o, &["of"]) => year4(y)?,
        _ => return None,
    };
    year_res(year)
}

#[derive(Clone, Copy, Debug)]
enum Holiday {
    Fixed(u32, u32),
    /// n-th weekday of a month (n = 5 means the last one).
    NthWeekday(u32, Weekday, u32),
    Easter(i64),
    /// Day after US Thanksgiving.
    BlackFriday,
}

fn holiday_date(h: Holiday, y: i32) -> Option<NaiveDate> {
    match h {
        Holiday::Fixed(m, d) => NaiveDate::from_ymd_opt(y, m, d),
        Holiday::NthWeekday(m, wd, 5) => last_weekday_of_month(y, m, wd),
        Holiday::NthWeekday(m, wd, n) => nth_weekday_of_month(y, m, wd, n),
        Holiday::Easter(off) => add_days(easter(y)?, off),
        Holiday::BlackFriday => add_days(nth_weekday_of_month(y, 11, Weekday::Thu, 4)?, 1),
    }
}

/// Named holidays (US/UK whitelist); returns the holiday and the tokens it used.
fn holiday_prefix(t: &[T]) -> Option<(Holiday, usize)> {
    use Holiday::*;
    const TABLE: &[(&str, Holiday)] = &[
        ("christmas eve", Fixed(12, 24)),
        ("christmas day", Fixed(12, 25)),
        ("christmas", Fixed(12, 25)),
        ("xmas", Fixed(12, 25)),
        ("boxing day", Fixed(12, 26)),
        ("new year eve", Fixed(12, 31)),
        ("new years eve", Fixed(12, 31)),
        ("new year day", Fixed(1, 1)),
        ("new years day", Fixed(1, 1)),
        ("valentine day", Fixed(2, 14)),
        ("valentines day", Fixed(2, 14)),
        ("halloween", Fixed(10, 31)),
        ("groundhog day", Fixed(2, 2)),
        ("groundhogs day", Fixed(2, 2)),
        ("st patrick day", Fixed(3, 17)),
        ("st patricks day", Fixed(3, 17)),
        ("saint patrick day", Fixed(3, 17)),
        ("saint patricks day", Fixed(3, 17)),
        ("st paddy day", Fixed(3, 17)),
        ("saint paddy day", Fixed(3, 17)),
        ("independence day", Fixed(7, 4)),
        ("veterans day", Fixed(11, 11)),
        ("veteran day", Fixed(11, 11)),
        ("guy fawkes day", Fixed(11, 5)),
        ("guy fawkes night", Fixed(11, 5)),
        ("bonfire night", Fixed(11, 5)),
        ("thanksgiving day", NthWeekday(11, Weekday::Thu, 4)),
        ("thanksgiving", NthWeekday(11, Weekday::Thu, 4)),
        ("black friday", BlackFriday),
        ("mlk jr day", NthWeekday(1, Weekday::Mon, 3)),
        ("mlk day", NthWeekday(1, Weekday::Mon, 3)),
        ("martin luther king jr day", NthWeekday(1, Weekday::Mon, 3)),
        ("martin luther king day", NthWeekday(1, Weekday::Mon, 3)),
        ("martin luther kings day", NthWeekday(1, Weekday::Mon, 3)),
        ("civil rights day", NthWeekday(1, Weekday::Mon, 3)),
        ("memorial day", NthWeekday(5, Weekday::Mon, 5)),
        ("decoration day", NthWeekday(5, Weekday::Mon, 5)),
        ("labor day", NthWeekday(9, Weekday::Mon, 1)),
        ("mother day", NthWeekday(5, Weekday::Sun, 2)),
        ("mothers day", NthWeekday(5, Weekday::Sun, 2)),
        ("father day", NthWeekday(6, Weekday::Sun, 3)),
        ("fathers day", NthWeekday(6, Weekday::Sun, 3)),
        ("easter sunday", Easter(0)),
        ("easter monday", Easter(1)),
        ("good friday", Easter(-2)),
        ("easter", Easter(0)),
    ];
    let words: Vec<&str> = t.iter().map_while(w).collect();
    TABLE.iter().find_map(|(name, h)| {
        let parts: Vec<&str> = name.split(' ').collect();
        (words.len() >= parts.len() && words[..parts.len()] == parts[..])
            .then_some((*h, parts.len()))
    })
}

fn holidays(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let (pre, rest) = match t.first().and_then(w) {
        Some(p @ ("this" | "last" | "next" | "previous" | "coming")) => (Some(p), &t[1..]),
        _ => (None, t),
    };
    let (h, n) = holiday_prefix(rest)?;
    let f = |y| holiday_date(h, y);
    let post = &rest[n..];
    let d = match (pre, post) {
        (None, []) => pick(yearly(r, f), r, pick_for(tense))?,
        (Some("this"), []) => pick(
            yearly(r, f),
            r,
            if tense == Tense::Past {
                Pick::OnOrBefore
            } else {
                Pick::OnOrAfter
            },
        )?,
        (Some("last" | "previous"), []) => pick(yearly(r, f), r, Pick::Before(1))?,
        (Some("next" | "coming"), []) => pick(yearly(r, f), r, Pick::After(1))?,
        (None, [y]) => f(year4(y)?)?,
        // "thanksgiving in 9 months", "easter 1 year ago": the holiday in the year the offset reaches.
        (None, [i, c, u]) if is(i, &["in"]) => {
            f(shift(r, unit_of(u)?, i64::from(count(c)?))?.year())?
        }
        (None, [c, u, a]) if is(a, &["ago", "back"]) => {
            f(shift(r, unit_of(u)?, -i64::from(count(c)?))?.year())?
        }
        (None, [c, u, fr, now]) if is(fr, &["from"]) && is(now, &["now"]) => {
            f(shift(r, unit_of(u)?, i64::from(count(c)?))?.year())?
        }
        (None, [o, d, yr]) if is(o, &["of"]) && is(yr, &["year", "yr"]) => {
            let off = match w(d)? {
                "last" | "previous" => -1,
                "this" | "current" => 0,
                "next" => 1,
                _ => return None,
            };
            f(r.year().checked_add(off)?)?
        }
        _ => return None,
    };
    day(d)
}

/// Counted offsets: "three weeks ago", "in a week", "3 years from today", "upcoming two months",
/// "2 thursdays back", "third tuesday after christmas 2014".
fn counted(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let signed = |n: u32, neg: bool| if neg { -i64::from(n) } else { i64::from(n) };
    match t {
        [c, u, dir] if count(c).is_some() && unit_of(u).is_some() => {
            let neg = match w(dir)? {
                "ago" | "back" | "earlier" | "before" | "prior" => true,
                "hence" | "later" | "after" | "on" => false,
                _ => return None,
            };
            day(shift(r, unit_of(u)?, signed(count(c)?, neg))?)
        }
        [c, u, f, now]
            if count(c).is_some()
                && unit_of(u).is_some()
                && is(f, &["from"])
                && is(now, &["now"]) =>
        {
            day(shift(r, unit_of(u)?, i64::from(count(c)?))?)
        }
        [i, c, u] | [i, c, u, _]
            if is(i, &["in"]) && count(c).is_some() && unit_of(u).is_some() =>
        {
            // "in a week's time"
            if t.len() == 4 && !is(&t[3], &["time"]) {
                return None;
            }
            day(shift(r, unit_of(u)?, i64::from(count(c)?))?)
        }
        [up, c, u] | [c, up, u]
            if is(up, &["upcoming"]) && count(c).is_some() && unit_of(u).is_some() =>
        {
            let unit = unit_of(u)?;
            let d = shift(r, unit, i64::from(count(c)?))?;
            match unit {
                Unit::Month => month_res(d),
                Unit::Year | Unit::Decade => year_res(d.year()),
                _ => day(d),
            }
        }
        [c, wd, f, now]
            if count(c).is_some()
                && weekday_plural(wd).is_some()
                && is(f, &["from"])
                && is(now, &["now", "today"]) =>
        {
            day(weekday_after(r, weekday_plural(wd)?, count(c)?, true)?)
        }
        [c, wd, dir] if count(c).is_some() && weekday_plural(wd).is_some() => {
            let wd = weekday_plural(wd)?;
            match w(dir)? {
                "ago" | "back" | "earlier" => day(weekday_before(r, wd, count(c)?, true)?),
                "hence" | "later" => day(weekday_after(r, wd, count(c)?, true)?),
                _ => None,
            }
        }
        // Offsets from another date: "3 years from today", "three days after Easter".
        [c, u, rel, rest @ ..]
            if !rest.is_empty() && count(c).is_some() && unit_of(u).is_some() =>
        {
            let neg = match w(rel)? {
                "after" | "from" => false,
                "before" => true,
                _ => return None,
            };
            let base = parse_tokens(rest, r, tense)?;
            if base.precision != Precision::Day {
                return None;
            }
            day(shift(base.date, unit_of(u)?, signed(count(c)?, neg))?)
        }
        [n, wd, rel, rest @ ..]
            if !rest.is_empty() && ordinal(n).is_some() && weekday_of(wd).is_some() =>
        {
            let before = match w(rel)? {
                "after" => false,
                "before" => true,
                _ => return None,
            };
            let base = parse_tokens(rest, r, tense)?;
            if base.precision != Precision::Day {
                return None;
            }
            let (n, wd) = (ordinal(n)?, weekday_of(wd)?);
            day(if before {
                weekday_before(base.date, wd, n, true)?
            } else {
                weekday_after(base.date, wd, n, true)?
            })
        }
        _ => None,
    }
}

/// The month a "… of <month>" phrase points at.
enum MonthSpec {
    Fixed(i32, u32),
    Yearless(u32),
}

fn month_spec(t: &[T], r: NaiveDate) -> Option<MonthSpec> {
    let rel = |off: i64| add_months(r, off).map(|d| MonthSpec::Fixed(d.year(), d.month()));
    match t {
        [m] if month_of(m).is_some() => Some(MonthSpec::Yearless(month_of(m)?)),
        [m, y] if month_of(m).is_some() => Some(MonthSpec::Fixed(year4(y)?, month_of(m)?)),
        [m, o, y] if month_of(m).is_some() && is(o, &["of"]) => {
            Some(MonthSpec::Fixed(year4(y)?, month_of(m)?))
        }
        [mo] if is(mo, &["month"]) => rel(0),
        [d, mo] if is(mo, &["month"]) => match w(d)? {
            "this" | "current" | "same" => rel(0),
            "next" | "following" | "coming" => rel(1),
            "last" | "previous" | "past" | "prior" => rel(-1),
            _ => None,
        },
        _ => None,
    }
}

/// Which day inside a month: "the 20th", "third Tuesday", "last Sunday", "last day", "fifth last day".
#[derive(Clone, Copy)]
enum DaySel {
    Day(u32),
    NthWeekday(u32, Weekday),
    LastWeekday(Weekday),
    NthLastDay(u32),
}

fn day_sel(head: &[T]) -> Option<DaySel> {
    match head {
        [n, wd] if ordinal(n).is_some() && weekday_of(wd).is_some() => {
            Some(DaySel::NthWeekday(ordinal(n)?, weekday_of(wd)?))
        }
        [l, wd] if is(l, &["last", "final"]) && weekday_of(wd).is_some() => {
            Some(DaySel::LastWeekday(weekday_of(wd)?))
        }
        [l, d] if is(l, &["last", "final"]) && is(d, &["day"]) => Some(DaySel::NthLastDay(1)),
        [n, l, d] if ordinal(n).is_some() && is(l, &["last"]) && is(d, &["day"]) => {
            Some(DaySel::NthLastDay(ordinal(n)?))
        }
        [n, d] if day_num(n).is_some() && is(d, &["day"]) => Some(DaySel::Day(day_num(n)?)),
        [n] if day_num(n).is_some() => Some(DaySel::Day(day_num(n)?)),
        _ => None,
    }
}

fn apply_sel(sel: DaySel, y: i32, m: u32) -> Option<NaiveDate> {
    match sel {
        DaySel::Day(d) => NaiveDate::from_ymd_opt(y, m, d),
        DaySel::NthWeekday(n, wd) => nth_weekday_of_month(y, m, wd, n),
        DaySel::LastWeekday(wd) => last_weekday_of_month(y, m, wd),
        DaySel::NthLastDay(n) => {
            let d = add_days(last_day_of_month(y, m)?, -(i64::from(n) - 1))?;
            (d.month() == m).then_some(d)
        }
    }
}

/// "20th of next month", "first Monday of this month", "last day of October 2015", "4th of July".
fn day_in_month(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let split = t.iter().position(|x| is(x, &["of", "in"]))?;
    let sel = day_sel(&t[..split])?;
    // "3 in March" is a score or a count far more often than a date; only "of" joins a bare day.
    if matches!(sel, DaySel::Day(_)) && is(&t[split], &["in"]) {
        return None;
    }
    match month_spec(&t[split + 1..], r)? {
        MonthSpec::Fixed(y, m) => day(apply_sel(sel, y, m)?),
        MonthSpec::Yearless(m) => day(pick(
            yearly(r, |y| apply_sel(sel, y, m)),
            r,
            pick_for(tense),
        )?),
    }
}

/// Weekday phrases: "Friday", "this Friday", "last Friday", "next Friday", "friday after next",
/// "wednesday of next week", "last week's sunday".
fn weekdays(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let week_off = |s: &T| match w(s)? {
        "this" | "current" => Some(0),
        "next" | "coming" | "following" => Some(1),
        "last" | "previous" | "past" => Some(-1),
        _ => None,
    };
    let in_week = |off: i64, wd: Weekday| {
        add_days(
            monday_of(r)?,
            7 * off + i64::from(wd.num_days_from_monday()),
        )
        .and_then(day)
    };
    match t {
        [x] => day(pick_weekday(r, weekday_of(x)?, tense)?),
        [a, x] if weekday_of(x).is_some() => {
            let wd = weekday_of(x)?;
            match w(a)? {
                // "this Friday" in a past-tense clause is the one just gone.
                "this" => day(if tense == Tense::Past {
                    weekday_before(r, wd, 1, false)?
                } else {
                    weekday_after(r, wd, 1, false)?
                }),
                "last" | "previous" | "past" => day(weekday_before(r, wd, 1, true)?),
                // Deviation from Duckling: the first one strictly after (see module docs).
                "next" | "coming" | "upcoming" => day(weekday_after(r, wd, 1, true)?),
                _ => None,
            }
        }
        [a, b, x] if is(a, &["this"]) && weekday_of(x).is_some() => match w(b)? {
            "coming" | "upcoming" => day(weekday_after(r, weekday_of(x)?, 1, true)?),
            "past" => day(weekday_before(r, weekday_of(x)?, 1, true)?),
            _ => None,
        },
        [x, a, b] if weekday_of(x).is_some() && is(a, &["after"]) && is(b, &["next"]) => {
            day(weekday_after(r, weekday_of(x)?, 2, true)?)
        }
        [x, a, b] if weekday_of(x).is_some() && is(a, &["before"]) && is(b, &["last"]) => {
            day(weekday_before(r, weekday_of(x)?, 2, true)?)
        }
        [x, d, wk] if weekday_of(x).is_some() && is(wk, &["week"]) => {
            in_week(week_off(d)?, weekday_of(x)?)
        }
        [x, p, d, wk]
            if weekday_of(x).is_some() && is(p, &["of", "from", "in"]) && is(wk, &["week"]) =>
        {
            in_week(week_off(d)?, weekday_of(x)?)
        }
        [d, wk, x] if is(wk, &["week"]) && weekday_of(x).is_some() => {
            in_week(week_off(d)?, weekday_of(x)?)
        }
        _ => None,
    }
}

/// Month phrases without a day: "March", "this March", "next March", "March after next",
/// "March in a year", "October 2014", "March of next year".
fn months(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let year_off = |s: &T| match w(s)? {
        "this" | "current" => Some(0),
        "next" => Some(1),
        "last" | "previous" => Some(-1),
        _ => None,
    };
    let fixed = |y: i32, m: u32| month_res(month_start(y, m)?);
    match t {
        [m] => pick_month(r, month_of(m)?, pick_for(tense)),
        [a, m] if month_of(m).is_some() => match w(a)? {
            "this" => pick_month(r, month_of(m)?, pick_for(tense)),
            "last" | "past" | "previous" => pick_month(r, month_of(m)?, Pick::Before(1)),
            "next" | "coming" => pick_month(r, month_of(m)?, Pick::After(1)),
            _ => None,
        },
        [m, y] if month_of(m).is_some() => fixed(year4(y)?, month_of(m)?),
        [m, o, y] if month_of(m).is_some() && is(o, &["of"]) && year4(y).is_some() => {
            fixed(year4(y)?, month_of(m)?)
        }
        [m, a, b] if month_of(m).is_some() && is(a, &["after"]) && is(b, &["next"]) => {
            pick_month(r, month_of(m)?, Pick::After(2))
        }
        [m, a, b] if month_of(m).is_some() && is(a, &["before"]) && is(b, &["last"]) => {
            pick_month(r, month_of(m)?, Pick::Before(2))
        }
        [m, d, y] if month_of(m).is_some() && is(y, &["year", "yr"]) => {
            fixed(r.year().checked_add(year_off(d)?)?, month_of(m)?)
        }
        [m, o, d, y] if month_of(m).is_some() && is(o, &["of"]) && is(y, &["year", "yr"]) => {
            fixed(r.year().checked_add(year_off(d)?)?, month_of(m)?)
        }
        [m, i, c, y]
            if month_of(m).is_some()
                && is(i, &["in"])
                && is(y, &["year", "years", "yr", "yrs"]) =>
        {
            fixed(
                r.year().checked_add(i32::try_from(count(c)?).ok()?)?,
                month_of(m)?,
            )
        }
        _ => None,
    }
}

/// Dates with a day: "July 14, 2023", "14 July 2023", "31-Oct-74", "Monday, Feb 18",
/// "Tuesday the 19th", "the 4th".
fn full_dates(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let (wd, core) = match t {
        [x, rest @ ..] if !rest.is_empty() && weekday_of(x).is_some() => (weekday_of(x), rest),
        [rest @ .., x] if !rest.is_empty() && weekday_of(x).is_some() => (weekday_of(x), rest),
        _ => (None, t),
    };
    let ok_wd = |d: NaiveDate| wd.is_none_or(|wd| d.weekday() == wd);
    let any_year = |y: &T| year4(y).or_else(|| year2(y, r));
    let (m, d, y) = match core {
        [m, d] if month_of(m).is_some() && day_num(d).is_some() => {
            (month_of(m)?, day_num(d)?, None)
        }
        [d, m] if month_of(m).is_some() && day_num(d).is_some() => {
            (month_of(m)?, day_num(d)?, None)
        }
        [d, o, m] if month_of(m).is_some() && is(o, &["of"]) && day_num(d).is_some() => {
            (month_of(m)?, day_num(d)?, None)
        }
        [m, d, y] if month_of(m).is_some() && day_num(d).is_some() && any_year(y).is_some() => {
            (month_of(m)?, day_num(d)?, any_year(y))
        }
        [d, m, y] if month_of(m).is_some() && day_num(d).is_some() && any_year(y).is_some() => {
            (month_of(m)?, day_num(d)?, any_year(y))
        }
        [d, o, m, y] if month_of(m).is_some() && is(o, &["of"]) && day_num(d).is_some() => {
            (month_of(m)?, day_num(d)?, Some(year4(y)?))
        }
        // A lone day of the month needs an ordinal ("the 4th", "on the first") or a weekday.
        [d] if ordinal(d).is_some() || (wd.is_some() && day_num(d).is_some()) => {
            let d = day_num(d)?;
            let f = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, d).filter(|x| ok_wd(*x));
            // As below, a weekday pins the date: "Thursday the 9th" is the nearest such day.
            let how = if wd.is_some() {
                Pick::Nearest
            } else {
                pick_for(tense)
            };
            return day(pick(monthly(r, f), r, how)?);
        }
        _ => return None,
    };
    match y {
        // An explicit year wins over a contradicting weekday: the weekday is the likelier typo.
        Some(y) => day(NaiveDate::from_ymd_opt(y, m, d)?),
        None => {
            let f = |y: i32| NaiveDate::from_ymd_opt(y, m, d).filter(|x| ok_wd(*x));
            // A weekday pins the year: "Sunday, Feb 10" means the nearest Feb 10 that is a
            // Sunday, whatever the tense says (tense detection is the weaker signal).
            let how = if wd.is_some() {
                Pick::Nearest
            } else {
                pick_for(tense)
            };
            day(pick(yearly(r, f), r, how)?)
        }
    }
}

fn years(t: &[T]) -> Option<ResolvedDate> {
    match t {
        [y] => year_res(year4(y)?),
        [y, e] if is(e, &["ad", "ce"]) => year_res(year4(y)?),
        [y, a, d] if is(a, &["a"]) && is(d, &["d"]) => year_res(year4(y)?),
        [y, a, d] if is(a, &["c"]) && is(d, &["e"]) => year_res(year4(y)?),
        _ => None,
    }
}

/// "early March", "mid-2019", "late last year", "the end of October": the period itself,
/// at month or year grain (a day inside it would be a guess).
fn part_of_period(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    let rest = match t {
        [p, rest @ ..]
            if is(p, &["early", "mid", "late", "middle"])
                && !rest.first().is_some_and(|x| is(x, &["of"])) =>
        {
            rest
        }
        [p, o, rest @ ..]
            if is(p, &["end", "beginning", "start", "middle", "turn"]) && is(o, &["of"]) =>
        {
            rest
        }
        _ => return None,
    };
    // "the end of the month/year" means the current one.
    let res = match rest {
        [] => return None,
        [x] if is(x, &["month"]) => month_res(r)?,
        [x] if is(x, &["year"]) => year_res(r.year())?,
        _ => parse_tokens(rest, r, tense)?,
    };
    (res.precision != Precision::Day).then_some(res)
}

fn parse_tokens(t: &[T], r: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    if t.is_empty() {
        return None;
    }
    // A part of the day does not change the date: "Friday night", "tomorrow morning".
    if let [rest @ .., last] = t
        && !rest.is_empty()
        && is(last, &["morning", "afternoon", "evening", "night"])
        && !(rest.len() == 1 && is(&rest[0], &["last", "this"]))
    {
        return parse_tokens(rest, r, tense);
    }
    relative_words(t, r)
        .or_else(|| holidays(t, r, tense))
        .or_else(|| seasons(t, r, tense))
        .or_else(|| counted(t, r, tense))
        .or_else(|| part_of_period(t, r, tense))
        .or_else(|| day_in_month(t, r, tense))
        .or_else(|| weekdays(t, r, tense))
        .or_else(|| months(t, r, tense))
        .or_else(|| full_dates(t, r, tense))
        .or_else(|| years(t))
}

/// Leading words that only introduce a date ("on", "as of", "slated for"); how many to drop.
fn cue_len(words: &[&str]) -> Option<usize> {
    let two = match words {
        [a, b, ..] => Some((*a, *b)),
        _ => None,
    };
    if let Some(pair) = two
        && matches!(
            pair,
            ("as", "of")
                | (
                    "slated" | "set" | "scheduled" | "planned" | "expected" | "due",
                    "for" | "on" | "in" | "by"
                )
                | ("back", "in")
                | ("some" | "at", "time")
        )
    {
        return Some(2);
    }
    matches!(
        *words.first()?,
        "on" | "in"
            | "by"
            | "since"
            | "from"
            | "of"
            | "at"
            | "due"
            | "until"
            | "till"
            | "til"
            | "through"
            | "thru"
            | "during"
            | "around"
            | "circa"
            | "ca"
            | "c"
            | "earlier"
            | "later"
            | "sometime"
            | "starting"
            | "back"
            | "the"
    )
    .then_some(1)
}

/// Resolve a date phrase found in news text against the article's own date.
pub fn resolve(phrase: &str, reference: NaiveDate, tense: Tense) -> Option<ResolvedDate> {
    // Captured phrases are short; a long input is not a date phrase and is not worth scanning.
    if phrase.len() > 200 {
        return None;
    }
    let text = normalize(phrase);
    let mut words: Vec<&str> = text.split(' ').filter(|s| !s.is_empty()).collect();
    while !words.is_empty() {
        let s = words.join(" ");
        let found = parse_numeric(&s, reference, tense)
            .or_else(|| parse_tokens(&tokenize(&s)?, reference, tense));
        if found.is_some() {
            return found;
        }
        let n = cue_len(&words)?;
        words.drain(..n);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).expect("valid test date")
    }

    fn iso(phrase: &str, r: NaiveDate, tense: Tense) -> String {
        resolve(phrase, r, tense).map_or_else(|| "None".to_string(), |x| x.to_iso())
    }

    #[test]
    fn brief_examples() {
        use Tense::*;
        let cases: &[(&str, NaiveDate, Tense, &str)] = &[
            ("last year", d(2023, 11, 6), Unknown, "2022"),
            ("in July 2023", d(2023, 11, 6), Unknown, "2023-07"),
            ("earlier this month", d(2020, 1, 22), Past, "2020-01"),
            ("Last week", d(2018, 1, 30), Past, "2018-01"),
            // 2024-02-05 is a Monday; the Sunday before is the 4th.
            ("on Sunday", d(2024, 2, 5), Past, "2024-02-04"),
            // 2024-04-17 is a Wednesday; the coming Friday is the 19th.
            ("Friday", d(2024, 4, 17), Future, "2024-04-19"),
            ("March 8", d(2024, 1, 10), Future, "2024-03-08"),
            ("next month", d(2023, 11, 6), Unknown, "2023-12"),
            ("July 14", d(2023, 11, 6), Past, "2023-07-14"),
            ("on November 3", d(2023, 10, 29), Future, "2023-11-03"),
            ("On November 5", d(2023, 11, 6), Past, "2023-11-05"),
            ("On the 4th", d(2025, 1, 5), Past, "2025-01-04"),
            ("in 2019", d(2023, 11, 6), Unknown, "2019"),
            ("2016's", d(2023, 11, 6), Unknown, "2016"),
            ("in 2014 AD", d(2023, 11, 6), Unknown, "2014"),
        ];
        for (phrase, r, tense, want) in cases {
            assert_eq!(iso(phrase, *r, *tense), *want, "{phrase} @ {r} {tense:?}");
        }
    }

    #[test]
    fn absolute_forms() {
        let r = d(2023, 11, 6);
        for (phrase, want) in [
            ("July 14, 2023", "2023-07-14"),
            ("14 July 2023", "2023-07-14"),
            ("Jul. 14th 2023", "2023-07-14"),
            ("2023-07-14", "2023-07-14"),
            ("10/31/1974", "1974-10-31"),
            ("10/31/74", "1974-10-31"),
            ("10.31.1974", "1974-10-31"),
            ("31-Oct-74", "1974-10-31"),
            ("31st Oct 1974", "1974-10-31"),
            ("October 2014", "2014-10"),
            ("2014-10", "2014-10"),
            ("2014/10", "2014-10"),
            ("2/2013", "2013-02"),
            ("on Friday, July 14, 2023.", "2023-07-14"),
            ("(July 14, 2023)", "2023-07-14"),
            ("31/10/1974", "1974-10-31"),
            ("slated for Sept. 22, 2023", "2023-09-22"),
            ("as of March 2020", "2020-03"),
        ] {
            assert_eq!(iso(phrase, r, Tense::Unknown), want, "{phrase}");
        }
    }

    #[test]
    fn yearless_follow_tense() {
        // Reference Monday 2023-11-06.
        let r = d(2023, 11, 6);
        let cases: &[(&str, Tense, &str)] = &[
            ("Sept. 22", Tense::Past, "2023-09-22"),
            ("Sept. 22", Tense::Future, "2024-09-22"),
            // Candidates 2023-09-22 (45 days back) and 2024-09-22 (321 ahead).
            ("Sept. 22", Tense::Unknown, "2023-09-22"),
            ("Nov. 3", Tense::Future, "2024-11-03"),
            ("Nov. 3", Tense::Unknown, "2023-11-03"),
            ("in March", Tense::Past, "2023-03"),
            ("in March", Tense::Future, "2024-03"),
            ("this March", Tense::Unknown, "2024-03"),
            ("due March", Tense::Future, "2024-03"),
            ("in November", Tense::Past, "2023-11"),
            ("in November", Tense::Future, "2023-11"),
            ("the 4th", Tense::Past, "2023-11-04"),
            ("the 4th", Tense::Future, "2023-12-04"),
            ("on the 5th", Tense::Unknown, "2023-11-05"),
            ("Friday", Tense::Past, "2023-11-03"),
            ("Friday", Tense::Future, "2023-11-10"),
            // Friday is 3 days back and 4 ahead.
            ("Friday", Tense::Unknown, "2023-11-03"),
            ("Monday", Tense::Past, "2023-11-06"),
            ("this Friday", Tense::Past, "2023-11-03"),
            ("this Friday", Tense::Unknown, "2023-11-10"),
            ("last Friday", Tense::Future, "2023-11-03"),
            ("next Friday", Tense::Past, "2023-11-10"),
            ("next Monday", Tense::Unknown, "2023-11-13"),
            ("last Monday", Tense::Unknown, "2023-10-30"),
        ];
        for (phrase, tense, want) in cases {
            assert_eq!(iso(phrase, r, *tense), *want, "{phrase} {tense:?}");
        }
    }

    #[test]
    fn relative_forms() {
        // Reference Tuesday 2013-02-12, as in Duckling's corpus.
        let r = d(2013, 2, 12);
        for (phrase, want) in [
            ("today", "2013-02-12"),
            ("tonight", "2013-02-12"),
            ("yesterday", "2013-02-11"),
            ("the day before yesterday", "2013-02-10"),
            ("the day after tomorrow", "2013-02-14"),
            ("later this year", "2013"),
            ("earlier this year", "2013"),
            ("current year", "2013"),
            ("later this month", "2013-02"),
            ("this week", "2013-02"),
            ("earlier this week", "2013-02"),
            ("next March", "2013-03"),
            ("March after next", "2014-03"),
            ("three weeks ago", "2013-01-22"),
            ("3 days later", "2013-02-15"),
            ("two years back", "2011-02-12"),
            ("a week ago", "2013-02-05"),
            ("in a week", "2013-02-19"),
            ("in a week's time", "2013-02-19"),
            ("three months ago", "2012-11-12"),
            ("3 years from today", "2016-02-12"),
            ("upcoming two months", "2013-04"),
            ("20th of next month", "2013-03-20"),
            ("the first Monday of this month", "2013-02-04"),
            ("first tuesday of last month", "2013-01-01"),
            ("third tuesday of september 2014", "2014-09-16"),
            ("last day of october 2015", "2015-10-31"),
            ("last Sunday of March 2014", "2014-03-30"),
            ("3 fridays from now", "2013-03-01"),
            ("2 thursdays ago", "2013-01-31"),
            ("wednesday of next week", "2013-02-20"),
            ("sunday from last week", "2013-02-10"),
            ("friday after next", "2013-02-22"),
            ("this summer", "2013"),
            ("last summer", "2012"),
            ("next summer", "2013"),
            ("summer of 2019", "2019"),
            ("early March", "2013-03"),
            ("mid-2019", "2019"),
            ("late last year", "2012"),
            ("the end of October 2014", "2014-10"),
            ("by the end of the year", "2013"),
            ("at the end of the month", "2013-02"),
            ("Friday night", "2013-02-15"),
            ("last night", "2013-02-11"),
            ("christmas 2014", "2014-12-25"),
        ] {
            assert_eq!(iso(phrase, r, Tense::Unknown), want, "{phrase}");
        }
        // A week ago from a month's first days falls in the previous month.
        assert_eq!(iso("last week", d(2024, 3, 3), Tense::Past), "2024-02");
        // Said in November, last summer is this year's.
        assert_eq!(iso("last summer", d(2023, 11, 6), Tense::Past), "2023");
        assert_eq!(iso("next summer", d(2023, 11, 6), Tense::Future), "2024");
    }

    #[test]
    fn words_that_are_not_dates() {
        let r = d(2023, 11, 6);
        for phrase in [
            "",
            "on",
            "the",
            "seventeen",
            "May I",
            "a March for",
            "the 3D singer",
            "70 days",
            "11 tracks",
            "13/13/2013",
            "February 30, 2023",
            "2023-02-30",
            "0999",
            "in 999",
            "1990s",
            "week",
            "this",
            "next",
            "number one",
            "the closest Monday to Oct 5th",
            "before March 3",
            "3 in March",
        ] {
            assert_eq!(resolve(phrase, r, Tense::Unknown), None, "{phrase:?}");
        }
    }

    #[test]
    fn out_of_range_years_are_none() {
        assert_eq!(resolve("next year", d(9999, 6, 1), Tense::Unknown), None);
        assert_eq!(iso("this year", d(9999, 6, 1), Tense::Unknown), "9999");
        assert_eq!(resolve("tomorrow", d(9999, 12, 31), Tense::Unknown), None);
        assert_eq!(resolve("July 14", d(1000, 1, 1), Tense::Past), None);
        assert_eq!(
            resolve("999999999 years ago", d(2023, 1, 1), Tense::Unknown),
            None
        );
        assert_eq!(
            resolve("4294967295 days from now", d(2023, 1, 1), Tense::Unknown),
            None
        );
        assert_eq!(resolve("12/31/99999", d(2023, 1, 1), Tense::Unknown), None);
    }

    #[test]
    fn odd_input_never_panics() {
        let refs = [
            NaiveDate::MIN,
            NaiveDate::MAX,
            d(9999, 12, 31),
            d(1000, 1, 1),
            d(2024, 2, 29),
        ];
        let long_phrase = "ago ".repeat(100);
        let inputs = [
            "İstanbul",
            "ǅ",
            "ﬀ",
            "\u{0}",
            "’",
            "'s",
            "the the the",
            "31st of February",
            "fifth last day of February 2023",
            "99 mondays from now",
            "0 days ago",
            "0th",
            "the 0",
            "Feb 29",
            "Feb. 29th",
            "last day of month",
            "123456789 weeks ago",
            "mid-",
            "end of",
            long_phrase.as_str(),
            "3 years from 3 years from today",
        ];
        for r in refs {
            for p in inputs {
                for t in [Tense::Past, Tense::Future, Tense::Unknown] {
                    let _ = resolve(p, r, t);
                }
            }
        }
        assert_eq!(iso("Feb 29", d(2023, 6, 1), Tense::Past), "2020-02-29");
        assert_eq!(
            iso(
                "3 years from 3 years from today",
                d(2013, 2, 12),
                Tense::Unknown
            ),
            "2019-02-12"
        );
    }

    #[test]
    fn display_and_serde() {
        let r = resolve("July 2023", d(2023, 11, 6), Tense::Unknown).expect("month");
        assert_eq!(r.to_string(), "2023-07");
        assert_eq!(r.date, d(2023, 7, 1));
        assert_eq!(
            serde_json::to_string(&Tense::Past).ok().as_deref(),
            Some("\"past\"")
        );
        assert_eq!(
            serde_json::to_string(&Precision::Month).ok().as_deref(),
            Some("\"month\"")
        );
        assert!(Precision::Year < Precision::Day);
    }
}
