//! The fact store: here are articles and their facts, keep them in one SQLite file across runs.
//!
//! One file, two tables (schema version [`SCHEMA_VERSION`] in `PRAGMA user_version`):
//!
//! - `articles`: one row per article id: `source`, `url`, `date`, `title`, `content_hash` (SHA-256 of
//!   date and text), `first_seen`, `last_extracted` (UTC, RFC 3339), `rules_version` (the rule-set
//!   hash) and `min_confidence` (the threshold the facts were filtered with).
//! - `facts`: one row per fact id (the stable id of the JSON records, primary key): `kind`,
//!   `article_id`, `fields` (the normalized fields as a JSON object, in output order), `evidence`,
//!   `evidence_start`, `evidence_end`, `rule`, `confidence`, and generated columns read from `fields`
//!   for the fields people query: `winner`, `work`, `artist`, `collaborator`, `platform`, `date`, each
//!   indexed. The name columns compare case-insensitively (`COLLATE NOCASE`, ASCII letters).
//!
//! An article's row and all its facts are written in one transaction, after its old facts are deleted:
//! a crash never leaves an article marked extracted without its facts, and facts that new rules no
//! longer produce disappear. Transactions hold many articles (see [`StoreOptions::batch_articles`]) so
//! that writing costs little next to extraction; the database runs in WAL mode.

use std::cell::RefCell;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::article::Article;
use crate::fact::{ArticleRef, Evidence, FactRecord};

/// The schema this build reads and writes. Bumped on any incompatible change.
pub const SCHEMA_VERSION: i64 = 1;
/// `PRAGMA application_id` of newsfacts stores ("nfct"), so that another program's SQLite file is
/// refused instead of altered.
const APPLICATION_ID: i64 = 0x6e66_6374;

const SCHEMA: &str = "
CREATE TABLE articles (
    id             TEXT PRIMARY KEY NOT NULL,
    source         TEXT NOT NULL,
    url            TEXT,
    date           TEXT NOT NULL,
    title          TEXT,
    content_hash   TEXT NOT NULL,
    first_seen     TEXT NOT NULL,
    last_extracted TEXT NOT NULL,
    rules_version  TEXT NOT NULL,
    min_confidence REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE facts (
    id             TEXT PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL,
    article_id     TEXT NOT NULL REFERENCES articles(id),
    fields         TEXT NOT NULL,
    evidence       TEXT NOT NULL,
    evidence_start INTEGER NOT NULL,
    evidence_end   INTEGER NOT NULL,
    rule           TEXT NOT NULL,
    confidence     REAL NOT NULL,
    winner         TEXT COLLATE NOCASE GENERATED ALWAYS AS (json_extract(fields, '$.winner')) VIRTUAL,
    work           TEXT COLLATE NOCASE GENERATED ALWAYS AS (json_extract(fields, '$.work')) VIRTUAL,
    artist         TEXT COLLATE NOCASE GENERATED ALWAYS AS (json_extract(fields, '$.artist')) VIRTUAL,
    collaborator   TEXT COLLATE NOCASE GENERATED ALWAYS AS (json_extract(fields, '$.collaborator')) VIRTUAL,
    platform       TEXT COLLATE NOCASE GENERATED ALWAYS AS (json_extract(fields, '$.platform')) VIRTUAL,
    date           TEXT GENERATED ALWAYS AS (json_extract(fields, '$.date')) VIRTUAL
);
CREATE INDEX facts_article ON facts(article_id);
CREATE INDEX facts_winner ON facts(winner) WHERE winner IS NOT NULL;
CREATE INDEX facts_work ON facts(work) WHERE work IS NOT NULL;
CREATE INDEX facts_artist ON facts(artist) WHERE artist IS NOT NULL;
CREATE INDEX facts_collaborator ON facts(collaborator) WHERE collaborator IS NOT NULL;
CREATE INDEX facts_platform ON facts(platform) WHERE platform IS NOT NULL;
CREATE INDEX facts_date ON facts(date) WHERE date IS NOT NULL;
";

const SELECT_ARTICLE: &str =
    "SELECT content_hash, rules_version, min_confidence FROM articles WHERE id = ?1";
const DELETE_FACTS: &str = "DELETE FROM facts WHERE article_id = ?1";
const UPSERT_ARTICLE: &str = "
INSERT INTO articles (id, source, url, date, title, content_hash, first_seen, last_extracted,
                      rules_version, min_confidence)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9)
