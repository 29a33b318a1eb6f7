//! Probe: unanchored captures vs anchored attempts per start position.
use newsfacts::extract::sentence;
use newsfacts::rules::RuleSet;
use regex_automata::{Anchored, Input, meta};
use std::io::BufRead;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = &args[1];
    let limit: usize = args.get(2).map_or(1000, |s| s.parse().unwrap());
    let rules = RuleSet::embedded().unwrap();
    let mut sents: Vec<String> = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(path).unwrap()).lines().take(limit) {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let text = v["text"].as_str().unwrap();
        let folded = sentence::fold_quotes(text);
        for s in sentence::split(&folded, rules.gazetteer("abbreviations")) {
            sents.push(folded[s.start..s.end].to_string());
        }
    }
    eprintln!("{} sentences", sents.len());
    let mut hit = vec![false; rules.rules.len()];
    let mut atoms = vec![false; rules.atom_count()];
    let mut work: Vec<Vec<usize>> = vec![Vec::new(); rules.rules.len()];
    for (i, s) in sents.iter().enumerate() {
        hit.fill(false);
        rules.mark_triggered(s, &mut hit);
        for r in 0..hit.len() {
            if hit[r] {
                work[r].push(i);
            }
        }
    }
    let (mut ta, mut tb) = (Duration::ZERO, Duration::ZERO);
    for (ri, rule) in rules.rules.iter().enumerate() {
        for p in &rule.patterns {
            let metare = meta::Regex::builder()
                .configure(meta::Config::new().nfa_size_limit(Some(64 << 20)).hybrid_cache_capacity(64 << 20))
                .build(p.regex.as_str())
                .unwrap();
            let mut cache = metare.create_cache();
            let mut caps = metare.create_captures();
            let mut ws = Vec::new();
            for &i in &work[ri] {
                let s = &sents[i];
                rules.mark_atoms(s, &mut atoms);
                if p.query.admits(&atoms) {
                    ws.push(i);
                }
            }
            for _pass in 0..2 {
            let t0 = Instant::now();
            let mut ra = Vec::new();
            for &i in &ws {
                let s = &sents[i];
                ra.push(p.regex.captures(s).map(|c| c.get(0).unwrap().range()));
            }
            let da = t0.elapsed();
            let t1 = Instant::now();
            let mut rb = Vec::new();
            for &i in &ws {
                let s = &sents[i];
                let mut found = None;
                for (at, _) in s.char_indices() {
                    let inp = Input::new(s).range(at..).anchored(Anchored::Yes);
                    metare.search_captures_with(&mut cache, &inp, &mut caps);
                    if let Some(m) = caps.get_match() {
                        found = Some(m.range());
                        break;
                    }
                }
                rb.push(found);
            }
            let db = t1.elapsed();
            let same = ra == rb;
            ta += da;
            tb += db;
            println!("pass {_pass} {:<28} line {:4} n={:5} unanch {:8.1?} anch {:8.1?} same={}", rule.id, p.line, ws.len(), da, db, same);
            }
        }
    }
    println!("total unanch {ta:?} anch {tb:?}");
}
