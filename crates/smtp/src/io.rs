//! The connection: a plain or TLS stream, our own input buffer (so that nothing a client
//! pipelined before STARTTLS survives the upgrade, RFC 3207 §4.2), line and chunk reads
//! with limits and the idle timeout, and replies batched until we would block
//! (RFC 2920 §3.2 PIPELINING).

use crate::error::SmtpError;
use crate::reply::Reply;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use sigillo_core::stream::Stream;

/// One line as read: at most `max` octets kept, the rest of an overlong line consumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The kept octets, the line ending included when it fit.
    pub bytes: Vec<u8>,
    /// The full length of the line, ending included.
    pub len: usize,
    /// Whether the line ended with CRLF (false: a bare LF).
    pub crlf: bool,
}

impl Line {
    pub fn overlong(&self, max: usize) -> bool {
        self.len > max
    }

    /// The content without its line ending.
    pub fn content(&self) -> &[u8] {
        let mut end = self.bytes.len();
        if self.bytes.last() == Some(&b'\n') {
            end -= 1;
            if self.crlf {
                end -= 1;
            }
        }
        &self.bytes[..end]
    }
}

pub struct Conn {
    stream: Stream,
    input: Vec<u8>,
    pos: usize,
    output: Vec<u8>,
    idle: Duration,
}

const READ_CHUNK: usize = 16 * 1024;

impl Conn {
    pub fn new(stream: Stream, idle: Duration) -> Self {
        Conn { stream, input: Vec::with_capacity(READ_CHUNK), pos: 0, output: Vec::new(), idle }
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Queues a reply; it is sent before the next blocking read or by [`Conn::flush`].
    pub fn reply(&mut self, reply: &Reply) {
        self.output.extend_from_slice(&reply.to_wire());
    }

    pub async fn flush(&mut self) -> Result<(), SmtpError> {
        if self.output.is_empty() {
            return Ok(());
        }
        let out = std::mem::take(&mut self.output);
        let idle = self.idle;
        tokio::time::timeout(idle, async {
            self.stream.write_all(&out).await?;
            self.stream.flush().await
        })
        .await
        .map_err(|_| SmtpError::Timeout(idle.as_secs()))??;
        Ok(())
    }

    /// Whether the client has sent more than we have processed (pipelined input).
    pub fn has_buffered_input(&self) -> bool {
        self.pos < self.input.len()
    }

    /// Drops unread input: after STARTTLS nothing sent in clear may be taken as a command.
    pub fn discard_input(&mut self) {
        self.input.clear();
        self.pos = 0;
    }

    /// Reads more input, flushing pending replies first: we never wait for the client while
    /// it waits for us.
    async fn fill(&mut self) -> Result<(), SmtpError> {
        self.flush().await?;
        if self.pos > 0 {
            self.input.drain(..self.pos);
            self.pos = 0;
        }
        let start = self.input.len();
        self.input.resize(start + READ_CHUNK, 0);
        let idle = self.idle;
        let read = tokio::time::timeout(idle, self.stream.read(&mut self.input[start..])).await;
        let n = match read {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                self.input.truncate(start);
                return Err(e.into());
            }
            Err(_) => {
                self.input.truncate(start);
                return Err(SmtpError::Timeout(idle.as_secs()));
            }
        };
        self.input.truncate(start + n);
        if n == 0 {
            return Err(SmtpError::Closed);
        }
        Ok(())
    }

    /// Reads one line ending in LF, keeping at most `max` octets of it.
    pub async fn read_line(&mut self, max: usize) -> Result<Line, SmtpError> {
        let mut line = Line { bytes: Vec::new(), len: 0, crlf: false };
        let mut last = 0u8;
        loop {
            let avail = &self.input[self.pos..];
            let found = avail.iter().position(|&b| b == b'\n');
            let take = found.map_or(avail.len(), |i| i + 1);
            let chunk = &avail[..take];
            let room = max.saturating_sub(line.bytes.len());
            line.bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
            line.len += chunk.len();
            if let Some(i) = found {
                let before = if i > 0 { chunk[i - 1] } else { last };
                line.crlf = before == b'\r';
                self.pos += take;
                return Ok(line);
            }
            if let Some(&b) = chunk.last() {
                last = b;
            }
            self.pos += take;
            self.fill().await?;
        }
    }

    /// Reads exactly `n` octets (a BDAT chunk, RFC 3030 §2), handing them to `sink` as they come.
    pub async fn read_chunk(&mut self, mut n: usize, mut sink: impl FnMut(&[u8])) -> Result<(), SmtpError> {
        while n > 0 {
            if !self.has_buffered_input() {
                self.fill().await?;
            }
            let avail = &self.input[self.pos..];
            let take = avail.len().min(n);
            sink(&avail[..take]);
            self.pos += take;
            n -= take;
        }
        Ok(())
    }

    /// Takes the plain TCP stream for a TLS handshake (STARTTLS); `None` if already TLS.
    pub fn take_plain(&mut self) -> Option<TcpStream> {
        match std::mem::replace(&mut self.stream, Stream::Gone) {
            Stream::Plain(tcp) => Some(tcp),
            other => {
                self.stream = other;
                None
            }
        }
    }

    pub fn set_stream(&mut self, stream: Stream) {
        self.stream = stream;
    }

    pub async fn shutdown(&mut self) {
        let _ = self.flush().await;
        let _ = tokio::time::timeout(Duration::from_secs(2), self.stream.shutdown()).await;
    }
}
