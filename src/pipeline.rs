//! Batch runs: stream articles from the readers, extract in parallel, deliver facts in input order.
//!
//! Articles are taken in chunks; each chunk is extracted in parallel with rayon and its results are
//! delivered in input order before the next chunk is read. Memory is bounded by one chunk whatever the
//! input size, and output is byte-identical whatever the thread count.

use rayon::prelude::*;

use crate::article::Article;
use crate::extract::{Extraction, Extractor};
use crate::fact::FactRecord;
use crate::reader::{InputError, ReadEvent};
use crate::rules::RuleSet;

/// Articles per parallel chunk: enough to keep every core busy, small enough to bound memory.
const CHUNK: usize = 256;
/// A chunk is also cut when its text passes this many bytes, so a run of huge articles stays bounded.
const CHUNK_BYTES: usize = 64 << 20;

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub articles: usize,
    pub failed: usize,
    pub warnings: usize,
    pub facts: usize,
}

/// What the run reports to its caller, in input order.
pub enum Event<'a> {
    /// An article and its records (the records carry the article's provenance).
    Article(&'a Article, Vec<FactRecord>, &'a Extraction),
    Failed(&'a InputError),
    Warning(&'a InputError),
}

/// Options of a batch run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    pub explain: bool,
    pub min_confidence: f64,
}

/// Run extraction over `events`, calling `on_event` in input order. Stops early if `on_event` fails.
pub fn run<I, E>(
    rules: &RuleSet,
    events: I,
    opts: RunOptions,
    mut on_event: impl FnMut(Event<'_>) -> Result<(), E>,
) -> Result<Summary, E>
where
    I: IntoIterator<Item = ReadEvent>,
{
    let extractor = Extractor::new(rules).explain(opts.explain);
    let mut summary = Summary::default();
    for chunk in chunks(events) {
        // HTML pages are parsed here, in parallel, then extracted in the same task.
        let results: Vec<(ReadEvent, Option<Extraction>)> = chunk
            .into_par_iter()
            .map(|ev| {
                let ev = ev.resolve();
                let ex = match &ev {
                    ReadEvent::Article(a) => Some(extractor.extract(a)),
                    _ => None,
                };
                (ev, ex)
            })
            .collect();
        for (ev, ex) in results {
            match (&ev, ex) {
                (ReadEvent::Article(a), Some(mut ex)) => {
                    summary.articles += 1;
                    let facts = std::mem::take(&mut ex.facts);
                    let records: Vec<FactRecord> = facts
                        .into_iter()
                        .filter(|f| f.confidence >= opts.min_confidence)
                        .map(|f| FactRecord::new(a, f))
                        .collect();
                    summary.facts += records.len();
                    on_event(Event::Article(a, records, &ex))?;
                }
                (ReadEvent::Failed(e), _) => {
                    summary.failed += 1;
                    on_event(Event::Failed(e))?;
                }
                (ReadEvent::Warning(e), _) => {
                    summary.warnings += 1;
                    on_event(Event::Warning(e))?;
                }
                (ReadEvent::Article(_), None) | (ReadEvent::Html(_), _) => {}
            }
        }
    }
    Ok(summary)
}

/// Deliver `events` in input order with HTML pages parsed into articles, in parallel chunks (the
/// `read` command: articles as extraction would see them). Stops early if `on_event` fails.
pub fn resolve_in_order<I, E>(
    events: I,
    mut on_event: impl FnMut(ReadEvent) -> Result<(), E>,
) -> Result<(), E>
where
    I: IntoIterator<Item = ReadEvent>,
{
    for chunk in chunks(events) {
        let resolved: Vec<ReadEvent> = chunk.into_par_iter().map(ReadEvent::resolve).collect();
        for ev in resolved {
            on_event(ev)?;
        }
    }
    Ok(())
}

/// The events cut into chunks of at most `CHUNK` events or about `CHUNK_BYTES` bytes, in order.
fn chunks<I>(events: I) -> impl Iterator<Item = Vec<ReadEvent>>
where
    I: IntoIterator<Item = ReadEvent>,
{
    let mut events = events.into_iter().peekable();
    std::iter::from_fn(move || {
        events.peek()?;
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut bytes = 0;
        while chunk.len() < CHUNK && bytes < CHUNK_BYTES {
            let Some(ev) = events.next() else { break };
            bytes += ev.size();
            chunk.push(ev);
        }
        Some(chunk)
    })
}
