//! The page archive: every fetched page's raw bytes (gzip), headers, final URL and fetch time, named
//! by the SHA-256 of the bytes. No URL ever becomes a path.
//!
//! ```text
//! ARCHIVE/newsfacts-archive.json          marker: {"format": "newsfacts-archive", "version": 1}
//! ARCHIVE/objects/ab/abcd….html.gz        the body as received (after transfer decoding)
//! ARCHIVE/objects/ab/abcd….json           PageMeta: url, final_url, fetched_at, status, headers
//! ARCHIVE/state.sqlite                    crawl state (see `store`)
//! ARCHIVE/.lock                           held while a fetch or crawl runs
//! ```
//! `extract ARCHIVE` re-extracts the latest version of every archived URL without fetching.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::reader::{InputError, Location, ReadEvent, ReadOptions};
use crate::sink::AtomicFile;

pub const MARKER: &str = "newsfacts-archive.json";
const FORMAT: &str = "newsfacts-archive";
/// Largest archived body decompressed when reading back (a corrupt or hostile gzip stays bounded).
const MAX_INFLATED: u64 = 256 << 20;

/// What is kept beside each archived body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PageMeta {
    pub sha256: String,
    /// The URL as requested (the page's identity: article id and state key).
    pub url: String,
    /// Where the redirects ended.
    pub final_url: String,
    /// RFC 3339, UTC.
    pub fetched_at: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl PageMeta {
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::rules::hex(&Sha256::digest(bytes))
}

pub struct Archive {
    root: PathBuf,
    /// Held while writing: an [`AtomicFile`]'s temporary name is per process, and two workers may
    /// store the same content-addressed object at once (the run lock keeps other processes out).
    writing: Mutex<()>,
}

#[derive(Serialize, Deserialize)]
struct Marker {
    format: String,
    version: u32,
}

