//! The outbound queue: one file per message in `DATA/queue/`, sealed with the server's
//! queue key (XChaCha20-Poly1305), written durably (temp file, fsync, rename, fsync of the
//! directory) before the client gets `250`.
//!
//! File `queue/<id>.queued` = `seal(queue_key, "sigillo queue v1:<id>", plaintext)` where
//! plaintext = 4-byte big-endian length of the envelope JSON ‖ envelope JSON ‖ message.
//! The id is bound in the AEAD label, so a file renamed to another id does not open.
//! Delivery to remote hosts is [`crate::outbound`]: it reads these files with [`Queue::read`]
//! and rewrites them (same durable path) with each recipient's progress, so a restart — even
//! after a kill -9 — resumes where it stopped and never sends to a recipient twice.

use crate::error::SmtpError;
use serde::{Deserialize, Serialize};
use sigillo_crypto::keystore::ServerKeys;
use sigillo_crypto::{Key32, symmetric};
use std::path::{Path, PathBuf};

/// The name of the queue key in [`ServerKeys::extra`].
pub const QUEUE_KEY_NAME: &str = "queue_key";
const LABEL: &str = "sigillo queue v1:";
const SUFFIX: &str = "queued";

/// The queue key from the key store, creating it when missing. Returns whether it was
/// created (then the caller must save the key store).
pub fn queue_key(keys: &mut ServerKeys) -> Result<(Key32, bool), SmtpError> {
    if let Some(hex) = keys.extra.get(QUEUE_KEY_NAME) {
        return Ok((Key32::from_hex(hex)?, false));
    }
    let key = Key32::generate()?;
    keys.extra.insert(QUEUE_KEY_NAME.to_string(), key.to_hex().to_string());
    Ok((key, true))
}

/// One recipient of a queued message, with its DSN parameters (RFC 3461 §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedRecipient {
    pub address: String,
    /// NOTIFY values: "SUCCESS", "FAILURE", "DELAY" or "NEVER".
    #[serde(default)]
    pub notify: Vec<String>,
    /// ORCPT, as given ("rfc822;addr").
    pub orcpt: Option<String>,
    /// Delivery progress; absent in files written before outbound delivery existed.
    #[serde(default)]
    pub status: RecipientStatus,
    /// Attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// The last reply or error, for `sigillo queue show` and the DSN.
    #[serde(default)]
    pub last_reply: Option<String>,
    /// The final result's details (remote host, TLS, reply).
    #[serde(default)]
    pub report: Option<crate::outbound::DeliveryReport>,
    /// For a failed recipient: the failure DSN has been handed over (or was not wanted).
    #[serde(default)]
    pub dsn_done: bool,
}

/// Where one recipient stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecipientStatus {
    /// Not yet finally delivered or failed.
    #[default]
    Pending,
    /// The remote host answered 250 after DATA: final.
    Delivered,
    /// Permanently failed (5xx, null MX, lifetime over): final, a DSN was due.
    Failed,
}

impl QueuedRecipient {
    pub fn new(address: String, notify: Vec<String>, orcpt: Option<String>) -> Self {
        QueuedRecipient {
            address,
            notify,
            orcpt,
            status: RecipientStatus::Pending,
            attempts: 0,
            last_reply: None,
            report: None,
            dsn_done: false,
        }
    }

