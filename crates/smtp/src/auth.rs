//! AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms.
//!
//! Offered only on the submission listeners and only over TLS; the secret is the account
//! password or an app password scoped to `smtp`, checked by `sigillo_auth::login::verify`
//! (Argon2id, so on the blocking pool). Failures count in the server-wide lockout:
//! `535 5.7.8` for wrong credentials, `454 4.7.0` while locked out.

use crate::error::SmtpError;
use crate::limits::MAX_AUTH_LINE;
use crate::reply::Reply;
use crate::session::{Authenticated, Flow, Session};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sigillo_auth::LoginRefused;
use sigillo_auth::login::Protocol;
use smtp_proto::{AUTH_LOGIN, AUTH_PLAIN};
use zeroize::Zeroizing;

/// A SASL response line: `Ok(None)` when the client cancelled with `*` (RFC 4954 §4).
async fn read_response(session: &mut Session, challenge: &str) -> Result<Result<Zeroizing<Vec<u8>>, Reply>, SmtpError> {
    session.conn.reply(&Reply::plain(334, vec![challenge.to_string()]));
    let line = session.conn.read_line(MAX_AUTH_LINE).await?;
    if line.overlong(MAX_AUTH_LINE) || !line.crlf {
        return Ok(Err(Reply::new(500, "5.5.2", "Line too long or not ended by CRLF")));
    }
    let content = line.content();
    if content == b"*" {
        return Ok(Err(Reply::new(501, "5.0.0", "Authentication cancelled")));
    }
    decode(content)
}

fn decode(text: &[u8]) -> Result<Result<Zeroizing<Vec<u8>>, Reply>, SmtpError> {
    // RFC 4954 §4: "=" is an empty initial response.
    if text == b"=" {
        return Ok(Ok(Zeroizing::new(Vec::new())));
    }
    Ok(B64.decode(text).map(Zeroizing::new).map_err(|_| Reply::new(501, "5.5.2", "Cannot decode the base64 response")))
}

pub async fn auth(session: &mut Session, mechanism: u64, initial: String) -> Result<Flow, SmtpError> {
    let initial = Zeroizing::new(initial);
    if !session.kind.is_submission() {
        return Ok(session.refuse(Reply::new(502, "5.5.1", "AUTH is not available on this port; use submission")));
    }
    if session.tls.is_none() {
        // RFC 4954 §4 and RFC 8314: no credentials in clear.
        return Ok(session.refuse(Reply::new(538, "5.7.11", "Encryption required: send STARTTLS first")));
    }
    if session.helo.is_none() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "Send EHLO first")));
    }
    if session.auth.is_some() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "Already authenticated")));
    }
    if session.tx.is_some() {
        return Ok(session.refuse(Reply::new(503, "5.5.1", "AUTH is not allowed during a mail transaction")));
    }
    let (user, secret) = if mechanism == AUTH_PLAIN {
        let response = if initial.is_empty() { read_response(session, "").await? } else { decode(initial.as_bytes())? };
        let response = match response {
            Ok(r) => r,
            Err(reply) => return Ok(session.refuse(reply)),
        };
        // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
        let mut parts = response.split(|&b| b == 0);
        let (Some(authzid), Some(authcid), Some(passwd), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Ok(session.refuse(Reply::new(501, "5.5.2", "Malformed PLAIN response")));
        };
        if !authzid.is_empty() && authzid != authcid {
            return Ok(session.refuse(Reply::new(535, "5.7.8", "Authentication credentials invalid")));
        }
        (String::from_utf8_lossy(authcid).into_owned(), Zeroizing::new(passwd.to_vec()))
    } else if mechanism == AUTH_LOGIN {
        let user = if initial.is_empty() { read_response(session, "VXNlcm5hbWU6").await? } else { decode(initial.as_bytes())? };
        let user = match user {
            Ok(u) => String::from_utf8_lossy(&u).into_owned(),
            Err(reply) => return Ok(session.refuse(reply)),
        };
        let secret = match read_response(session, "UGFzc3dvcmQ6").await? {
            Ok(s) => s,
            Err(reply) => return Ok(session.refuse(reply)),
        };
        (user, secret)
    } else {
        return Ok(session.refuse(Reply::new(504, "5.5.4", "Mechanism not supported; use PLAIN or LOGIN")));
    };
    verify(session, user, secret).await
}

async fn verify(session: &mut Session, user: String, secret: Zeroizing<Vec<u8>>) -> Result<Flow, SmtpError> {
    let client = session.client_ip();
    match session.server.gate.login(&client, &user, secret, Protocol::Smtp).await {
        Ok(login) => {
            tracing::info!(peer = %session.peer, account = %login.address, "authenticated");
            // Listed on the account page and revocable; SMTP is not counted in the limit.
            let connection = match session.server.gate.connections.register(&login.unlocked.account.id, Protocol::Smtp, session.peer.ip()) {
                Ok(guard) => guard,
                Err(e) => return Ok(session.refuse(Reply::new(454, "4.7.0", format!("Too many connections for this account ({e})")))),
            };
            session.auth = Some(Authenticated { address: login.address.clone(), _login: login, connection });
            Ok(session.ok(Reply::new(235, "2.7.0", "Authentication successful")))
        }
        Err(LoginRefused::BadCredentials) => Ok(session.refuse(Reply::new(535, "5.7.8", "Authentication credentials invalid"))),
        // RFC 4954 §6: 535 5.7.8, with the hint in the text.
        Err(LoginRefused::AppPasswordRequired) => Ok(session.refuse(Reply::new(
            535,
            "5.7.8",
            "Two-step sign-in is on for this account: use an app password (create one on the account page)",
        ))),
        Err(LoginRefused::LockedOut(seconds)) => {
            tracing::warn!(peer = %session.peer, user, "AUTH refused: locked out");
            Ok(session.refuse(Reply::new(454, "4.7.0", format!("Too many failed logins; try again in {seconds} seconds"))))
        }
        Err(LoginRefused::Temporary(_)) => Ok(session.refuse(Reply::new(454, "4.7.0", "Temporary authentication failure"))),
    }
}
