//! Certified submission: after a message from a certified account (or one that asked with
//! `Sigillo-Certified: yes`) is durably accepted, record the acceptance and each local
//! delivery as evidence and put the receipts in the sender's INBOX.
//!
//! Certification never undoes acceptance: the message is already stored when this runs, so
//! a failure here is logged loudly and the client still gets its `250`.

use crate::Server;
use crate::outbound::DeliveryReport;
use crate::outbound::worker::DeliveryObserver;
use crate::queue::{CertifiedMark, QueuedEnvelope, QueuedRecipient, RecipientStatus};
use sigillo_certify::bundle::Bundle;
use sigillo_certify::evidence::RemoteDelivery;
use sigillo_certify::evidence::{Event, EventKind};
use sigillo_certify::receipt::Receipt;
use sigillo_certify::{Certifier, CertifyError, StoredEvent};
use sigillo_core::Address;
use sigillo_store::deliver::Delivery;
use std::sync::Arc;

/// The request header (removed before the message goes anywhere).
pub const REQUEST_HEADER: &str = "sigillo-certified";

/// Removes every `Sigillo-Certified:` field from the header section (with continuation
/// lines); returns whether one of them said `yes`.
pub fn take_request(message: &mut Vec<u8>) -> bool {
    let header_end = message.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 2).unwrap_or(message.len());
    let mut out = Vec::with_capacity(message.len());
    let mut requested = false;
    let mut found = false;
    let mut skipping = false;
    let mut pos = 0;
    while pos < header_end {
        let end = message[pos..header_end].windows(2).position(|w| w == b"\r\n").map(|p| pos + p + 2).unwrap_or(header_end);
        let line = &message[pos..end];
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            skipping = false;
            if let Some(colon) = line.iter().position(|b| *b == b':')
                && line[..colon].trim_ascii().eq_ignore_ascii_case(REQUEST_HEADER.as_bytes())
            {
                skipping = true;
                found = true;
                requested |= line[colon + 1..].trim_ascii().eq_ignore_ascii_case(b"yes");
            }
        }
        if !skipping {
            out.extend_from_slice(line);
        }
        pos = end;
    }
    if found {
        out.extend_from_slice(&message[header_end..]);
        *message = out;
    }
    requested
}

/// Who submitted, read from the session before the message is stored.
pub struct Submission {
    /// The authenticated sender.
    pub sender: Address,
    pub recipients: Vec<String>,
    pub auth_method: String,
    /// The message carried `Sigillo-Certified: yes`.
    pub requested: bool,
}

impl Submission {
    /// For authenticated sessions only (certified mail is a submission feature); strips the
    /// request header from `message` in every case.
    pub fn read(session: &crate::session::Session, tx: &crate::session::Transaction, message: &mut Vec<u8>) -> Option<Self> {
        let auth = session.auth.as_ref()?;
        let requested = take_request(message);
        let transport = match &session.tls {
            Some(tls) => format!("over {} ({})", tls.version, tls.cipher),
            None => "without TLS".to_string(),
        };
        Some(Submission {
            sender: auth.address.clone(),
            recipients: tx.recipients.iter().map(|r| r.address.to_string()).collect(),
            auth_method: format!("SMTP AUTH as {} on {} {transport}", auth.address, session.kind.name()),
            requested,
        })
    }
}

/// A certified submission, decided before the message is stored so the queue file can carry
/// its [`CertifiedMark`] (outbound delivery then certifies each remote result).
pub struct Plan {
    id: String,
    sender: Address,
    /// The acceptance event, built (with its evidence id and time) before the message is
    /// stored; recorded right after.
    acceptance: Event,
    subject: Option<String>,
}

impl Plan {
    pub fn mark(&self) -> CertifiedMark {
        CertifiedMark {
            sender: self.sender.to_string(),
            message_sha256: self.acceptance.message_sha256.clone(),
            acceptance_id: self.acceptance.evidence_id.clone(),
            message_id_header: self.acceptance.message_id_header.clone(),
            subject: self.subject.clone(),
        }
    }
}

/// Whether this submission is certified (the sender's account is, or the message asked);
/// `message` is the message as accepted (request header removed, no trace headers).
pub fn plan(server: &Server, dir: &sigillo_store::Directory, submission: Option<&Submission>, id: &str, message: &[u8]) -> Option<Plan> {
    let submission = submission?;
    server.certifier.as_ref()?;
    let account_certified = match dir.account(&submission.sender.to_string()) {
        Ok(Some(account)) => account.certified,
        Ok(None) => false,
        Err(e) => {
            tracing::error!(id, error = %e, "certified mail: cannot read the sender's account");
            false
        }
    };
    if !submission.requested && !account_certified {
        return None;
    }
    let hash = sigillo_certify::message_hash(message);
    let parsed = mail_parser::MessageParser::default().parse_headers(message);
    let message_id = parsed.as_ref().and_then(|m| m.message_id()).map(|id| format!("<{id}>"));
    let subject = parsed.as_ref().and_then(|m| m.subject()).map(str::to_string);
    let what = EventKind::Acceptance {
        sender: submission.sender.to_string(),
        recipients: submission.recipients.clone(),
        auth_method: submission.auth_method.clone(),
    };
    match Event::new(id, message_id, &hash, &server.hostname, what) {
        Ok(acceptance) => Some(Plan { id: id.to_string(), sender: submission.sender.clone(), acceptance, subject }),
        Err(e) => {
            tracing::error!(id, error = %e, "certified mail: cannot create the acceptance event");
            None
        }
    }
}

