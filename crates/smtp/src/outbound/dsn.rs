//! Delivery status notifications (RFC 3464) for the envelope sender:
//!
//! - a failure DSN (`Action: failed`) when recipients failed permanently or the message
//!   outlived `[delivery] max_lifetime_secs`;
//! - one delay DSN (`Action: delayed`) after `[delivery] delay_dsn_after_secs`.
//!
//! The DSN is `multipart/report; report-type=delivery-status` (RFC 6522): a human-readable
//! part, the `message/delivery-status` part (RFC 3464 §2), and the original message's
//! header as `text/rfc822-headers`. It goes out with the null reverse path (RFC 5321 §4.5.5),
//! so a DSN never produces another DSN; a message from the null sender gets none.

use crate::queue::{QueuedEnvelope, QueuedRecipient};

/// Failed or delayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DsnKind {
    Failed,
    Delayed,
}

impl DsnKind {
    fn action(self) -> &'static str {
        match self {
            DsnKind::Failed => "failed",
            DsnKind::Delayed => "delayed",
        }
    }

    fn notify_keyword(self) -> &'static str {
        match self {
            DsnKind::Failed => "FAILURE",
            DsnKind::Delayed => "DELAY",
        }
    }
}

/// Whether the sender asked (RFC 3461 §4.1 NOTIFY; default: failures and delays) and can get
/// a DSN at all (not the null sender).
pub fn wanted(envelope: &QueuedEnvelope, rcpt: &QueuedRecipient, kind: DsnKind) -> bool {
    if envelope.mail_from.is_empty() {
        return false;
    }
    if rcpt.notify.is_empty() {
        return true;
    }
    rcpt.notify.iter().any(|n| n.eq_ignore_ascii_case(kind.notify_keyword()))
}

/// The original header block (up to the first empty line), at most 64 KiB.
fn original_headers(message: &[u8]) -> &[u8] {
    let end = message.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 2).unwrap_or(message.len());
    &message[..end.min(64 * 1024)]
}

