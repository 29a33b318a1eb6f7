//! Article readers: turn paths, directories, JSON Lines files and standard input into a lazy stream of
//! articles. A bad input never stops the stream: it becomes a [`ReadEvent::Failed`] naming the path (and
//! line) and the reason, and reading goes on with the next input.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::article::{Article, article_date_problem, parse_article_date};

/// The longest JSON Lines record accepted; a longer line is reported and skipped, never buffered whole.
pub const MAX_LINE_BYTES: usize = 128 * 1024 * 1024;
/// The largest text article read; larger files are reported, not loaded.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;
/// The largest HTML page read, compressed or after decompression: a page is never this big, and a
/// small `.html.gz` that inflates past it is a gzip bomb.
pub const MAX_HTML_BYTES: u64 = 64 * 1024 * 1024;

/// One input as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputSpec {
    Path(PathBuf),
    Stdin,
}

impl InputSpec {
    pub fn parse(arg: &str) -> InputSpec {
        if arg == "-" {
            InputSpec::Stdin
        } else {
            InputSpec::Path(PathBuf::from(arg))
        }
    }
}

/// Options shared by all readers.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Date for text that has no date header (`--date`).
    pub default_date: Option<NaiveDate>,
    /// Read only the files of this shard (`--shard K/N`).
    pub shard: Option<Shard>,
}

/// One of N disjoint parts of a set of input files (`--shard K/N`, K from 1 to N). A file belongs to
/// the shard picked by a stable hash of its path relative to the directory named on the command line
/// (or of the path as given, for a file named directly), so N machines given the same archive, even
/// mounted at different places, split it the same way, each file to exactly one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// `K/N` with 1 <= K <= N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?}: expected K/N with 1 <= K <= N, e.g. 2/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the file at `relative` (with `/` separators) belongs to this shard: the first 8 bytes of
    /// SHA-256 of the path, as a big-endian number, modulo N, equal K - 1.
    pub fn contains(&self, relative: &str) -> bool {
        use sha2::{Digest, Sha256};
        let h = Sha256::digest(relative.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&h[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }

    fn contains_path(&self, relative: &Path) -> bool {
        self.contains(&relative.to_string_lossy().replace('\\', "/"))
    }
}

/// Where a failure or warning happened: a path, optionally with a 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub line: Option<usize>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}", self.path, l),
            None => f.write_str(&self.path),
        }
    }
}

/// A failed input: it names the input and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {reason}")]
pub struct InputError {
    pub location: Location,
    pub reason: String,
}

/// What the reader stream yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadEvent {
    Article(Article),
    /// An HTML page read but not yet parsed: parsing is the expensive part, so the pipeline does it in
    /// parallel with [`ReadEvent::resolve`] rather than in the (sequential) reader.
    Html(Box<PendingHtml>),
    /// The input was read, with a caveat (for example lossy UTF-8 decoding).
    Warning(InputError),
    Failed(InputError),
}

/// The raw bytes of an HTML page and what is known about it besides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingHtml {
    pub location: Location,
    pub id: String,
    pub source: String,
    pub url: Option<String>,
    /// A date given with the page (a JSON Lines `date`): it wins over anything in the page.
    pub date: Option<NaiveDate>,
    /// The date for a page without one (`--date`).
    pub fallback_date: Option<NaiveDate>,
    /// The bytes are gzip-compressed (`.html.gz`).
    pub gzipped: bool,
    pub bytes: Vec<u8>,
}

impl ReadEvent {
    /// Turn a pending HTML page into an article (or a failure naming the input); other events are
    /// returned unchanged.
    pub fn resolve(self) -> ReadEvent {
        match self {
            ReadEvent::Html(p) => match html_article(&p) {
                Ok(a) => ReadEvent::Article(a),
                Err(reason) => ReadEvent::Failed(InputError {
                    location: p.location.clone(),
                    reason,
                }),
            },
            other => other,
        }
    }

