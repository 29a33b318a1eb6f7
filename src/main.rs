//! The `newsfacts` command line: parses flags, calls the library, maps outcomes to exit codes.
//! stdout carries only records; logs, warnings and the summary go to stderr.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use newsfacts::eval;
use newsfacts::fetch::config::CrawlConfig;
use newsfacts::fetch::crawl::{self, Mode, RunError};
use newsfacts::normalize::{date, number};
use newsfacts::pipeline::{self, Event, RunOptions};
use newsfacts::reader::{
    InputError, InputSpec, Location, ReadEvent, ReadOptions, Shard, input_bytes, read_inputs,
};
use newsfacts::rules::RuleSet;
use newsfacts::ruletest;
use newsfacts::sink::{AtomicFile, CsvSink, Format, Sink, Target, sink_for, write_table};
use newsfacts::store::{FactQuery, SqlRow, Store, StoreOptions};

/// Exit codes: 0 all fine, 1 some inputs failed (or a quality bar was missed), 2 usage or rule errors.
const EXIT_INPUT: u8 = 1;
const EXIT_USAGE: u8 = 2;
/// A fetch or crawl found another run holding the archive's lock.
const EXIT_LOCKED: u8 = 3;

#[derive(Parser)]
#[command(
    name = "newsfacts",
    version,
    about = "Turn dated music-news articles into normalized fact records"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Extract facts from articles (text files with a date header, directories, .jsonl files, `-` for stdin).
    Extract(ExtractArgs),
    /// Validate or test a rule set.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Try a normalizer on a phrase; prints the value as JSON.
    Normalize {
        #[command(subcommand)]
        command: NormalizeCommand,
    },
    /// Score extraction against gold case files (one JSON file per article).
    Eval(EvalArgs),
    /// Show a person how each fact of an article was found, and why matched sentences gave none.
    Explain(ExplainArgs),
    /// Download web pages politely and extract facts from them (JSON Lines on stdout, like `extract`).
    Fetch(FetchArgs),
    /// The nightly job: feeds, sitemaps and article URLs in, facts not emitted before out.
    Crawl(CrawlArgs),
    /// Print the articles extraction would see (HTML pages parsed), one JSON line each:
    /// {"id", "source", "url", "title", "date", "date_source", "text"}.
    Read(ReadArgs),
    /// Ask a fact store (made by `extract --db`) for wins, releases, streams, collaborators, or any SQL.
    Query(QueryArgs),
}

#[derive(clap::Args)]
struct FetchArgs {
    /// Page URLs (http or https).
    #[arg(required = true)]
    urls: Vec<String>,
    #[command(flatten)]
    net: NetArgs,
}

#[derive(clap::Args)]
struct CrawlArgs {
    /// A crawl.toml; every setting in it can also be given (and overridden) as a flag.
    #[arg(long)]
    config: Option<PathBuf>,
    /// An RSS or Atom feed whose entries are fetched (repeatable).
    #[arg(long = "feed", value_name = "URL")]
    feeds: Vec<String>,
    /// A sitemap, sitemap index or Google News sitemap (repeatable).
    #[arg(long = "sitemap", value_name = "URL")]
    sitemaps: Vec<String>,
    /// An article URL fetched on every run, conditionally (repeatable).
    #[arg(long = "article", value_name = "URL")]
    articles: Vec<String>,
    /// Skip feed/sitemap entries dated before this: a window (36h, 2d), a date or an RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Request at most this many pages per run (default 5000); the rest wait for the next run.
    #[arg(long)]
    max_pages: Option<usize>,
    /// Exit 1 when failed / requested passes this (default 0.2).
    #[arg(long)]
    max_failure_rate: Option<f64>,
    #[command(flatten)]
    net: NetArgs,
}

