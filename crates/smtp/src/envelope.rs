//! The envelope: MAIL FROM (RFC 5321 §4.1.1.2) and RCPT TO (§4.1.1.3), and the relay rules.
//!
//! Never an open relay:
//! - on the MX listener a recipient must be in a local domain and exist (`550 5.1.1`
//!   otherwise); any other domain is `550 5.7.1`, whoever asks;
//! - relaying to other domains needs an authenticated submission session;
//! - source routes (`<@a,@b:user@c>`) are refused on every listener, and so are `%`-hack and
//!   `!` paths in a local part (`user%remote@local`) that name a host that is not ours.

use crate::error::SmtpError;
use crate::reply::Reply;
use crate::session::{Flow, MailParams, Recipient, Session, Transaction};
use sigillo_core::Address;
use smtp_proto::{
    MAIL_BODY_8BITMIME, MAIL_BODY_BINARYMIME, MAIL_REQUIRETLS, MAIL_RET_FULL, MAIL_RET_HDRS, MAIL_SMTPUTF8, MailFrom, RCPT_NOTIFY_DELAY,
    RCPT_NOTIFY_FAILURE, RCPT_NOTIFY_NEVER, RCPT_NOTIFY_SUCCESS, RcptTo,
};

/// Whether a MAIL or RCPT line carries a source route: the path starts with `@`
/// (RFC 5321 §4.1.2 `A-d-l`). The parser would silently drop it; we want to see it.
pub fn has_source_route(line: &[u8]) -> bool {
    let Some(open) = line.iter().position(|&b| b == b'<') else {
        return false;
    };
    line[open + 1..].iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'@')
}

pub async fn mail(session: &mut Session, from: MailFrom<String>) -> Result<Flow, SmtpError> {
    if session.helo.is_none() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "Send EHLO first")));
    }
    if session.tx.is_some() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "Nested MAIL command")));
    }
    if session.kind.is_submission() && session.auth.is_none() {
        // RFC 4954 §6: 530 5.7.0 Authentication required.
        return Ok(session.refuse(Reply::new(530, "5.7.0", "Authentication required")));
    }
    if from.flags & MAIL_BODY_BINARYMIME != 0 {
        return Ok(session.refuse(Reply::new(555, "5.5.4", "BODY=BINARYMIME is not supported")));
    }
    if from.trans_id.is_some()
        || from.by != 0
        || from.mtrk.is_some()
        || from.hold_for != 0
        || from.hold_until != 0
        || from.solicit.is_some()
    {
        return Ok(session.refuse(Reply::new(555, "5.5.4", "Unsupported MAIL FROM parameter")));
    }
    if from.flags & MAIL_REQUIRETLS != 0 && session.tls.is_none() {
        // RFC 8689 §4.1: REQUIRETLS only on a TLS session.
        return Ok(session.refuse(Reply::new(530, "5.7.10", "REQUIRETLS needs a TLS session")));
    }
    let max = session.server.limits.max_message_size;
    if from.size as u64 > max {
        // RFC 1870 §6.
        return Ok(session.refuse(Reply::new(552, "5.3.4", format!("Message size exceeds the fixed maximum of {max} octets"))));
    }
    let reverse_path = if from.address.is_empty() {
        String::new()
    } else {
        match from.address.parse::<Address>() {
            Ok(address) => address.to_string(),
            Err(_) => return Ok(session.refuse(Reply::new(553, "5.1.7", "Bad sender address syntax"))),
        }
    };
    if let Some(user) = &session.auth {
        // The submitter may send only as itself (RFC 6409 §6.1 lets the MSA enforce this).
        if reverse_path != user.address.to_string() {
            let text = format!("Sender address rejected: you may send only as <{}>", user.address);
            return Ok(session.refuse(Reply::new(550, "5.7.1", text)));
        }
    }
    let params = MailParams {
        declared_size: from.size,
        eight_bit: from.flags & MAIL_BODY_8BITMIME != 0,
        smtputf8: from.flags & MAIL_SMTPUTF8 != 0,
        requiretls: from.flags & MAIL_REQUIRETLS != 0,
        ret: if from.flags & MAIL_RET_FULL != 0 {
            Some("FULL".into())
        } else if from.flags & MAIL_RET_HDRS != 0 {
            Some("HDRS".into())
        } else {
            None
        },
        envid: from.env_id,
    };
    session.tx = Some(Transaction { mail_from: reverse_path, params, recipients: Vec::new(), bdat: None });
    Ok(session.ok(Reply::new(250, "2.1.0", "Sender ok")))
}

/// Where a recipient goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    LocalAccount,
    LocalUnknown,
    Remote,
}