ON CONFLICT (id) DO UPDATE SET
    source = excluded.source, url = excluded.url, date = excluded.date, title = excluded.title,
    content_hash = excluded.content_hash, last_extracted = excluded.last_extracted,
    rules_version = excluded.rules_version, min_confidence = excluded.min_confidence";
const INSERT_FACT: &str = "
INSERT OR REPLACE INTO facts (id, kind, article_id, fields, evidence, evidence_start, evidence_end,
                              rule, confidence)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// The columns a fact query reads, in the order [`record_from_row`] expects.
const FACT_COLUMNS: &str = "f.id, f.kind, f.article_id, a.source, a.date, f.fields, f.evidence, \
     f.evidence_start, f.evidence_end, f.rule, f.confidence";

/// What can go wrong with a store. Every message names the database file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {error}")]
    Sqlite {
        path: String,
        error: rusqlite::Error,
    },
    #[error(
        "{path}: store schema version {found}, but this newsfacts uses version {expected}; \
         extract into a new database file (or use the newsfacts version that wrote it)"
    )]
    SchemaMismatch {
        path: String,
        found: i64,
        expected: i64,
    },
    #[error("{path}: not a newsfacts store (a SQLite file with other tables in it); not touched")]
    Foreign { path: String },
    #[error("{path}: opened for queries only; nothing can be written")]
    ReadOnly { path: String },
    #[error("{path}: {reason}")]
    Thread { path: String, reason: String },
    #[error("{path}: no such store")]
    Missing { path: String },
    #[error("{path}: only read-only statements (SELECT, WITH, EXPLAIN) can be run")]
    NotReadOnly { path: String },
    #[error("{path}: stored fact {id} is damaged: {reason}")]
    Damaged {
        path: String,
        id: String,
        reason: String,
    },
}

/// How a store is written.
#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// Facts below this confidence are not written; it is recorded per article, so that a run with
    /// another threshold re-extracts instead of skipping.
    pub min_confidence: f64,
    /// Articles per transaction.
    pub batch_articles: usize,
    /// A transaction is also committed when it has been open this long, so a crash loses little work.
    pub batch_time: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            min_confidence: 0.0,
            batch_articles: 2000,
            batch_time: Duration::from_secs(2),
        }
    }
}

/// Counts of a store's contents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreCounts {
    pub articles: u64,
    pub facts: u64,
}

/// A fact store open for writing (or, through [`Store::open_read_only`], for queries).
///
/// Writes go to a thread of their own that owns the write connection, so that storing one chunk of
/// articles overlaps extracting the next. Reads ([`Store::should_extract`], queries) use a second
/// connection on the caller's thread (WAL lets it read beside the writer). Methods take `&self`, so one
/// store can answer `should_extract` while articles are read and take `write_article` calls as
/// results arrive, in the same loop.
pub struct Store {
    reader: Connection,
    /// `None` for a read-only store, and once the writer has been stopped.
    writer: RefCell<Option<Writer>>,
    path: String,
    rules_version: String,
    opts: StoreOptions,
}

/// The writer thread's end of the store.
struct Writer {
    send: SyncSender<WriterMsg>,
    thread: std::thread::JoinHandle<Result<(), StoreError>>,
}

enum WriterMsg {
    Article(ArticleRow, Vec<FactRecord>),
    /// Commit the open batch, then answer.
    Commit(SyncSender<()>),
}

/// What the articles table keeps of an article.
struct ArticleRow {
    id: String,
    source: String,
    url: Option<String>,
    date: String,
    title: Option<String>,
    hash: String,
}