/// Settings shared by `fetch` and `crawl` (see README "Fetching" for defaults).
#[derive(clap::Args)]
struct NetArgs {
    /// Archive directory: raw pages, crawl state and the run lock (required for crawl).
    #[arg(long)]
    archive: Option<PathBuf>,
    /// Also write every extracted page and all its facts into this SQLite fact store (see `extract --db`).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Contact URL or address for site owners, sent in the User-Agent.
    #[arg(long)]
    contact: Option<String>,
    /// Minimum delay between requests to one host (default 1s; robots.txt Crawl-delay may raise it).
    #[arg(long)]
    delay: Option<String>,
    /// Hosts fetched in parallel (default 4; one request at a time per host).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Connect timeout (default 10s).
    #[arg(long)]
    connect_timeout: Option<String>,
    /// Timeout for a whole response, body included (default 30s).
    #[arg(long)]
    timeout: Option<String>,
    /// Retries on timeouts, connection errors, 429 and 5xx (default 2).
    #[arg(long)]
    retries: Option<u32>,
    /// First retry delay, doubled each time, plus jitter (default 1s).
    #[arg(long)]
    backoff: Option<String>,
    /// Give up on a URL whose Retry-After asks for longer than this (default 2m).
    #[arg(long)]
    max_retry_wait: Option<String>,
    /// Redirects followed (default 5).
    #[arg(long)]
    max_redirects: Option<usize>,
    /// Body size cap, e.g. 8MiB (default); larger pages are skipped.
    #[arg(long)]
    max_body: Option<String>,
    /// Allow loopback, private and link-local addresses (refused by default).
    #[arg(long)]
    allow_private_addresses: bool,
    /// Write the run report as JSON to this file (atomically).
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write records to this file (atomically) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Date (YYYY-MM-DD) for pages with no findable publication date.
    #[arg(long)]
    date: Option<String>,
    /// Drop facts whose confidence is below this.
    #[arg(long)]
    min_confidence: Option<f64>,
    /// No summary line.
    #[arg(long, short)]
    quiet: bool,
}

impl NetArgs {
    fn into_config(self) -> (CrawlConfig, bool) {
        let cfg = CrawlConfig {
            archive: self.archive,
            contact: self.contact,
            delay: self.delay,
            concurrency: self.concurrency,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            retries: self.retries,
            backoff: self.backoff,
            max_retry_wait: self.max_retry_wait,
            max_redirects: self.max_redirects,
            max_body: self.max_body.map(toml::Value::String),
            allow_private_addresses: self.allow_private_addresses.then_some(true),
            report: self.report,
            out: self.out,
            rules: self.rules,
            date: self.date,
            min_confidence: self.min_confidence,
            ..Default::default()
        };
        (cfg, self.quiet)
    }
}

