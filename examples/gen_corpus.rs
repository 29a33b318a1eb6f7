//! Deterministic benchmark corpus: N realistic music-news articles.
//!
//! `cargo run --release --example gen_corpus -- N OUT_DIR [SEED]` writes `OUT_DIR/articles/*.txt`
//! (date-header text files) and `OUT_DIR/articles.jsonl` (the same articles, one JSON line each).
//!
//! About one sentence in ten comes from the project's own fixture articles and gold cases (the
//! sentences that carry facts), with its names, numbers and dates swapped for others; the other nine
//! are filler built from templates of ordinary news prose (tour news, interviews, business, charts),
//! which mention artists, numbers and dates as real articles do but state none of the four fact kinds.
//! The same N and seed always give the same bytes.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// splitmix64: tiny, deterministic, and good enough to vary a corpus; no dependency needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const ARTISTS: &[&str] = &[
    "Olivia Rodrigo",
    "Bad Bunny",
    "Karol G",
    "Stray Kids",
    "Doja Cat",
    "SZA",
    "Peso Pluma",
    "Tate McRae",
    "Burna Boy",
    "Rosalía",
    "Jungkook",
    "LE SSERAFIM",
    "Hozier",
    "Zach Bryan",
    "Chappell Roan",
    "Feid",
    "Ayra Starr",
    "Raye",
    "Sabrina Carpenter",
    "IVE",
    "Travis Scott",
    "Megan Thee Stallion",
    "Noah Kahan",
    "Tyla",
    "Jimin",
    "Kali Uchis",
    "Dua Lipa",
    "Post Malone",
    "Shakira",
    "Rauw Alejandro",
    "NewJeans",
    "aespa",
    "Benson Boone",
    "Teddy Swims",
    "Lainey Wilson",
];
const CITIES: &[&str] = &[
    "London",
    "Seoul",
    "Los Angeles",
    "Mexico City",
    "Lagos",
    "Nashville",
    "Toronto",
    "Madrid",
    "Tokyo",
    "Mumbai",
    "Berlin",
    "São Paulo",
    "Sydney",
    "Paris",
    "Chicago",
    "Manila",
];
const VENUES: &[&str] = &[
    "Madison Square Garden",
    "the O2 Arena",
    "Wembley Stadium",
    "the Hollywood Bowl",
    "Gocheok Sky Dome",
    "Estadio Azteca",
    "the Ryman Auditorium",
    "Red Rocks Amphitheatre",
];
const OUTLETS: &[&str] = &[
    "Billboard",
    "Variety",
    "Rolling Stone",
    "NME",
    "Soompi",
    "Pitchfork",
    "The Guardian",
    "Pinkvilla",
    "Remezcla",
    "the BBC",
    "Vulture",
    "Complex",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const TOPICS: &[&str] = &[
    "touring",
    "songwriting",
    "fame",
    "mental health",
    "the pressure of a second album",
    "growing up online",
    "working with a live band",
    "the business side of music",
    "fashion",
    "their hometown",
    "learning to produce",
    "fan culture",
];
const NOUNS: &[&str] = &[
    "the label",
    "the promoter",
    "the festival",
    "the venue",
    "the management team",
    "the streaming service",
    "the ticketing company",
    "the record company",
    "the city council",
];

/// Filler templates: ordinary news prose that names artists, places, dates and numbers.
/// `{a}` artist, `{c}` city, `{v}` venue, `{o}` outlet, `{m}` month, `{w}` weekday, `{t}` topic,
/// `{n}` noun phrase, `{d}` 1–28, `{k}` 2–90, `{y}` 2015–2026, `{p}` price.
const FILLER: &[&str] = &[
    "{a} will play {v} in {c} on {m} {d}, and tickets go on general sale this {w}.",
    "Speaking to {o}, {a} said the new material was shaped by {t} and long nights in the studio.",
    "The tour, which opens in {c} in {m}, adds {k} dates across Europe and North America.",
    "Fans queued for hours outside {v} before doors opened at 6 p.m. local time.",
    "{n} confirmed that the show had been moved because of a scheduling conflict.",
    "Tickets start at {p}, with VIP packages that include a meet-and-greet and early entry.",
    "In a lengthy interview with {o}, {a} opened up about {t}.",
    "{a}, who turned {k} this year, grew up in {c} and began posting covers online as a teenager.",
    "The singer thanked the crew, the dancers and the band, and promised to return to {c} next year.",
    "According to {o}, the festival drew more than {k},000 people over three days.",
    "{a} and {a} were spotted together at a restaurant in {c} on {w}, sparking rumours online.",
    "The music video, shot in {c}, features a cameo from a well-known actor and a dozen dancers.",
    "{n} said in a statement that refunds would be issued automatically within {k} days.",
    "Critics have praised the record's production, though some found the second half uneven.",
    "{a} is also set to appear at a charity gala in {c} later this month.",
    "The documentary, which follows {a} on the road, premieres at a film festival in {m}.",
    "Earlier this year, {a} signed a publishing deal and launched a skincare line.",
    "The set list leaned on older favourites, with a stripped-back acoustic segment in the middle.",
    "{a} told the crowd at {v} that the night was the biggest of their career so far.",
    "Several songs were performed live for the first time, including a reworked piano ballad.",
    "The concert was livestreamed to fans in {k} countries, {n} said.",
    "Merchandise lines stretched around the block, and several items sold out within an hour.",
    "{a} posted a handwritten note to fans on {w}, thanking them for their patience.",
    "In {y}, the group went on hiatus so members could pursue solo projects and military service.",
    "Reps for {a} did not respond to a request for comment from {o}.",
    "The stage design, built by a team of {k}, included a rotating platform and a rain curtain.",
    "Local authorities closed several streets around {v} to manage the crowds.",
    "{a} has spoken before about {t}, most recently on a podcast in {m}.",
    "The opening act, a rising band from {c}, played a short set of new songs.",
    "Resale prices climbed above {p} within minutes of the presale opening on {w}.",
    "The collaboration between the two brands was announced at a launch event in {c}.",
    "Dancers rehearsed for {k} weeks before the first show, according to the choreographer.",
    "The artist's team said a full statement would follow after the weekend.",
    "{a} wore a custom outfit by a young designer from {c} for the performance.",
    "The show ran for nearly three hours and ended with fireworks over the stadium.",
    "Attendance at live events rose by {k} percent compared with {y}, {n} said.",
    "The band's drummer, who joined in {y}, was praised for a ten-minute solo.",
    "Fan clubs organised a blood drive and a charity fundraiser ahead of the concert.",
    "{a} will also host a listening party for fans in {c} on {m} {d}.",
    "The venue has a capacity of about {k},000 and was sold out for both nights.",
];

fn fill(t: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(t.len() + 32);
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let key = &rest[i + 1..i + 2];
        match key {
            "a" => out.push_str(rng.pick(ARTISTS)),
            "c" => out.push_str(rng.pick(CITIES)),
            "v" => out.push_str(rng.pick(VENUES)),
            "o" => out.push_str(rng.pick(OUTLETS)),
            "m" => out.push_str(rng.pick(MONTHS)),
            "w" => out.push_str(rng.pick(WEEKDAYS)),
            "t" => out.push_str(rng.pick(TOPICS)),
            "n" => out.push_str(rng.pick(NOUNS)),
            "d" => out.push_str(&(1 + rng.below(28)).to_string()),
            "k" => out.push_str(&(2 + rng.below(89)).to_string()),
            "y" => out.push_str(&(2015 + rng.below(12)).to_string()),
            "p" => out.push_str(&format!("${}", 40 + rng.below(400))),
            _ => out.push_str(&rest[i..i + 3]),
        }
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    // Templates start with a placeholder sometimes; the sentence still starts with a capital.
    let mut cs = out.chars();
    match cs.next() {
        Some(f) if f.is_lowercase() => f.to_uppercase().collect::<String>() + cs.as_str(),
        _ => out,
    }
}

/// Fact-bearing sentences: the fixture articles' and gold cases' sentences.
fn fact_sentences(root: &Path) -> Vec<String> {
    let mut texts = Vec::new();
    if let Ok(rd) = fs::read_dir(root.join("fixtures")) {
        let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        {
            if let Ok(s) = fs::read_to_string(&p) {
                // Drop the `date YYYY-MM-DD` header.
                let body = s
                    .splitn(3, char::is_whitespace)
                    .nth(2)
                    .unwrap_or("")
                    .to_string();
                texts.push(body);
            }
        }
    }
    if let Ok(rd) = fs::read_dir(root.join("tests/gold/cases")) {
        let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            let Ok(s) = fs::read_to_string(&p) else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&s) else {
                continue;
            };
            if let Some(t) = v["text"].as_str() {
                texts.push(t.to_string());
            }
        }
    }
    let mut out = Vec::new();
    for t in texts {
        for para in t.split("\n\n") {
            let mut start = 0;
            let b = para.as_bytes();
            for i in 0..b.len() {
                let end = (b[i] == b'.' || b[i] == b'!' || b[i] == b'?')
                    && (i + 1 == b.len() || b[i + 1] == b' ')
                    && i + 1 - start > 40;
                if end {
                    out.push(para[start..=i].trim().replace('\n', " "));
                    start = i + 1;
                }
            }
            if para.len() > start + 40 {
                out.push(para[start..].trim().replace('\n', " "));
            }
        }
    }
    out
}

