//! Crawl state between runs, in SQLite under the archive: per URL what was fetched, when, its
//! validators and content hash; and every fact id emitted, so unchanged content never emits twice.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

const SCHEMA_VERSION: i64 = 1;

/// What the store remembers of one URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PageState {
    pub final_url: Option<String>,
    /// RFC 3339, UTC.
    pub fetched_at: String,
    pub status: Option<u16>,
    /// The outcome key of the last attempt (`fetched`, `not_modified`, `failed`, ...).
    pub outcome: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_hash: Option<String>,
    pub facts_emitted: i64,
}

impl PageState {
    /// Whether the last attempt settled the page (anything but a failure or a robots refusal, which
    /// the next run tries again).
    pub fn settled(&self) -> bool {
        !matches!(self.outcome.as_str(), "failed" | "skipped_robots" | "")
    }
}

pub struct Store {
    conn: Connection,
}

#[derive(Debug, thiserror::Error)]
#[error("crawl state {path}: {source}")]
pub struct StoreError {
    pub path: String,
    #[source]
    pub source: rusqlite::Error,
}

impl Store {
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let err = |source| StoreError {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS pages (
                url TEXT PRIMARY KEY,
                final_url TEXT,
                fetched_at TEXT NOT NULL,
                status INTEGER,
                outcome TEXT NOT NULL,
                etag TEXT,
                last_modified TEXT,
                content_hash TEXT,
                facts_emitted INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE IF NOT EXISTS facts (
                id TEXT PRIMARY KEY,
                url TEXT NOT NULL,
                emitted_at TEXT NOT NULL
            );",
        )
        .map_err(err)?;
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if v == 0 {
            conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))
                .map_err(err)?;
        }
        Ok(Store { conn })
    }

    pub fn page(&self, url: &str) -> rusqlite::Result<Option<PageState>> {
        self.conn
            .query_row(
                "SELECT final_url, fetched_at, status, outcome, etag, last_modified, content_hash, facts_emitted
                 FROM pages WHERE url = ?1",
                [url],
                |r| {
                    Ok(PageState {
                        final_url: r.get(0)?,
                        fetched_at: r.get(1)?,
                        status: r.get(2)?,
                        outcome: r.get(3)?,
                        etag: r.get(4)?,
                        last_modified: r.get(5)?,
                        content_hash: r.get(6)?,
                        facts_emitted: r.get(7)?,
                    })
                },
            )
            .optional()
    }

    /// Which of `ids` were emitted by an earlier run.
    pub fn emitted(&self, ids: &[&str]) -> rusqlite::Result<HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM facts WHERE id = ?1")?;
        let mut seen = HashSet::new();
        for id in ids {
            if stmt.exists([id])? {
                seen.insert((*id).to_string());
            }
        }
        Ok(seen)
    }

    /// Record a run's pages and emitted facts in one transaction: all or nothing.
    pub fn commit_run(
        &mut self,
        pages: &[(String, PageState)],
        facts: &[(String, String)],
        now: &str,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut up = tx.prepare_cached(
                "INSERT INTO pages (url, final_url, fetched_at, status, outcome, etag, last_modified, content_hash, facts_emitted)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(url) DO UPDATE SET final_url = excluded.final_url, fetched_at = excluded.fetched_at,
                   status = excluded.status, outcome = excluded.outcome, etag = excluded.etag,
                   last_modified = excluded.last_modified, content_hash = excluded.content_hash,
                   facts_emitted = pages.facts_emitted + excluded.facts_emitted",
            )?;
            for (url, p) in pages {
                up.execute(params![
                    url,
                    p.final_url,
                    p.fetched_at,
                    p.status,
                    p.outcome,
                    p.etag,
                    p.last_modified,
                    p.content_hash,
                    p.facts_emitted
                ])?;
            }
            let mut ins = tx.prepare_cached(
                "INSERT OR IGNORE INTO facts (id, url, emitted_at) VALUES (?1, ?2, ?3)",
            )?;
            for (id, url) in facts {
                ins.execute(params![id, url, now])?;
            }
        }
        tx.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_facts_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("state.sqlite")).unwrap();
        assert_eq!(s.page("http://x/a").unwrap(), None);
        let p = PageState {
            fetched_at: "2024-01-01T00:00:00Z".into(),
            outcome: "fetched".into(),
            etag: Some("\"v1\"".into()),
            facts_emitted: 2,
            ..Default::default()
        };
        s.commit_run(
            &[("http://x/a".into(), p.clone())],
            &[("f1".into(), "http://x/a".into())],
            "now",
        )
        .unwrap();
        s.commit_run(&[("http://x/a".into(), p.clone())], &[], "now")
            .unwrap();
        let got = s.page("http://x/a").unwrap().unwrap();
        assert_eq!(got.etag.as_deref(), Some("\"v1\""));
        assert_eq!(got.facts_emitted, 4);
        assert!(got.settled());
        let seen = s.emitted(&["f1", "f2"]).unwrap();
        assert_eq!(seen, HashSet::from(["f1".to_string()]));
    }
}