#[derive(clap::Args)]
struct ReadArgs {
    /// Inputs: .html/.htm(.gz) pages, text files, directories (recursive, sorted), .jsonl files, or `-`.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Date (YYYY-MM-DD) for pages and text that have none.
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// No summary line.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExtractFormat {
    Jsonl,
    Csv,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum QueryFormat {
    Jsonl,
    Csv,
    Table,
}

#[derive(clap::Args)]
struct QueryArgs {
    /// The fact store (SQLite file written by `extract --db`).
    #[arg(long, required = true)]
    db: PathBuf,
    /// Output format (default: table when stdout is a terminal, else jsonl).
    #[arg(long, value_enum, global = true)]
    format: Option<QueryFormat>,
    #[command(subcommand)]
    what: QueryCommand,
}

#[derive(Subcommand)]
enum QueryCommand {
    /// Award wins of an artist (case-insensitive), by year.
    Wins {
        #[arg(long)]
        artist: String,
    },
    /// Releases dated within a range (YYYY, YYYY-MM or YYYY-MM-DD; either end may be left open), by date.
    Releases {
        #[arg(long, value_parser = parse_date_prefix)]
        from: Option<String>,
        #[arg(long, value_parser = parse_date_prefix)]
        to: Option<String>,
        /// Only this artist's releases (case-insensitive).
        #[arg(long)]
        artist: Option<String>,
    },
    /// Stream-count milestones of a work (case-insensitive), by article date.
    Streams {
        #[arg(long)]
        work: String,
    },
    /// Collaborators on a work (case-insensitive).
    Collaborators {
        #[arg(long)]
        work: String,
    },
    /// Run one read-only SQL statement (SELECT/WITH) against the store.
    Sql { statement: String },
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// An article: a text file with a date header, a .jsonl file (every line), or `-`.
    input: String,
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Date for text that has no date header.
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// Treat the input as the article text itself, not a path.
    #[arg(long)]
    text: bool,
}

#[derive(clap::Args)]
struct ExtractArgs {
    /// Inputs: files, directories (recursive, sorted), .jsonl files, or `-` for JSON Lines on stdin.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Rule folder replacing the built-in rules.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Date (YYYY-MM-DD) for text that has no date header.
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// Write records to this file (atomically: temporary file, then rename) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Add to each record the pattern that matched and each normalization step.
    #[arg(long)]
    explain: bool,
    /// Drop facts whose confidence is below this.
    #[arg(long, default_value_t = 0.0)]
    min_confidence: f64,
    /// No summary line and no progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Record format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExtractFormat,
    /// Also write articles and facts into this SQLite fact store (created if missing). Articles whose
    /// text, date and rule set are unchanged since they were stored are skipped.
    #[arg(long)]
    db: Option<PathBuf>,
    /// With --db: extract every article again, even unchanged ones.
    #[arg(long, requires = "db")]
    force: bool,
    /// With --db: articles per transaction (a crash loses at most one transaction's articles, which
    /// the next run extracts again).
    #[arg(long, requires = "db", default_value_t = StoreOptions::default().batch_articles)]
    db_batch: usize,
    /// Write no records to stdout (with --db: fill the store only).
    #[arg(long, conflicts_with = "out")]
    no_stdout: bool,
    /// Read only shard K of N (1 <= K <= N) of the input files, split by a stable hash of each file's
    /// path relative to the directory given.
    #[arg(long, value_parser = Shard::parse)]
    shard: Option<Shard>,
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Validate a rule set; every error names file, line, rule and fault. Exit 2 on any error.
    Check { dir: Option<PathBuf> },
    /// Run every rule's examples and counter-examples.
    Test { dir: Option<PathBuf> },
}

#[derive(Clone, Copy, ValueEnum)]
enum TenseArg {
    Past,
    Future,
    Unknown,
}

#[derive(Subcommand)]
enum NormalizeCommand {
    /// Resolve a date phrase against a reference date.
    Date {
        phrase: String,
        #[arg(long = "ref", value_parser = parse_date)]
        reference: NaiveDate,
        #[arg(long, value_enum, default_value = "unknown")]
        tense: TenseArg,
    },
    /// Parse a number phrase ("5.92 million").
    Number { phrase: String },
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Folder of gold case files (`*.json`, or `cases/*.json`).
    #[arg(long, required = true)]
    gold: Vec<PathBuf>,
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Exit 1 when micro-F1 is below this.
    #[arg(long)]
    min_f1: Option<f64>,
    /// Also check every other field each gold fact names.
    #[arg(long)]
    strict: bool,
    /// Only the per-kind table and the micro-F1 line.
    #[arg(long, short)]
    quiet: bool,
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checked, kept as text (store dates have reduced precision too).
fn parse_date_prefix(s: &str) -> Result<String, String> {
    let ok = match s.len() {
        4 => s.bytes().all(|b| b.is_ascii_digit()),
        7 => NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok(),
        10 => NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        _ => false,
    };
    if ok {
        Ok(s.to_string())
    } else {
        Err("expected YYYY, YYYY-MM or YYYY-MM-DD".into())
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("newsfacts: error: {e:#}");
            // Records that could not be written (a full disk) are a failed run, not a usage error;
            // an output path that cannot even be created stays a usage error.
            if e.downcast_ref::<OutputError>().is_some() {
                ExitCode::from(EXIT_INPUT)
            } else {
                ExitCode::from(EXIT_USAGE)
            }
        }
    }
}

/// Context of an error writing output: names where the bytes were going (exit code 1).
#[derive(Debug)]
struct OutputError(String);

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "writing {}", self.0)
    }
}

