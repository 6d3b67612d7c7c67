//! Walking a whole mailstore in small batches, for exports that must not hold a large
//! mailbox in memory: `sigillo export` on the command line and `/account/export` on the web
//! read the same messages in the same order (mailboxes as listed, then ascending UID).

use super::MigratedMessage;
use crate::{MailStore, Result};

/// Messages per batch unless a batch reaches [`MAX_BATCH_BYTES`] first.
pub const BATCH_MESSAGES: usize = 64;
/// A batch stops growing once its messages add up to this many bytes (one large message
/// still makes a batch of its own).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;

/// Where an export has got to: the mailboxes still to read and the next UID in the current one.
pub struct ExportCursor {
    mailboxes: Vec<String>,
    current: usize,
    next_uid: u32,
}

impl ExportCursor {
    /// Every mailbox of the store.
    pub fn all(store: &MailStore) -> Result<Self> {
        Ok(Self::of(store.list_mailboxes()?.into_iter().map(|m| m.name).collect()))
    }

    /// The given mailboxes, in this order.
    pub fn of(mailboxes: Vec<String>) -> Self {
        ExportCursor { mailboxes, current: 0, next_uid: 1 }
    }

    /// The next batch of messages (decrypted, in memory); empty when the export is done.
    /// Messages expunged since the walk began are skipped, new ones with higher UIDs are
    /// included.
    pub fn next_batch(&mut self, store: &MailStore) -> Result<Vec<MigratedMessage>> {
        let mut batch = Vec::new();
        let mut bytes = 0usize;
        while let Some(name) = self.mailboxes.get(self.current) {
            let metas = if self.next_uid == 0 { Vec::new() } else { store.fetch_meta_page(name, self.next_uid, BATCH_MESSAGES)? };
            if metas.is_empty() {
                self.current += 1;
                self.next_uid = 1;
                continue;
            }
            for meta in metas {
                // u32::MAX is the last possible UID; 0 marks the mailbox as done.
                self.next_uid = meta.uid.checked_add(1).unwrap_or(0);
                let Some(raw) = store.fetch_raw(name, meta.uid)? else { continue };
                bytes += raw.len();
                batch.push(MigratedMessage { mailbox: name.clone(), flags: meta.flags, internal_date: meta.internal_date, raw });
                if batch.len() >= BATCH_MESSAGES || bytes >= MAX_BATCH_BYTES {
                    return Ok(batch);
                }
            }
        }
        Ok(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailstore::NewMessage;
    use sigillo_crypto::Key32;

    #[test]
    fn walks_every_mailbox_in_batches() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = MailStore::create(&dir.path().join("m.db"), &Key32::generate().unwrap(), "a1").unwrap();
        store.create_mailbox("Projects").unwrap();
        let mut expected = Vec::new();
        for i in 0..(BATCH_MESSAGES + 3) {
            let mailbox = if i % 3 == 0 { "Projects" } else { "INBOX" };
            let raw = format!("Subject: {i}\r\n\r\nbody {i}\r\n").into_bytes();
            store.append(mailbox, NewMessage { raw: &raw, flags: &[], internal_date: 1_700_000_000 + i as i64 }).unwrap();
            expected.push((mailbox.to_string(), raw));
        }
        let mut cursor = ExportCursor::all(&store).unwrap();
        let mut seen = Vec::new();
        let mut batches = 0;
        loop {
            let batch = cursor.next_batch(&store).unwrap();
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() <= BATCH_MESSAGES);
            batches += 1;
            seen.extend(batch.into_iter().map(|m| (m.mailbox, m.raw)));
        }
        assert!(batches >= 2, "more than one batch");
        seen.sort();
        expected.sort();
        assert_eq!(seen, expected);
        assert!(cursor.next_batch(&store).unwrap().is_empty(), "stays done");
    }
}
