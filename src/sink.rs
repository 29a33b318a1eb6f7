//! Sinks: where fact records go. They know nothing of rules or extraction.
//!
//! A file sink writes to a temporary file beside the target and renames it into place on `finish`,
//! so a crash or a full disk never leaves half a file under the target name.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::fact::FactRecord;

/// Anything that takes fact records in order.
pub trait Sink {
    fn write(&mut self, record: &FactRecord) -> io::Result<()>;
    /// Flush and commit. Nothing written is visible under a file target before this succeeds.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// A file written under a temporary name and renamed into place on commit; dropped uncommitted, the
/// temporary file is removed and the target is left as it was.
///
/// A target that is not a regular file (`/dev/stdout`, `/dev/null`, a named pipe) is written
/// directly: a rename would replace the device node or pipe with a plain file. A symlink is
/// followed, so the file it points to is replaced and the link kept.
pub struct AtomicFile {
    target: PathBuf,
    /// None when writing directly to a non-regular target.
    tmp: Option<PathBuf>,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        match std::fs::metadata(target) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    "output path is a directory",
                ));
            }
            Ok(m) if !m.is_file() => {
                let file = File::options().write(true).open(target)?;
                return Ok(AtomicFile {
                    target: target.to_path_buf(),
                    tmp: None,
                    writer: Some(BufWriter::with_capacity(1 << 16, file)),
                });
            }
            _ => {}
        }
        let is_link = std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_symlink());
        let target = match is_link {
            true => std::fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf()),
            false => target.to_path_buf(),
        };
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "output path has no file name")
            })?
            .to_string_lossy();
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&tmp)?;
        Ok(AtomicFile {
            target,
            tmp: Some(tmp),
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn commit(mut self) -> io::Result<()> {
        let Some(w) = self.writer.take() else {
            return Ok(());
        };
        let file = w.into_inner().map_err(|e| e.into_error())?;
        match self.tmp.take() {
            Some(tmp) => {
                let done = file
                    .sync_all()
                    .and_then(|()| std::fs::rename(&tmp, &self.target));
                if done.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                done
            }
            // A device or pipe: flushed above; fsync means nothing there.
            None => Ok(()),
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            // Dropping the writer first closes the file; its flush error does not matter any more.
            self.writer.take();
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// JSON Lines: one record per line.
pub struct JsonlSink<W: Write> {
    out: W,
    commit: fn(W) -> io::Result<()>,
}

impl JsonlSink<Target> {
    pub fn stdout() -> Self {
        JsonlSink::new(Target::stdout(), Target::commit)
    }

    pub fn file(path: &Path) -> io::Result<Self> {
        Ok(JsonlSink::new(Target::file(path)?, Target::commit))
    }
}

impl JsonlSink<Vec<u8>> {
    /// In memory, for tests and embedding.
    pub fn memory() -> Self {
        JsonlSink::new(Vec::new(), |_| Ok(()))
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W, commit: fn(W) -> io::Result<()>) -> Self {
        JsonlSink { out, commit }
    }

    pub fn write_record(&mut self, record: &FactRecord) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn write(&mut self, record: &FactRecord) -> io::Result<()> {
        self.write_record(record)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        (self.commit)(self.out)
    }
}

/// Where a sink's bytes go: standard output (flushed on commit) or a file written atomically.
pub enum Target {
    Stdout(BufWriter<io::Stdout>),
    File(AtomicFile),
}

impl Target {
    pub fn stdout() -> Target {
        Target::Stdout(BufWriter::with_capacity(1 << 16, io::stdout()))
    }

    pub fn file(path: &Path) -> io::Result<Target> {
        Ok(Target::File(AtomicFile::create(path)?))
    }

    pub fn commit(self) -> io::Result<()> {
        match self {
            Target::Stdout(mut w) => w.flush(),
            Target::File(f) => f.commit(),
        }
    }
}

impl Write for Target {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Target::Stdout(w) => w.write(buf),
            Target::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Target::Stdout(w) => w.write_all(buf),
            Target::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Target::Stdout(w) => w.flush(),
            Target::File(f) => f.flush(),
        }
    }
}

/// Record formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line (the wire format in `fact.rs`).
    Jsonl,
    /// One JSON array of the same objects, streamed.
    Json,
    /// CSV with the header [`csv_header`].
    Csv,
    /// Aligned columns for a person at a terminal (buffered: meant for query results).
    Table,
}

/// A sink writing `format` to `target`.
pub fn sink_for(format: Format, target: Target) -> Box<dyn Sink> {
    match format {
        Format::Jsonl => Box::new(JsonlSink::new(target, Target::commit)),
        Format::Json => Box::new(JsonArraySink::new(target, Target::commit)),
        Format::Csv => Box::new(CsvSink::new(target, Target::commit)),
        Format::Table => Box::new(TableSink::new(target, Target::commit)),
    }
}

/// The field columns of CSV output, in this order: the fields of the built-in kinds (`award_win`,
/// `release`, `stream_count`, `collaboration`), each once. A field outside this list (a kind added
/// in a rule folder) goes into the `other_fields` column as a JSON object, so the columns never change
/// with the rule set.
pub const CSV_FIELDS: &[&str] = &[
    "winner",
    "award",
    "ceremony",
    "year",
    "work",
    "artist",
    "work_type",
    "collaborator",
    "role",
    "platform",
    "count",
    "scope",
    "status",
    "date",
];

/// The CSV header: `id, kind, article_id, article_source, article_date`, the [`CSV_FIELDS`],
/// `other_fields`, `evidence, evidence_start, evidence_end, rule, confidence`.
pub fn csv_header() -> Vec<&'static str> {
    let mut h = vec!["id", "kind", "article_id", "article_source", "article_date"];
    h.extend_from_slice(CSV_FIELDS);
    h.extend_from_slice(&[
        "other_fields",
        "evidence",
        "evidence_start",
        "evidence_end",
        "rule",
        "confidence",
    ]);
    h
}