/// `--out FILE`, or standard output.
fn output_name(out: Option<&std::path::Path>) -> String {
    match out {
        Some(p) => p.display().to_string(),
        None => "records to standard output".into(),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Extract(args) => extract(args),
        Command::Rules { command } => match command {
            RulesCommand::Check { dir } => {
                let rules = match load_rules(dir.as_deref()) {
                    Ok(r) => r,
                    Err(code) => return Ok(code),
                };
                eprintln!(
                    "newsfacts: rules ok: {} rules, {} kinds, {} gazetteers, version {}",
                    rules.rules.len(),
                    rules.kinds.len(),
                    rules.gazetteers.len(),
                    rules.version
                );
                Ok(0)
            }
            RulesCommand::Test { dir } => {
                let rules = match load_rules(dir.as_deref()) {
                    Ok(r) => r,
                    Err(code) => return Ok(code),
                };
                let report = ruletest::run_examples(&rules);
                for f in &report.failures {
                    eprintln!("FAIL {f}");
                }
                eprintln!(
                    "rule examples: {} passed, {} failed",
                    report.passed,
                    report.failures.len()
                );
                Ok(if report.failures.is_empty() {
                    0
                } else {
                    EXIT_INPUT
                })
            }
        },
        Command::Normalize { command } => {
            let value = match command {
                NormalizeCommand::Date {
                    phrase,
                    reference,
                    tense,
                } => {
                    let tense = match tense {
                        TenseArg::Past => date::Tense::Past,
                        TenseArg::Future => date::Tense::Future,
                        TenseArg::Unknown => date::Tense::Unknown,
                    };
                    match date::resolve(&phrase, reference, tense) {
                        Some(d) => {
                            serde_json::json!({"value": d.to_iso(), "precision": d.precision})
                        }
                        None => {
                            eprintln!(
                                "newsfacts: {phrase:?} is not a date phrase newsfacts understands"
                            );
                            return Ok(EXIT_INPUT);
                        }
                    }
                }
                NormalizeCommand::Number { phrase } => match number::parse_number(&phrase) {
                    Some(v) => {
                        let count = number::parse_count(&phrase);
                        serde_json::json!({"value": v, "count": count})
                    }
                    None => {
                        eprintln!(
                            "newsfacts: {phrase:?} is not a number phrase newsfacts understands"
                        );
                        return Ok(EXIT_INPUT);
                    }
                },
            };
            println!("{value}");
            Ok(0)
        }
        Command::Explain(args) => explain(args),
        Command::Fetch(args) => {
            let db = args.net.db.clone();
            let (mut cfg, quiet) = args.net.into_config();
            cfg.articles = args.urls;
            web_run(cfg, Mode::Fetch, quiet, db)
        }
        Command::Crawl(args) => {
            let db = args.net.db.clone();
            let (flags, quiet) = args.net.into_config();
            let flags = CrawlConfig {
                feeds: args.feeds,
                sitemaps: args.sitemaps,
                articles: args.articles,
                since: args.since,
                max_pages: args.max_pages,
                max_failure_rate: args.max_failure_rate,
                ..flags
            };
            let cfg = match &args.config {
                Some(path) => match CrawlConfig::from_file(path) {
                    Ok(file) => file.overridden_by(flags),
                    Err(e) => {
                        eprintln!("newsfacts: {e}");
                        return Ok(EXIT_USAGE);
                    }
                },
                None => flags,
            };
            web_run(cfg, Mode::Crawl, quiet, db)
        }
        Command::Read(args) => read(args),
        Command::Query(args) => query(args),
        Command::Eval(args) => {
            let rules = match load_rules(args.rules.as_deref()) {
                Ok(r) => r,
                Err(code) => return Ok(code),
            };
            let mut cases = Vec::new();
            for dir in &args.gold {
                cases.extend(
                    eval::load_gold(dir)
                        .with_context(|| format!("reading gold cases in {}", dir.display()))?,
                );
            }
            let report = eval::evaluate(&rules, &cases, args.strict);
            let mut out = std::io::stdout().lock();
            report.write(&mut out, !args.quiet)?;
            out.flush()?;
            let below = args.min_f1.is_some_and(|m| report.micro().f1 < m);
            Ok(if below || !report.violations.is_empty() {
                EXIT_INPUT
            } else {
                0
            })
        }
    }
}

/// Load the built-in rules or a rule folder; on errors print them all and return exit code 2.
fn load_rules(dir: Option<&std::path::Path>) -> std::result::Result<RuleSet, u8> {
    let loaded = match dir {
        Some(d) => RuleSet::from_dir(d),
        None => RuleSet::embedded(),
    };
    loaded.map_err(|errors| {
        for e in &errors.0 {
            eprintln!("{e}");
        }
        eprintln!("newsfacts: {} rule error(s)", errors.0.len());
        EXIT_USAGE
    })
}