    /// Bytes this event holds, for bounding the memory of a batch.
    pub fn size(&self) -> usize {
        match self {
            ReadEvent::Article(a) => a.text.len(),
            ReadEvent::Html(p) => p.bytes.len(),
            _ => 0,
        }
    }
}

fn html_article(p: &PendingHtml) -> Result<Article, String> {
    let inflated;
    let bytes = if p.gzipped {
        inflated = gunzip_capped(&p.bytes)?;
        &inflated[..]
    } else {
        &p.bytes[..]
    };
    let opts = crate::html::HtmlOptions {
        fallback_date: p.date.or(p.fallback_date),
        ..Default::default()
    };
    let mut a =
        crate::html::article_from_html(bytes, &p.id, &p.source, p.url.as_deref(), None, &opts)
            .map_err(|e| e.to_string())?;
    if let Some(d) = p.date {
        a.date = d;
        a.date_source = Some("field".into());
    }
    Ok(a)
}

/// Decompress at most [`MAX_HTML_BYTES`]; more is refused rather than allocated.
fn gunzip_capped(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_HTML_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("not valid gzip: {e}"))?;
    if out.len() as u64 > MAX_HTML_BYTES {
        return Err(format!(
            "decompresses to more than {} MiB (a gzip bomb?); not read",
            MAX_HTML_BYTES >> 20
        ));
    }
    Ok(out)
}

/// A lazy stream of articles over all inputs, in the order given (directories in sorted path order).
pub fn read_inputs(inputs: Vec<InputSpec>, opts: ReadOptions) -> impl Iterator<Item = ReadEvent> {
    inputs
        .into_iter()
        .flat_map(move |spec| read_one(spec, opts.clone()))
}

fn read_one(spec: InputSpec, opts: ReadOptions) -> Box<dyn Iterator<Item = ReadEvent>> {
    match spec {
        InputSpec::Stdin => {
            let reader = BufReader::new(io::stdin());
            Box::new(JsonlReader::new(
                "<stdin>".to_string(),
                Box::new(reader),
                opts,
            ))
        }
        InputSpec::Path(path) => {
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => return Box::new(std::iter::once(fail(&path, None, io_reason(&e)))),
            };
            if meta.is_dir() && crate::fetch::archive::is_archive(&path) {
                // A page archive written by `fetch`/`crawl --archive`: re-extract without fetching.
                Box::new(crate::fetch::archive::read_archive(path, opts))
            } else if meta.is_dir() {
                Box::new(read_dir(path, opts))
            } else if opts.shard.is_some_and(|s| !s.contains_path(&path)) {
                Box::new(std::iter::empty())
            } else {
                read_file(path, opts)
            }
        }
    }
}

/// Every article file under `dir` in `shard` (all of them without one), recursively, in sorted path
/// order, and the walk's errors. Symlinks are followed (a symlinked article is read, not silently
/// skipped); a symlink back to an ancestor directory is an error (a loop) and not entered, so the walk
/// always ends. A file's shard is picked by its path relative to `dir`.
fn article_files(
    dir: PathBuf,
    shard: Option<Shard>,
) -> impl Iterator<Item = walkdir::Result<walkdir::DirEntry>> {
    let root = dir.clone();
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter(move |entry| match entry {
            Ok(e) => {
                e.file_type().is_file()
                    && is_article_file(e.path())
                    && shard.is_none_or(|s| {
                        s.contains_path(e.path().strip_prefix(&root).unwrap_or(e.path()))
                    })
            }
            Err(_) => true,
        })
}

/// The articles of [`article_files`]; each walk error is reported as a failure.
fn read_dir(dir: PathBuf, opts: ReadOptions) -> impl Iterator<Item = ReadEvent> {
    article_files(dir, opts.shard).flat_map(move |entry| -> Box<dyn Iterator<Item = ReadEvent>> {
        match entry {
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                let reason = match (e.loop_ancestor(), e.io_error()) {
                    (Some(a), _) => format!(
                        "symlink loop (points back to {}); not followed",
                        a.display()
                    ),
                    (None, Some(io)) => io_reason(io),
                    (None, None) => e.to_string(),
                };
                Box::new(std::iter::once(ReadEvent::Failed(InputError {
                    location: Location { path, line: None },
                    reason,
                })))
            }
            Ok(entry) => read_file(entry.into_path(), opts.clone()),
        }
    })
}