fn receipt_delivery<'a>(server: &'a Server, dir: &'a sigillo_store::Directory) -> Delivery<'a> {
    Delivery {
        data: &server.data,
        directory: dir,
        keyring: &server.gate.keyring,
        // Receipts carry the evidence (certificates, tokens): allow them beyond the message limit.
        max_message_size: server.limits.max_message_size.saturating_add(1024 * 1024),
    }
}

/// Records the acceptance and each local delivery, and delivers the receipts. Runs after the
/// message is durably stored; never fails the acceptance.
pub fn after_accept(server: &Server, dir: &sigillo_store::Directory, plan: Option<Plan>, locals: &[Address]) {
    let (Some(certifier), Some(plan)) = (server.certifier.as_deref(), plan) else {
        return;
    };
    if let Err(e) = certify(server, certifier, &receipt_delivery(server, dir), &plan, locals) {
        tracing::error!(id = plan.id, error = %e, "certified mail: could not record the evidence or deliver a receipt");
    }
}

#[derive(Debug, thiserror::Error)]
enum CertifiedError {
    #[error(transparent)]
    Certify(#[from] CertifyError),
    #[error("cannot deliver the receipt: {0}")]
    Receipt(String),
}

fn certify(server: &Server, certifier: &Certifier, delivery: &Delivery<'_>, plan: &Plan, locals: &[Address]) -> Result<(), CertifiedError> {
    let acceptance = certifier.record(plan.acceptance.clone())?;
    tracing::info!(id = plan.id, evidence = acceptance.event.evidence_id, "certified mail: acceptance recorded");
    let to = ReceiptTo { sender: &plan.sender, subject: plan.subject.as_deref() };
    send_receipt(server, certifier, delivery, &to, std::slice::from_ref(&acceptance))?;
    for rcpt in locals {
        // A recipient deleted between RCPT and delivery got nothing: no delivery evidence.
        if !matches!(delivery.directory.account(&rcpt.to_string()), Ok(Some(_))) {
            continue;
        }
        let what = EventKind::Delivery { recipient: rcpt.to_string(), how: "local".into(), mailbox: Some("INBOX".into()), remote: None };
        let delivered = certifier.record(follow_up(&plan.acceptance, &server.hostname, what)?)?;
        tracing::info!(id = plan.id, evidence = delivered.event.evidence_id, "certified mail: local delivery recorded");
        send_receipt(server, certifier, delivery, &to, &[acceptance.clone(), delivered])?;
    }
    Ok(())
}

/// A later event about the same message as `acceptance`.
fn follow_up(acceptance: &Event, issuer: &str, what: EventKind) -> Result<Event, CertifyError> {
    let hash: [u8; 32] = hex::decode(&acceptance.message_sha256)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CertifyError::Corrupt("the message hash is not 32 bytes of hex".into()))?;
    Event::new(&acceptance.message_id, acceptance.message_id_header.clone(), &hash, issuer, what)
}

/// The observer outbound delivery calls for each recipient's final result: certified
/// messages get a delivery or non-delivery event and a receipt in the sender's INBOX.
pub fn delivery_observer(server: Arc<Server>) -> DeliveryObserver {
    Arc::new(move |envelope: &QueuedEnvelope, recipient: &QueuedRecipient| {
        let Some(mark) = envelope.certified.clone() else {
            return;
        };
        let (server, id, recipient) = (Arc::clone(&server), envelope.id.clone(), recipient.clone());
        tokio::spawn(async move {
            let directories = Arc::clone(&server.gate.directories);
            let result = directories.run(move |dir| certify_outbound(&server, dir, &id, &mark, &recipient)).await;
            match result {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::error!(error = %e, "certified mail: could not certify an outbound result"),
                Err(e) => tracing::error!(error = %e, "certified mail: could not certify an outbound result"),
            }
        });
    })
}