fn extract(args: ExtractArgs) -> Result<u8> {
    let inputs: Vec<InputSpec> = args.inputs.iter().map(|s| InputSpec::parse(s)).collect();
    if args.shard.is_some() && inputs.contains(&InputSpec::Stdin) {
        eprintln!(
            "newsfacts: --shard splits files and directories; standard input cannot be split \
             (split the stream before it reaches newsfacts)"
        );
        return Ok(EXIT_USAGE);
    }
    // Before the rules: their compilation runs on the worker pool too.
    set_jobs(args.jobs)?;
    let rules = match load_rules(args.rules.as_deref()) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if !(0.0..=1.0).contains(&args.min_confidence) {
        eprintln!("newsfacts: --min-confidence must be within [0, 1]");
        return Ok(EXIT_USAGE);
    }

    let read_opts = ReadOptions {
        default_date: args.date,
        shard: args.shard,
    };
    let progress = progress_bar(args.quiet, || input_bytes(&inputs, &read_opts));
    let store = open_store(
        args.db.as_deref(),
        &rules,
        args.min_confidence,
        args.db_batch,
    )?;
    let format = match args.format {
        ExtractFormat::Jsonl => Format::Jsonl,
        ExtractFormat::Csv => Format::Csv,
        ExtractFormat::Json => Format::Json,
    };
    let target = output_name(args.out.as_deref());
    // `--no-stdout` conflicts with `--out`: no sink at all.
    let mut sink = match args.no_stdout {
        true => None,
        false => Some(record_sink(format, args.out.as_deref())?),
    };

    // With a store, unchanged articles are dropped before extraction; a store that cannot be read
    // fails that article alone (it is extracted on a later run).
    let skipped = std::cell::Cell::new(0usize);
    let events = read_inputs(inputs, read_opts).filter_map(|ev| {
        // The skip check needs the page's text and date, so with a store an HTML page is parsed
        // here rather than in the workers.
        let ev = match (&store, ev) {
            (Some(_), ev @ ReadEvent::Html(_)) if !args.force => ev.resolve(),
            (_, ev) => ev,
        };
        if let (Some(store), ReadEvent::Article(a)) = (&store, &ev)
            && !args.force
        {
            match store.should_extract(a) {
                Ok(true) => {}
                Ok(false) => {
                    skipped.set(skipped.get() + 1);
                    progress.inc(a.text.len() as u64);
                    return None;
                }
                Err(e) => {
                    return Some(ReadEvent::Failed(InputError {
                        location: Location {
                            path: a.source.clone(),
                            line: None,
                        },
                        reason: format!("fact store: {e}"),
                    }));
                }
            }
        }
        Some(ev)
    });
    let opts = RunOptions {
        explain: args.explain,
        min_confidence: args.min_confidence,
    };
    let started = std::time::Instant::now();
    let mut done = 0usize;
    let summary = pipeline::run(&rules, events, opts, |ev| -> Result<()> {
        match ev {
            Event::Article(a, records, _) => {
                if let Some(sink) = &mut sink {
                    for r in &records {
                        sink.write(r).with_context(|| OutputError(target.clone()))?;
                    }
                }
                if let Some(store) = &store {
                    store
                        .write_article(a, records)
                        .with_context(|| OutputError("the fact store".into()))?;
                }
                done += 1;
                progress.inc(a.text.len() as u64);
                if !progress.is_hidden() {
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    progress.set_message(format!("{done} articles ({rate:.0}/s)"));
                }
            }
            Event::Failed(e) => progress.suspend(|| eprintln!("newsfacts: error: {e}")),
            Event::Warning(e) => progress.suspend(|| eprintln!("newsfacts: warning: {e}")),
        }
        Ok(())
    })?;
    progress.finish_and_clear();
    let stored = match store {
        Some(store) => {
            let path = store.path().to_string();
            let counts = store
                .finish()
                .with_context(|| OutputError("the fact store".into()))?;
            Some((path, counts))
        }
        None => None,
    };
    if let Some(sink) = sink {
        sink.finish().with_context(|| OutputError(target))?;
    }
    if !args.quiet {
        let mut line = format!(
            "newsfacts: {} articles read, {} failed, {} facts emitted",
            summary.articles, summary.failed, summary.facts
        );
        if let Some((path, counts)) = stored {
            line.push_str(&format!(
                ", {} unchanged articles skipped; store {path}: {} articles, {} facts",
                skipped.get(),
                counts.articles,
                counts.facts
            ));
        }
        eprintln!("{line}");
    }
    Ok(if summary.failed > 0 { EXIT_INPUT } else { 0 })
}

