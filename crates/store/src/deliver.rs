//! Local delivery: the one path by which a message enters a local account, used by
//! `sigillo deliver`, the SMTP server and `sigillo import`.
//!
//! An unlocked account (its keys are in the [`Keyring`]) gets the message appended to its
//! mailbox directly; a locked one gets it sealed into its spool. Either way the message is
//! fsync'd before this returns, so the caller may then answer "250".

use crate::keyring::Keyring;
use crate::layout::DataDir;
use crate::mailstore::{MailStore, NewMessage};
use crate::spool::{self, SpoolEntry};
use crate::{Directory, StoreError};
use sigillo_core::Address;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// Appended to the unlocked mailbox.
    Stored,
    /// Sealed into the spool; merged when the owner next unlocks the account.
    Sealed,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// Permanent: no such local account (SMTP 550 5.1.1, LDA exit 67).
    #[error("no local account {0}")]
    UnknownRecipient(String),
    /// Permanent: larger than the server accepts (SMTP 552 5.3.4).
    #[error("message of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge { size: usize, limit: u64 },
    /// Temporary: the sender should retry (SMTP 451 4.3.0, LDA exit 75).
    #[error("temporary failure: {0}")]
    Temporary(#[from] StoreError),
}

/// Where and how to deliver.
pub struct Delivery<'a> {
    pub data: &'a DataDir,
    pub directory: &'a Directory,
    pub keyring: &'a Keyring,
    pub max_message_size: u64,
}

impl Delivery<'_> {
    /// Delivers `raw` to one local recipient, into `mailbox` (INBOX for normal mail).
    pub fn deliver(
        &self,
        recipient: &Address,
        raw: &[u8],
        mailbox: &str,
        flags: &[String],
        internal_date: i64,
    ) -> Result<Delivered, DeliveryError> {
        if raw.len() as u64 > self.max_message_size {
            return Err(DeliveryError::TooLarge { size: raw.len(), limit: self.max_message_size });
        }
        let account =
            self.directory.recipient(&recipient.to_string())?.ok_or_else(|| DeliveryError::UnknownRecipient(recipient.to_string()))?;
        if let Some(keys) = self.keyring.keys(&account.id) {
            let mut store = MailStore::open(&self.data.mailstore_db(&account.id), &keys.mailbox_key, &account.id)?;
            store.append(mailbox, NewMessage { raw, flags, internal_date })?;
            return Ok(Delivered::Stored);
        }
        let entry = SpoolEntry { mailbox: mailbox.to_string(), flags: flags.to_vec(), internal_date, raw: raw.to_vec() };
        spool::deposit(&self.data.spool_dir(&account.id), &account.sealing_public_key, &entry)?;
        Ok(Delivered::Sealed)
    }
}