/// One record as CSV cells, matching [`csv_header`]. Absent fields are empty cells.
pub fn csv_row(r: &FactRecord) -> Vec<String> {
    let mut row = vec![
        r.id.clone(),
        r.kind.clone(),
        r.article.id.clone(),
        r.article.source.clone(),
        r.article.date.clone(),
    ];
    row.extend(
        CSV_FIELDS
            .iter()
            .map(|f| r.fields.get(*f).map(cell).unwrap_or_default()),
    );
    let other: serde_json::Map<String, serde_json::Value> = r
        .fields
        .iter()
        .filter(|(k, _)| !CSV_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    row.push(if other.is_empty() {
        String::new()
    } else {
        serde_json::Value::Object(other).to_string()
    });
    row.extend([
        r.evidence.text.clone(),
        r.evidence.start.to_string(),
        r.evidence.end.to_string(),
        r.rule.clone(),
        r.confidence.to_string(),
    ]);
    row
}

/// A JSON value as a cell: strings bare, null empty, anything else as JSON.
pub fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// CSV (RFC 4180 quoting) with the header [`csv_header`], written even when there are no records.
pub struct CsvSink<W: Write> {
    out: Option<csv::Writer<W>>,
    commit: fn(W) -> io::Result<()>,
    header: Option<Vec<String>>,
}

impl<W: Write> CsvSink<W> {
    /// Fact records under the fixed [`csv_header`].
    pub fn new(out: W, commit: fn(W) -> io::Result<()>) -> Self {
        Self::with_header(out, commit, csv_header())
    }

    /// Rows of any shape under `header` (for query results), written with [`CsvSink::write_row`].
    pub fn with_header<T: ToString>(
        out: W,
        commit: fn(W) -> io::Result<()>,
        header: impl IntoIterator<Item = T>,
    ) -> Self {
        CsvSink {
            out: Some(csv::Writer::from_writer(out)),
            commit,
            header: Some(header.into_iter().map(|h| h.to_string()).collect()),
        }
    }

    fn writer(&mut self) -> io::Result<&mut csv::Writer<W>> {
        let w = self
            .out
            .as_mut()
            .ok_or_else(|| io::Error::other("sink already finished"))?;
        if let Some(h) = self.header.take() {
            w.write_record(&h).map_err(csv_io)?;
        }
        Ok(w)
    }

    /// Write one row of cells.
    pub fn write_row<I, T>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer()?.write_record(cells).map_err(csv_io)
    }

    /// Flush and hand back the output (the header is written if no row was).
    pub fn into_inner(mut self) -> io::Result<W> {
        self.writer()?;
        let w = self
            .out
            .take()
            .ok_or_else(|| io::Error::other("sink already finished"))?;
        w.into_inner().map_err(|e| e.into_error())
    }

    /// Flush and commit the output.
    pub fn commit(self) -> io::Result<()> {
        let commit = self.commit;
        commit(self.into_inner()?)
    }
}