/// `fetch` and `crawl`: validate settings, run, write facts and the report, map the outcome to an exit
/// code (fetch: 1 when any URL failed or was skipped; crawl: 1 when the failure rate passes its limit; 3 when locked).
fn web_run(cfg: CrawlConfig, mode: Mode, quiet: bool, db: Option<PathBuf>) -> Result<u8> {
    let settings = match cfg.settings(mode, chrono::Utc::now()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("newsfacts: {e}");
            return Ok(EXIT_USAGE);
        }
    };
    let min_confidence = cfg.min_confidence.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&min_confidence) {
        eprintln!("newsfacts: --min-confidence must be within [0, 1]");
        return Ok(EXIT_USAGE);
    }
    let rules = match load_rules(cfg.rules.as_deref()) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let target = output_name(cfg.out.as_deref());
    let sink = record_sink(Format::Jsonl, cfg.out.as_deref())?;
    let opts = RunOptions {
        explain: false,
        min_confidence,
    };
    let batch = StoreOptions::default().batch_articles;
    let store = open_store(db.as_deref(), &rules, min_confidence, batch)?;
    // The run finishes the sink and the fact store itself, before it commits the crawl state (so
    // that state saying "emitted" means delivered): the callbacks share them.
    let sink = std::cell::RefCell::new(Some(sink));
    let store = std::cell::RefCell::new(store);
    let emit = |r: &newsfacts::fact::FactRecord| match sink.borrow_mut().as_mut() {
        Some(s) => s.write(r),
        None => Err(std::io::Error::other("output already committed")),
    };
    let on_article =
        |a: &newsfacts::article::Article, records: &[newsfacts::fact::FactRecord]| match &*store
            .borrow()
        {
            Some(s) => s
                .write_article(a, records.to_vec())
                .map_err(std::io::Error::other),
            None => Ok(()),
        };
    let deliver = || -> std::io::Result<()> {
        if let Some(s) = sink.borrow_mut().take() {
            s.finish()?;
        }
        if let Some(s) = store.borrow_mut().take() {
            s.finish().map_err(std::io::Error::other)?;
        }
        Ok(())
    };
    let report = match crawl::run(&settings, &rules, opts, emit, on_article, deliver) {
        Ok(r) => r,
        Err(e @ RunError::Locked { .. }) => {
            eprintln!("newsfacts: {e}");
            return Ok(EXIT_LOCKED);
        }
        Err(RunError::Sink(e)) => return Err(anyhow::Error::new(e).context(OutputError(target))),
        Err(e) => {
            eprintln!("newsfacts: error: {e}");
            return Ok(EXIT_INPUT);
        }
    };
    for p in &report.pages {
        if matches!(p.outcome, "failed" | "skipped")
            && (mode == Mode::Fetch || p.outcome == "failed")
        {
            eprintln!(
                "newsfacts: {} {}: {} ({})",
                p.outcome,
                p.url,
                p.detail.as_deref().unwrap_or(""),
                p.reason.as_deref().unwrap_or("")
            );
        }
    }
    if let Some(path) = &cfg.report {
        let shown = || OutputError(path.display().to_string());
        let mut f =
            AtomicFile::create(path).with_context(|| format!("creating {}", path.display()))?;
        serde_json::to_writer_pretty(&mut f, &report).with_context(shown)?;
        f.write_all(b"\n").with_context(shown)?;
        f.commit().with_context(shown)?;
    }
    if !quiet {
        let name = if mode == Mode::Fetch {
            "fetch"
        } else {
            "crawl"
        };
        eprintln!("newsfacts {name}: {}", report.summary_line());
    }
    let failed = match mode {
        // Every URL of a fetch was asked for by name: one that gave nothing is a failed input.
        Mode::Fetch => report.counts.failed + report.counts.skipped > 0,
        Mode::Crawl => report.failure_rate_exceeded,
    };
    if failed && mode == Mode::Crawl {
        eprintln!(
            "newsfacts: failure rate {:.2} is above --max-failure-rate {:.2}",
            report.failure_rate, report.max_failure_rate
        );
    }
    Ok(if failed { EXIT_INPUT } else { 0 })
}

