//! The connection: a plain or TLS stream, our own input buffer (so nothing pipelined
//! before STLS survives the upgrade, RFC 2595 §4), line reads with a length limit and the
//! idle timeout, and replies batched until we would block (RFC 2449 §6.6 PIPELINING).

use crate::Pop3Error;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use sigillo_core::stream::Stream;

/// One line as read: its content without the line ending (at most `max` octets kept), and
/// whether the whole line was longer than `max`.
pub struct Line {
    pub content: zeroize::Zeroizing<Vec<u8>>,
    pub overlong: bool,
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

    /// Queues reply bytes; they are sent before the next blocking read or by [`Conn::flush`].
    pub fn send(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    pub async fn flush(&mut self) -> Result<(), Pop3Error> {
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
        .map_err(|_| Pop3Error::Timeout(idle.as_secs()))??;
        Ok(())
    }

    /// Drops unread input: after STLS nothing sent in clear may be taken as a command.
    pub fn discard_input(&mut self) {
        self.input.clear();
        self.pos = 0;
    }

    /// Reads more input, flushing pending replies first: we never wait for the client
    /// while it waits for us.
    async fn fill(&mut self) -> Result<(), Pop3Error> {
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
                return Err(Pop3Error::Timeout(idle.as_secs()));
            }
        };
        self.input.truncate(start + n);
        if n == 0 {
            return Err(Pop3Error::Closed);
        }
        Ok(())
    }

    /// Reads one line ending in LF (CRLF or bare LF), keeping at most `max` octets of it;
    /// the rest of an overlong line is consumed and dropped, never buffered.
    pub async fn read_line(&mut self, max: usize) -> Result<Line, Pop3Error> {
        let mut kept = zeroize::Zeroizing::new(Vec::new());
        let mut len = 0usize;
        loop {
            let avail = &self.input[self.pos..];
            let found = avail.iter().position(|&b| b == b'\n');
            let take = found.map_or(avail.len(), |i| i + 1);
            let chunk = &avail[..take];
            let room = (max + 2).saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            len += chunk.len();
            self.pos += take;
            if found.is_some() {
                if kept.last() == Some(&b'\n') {
                    kept.pop();
                    if kept.last() == Some(&b'\r') {
                        kept.pop();
                    }
                }
                kept.truncate(max);
                // The limit counts the CRLF too (RFC 2449 §4: 255 octets including CRLF).
                return Ok(Line { content: kept, overlong: len > max });
            }
            self.fill().await?;
        }
    }

    /// Takes the plain TCP stream for a TLS handshake (STLS); `None` if already TLS.
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
