//! What is computed from a message once, at append, so that reading it later does not
//! need the whole message: the IMAP ENVELOPE (both renderings) and the search grams.
//!
//! The store does not parse mail itself: the protocol layer that knows how ENVELOPE is
//! written and what SEARCH compares against registers a [`Deriver`] at start-up
//! ([`register`]). Without one (a process that never registered it) messages are stored
//! without derived data and the mailbox is marked for a later fill
//! ([`crate::MailStore::fill_derived`]); readers always fall back to the message itself,
//! so a missing row is slower, never wrong.
//!
//! All of it lives in the account's SQLCipher database (tables `derived` and the FTS5
//! table `search_grams`), encrypted like the messages; nothing is in clear on disk.

use std::sync::OnceLock;

/// What a [`Deriver`] returns for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Derived {
    /// The ENVELOPE as written without UTF8=ACCEPT.
    pub envelope: Vec<u8>,
    /// The ENVELOPE with UTF8=ACCEPT, when it differs from `envelope`.
    pub envelope_utf8: Option<Vec<u8>>,
    /// Search tokens (space-separated words of `[0-9a-z]`), a superset of what any
    /// search could find in the message; `None` when the message is not indexed and must
    /// always be read by a search (e.g. it has parts whose raw encoded text matters).
    pub grams: Option<String>,
}

/// Computes the derived data of a raw message.
pub type Deriver = fn(&[u8]) -> Derived;

static DERIVER: OnceLock<Deriver> = OnceLock::new();

/// Sets the process's deriver; the first registration wins (it is one function per build).
pub fn register(deriver: Deriver) {
    let _ = DERIVER.set(deriver);
}

/// The registered deriver's output for `raw`, or `None` when none is registered.
pub fn derive(raw: &[u8]) -> Option<Derived> {
    DERIVER.get().map(|d| d(raw))
}

/// Envelopes read back from the database, per message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedEnvelope {
    pub envelope: Vec<u8>,
    pub envelope_utf8: Option<Vec<u8>>,
}

impl CachedEnvelope {
    pub fn rendering(&self, utf8: bool) -> &[u8] {
        match (&self.envelope_utf8, utf8) {
            (Some(u), true) => u,
            _ => &self.envelope,
        }
    }
}