/// Records in `format` to `out` (written atomically), or to standard output.
fn record_sink(format: Format, out: Option<&std::path::Path>) -> Result<Box<dyn Sink>> {
    let target = match out {
        Some(p) => Target::file(p).with_context(|| format!("creating {}", p.display()))?,
        None => Target::stdout(),
    };
    Ok(sink_for(format, target))
}

/// `--jobs N`: the size of rayon's global pool (default: all cores).
fn set_jobs(jobs: Option<usize>) -> Result<()> {
    if let Some(j) = jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .context("starting worker threads")?;
    }
    Ok(())
}

/// The fact store at `path`, if one was asked for (`--db`).
fn open_store(
    path: Option<&std::path::Path>,
    rules: &RuleSet,
    min_confidence: f64,
    batch_articles: usize,
) -> Result<Option<Store>> {
    let Some(p) = path else { return Ok(None) };
    let opts = StoreOptions {
        min_confidence,
        batch_articles: batch_articles.max(1),
        ..StoreOptions::default()
    };
    Ok(Some(Store::open(p, &rules.version, opts)?))
}

fn read(args: ReadArgs) -> Result<u8> {
    set_jobs(args.jobs)?;
    let inputs: Vec<InputSpec> = args.inputs.iter().map(|s| InputSpec::parse(s)).collect();
    let events = read_inputs(
        inputs,
        ReadOptions {
            default_date: args.date,
            shard: None,
        },
    );
    let (mut articles, mut failed) = (0usize, 0usize);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    pipeline::resolve_in_order(events, |ev| -> Result<()> {
        match ev {
            ReadEvent::Article(a) => {
                articles += 1;
                let rec = serde_json::json!({
                    "id": a.id,
                    "source": a.source,
                    "url": a.url,
                    "title": a.title,
                    "date": a.date.to_string(),
                    "date_source": a.date_source,
                    "text": a.text,
                });
                writeln!(out, "{rec}").with_context(|| OutputError(output_name(None)))?;
            }
            ReadEvent::Failed(e) => {
                failed += 1;
                eprintln!("newsfacts: error: {e}");
            }
            ReadEvent::Warning(e) => eprintln!("newsfacts: warning: {e}"),
            ReadEvent::Html(_) => {}
        }
        Ok(())
    })?;
    out.flush()
        .with_context(|| OutputError(output_name(None)))?;
    if !args.quiet {
        eprintln!("newsfacts: {articles} articles read, {failed} failed");
    }
    Ok(if failed > 0 { EXIT_INPUT } else { 0 })
}

/// A progress bar on stderr when it is a terminal and `--quiet` is not given: bytes of article text
/// done out of the input files' size (when known), rate, ETA, and articles done. Hidden otherwise.
fn progress_bar(quiet: bool, total: impl FnOnce() -> Option<u64>) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = match total() {
        Some(n) => (
            indicatif::ProgressBar::new(n),
            "{elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
        ),
        None => (
            indicatif::ProgressBar::no_length(),
            "{spinner} {elapsed_precise} {bytes} {bytes_per_sec} {msg}",
        ),
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    bar
}

fn query(args: QueryArgs) -> Result<u8> {
    use std::io::IsTerminal;
    let format = match args.format {
        Some(QueryFormat::Jsonl) => Format::Jsonl,
        Some(QueryFormat::Csv) => Format::Csv,
        Some(QueryFormat::Table) => Format::Table,
        None if std::io::stdout().is_terminal() => Format::Table,
        None => Format::Jsonl,
    };
    let store = Store::open_read_only(&args.db)?;
    let q = match args.what {
        QueryCommand::Wins { artist } => FactQuery::Wins { artist },
        QueryCommand::Releases { from, to, artist } => FactQuery::Releases { from, to, artist },
        QueryCommand::Streams { work } => FactQuery::Streams { work },
        QueryCommand::Collaborators { work } => FactQuery::Collaborators { work },
        QueryCommand::Sql { statement } => return query_sql(&store, &statement, format),
    };
    let failed = || OutputError(output_name(None));
    let mut sink = record_sink(format, None)?;
    store.query_facts(&q, |r| -> Result<()> {
        sink.write(&r).with_context(failed)?;
        Ok(())
    })?;
    sink.finish().with_context(failed)?;
    Ok(0)
}

