//! What the store keeps beside each message for IMAP ([`sigillo_store::derived`]): the
//! ENVELOPE in both renderings (so `FETCH 1:* ENVELOPE` reads metadata, not messages)
//! and the search trigrams ([`crate::search_index`]).

use crate::{message, search_index};
use sigillo_store::derived::{self, Derived};

/// Computes a message's derived data; the store calls it at append.
pub fn derive(raw: &[u8]) -> Derived {
    let envelope = message::envelope(raw, false);
    let utf8 = message::envelope(raw, true);
    let envelope_utf8 = (utf8 != envelope).then_some(utf8);
    Derived { envelope, envelope_utf8, grams: search_index::message_grams(raw) }
}

/// Registers [`derive`] with the store for this process (every process that appends).
pub fn register() {
    derived::register(derive);
}