fn csv_io(e: csv::Error) -> io::Error {
    if e.is_io_error() {
        match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            _ => io::Error::other("CSV write failed"),
        }
    } else {
        io::Error::other(e.to_string())
    }
}

impl<W: Write> Sink for CsvSink<W> {
    fn write(&mut self, record: &FactRecord) -> io::Result<()> {
        self.write_row(csv_row(record))
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        (*self).commit()
    }
}

/// One JSON array of records, streamed: `[` first, records separated by commas, one per line, `]` on
/// finish. Nothing is buffered beyond the writer's buffer.
pub struct JsonArraySink<W: Write> {
    out: W,
    commit: fn(W) -> io::Result<()>,
    count: usize,
}

impl<W: Write> JsonArraySink<W> {
    pub fn new(out: W, commit: fn(W) -> io::Result<()>) -> Self {
        JsonArraySink {
            out,
            commit,
            count: 0,
        }
    }

    /// Write any serializable value as the next array element.
    pub fn write_value<T: serde::Serialize>(&mut self, value: &T) -> io::Result<()> {
        self.out
            .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
        serde_json::to_writer(&mut self.out, value)?;
        self.count += 1;
        Ok(())
    }

    /// Close the array and hand back the output.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out
            .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for JsonArraySink<W> {
    fn write(&mut self, record: &FactRecord) -> io::Result<()> {
        self.write_value(record)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let commit = self.commit;
        commit(self.into_inner()?)
    }
}

/// The widest a table cell gets before it is cut with `…`.
const TABLE_CELL_CHARS: usize = 48;

/// Fact records as an aligned table, for a person at a terminal: the article date, the fields that
/// any record has (in [`CSV_FIELDS`] order, then other fields), the confidence and the article id.
/// Rows are buffered until `finish`, to size the columns.
pub struct TableSink<W: Write> {
    out: W,
    commit: fn(W) -> io::Result<()>,
    records: Vec<FactRecord>,
}

impl<W: Write> TableSink<W> {
    pub fn new(out: W, commit: fn(W) -> io::Result<()>) -> Self {
        TableSink {
            out,
            commit,
            records: Vec::new(),
        }
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        let mut fields: Vec<String> = CSV_FIELDS
            .iter()
            .filter(|f| self.records.iter().any(|r| r.fields.contains_key(**f)))
            .map(|f| f.to_string())
            .collect();
        for r in &self.records {
            for k in r.fields.keys() {
                if !fields.contains(k) {
                    fields.push(k.clone());
                }
            }
        }
        let mut header = vec!["article_date".to_string()];
        header.extend(fields.iter().cloned());
        header.extend(["confidence".to_string(), "article_id".to_string()]);
        let rows: Vec<Vec<String>> = self
            .records
            .iter()
            .map(|r| {
                let mut row = vec![r.article.date.clone()];
                row.extend(
                    fields
                        .iter()
                        .map(|f| r.fields.get(f).map(cell).unwrap_or_default()),
                );
                row.extend([r.confidence.to_string(), r.article.id.clone()]);
                row
            })
            .collect();
        write_table(&mut self.out, &header, &rows)?;
        Ok(self.out)
    }
}

impl<W: Write> Sink for TableSink<W> {
    fn write(&mut self, record: &FactRecord) -> io::Result<()> {
        self.records.push(record.clone());
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let commit = self.commit;
        commit(self.into_inner()?)
    }
}

/// Write `rows` under `header` as left-aligned columns two spaces apart, with a rule under the header;
/// cells longer than 48 characters are cut with `…`, line breaks become spaces.
pub fn write_table<W: Write>(
    out: &mut W,
    header: &[String],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let fit = |s: &str| -> String {
        let s = s.replace(['\n', '\r', '\t'], " ");
        if s.chars().count() > TABLE_CELL_CHARS {
            let mut t: String = s.chars().take(TABLE_CELL_CHARS - 1).collect();
            t.push('…');
            t
        } else {
            s
        }
    };
    let header: Vec<String> = header.iter().map(|h| fit(h)).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| fit(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |out: &mut W, cells: &[String]| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            s.push_str(c);
            s.extend(std::iter::repeat_n(
                ' ',
                w.saturating_sub(c.chars().count()) + 2,
            ));
        }
        // The last column's padding goes with the trailing spaces.
        writeln!(out, "{}", s.trim_end())
    };
    line(out, &header)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &rule)?;
    for r in &rows {
        line(out, r)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        std::fs::write(&target, "old\n").unwrap();
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"half").unwrap();
            // Dropped without commit: the old file stays, the temporary file goes.
        }
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_target_is_written_in_place_and_a_full_disk_is_an_error() {
        use std::os::unix::fs::FileTypeExt;
        // /dev/full answers every write with ENOSPC; it must stay a device, never be renamed over.
        let mut f = AtomicFile::create(Path::new("/dev/full")).unwrap();
        let err = f
            .write_all(&[b'x'; 1 << 17])
            .and_then(|()| f.flush())
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        drop(f);
        let meta = std::fs::symlink_metadata("/dev/full").unwrap();
        assert!(meta.file_type().is_char_device());
        let mut f = AtomicFile::create(Path::new("/dev/null")).unwrap();
        f.write_all(b"gone\n").unwrap();
        f.commit().unwrap();
        assert!(
            std::fs::symlink_metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_target_keeps_its_link_and_a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        let link = dir.path().join("link.jsonl");
        std::fs::write(&real, "old\n").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut f = AtomicFile::create(&link).unwrap();
        f.write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new\n");
        let err = AtomicFile::create(dir.path()).err().unwrap();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        // Nothing left behind but the two names.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_table_aligns_columns_and_cuts_long_cells() {
        let strings = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let long = "x".repeat(50);
        let rows = [
            strings(&["abc", "y\nz"]),
            strings(&["d", ""]),
            strings(&["e", &long]),
        ];
        let mut out = Vec::new();
        write_table(&mut out, &strings(&["a", "bb"]), &rows).unwrap();
        // Column one is 3 wide, column two 48 (47 x and the ellipsis); two spaces between; no
        // trailing spaces, even after an empty last cell.
        let cut = format!("{}…", "x".repeat(47));
        let want = format!(
            "a    bb\n---  {}\nabc  y z\nd\ne    {cut}\n",
            "-".repeat(48)
        );
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    /// Takes `room` bytes, then fails every write as a full disk does.
    struct FullAfter {
        room: usize,
        taken: Vec<u8>,
    }

    impl Write for FullAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.taken.len() >= self.room {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            let n = buf.len().min(self.room - self.taken.len());
            self.taken.extend_from_slice(&buf[..n]);
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn sample_record(i: usize) -> FactRecord {
        let article = crate::article::Article {
            id: format!("a{i}"),
            source: "test".into(),
            url: None,
            title: None,
            date: chrono::NaiveDate::from_ymd_opt(2024, 2, 5).unwrap(),
            date_source: None,
            text: "Karol G won Best Musica Urbana Album.".into(),
        };
        let mut fields = serde_json::Map::new();
        fields.insert("winner".into(), "Karol G".into());
        let fact = crate::fact::Fact {
            kind: "award_win".into(),
            fields,
            evidence: crate::fact::Evidence {
                text: article.text.clone(),
                start: 0,
                end: 37,
            },
            rule: "awards.toml#won".into(),
            confidence: 0.9,
            explain: None,
        };
        FactRecord::new(&article, fact)
    }

    #[test]
    fn every_sink_reports_a_full_disk_instead_of_dropping_records() {
        fn commit(_: FullAfter) -> io::Result<()> {
            Ok(())
        }
        let full = || FullAfter {
            room: 300,
            taken: Vec::new(),
        };
        let sinks: Vec<(&str, Box<dyn Sink>)> = vec![
            ("jsonl", Box::new(JsonlSink::new(full(), commit))),
            ("json", Box::new(JsonArraySink::new(full(), commit))),
            ("csv", Box::new(CsvSink::new(full(), commit))),
            ("table", Box::new(TableSink::new(full(), commit))),
        ];
        for (name, mut sink) in sinks {
            // 20 records are over 1 KB in every format: the disk fills during the writes or, for
            // buffering sinks, when they are finished; either way the error comes back.
            let wrote = (0..20).try_for_each(|i| sink.write(&sample_record(i)));
            let result = wrote.and_then(|()| sink.finish());
            let err = result.expect_err(name);
            assert_eq!(err.kind(), io::ErrorKind::StorageFull, "{name}: {err}");
        }
    }
}