/// Swap digits for others of the same count, so counts and dates vary but stay well formed.
fn vary(s: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let j = (i..b.len())
                .find(|&j| !b[j].is_ascii_digit())
                .unwrap_or(b.len());
            let digits = &s[i..j];
            // Keep years and small day numbers plausible; vary everything else freely.
            let v = if digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20")) {
                (2016 + rng.below(10)).to_string()
            } else if digits.len() <= 2 {
                (1 + rng.below(28)).to_string()
            } else {
                let lo = 10u64.pow(digits.len() as u32 - 1);
                (lo + rng.next() % (9 * lo)).to_string()
            };
            out.push_str(&v);
            i = j;
        } else {
            let c = s[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    // Swap one known artist name for another where one occurs.
    for a in ARTISTS {
        if out.contains(a) {
            return out.replacen(a, rng.pick(ARTISTS), 1);
        }
    }
    out
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: gen_corpus N OUT_DIR [SEED]");
        std::process::exit(2);
    }
    let n: usize = args[1].parse().unwrap_or(1000);
    let out = PathBuf::from(&args[2]);
    let seed: u64 = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(7);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let facts = fact_sentences(&root);
    if facts.is_empty() {
        eprintln!("no fixture sentences found under {}", root.display());
        std::process::exit(2);
    }
    let dir = out.join("articles");
    fs::create_dir_all(&dir)?;
    let mut jsonl = BufWriter::new(fs::File::create(out.join("articles.jsonl"))?);
    let mut rng = Rng(seed);
    let mut bytes = 0usize;
    for k in 0..n {
        let date = format!(
            "{}-{:02}-{:02}",
            2018 + rng.below(8),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        // 20–50 sentences in paragraphs of 2–4: 3–8 KB, a typical news article.
        let sentences = 20 + rng.below(31);
        let mut text = String::new();
        let mut in_para = 0;
        let mut para_len = 2 + rng.below(3);
        for _ in 0..sentences {
            let s = if rng.below(10) == 0 {
                vary(&facts[rng.below(facts.len())], &mut rng)
            } else {
                fill(FILLER[rng.below(FILLER.len())], &mut rng)
            };
            if in_para > 0 {
                text.push(' ');
            }
            text.push_str(&s);
            in_para += 1;
            if in_para == para_len {
                text.push_str("\n\n");
                in_para = 0;
                para_len = 2 + rng.below(3);
            }
        }
        let text = text.trim_end().to_string();
        bytes += text.len();
        let id = format!("a{k:07}");
        fs::write(
            dir.join(format!("{id}.txt")),
            format!("date {date}\n\n{text}\n"),
        )?;
        let line = serde_json::json!({ "id": id, "date": date, "text": text });
        writeln!(jsonl, "{line}")?;
    }
    jsonl.flush()?;
    eprintln!(
        "{n} articles, {:.1} MB of text, {} fact sentences in the pool → {}",
        bytes as f64 / 1e6,
        facts.len(),
        out.display()
    );
    Ok(())
}