/// Articles queued for the writer thread: enough to cover a pipeline chunk, bounded for memory.
const WRITER_QUEUE: usize = 1024;

/// SHA-256 (first 16 bytes, hex) of what extraction depends on: the article's date and text.
pub fn content_hash(article: &Article) -> String {
    let mut h = Sha256::new();
    h.update(article.date.to_string().as_bytes());
    h.update([0]);
    h.update(article.text.as_bytes());
    crate::rules::hex(&h.finalize()[..16])
}

impl Store {
    /// Open (or create) a store for writing facts extracted with the rule set of version `rules_version`.
    pub fn open(path: &Path, rules_version: &str, opts: StoreOptions) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| sqlite(&p, e))?;
        init(&conn, &p)?;
        let reader = open_reader(path, &p)?;
        let (send, recv) = std::sync::mpsc::sync_channel(WRITER_QUEUE);
        let state = WriterState {
            conn,
            path: p.clone(),
            rules_version: rules_version.to_string(),
            opts,
            pending: 0,
            started: None,
            now: String::new(),
        };
        let thread = std::thread::Builder::new()
            .name("newsfacts-store".into())
            .spawn(move || state.run(recv))
            .map_err(|e| StoreError::Thread {
                path: p.clone(),
                reason: e.to_string(),
            })?;
        Ok(Store {
            reader,
            writer: RefCell::new(Some(Writer { send, thread })),
            path: p,
            rules_version: rules_version.to_string(),
            opts,
        })
    }

    /// Open an existing store for queries only: nothing can be written through it.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let p = path.display().to_string();
        if !path.exists() {
            return Err(StoreError::Missing { path: p });
        }
        let reader = open_reader(path, &p)?;
        let (version, app, _) = header(&reader).map_err(|e| sqlite(&p, e))?;
        check_header(&p, version, app)?;
        reader
            .pragma_update(None, "query_only", true)
            .map_err(|e| sqlite(&p, e))?;
        Ok(Store {
            reader,
            writer: RefCell::new(None),
            path: p,
            rules_version: String::new(),
            opts: StoreOptions::default(),
        })
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn sql<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        f(&self.reader).map_err(|e| sqlite(&self.path, e))
    }

    /// Whether `article` needs extracting: false when the store holds it with the same content hash,
    /// rule-set version and confidence threshold (its facts would come out the same). Only committed
    /// batches count.
    pub fn should_extract(&self, article: &Article) -> Result<bool, StoreError> {
        let stored: Option<(String, String, f64)> = self.sql(|c| {
            c.prepare_cached(SELECT_ARTICLE)?
                .query_row([&article.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()
        })?;
        Ok(match stored {
            Some((stored_hash, version, min_conf)) => {
                stored_hash != content_hash(article)
                    || version != self.rules_version
                    || min_conf != self.opts.min_confidence
            }
            None => true,
        })
    }

    /// Record `article` as extracted with exactly `records` as its facts (those under the store's
    /// confidence threshold left out), replacing whatever the store held for it. Queued for the writer
    /// thread; committed with its batch. An error of the writer thread surfaces here or in `finish`.
    pub fn write_article(
        &self,
        article: &Article,
        records: Vec<FactRecord>,
    ) -> Result<(), StoreError> {
        // Hashed again rather than kept from `should_extract`: it costs little next to extraction,
        // and a kept hash could go to another article of the same id in the same chunk.
        let row = ArticleRow {
            id: article.id.clone(),
            source: article.source.clone(),
            url: article.url.clone(),
            date: article.date.to_string(),
            title: article.title.clone(),
            hash: content_hash(article),
        };
        self.send(WriterMsg::Article(row, records))
    }

    fn send(&self, msg: WriterMsg) -> Result<(), StoreError> {
        let sent = match &*self.writer.borrow() {
            Some(w) => w.send.send(msg).is_ok(),
            None => {
                return Err(StoreError::ReadOnly {
                    path: self.path.clone(),
                });
            }
        };
        if sent {
            Ok(())
        } else {
            // The writer thread stopped on an error: collect it.
            Err(self.stop_writer().err().unwrap_or(StoreError::Thread {
                path: self.path.clone(),
                reason: "the writer stopped".into(),
            }))
        }
    }

    /// Close the writer's queue and wait for it to commit and stop; its error, if it had one.
    fn stop_writer(&self) -> Result<(), StoreError> {
        let Some(w) = self.writer.borrow_mut().take() else {
            return Ok(());
        };
        drop(w.send);
        w.thread.join().map_err(|_| StoreError::Thread {
            path: self.path.clone(),
            reason: "the writer panicked".into(),
        })?
    }

    /// Commit everything written so far, and wait until it is committed.
    pub fn commit(&self) -> Result<(), StoreError> {
        let (ack, done) = std::sync::mpsc::sync_channel(1);
        self.send(WriterMsg::Commit(ack))?;
        done.recv().map_err(|_| StoreError::Thread {
            path: self.path.clone(),
            reason: "the writer stopped before committing".into(),
        })
    }

    /// Commit the last batch, stop the writer and return what the store holds. A store dropped
    /// without `finish` still commits what it was given (each article whole, with its facts).
    pub fn finish(self) -> Result<StoreCounts, StoreError> {
        self.stop_writer()?;
        self.counts()
    }

    /// How many articles and facts the store holds.
    pub fn counts(&self) -> Result<StoreCounts, StoreError> {
        self.sql(|c| {
            let articles: i64 = c.query_row("SELECT count(*) FROM articles", [], |r| r.get(0))?;
            let facts: i64 = c.query_row("SELECT count(*) FROM facts", [], |r| r.get(0))?;
            Ok(StoreCounts {
                articles: articles as u64,
                facts: facts as u64,
            })
        })
    }

    /// Run a fact query; `each` gets the matching facts as records (the wire format of `extract`),
    /// in the query's documented order. Returns how many there were.
    pub fn query_facts<E: From<StoreError>>(
        &self,
        query: &FactQuery,
        mut each: impl FnMut(FactRecord) -> Result<(), E>,
    ) -> Result<usize, E> {
        let (filter, order, args) = query.sql();
        let sql = format!(
            "SELECT {FACT_COLUMNS} FROM facts f JOIN articles a ON a.id = f.article_id \
             WHERE {filter} ORDER BY {order}"
        );
        let mut stmt = self
            .reader
            .prepare(&sql)
            .map_err(|e| sqlite(&self.path, e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(args.iter()))
            .map_err(|e| sqlite(&self.path, e))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(|e| sqlite(&self.path, e))? {
            each(self.record_from_row(row)?)?;
            n += 1;
        }
        Ok(n)
    }

    fn record_from_row(&self, row: &rusqlite::Row<'_>) -> Result<FactRecord, StoreError> {
        let get = |e| sqlite(&self.path, e);
        let id: String = row.get(0).map_err(get)?;
        let fields: String = row.get(5).map_err(get)?;
        let fields: Map<String, Value> =
            serde_json::from_str(&fields).map_err(|e| StoreError::Damaged {
                path: self.path.clone(),
                id: id.clone(),
                reason: format!("fields are not a JSON object: {e}"),
            })?;
        let start: i64 = row.get(7).map_err(get)?;
        let end: i64 = row.get(8).map_err(get)?;
        Ok(FactRecord {
            id,
            kind: row.get(1).map_err(get)?,
            article: ArticleRef {
                id: row.get(2).map_err(get)?,
                source: row.get(3).map_err(get)?,
                date: row.get(4).map_err(get)?,
            },
            fields,
            evidence: Evidence {
                text: row.get(6).map_err(get)?,
                start: start.max(0) as usize,
                end: end.max(0) as usize,
            },
            rule: row.get(9).map_err(get)?,
            confidence: row.get(10).map_err(get)?,
            explain: None,
        })
    }

    /// Run one read-only SQL statement; `each` gets the column names first, then every row as JSON
    /// values (text, integer, real, null; blobs as lowercase hex). Returns the number of rows.
    pub fn query_sql<E: From<StoreError>>(
        &self,
        sql: &str,
        mut each: impl FnMut(SqlRow<'_>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let mut stmt = self
            .reader
            .prepare(sql)
            .map_err(|e| sqlite(&self.path, e))?;
        if !stmt.readonly() {
            return Err(StoreError::NotReadOnly {
                path: self.path.clone(),
            }
            .into());
        }
        let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        each(SqlRow::Columns(&names))?;
        let mut rows = stmt.query([]).map_err(|e| sqlite(&self.path, e))?;
        let mut n = 0;
        while let Some(row) = rows.next().map_err(|e| sqlite(&self.path, e))? {
            let mut values = Vec::with_capacity(names.len());
            for i in 0..names.len() {
                use rusqlite::types::ValueRef;
                let v = row.get_ref(i).map_err(|e| sqlite(&self.path, e))?;
                values.push(match v {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::from(i),
                    ValueRef::Real(f) => Value::from(f),
                    ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::from(crate::rules::hex(b)),
                });
            }
            each(SqlRow::Values(values))?;
            n += 1;
        }
        Ok(n)
    }
}

/// What [`Store::query_sql`] hands out: the column names once, then each row.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlRow<'a> {
    Columns(&'a [String]),
    Values(Vec<Value>),
}

impl Drop for Store {
    fn drop(&mut self) {
        // Let the writer commit what it was given rather than lose it with the process.
        let _ = self.stop_writer();
    }
}

/// The writer thread: owns the write connection and the open batch transaction.
struct WriterState {
    conn: Connection,
    path: String,
    rules_version: String,
    opts: StoreOptions,
    /// Articles in the open transaction, and when it began (`None`: no transaction open).
    pending: usize,
    started: Option<Instant>,
    /// The time recorded as `first_seen`/`last_extracted` for the open batch.
    now: String,
}

impl WriterState {
    fn run(mut self, recv: Receiver<WriterMsg>) -> Result<(), StoreError> {
        for msg in recv {
            match msg {
                WriterMsg::Article(row, records) => {
                    self.write(&row, &records)?;
                    let old = self
                        .started
                        .is_some_and(|t| t.elapsed() >= self.opts.batch_time);
                    if self.pending >= self.opts.batch_articles || old {
                        self.commit()?;
                    }
                }
                WriterMsg::Commit(ack) => {
                    self.commit()?;
                    let _ = ack.send(());
                }
            }
        }
        self.commit()?;
        // Fold the WAL back into the main file so the store is one file at rest.
        self.sql(|c| c.pragma_update(None, "wal_checkpoint", "TRUNCATE"))
    }

    fn sql<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        f(&self.conn).map_err(|e| sqlite(&self.path, e))
    }

    fn write(&mut self, a: &ArticleRow, records: &[FactRecord]) -> Result<(), StoreError> {
        if self.started.is_none() {
            self.sql(|c| c.execute_batch("BEGIN IMMEDIATE"))?;
            self.started = Some(Instant::now());
            self.now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        }
        self.sql(|c| {
            c.prepare_cached(DELETE_FACTS)?.execute([&a.id])?;
            c.prepare_cached(UPSERT_ARTICLE)?.execute(params![
                a.id,
                a.source,
                a.url,
                a.date,
                a.title,
                a.hash,
                self.now,
                self.rules_version,
                self.opts.min_confidence,
            ])?;
            let mut insert = c.prepare_cached(INSERT_FACT)?;
            for r in records
                .iter()
                .filter(|r| r.confidence >= self.opts.min_confidence)
            {
                let fields = serde_json::to_string(&r.fields)
                    .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
                insert.execute(params![
                    r.id,
                    r.kind,
                    a.id,
                    fields,
                    r.evidence.text,
                    r.evidence.start as i64,
                    r.evidence.end as i64,
                    r.rule,
                    r.confidence,
                ])?;
            }
            Ok(())
        })?;
        self.pending += 1;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.started.is_some() {
            self.sql(|c| c.execute_batch("COMMIT"))?;
            self.started = None;
            self.pending = 0;
        }
        Ok(())
    }
}

/// A read-only connection: the skip check and queries, beside the writer thread's connection.
fn open_reader(path: &Path, p: &str) -> Result<Connection, StoreError> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sqlite(p, e))
}

