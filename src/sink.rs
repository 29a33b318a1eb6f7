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
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
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
            target: target.to_path_buf(),
            tmp,
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    pub fn commit(mut self) -> io::Result<()> {
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
        }
        std::fs::rename(&self.tmp, &self.target)
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
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// JSON Lines: one record per line.
pub struct JsonlSink<W: Write> {
    out: W,
    commit: fn(W) -> io::Result<()>,
}

impl JsonlSink<BufWriter<io::Stdout>> {
    pub fn stdout() -> Self {
        JsonlSink {
            out: BufWriter::with_capacity(1 << 16, io::stdout()),
            commit: |mut w| w.flush(),
        }
    }
}

impl JsonlSink<AtomicFile> {
    pub fn file(path: &Path) -> io::Result<Self> {
        Ok(JsonlSink {
            out: AtomicFile::create(path)?,
            commit: AtomicFile::commit,
        })
    }
}

impl JsonlSink<Vec<u8>> {
    /// In memory, for tests and embedding.
    pub fn memory() -> Self {
        JsonlSink {
            out: Vec::new(),
            commit: |_| Ok(()),
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }
}

impl<W: Write> JsonlSink<W> {
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
}
