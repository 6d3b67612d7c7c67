//! The limits every SMTP session enforces. Connections per IP are counted by the
//! listener (the binary's `ConnectionLimiter`), before a session starts.

use std::time::Duration;

/// RFC 5321 §4.5.3.1.4: a command line is at most 512 octets, CRLF included.
pub const MAX_COMMAND_LINE: usize = 512;
/// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets, CRLF included.
pub const MAX_TEXT_LINE: usize = 1000;
/// RFC 4954 §4: an AUTH command or SASL response line may be up to 12288 octets.
pub const MAX_AUTH_LINE: usize = 12288;
/// RFC 5321 §4.5.3.1.8: a server must accept at least 100 recipients; we accept exactly that.
pub const MAX_RECIPIENTS: usize = 100;
/// Bad commands in one session before it is closed (RFC 5321 §4.3.2 lets us close).
pub const MAX_ERRORS: u32 = 20;

#[derive(Debug, Clone)]
pub struct SmtpLimits {
    /// `[limits] max_message_size`.
    pub max_message_size: u64,
    pub max_recipients: usize,
    /// `[limits] idle_timeout_secs`: the longest wait for any read from the client.
    pub idle_timeout: Duration,
    pub handshake_timeout: Duration,
}

impl SmtpLimits {
    pub fn new(max_message_size: u64, idle_timeout: Duration) -> Self {
        SmtpLimits { max_message_size, max_recipients: MAX_RECIPIENTS, idle_timeout, handshake_timeout: Duration::from_secs(10) }
    }
}
