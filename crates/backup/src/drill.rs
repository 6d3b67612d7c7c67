//! The restore drill: proof that the newest backup restores.
//!
//! It unpacks the archive into scratch space (which verifies the signature and every
//! file's SHA-256), opens the restored key store with the restored master key and the
//! restored directory with the restored directory key, checks the audit chain, checks
//! that every account's mailbox database is there and still encrypted (the server cannot
//! and must not open it: it is keyed by its owner), compares counts with the manifest,
//! then deletes the scratch copy. The report is appended to `drills.jsonl` in the backup
//! directory: the evidence the trust center shows for CSF 2.0 PR.DS-11.

use crate::{BackupError, Result, restore};
use serde::{Deserialize, Serialize};
use sigillo_store::{DataDir, Directory};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

pub const DRILL_LOG: &str = "drills.jsonl";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DrillReport {
    /// RFC 3339, UTC.
    pub time: String,
    pub archive: String,
    pub ok: bool,
    /// What failed, when `ok` is false.
    pub error: Option<String>,
    pub duration_ms: u64,
    pub files: u64,
    pub bytes: u64,
    pub accounts: u64,
    pub mailboxes: u64,
    pub spooled_messages: u64,
    pub queued_messages: u64,
}

impl DrillReport {
    /// How long ago the drill ran (`None` if its time does not parse).
    pub fn age(&self) -> Option<std::time::Duration> {
        let when = time::OffsetDateTime::parse(&self.time, &time::format_description::well_known::Rfc3339).ok()?;
        Some((time::OffsetDateTime::now_utc() - when).try_into().unwrap_or_default())
    }
}

/// Runs the drill on `archive` in `scratch` (created, then removed) and records the result.
pub fn run(archive: &Path, identities: &[age::x25519::Identity], scratch: &Path, backup_dir: &Path) -> Result<DrillReport> {
    let started = Instant::now();
    let mut report = DrillReport {
        time: time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        archive: archive.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        ok: false,
        error: None,
        duration_ms: 0,
        files: 0,
        bytes: 0,
        accounts: 0,
        mailboxes: 0,
        spooled_messages: 0,
        queued_messages: 0,
    };
    let outcome = drill(archive, identities, scratch, &mut report);
    let _ = std::fs::remove_dir_all(scratch);
    report.duration_ms = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(()) => report.ok = true,
        Err(e) => report.error = Some(e.to_string()),
    }
    record(backup_dir, &report)?;
    Ok(report)
}

fn drill(archive: &Path, identities: &[age::x25519::Identity], scratch: &Path, report: &mut DrillReport) -> Result<()> {
    let verified = restore::restore_archive(archive, identities, scratch, &mut |_, _| {})?;
    let counts = &verified.manifest.counts;
    (report.files, report.bytes) = (counts.files, counts.bytes);
    let fail = |what: String| BackupError::Drill(what);
    let config = sigillo_core::Config::load(scratch).map_err(|e| fail(format!("restored config: {e}")))?;
    let master = sigillo_crypto::keystore::load_master_key(&config.master_key_path(scratch))
        .map_err(|e| fail(format!("restored master key: {e}")))?;
    let data = DataDir::new(scratch);
    let keys =
        sigillo_crypto::keystore::ServerKeys::load(&data.keystore(), &master).map_err(|e| fail(format!("restored key store: {e}")))?;
    let directory_key = keys.directory_key().map_err(|e| fail(format!("restored key store: {e}")))?;
    let directory = Directory::open(&data.directory_db(), &directory_key).map_err(|e| fail(format!("restored directory: {e}")))?;
    let entries = directory.audit_entries().map_err(|e| fail(format!("restored audit log: {e}")))?;
    sigillo_store::directory::verify_audit_chain(&entries)
        .map_err(|seq| fail(format!("restored audit log: the hash chain breaks at entry {seq}")))?;
    let accounts = directory.list_accounts().map_err(|e| fail(format!("restored directory: {e}")))?;
    for account in &accounts {
        let db = data.mailstore_db(&account.id);
        let head = read_head(&db).map_err(|e| fail(format!("{}: mailbox database {}: {e}", account.address, db.display())))?;
        if head.starts_with(b"SQLite format 3\0") {
            return Err(fail(format!("{}: mailbox database is in clear", account.address)));
        }
    }
    report.accounts = accounts.len() as u64;
    let found = |dir: &Path, depth: usize| count_files(dir, depth);
    report.mailboxes = found(&data.mailboxes_dir(), 0).saturating_sub(count_wal(&data.mailboxes_dir()));
    report.spooled_messages = found(&data.spool_root(), 1);
    report.queued_messages = found(&data.queue_dir(), 0);
    let expected = (counts.mailboxes, counts.spooled_messages, counts.queued_messages);
    let got = (report.mailboxes, report.spooled_messages, report.queued_messages);
    if got != expected {
        return Err(fail(format!("restored (mailboxes, spooled, queued) = {got:?}, the manifest says {expected:?}")));
    }
    if report.mailboxes < report.accounts {
        return Err(fail(format!("{} accounts but only {} mailbox databases", report.accounts, report.mailboxes)));
    }
    Ok(())
}

fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)?.take(16).read_to_end(&mut head)?;
    Ok(head)
}

/// Regular files `depth` directory levels below `dir`.
fn count_files(dir: &Path, depth: usize) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| match (depth, e.file_type()) {
            (0, Ok(t)) if t.is_file() => 1,
            (d, Ok(t)) if d > 0 && t.is_dir() => count_files(&e.path(), d - 1),
            _ => 0,
        })
        .sum()
}

fn count_wal(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().filter(|e| e.file_name().to_string_lossy().ends_with("-wal")).count() as u64
}

/// Appends the report to `drills.jsonl` (fsync'd).
fn record(backup_dir: &Path, report: &DrillReport) -> Result<()> {
    let path = backup_dir.join(DRILL_LOG);
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(BackupError::io(&path))?;
    let mut line = serde_json::to_vec(report).unwrap_or_default();
    line.push(b'\n');
    file.write_all(&line).map_err(BackupError::io(&path))?;
    file.sync_all().map_err(BackupError::io(&path))
}

/// The drills recorded so far, oldest first (lines that do not parse are skipped).
pub fn history(backup_dir: &Path) -> Vec<DrillReport> {
    std::fs::read_to_string(backup_dir.join(DRILL_LOG))
        .map(|text| text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
        .unwrap_or_default()
}
