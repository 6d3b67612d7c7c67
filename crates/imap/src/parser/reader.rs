//! Assembles one command from the connection: its first line, then for each literal
//! `{n}` (after a `+` continuation, RFC 9051 §7.5) or `{n+}` (LITERAL+, RFC 7888) the n
//! octets and the line that follows, until a line ends without a literal.
//!
//! Limits: every line at most [`ReadLimits::max_line`]; literals at most
//! [`ReadLimits::max_literal`], except APPEND's message, which may be as large as the
//! server accepts ([`ReadLimits::max_append`], RFC 7889 APPENDLIMIT); at most
//! [`ReadLimits::max_literals`] literals in one command.

use crate::io::{Conn, IoError};
use tokio::io::{AsyncRead, AsyncWrite};

#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    pub max_line: usize,
    pub max_literal: u64,
    pub max_append: u64,
    pub max_literals: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { max_line: 64 * 1024, max_literal: 64 * 1024, max_append: 50 * 1024 * 1024, max_literals: 32 }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// A complete command without its final CRLF, literals inline after their `{n}\r\n`.
    Command(Vec<u8>),
    /// A line longer than the limit; it was read and discarded.
    LineTooLong { tag: Option<String> },
    /// A synchronising literal over the limit: refused before the client sent it, so
    /// the connection can go on (RFC 9051 §7.5, RFC 7889 `NO [TOOBIG]`).
    LiteralRefused { tag: Option<String>, size: u64, append: bool },
    /// A non-synchronising literal over the limit: its octets are already on the way,
    /// so the only clean answer is BYE (RFC 7888 §4).
    LiteralTooLarge { tag: Option<String> },
    /// More literals than allowed in one command.
    TooManyLiterals { tag: Option<String> },
}

/// `{n}` or `{n+}` (optionally `~{n}` for literal8, RFC 3516) at the end of a line.
pub fn trailing_literal(line: &[u8]) -> Option<(u64, bool)> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let inner = &body[open + 1..];
    let (digits, non_sync) = match inner.strip_suffix(b"+") {
        Some(d) => (d, true),
        None => (inner, false),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some((n, non_sync))
}

fn is_append(first_line: &[u8]) -> bool {
    let mut words = first_line.split(|&b| b == b' ');
    words.next();
    words.next().is_some_and(|w| w.eq_ignore_ascii_case(b"APPEND"))
}

