//! The sealed spool: mail that arrives while its owner is locked out of reach.
//!
//! Each message is one file `spool/<account>/<id>.sealed`, sealed to the account's public
//! key ([`sigillo_crypto::sealing`]): the server can write it but cannot read it back.
//! Folder, flags and date travel inside the seal, so even they are not on disk in clear.
//! Files are written to a dot-file, fsync'd, renamed and the directory fsync'd: a file
//! with a final name is complete and durable.

use crate::{Result, StoreError};
use serde::{Deserialize, Serialize};
use sigillo_core::clock::unix_now_millis;
use sigillo_core::durable;
use sigillo_crypto::{Key32, random, sealing};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"SGS1";
/// A bundle of messages ([`deposit_bundle`]).
const BUNDLE_MAGIC: &[u8; 4] = b"SGB1";
/// Messages in one bundle file, at most: bounds what a merge decrypts at once.
pub const MAX_BUNDLE_MESSAGES: usize = 100_000;
const SUFFIX: &str = ".sealed";

/// What a spool file holds once opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolEntry {
    pub mailbox: String,
    pub flags: Vec<String>,
    pub internal_date: i64,
    pub raw: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    mailbox: String,
    flags: Vec<String>,
    internal_date: i64,
}

/// A spool file waiting to be merged.
#[derive(Debug, Clone)]
pub struct Pending {
    /// Unique id (the file stem); ids sort in arrival order.
    pub id: String,
    pub path: PathBuf,
}

/// Seals `entry` to `public_key` and stores it durably; returns the spool id.
pub fn deposit(spool_dir: &Path, public_key: &[u8], entry: &SpoolEntry) -> Result<String> {
    let header = header_json(entry)?;
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(8 + header.len() + entry.raw.len()));
    plain.extend_from_slice(MAGIC);
    plain.extend_from_slice(&(header.len() as u32).to_be_bytes());
    plain.extend_from_slice(&header);
    plain.extend_from_slice(&entry.raw);
    write_sealed(spool_dir, public_key, &plain)
}

/// Seals many messages into one spool file (`sigillo import`): one seal, one fsync and
/// one rename for the lot instead of one each. The file appears complete or not at all,
/// and the merge takes it in one transaction, so a bundle is merged entirely or not.
pub fn deposit_bundle(spool_dir: &Path, public_key: &[u8], entries: &[SpoolEntry]) -> Result<String> {
    let total: usize = entries.iter().map(|e| e.raw.len() + 128).sum();
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(8 + total));
    plain.extend_from_slice(BUNDLE_MAGIC);
    plain.extend_from_slice(&u32::try_from(entries.len()).map_err(|_| StoreError::Invalid("bundle too large".into()))?.to_be_bytes());
    for entry in entries {
        let header = header_json(entry)?;
        let raw_len = u32::try_from(entry.raw.len()).map_err(|_| StoreError::Invalid("message too large".into()))?;
        plain.extend_from_slice(&(header.len() as u32).to_be_bytes());
        plain.extend_from_slice(&header);
        plain.extend_from_slice(&raw_len.to_be_bytes());
        plain.extend_from_slice(&entry.raw);
    }
    write_sealed(spool_dir, public_key, &plain)
}

fn header_json(entry: &SpoolEntry) -> Result<Vec<u8>> {
    serde_json::to_vec(&Header { mailbox: entry.mailbox.clone(), flags: entry.flags.clone(), internal_date: entry.internal_date })
        .map_err(|e| StoreError::Invalid(e.to_string()))
}

