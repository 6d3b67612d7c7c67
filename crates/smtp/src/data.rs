//! DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030), and the defences against SMTP smuggling.
//!
//! - Only `<CRLF>.<CRLF>` ends DATA: the `.` line must be exactly `.` CRLF and the line
//!   before it must have ended with CRLF too. `<LF>.<LF>`, `<CR>.<CR>`, `<CRLF>.<LF>` and
//!   `<LF>.<CRLF>` are ordinary data.
//! - A message with any bare LF or bare CR is refused (`550 5.6.0`), but only after reading
//!   to the real end, so nothing inside it is ever taken as a command and it is never split
//!   into two messages.
//! - Dot-unstuffing per RFC 5321 §4.5.2; text lines at most 1000 octets (§4.5.3.1.6);
//!   messages at most `[limits] max_message_size` (`552 5.3.4`, RFC 1870).
//! - BDAT chunks are read by their exact size, even when refused, so the command stream
//!   never loses its place; the assembled message must pass the same line checks (it may
//!   later be relayed with DATA to servers less careful than us).

use crate::accept;
use crate::error::SmtpError;
use crate::io::Conn;
use crate::limits::MAX_TEXT_LINE;
use crate::reply::Reply;
use crate::session::{Flow, Session};

fn bare_newline() -> Reply {
    Reply::new(550, "5.6.0", "Message refused: bare CR or LF found; lines must end with CRLF (RFC 5321 §2.3.8)")
}

fn line_too_long() -> Reply {
    Reply::new(552, "5.5.2", format!("Message refused: a line is longer than {MAX_TEXT_LINE} octets (RFC 5321 §4.5.3.1.6)"))
}

fn too_big(max: u64) -> Reply {
    Reply::new(552, "5.3.4", format!("Message size exceeds the fixed maximum of {max} octets"))
}

/// Reads a dot-stuffed message up to `<CRLF>.<CRLF>`. `Ok(Err(reply))`: the message was
/// read to its end and is refused.
pub async fn receive_dot_stuffed(conn: &mut Conn, max_size: u64) -> Result<Result<Vec<u8>, Reply>, SmtpError> {
    let mut message = Vec::new();
    let mut refusal: Option<Reply> = None;
    // The DATA command line itself ended with CRLF.
    let mut previous_crlf = true;
    loop {
        let line = conn.read_line(MAX_TEXT_LINE).await?;
        if previous_crlf && line.crlf && line.bytes == b".\r\n" {
            break;
        }
        previous_crlf = line.crlf;
        if refusal.is_none() {
            // An overlong line was cut, so its kept part may end in the CR of its CRLF.
            if line.overlong(MAX_TEXT_LINE) {
                refusal = Some(line_too_long());
            } else if !line.crlf || line.content().contains(&b'\r') {
                refusal = Some(bare_newline());
            }
        }
        if refusal.is_some() {
            message = Vec::new();
            continue;
        }
        // RFC 5321 §4.5.2: a leading dot was doubled by the client; remove one.
        let text = if line.bytes.first() == Some(&b'.') { &line.bytes[1..] } else { &line.bytes[..] };
        if (message.len() + text.len()) as u64 > max_size {
            refusal = Some(too_big(max_size));
            message = Vec::new();
            continue;
        }
        message.extend_from_slice(text);
    }
    Ok(match refusal {
        Some(reply) => Err(reply),
        None => Ok(message),
    })
}

/// The line checks DATA applies, for a message that arrived by BDAT.
pub fn check_lines(message: &[u8]) -> Result<(), Reply> {
    let mut line_len = 0usize;
    let mut previous = 0u8;
    for (i, &b) in message.iter().enumerate() {
        match b {
            b'\n' if previous != b'\r' => return Err(bare_newline()),
            b'\r' if message.get(i + 1) != Some(&b'\n') => return Err(bare_newline()),
            _ => {}
        }
        line_len += 1;
        if line_len > MAX_TEXT_LINE {
            return Err(line_too_long());
        }
        if b == b'\n' {
            line_len = 0;
        }
        previous = b;
    }
    Ok(())
}

/// Why a transaction cannot take message data now, if it cannot.
fn not_ready(session: &Session) -> Option<Reply> {
    match &session.tx {
        None => Some(Reply::new(503, "5.5.1", "Need MAIL and RCPT first")),
        // RFC 5321 §3.3: DATA with no valid recipient.
        Some(tx) if tx.recipients.is_empty() => Some(Reply::new(554, "5.5.1", "No valid recipients")),
        _ => None,
    }
}

pub async fn data(session: &mut Session) -> Result<Flow, SmtpError> {
    if let Some(reply) = not_ready(session) {
        return Ok(session.refuse(reply));
    }
    if session.tx.as_ref().is_some_and(|tx| tx.bdat.is_some()) {
        // RFC 3030 §3: DATA and BDAT do not mix in one transaction.
        return Ok(session.refuse(Reply::new(503, "5.5.1", "DATA after BDAT")));
    }
    // 354 carries no enhanced code (RFC 3463 applies to completion replies).
    session.conn.reply(&Reply::plain(354, vec!["End data with <CR><LF>.<CR><LF>".into()]));
    let max = session.server.limits.max_message_size;
    match receive_dot_stuffed(&mut session.conn, max).await? {
        Ok(message) => accept::accept(session, message).await,
        Err(reply) => {
            session.tx = None;
            Ok(session.refuse(reply))
        }
    }
}

pub async fn bdat(session: &mut Session, size: usize, last: bool) -> Result<Flow, SmtpError> {
    let max = session.server.limits.max_message_size;
    let refusal = not_ready(session).or_else(|| {
        let have = session.tx.as_ref().and_then(|tx| tx.bdat.as_ref()).map_or(0, Vec::len) as u64;
        (have.saturating_add(size as u64) > max).then(|| too_big(max))
    });
    if let Some(reply) = refusal {
        // RFC 3030 §2: the chunk is consumed whatever the reply.
        session.conn.read_chunk(size, |_| {}).await?;
        session.tx = None;
        return Ok(session.refuse(reply));
    }
    let Some(tx) = session.tx.as_mut() else {
        return Ok(Flow::Continue);
    };
    let buffer = tx.bdat.get_or_insert_with(Vec::new);
    session.conn.read_chunk(size, |bytes| buffer.extend_from_slice(bytes)).await?;
    if !last {
        return Ok(session.ok(Reply::new(250, "2.0.0", format!("{size} octets received"))));
    }
    let message = tx.bdat.take().unwrap_or_default();
    if let Err(reply) = check_lines(&message) {
        session.tx = None;
        return Ok(session.refuse(reply));
    }
    accept::accept(session, message).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bdat_line_checks() {
        assert!(check_lines(b"a\r\nb\r\n").is_ok());
        assert!(check_lines(b"a\r\nb").is_ok());
        assert!(check_lines(b"a\nb\r\n").is_err());
        assert!(check_lines(b"a\r\n.\rb\r\n").is_err());
        assert!(check_lines(b"a\r").is_err());
        assert!(check_lines(format!("{}\r\n", "x".repeat(998)).as_bytes()).is_ok());
        assert!(check_lines(format!("{}\r\n", "x".repeat(999)).as_bytes()).is_err());
    }
}
