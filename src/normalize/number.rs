//! Number phrases → values.
//!
//! News text writes counts as digits with separators ("25,204,472"), digits with a
//! multiplier ("5.92 million", "2.3M", "1.2bn") or words ("two million"). The value is
//! kept as an exact decimal (`mantissa / 10^scale`) until the end, so "5.92 million"
//! is exactly 5 920 000 and never 5 919 999.999….

/// Exact non-negative decimal: `mant / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Dec {
    mant: u128,
    scale: u32,
}

/// More fractional digits than this cannot be aligned inside a u128.
const MAX_SCALE: u32 = 30;

impl Dec {
    fn int(v: u128) -> Dec {
        Dec { mant: v, scale: 0 }
    }

    /// Build from the digit strings on both sides of the decimal point.
    fn from_digits(int: &str, frac: &str) -> Option<Dec> {
        let scale = u32::try_from(frac.len()).ok()?;
        if scale > MAX_SCALE {
            return None;
        }
        let mut mant: u128 = 0;
        for c in int.chars().chain(frac.chars()) {
            let d = c.to_digit(10)?;
            mant = mant.checked_mul(10)?.checked_add(u128::from(d))?;
        }
        Some(Dec { mant, scale }.normalized())
    }

    /// Drop trailing fractional zeros so `whole()` and equality are exact.
    fn normalized(mut self) -> Dec {
        while self.scale > 0 && self.mant.is_multiple_of(10) {
            self.mant /= 10;
            self.scale -= 1;
        }
        self
    }

    fn mul(self, k: u128) -> Option<Dec> {
        Some(
            Dec {
                mant: self.mant.checked_mul(k)?,
                scale: self.scale,
            }
            .normalized(),
        )
    }

    fn add(self, other: Dec) -> Option<Dec> {
        let scale = self.scale.max(other.scale);
        let a = self
            .mant
            .checked_mul(10u128.checked_pow(scale - self.scale)?)?;
        let b = other
            .mant
            .checked_mul(10u128.checked_pow(scale - other.scale)?)?;
        Some(
            Dec {
                mant: a.checked_add(b)?,
                scale,
            }
            .normalized(),
        )
    }

    fn whole(self) -> Option<u128> {
        let n = self.normalized();
        (n.scale == 0).then_some(n.mant)
    }

    fn to_f64(self) -> f64 {
        // Both conversions are correctly rounded, so the quotient is within a couple of ulps.
        self.mant as f64 / 10f64.powi(self.scale as i32)
    }
}

/// A numeral found in the text.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Val {
    Dec {
        neg: bool,
        d: Dec,
    },
    /// "1/5": kept apart because counts must reject it (in news it is usually a date).
    Frac {
        neg: bool,
        num: u128,
        den: u128,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// Digits before and after the decimal point, thousands separators removed.
    Num {
        int: String,
        frac: Option<String>,
    },
    Word(String),
    Sym(char),
}

#[derive(Clone, Debug, PartialEq)]
struct Tok {
    kind: Kind,
    /// Whitespace precedes this token; "100k" (glued) and "100 k" are read differently.
    space_before: bool,
}

/// Characters that group thousands: comma, thin space, narrow no-break space, no-break space.
fn is_group_sep(c: char) -> bool {
    matches!(c, ',' | '\u{2009}' | '\u{202F}' | '\u{00A0}')
}

fn digits_at(chars: &[char], i: usize, n: usize) -> bool {
    (0..n).all(|k| chars.get(i + k).is_some_and(|c| c.is_ascii_digit()))
}

fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut space = false;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        let leading_point = c == '.'
            && digits_at(&chars, i + 1, 1)
            && !(i > 0 && chars.get(i - 1).is_some_and(|p| p.is_ascii_digit()));
        if c.is_ascii_digit() || leading_point {
            let (kind, next) = scan_number(&chars, i);
            toks.push(Tok {
                kind,
                space_before: space,
            });
            i = next;
        } else if c.is_alphabetic() {
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_alphabetic()) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect::<String>().to_lowercase();
            toks.push(Tok {
                kind: Kind::Word(word),
                space_before: space,
            });
        } else {
            toks.push(Tok {
                kind: Kind::Sym(c),
                space_before: space,
            });
            i += 1;
        }
        space = false;
    }
    toks
}