/// Rows of any statement: JSON objects keyed by column name, CSV under the column names, or a table.
fn query_sql(store: &Store, sql: &str, format: Format) -> Result<u8> {
    let failed = || OutputError(output_name(None));
    let mut out = Target::stdout();
    let mut header: Vec<String> = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut csv: Option<CsvSink<Target>> = None;
    store.query_sql(sql, |row| -> Result<()> {
        match row {
            SqlRow::Columns(cols) => {
                header = cols.to_vec();
                if format == Format::Csv {
                    csv = Some(CsvSink::with_header(
                        Target::stdout(),
                        Target::commit,
                        cols.iter(),
                    ));
                }
            }
            SqlRow::Values(values) => match format {
                Format::Csv => {
                    if let Some(csv) = &mut csv {
                        csv.write_row(values.iter().map(newsfacts::sink::cell))
                            .with_context(failed)?;
                    }
                }
                Format::Table => table.push(values.iter().map(newsfacts::sink::cell).collect()),
                Format::Jsonl | Format::Json => {
                    let obj: serde_json::Map<String, serde_json::Value> =
                        header.iter().cloned().zip(values).collect();
                    serde_json::to_writer(&mut out, &obj)
                        .map_err(std::io::Error::from)
                        .and_then(|()| out.write_all(b"\n"))
                        .with_context(failed)?;
                }
            },
        }
        Ok(())
    })?;
    match format {
        Format::Csv => {
            if let Some(csv) = csv {
                csv.commit().with_context(failed)?;
            }
        }
        Format::Table => write_table(&mut out, &header, &table).with_context(failed)?,
        Format::Jsonl | Format::Json => {}
    }
    out.commit().with_context(failed)?;
    Ok(0)
}

fn explain(args: ExplainArgs) -> Result<u8> {
    let rules = match load_rules(args.rules.as_deref()) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let events: Box<dyn Iterator<Item = ReadEvent>> = if args.text {
        let Some(date) = args.date else {
            eprintln!("newsfacts: --text needs --date");
            return Ok(EXIT_USAGE);
        };
        Box::new(std::iter::once(ReadEvent::Article(
            newsfacts::article::Article {
                id: "text".into(),
                source: "--text".into(),
                url: None,
                title: None,
                date,
                date_source: None,
                text: args.input.clone(),
            },
        )))
    } else {
        Box::new(read_inputs(
            vec![InputSpec::parse(&args.input)],
            ReadOptions {
                default_date: args.date,
                ..ReadOptions::default()
            },
        ))
    };
    let opts = RunOptions {
        explain: true,
        min_confidence: 0.0,
    };
    let mut out = std::io::stdout().lock();
    let summary = pipeline::run(&rules, events, opts, |ev| -> Result<()> {
        match ev {
            Event::Article(a, records, ex) => {
                writeln!(out, "article {} ({}), dated {}", a.id, a.source, a.date)?;
                for r in &records {
                    writeln!(
                        out,
                        "\n{} {} [{}] confidence {}",
                        r.kind,
                        serde_json::Value::Object(r.fields.clone()),
                        r.rule,
                        r.confidence
                    )?;
                    writeln!(
                        out,
                        "  sentence {}..{}: {}",
                        r.evidence.start, r.evidence.end, r.evidence.text
                    )?;
                    if let Some(e) = &r.explain {
                        writeln!(out, "  pattern: {}", e.pattern)?;
                        for s in &e.steps {
                            writeln!(
                                out,
                                "  {:<12} {:>14}({:?}) -> {}",
                                s.field, s.normalizer, s.input, s.output
                            )?;
                        }
                        if e.rules.len() > 1 {
                            writeln!(out, "  merged from: {}", e.rules.join(", "))?;
                        }
                    }
                }
                if !ex.notes.is_empty() {
                    writeln!(out, "\nmatched but gave no fact:")?;
                    for n in &ex.notes {
                        writeln!(
                            out,
                            "  [{}] {}\n      in: {}",
                            n.rule, n.reason, n.sentence.text
                        )?;
                    }
                }
                writeln!(out)?;
            }
            Event::Failed(e) => eprintln!("newsfacts: error: {e}"),
            Event::Warning(e) => eprintln!("newsfacts: warning: {e}"),
        }
        Ok(())
    })?;
    Ok(if summary.failed > 0 { EXIT_INPUT } else { 0 })
}