/// Whether `dir` is a newsfacts archive (it has the marker file).
pub fn is_archive(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

impl Archive {
    /// Open or create the archive at `root`. A non-empty directory that is not an archive is refused,
    /// so a typo cannot scatter objects into some other folder.
    pub fn open(root: &Path) -> io::Result<Archive> {
        fs::create_dir_all(root)?;
        let marker = root.join(MARKER);
        if !marker.is_file() {
            if fs::read_dir(root)?.next().is_some() {
                return Err(io::Error::other(format!(
                    "{} is not empty and is not a newsfacts archive (no {MARKER})",
                    root.display()
                )));
            }
            let m = serde_json::to_vec(&Marker {
                format: FORMAT.into(),
                version: 1,
            })?;
            write_atomic(&marker, &m)?;
        }
        Ok(Archive {
            root: root.to_path_buf(),
            writing: Mutex::new(()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn object_base(&self, sha: &str) -> PathBuf {
        self.root.join("objects").join(&sha[..2]).join(sha)
    }

    /// Store a body and its meta; the body is written once per content, the meta updated.
    pub fn put(&self, body: &[u8], meta: &PageMeta) -> io::Result<()> {
        let base = self.object_base(&meta.sha256);
        let gz = base.with_extension("html.gz");
        // Compressed before taking the lock, so workers only queue for the file writes.
        let packed = if gz.is_file() {
            None
        } else {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(body)?;
            Some(enc.finish()?)
        };
        let meta_json = serde_json::to_vec_pretty(meta)?;
        let _turn = super::lock(&self.writing);
        if let Some(dir) = base.parent() {
            fs::create_dir_all(dir)?;
        }
        // Two workers storing the same bytes at once both write them: the second rename is harmless.
        if let Some(packed) = packed {
            write_atomic(&gz, &packed)?;
        }
        write_atomic(&base.with_extension("json"), &meta_json)
    }

    /// The body stored under a content hash.
    pub fn get(&self, sha: &str) -> io::Result<Vec<u8>> {
        if sha.len() < 3 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(io::Error::other("not a content hash"));
        }
        read_gz(&self.object_base(sha).with_extension("html.gz"))
    }
}

fn read_gz(path: &Path) -> io::Result<Vec<u8>> {
    let f = File::open(path)?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(f)
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut out)?;
    if out.len() as u64 > MAX_INFLATED {
        return Err(io::Error::other("archived body inflates past 256 MiB"));
    }
    Ok(out)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// The archive as reader input: the latest archived version of each URL, in URL order, as articles.
pub fn read_archive(root: PathBuf, opts: ReadOptions) -> impl Iterator<Item = ReadEvent> {
    let mut latest: BTreeMap<String, (PageMeta, PathBuf)> = BTreeMap::new();
    let mut errors = Vec::new();
    let walk = walkdir::WalkDir::new(root.join("objects"))
        .follow_links(false)
        .sort_by_file_name();
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(failed(&root.display().to_string(), e.to_string()));
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let meta: PageMeta = match fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
        {
            Ok(m) => m,
            Err(e) => {
                errors.push(failed(
                    &path.display().to_string(),
                    format!("bad page meta: {e}"),
                ));
                continue;
            }
        };
        let newer = latest
            .get(&meta.url)
            .is_none_or(|(m, _)| m.fetched_at < meta.fetched_at);
        if newer {
            let body = path.with_extension("html.gz");
            latest.insert(meta.url.clone(), (meta, body));
        }
    }
    errors.into_iter().chain(
        latest
            .into_values()
            .flat_map(move |(meta, body)| archived_article(&meta, &body, &opts)),
    )
}

fn archived_article(meta: &PageMeta, body: &Path, opts: &ReadOptions) -> Vec<ReadEvent> {
    let bytes = match read_gz(body) {
        Ok(b) => b,
        Err(e) => return vec![failed(&body.display().to_string(), e.to_string())],
    };
    let charset = meta.content_type().and_then(super::page::charset_of);
    match super::page::page_to_article(
        &bytes,
        &meta.url,
        &meta.final_url,
        Some(&meta.final_url),
        charset,
        opts.default_date,
    ) {
        Ok(a) if super::page::looks_like_wall(&a.text) => vec![ReadEvent::Warning(InputError {
            location: Location {
                path: meta.url.clone(),
                line: None,
            },
            reason: "looks like a consent or paywall page; not mined".into(),
        })],
        Ok(a) => vec![ReadEvent::Article(a)],
        Err(e) => vec![failed(&meta.url, e)],
    }
}

fn failed(path: &str, reason: String) -> ReadEvent {
    ReadEvent::Failed(InputError {
        location: Location {
            path: path.to_string(),
            line: None,
        },
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_and_read_back_latest() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::open(dir.path()).unwrap();
        assert!(is_archive(dir.path()));
        let page = |text: &str| {
            format!(
                "<meta property=\"article:published_time\" content=\"2024-03-01\"><p>{text}</p>"
            )
        };
        for (i, text) in ["Old text.", "New text."].iter().enumerate() {
            let body = page(text);
            let sha = sha256_hex(body.as_bytes());
            let meta = PageMeta {
                sha256: sha.clone(),
                url: "http://x/a".into(),
                final_url: "http://x/a2".into(),
                fetched_at: format!("2024-03-0{}T00:00:00Z", i + 1),
                status: 200,
                headers: vec![("content-type".into(), "text/html".into())],
            };
            a.put(body.as_bytes(), &meta).unwrap();
            assert_eq!(a.get(&sha).unwrap(), body.as_bytes());
        }
        let events: Vec<_> =
            read_archive(dir.path().to_path_buf(), ReadOptions::default()).collect();
        assert_eq!(events.len(), 1);
        match &events[0] {
            ReadEvent::Article(art) => {
                assert_eq!(art.id, "http://x/a");
                assert_eq!(art.source, "http://x/a2");
                assert_eq!(art.text, "New text.");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn workers_storing_the_same_page_at_once_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let a = Archive::open(dir.path()).unwrap();
        let body = b"<p>Same syndicated story on two hosts.</p>";
        let sha = sha256_hex(body);
        std::thread::scope(|s| {
            for i in 0..8 {
                let (a, sha) = (&a, sha.clone());
                s.spawn(move || {
                    let meta = PageMeta {
                        sha256: sha,
                        url: format!("http://h{i}.test/a"),
                        final_url: format!("http://h{i}.test/a"),
                        fetched_at: "2024-03-01T00:00:00Z".into(),
                        status: 200,
                        headers: Vec::new(),
                    };
                    a.put(body, &meta).unwrap();
                });
            }
        });
        assert_eq!(a.get(&sha).unwrap(), body);
        // Only the object and its meta remain: no temporary file is left behind.
        let files = fs::read_dir(dir.path().join("objects").join(&sha[..2]))
            .unwrap()
            .count();
        assert_eq!(files, 2);
    }

    #[test]
    fn a_foreign_non_empty_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "x").unwrap();
        assert!(Archive::open(dir.path()).is_err());
    }
}