/// Read one digit literal starting at `i`: "25,204,472", "5.92", ".77", "5.400.000".
fn scan_number(chars: &[char], start: usize) -> (Kind, usize) {
    let mut i = start;
    let mut int = String::new();
    while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
        int.push(c);
        i += 1;
    }
    // Thousands groups are only valid after a 1–3 digit head and must be exactly 3 digits.
    if (1..=3).contains(&int.len()) {
        let sep_groups = |i: usize, sep: &dyn Fn(char) -> bool| -> usize {
            let mut n = 0;
            let mut j = i;
            while chars.get(j).is_some_and(|&c| sep(c))
                && digits_at(chars, j + 1, 3)
                && !digits_at(chars, j + 4, 1)
            {
                n += 1;
                j += 4;
            }
            n
        };
        let mut n = sep_groups(i, &is_group_sep);
        // A dot or a plain space groups thousands only when it repeats ("5.400.000",
        // "5 400 000"); one dot is a decimal point and one space may separate two numbers.
        for sep in ['.', ' '] {
            if n == 0 {
                let reps = sep_groups(i, &|c| c == sep);
                n = if reps >= 2 { reps } else { 0 };
            }
        }
        for _ in 0..n {
            int.extend(chars[i + 1..i + 4].iter());
            i += 4;
        }
    }
    let mut frac = None;
    // "2,5 million": a comma before one or two digits and a multiplier is a decimal comma
    // (it cannot be a thousands separator); without the multiplier it may be a list ("1,5").
    if int.len() <= 3
        && chars.get(i) == Some(&',')
        && digits_at(chars, i + 1, 1)
        && let Some(len) =
            (1..=2).find(|&n| digits_at(chars, i + 1, n) && !digits_at(chars, i + 1 + n, 1))
        && multiplier_follows(chars, i + 1 + len)
    {
        frac = Some(chars[i + 1..i + 1 + len].iter().collect());
        i += 1 + len;
    }
    if frac.is_none() && chars.get(i) == Some(&'.') && digits_at(chars, i + 1, 1) {
        let mut f = String::new();
        i += 1;
        while let Some(&c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
            f.push(c);
            i += 1;
        }
        frac = Some(f);
    }
    (Kind::Num { int, frac }, i)
}

/// Does a multiplier word start at `i` (after optional spaces)?
fn multiplier_follows(chars: &[char], mut i: usize) -> bool {
    let glued = !chars.get(i).is_some_and(|c| c.is_whitespace());
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    let word: String = chars[i.min(chars.len())..]
        .iter()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    scale_word(&word, glued).is_some_and(|s| s >= 1_000)
}

fn unit_word(w: &str) -> Option<u128> {
    Some(match w {
        "zero" | "naught" | "nought" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        _ => return None,
    })
}

fn teen_word(w: &str) -> Option<u128> {
    Some(match w {
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
        _ => return None,
    })
}