/// RFC 3463 status from a reply like "550 5.1.1 ...", else a class default.
fn status_of(reply: &str, kind: DsnKind) -> String {
    let code = reply.split_whitespace().nth(1).filter(|s| {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    match (code, kind) {
        (Some(c), DsnKind::Failed) if c.starts_with('5') => c.to_string(),
        (_, DsnKind::Failed) => "5.0.0".into(),
        (Some(c), DsnKind::Delayed) if c.starts_with('4') => c.to_string(),
        (_, DsnKind::Delayed) => "4.0.0".into(),
    }
}

/// Builds the DSN message (with its own Date, Message-ID, From: MAILER-DAEMON@hostname).
pub fn build(
    hostname: &str,
    envelope: &QueuedEnvelope,
    recipients: &[&QueuedRecipient],
    kind: DsnKind,
    message: &[u8],
    id: &str,
) -> Vec<u8> {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_else(|_| "Thu, 1 Jan 1970 00:00:00 +0000".into());
    let arrival = time::OffsetDateTime::from_unix_timestamp(envelope.received_at)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc2822).ok())
        .unwrap_or_else(|| date.clone());
    let boundary = format!("=_sigillo_dsn_{id}");
    let (subject, human) = match kind {
        DsnKind::Failed => (
            "Undelivered Mail Returned to Sender",
            "Your message could not be delivered to one or more recipients. It will not be retried.",
        ),
        DsnKind::Delayed => (
            "Delayed Mail (still being retried)",
            "Your message has not been delivered yet to one or more recipients. Sigillo keeps trying; you do not need to resend it.",
        ),
    };
    let mut text = format!("This is the mail system at {hostname}.\r\n\r\n{human}\r\n\r\n");
    for r in recipients {
        text.push_str(&format!("<{}>: {}\r\n", r.address, r.last_reply.as_deref().unwrap_or("no reply")));
    }
    // RFC 3464 §2.2: per-message fields.
    let mut status = format!("Reporting-MTA: dns; {hostname}\r\nArrival-Date: {arrival}\r\n");
    if let Some(envid) = &envelope.envid {
        status.push_str(&format!("Original-Envelope-Id: {envid}\r\n"));
    }
    // RFC 3464 §2.3: per-recipient fields, each group after an empty line.
    for r in recipients {
        status.push_str("\r\n");
        if let Some(orcpt) = &r.orcpt {
            status.push_str(&format!("Original-Recipient: {orcpt}\r\n"));
        }
        let reply = r.last_reply.as_deref().unwrap_or("");
        status.push_str(&format!(
            "Final-Recipient: rfc822; {}\r\nAction: {}\r\nStatus: {}\r\n",
            r.address,
            kind.action(),
            status_of(reply, kind)
        ));
        if let Some(report) = &r.report {
            status.push_str(&format!("Remote-MTA: dns; {}\r\n", report.mx_host));
        }
        if !reply.is_empty() {
            let single: String = reply.chars().filter(|c| !c.is_control()).take(900).collect();
            status.push_str(&format!("Diagnostic-Code: smtp; {single}\r\n"));
        }
        if kind == DsnKind::Delayed {
            status.push_str(&format!("Last-Attempt-Date: {date}\r\n"));
        }
    }
    let mut out = format!(
        "From: Mail Delivery System <MAILER-DAEMON@{hostname}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nDate: {date}\r\n\
         Message-ID: <{id}.dsn@{hostname}>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\n\
         This is a MIME-encapsulated delivery status notification.\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n\
         --{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n{status}\r\n\
         --{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n",
        to = envelope.mail_from
    )
    .into_bytes();
    out.extend_from_slice(original_headers(message));
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(from: &str) -> QueuedEnvelope {
        QueuedEnvelope {
            id: "q1".into(),
            mail_from: from.into(),
            recipients: vec![],
            ret: None,
            envid: Some("E1".into()),
            requiretls: false,
            smtputf8: false,
            eight_bit: false,
            auth_user: None,
            client_ip: "127.0.0.1".into(),
            helo: "h".into(),
            received_at: 0,
            next_attempt: 0,
            delay_dsn_sent: false,
            certified: None,
        }
    }

    #[test]
    fn failure_dsn_has_the_three_parts() {
        let mut rcpt = QueuedRecipient::new("bob@b.test".into(), vec![], Some("rfc822;bob@b.test".into()));
        rcpt.last_reply = Some("550 5.1.1 No such user".into());
        let msg = b"From: a@a.test\r\nSubject: hello\r\n\r\nsecret body\r\n";
        let dsn = String::from_utf8(build("mail.a.test", &envelope("a@a.test"), &[&rcpt], DsnKind::Failed, msg, "d1")).unwrap();
        assert!(dsn.contains("report-type=delivery-status"));
        assert!(dsn.contains("Action: failed\r\nStatus: 5.1.1\r\n"));
        assert!(dsn.contains("Diagnostic-Code: smtp; 550 5.1.1 No such user"));
        assert!(dsn.contains("text/rfc822-headers\r\n\r\nFrom: a@a.test\r\nSubject: hello\r\n"));
        assert!(!dsn.contains("secret body"));
    }

    #[test]
    fn never_for_the_null_sender_and_notify_honoured() {
        let rcpt = QueuedRecipient::new("bob@b.test".into(), vec![], None);
        assert!(!wanted(&envelope(""), &rcpt, DsnKind::Failed));
        assert!(wanted(&envelope("a@a.test"), &rcpt, DsnKind::Failed));
        let never = QueuedRecipient::new("bob@b.test".into(), vec!["NEVER".into()], None);
        assert!(!wanted(&envelope("a@a.test"), &never, DsnKind::Failed));
        let only_fail = QueuedRecipient::new("bob@b.test".into(), vec!["FAILURE".into()], None);
        assert!(!wanted(&envelope("a@a.test"), &only_fail, DsnKind::Delayed));
    }
}
