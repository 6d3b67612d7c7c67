//! The connection: a plain or TLS stream, our own input buffer (nothing pipelined before
//! STARTTLS survives the upgrade, RFC 9051 §11.1), line and exact-length reads with
//! limits and a timeout, and buffered output flushed at the end of each response batch.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

pub use sigillo_core::stream::Stream;

#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("connection closed")]
    Closed,
    #[error("timed out")]
    Timeout,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// One line as read: at most `max` octets kept, the rest of an overlong line consumed.
pub struct Line {
    /// The kept octets without the line ending; of an overlong line, its first
    /// [`OVERLONG_HEAD`] octets, so the reply can still carry the command's tag.
    pub bytes: Vec<u8>,
    pub overlong: bool,
}

/// How much of an overlong line is kept (enough for any sane tag).
pub const OVERLONG_HEAD: usize = 64;

pub struct Conn<S> {
    pub stream: S,
    input: Vec<u8>,
    output: Vec<u8>,
    pub timeout: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    pub fn new(stream: S, timeout: Duration) -> Self {
        Conn { stream, input: Vec::with_capacity(8192), output: Vec::with_capacity(8192), timeout }
    }

    async fn fill(&mut self) -> Result<(), IoError> {
        let mut chunk = [0u8; 16 * 1024];
        let n = tokio::time::timeout(self.timeout, self.stream.read(&mut chunk)).await.map_err(|_| IoError::Timeout)??;
        if n == 0 {
            return Err(IoError::Closed);
        }
        self.input.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    /// Whether input is waiting in our buffer (data pipelined after STARTTLS).
    pub fn has_buffered_input(&self) -> bool {
        !self.input.is_empty()
    }

    pub fn discard_input(&mut self) {
        self.input.clear();
    }

    /// Reads up to LF; keeps at most `max` octets, consuming (not keeping) the rest of an
    /// overlong line so the next command starts cleanly. Cancel-safe for lines within
    /// the limit (IDLE waits for DONE in a `select!`): nothing leaves the buffer until
    /// the whole line is there.
    pub async fn read_line(&mut self, max: usize) -> Result<Line, IoError> {
        let mut overlong = false;
        let mut head = Vec::new();
        loop {
            if let Some(i) = self.input.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.input.drain(..=i).collect();
                if overlong || line.len() > max + 2 {
                    if !overlong {
                        head = line[..line.len().min(OVERLONG_HEAD)].to_vec();
                    }
                    return Ok(Line { bytes: head, overlong: true });
                }
                while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                    line.pop();
                }
                return Ok(Line { bytes: line, overlong: false });
            }
            if self.input.len() > max + 2 {
                if !overlong {
                    head = self.input[..self.input.len().min(OVERLONG_HEAD)].to_vec();
                }
                overlong = true;
                self.input.clear();
            }
            self.fill().await?;
        }
    }

    /// Reads exactly `n` octets (a literal).
    pub async fn read_exact(&mut self, n: usize) -> Result<Vec<u8>, IoError> {
        let mut out = Vec::with_capacity(n.min(1 << 20));
        while out.len() < n {
            if self.input.is_empty() {
                self.fill().await?;
            }
            let take = (n - out.len()).min(self.input.len());
            out.extend(self.input.drain(..take));
        }
        Ok(out)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.output.extend_from_slice(bytes);
    }

    pub fn pending_output(&self) -> usize {
        self.output.len()
    }

    pub async fn flush(&mut self) -> Result<(), IoError> {
        if !self.output.is_empty() {
            let out = std::mem::take(&mut self.output);
            tokio::time::timeout(self.timeout, self.stream.write_all(&out)).await.map_err(|_| IoError::Timeout)??;
        }
        tokio::time::timeout(self.timeout, self.stream.flush()).await.map_err(|_| IoError::Timeout)??;
        Ok(())
    }
}

impl Conn<Stream> {
    /// Takes the plain socket for a TLS upgrade.
    pub fn take_plain(&mut self) -> Option<TcpStream> {
        match std::mem::replace(&mut self.stream, Stream::Gone) {
            Stream::Plain(tcp) => Some(tcp),
            other => {
                self.stream = other;
                None
            }
        }
    }
}
