//! Merging the sealed spool into an unlocked mailbox.
//!
//! Crash safety, in order: (1) the message and its spool id go into the mailbox in one
//! SQLite transaction; (2) only then is the spool file removed. A kill before (1) commits
//! leaves the file for the next merge; a kill between (1) and (2) leaves a file whose id
//! the mailbox already has, so the next merge just removes it. Two merges running at once
//! (two logins) are serialised by SQLite and the id's uniqueness. Nothing is lost, nothing
//! is duplicated.

use crate::mailstore::{MailStore, NewMessage, SpoolMessage};
use crate::{Result, spool};
use sigillo_crypto::Key32;
use std::path::{Path, PathBuf};

/// Merge records are kept this long (a week) so a concurrent merge can never re-add a
/// message whose spool file it read before another merge removed it.
const MERGE_RECORD_TTL_SECS: i64 = 7 * 24 * 3600;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeReport {
    pub merged: usize,
    /// Files that were already in the mailbox (an earlier merge was interrupted).
    pub already_merged: usize,
    /// Files that could not be opened; they are left in place and logged.
    pub unreadable: usize,
}

/// Messages merged per transaction: one durable commit for the batch instead of one per
/// message, with the decrypted batch bounded in memory. Small enough that a large merge is
/// many commits, each leaving a consistent mailbox and spool behind (the kill -9 test in
/// tests/spool_merge_crash.rs interrupts between and inside them).
const MERGE_BATCH_MESSAGES: usize = 8;
const MERGE_BATCH_BYTES: usize = 32 * 1024 * 1024;

pub fn merge_spool(store: &mut MailStore, spool_dir: &Path, sealing_seed: &Key32) -> Result<MergeReport> {
    let mut report = MergeReport::default();
    let mut batch: Vec<Item> = Vec::new();
    let mut batch_bytes = 0;
    let pending = spool::pending(spool_dir)?;
    // Every IMAP session checks the spool twice a second while idle: an empty spool must
    // cost a directory listing, not a write transaction (the record pruning below).
    if pending.is_empty() {
        return Ok(report);
    }
    for pending in pending {
        if store.spool_merged(&pending.id)? {
            spool::remove(&pending.path)?;
            report.already_merged += 1;
            continue;
        }
        let opened = match spool::open_any(sealing_seed, &pending.path) {
            Ok(opened) => opened,
            Err(e) => {
                tracing::warn!(spool_id = %pending.id, error = %e, "spool file cannot be opened; left in place");
                report.unreadable += 1;
                continue;
            }
        };
        if opened.bundle {
            // A bundle (import) is one transaction of its own: merged entirely or not at
            // all, each message under `<file id>#<index>` so a second merge adds none twice.
            merge_batch(store, &mut batch, &mut report)?;
            batch_bytes = 0;
            let mut items: Vec<Item> = opened
                .entries
                .into_iter()
                .enumerate()
                .map(|(i, entry)| Item { spool_id: format!("{}#{i}", pending.id), path: None, entry })
                .collect();
            if let Some(last) = items.last_mut() {
                last.path = Some(pending.path.clone());
            } else {
                spool::remove(&pending.path)?;
                continue;
            }
            merge_batch(store, &mut items, &mut report)?;
            continue;
        }
        for entry in opened.entries {
            batch_bytes += entry.raw.len();
            batch.push(Item { spool_id: pending.id.clone(), path: Some(pending.path.clone()), entry });
        }
        if batch.len() >= MERGE_BATCH_MESSAGES || batch_bytes >= MERGE_BATCH_BYTES {
            merge_batch(store, &mut batch, &mut report)?;
            batch_bytes = 0;
        }
    }
    merge_batch(store, &mut batch, &mut report)?;
    store.prune_spool_records(MERGE_RECORD_TTL_SECS)?;
    spool::remove_stale_temp_files(spool_dir)?;
    Ok(report)
}

/// One message to merge: its spool id and, for the last message of a file, the file to
/// remove once the transaction has committed.
struct Item {
    spool_id: String,
    path: Option<PathBuf>,
    entry: spool::SpoolEntry,
}

/// Commits a batch (messages and their spool ids in one transaction), then removes the
/// spool files: the order that makes a crash anywhere harmless.
fn merge_batch(store: &mut MailStore, batch: &mut Vec<Item>, report: &mut MergeReport) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let items: Vec<SpoolMessage<'_>> = batch
        .iter()
        .map(|item| SpoolMessage {
            spool_id: &item.spool_id,
            mailbox: &item.entry.mailbox,
            message: NewMessage { raw: &item.entry.raw, flags: &item.entry.flags, internal_date: item.entry.internal_date },
        })
        .collect();
    let merged = store.append_batch_from_spool(&items)?;
    for fresh in merged {
        if fresh {
            report.merged += 1;
        } else {
            report.already_merged += 1;
        }
    }
    // The files go after the commit; one directory sync for the batch. A file that comes
    // back after a crash is harmless: its ids are in the mailbox and the next merge drops it.
    let mut dir = None;
    for item in batch.drain(..) {
        let Some(path) = item.path else { continue };
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        dir = path.parent().map(Path::to_path_buf);
    }
    if let Some(dir) = dir {
        sigillo_core::durable::sync_dir(&dir)?;
    }
    Ok(())
}