/// Seals `plain` and writes it to a temp file, fsyncs, renames, fsyncs the directory.
fn write_sealed(spool_dir: &Path, public_key: &[u8], plain: &[u8]) -> Result<String> {
    durable::create_private_dir(spool_dir)?;
    let sealed = sealing::seal(public_key, plain)?;
    let id = format!("{:016x}-{}", unix_now_millis(), random::hex_id()?);
    let tmp = spool_dir.join(format!(".{id}.tmp"));
    let path = spool_dir.join(format!("{id}{SUFFIX}"));
    {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(&sealed)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    durable::sync_dir(spool_dir)?;
    Ok(id)
}

/// The complete spool files, oldest first. Half-written temp files are not listed.
pub fn pending(spool_dir: &Path) -> Result<Vec<Pending>> {
    let entries = match std::fs::read_dir(spool_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(id) = name.strip_suffix(SUFFIX).filter(|_| !name.starts_with('.')) {
            out.push(Pending { id: id.to_string(), path: entry.path() });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Removes temp files a crash left behind more than an hour ago. A temp file is never
/// acknowledged (the sender got no "250" for it), so removing it loses nothing.
pub fn remove_stale_temp_files(spool_dir: &Path) -> Result<usize> {
    let Ok(entries) = std::fs::read_dir(spool_dir) else { return Ok(0) };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale =
            entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() > 3600);
        if name.starts_with('.') && name.ends_with(".tmp") && stale {
            std::fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Opens a single-message spool file with the account's sealing seed.
pub fn open(seed: &Key32, path: &Path) -> Result<SpoolEntry> {
    let mut opened = open_any(seed, path)?;
    match (opened.bundle, opened.entries.pop()) {
        (false, Some(entry)) => Ok(entry),
        _ => Err(StoreError::Invalid(format!("{} is a bundle, not one message", path.display()))),
    }
}

/// The messages of a spool file, single or bundle.
#[derive(Debug)]
pub struct Opened {
    pub bundle: bool,
    pub entries: Vec<SpoolEntry>,
}

/// Opens any spool file (one message or a bundle) with the account's sealing seed.
pub fn open_any(seed: &Key32, path: &Path) -> Result<Opened> {
    let sealed = std::fs::read(path)?;
    let plain = zeroize::Zeroizing::new(sealing::open(seed, &sealed)?);
    let bad = || StoreError::Invalid(format!("{} is not a Sigillo spool file", path.display()));
    if plain.len() < 8 {
        return Err(bad());
    }
    let mut cursor = Cursor { data: &plain[..], at: 4 };
    if &plain[..4] == MAGIC {
        let header_len = cursor.u32().ok_or_else(bad)? as usize;
        let header: Header = serde_json::from_slice(cursor.take(header_len).ok_or_else(bad)?).map_err(|_| bad())?;
        let raw = plain[cursor.at..].to_vec();
        return Ok(Opened { bundle: false, entries: vec![entry(header, raw)] });
    }
    if &plain[..4] != BUNDLE_MAGIC {
        return Err(bad());
    }
    let count = cursor.u32().ok_or_else(bad)? as usize;
    if count > MAX_BUNDLE_MESSAGES {
        return Err(bad());
    }
    let mut entries = Vec::with_capacity(count);
    for _ in 0..count {
        let header_len = cursor.u32().ok_or_else(bad)? as usize;
        let header: Header = serde_json::from_slice(cursor.take(header_len).ok_or_else(bad)?).map_err(|_| bad())?;
        let raw_len = cursor.u32().ok_or_else(bad)? as usize;
        let raw = cursor.take(raw_len).ok_or_else(bad)?.to_vec();
        entries.push(entry(header, raw));
    }
    if cursor.at != plain.len() {
        return Err(bad());
    }
    Ok(Opened { bundle: true, entries })
}

fn entry(header: Header, raw: Vec<u8>) -> SpoolEntry {
    SpoolEntry { mailbox: header.mailbox, flags: header.flags, internal_date: header.internal_date, raw }
}

/// Reads length-prefixed fields of a decrypted spool file; `None` past the end.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.data.len())?;
        let out = &self.data[self.at..end];
        self.at = end;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Removes a merged spool file, durably.
pub fn remove(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    if let Some(dir) = path.parent() {
        durable::sync_dir(dir)?;
    }
    Ok(())
}

/// Removes the spool of an account that is being deleted or reset.
pub fn destroy(spool_dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(spool_dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}
