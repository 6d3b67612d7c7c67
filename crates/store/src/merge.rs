//! Merging the sealed spool into an unlocked mailbox.
//!
//! Crash safety, in order: (1) the message and its spool id go into the mailbox in one
//! SQLite transaction; (2) only then is the spool file removed. A kill before (1) commits
//! leaves the file for the next merge; a kill between (1) and (2) leaves a file whose id
//! the mailbox already has, so the next merge just removes it. Two merges running at once
//! (two logins) are serialised by SQLite and the id's uniqueness. Nothing is lost, nothing
//! is duplicated.

use crate::mailstore::{MailStore, NewMessage};
use crate::{Result, spool};
use sigillo_crypto::Key32;
use std::path::Path;

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

pub fn merge_spool(store: &mut MailStore, spool_dir: &Path, sealing_seed: &Key32) -> Result<MergeReport> {
    let mut report = MergeReport::default();
    for pending in spool::pending(spool_dir)? {
        if store.spool_merged(&pending.id)? {
            spool::remove(&pending.path)?;
            report.already_merged += 1;
            continue;
        }
        let entry = match spool::open(sealing_seed, &pending.path) {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(spool_id = %pending.id, error = %e, "spool file cannot be opened; left in place");
                report.unreadable += 1;
                continue;
            }
        };
        let message = NewMessage { raw: &entry.raw, flags: &entry.flags, internal_date: entry.internal_date };
        if store.append_from_spool(&pending.id, &entry.mailbox, message)? {
            report.merged += 1;
        } else {
            report.already_merged += 1;
        }
        spool::remove(&pending.path)?;
    }
    store.prune_spool_records(MERGE_RECORD_TTL_SECS)?;
    spool::remove_stale_temp_files(spool_dir)?;
    Ok(report)
}
