//! What `sigillo queue retry|delete` do to the queue while `sigillo serve` may be running.
//!
//! The CLI is another process: it cannot wake the delivery scheduler's in-process
//! [`Queue::wakeup_scheduler`]. It rewrites the message's file (the same durable write as
//! the workers: temp file, fsync, rename, fsync of the directory) and then touches
//! `queue/scan.request`; the server polls that file's modification time every
//! [`SCAN_REQUEST_POLL`] ([`watch_scan_requests`]) and scans at once when it changed. So a
//! retried message is attempted within about a second, not at the scheduler's next timed
//! scan (up to 60 s).
//!
//! A retry or delete that races with an attempt in progress on that very message can be
//! overwritten by the worker's own rewrite of the file when the attempt ends (the worker
//! owns the file while it delivers); `sigillo queue list` then shows the message again and
//! the command can be repeated. Nothing is ever sent twice because of it.

use crate::error::SmtpError;
use crate::notice::NoticeSent;
use crate::outbound::dsn::{self, DsnKind};
use crate::queue::{Queue, QueuedEnvelope, QueuedRecipient, RecipientStatus};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// The file whose change asks the server to scan the queue now.
pub const SCAN_REQUEST_FILE: &str = "scan.request";
/// How often the server looks at it.
pub const SCAN_REQUEST_POLL: Duration = Duration::from_secs(1);
/// The reply recorded for recipients of a message an administrator removed (RFC 3463
/// 5.0.0: permanent, no more specific code applies).
pub const REMOVED_REPLY: &str = "550 5.0.0 removed from the queue by an administrator; it will not be delivered";

/// Asks a running server to scan its queue now.
pub fn request_scan(queue_dir: &Path) -> Result<(), SmtpError> {
    let stamp = sigillo_core::clock::unix_now_millis().to_string();
    sigillo_core::durable::write_atomic(&queue_dir.join(SCAN_REQUEST_FILE), stamp.as_bytes(), 0o600)?;
    Ok(())
}

/// Runs in `sigillo serve`: wakes the scheduler whenever [`request_scan`] was called.
pub async fn watch_scan_requests(queue: Arc<Queue>, mut stop: tokio::sync::watch::Receiver<bool>) {
    let file = queue.dir().join(SCAN_REQUEST_FILE);
    let modified = |file: &Path| std::fs::metadata(file).and_then(|m| m.modified()).ok();
    let mut seen: Option<SystemTime> = modified(&file);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(SCAN_REQUEST_POLL) => {}
            _ = stop.changed() => return,
        }
        let now = modified(&file);
        if now.is_some() && now != seen {
            tracing::info!("queue scan requested by the administrator");
            queue.wakeup_scheduler();
        }
        seen = now;
    }
}

/// Opens the file of message `id`, with an error that says whether the id is malformed or
/// simply not (or no longer) in the queue.
pub fn open(queue: &Queue, id: &str) -> Result<(QueuedEnvelope, Vec<u8>), SmtpError> {
    let path = queue.path_of(id)?;
    if !path.exists() {
        return Err(SmtpError::Queue(format!("no message {id} in the queue (delivered, bounced or deleted?)")));
    }
    queue.read(&path)
}

/// Makes message `id` due now (every pending recipient is tried at the next scan).
pub fn retry_now(queue: &Queue, id: &str) -> Result<QueuedEnvelope, SmtpError> {
    let (mut envelope, message) = open(queue, id)?;
    envelope.next_attempt = 0;
    queue.update(&envelope, &message)?;
    request_scan(queue.dir())?;
    Ok(envelope)
}

/// Removes message `id` and returns what the sender must be told: the envelope as removed
/// (its pending recipients failed with [`REMOVED_REPLY`]) and, when the sender wants one
/// (RFC 3461 NOTIFY, never for the null sender), the failure DSN to hand over.
pub fn remove_by_admin(queue: &Queue, id: &str, hostname: &str) -> Result<(QueuedEnvelope, Option<Vec<u8>>), SmtpError> {
    let (mut envelope, message) = open(queue, id)?;
    let mut removed = Vec::new();
    for (i, r) in envelope.recipients.iter_mut().enumerate() {
        if !r.is_final() {
            r.status = RecipientStatus::Failed;
            r.last_reply = Some(REMOVED_REPLY.to_string());
            removed.push(i);
        }
    }
    queue.remove(id)?;
    let about: Vec<&QueuedRecipient> =
        removed.iter().map(|&i| &envelope.recipients[i]).filter(|r| dsn::wanted(&envelope, r, DsnKind::Failed)).collect();
    let notice = if about.is_empty() {
        None
    } else {
        let dsn_id = sigillo_crypto::random::hex_id()?;
        Some(dsn::build(hostname, &envelope, &about, DsnKind::Failed, &message, &dsn_id))
    };
    Ok((envelope, notice))
}

