//! Sigillo's POP3 server: RFC 1939 POP3, RFC 2449 CAPA and response codes, RFC 2595 STLS,
//! RFC 5034 AUTH PLAIN. Logins go through [`sigillo_auth::LoginGate`] (lockout shared with
//! SMTP and IMAP) and only over TLS; the maildrop is the account's encrypted INBOX.
#![forbid(unsafe_code)]

mod io;
pub mod maildrop;
mod session;
pub mod wire;

pub use maildrop::Locks;
pub use session::handle_connection;

use sigillo_auth::LoginGate;
use sigillo_store::DataDir;
use std::sync::Arc;
use std::time::Duration;

/// RFC 1939 §3: an autologout timer must be at least 10 minutes.
pub const MIN_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// What every POP3 connection shares.
pub struct Server {
    pub hostname: String,
    pub data: DataDir,
    pub gate: Arc<LoginGate>,
    pub tls: tokio_rustls::TlsAcceptor,
    /// The autologout timer; never below [`MIN_IDLE_TIMEOUT`].
    pub idle: Duration,
    /// The maildrop locks (one POP3 session per account).
    pub locks: Locks,
}

#[derive(Debug, thiserror::Error)]
pub enum Pop3Error {
    #[error("connection closed by the client")]
    Closed,
    #[error("no command for {0} seconds")]
    Timeout(u64),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(sigillo_store::StoreError),
    #[error("background task failed: {0}")]
    Blocking(String),
}