/// Create the schema in a new file, or check an existing one's header.
fn init(conn: &Connection, path: &str) -> Result<(), StoreError> {
    let err = |e| sqlite(path, e);
    conn.busy_timeout(Duration::from_secs(30)).map_err(err)?;
    let (version, app, tables) = header(conn).map_err(err)?;
    let fresh = version == 0 && app == 0 && tables == 0;
    if !fresh {
        check_header(path, version, app)?;
    }
    // WAL: readers (queries, the skip check) run beside the writer, and a commit is one sequential
    // append. synchronous=NORMAL in WAL mode loses no committed transaction when the process dies.
    // A larger auto-checkpoint interval copies each hot page back to the main file less often.
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(err)?;
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(err)?;
    conn.pragma_update(None, "cache_size", -65536)
        .map_err(err)?;
    conn.pragma_update(None, "wal_autocheckpoint", 8192)
        .map_err(err)?;
    if fresh {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id = {APPLICATION_ID}; \
             PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// `user_version`, `application_id` and the number of schema objects.
fn header(c: &Connection) -> rusqlite::Result<(i64, i64, i64)> {
    let version: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let app: i64 = c.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = c.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok((version, app, tables))
}

fn check_header(path: &str, version: i64, app: i64) -> Result<(), StoreError> {
    if app != APPLICATION_ID {
        return Err(StoreError::Foreign {
            path: path.to_string(),
        });
    }
    if version != SCHEMA_VERSION {
        return Err(StoreError::SchemaMismatch {
            path: path.to_string(),
            found: version,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

fn sqlite(path: &str, error: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_string(),
        error,
    }
}

/// The questions `newsfacts query` answers. Names match case-insensitively (ASCII letters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactQuery {
    /// Award wins of an artist (the `winner` field), by year, then ceremony and award.
    Wins { artist: String },
    /// Releases dated within `[from, to]` (either end open), optionally of one artist, by date.
    /// A reduced-precision date (`2023-07`, `2023`) is in range when its period overlaps it.
    Releases {
        from: Option<String>,
        to: Option<String>,
        artist: Option<String>,
    },
    /// Stream-count milestones of a work, by article date then count.
    Streams { work: String },
    /// Collaborations on a work, by collaborator.
    Collaborators { work: String },
}

impl FactQuery {
    /// The WHERE clause, ORDER BY clause and parameters.
    fn sql(&self) -> (String, &'static str, Vec<String>) {
        match self {
            FactQuery::Wins { artist } => (
                "f.kind = 'award_win' AND f.winner = ?1".into(),
                "json_extract(f.fields, '$.year'), json_extract(f.fields, '$.ceremony'), \
                 json_extract(f.fields, '$.award'), a.date, f.article_id, f.evidence_start, f.id",
                vec![artist.clone()],
            ),
            FactQuery::Releases { from, to, artist } => {
                let mut filter = vec!["f.kind = 'release'".to_string()];
                let mut args = Vec::new();
                // A date is a prefix-precision string, so comparing it with the bound cut to its own
                // length tests for overlap; the first term keeps the index range usable.
                if let Some(from) = from {
                    args.push(from.clone());
                    let n = args.len();
                    filter.push(format!(
                        "f.date >= substr(?{n}, 1, 4) AND f.date >= substr(?{n}, 1, length(f.date))"
                    ));
                }
                if let Some(to) = to {
                    args.push(to.clone());
                    let n = args.len();
                    filter.push(format!(
                        "f.date <= ?{n} || '~' AND substr(f.date, 1, min(length(f.date), length(?{n}))) \
                         <= substr(?{n}, 1, min(length(f.date), length(?{n})))"
                    ));
                }
                if let Some(artist) = artist {
                    args.push(artist.clone());
                    filter.push(format!("f.artist = ?{}", args.len()));
                }
                (
                    filter.join(" AND "),
                    "f.date, f.work, a.date, f.article_id, f.evidence_start, f.id",
                    args,
                )
            }
            FactQuery::Streams { work } => (
                "f.kind = 'stream_count' AND f.work = ?1".into(),
                "a.date, json_extract(f.fields, '$.count'), f.platform, f.article_id, \
                 f.evidence_start, f.id",
                vec![work.clone()],
            ),
            FactQuery::Collaborators { work } => (
                "f.kind = 'collaboration' AND f.work = ?1".into(),
                "f.collaborator, json_extract(f.fields, '$.role'), a.date, f.article_id, f.evidence_start, f.id",
                vec![work.clone()],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Fact;
    use chrono::NaiveDate;

    fn article(id: &str, text: &str) -> Article {
        Article {
            id: id.into(),
            source: format!("{id}.txt"),
            url: None,
            title: None,
            date: NaiveDate::from_ymd_opt(2024, 6, 15).unwrap(),
            date_source: None,
            text: text.into(),
        }
    }

    fn record(a: &Article, kind: &str, fields: Value) -> FactRecord {
        let Value::Object(fields) = fields else {
            panic!("fields must be an object")
        };
        let fact = Fact {
            kind: kind.into(),
            fields,
            evidence: Evidence {
                text: a.text.clone(),
                start: 0,
                end: a.text.chars().count(),
            },
            rule: "test#r".into(),
            confidence: 0.9,
            explain: None,
        };
        FactRecord::new(a, fact)
    }

    fn all(store: &Store, q: FactQuery) -> Vec<FactRecord> {
        let mut out = Vec::new();
        store
            .query_facts(&q, |r| -> Result<(), StoreError> {
                out.push(r);
                Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn rewrite_replaces_an_articles_facts_and_skips_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("f.db");
        let a = article("a", "X released Y.");
        let r1 = record(
            &a,
            "release",
            serde_json::json!({"work": "Y", "date": "2024-06"}),
        );
        let r2 = record(
            &a,
            "release",
            serde_json::json!({"work": "Z", "date": "2023"}),
        );
        let store = Store::open(&db, "v1", StoreOptions::default()).unwrap();
        assert!(store.should_extract(&a).unwrap());
        store
            .write_article(&a, vec![r1.clone(), r2.clone()])
            .unwrap();
        store
            .write_article(&a, vec![r1.clone(), r2.clone()])
            .unwrap();
        assert_eq!(
            store.finish().unwrap(),
            StoreCounts {
                articles: 1,
                facts: 2
            }
        );

        let store = Store::open(&db, "v1", StoreOptions::default()).unwrap();
        assert!(!store.should_extract(&a).unwrap());
        let changed = article("a", "X released Y!");
        assert!(store.should_extract(&changed).unwrap());
        drop(store);
        // New rules: the article is due again, and its rewrite drops the fact no longer produced.
        let store = Store::open(&db, "v2", StoreOptions::default()).unwrap();
        assert!(store.should_extract(&a).unwrap());
        store.write_article(&a, vec![r1.clone()]).unwrap();
        store.commit().unwrap();
        let got = all(
            &store,
            FactQuery::Releases {
                from: None,
                to: None,
                artist: None,
            },
        );
        assert_eq!(got, vec![r1]);
        assert!(!store.should_extract(&a).unwrap());
    }

    #[test]
    fn an_article_is_stored_with_its_own_hash_when_another_shares_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("f.db"), "v", StoreOptions::default()).unwrap();
        let (a1, a2) = (article("a", "First text."), article("a", "Second text."));
        // Both checked before either is written, as a pipeline chunk does.
        assert!(store.should_extract(&a1).unwrap());
        assert!(store.should_extract(&a2).unwrap());
        store.write_article(&a1, Vec::new()).unwrap();
        store.commit().unwrap();
        assert!(!store.should_extract(&a1).unwrap());
        assert!(store.should_extract(&a2).unwrap());
    }

    #[test]
    fn date_ranges_overlap_reduced_precision_dates() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("f.db"), "v", StoreOptions::default()).unwrap();
        let a = article("a", "text");
        let recs: Vec<FactRecord> = ["2023", "2023-06", "2023-07-14", "2023-08-01", "2024-01"]
            .iter()
            .map(|d| record(&a, "release", serde_json::json!({"work": d, "date": d})))
            .collect();
        store.write_article(&a, recs).unwrap();
        store.commit().unwrap();
        let dates = |from: Option<&str>, to: Option<&str>| -> Vec<String> {
            all(
                &store,
                FactQuery::Releases {
                    from: from.map(String::from),
                    to: to.map(String::from),
                    artist: None,
                },
            )
            .into_iter()
            .map(|r| r.fields["date"].as_str().unwrap().to_string())
            .collect()
        };
        // 2023 (the whole year) and 2023-07-14 overlap July 2023; 2023-06 and 2023-08-01 do not.
        assert_eq!(
            dates(Some("2023-07-01"), Some("2023-07-31")),
            ["2023", "2023-07-14"]
        );
        assert_eq!(
            dates(Some("2023-06-30"), None),
            ["2023", "2023-06", "2023-07-14", "2023-08-01", "2024-01"]
        );
        assert_eq!(dates(None, Some("2023-06")), ["2023", "2023-06"]);
        assert_eq!(
            dates(Some("2023-07"), Some("2023-07")),
            ["2023", "2023-07-14"]
        );
        assert_eq!(dates(Some("2024"), Some("2024")), ["2024-01"]);
    }

    #[test]
    fn refuses_foreign_files_and_other_schema_versions() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("other.db");
        let c = Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE t(x)").unwrap();
        drop(c);
        let e = Store::open(&foreign, "v", StoreOptions::default())
            .err()
            .unwrap();
        assert!(matches!(e, StoreError::Foreign { .. }), "{e}");

        let db = dir.path().join("f.db");
        Store::open(&db, "v", StoreOptions::default())
            .unwrap()
            .finish()
            .unwrap();
        let c = Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        drop(c);
        let e = Store::open(&db, "v", StoreOptions::default())
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: store schema version 99, but this newsfacts uses version 1; extract into a \
                 new database file (or use the newsfacts version that wrote it)",
                db.display()
            )
        );
        let e = Store::open_read_only(&dir.path().join("none.db"))
            .err()
            .unwrap();
        assert!(matches!(e, StoreError::Missing { .. }));
    }

    #[test]
    fn sql_queries_are_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("f.db");
        let store = Store::open(&db, "v", StoreOptions::default()).unwrap();
        let a = article("a", "t");
        store
            .write_article(
                &a,
                vec![record(
                    &a,
                    "award_win",
                    serde_json::json!({"winner": "BTS", "year": 2020}),
                )],
            )
            .unwrap();
        store.finish().unwrap();
        let ro = Store::open_read_only(&db).unwrap();
        let mut cols = Vec::new();
        let mut rows = Vec::new();
        ro.query_sql(
            "SELECT winner, json_extract(fields, '$.year') AS year FROM facts WHERE winner = 'bts'",
            |r| -> Result<(), StoreError> {
                match r {
                    SqlRow::Columns(c) => cols = c.to_vec(),
                    SqlRow::Values(v) => rows.push(v),
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(cols, ["winner", "year"]);
        assert_eq!(rows, vec![vec![Value::from("BTS"), Value::from(2020)]]);
        let e = ro.query_sql("DELETE FROM facts", |_| Ok(())).err().unwrap();
        assert!(matches!(e, StoreError::NotReadOnly { .. }), "{e}");
    }
}