pub async fn read_command<S: AsyncRead + AsyncWrite + Unpin>(conn: &mut Conn<S>, limits: &ReadLimits) -> Result<Read, IoError> {
    let mut command = Vec::new();
    let mut literals = 0;
    loop {
        let line = conn.read_line(limits.max_line).await?;
        let tag = || super::parse_tag(if command.is_empty() { &line.bytes } else { &command });
        if line.overlong {
            return Ok(Read::LineTooLong { tag: super::parse_tag(if command.is_empty() { &line.bytes } else { &command }) });
        }
        let append = is_append(if command.is_empty() { &line.bytes } else { &command });
        let Some((size, non_sync)) = trailing_literal(&line.bytes) else {
            command.extend_from_slice(&line.bytes);
            return Ok(Read::Command(command));
        };
        literals += 1;
        if literals > limits.max_literals {
            return Ok(Read::TooManyLiterals { tag: tag() });
        }
        let limit = if append { limits.max_append } else { limits.max_literal };
        if size > limit {
            return Ok(if non_sync { Read::LiteralTooLarge { tag: tag() } } else { Read::LiteralRefused { tag: tag(), size, append } });
        }
        command.extend_from_slice(&line.bytes);
        command.extend_from_slice(b"\r\n");
        if !non_sync {
            conn.write(b"+ Ready for literal data\r\n");
            conn.flush().await?;
        }
        let size = usize::try_from(size).map_err(|_| IoError::Closed)?;
        let data = conn.read_exact(size).await?;
        command.extend_from_slice(&data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn run(input: &[u8], limits: ReadLimits) -> (Vec<Result<Read, String>>, Vec<u8>) {
        let (client, server) = tokio::io::duplex(1 << 20);
        let (mut cr, mut cw) = tokio::io::split(client);
        cw.write_all(input).await.unwrap();
        drop(cw);
        let mut conn = Conn::new(server, Duration::from_secs(2));
        let mut out = Vec::new();
        loop {
            match read_command(&mut conn, &limits).await {
                Ok(r) => out.push(Ok(r)),
                Err(IoError::Closed) => break,
                Err(e) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        drop(conn);
        let mut written = Vec::new();
        cr.read_to_end(&mut written).await.unwrap();
        (out, written)
    }

    /// Found by the fuzzer (fuzz/seeds/imap_reader/lf-literal-headers): a literal header
    /// ended by a bare LF is kept with CRLF, so a command can be one byte per literal longer
    /// than its input — the parser always sees `{n}\r\n`.
    #[tokio::test]
    async fn literal_headers_ended_by_bare_lf_are_kept_with_crlf() {
        let (cmds, _) = run(b"a X {0}\n {0}\n y\r\n", ReadLimits::default()).await;
        assert_eq!(cmds[0], Ok(Read::Command(b"a X {0}\r\n {0}\r\n y".to_vec())));
    }

    #[tokio::test]
    async fn literals_sync_and_non_sync() {
        let (cmds, written) = run(b"a LOGIN {5}\r\nalice {3+}\r\npwd\r\nb NOOP\r\n", ReadLimits::default()).await;
        assert_eq!(cmds[0], Ok(Read::Command(b"a LOGIN {5}\r\nalice {3+}\r\npwd".to_vec())));
        assert_eq!(cmds[1], Ok(Read::Command(b"b NOOP".to_vec())));
        assert_eq!(written, b"+ Ready for literal data\r\n", "one continuation, for the synchronising literal only");
    }

    #[tokio::test]
    async fn limits() {
        let limits = ReadLimits { max_line: 100, max_literal: 10, max_append: 1000, max_literals: 2 };
        let long = [b"x LOGIN ".to_vec(), vec![b'a'; 500], b"\r\ny NOOP\r\n".to_vec()].concat();
        let (cmds, _) = run(&long, limits).await;
        assert_eq!(cmds[0], Ok(Read::LineTooLong { tag: Some("x".into()) }), "the tag survives an overlong line");
        assert_eq!(cmds[1], Ok(Read::Command(b"y NOOP".to_vec())), "the connection goes on after an overlong line");

        let (cmds, written) = run(b"a LOGIN {11}\r\nb APPEND INBOX {999}\r\n", limits).await;
        assert_eq!(cmds[0], Ok(Read::LiteralRefused { tag: Some("a".into()), size: 11, append: false }));
        assert!(cmds[1].is_err(), "the APPEND literal is accepted, then never arrives: {cmds:?}");
        assert_eq!(written, b"+ Ready for literal data\r\n");

        let (cmds, _) = run(b"a APPEND INBOX {1001+}\r\n", limits).await;
        assert_eq!(cmds[0], Ok(Read::LiteralTooLarge { tag: Some("a".into()) }));

        let (cmds, _) = run(b"a X {1+}\r\n1 {1+}\r\n2 {1+}\r\n3\r\n", limits).await;
        assert_eq!(cmds[0], Ok(Read::TooManyLiterals { tag: Some("a".into()) }));
    }

    #[test]
    fn trailing_literals() {
        assert_eq!(trailing_literal(b"a LOGIN {5}"), Some((5, false)));
        assert_eq!(trailing_literal(b"a LOGIN {5+}"), Some((5, true)));
        assert_eq!(trailing_literal(b"a APPEND x ~{5}"), Some((5, false)));
        assert_eq!(trailing_literal(b"a LOGIN {}"), None);
        assert_eq!(trailing_literal(b"a LOGIN {x}"), None);
        assert_eq!(trailing_literal(b"a LOGIN {99999999999999999999}"), None);
    }
}
