//! The greeting (RFC 5321 §4.3.1) and EHLO/HELO (RFC 5321 §4.1.1.1), with what EHLO
//! advertises on each listener and TLS state.

use crate::reply::Reply;
use crate::session::{Flow, Session};

pub fn banner(hostname: &str) -> Reply {
    Reply::plain(220, vec![format!("{hostname} ESMTP Sigillo")])
}

/// The EHLO keywords for this session. AUTH only on submission and only over TLS
/// (RFC 4954 §4, RFC 8314); STARTTLS only before TLS (RFC 3207 §4.2); REQUIRETLS only
/// after it (RFC 8689 §4).
pub fn capabilities(session: &Session) -> Vec<String> {
    let tls = session.tls.is_some();
    let mut caps = vec![
        "PIPELINING".to_string(),                                   // RFC 2920
        format!("SIZE {}", session.server.limits.max_message_size), // RFC 1870
        "8BITMIME".to_string(),                                     // RFC 6152
        "SMTPUTF8".to_string(),                                     // RFC 6531
        "ENHANCEDSTATUSCODES".to_string(),                          // RFC 2034
        "CHUNKING".to_string(),                                     // RFC 3030
        "DSN".to_string(),                                          // RFC 3461
    ];
    if tls {
        caps.push("REQUIRETLS".to_string());
        if session.kind.is_submission() && session.auth.is_none() {
            caps.push("AUTH PLAIN LOGIN".to_string());
        }
    } else {
        caps.push("STARTTLS".to_string());
    }
    caps
}

pub fn ehlo(session: &mut Session, host: String, extended: bool) -> Flow {
    // RFC 5321 §4.1.4: EHLO/HELO in a session resets any transaction.
    session.tx = None;
    let host = sanitize_helo(&host);
    let greeting = format!("{} greets {host}", session.server.hostname);
    session.helo = Some(host);
    session.esmtp = extended;
    let reply = if extended {
        let mut lines = vec![greeting];
        lines.extend(capabilities(session));
        Reply::plain(250, lines)
    } else {
        Reply::plain(250, vec![greeting])
    };
    session.ok(reply)
}

/// The client's name as it may appear in a Received header: printable ASCII, no spaces,
/// parentheses or semicolons, at most 255 octets.
fn sanitize_helo(host: &str) -> String {
    host.chars().take(255).map(|c| if c.is_ascii_graphic() && !matches!(c, '(' | ')' | ';' | '\\' | '"') { c } else { '?' }).collect()
}
