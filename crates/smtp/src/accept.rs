//! What happens to a message once DATA or BDAT LAST has received it, before `250`:
//!
//! 1. submission: the From: header must be the authenticated user's address (`550 5.7.1`);
//! 2. MX: [`inbound_auth::InboundAuthenticator::authenticate`] (SPF/DKIM/DMARC/ARC): an
//!    `Authentication-Results` header; DMARC p=reject → `550 5.7.1`, p=quarantine → the
//!    `Junk` mailbox. Every listener: `Authentication-Results` fields forged for our hostname
//!    are removed;
//! 3. trace headers: `Received:` (RFC 5321 §4.4, with the TLS version and cipher, RFC 8314
//!    style) on every copy; `Return-Path:` and `Delivered-To:` on local deliveries;
//! 4. local recipients through `sigillo_store::deliver::Delivery` (mailbox or sealed spool,
//!    fsync'd when it returns); remote recipients into the sealed, fsync'd [`Queue`];
//! 5. only then `250` (RFC 5321 §6.1: accepting is taking responsibility).
//!
//! If a local copy fails temporarily the whole message gets `451` and the client retries:
//! a recipient may then get a duplicate, but no accepted message is lost.
//!
//! [`Queue`]: crate::queue::Queue

use crate::error::SmtpError;
use crate::inbound_auth::{self, InboundContext, InboundVerdict};
use crate::queue::{QueuedEnvelope, QueuedRecipient};
use crate::reply::Reply;
use crate::session::{Flow, Session, Transaction};
use crate::{ListenerKind, Server};
use mail_parser::{HeaderName, MessageParser};
use sigillo_core::Address;
use sigillo_store::deliver::{Delivery, DeliveryError};
use std::sync::Arc;

/// Room for the trace headers we add on top of a message of the maximum size.
const TRACE_HEADROOM: u64 = 64 * 1024;

/// RFC 6409 §8.1 lets the MSA check the From: header; we require every address in every
/// From: field to be the submitter's own.
pub fn check_from_header(message: &[u8], user: &Address) -> Result<(), Reply> {
    let spoofed = || Reply::new(550, "5.7.1", format!("From: header rejected: you may send only as <{user}>"));
    let Some(parsed) = MessageParser::new().parse_headers(message) else {
        return Err(Reply::new(550, "5.6.0", "Message refused: its header cannot be parsed"));
    };
    let mut seen = 0;
    for value in parsed.header_values(HeaderName::From) {
        let Some(list) = value.as_address() else {
            return Err(spoofed());
        };
        for addr in list.iter() {
            seen += 1;
            if addr.address().and_then(|a| a.parse::<Address>().ok()).as_ref() != Some(user) {
                return Err(spoofed());
            }
        }
    }
    if seen == 0 {
        return Err(Reply::new(550, "5.6.0", "Message refused: it has no From: header (RFC 5322 §3.6)"));
    }
    Ok(())
}

/// The `Received:` header (RFC 5321 §4.4; protocol names from RFC 3848).
pub fn received_header(session: &Session, id: &str, tx: &Transaction, date: &str) -> String {
    let protocol = match (session.esmtp, session.tls.is_some(), session.auth.is_some()) {
        (false, _, _) => "SMTP",
        (true, false, false) => "ESMTP",
        (true, true, false) => "ESMTPS",
        (true, false, true) => "ESMTPA",
        (true, true, true) => "ESMTPSA",
    };
    let helo = session.helo.as_deref().unwrap_or("unknown");
    let ip = match session.peer.ip() {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => format!("IPv6:{v6}"),
    };
    let mut header = format!("Received: from {helo} ([{ip}])\r\n\tby {} (Sigillo) with {protocol} id {id}", session.server.hostname);
    if let Some(tls) = &session.tls {
        header.push_str(&format!("\r\n\t(using {} with cipher {})", tls.version, tls.cipher));
    }
    // "for" only with one recipient: more would disclose Bcc recipients to each other.
    if let [only] = tx.recipients.as_slice() {
        header.push_str(&format!("\r\n\tfor <{}>", only.address));
    }
    header.push_str(&format!(";\r\n\t{date}\r\n"));
    header
}

fn rfc5322_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_else(|_| "Thu, 1 Jan 1970 00:00:00 +0000".into())
}