/// What [`send_removal_notice`] needs of the server.
pub struct NoticeContext<'a> {
    pub data: &'a sigillo_store::DataDir,
    pub directory: &'a sigillo_store::Directory,
    pub queue: &'a Queue,
    pub hostname: &'a str,
    pub max_message_size: u64,
}

/// Sends the failure notice of [`remove_by_admin`] through the server's notice route (a
/// local sender's INBOX, sealed into the spool: the caller holds no unlocked keys; else the
/// queue with the null reverse path) and wakes the running server's queue.
pub fn send_removal_notice(ctx: &NoticeContext<'_>, sender: &str, dsn: Vec<u8>) -> Result<NoticeSent, SmtpError> {
    let sender: sigillo_core::Address =
        sender.parse().map_err(|_| SmtpError::Queue(format!("the sender address {sender:?} is unusable; no notice sent")))?;
    let keyring = sigillo_store::Keyring::new(Duration::ZERO);
    let route = crate::notice::NoticeRoute {
        data: ctx.data,
        directory: ctx.directory,
        keyring: &keyring,
        queue: ctx.queue,
        hostname: ctx.hostname,
        max_message_size: ctx.max_message_size,
    };
    let sent = route.send(&sender, sigillo_crypto::random::hex_id()?, &dsn, false, sigillo_core::clock::unix_now())?;
    if sent == NoticeSent::Queued {
        request_scan(ctx.queue.dir())?;
    }
    Ok(sent)
}

/// The Message-ID header field's value, if any (read from the header block only): what
/// identifies a queued message to an administrator without showing its content.
pub fn message_id(message: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse_headers(message)?;
    parsed.message_id().map(|id| format!("<{id}>"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigillo_crypto::Key32;

    fn envelope(id: &str) -> QueuedEnvelope {
        QueuedEnvelope {
            id: id.into(),
            mail_from: "alice@example.org".into(),
            recipients: vec![
                QueuedRecipient::new("bob@remote.example".into(), vec![], None),
                QueuedRecipient::new("carol@remote.example".into(), vec!["NEVER".into()], None),
            ],
            ret: None,
            envid: None,
            requiretls: false,
            smtputf8: false,
            eight_bit: true,
            auth_user: None,
            client_ip: "127.0.0.1".into(),
            helo: "client".into(),
            received_at: 1,
            next_attempt: i64::MAX,
            delay_dsn_sent: false,
            certified: None,
        }
    }

    #[test]
    fn retry_and_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let queue = Queue::new(tmp.path().join("queue"), Key32::generate().unwrap());
        queue.enqueue(&envelope("abc"), b"Subject: s\r\n\r\nsecret body\r\n").unwrap();
        assert_eq!(retry_now(&queue, "abc").unwrap().next_attempt, 0);
        assert!(tmp.path().join("queue").join(SCAN_REQUEST_FILE).exists());
        assert!(queue.list().unwrap().len() == 1, "the scan request is not a queue file");
        let (env, dsn) = remove_by_admin(&queue, "abc", "mail.example.org").unwrap();
        assert!(env.recipients.iter().all(|r| r.status == RecipientStatus::Failed));
        let dsn = String::from_utf8(dsn.unwrap()).unwrap();
        assert!(dsn.contains("removed from the queue by an administrator"), "{dsn}");
        assert!(dsn.contains("bob@remote.example") && !dsn.contains("carol@remote.example"), "NOTIFY=NEVER respected: {dsn}");
        assert!(!dsn.contains("secret body"));
        assert!(queue.list().unwrap().is_empty());
        let err = retry_now(&queue, "abc").unwrap_err().to_string();
        assert!(err.contains("no message abc"), "{err}");
        assert!(retry_now(&queue, "../etc").unwrap_err().to_string().contains("bad queue id"));
    }
}
