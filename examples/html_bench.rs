//! Benchmark driver for `scripts/bench-html`: reads a manifest of pages, extracts each one with
//! `newsfacts::html::parse_page` on one thread, and prints the results and the time taken as JSON.
//!
//! Manifest (stdin): a JSON array of `{"id", "file", "url"?}`; `file` is a `.html` or `.html.gz` page.
//! Output (stdout): `{"seconds": S, "pages": N, "results": {id: {"text", "title", "date", "date_source"}}}`.
//! `cpu_seconds` is this thread's time on the CPU (Linux `schedstat`), which other processes on a busy
//! machine do not inflate; `seconds` is wall time.
//! Only the extraction is timed: files are read and decompressed first, as the Python side does.

use std::io::Read;
use std::time::Instant;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Deserialize)]
struct Entry {
    id: String,
    file: String,
    url: Option<String>,
}

fn main() -> Result<()> {
    let mut manifest = String::new();
    std::io::stdin().read_to_string(&mut manifest)?;
    let entries: Vec<Entry> = serde_json::from_str(&manifest).context("manifest")?;
    let mut pages = Vec::with_capacity(entries.len());
    for e in &entries {
        let raw = std::fs::read(&e.file).with_context(|| e.file.clone())?;
        let bytes = if e.file.ends_with(".gz") {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .with_context(|| e.file.clone())?;
            out
        } else {
            raw
        };
        pages.push(bytes);
    }
    let opts = newsfacts::html::HtmlOptions::default();
    let repeat: usize = std::env::var("BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let mut results = Vec::with_capacity(entries.len());
    for round in 0..repeat {
        for (e, bytes) in entries.iter().zip(&pages) {
            let r = newsfacts::html::parse_page(bytes, e.url.as_deref(), None, &opts);
            if round == 0 {
                results.push(r);
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64() / repeat as f64;
    let cpu = match (cpu_start, cpu_seconds()) {
        (Some(a), Some(b)) => Some((b - a) / repeat as f64),
        _ => None,
    };
    let mut out = Map::new();
    for (e, r) in entries.iter().zip(results) {
        let v = match r {
            Ok(p) => json!({
                "text": p.text,
                "title": p.title,
                "date": p.date.map(|(d, _)| d.to_string()),
                "date_source": p.date.map(|(_, s)| s),
            }),
            Err(err) => json!({"text": "", "title": null, "date": null, "error": err.to_string()}),
        };
        out.insert(e.id.clone(), v);
    }
    println!(
        "{}",
        json!({"seconds": seconds, "cpu_seconds": cpu, "pages": entries.len(), "results": Value::Object(out)})
    );
    Ok(())
}

/// CPU time of the calling thread in seconds, from `/proc/thread-self/schedstat` (Linux).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