pub async fn accept(session: &mut Session, message: Vec<u8>) -> Result<Flow, SmtpError> {
    let Some(tx) = session.tx.take() else {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "No transaction")));
    };
    if let Some(user) = &session.auth
        && let Err(reply) = check_from_header(&message, &user.address)
    {
        return Ok(session.refuse(reply));
    }
    let mut added = String::new();
    let mut junk = false;
    let mut message = message;
    if session.kind == ListenerKind::Mx {
        let context = InboundContext {
            client_ip: session.peer.ip(),
            helo: session.helo.as_deref().unwrap_or(""),
            mail_from: &tx.mail_from,
            tls: session.tls.is_some(),
        };
        match session.server.inbound_auth.authenticate(&context, &message).await {
            InboundVerdict::Accept { headers, junk: quarantine } => {
                headers.iter().for_each(|h| added.push_str(h));
                junk = quarantine;
            }
            InboundVerdict::Reject { reason } => {
                tracing::info!(peer = %session.peer, mail_from = tx.mail_from, "message rejected by DMARC policy");
                return Ok(session.refuse(Reply::new(550, "5.7.1", reason)));
            }
        }
    }
    // RFC 8601 §5: only our own header may claim our hostname, on every listener (a local user
    // must not be able to hand a colleague a message "authenticated" by us either).
    if let Some(cleaned) = inbound_auth::remove_forged_results(&message, &session.server.hostname) {
        tracing::info!(peer = %session.peer, listener = session.kind.name(), "removed a forged Authentication-Results header");
        message = cleaned;
    }
    let certified = crate::certified::Submission::read(session, &tx, &mut message);
    let id = sigillo_crypto::random::hex_id()?;
    let received_at = sigillo_core::clock::unix_now();
    let mut trace = received_header(session, &id, &tx, &rfc5322_now());
    trace.push_str(&added);

    let envelope = QueuedEnvelope {
        id: id.clone(),
        mail_from: tx.mail_from.clone(),
        recipients: tx
            .recipients
            .iter()
            .filter(|r| !r.local)
            .map(|r| QueuedRecipient::new(r.address.to_string(), r.notify.clone(), r.orcpt.clone()))
            .collect(),
        ret: tx.params.ret.clone(),
        envid: tx.params.envid.clone(),
        requiretls: tx.params.requiretls,
        smtputf8: tx.params.smtputf8,
        eight_bit: tx.params.eight_bit,
        auth_user: session.auth.as_ref().map(|a| a.address.to_string()),
        client_ip: session.client_ip(),
        helo: session.helo.clone().unwrap_or_default(),
        received_at,
        next_attempt: 0,
        delay_dsn_sent: false,
        certified: None,
    };
    let locals: Vec<Address> = tx.recipients.iter().filter(|r| r.local).map(|r| r.address.clone()).collect();
    let server = Arc::clone(&session.server);
    let outcome = session
        .server
        .gate
        .directories
        .run(move |dir| {
            let mut envelope = envelope;
            let plan = crate::certified::plan(&server, dir, certified.as_ref(), &envelope.id, &message);
            envelope.certified = plan.as_ref().map(crate::certified::Plan::mark);
            let stored = store(&server, dir, &envelope, &locals, &trace, &message, received_at, junk);
            if stored.is_ok() {
                crate::certified::after_accept(&server, dir, plan, &locals);
            }
            stored
        })
        .await?;
    let reply = match outcome {
        Ok(()) => {
            tracing::info!(peer = %session.peer, listener = session.kind.name(), id, recipients = tx.recipients.len(), "message accepted");
            Reply::new(250, "2.0.0", format!("Ok: queued as {id}"))
        }
        Err(reply) => return Ok(session.refuse(reply)),
    };
    Ok(session.ok(reply))
}

/// Local deliveries, then the queue file; every write fsync'd before this returns `Ok`.
#[allow(clippy::too_many_arguments)]
fn store(
    server: &Server,
    dir: &sigillo_store::Directory,
    envelope: &QueuedEnvelope,
    locals: &[Address],
    trace: &str,
    message: &[u8],
    received_at: i64,
    junk: bool,
) -> Result<(), Reply> {
    // RFC 7489 §6.3 p=quarantine: "treated as suspicious", here the Junk mailbox.
    let mailbox = if junk { "Junk" } else { "INBOX" };
    let delivery = Delivery {
        data: &server.data,
        directory: dir,
        keyring: &server.gate.keyring,
        max_message_size: server.limits.max_message_size.saturating_add(TRACE_HEADROOM),
    };
    let mut delivered = 0usize;
    for rcpt in locals {
        // RFC 5321 §4.4: the final delivery adds Return-Path.
        let mut copy = format!("Return-Path: <{}>\r\nDelivered-To: {rcpt}\r\n{trace}", envelope.mail_from).into_bytes();
        copy.extend_from_slice(message);
        match delivery.deliver(rcpt, &copy, mailbox, &[], received_at) {
            Ok(_) => delivered += 1,
            Err(DeliveryError::UnknownRecipient(who)) => {
                // Deleted between RCPT and now. A bounce is the DSN issue's job.
                tracing::warn!(id = envelope.id, recipient = who, "recipient vanished before delivery; not delivered");
            }
            Err(DeliveryError::TooLarge { size, limit }) => {
                tracing::warn!(id = envelope.id, size, limit, "message too large for delivery");
                return Err(Reply::new(552, "5.3.4", "Message size exceeds the fixed maximum"));
            }
            Err(DeliveryError::Temporary(e)) => {
                tracing::error!(id = envelope.id, error = %e, "local delivery failed; the client will retry");
                return Err(Reply::new(451, "4.3.0", "Temporary local delivery failure; try again later"));
            }
        }
    }
    if !envelope.recipients.is_empty() {
        let mut queued = trace.as_bytes().to_vec();
        queued.extend_from_slice(message);
        if let Err(e) = server.queue.enqueue(envelope, &queued) {
            tracing::error!(id = envelope.id, error = %e, "cannot write the queue file; the client will retry");
            return Err(Reply::new(451, "4.3.0", "Temporary queue failure; try again later"));
        }
    } else if delivered == 0 {
        return Err(Reply::new(550, "5.1.1", "No recipient could be delivered"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_header_must_be_the_user() {
        let me: Address = "alice@example.org".parse().unwrap();
        assert!(check_from_header(b"From: Alice <Alice@Example.org>\r\nSubject: x\r\n\r\nbody\r\n", &me).is_ok());
        assert!(check_from_header(b"From: \"alice@example.org\" <boss@example.org>\r\n\r\nx\r\n", &me).is_err());
        assert!(check_from_header(b"From: alice@example.org, boss@example.org\r\n\r\nx\r\n", &me).is_err());
        assert!(check_from_header(b"From: alice@example.org\r\nFrom: boss@example.org\r\n\r\nx\r\n", &me).is_err());
        assert!(check_from_header(b"Subject: none\r\n\r\nx\r\n", &me).is_err());
    }
}
