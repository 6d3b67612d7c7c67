//! Writing archives: snapshot → signed manifest → tar → age, to a temporary name that is
//! renamed into place only when complete and fsync'd. A backup killed at any point (or
//! failing on a full disk) leaves the previous archives as they were.
//!
//! Inside the age encryption the tar holds `MANIFEST.json`, `MANIFEST.sig` (Ed25519 over
//! the manifest bytes), then every file under `data/`, in manifest order.

use crate::manifest::{FORMAT, Manifest, SigningKey};
use crate::{BackupError, Result, identity, snapshot};
use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub const PREFIX: &str = "sigillo-backup-";
pub const SUFFIX: &str = ".age";
const NAME_TIME: &[time::format_description::FormatItem<'_>] =
    time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");

#[derive(Debug, Clone)]
pub struct ArchiveInfo {
    pub path: PathBuf,
    pub created: OffsetDateTime,
    pub size: u64,
}

impl ArchiveInfo {
    /// How long ago it was taken (zero if its name says the future).
    pub fn age(&self) -> std::time::Duration {
        (OffsetDateTime::now_utc() - self.created).try_into().unwrap_or_default()
    }
}

/// What to back up and where.
pub struct BackupJob<'a> {
    pub data: &'a Path,
    pub backup_dir: &'a Path,
    pub hostname: &'a str,
    pub recipients: &'a [String],
    pub signing_key: &'a SigningKey,
}

/// Takes a backup; `progress(done, total)` is called with bytes written into the archive.
pub fn create_archive(job: &BackupJob<'_>, progress: &mut dyn FnMut(u64, u64)) -> Result<(ArchiveInfo, Manifest)> {
    let recipients = identity::parse_recipients(job.recipients)?;
    sigillo_core::durable::create_private_dir(job.backup_dir).map_err(BackupError::io(job.backup_dir))?;
    // One backup at a time; the lock dies with its process, so a kill -9 leaves none behind.
    let lock_path = job.backup_dir.join(".lock");
    let lock = File::create(&lock_path).map_err(BackupError::io(&lock_path))?;
    lock.try_lock().map_err(|_| BackupError::Io { path: lock_path.clone(), source: std::io::Error::other("another backup is running") })?;
    remove_leftovers(job.backup_dir);

    let now = OffsetDateTime::now_utc();
    let stamp = now.format(NAME_TIME).map_err(|e| BackupError::Signing(e.to_string()))?;
    let staging = job.backup_dir.join(format!(".staging-{stamp}"));
    let result = write_archive(job, &recipients, now, &stamp, &staging, progress);
    let _ = fs::remove_dir_all(&staging);
    result
}

fn write_archive(
    job: &BackupJob<'_>,
    recipients: &[age::x25519::Recipient],
    now: OffsetDateTime,
    stamp: &str,
    staging: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(ArchiveInfo, Manifest)> {
    let exclude = [job.backup_dir.to_path_buf()];
    let snap = snapshot::take(job.data, staging, &exclude)?;
    let manifest = Manifest {
        format: FORMAT.to_string(),
        created: now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        hostname: job.hostname.to_string(),
        counts: snap.counts,
        files: snap.files,
        signer: job.signing_key.public_hex(),
    };
    let manifest_bytes = manifest.to_bytes();
    let signature = job.signing_key.sign(&manifest_bytes);

    let mut name = format!("{PREFIX}{stamp}{SUFFIX}");
    let mut n = 2;
    while job.backup_dir.join(&name).exists() {
        name = format!("{PREFIX}{stamp}-{n}{SUFFIX}");
        n += 1;
    }
    let final_path = job.backup_dir.join(&name);
    let tmp = job.backup_dir.join(format!(".tmp-{name}"));
    let written = (|| {
        use std::os::unix::fs::OpenOptionsExt;
        let file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp).map_err(BackupError::io(&tmp))?;
        let encryptor = age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| BackupError::Signing(format!("age: {e}")))?;
        let sealed = encryptor.wrap_output(BufWriter::new(file)).map_err(BackupError::io(&tmp))?;
        let mut tar = tar::Builder::new(sealed);
        append(&mut tar, "MANIFEST.json", &mut manifest_bytes.as_slice(), manifest_bytes.len() as u64, &tmp)?;
        append(&mut tar, "MANIFEST.sig", &mut signature.as_slice(), signature.len() as u64, &tmp)?;
        let total = manifest.counts.bytes;
        let mut done = 0;
        for entry in &manifest.files {
            let path = staging.join(&entry.path);
            let mut file = File::open(&path).map_err(BackupError::io(&path))?;
            append(&mut tar, &format!("data/{}", entry.path), &mut file, entry.size, &tmp)?;
            done += entry.size;
            progress(done, total);
        }
        let sealed = tar.into_inner().map_err(BackupError::io(&tmp))?;
        let buffered = sealed.finish().map_err(BackupError::io(&tmp))?;
        let file = buffered.into_inner().map_err(|e| BackupError::Io { path: tmp.clone(), source: e.into_error() })?;
        file.sync_all().map_err(BackupError::io(&tmp))?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, &final_path).map_err(BackupError::io(&final_path))?;
    sigillo_core::durable::sync_dir(job.backup_dir).map_err(BackupError::io(job.backup_dir))?;
    let size = fs::metadata(&final_path).map_err(BackupError::io(&final_path))?.len();
    Ok((ArchiveInfo { path: final_path, created: now, size }, manifest))
}

fn append<W: Write>(tar: &mut tar::Builder<W>, name: &str, data: &mut dyn Read, size: u64, archive: &Path) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data).map_err(BackupError::io(archive))
}

/// Temp archives and staging copies of backups that were killed.
fn remove_leftovers(backup_dir: &Path) {
    let Ok(entries) = fs::read_dir(backup_dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with(".tmp-") {
            let _ = fs::remove_file(entry.path());
        } else if name.starts_with(".staging-") || name.starts_with(".drill-") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The complete archives in `backup_dir`, newest first.
pub fn list_archives(backup_dir: &Path) -> Result<Vec<ArchiveInfo>> {
    let entries = match fs::read_dir(backup_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(BackupError::Io { path: backup_dir.to_path_buf(), source: e }),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(BackupError::io(backup_dir))?;
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(created) = parse_name(&name) else { continue };
        let size = entry.metadata().map_err(BackupError::io(entry.path()))?.len();
        out.push(ArchiveInfo { path: entry.path(), created, size });
    }
    out.sort_by(|a, b| b.created.cmp(&a.created).then(b.path.cmp(&a.path)));
    Ok(out)
}

fn parse_name(name: &str) -> Option<OffsetDateTime> {
    let stamp = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let stamp = stamp.get(..16)?;
    time::PrimitiveDateTime::parse(stamp, NAME_TIME).ok().map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let t = parse_name("sigillo-backup-20261123T145500Z.age").unwrap();
        assert_eq!((t.year(), t.day(), t.hour(), t.minute()), (2026, 23, 14, 55));
        assert!(parse_name("sigillo-backup-20261123T145500Z-2.age").is_some());
        assert!(parse_name(".tmp-sigillo-backup-20261123T145500Z.age").is_none());
        assert!(parse_name("notes.txt").is_none());
    }
}
