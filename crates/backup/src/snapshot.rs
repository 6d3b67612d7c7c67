//! A consistent copy of a running server's data directory, made without any key.
//!
//! Databases are copied as files, still encrypted under their own keys: a mailbox is keyed
//! by its owner, so the server could not use SQLite's backup API on it even if it wanted
//! to. A database and its WAL are copied together and the copy is kept only if neither
//! changed while it was made (length, modification time and inode before and after);
//! otherwise it is retried. SQLite ignores a torn WAL tail, so a copy taken between two
//! commits opens exactly like the original did at that moment.
//!
//! Order matters: spool files first, databases last. A message merged from the spool into
//! its mailbox while the snapshot runs is then in the spool copy, the mailbox copy, or
//! both — never neither — and the merge is idempotent (by spool id), so a restore neither
//! loses nor duplicates it.

use crate::manifest::{Counts, FileEntry};
use crate::{BackupError, Result};
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const COPY_ATTEMPTS: u32 = 40;

pub struct Snapshot {
    pub files: Vec<FileEntry>,
    pub counts: Counts,
}

/// Copies `data` into `staging` (which must not exist), skipping `exclude` (the backup
/// directory itself when it lives inside the data directory) and temp files (dot files).
pub fn take(data: &Path, staging: &Path, exclude: &[PathBuf]) -> Result<Snapshot> {
    fs::create_dir_all(staging).map_err(BackupError::io(staging))?;
    let mut all = Vec::new();
    walk(data, data, exclude, &mut all)?;
    // Spool first, databases (and their WALs) last; see the module comment.
    let rank = |p: &str| {
        if p.starts_with("spool/") {
            0
        } else if is_database(p) {
            2
        } else {
            1
        }
    };
    all.sort_by_key(|p| (rank(p), p.clone()));
    let mut snapshot = Snapshot { files: Vec::new(), counts: Counts::default() };
    for rel in all {
        if rel.ends_with("-wal") || rel.ends_with("-shm") || rel.ends_with("-journal") {
            continue; // copied with their database (the -shm is rebuilt by SQLite)
        }
        let copied = if is_database(&rel) { copy_database(data, staging, &rel)? } else { copy_plain(data, staging, &rel)? };
        for entry in copied {
            count(&mut snapshot.counts, &entry);
            snapshot.files.push(entry);
        }
    }
    Ok(snapshot)
}

fn is_database(rel: &str) -> bool {
    rel.ends_with(".db")
}

fn count(counts: &mut Counts, entry: &FileEntry) {
    counts.files += 1;
    counts.bytes += entry.size;
    if entry.path.starts_with("mailboxes/") && entry.path.ends_with(".db") {
        counts.mailboxes += 1;
    } else if entry.path.starts_with("spool/") {
        counts.spooled_messages += 1;
    } else if entry.path.starts_with("queue/") {
        counts.queued_messages += 1;
    }
}

fn walk(root: &Path, dir: &Path, exclude: &[PathBuf], out: &mut Vec<String>) -> Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        // A spool directory removed with its account while we walk: nothing to copy.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(BackupError::Io { path: dir.to_path_buf(), source: e }),
    };
    for entry in entries {
        let entry = entry.map_err(BackupError::io(dir))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') || exclude.iter().any(|x| x == &path) {
            continue;
        }
        let kind = entry.file_type().map_err(BackupError::io(&path))?;
        if kind.is_dir() {
            walk(root, &path, exclude, out)?;
        } else if kind.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(())
}

/// Copies one file, hashing as it goes. A file that vanished (merged spool file, delivered
/// queue file) is skipped: the state without it is consistent too.
fn copy_plain(data: &Path, staging: &Path, rel: &str) -> Result<Vec<FileEntry>> {
    match copy_hashed(&data.join(rel), &staging.join(rel)) {
        Ok((size, sha256)) => Ok(vec![FileEntry { path: rel.to_string(), size, sha256 }]),
        Err(BackupError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

type Stamp = Option<(u64, std::time::SystemTime, u64)>;

fn stamp(path: &Path) -> Result<Stamp> {
    use std::os::unix::fs::MetadataExt;
    match fs::metadata(path) {
        Ok(m) => Ok(Some((m.len(), m.modified().map_err(BackupError::io(path))?, m.ino()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(BackupError::Io { path: path.to_path_buf(), source: e }),
    }
}

/// Copies a database and its WAL as one consistent pair (see the module comment).
fn copy_database(data: &Path, staging: &Path, rel: &str) -> Result<Vec<FileEntry>> {
    let wal_rel = format!("{rel}-wal");
    let (db, wal) = (data.join(rel), data.join(&wal_rel));
    for attempt in 0..COPY_ATTEMPTS {
        let before = (stamp(&db)?, stamp(&wal)?);
        if before.0.is_none() {
            return Ok(Vec::new()); // deleted account
        }
        let mut entries = copy_plain(data, staging, rel)?;
        if before.1.is_some() {
            entries.extend(copy_plain(data, staging, &wal_rel)?);
        } else {
            let _ = fs::remove_file(staging.join(&wal_rel));
        }
        if (stamp(&db)?, stamp(&wal)?) == before {
            return Ok(entries);
        }
        tracing::debug!(database = rel, attempt, "changed while being copied; copying again");
        std::thread::sleep(Duration::from_millis(10 * u64::from(attempt + 1)));
    }
    Err(BackupError::Unstable(db))
}

/// Copies `from` to `to` (creating parent directories, mode 0600), fsyncs it, and returns
/// its size and SHA-256.
pub fn copy_hashed(from: &Path, to: &Path) -> Result<(u64, String)> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut input = File::open(from).map_err(BackupError::io(from))?;
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent).map_err(BackupError::io(parent))?;
    }
    let mut output = fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(to).map_err(BackupError::io(to))?;
    let (size, sha256) = pump(&mut input, &mut output, from)?;
    output.sync_all().map_err(BackupError::io(to))?;
    Ok((size, sha256))
}

/// Reads `input` to its end into `output`, returning the byte count and hex SHA-256.
pub fn pump(input: &mut (impl Read + ?Sized), output: &mut (impl Write + ?Sized), what: &Path) -> Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = input.read(&mut buf).map_err(BackupError::io(what))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n]).map_err(BackupError::io(what))?;
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_everything_but_temp_files_and_the_backup_dir() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        for (rel, body) in [
            ("sigillo.toml", "x"),
            ("directory.db", "db"),
            ("directory.db-wal", "wal"),
            ("directory.db-shm", "shm"),
            ("mailboxes/a.db", "m"),
            ("spool/a/1.sealed", "s"),
            ("spool/a/.2.tmp", "half"),
            ("queue/q.queued", "q"),
            ("backups/old.age", "old"),
        ] {
            let path = data.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, body).unwrap();
        }
        let staging = dir.path().join("staging");
        let snap = take(&data, &staging, &[data.join("backups")]).unwrap();
        let paths: Vec<&str> = snap.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["spool/a/1.sealed", "queue/q.queued", "sigillo.toml", "directory.db", "directory.db-wal", "mailboxes/a.db"]);
        assert_eq!(snap.counts.mailboxes, 1);
        assert_eq!(snap.counts.spooled_messages, 1);
        assert_eq!(snap.counts.queued_messages, 1);
        assert_eq!(fs::read(staging.join("directory.db-wal")).unwrap(), b"wal");
    }
}
