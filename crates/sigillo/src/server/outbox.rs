//! The web pages' [`Outbox`]: a message the server writes itself (the recovery-address
//! verification) goes into the outbound queue like a DSN, DKIM-signed by the server's From
//! domain when signing is configured, and the delivery workers take it from there.

use sigillo_smtp::Queue;
use sigillo_smtp::outbound::worker::Signer;
use sigillo_smtp::queue::QueuedEnvelope;
use sigillo_web::account::Outbox;
use std::sync::Arc;

pub struct QueueOutbox {
    pub queue: Arc<Queue>,
    pub hostname: String,
    pub dkim: Option<Signer>,
}

impl Outbox for QueueOutbox {
    fn send(&self, to: &str, message: &[u8]) -> Result<(), String> {
        let id = sigillo_crypto::random::hex_id().map_err(|e| e.to_string())?;
        let envelope = QueuedEnvelope::server_notice(id, &[to.to_string()], &self.hostname, sigillo_core::clock::unix_now());
        let mut signed = self.dkim.as_ref().map(|sign| sign(message)).unwrap_or_default();
        signed.extend_from_slice(message);
        self.queue.enqueue(&envelope, &signed).map_err(|e| e.to_string())?;
        tracing::info!(queue_id = envelope.id, "queued a message from the web pages");
        Ok(())
    }
}