/// File kinds picked up from directories. Files named explicitly are read whatever their extension.
fn is_article_file(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'));
    !hidden
        && (matches!(
            extension(path).as_deref(),
            Some("txt" | "text" | "jsonl" | "ndjson")
        ) || html_kind(path).is_some())
}

/// `Some(gzipped)` for `.html`, `.htm`, `.xhtml` and their `.gz` forms.
fn html_kind(path: &Path) -> Option<bool> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let base = name.strip_suffix(".gz");
    let gz = base.is_some();
    let base = base.unwrap_or(&name);
    [".html", ".htm", ".xhtml"]
        .iter()
        .any(|e| base.ends_with(e))
        .then_some(gz)
}

/// The total size in bytes of the article files `inputs` name (after sharding), for a progress bar's
/// length; `None` when an input is standard input (its size is unknown). Unreadable entries count 0.
pub fn input_bytes(inputs: &[InputSpec], opts: &ReadOptions) -> Option<u64> {
    let mut total = 0;
    for spec in inputs {
        let InputSpec::Path(path) = spec else {
            return None;
        };
        let Ok(meta) = std::fs::metadata(path) else {
            continue;
        };
        if !meta.is_dir() {
            if opts.shard.is_none_or(|s| s.contains_path(path)) {
                total += meta.len();
            }
            continue;
        }
        for e in article_files(path.clone(), opts.shard).flatten() {
            total += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    Some(total)
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

fn read_file(path: PathBuf, opts: ReadOptions) -> Box<dyn Iterator<Item = ReadEvent>> {
    if let Some(gzipped) = html_kind(&path) {
        return Box::new(std::iter::once(read_html_file(&path, gzipped, &opts)));
    }
    if matches!(extension(&path).as_deref(), Some("jsonl" | "ndjson")) {
        return match File::open(&path) {
            Ok(f) => Box::new(JsonlReader::new(
                path.display().to_string(),
                Box::new(BufReader::with_capacity(1 << 16, f)),
                opts,
            )),
            Err(e) => Box::new(std::iter::once(fail(&path, None, io_reason(&e)))),
        };
    }
    Box::new(read_text_file(&path, &opts).into_iter())
}

fn read_text_file(path: &Path, opts: &ReadOptions) -> Vec<ReadEvent> {
    let bytes = match read_capped(path, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(reason) => return vec![fail(path, None, reason)],
    };
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = path.display().to_string();
    match parse_text_article(&id, &source, &bytes, opts.default_date) {
        Ok((article, lossy)) => {
            let mut out = Vec::with_capacity(2);
            if lossy {
                out.push(ReadEvent::Warning(InputError {
                    location: Location {
                        path: source,
                        line: None,
                    },
                    reason: "not valid UTF-8; decoded lossily (invalid bytes became U+FFFD)".into(),
                }));
            }
            out.push(ReadEvent::Article(article));
            out
        }
        Err(reason) => vec![fail(path, None, reason)],
    }
}

fn read_html_file(path: &Path, gzipped: bool, opts: &ReadOptions) -> ReadEvent {
    let bytes = match read_capped(path, MAX_HTML_BYTES) {
        Ok(b) => b,
        Err(reason) => return fail(path, None, reason),
    };
    // `page.html` → `page`, and `page.html.gz` → `page.html` → `page`.
    let stem = path.file_stem().unwrap_or_default();
    let stem = if gzipped {
        Path::new(stem).file_stem().unwrap_or_default()
    } else {
        stem
    };
    let id = stem.to_string_lossy().into_owned();
    let source = path.display().to_string();
    ReadEvent::Html(Box::new(PendingHtml {
        location: Location {
            path: source.clone(),
            line: None,
        },
        id,
        source,
        url: None,
        date: None,
        fallback_date: opts.default_date,
        gzipped,
        bytes,
    }))
}

/// The file's bytes, or a reason when it cannot be read or is larger than `max`.
fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let f = File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > max {
        return Err(format!("file larger than {} MiB; not read", max >> 20));
    }
    Ok(bytes)
}

/// Parse a text article: optional leading whitespace, ` date YYYY-MM-DD`, then the body (the first paragraph
/// may follow on the same line). Returns the article and whether the bytes had to be decoded lossily.
pub fn parse_text_article(
    id: &str,
    source: &str,
    bytes: &[u8],
    default_date: Option<NaiveDate>,
) -> Result<(Article, bool), String> {
    let bom = if bytes.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let bytes = &bytes[bom..];
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty file: no date header and no text".into());
    }
    // Anywhere in the file, not just its start: a NUL inside a text would reach every sink.
    if bytes.contains(&0) {
        return Err("binary file (NUL bytes); not an article".into());
    }
    let (text, bad_byte) = match std::str::from_utf8(bytes) {
        Ok(s) => (std::borrow::Cow::Borrowed(s), None),
        Err(e) => (String::from_utf8_lossy(bytes), Some(bom + e.valid_up_to())),
    };
    let lossy = bad_byte.is_some();
    // A replacement character in the header is the likely cause of a header error: say so.
    let refuse = |reason: String| match bad_byte {
        Some(at) => Err(format!("{reason} (not valid UTF-8 from byte {at})")),
        None => Err(reason),
    };
    let trimmed = text.trim_start();
    let (date, body) = match split_date_header(trimmed) {
        Some((token, rest)) => match parse_article_date(token) {
            Some(d) => (d, rest),
            None => {
                return refuse(article_date_problem(
                    token,
                    "date header",
                    "' date YYYY-MM-DD'",
                ));
            }
        },
        None => match default_date {
            Some(d) => (d, trimmed),
            None => {
                return refuse(
                    "missing date header: expected ' date YYYY-MM-DD' at the start (or pass --date)"
                        .into(),
                );
            }
        },
    };
    let body = body.trim();
    if body.is_empty() {
        return refuse("no text after the date header".into());
    }
    Ok((
        Article {
            id: id.to_string(),
            source: source.to_string(),
            url: None,
            title: None,
            date,
            date_source: Some("header".into()),
            text: body.to_string(),
        },
        lossy,
    ))
}

/// `date 2023-11-06 rest…` → ("2023-11-06", "rest…"); `None` when the text does not start with a date header.
fn split_date_header(s: &str) -> Option<(&str, &str)> {
    let head = s.get(..4)?;
    if !head.eq_ignore_ascii_case("date") {
        return None;
    }
    let rest = &s[4..];
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    Some((&rest[..end], &rest[end..]))
}

#[derive(Deserialize)]
struct JsonArticle {
    id: Option<serde_json::Value>,
    date: Option<String>,
    text: Option<String>,
    source: Option<String>,
    url: Option<String>,
    title: Option<String>,
    /// An HTML page instead of `text`.
    html: Option<String>,
}

/// Read JSON Lines from any reader (a pipe, a socket, a test's generator) as [`read_inputs`] reads a
/// `.jsonl` file: one event per non-blank line, a line over [`MAX_LINE_BYTES`] reported and skipped
/// without being buffered whole. `name` is the path used in errors and default sources.
pub fn read_jsonl(
    name: &str,
    reader: impl BufRead + 'static,
    opts: ReadOptions,
) -> impl Iterator<Item = ReadEvent> {
    JsonlReader::new(name.to_string(), Box::new(reader), opts)
}

/// JSON Lines reader: one article per line, streamed, each bad line reported with its line number.
struct JsonlReader {
    path: String,
    reader: Box<dyn BufRead>,
    opts: ReadOptions,
    line_no: usize,
    done: bool,
    pending_warning: Option<ReadEvent>,
}

impl JsonlReader {
    fn new(path: String, reader: Box<dyn BufRead>, opts: ReadOptions) -> Self {
        JsonlReader {
            path,
            reader,
            opts,
            line_no: 0,
            done: false,
            pending_warning: None,
        }
    }

    /// The current line.
    fn location(&self) -> Location {
        Location {
            path: self.path.clone(),
            line: Some(self.line_no),
        }
    }

    fn fail(&self, reason: String) -> ReadEvent {
        ReadEvent::Failed(InputError {
            location: self.location(),
            reason,
        })
    }

    /// Read one line of at most MAX_LINE_BYTES; a longer one is drained and reported.
    fn next_line(&mut self) -> Option<Result<Vec<u8>, String>> {
        let mut buf = Vec::new();
        let limit = MAX_LINE_BYTES as u64 + 1;
        match (&mut self.reader).take(limit).read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Ok(_) => {
                if buf.len() > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
                    if let Err(e) = skip_line(&mut self.reader) {
                        self.done = true;
                        return Some(Err(io_reason(&e)));
                    }
                    return Some(Err(format!(
                        "line longer than {} MiB; skipped",
                        MAX_LINE_BYTES >> 20
                    )));
                }
                Some(Ok(buf))
            }
            Err(e) => {
                self.done = true;
                Some(Err(io_reason(&e)))
            }
        }
    }

    fn parse_line(&self, bytes: &[u8]) -> Result<ReadEvent, String> {
        // A byte-order mark may open the file (editors on Windows write one).
        let bytes = if self.line_no == 1 {
            bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
        } else {
            bytes
        };
        let line = std::str::from_utf8(bytes).map_err(|e| format!("not valid UTF-8: {e}"))?;
        let rec: JsonArticle =
            serde_json::from_str(line).map_err(|e| format!("not a JSON article: {e}"))?;
        let id = match rec.id {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => return Err("missing or empty \"id\"".into()),
        };
        let date = match rec.date.as_deref() {
            Some(d) => Some(
                parse_article_date(d)
                    .ok_or_else(|| article_date_problem(d, "\"date\"", "YYYY-MM-DD or RFC 3339"))?,
            ),
            None => None,
        };
        if rec.text.is_none()
            && let Some(html) = rec.html
        {
            return Ok(ReadEvent::Html(Box::new(PendingHtml {
                source: rec.source.unwrap_or_else(|| self.location().to_string()),
                location: self.location(),
                id,
                url: rec.url,
                date,
                fallback_date: self.opts.default_date,
                gzipped: false,
                bytes: html.into_bytes(),
            })));
        }
        let (date, date_source) = match date {
            Some(d) => (d, "field"),
            None => (
                self.opts
                    .default_date
                    .ok_or("missing \"date\" (or pass --date)")?,
                "flag",
            ),
        };
        let text = rec.text.ok_or("missing \"text\" (or \"html\")")?;
        Ok(ReadEvent::Article(Article {
            id,
            source: rec.source.unwrap_or_else(|| self.location().to_string()),
            url: rec.url,
            title: rec.title,
            date,
            date_source: Some(date_source.into()),
            text,
        }))
    }
}

