//! Certified submission: after a message from a certified account (or one that asked with
//! `Sigillo-Certified: yes`) is durably accepted, record the acceptance and each local
//! delivery as evidence and put the receipts in the sender's INBOX.
//!
//! Certification never undoes acceptance: the message is already stored when this runs, so
//! a failure here is logged loudly and the client still gets its `250`.

use crate::Server;
use sigillo_certify::bundle::Bundle;
use sigillo_certify::evidence::{Event, EventKind};
use sigillo_certify::receipt::Receipt;
use sigillo_certify::{Certifier, CertifyError, StoredEvent};
use sigillo_core::Address;
use sigillo_store::deliver::Delivery;

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

/// What [`after_accept`] needs to know about the accepted message.
struct Accepted<'a> {
    id: &'a str,
    sender: &'a Address,
    recipients: Vec<String>,
    /// Local recipients (delivered by the time this runs).
    locals: &'a [Address],
    /// The message as accepted (request header removed, no trace headers).
    message: &'a [u8],
    auth_method: String,
    requested: bool,
}

/// Records evidence and delivers receipts when the sender or the message asks for it.
/// Runs after the message is durably stored; never fails the acceptance.
pub fn after_accept(
    server: &Server,
    dir: &sigillo_store::Directory,
    submission: Option<&Submission>,
    id: &str,
    locals: &[Address],
    message: &[u8],
) {
    let (Some(certifier), Some(submission)) = (server.certifier.as_deref(), submission) else {
        return;
    };
    let delivery = Delivery {
        data: &server.data,
        directory: dir,
        keyring: &server.gate.keyring,
        // Receipts carry the evidence (certificates, tokens): allow them beyond the message limit.
        max_message_size: server.limits.max_message_size.saturating_add(1024 * 1024),
    };
    let accepted = Accepted {
        id,
        sender: &submission.sender,
        recipients: submission.recipients.clone(),
        locals,
        message,
        auth_method: submission.auth_method.clone(),
        requested: submission.requested,
    };
    let (delivery, accepted) = (&delivery, &accepted);
    let account_certified = match delivery.directory.account(&accepted.sender.to_string()) {
        Ok(Some(account)) => account.certified,
        Ok(None) => false,
        Err(e) => {
            tracing::error!(id = accepted.id, error = %e, "certified mail: cannot read the sender's account");
            false
        }
    };
    if !accepted.requested && !account_certified {
        return;
    }
    if let Err(e) = certify(server, certifier, delivery, accepted) {
        tracing::error!(id = accepted.id, error = %e, "certified mail: could not record the evidence or deliver a receipt");
    }
}

#[derive(Debug, thiserror::Error)]
enum CertifiedError {
    #[error(transparent)]
    Certify(#[from] CertifyError),
    #[error("cannot deliver the receipt: {0}")]
    Receipt(String),
}

fn certify(server: &Server, certifier: &Certifier, delivery: &Delivery<'_>, accepted: &Accepted<'_>) -> Result<(), CertifiedError> {
    let hash = sigillo_certify::message_hash(accepted.message);
    let parsed = mail_parser::MessageParser::default().parse_headers(accepted.message);
    let message_id = parsed.as_ref().and_then(|m| m.message_id()).map(|id| format!("<{id}>"));
    let subject = parsed.as_ref().and_then(|m| m.subject()).map(str::to_string);
    let event = |what| Event::new(accepted.id, message_id.clone(), &hash, &server.hostname, what);
    let acceptance = certifier.record(event(EventKind::Acceptance {
        sender: accepted.sender.to_string(),
        recipients: accepted.recipients.clone(),
        auth_method: accepted.auth_method.clone(),
    })?)?;
    tracing::info!(id = accepted.id, evidence = acceptance.event.evidence_id, "certified mail: acceptance recorded");
    send_receipt(server, certifier, delivery, accepted, std::slice::from_ref(&acceptance), subject.as_deref())?;
    for rcpt in accepted.locals {
        // A recipient deleted between RCPT and delivery got nothing: no delivery evidence.
        if !matches!(delivery.directory.account(&rcpt.to_string()), Ok(Some(_))) {
            continue;
        }
        let delivered = certifier.record(event(EventKind::Delivery {
            recipient: rcpt.to_string(),
            how: "local".into(),
            mailbox: Some("INBOX".into()),
            remote: None,
        })?)?;
        tracing::info!(id = accepted.id, evidence = delivered.event.evidence_id, "certified mail: local delivery recorded");
        send_receipt(server, certifier, delivery, accepted, &[acceptance.clone(), delivered], subject.as_deref())?;
    }
    Ok(())
}

fn send_receipt(
    server: &Server,
    certifier: &Certifier,
    delivery: &Delivery<'_>,
    accepted: &Accepted<'_>,
    events: &[StoredEvent],
    subject: Option<&str>,
) -> Result<(), CertifiedError> {
    let bundle: Bundle = certifier.bundle(events)?;
    let Some(last) = events.last() else {
        return Ok(());
    };
    let sender = accepted.sender.to_string();
    // Accounts carry no language yet: English until they do.
    let receipt =
        Receipt { event: &last.event, bundle: &bundle, to: &sender, hostname: &server.hostname, lang: "en", subject_of_original: subject };
    let message = sign_receipt(receipt.message()?);
    delivery
        .deliver(accepted.sender, &message, "INBOX", &[], sigillo_core::clock::unix_now())
        .map_err(|e| CertifiedError::Receipt(e.to_string()))?;
    Ok(())
}

/// Hook for DKIM: receipts must be signed with the server's DKIM key (outbound delivery's
/// signer). Until that lands, receipts are stored unsigned; evidence.json and the tokens
/// carry their own signatures either way.
fn sign_receipt(message: Vec<u8>) -> Vec<u8> {
    message
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
