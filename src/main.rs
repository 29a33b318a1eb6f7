//! The `newsfacts` command line: parses flags, calls the library, maps outcomes to exit codes.
//! stdout carries only records; logs, warnings and the summary go to stderr.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use newsfacts::eval;
use newsfacts::normalize::{date, number};
use newsfacts::pipeline::{self, Event, RunOptions};
use newsfacts::reader::{InputSpec, ReadOptions, read_inputs};
use newsfacts::rules::RuleSet;
use newsfacts::ruletest;
use newsfacts::sink::{JsonlSink, Sink};

/// Exit codes: 0 all fine, 1 some inputs failed (or a quality bar was missed), 2 usage or rule errors.
const EXIT_INPUT: u8 = 1;
const EXIT_USAGE: u8 = 2;

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
    /// Print the articles extraction would see (HTML pages parsed), one JSON line each:
    /// {"id", "source", "url", "title", "date", "date_source", "text"}.
    Read(ReadArgs),
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
    /// No summary line.
    #[arg(long, short)]
    quiet: bool,
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
            ExitCode::from(EXIT_USAGE)
        }
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
        Command::Read(args) => read(args),
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
    let rules = match load_rules(args.rules.as_deref()) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    if !(0.0..=1.0).contains(&args.min_confidence) {
        eprintln!("newsfacts: --min-confidence must be within [0, 1]");
        return Ok(EXIT_USAGE);
    }
    if let Some(j) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .context("starting worker threads")?;
    }

    let inputs: Vec<InputSpec> = args.inputs.iter().map(|s| InputSpec::parse(s)).collect();
    let events = read_inputs(
        inputs,
        ReadOptions {
            default_date: args.date,
        },
    );
    let mut sink: Box<dyn Sink> = match &args.out {
        Some(p) => {
            Box::new(JsonlSink::file(p).with_context(|| format!("creating {}", p.display()))?)
        }
        None => Box::new(JsonlSink::stdout()),
    };
    let opts = RunOptions {
        explain: args.explain,
        min_confidence: args.min_confidence,
    };
    let summary = {
        pipeline::run(&rules, events, opts, |ev| -> Result<()> {
            match ev {
                Event::Article(_, records, _) => {
                    for r in &records {
                        sink.write(r).context("writing records")?;
                    }
                }
                Event::Failed(e) => eprintln!("newsfacts: error: {e}"),
                Event::Warning(e) => eprintln!("newsfacts: warning: {e}"),
            }
            Ok(())
        })
    }?;
    sink.finish().context("committing output")?;
    if !args.quiet {
        eprintln!(
            "newsfacts: {} articles read, {} failed, {} facts emitted",
            summary.articles, summary.failed, summary.facts
        );
    }
    Ok(if summary.failed > 0 { EXIT_INPUT } else { 0 })
}

fn read(args: ReadArgs) -> Result<u8> {
    if let Some(j) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(j.max(1))
            .build_global()
            .context("starting worker threads")?;
    }
    let inputs: Vec<InputSpec> = args.inputs.iter().map(|s| InputSpec::parse(s)).collect();
    let events = read_inputs(
        inputs,
        ReadOptions {
            default_date: args.date,
        },
    );
    let (mut articles, mut failed) = (0usize, 0usize);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    pipeline::resolve_in_order(events, |ev| -> Result<()> {
        match ev {
            newsfacts::reader::ReadEvent::Article(a) => {
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
                writeln!(out, "{rec}").context("writing records")?;
            }
            newsfacts::reader::ReadEvent::Failed(e) => {
                failed += 1;
                eprintln!("newsfacts: error: {e}");
            }
            newsfacts::reader::ReadEvent::Warning(e) => eprintln!("newsfacts: warning: {e}"),
            newsfacts::reader::ReadEvent::Html(_) => {}
        }
        Ok(())
    })?;
    out.flush().context("writing records")?;
    if !args.quiet {
        eprintln!("newsfacts: {articles} articles read, {failed} failed");
    }
    Ok(if failed > 0 { EXIT_INPUT } else { 0 })
}

fn explain(args: ExplainArgs) -> Result<u8> {
    let rules = match load_rules(args.rules.as_deref()) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let events: Box<dyn Iterator<Item = newsfacts::reader::ReadEvent>> = if args.text {
        let Some(date) = args.date else {
            eprintln!("newsfacts: --text needs --date");
            return Ok(EXIT_USAGE);
        };
        Box::new(std::iter::once(newsfacts::reader::ReadEvent::Article(
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