fn skip_line(r: &mut dyn BufRead) -> io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

impl Iterator for JsonlReader {
    type Item = ReadEvent;

    fn next(&mut self) -> Option<ReadEvent> {
        if let Some(w) = self.pending_warning.take() {
            return Some(w);
        }
        while !self.done {
            self.line_no += 1;
            let bytes = match self.next_line()? {
                Ok(b) => b,
                Err(reason) => return Some(self.fail(reason)),
            };
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(match self.parse_line(&bytes) {
                Ok(ev) => ev,
                Err(reason) => self.fail(reason),
            });
        }
        None
    }
}

fn fail(path: &Path, line: Option<usize>, reason: String) -> ReadEvent {
    ReadEvent::Failed(InputError {
        location: Location {
            path: path.display().to_string(),
            line,
        },
        reason,
    })
}

fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn input_bytes_counts_the_article_files_a_directory_walk_reads() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        };
        put("a.txt", b"0123456789"); // 10
        put("sub/b.html", b"<p>x</p>"); // 8
        put("sub/c.jsonl", b"{}\n"); // 3
        put("notes.md", b"not an article");
        put(".hidden.txt", b"hidden");
        let file = dir.path().join("notes.md");
        let inputs = vec![
            InputSpec::Path(dir.path().to_path_buf()),
            // Named directly, any file is read: 14 bytes.
            InputSpec::Path(file.clone()),
        ];
        assert_eq!(input_bytes(&inputs, &ReadOptions::default()), Some(35));
        // Shards split the files, and together they count each once.
        let shard = |index| ReadOptions {
            shard: Some(Shard { index, count: 2 }),
            ..Default::default()
        };
        let dir_only = [InputSpec::Path(dir.path().to_path_buf())];
        let halves = [1, 2].map(|k| input_bytes(&dir_only, &shard(k)).unwrap());
        assert_eq!(halves[0] + halves[1], 21);
        assert_eq!(
            input_bytes(
                &[InputSpec::Path(file), InputSpec::Stdin],
                &ReadOptions::default()
            ),
            None
        );
    }

    #[test]
    fn header_with_first_paragraph_on_same_line() {
        let (a, lossy) =
            parse_text_article("x", "x.txt", b" date 2023-11-06 BTS won.\n\nMore.\n", None)
                .unwrap();
        assert_eq!(a.date, d(2023, 11, 6));
        assert_eq!(a.text, "BTS won.\n\nMore.");
        assert!(!lossy);
    }

    #[test]
    fn missing_and_malformed_headers() {
        let e = parse_text_article("x", "x", b"BTS won.", None).unwrap_err();
        assert!(e.starts_with("missing date header"), "{e}");
        let (a, _) = parse_text_article("x", "x", b"BTS won.", Some(d(2020, 1, 2))).unwrap();
        assert_eq!(a.date, d(2020, 1, 2));
        let e = parse_text_article("x", "x", b" date 2023-13-45 BTS", None).unwrap_err();
        assert!(e.starts_with("malformed date header \"2023-13-45\""), "{e}");
        let e = parse_text_article("x", "x", b" date 9999-99-99 BTS", None).unwrap_err();
        assert!(e.contains("9999-99-99"), "{e}");
    }

    #[test]
    fn empty_binary_and_lossy() {
        assert!(
            parse_text_article("x", "x", b"  \n", None)
                .unwrap_err()
                .starts_with("empty file")
        );
        assert!(
            parse_text_article("x", "x", b"date 2020-01-01 a\0b", None)
                .unwrap_err()
                .starts_with("binary file")
        );
        let (a, lossy) =
            parse_text_article("x", "x", b"date 2020-01-01 caf\xe9 won", None).unwrap();
        assert!(lossy);
        assert_eq!(a.text, "caf\u{FFFD} won");
    }

    #[test]
    fn jsonl_lines_fail_alone() {
        let input = "{\"id\":\"a\",\"date\":\"2023-01-02\",\"text\":\"x\"}\nnot json\n\n{\"id\":\"b\",\"date\":\"2023-01-03T23:59:00+09:00\",\"text\":\"y\",\"source\":\"s\"}\n";
        let r = JsonlReader::new(
            "f.jsonl".into(),
            Box::new(io::Cursor::new(input.as_bytes().to_vec())),
            ReadOptions::default(),
        );
        let events: Vec<_> = r.collect();
        assert_eq!(events.len(), 3);
        assert!(
            matches!(&events[0], ReadEvent::Article(a) if a.id == "a" && a.source == "f.jsonl:1")
        );
        match &events[1] {
            ReadEvent::Failed(e) => {
                assert_eq!(e.location.to_string(), "f.jsonl:2");
                assert!(e.reason.starts_with("not a JSON article"), "{}", e.reason);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(&events[2], ReadEvent::Article(a) if a.id == "b" && a.date == d(2023, 1, 3) && a.source == "s")
        );
    }
}
