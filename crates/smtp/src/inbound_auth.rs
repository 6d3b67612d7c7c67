//! Inbound message authentication: SPF (HELO and MAIL FROM), DKIM, DMARC and ARC, with an
//! `Authentication-Results` header (RFC 8601).
//!
//! NOT IMPLEMENTED YET (next round of issue 3: `mail-auth` with a configurable resolver).
//! [`authenticate_inbound`] is called from the DATA path of the MX listener for every
//! message, before delivery; today it verifies nothing and adds no header — in particular
//! it does not write an `Authentication-Results` header claiming checks that did not run.

use std::net::IpAddr;

/// What the verifier knows about the message's arrival.
#[derive(Debug, Clone)]
pub struct InboundContext<'a> {
    pub client_ip: IpAddr,
    pub helo: &'a str,
    /// The reverse path; empty for the null sender.
    pub mail_from: &'a str,
    pub tls: bool,
}

/// The verdict on one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundVerdict {
    /// Deliver, with these header fields (each a full `Name: value\r\n`) prepended.
    Accept { headers: Vec<String> },
    /// Refuse with a 5xx (DMARC p=reject), carrying the reply text.
    Reject { reason: String },
}

/// Authenticates an inbound message. Today: accept, add nothing (see the module docs).
pub fn authenticate_inbound(_context: &InboundContext<'_>, _message: &[u8]) -> InboundVerdict {
    InboundVerdict::Accept { headers: Vec::new() }
}