/// RFC 5321 §4.1.1.3: `RCPT TO:<Postmaster>` without a domain (any case) must be accepted;
/// the command parser wants a domain, so the line is given ours before it is parsed.
pub fn expand_bare_postmaster(line: &[u8], domain: &str) -> Option<Vec<u8>> {
    const PREFIX: &[u8] = b"RCPT TO:<POSTMASTER>";
    let head = line.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    let mut out = format!("RCPT TO:<postmaster@{domain}>").into_bytes();
    out.extend_from_slice(&line[PREFIX.len()..]);
    Some(out)
}

pub async fn rcpt(session: &mut Session, to: RcptTo<String>) -> Result<Flow, SmtpError> {
    let Some(tx) = &session.tx else {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "Need MAIL before RCPT")));
    };
    if tx.bdat.is_some() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "RCPT after BDAT")));
    }
    if tx.recipients.len() >= session.server.limits.max_recipients {
        // RFC 5321 §4.5.3.1.10: 452 too many recipients; the client sends the rest later.
        return Ok(session.refuse(Reply::new(452, "4.5.3", "Too many recipients")));
    }
    let Ok(address) = to.address.parse::<Address>() else {
        return Ok(session.refuse(Reply::new(501, "5.1.3", "Bad recipient address syntax")));
    };
    // `%` and `!` routing in the local part: refuse when it names a host we do not serve.
    let routed_domain = address
        .local()
        .rsplit_once('%')
        .map(|(_, d)| d.to_string())
        .or_else(|| address.local().split_once('!').map(|(h, _)| h.to_string()));
    let domain = address.domain().to_string();
    let account = address.to_string();
    let lookup = session
        .server
        .gate
        .directories
        .run(move |dir| -> Result<(Lookup, bool), sigillo_store::StoreError> {
            let routed_ok = match routed_domain {
                Some(d) => dir.has_domain(&d.to_lowercase())?,
                None => true,
            };
            if !dir.has_domain(&domain)? {
                return Ok((Lookup::Remote, routed_ok));
            }
            let found = if dir.recipient(&account)?.is_some() { Lookup::LocalAccount } else { Lookup::LocalUnknown };
            Ok((found, routed_ok))
        })
        .await?;
    let (lookup, routed_ok) = match lookup {
        Ok(pair) => pair,
        Err(e) => {
            tracing::warn!(error = %e, "directory lookup failed");
            return Ok(session.refuse(Reply::new(451, "4.3.0", "Temporary lookup failure; try again later")));
        }
    };
    if !routed_ok {
        return Ok(session.refuse(Reply::new(550, "5.7.1", "Relaying denied: '%' and '!' routing are not accepted")));
    }
    let local = match lookup {
        Lookup::LocalAccount => true,
        Lookup::LocalUnknown => return Ok(session.refuse(Reply::new(550, "5.1.1", format!("<{address}>: no such user here")))),
        Lookup::Remote if session.auth.is_some() => false,
        Lookup::Remote => return Ok(session.refuse(Reply::new(550, "5.7.1", format!("<{address}>: relaying denied")))),
    };
    let mut notify = Vec::new();
    for (flag, name) in
        [(RCPT_NOTIFY_SUCCESS, "SUCCESS"), (RCPT_NOTIFY_FAILURE, "FAILURE"), (RCPT_NOTIFY_DELAY, "DELAY"), (RCPT_NOTIFY_NEVER, "NEVER")]
    {
        if to.flags & flag != 0 {
            notify.push(name.to_string());
        }
    }
    let recipient = Recipient { address, local, notify, orcpt: to.orcpt };
    if let Some(tx) = session.tx.as_mut()
        && !tx.recipients.iter().any(|r| r.address == recipient.address)
    {
        tx.recipients.push(recipient);
    }
    Ok(session.ok(Reply::new(250, "2.1.5", "Recipient ok")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_postmaster_gets_our_domain() {
        assert_eq!(
            expand_bare_postmaster(b"rcpt to:<PostMaster> NOTIFY=NEVER", "example.org").unwrap(),
            b"RCPT TO:<postmaster@example.org> NOTIFY=NEVER"
        );
        assert_eq!(expand_bare_postmaster(b"RCPT TO:<postmaster@other.example>", "example.org"), None);
        assert_eq!(expand_bare_postmaster(b"RCPT TO:<post>", "example.org"), None);
    }

    #[test]
    fn source_routes_are_seen() {
        assert!(has_source_route(b"RCPT TO:<@a.example,@b.example:user@c.example>\r\n"));
        assert!(has_source_route(b"MAIL FROM: < @a:u@b>\r\n"));
        assert!(!has_source_route(b"RCPT TO:<user@c.example>\r\n"));
        assert!(!has_source_route(b"RCPT TO:<\"@\"@c.example>\r\n"));
    }
}