    pub fn is_final(&self) -> bool {
        self.status != RecipientStatus::Pending
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedEnvelope {
    pub id: String,
    /// Reverse path; empty for the null sender.
    pub mail_from: String,
    pub recipients: Vec<QueuedRecipient>,
    /// DSN RET (RFC 3461 §4.3): "FULL" or "HDRS".
    pub ret: Option<String>,
    /// DSN ENVID (RFC 3461 §4.4).
    pub envid: Option<String>,
    /// RFC 8689 REQUIRETLS.
    pub requiretls: bool,
    pub smtputf8: bool,
    /// BODY=8BITMIME.
    pub eight_bit: bool,
    /// The authenticated submitter, if any.
    pub auth_user: Option<String>,
    pub client_ip: String,
    pub helo: String,
    /// Unix seconds.
    pub received_at: i64,
    /// Unix seconds of the next delivery attempt (0: now).
    #[serde(default)]
    pub next_attempt: i64,
    /// Whether the one "delayed" DSN has been sent.
    #[serde(default)]
    pub delay_dsn_sent: bool,
    /// Set for certified mail: outbound delivery records each recipient's final result as
    /// evidence. Absent in files written before certified delivery existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certified: Option<CertifiedMark>,
}

impl QueuedEnvelope {
    /// A message the server itself sends (a DSN, a TLS-RPT report, an administrator's notice):
    /// the null reverse path (RFC 5321 §4.5.5, so it never causes a bounce), no DSN asked for
    /// it, due now.
    pub fn server_notice(id: String, to: &[String], hostname: &str, now: i64) -> Self {
        QueuedEnvelope {
            id,
            mail_from: String::new(),
            recipients: to.iter().map(|t| QueuedRecipient::new(t.clone(), vec!["NEVER".into()], None)).collect(),
            ret: None,
            envid: None,
            requiretls: false,
            smtputf8: false,
            eight_bit: true,
            auth_user: None,
            client_ip: "127.0.0.1".into(),
            helo: hostname.to_string(),
            received_at: now,
            next_attempt: 0,
            delay_dsn_sent: false,
            certified: None,
        }
    }
}

/// What outbound delivery needs to certify a queued message's delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertifiedMark {
    /// The authenticated sender: receipts go to their INBOX.
    pub sender: String,
    /// SHA-256 (hex) of the message as accepted (the queue file adds trace headers).
    pub message_sha256: String,
    /// The acceptance event's evidence id: every delivery bundle carries it.
    pub acceptance_id: String,
    /// The original `Message-ID` and `Subject`, for the receipt.
    pub message_id_header: Option<String>,
    pub subject: Option<String>,
}

pub struct Queue {
    dir: PathBuf,
    key: Key32,
    /// Woken on every enqueue, so the delivery workers start at once.
    wakeup: tokio::sync::Notify,
}

impl Queue {
    pub fn new(dir: PathBuf, key: Key32) -> Self {
        Queue { dir, key, wakeup: tokio::sync::Notify::new() }
    }

    /// Resolves when a message was enqueued since the last call.
    pub async fn enqueued(&self) {
        self.wakeup.notified().await
    }

    /// Makes the delivery scheduler scan again (a task finished, `sigillo queue retry`).
    pub fn wakeup_scheduler(&self) {
        self.wakeup.notify_one();
    }

    /// The file of message `id`.
    pub fn path_of(&self, id: &str) -> Result<PathBuf, SmtpError> {
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(SmtpError::Queue(format!("bad queue id {id:?}")));
        }
        Ok(self.dir.join(format!("{id}.{SUFFIX}")))
    }

    /// Rewrites a message's file with a new envelope (its progress), durably: after this
    /// returns, a crash cannot bring back the old state.
    pub fn update(&self, envelope: &QueuedEnvelope, message: &[u8]) -> Result<PathBuf, SmtpError> {
        self.write(envelope, message)
    }

    /// Removes a message whose every recipient has a final result.
    pub fn remove(&self, id: &str) -> Result<(), SmtpError> {
        let path = self.path_of(id)?;
        std::fs::remove_file(&path)?;
        sigillo_core::durable::sync_dir(&self.dir)?;
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Seals and writes one message; returns once file and directory entry are fsync'd.
    pub fn enqueue(&self, envelope: &QueuedEnvelope, message: &[u8]) -> Result<PathBuf, SmtpError> {
        let path = self.write(envelope, message)?;
        self.wakeup.notify_one();
        Ok(path)
    }

    fn write(&self, envelope: &QueuedEnvelope, message: &[u8]) -> Result<PathBuf, SmtpError> {
        let path = self.path_of(&envelope.id)?;
        let json = serde_json::to_vec(envelope).map_err(|e| SmtpError::Queue(e.to_string()))?;
        let len = u32::try_from(json.len()).map_err(|_| SmtpError::Queue("envelope too large".into()))?;
        let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(4 + json.len() + message.len()));
        plain.extend_from_slice(&len.to_be_bytes());
        plain.extend_from_slice(&json);
        plain.extend_from_slice(message);
        let sealed = symmetric::seal(&self.key, format!("{LABEL}{}", envelope.id).as_bytes(), &plain)?;
        sigillo_core::durable::create_private_dir(&self.dir)?;
        sigillo_core::durable::write_atomic(&path, &sealed, 0o600)?;
        Ok(path)
    }

