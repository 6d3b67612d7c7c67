//! Sending a message the server writes itself (a DSN, an administrator's removal notice)
//! to one address: into the local INBOX when the address is ours, else into the outbound
//! queue with the null reverse path (RFC 3464 §2, RFC 5321 §4.5.5), so a notice about a
//! failure can never cause another notice.

use sigillo_core::Address;
use sigillo_store::{DataDir, Directory, Keyring, deliver::Delivery};

use crate::error::SmtpError;
use crate::queue::{Queue, QueuedEnvelope};

/// Where the server's own notices go and what bounds them.
pub struct NoticeRoute<'a> {
    pub data: &'a DataDir,
    pub directory: &'a Directory,
    pub keyring: &'a Keyring,
    pub queue: &'a Queue,
    pub hostname: &'a str,
    pub max_message_size: u64,
}

/// Where a notice went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeSent {
    LocalMailbox,
    Queued,
}

impl NoticeSent {
    pub fn describe(self) -> &'static str {
        match self {
            NoticeSent::LocalMailbox => "local mailbox",
            NoticeSent::Queued => "queued for delivery",
        }
    }
}

impl NoticeRoute<'_> {
    /// Sends `message` (a complete RFC 5322 message) to `to`. `requiretls` carries
    /// RFC 8689 §5: the report about a REQUIRETLS message travels under REQUIRETLS too.
    pub fn send(&self, to: &Address, id: String, message: &[u8], requiretls: bool, now: i64) -> Result<NoticeSent, SmtpError> {
        if self.directory.has_domain(to.domain())? {
            let delivery = Delivery {
                data: self.data,
                directory: self.directory,
                keyring: self.keyring,
                // The notice quotes the original's header: room above the message limit.
                max_message_size: self.max_message_size.saturating_add(64 * 1024),
            };
            let mut copy = format!("Return-Path: <>\r\nDelivered-To: {to}\r\n").into_bytes();
            copy.extend_from_slice(message);
            delivery.deliver(to, &copy, "INBOX", &[], now)?;
            return Ok(NoticeSent::LocalMailbox);
        }
        let envelope = QueuedEnvelope { requiretls, ..QueuedEnvelope::server_notice(id, &[to.to_string()], self.hostname, now) };
        self.queue.enqueue(&envelope, message)?;
        Ok(NoticeSent::Queued)
    }
}