fn tens_word(w: &str) -> Option<u128> {
    Some(match w {
        "twenty" => 20,
        "thirty" => 30,
        "forty" | "fourty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// Abbreviated multipliers: read after digits ("2.3M") but not after spelled-out words.
fn is_short_multiplier(w: &str) -> bool {
    matches!(
        w,
        "k" | "m" | "mn" | "mil" | "mln" | "b" | "bn" | "bln" | "g"
    )
}

/// Multiplier words and abbreviations; `glued` is true for "100k", false for "100 k".
fn scale_word(w: &str, glued: bool) -> Option<u128> {
    let full = match w {
        "hundred" | "hundreds" => Some(100),
        "dozen" | "dozens" => Some(12),
        "thousand" | "thousands" => Some(1_000),
        "lakh" | "lakhs" | "lac" | "lacs" | "lkh" | "lkhs" => Some(100_000),
        "million" | "millions" => Some(1_000_000),
        "crore" | "crores" | "krore" | "krores" | "koti" | "cr" => Some(10_000_000),
        "billion" | "billions" => Some(1_000_000_000),
        "trillion" | "trillions" => Some(1_000_000_000_000),
        // Short forms read the same glued or spaced ("2.3M", "2.3 m", "1.2bn").
        "k" => Some(1_000),
        "m" | "mn" | "mil" | "mln" => Some(1_000_000),
        "b" | "bn" | "bln" => Some(1_000_000_000),
        _ => None,
    };
    // "G" (giga) only glued to digits: a spaced "g" is grams or a grade, not a multiplier.
    full.or_else(|| (glued && w == "g").then_some(1_000_000_000))
}

fn word(t: Option<&Tok>) -> Option<&str> {
    match t.map(|t| &t.kind) {
        Some(Kind::Word(w)) => Some(w.as_str()),
        _ => None,
    }
}

fn is_number_word(w: &str) -> bool {
    unit_word(w).is_some() || teen_word(w).is_some() || tens_word(w).is_some()
}

/// Digits spoken after "point": "point 77", "point two", "point seven seven".
fn spoken_fraction(toks: &[Tok], k: usize) -> Option<(String, usize)> {
    match toks.get(k).map(|t| &t.kind) {
        Some(Kind::Num { int, frac: None }) => Some((int.clone(), k + 1)),
        _ => {
            let mut digits = String::new();
            let mut j = k;
            while let Some(d) = word(toks.get(j)).and_then(unit_word) {
                digits.push(char::from(b'0' + d as u8));
                j += 1;
            }
            (!digits.is_empty()).then_some((digits, j))
        }
    }
}

/// Apply trailing multipliers: "5.92 million", "2 dozens", "3000K", "5 hundred thousand".
fn multipliers(toks: &[Tok], mut k: usize, mut d: Dec, words_only: bool) -> Option<(Dec, usize)> {
    while let Some(t) = toks.get(k) {
        // "3-million-selling": a hyphen glued between the number and a spelled-out multiplier.
        if t.kind == Kind::Sym('-')
            && !t.space_before
            && let Some(n) = toks.get(k + 1)
            && !n.space_before
            && word(Some(n))
                .is_some_and(|w| scale_word(w, false).is_some() && !is_short_multiplier(w))
        {
            k += 1;
            continue;
        }
        let Kind::Word(w) = &t.kind else { break };
        // After a spelled-out numeral only spelled-out multipliers follow ("two point two million").
        if words_only && is_short_multiplier(w) {
            break;
        }
        let Some(s) = scale_word(w, !t.space_before) else {
            break;
        };
        d = d.mul(s)?;
        k += 1;
    }
    Some((d, k))
}

/// Spelled-out integer: "thirty-one million two hundred fifty-six thousand seven hundred twenty-one".
fn words_integer(toks: &[Tok], start: usize) -> Option<(u128, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Last {
        None,
        Unit,
        Teen,
        Tens,
        Hundred,
        Scale,
    }
    let mut total: u128 = 0;
    let mut current: u128 = 0;
    let mut max_scale: u128 = 0;
    let mut last = Last::None;
    let mut k = start;
    let mut end = start;
    while let Some(t) = toks.get(k) {
        let w = match &t.kind {
            Kind::Word(w) => w.as_str(),
            // "forty-five": a hyphen glued between two number words joins them.
            Kind::Sym('-') if last != Last::None && !t.space_before => match toks.get(k + 1) {
                Some(n) if !n.space_before && word(Some(n)).is_some_and(is_number_word) => {
                    k += 1;
                    continue;
                }
                _ => break,
            },
            _ => break,
        };
        if last == Last::None && (w == "a" || w == "an") {
            // "a hundred", "a million", "a dozen": the article stands for one.
            if word(toks.get(k + 1))
                .is_some_and(|n| scale_word(n, false).is_some() && !is_short_multiplier(n))
            {
                current = 1;
                last = Last::Unit;
                k += 1;
                continue;
            }
            break;
        }
        if w == "and" && last != Last::None {
            // "seven hundred twenty-one thousand and twelve": skip only inside a numeral.
            if word(toks.get(k + 1)).is_some_and(is_number_word) {
                k += 1;
                continue;
            }
            break;
        }
        if let Some(v) = unit_word(w) {
            match last {
                Last::None | Last::Hundred | Last::Scale => current = current.checked_add(v)?,
                Last::Tens if current.is_multiple_of(10) => current = current.checked_add(v)?,
                _ => break,
            }
            last = Last::Unit;
        } else if let Some(v) = teen_word(w) {
            match last {
                Last::None | Last::Hundred | Last::Scale => current = current.checked_add(v)?,
                _ => break,
            }
            last = Last::Teen;
        } else if let Some(v) = tens_word(w) {
            match last {
                Last::None | Last::Hundred | Last::Scale => current = current.checked_add(v)?,
                // "one twenty two" = 122, "nineteen eighty" = 1980: a leading small number
                // read as hundreds, the way people say prices and years.
                Last::Unit | Last::Teen if current < 20 && current > 0 => {
                    current = current.checked_mul(100)?.checked_add(v)?
                }
                _ => break,
            }
            last = Last::Tens;
        } else if let Some(s) = scale_word(w, false).filter(|_| !is_short_multiplier(w)) {
            if last == Last::None {
                break;
            }
            if s == 100 {
                if last == Last::Hundred || current == 0 || current >= 100 {
                    break;
                }
                current = current.checked_mul(100)?;
                last = Last::Hundred;
            } else {
                if current == 0 && !(last == Last::Scale && s > max_scale) {
                    break;
                }
                if s > max_scale {
                    // "three thousand millions": a larger scale multiplies all that came before.
                    total = total.checked_add(current)?.checked_mul(s)?;
                    max_scale = s;
                } else {
                    total = total.checked_add(current.checked_mul(s)?)?;
                }
                current = 0;
                last = Last::Scale;
            }
        } else {
            break;
        }
        k += 1;
        end = k;
    }
    if end == start {
        return None;
    }
    Some((total.checked_add(current)?, end))
}

const HALF: Dec = Dec { mant: 5, scale: 1 };

fn glued_sym(t: Option<&Tok>, c: char) -> bool {
    t.is_some_and(|t| t.kind == Kind::Sym(c) && !t.space_before)
}

/// "… and a half": index after it, if present at `k`.
fn and_a_half(toks: &[Tok], k: usize) -> Option<usize> {
    (word(toks.get(k)) == Some("and")
        && matches!(word(toks.get(k + 1)), Some("a" | "an"))
        && word(toks.get(k + 2)) == Some("half"))
    .then_some(k + 3)
}

/// Unsigned numeral starting at token `k`.
fn unsigned_at(toks: &[Tok], k: usize) -> Option<(Val, usize)> {
    let t = toks.get(k)?;
    match &t.kind {
        Kind::Num { int, frac } => {
            // "1/5": a glued fraction; "10/31/1974" is a date, not a fraction.
            if frac.is_none()
                && glued_sym(toks.get(k + 1), '/')
                && let Some(Tok {
                    kind:
                        Kind::Num {
                            int: den,
                            frac: None,
                        },
                    space_before: false,
                }) = toks.get(k + 2)
                && !glued_sym(toks.get(k + 3), '/')
            {
                let num = Dec::from_digits(int, "")?.whole()?;
                let den = Dec::from_digits(den, "")?.whole()?;
                if den != 0 {
                    return Some((
                        Val::Frac {
                            neg: false,
                            num,
                            den,
                        },
                        k + 3,
                    ));
                }
            }
            let mut d = Dec::from_digits(int, frac.as_deref().unwrap_or(""))?;
            let mut next = k + 1;
            // "1 point 1"
            if frac.is_none()
                && word(toks.get(k + 1)) == Some("point")
                && let Some((f, j)) = spoken_fraction(toks, k + 2)
            {
                d = Dec::from_digits(int, &f)?;
                next = j;
            } else if let Some(j) = and_a_half(toks, next) {
                d = d.add(HALF)?;
                next = j;
            }
            let (d, next) = multipliers(toks, next, d, false)?;
            Some((Val::Dec { neg: false, d }, next))
        }
        Kind::Word(w) if w == "point" => {
            let (f, j) = spoken_fraction(toks, k + 1)?;
            let d = Dec::from_digits("0", &f)?;
            let (d, next) = multipliers(toks, j, d, false)?;
            Some((Val::Dec { neg: false, d }, next))
        }
        Kind::Word(w) if is_number_word(w) || w == "a" || w == "an" => {
            let (n, mut next) = words_integer(toks, k)?;
            let mut d = Dec::int(n);
            if word(toks.get(next)) == Some("point")
                && let Some((f, j)) = spoken_fraction(toks, next + 1)
            {
                d = d.add(Dec::from_digits("0", &f)?)?;
                next = j;
                let (m, j) = multipliers(toks, next, d, true)?;
                d = m;
                next = j;
            } else if let Some(j) = and_a_half(toks, next) {
                // "two and a half million"
                let (m, j) = multipliers(toks, j, d.add(HALF)?, true)?;
                d = m;
                next = j;
            }
            Some((Val::Dec { neg: false, d }, next))
        }
        // "half a million"
        Kind::Word(w)
            if w == "half"
                && matches!(word(toks.get(k + 1)), Some("a" | "an"))
                && word(toks.get(k + 2))
                    .is_some_and(|s| scale_word(s, false).is_some() && !is_short_multiplier(s)) =>
        {
            let (d, next) = multipliers(toks, k + 2, HALF, true)?;
            Some((Val::Dec { neg: false, d }, next))
        }
        _ => None,
    }
}

/// Numeral at token `k`, with an optional sign.
fn numeral_at(toks: &[Tok], k: usize) -> Option<(Val, usize)> {
    let t = toks.get(k)?;
    let negate = |v: Val| match v {
        Val::Dec { d, .. } => Val::Dec {
            neg: d.mant != 0,
            d,
        },
        Val::Frac { num, den, .. } => Val::Frac {
            neg: num != 0,
            num,
            den,
        },
    };
    match &t.kind {
        Kind::Sym('-' | '\u{2212}') => {
            let next = toks.get(k + 1)?;
            if !matches!(next.kind, Kind::Num { .. }) {
                return None;
            }
            // "-3" glued after a space or bracket is a sign; "- 1,200,000" only opens the text,
            // because mid-sentence a spaced dash is punctuation ("No. 1 - 5 million streams").
            let prev_ok = k == 0
                || t.space_before
                || matches!(toks.get(k - 1).map(|p| &p.kind), Some(Kind::Sym('(' | '[')));
            if (next.space_before && k != 0) || !prev_ok {
                return None;
            }
            let (v, e) = unsigned_at(toks, k + 1)?;
            Some((negate(v), e))
        }
        Kind::Word(w) if w == "minus" || w == "negative" => {
            let (v, e) = unsigned_at(toks, k + 1)?;
            Some((negate(v), e))
        }
        _ => unsigned_at(toks, k),
    }
}

fn first_numeral(text: &str) -> Option<Val> {
    let toks = tokenize(text);
    (0..toks.len()).find_map(|k| numeral_at(&toks, k).map(|(v, _)| v))
}

/// Value of a numeral phrase, Duckling-style: "5.92 million" → 5920000.0, "two point two million" → 2200000.0,
/// "1/5" → 0.2, "3km" → 3.0 (first numeral in the text), "forty-five (45)" → 45.0, "-3" → -3.0.
pub fn parse_number(text: &str) -> Option<f64> {
    let v = match first_numeral(text)? {
        Val::Dec { neg, d } => {
            let f = d.to_f64();
            if neg { -f } else { f }
        }
        Val::Frac { neg, num, den } => {
            let f = num as f64 / den as f64;
            if neg { -f } else { f }
        }
    };
    v.is_finite().then_some(v)
}

/// A non-negative whole count for stream/view counts: "5.92 million" → 5_920_000, "1 Billion" → 1_000_000_000,
/// "5,400,000", "2.3M", "two million", "1.2bn", "over seven billion" → 7_000_000_000, "25,204,472".
/// Exact decimal arithmetic (no float rounding: "5.92 million" must be exactly 5920000, "1.111 billion" exactly 1111000000).
/// Returns None for negatives, fractions like "2/10" (usually a date in news), values that are not whole after scaling, and overflow.
pub fn parse_count(text: &str) -> Option<u64> {
    match first_numeral(text)? {
        Val::Dec { neg: false, d } => u64::try_from(d.whole()?).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn news_counts() {
        let cases: &[(&str, u64)] = &[
            ("5.92 million", 5_920_000),
            ("5.40 million", 5_400_000),
            ("1 Billion", 1_000_000_000),
            ("5,400,000", 5_400_000),
            ("2.3M", 2_300_000),
            ("two million", 2_000_000),
            ("1.2bn", 1_200_000_000),
            ("25,204,472", 25_204_472),
            ("over seven billion", 7_000_000_000),
            ("1.111 billion", 1_111_000_000),
            ("more than 1M+", 1_000_000),
            ("nearly 300 million streams", 300_000_000),
            ("upwards of 2.5 million", 2_500_000),
            ("a million", 1_000_000),
            ("a hundred", 100),
            ("some 40,000 fans", 40_000),
            ("5\u{202F}400\u{202F}000", 5_400_000),
            ("5\u{2009}400", 5_400),
            ("5.400.000", 5_400_000),
            ("two dozen", 24),
            ("2.5 dozen", 30),
            ("1.5 thousand", 1_500),
            ("about 12.345 million", 12_345_000),
            ("one hundred and five", 105),
            ("18446744073709551615", u64::MAX),
            ("half a million", 500_000),
            ("two and a half million", 2_500_000),
            ("1 and a half billion", 1_500_000_000),
            ("3-million-selling", 3_000_000),
            ("2,5 million", 2_500_000),
            ("5 400 000", 5_400_000),
            ("$5 million", 5_000_000),
            ("€2.5bn", 2_500_000_000),
            ("100 Million+", 100_000_000),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_count(text), Some(want), "{text}");
        }
    }

    #[test]
    fn counts_reject() {
        // "1,5" without a multiplier may be a list; "5 400" may be two numbers.
        assert_eq!(parse_count("tracks 1,5 and 7"), Some(1));
        assert_eq!(parse_count("5 400"), Some(5));
        for text in [
            "2/10",
            "-3",
            "minus five",
            "1.5",
            "1.2345 thousand",
            "18446744073709551616",
            "999999999999999999999999999999999999999999999",
            "9999999999999999999 trillion",
            "no number here",
            "",
            "thousands of fans",
        ] {
            assert_eq!(parse_count(text), None, "{text}");
        }
    }

    #[test]
    fn duckling_style_values() {
        let cases: &[(&str, f64)] = &[
            ("1/5", 0.2),
            ("3km", 3.0),
            ("forty-five (45)", 45.0),
            ("-3", -3.0),
            ("two point two million", 2_200_000.0),
            ("point 77", 0.77),
            ("1 point 1", 1.1),
            ("one twenty two", 122.0),
            ("three thousand millions", 3e9),
            ("two hundred dozens", 2400.0),
            ("- 1,200,000", -1_200_000.0),
            ("(-5)", -5.0),
            (".0012G", 1_200_000.0),
            ("10.99$", 10.99),
        ];
        for &(text, want) in cases {
            let got = parse_number(text).unwrap_or(f64::NAN);
            assert!((got - want).abs() <= want.abs() * 1e-12, "{text}: {got}");
        }
    }

    #[test]
    fn dash_mid_sentence_is_not_a_sign() {
        assert_eq!(parse_count("No. 1 - 5 million streams"), Some(1));
        assert_eq!(parse_number("top - 5"), Some(5.0));
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "\u{0}",
            "٣",
            "１２３",
            "...",
            "-",
            "- -",
            "point",
            "a",
            "a a a",
            "1,",
            "1,00",
            ",000",
            "1.",
            "9/0",
            "0/0",
            "ß million",
            "İ",
            &"9".repeat(5000),
            &format!("0.{}", "0".repeat(100)),
            &"one ".repeat(1000),
            &"million ".repeat(100),
        ] {
            let _ = parse_number(text);
            let _ = parse_count(text);
        }
        assert_eq!(parse_number("9/0"), Some(9.0));
    }
}