/// How long delivery evidence waits for the acceptance record (written right after the queue
/// file, so a very fast delivery can overtake it).
const ACCEPTANCE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn certify_outbound(
    server: &Server,
    dir: &sigillo_store::Directory,
    id: &str,
    mark: &CertifiedMark,
    recipient: &QueuedRecipient,
) -> Result<(), CertifiedError> {
    let Some(certifier) = server.certifier.as_deref() else {
        return Ok(());
    };
    let started = std::time::Instant::now();
    let acceptance = loop {
        match certifier.load(&mark.acceptance_id) {
            Err(CertifyError::NotFound(_)) if started.elapsed() < ACCEPTANCE_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(50))
            }
            other => break other?,
        }
    };
    let what = match (recipient.status, &recipient.report) {
        (RecipientStatus::Delivered, Some(report)) => EventKind::Delivery {
            recipient: recipient.address.clone(),
            how: "remote".into(),
            mailbox: None,
            remote: Some(remote_facts(report)),
        },
        (RecipientStatus::Pending, _) => return Ok(()),
        _ => EventKind::NonDelivery {
            recipient: recipient.address.clone(),
            last_reply: recipient.last_reply.clone().unwrap_or_else(|| "no reply".into()),
        },
    };
    let event = certifier.record(follow_up(&acceptance.event, &server.hostname, what)?)?;
    tracing::info!(id, evidence = event.event.evidence_id, kind = event.event.kind_name(), "certified mail: outbound result recorded");
    let sender: Address = mark.sender.parse().map_err(|_| CertifiedError::Receipt(format!("sender {} is not an address", mark.sender)))?;
    let to = ReceiptTo { sender: &sender, subject: mark.subject.as_deref() };
    send_receipt(server, certifier, &receipt_delivery(server, dir), &to, &[acceptance, event])
}

/// The remote server's answer as evidence.
fn remote_facts(report: &DeliveryReport) -> RemoteDelivery {
    // MTA-STS/DANE: `cert_verified` is only set under one of those policies (RFC 8461, RFC 7672).
    let policy = match (&report.tls_version, report.cert_verified) {
        (None, _) => "no TLS",
        (Some(_), true) => "TLS, certificate verified under MTA-STS or DANE",
        (Some(_), false) => "opportunistic TLS (RFC 7435), certificate not verified: no MTA-STS or DANE policy",
    };
    RemoteDelivery {
        server_name: report.mx_host.clone(),
        server_ip: report.mx_ip.clone(),
        reply: report.reply.clone(),
        tls_version: report.tls_version.clone(),
        tls_cipher: report.tls_cipher.clone(),
        certificate_sha256: report.peer_cert_sha256.clone(),
        policy: Some(policy.to_string()),
    }
}

/// Who a receipt goes to and what it is about.
struct ReceiptTo<'a> {
    sender: &'a Address,
    subject: Option<&'a str>,
}

fn send_receipt(
    server: &Server,
    certifier: &Certifier,
    delivery: &Delivery<'_>,
    to: &ReceiptTo<'_>,
    events: &[StoredEvent],
) -> Result<(), CertifiedError> {
    let bundle: Bundle = certifier.bundle(events)?;
    let Some(last) = events.last() else {
        return Ok(());
    };
    let sender = to.sender.to_string();
    let lang = sender_language(delivery.directory, &sender);
    let receipt = Receipt {
        event: &last.event,
        bundle: &bundle,
        to: &sender,
        hostname: &server.hostname,
        from_domain: to.sender.domain(),
        lang: &lang,
        subject_of_original: to.subject,
    };
    let message = sign_receipt(server, receipt.message()?);
    delivery
        .deliver(to.sender, &message, "INBOX", &[], sigillo_core::clock::unix_now())
        .map_err(|e| CertifiedError::Receipt(e.to_string()))?;
    Ok(())
}

/// The language receipts are written in for `address` (English when unset or unreadable).
fn sender_language(dir: &sigillo_store::Directory, address: &str) -> String {
    match dir.account(address).and_then(|a| a.map(|a| dir.language(&a.id)).transpose()) {
        Ok(lang) => lang.flatten().unwrap_or_else(|| "en".to_string()),
        Err(e) => {
            tracing::warn!(address, error = %e, "cannot read the account's language; receipts in English");
            "en".to_string()
        }
    }
}

/// Receipts are DKIM-signed (Ed25519 and RSA) by the sender's domain, as its outgoing mail
/// is, so a receipt forwarded to a third party still shows it came from this server
/// unaltered; evidence.json and the tokens carry their own signatures either way.
fn sign_receipt(server: &Server, message: Vec<u8>) -> Vec<u8> {
    let Some(signer) = &server.dkim else { return message };
    let mut signed = signer(&message);
    signed.extend_from_slice(&message);
    signed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_header_is_removed_and_read() {
        let mut m = b"From: a@x\r\nSigillo-Certified: YES\r\nSubject: s\r\n\r\nSigillo-Certified: yes\r\n".to_vec();
        assert!(take_request(&mut m));
        assert_eq!(m, b"From: a@x\r\nSubject: s\r\n\r\nSigillo-Certified: yes\r\n");
        let mut m = b"From: a@x\r\nsigillo-certified: no\r\n  folded\r\nSubject: s\r\n\r\nbody\r\n".to_vec();
        assert!(!take_request(&mut m));
        assert_eq!(m, b"From: a@x\r\nSubject: s\r\n\r\nbody\r\n");
        let mut m = b"From: a@x\r\n\r\nbody\r\n".to_vec();
        assert!(!take_request(&mut m));
        assert_eq!(m, b"From: a@x\r\n\r\nbody\r\n");
    }
}