    /// Opens one queue file.
    pub fn read(&self, path: &Path) -> Result<(QueuedEnvelope, Vec<u8>), SmtpError> {
        let id = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(&format!(".{SUFFIX}")))
            .ok_or_else(|| SmtpError::Queue(format!("{} is not a queue file", path.display())))?;
        let sealed = std::fs::read(path)?;
        let plain = symmetric::open(&self.key, format!("{LABEL}{id}").as_bytes(), &sealed)?;
        let len_bytes: [u8; 4] = plain.get(..4).and_then(|b| b.try_into().ok()).ok_or_else(|| SmtpError::Queue("truncated".into()))?;
        let len = u32::from_be_bytes(len_bytes) as usize;
        let json = plain.get(4..4 + len).ok_or_else(|| SmtpError::Queue("truncated envelope".into()))?;
        let envelope: QueuedEnvelope = serde_json::from_slice(json).map_err(|e| SmtpError::Queue(e.to_string()))?;
        Ok((envelope, plain[4 + len..].to_vec()))
    }

    /// Every queue file, oldest name first.
    pub fn list(&self) -> Result<Vec<PathBuf>, SmtpError> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == SUFFIX) {
                out.push(path);
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(id: &str) -> QueuedEnvelope {
        QueuedEnvelope {
            id: id.into(),
            mail_from: "alice@example.org".into(),
            recipients: vec![QueuedRecipient::new("bob@remote.example".into(), vec!["FAILURE".into()], None)],
            ret: Some("HDRS".into()),
            envid: Some("env1".into()),
            requiretls: false,
            smtputf8: false,
            eight_bit: true,
            auth_user: Some("alice@example.org".into()),
            client_ip: "127.0.0.1".into(),
            helo: "client".into(),
            received_at: 1,
            next_attempt: 0,
            delay_dsn_sent: false,
            certified: None,
        }
    }

    #[test]
    fn round_trip_sealed_and_bound_to_its_name() {
        let tmp = tempfile::tempdir().unwrap();
        let queue = Queue::new(tmp.path().join("queue"), Key32::generate().unwrap());
        let message = b"Subject: secret plans\r\n\r\nthe launch code is 1234\r\n";
        let path = queue.enqueue(&envelope("abc123"), message).unwrap();
        let raw = std::fs::read(&path).unwrap();
        assert!(!raw.windows(11).any(|w| w == b"launch code"), "message readable in the queue file");
        assert!(!raw.windows(6).any(|w| w == b"remote"), "envelope readable in the queue file");
        let (env, body) = queue.read(&path).unwrap();
        assert_eq!(env, envelope("abc123"));
        assert_eq!(body, message);
        assert_eq!(queue.list().unwrap(), vec![path.clone()]);
        // Renamed to another id: refused.
        let other = path.with_file_name("def456.queued");
        std::fs::rename(&path, &other).unwrap();
        assert!(queue.read(&other).is_err());
        // Another key: refused.
        let stranger = Queue::new(tmp.path().join("queue"), Key32::generate().unwrap());
        std::fs::rename(&other, &path).unwrap();
        assert!(stranger.read(&path).is_err());
        assert!(queue.enqueue(&envelope("../x"), b"").is_err());
    }

    #[test]
    fn envelopes_written_before_certified_delivery_still_load() {
        let mut value = serde_json::to_value(envelope("old")).unwrap();
        assert!(value.get("certified").is_none(), "absent when not certified");
        value.as_object_mut().unwrap().remove("certified");
        assert_eq!(serde_json::from_value::<QueuedEnvelope>(value.clone()).unwrap().certified, None);
        let mark = CertifiedMark {
            sender: "alice@example.org".into(),
            message_sha256: "00".repeat(32),
            acceptance_id: "11".repeat(16),
            message_id_header: None,
            subject: Some("s".into()),
        };
        value["certified"] = serde_json::to_value(&mark).unwrap();
        assert_eq!(serde_json::from_value::<QueuedEnvelope>(value).unwrap().certified, Some(mark));
    }
}
