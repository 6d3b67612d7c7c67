//! Sigillo's SMTP server (RFC 5321): the inbound MX and authenticated submission
//! (RFC 6409 on STARTTLS, RFC 8314 implicit TLS).
//!
//! One file per phase of a session, so "where is X" takes one guess:
//!
//! - [`session`]: the state machine and command dispatch;
//! - [`greeting`]: the 220 banner, EHLO/HELO and what EHLO advertises;
//! - [`starttls`]: STARTTLS (RFC 3207) and implicit TLS;
//! - [`auth`]: AUTH PLAIN and LOGIN (RFC 4954), submission only, only over TLS;
//! - [`envelope`]: MAIL FROM and RCPT TO, and the relay rules (never an open relay);
//! - [`data`]: DATA and BDAT, dot-unstuffing, and the SMTP smuggling defences;
//! - [`accept`]: what happens to an accepted message (checks, trace headers, local
//!   delivery, the outbound queue) before `250`;
//! - [`inbound_auth`]: SPF/DKIM/DMARC/ARC verification and `Authentication-Results`;
//! - [`queue`]: the durable, sealed outbound queue;
//! - [`outbound`]: delivery of queued mail to other servers (MX, SMTP client, retries, DSN);
//! - [`limits`]: line lengths, recipients, sizes, timeouts;
//! - [`io`]: the connection: buffered lines and chunks, replies, TLS upgrade.
#![forbid(unsafe_code)]

pub mod accept;
pub mod auth;
pub mod certified;
pub mod data;
pub mod dkim_sign;
pub mod domain_admin;
pub mod envelope;
pub mod error;
pub mod greeting;
pub mod inbound_auth;
pub mod io;
pub mod limits;
pub mod mta_sts_policy;
pub mod notice;
pub mod outbound;
pub mod queue;
pub mod queue_admin;
pub mod reply;
pub mod session;
pub mod starttls;

pub use error::SmtpError;
pub use limits::SmtpLimits;
pub use queue::Queue;
pub use session::handle_connection;

use sigillo_auth::LoginGate;
use sigillo_store::DataDir;
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

/// Which listener a connection came in on; decides what the session offers and allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerKind {
    /// Inbound mail from the internet (port 25): local recipients only, no AUTH.
    Mx,
    /// Message submission on STARTTLS (RFC 6409, port 587): AUTH required, after TLS.
    Submission,
    /// Message submission on implicit TLS (RFC 8314 §3.3, port 465).
    Submissions,
}

impl ListenerKind {
    pub fn name(self) -> &'static str {
        match self {
            ListenerKind::Mx => "smtp",
            ListenerKind::Submission => "submission",
            ListenerKind::Submissions => "submissions",
        }
    }

    pub fn is_submission(self) -> bool {
        self != ListenerKind::Mx
    }
}

/// What every SMTP session of one server shares.
pub struct Server {
    /// The name in the greeting, EHLO reply and Received headers.
    pub hostname: String,
    /// Where `RCPT TO:<Postmaster>` without a domain goes (RFC 5321 §4.1.1.3).
    pub primary_domain: String,
    pub data: DataDir,
    /// Logins, lockout and the keyring, shared with IMAP, POP3 and the web.
    pub gate: Arc<LoginGate>,
    pub queue: Arc<Queue>,
    pub tls: TlsAcceptor,
    pub limits: SmtpLimits,
    /// SPF/DKIM/DMARC/ARC for the MX listener, with the server's one DNS resolver.
    pub inbound_auth: inbound_auth::InboundAuthenticator,
    /// Certified mail (evidence and receipts); `None` disables it.
    pub certifier: Option<Arc<sigillo_certify::Certifier>>,
    /// DKIM signatures (by the From domain) for messages the server writes itself, such as
    /// certified-mail receipts; `None` leaves them unsigned.
    pub dkim: Option<outbound::worker::Signer>,
}
