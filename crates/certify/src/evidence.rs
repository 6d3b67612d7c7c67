//! Evidence events: canonical JSON records, each hashed, time-stamped and logged.
//!
//! Canonical form: `serde_json` of [`Event`] — fixed field order, no maps, no floats, no
//! whitespace — so a verifier re-serialises the parsed event and gets the same bytes;
//! unknown fields are refused so nothing can ride along unsigned.

use serde::{Deserialize, Serialize};

pub const EVENT_VERSION: u32 = 1;

/// What happened (names after ETSI EN 319 522 where one fits).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// SubmissionAcceptance / *ricevuta di accettazione*.
    Acceptance {
        sender: String,
        recipients: Vec<String>,
        /// How the client authenticated (e.g. `SMTP AUTH PLAIN over TLS`).
        auth_method: String,
    },
    /// ContentConsignment / *ricevuta di avvenuta consegna*.
    Delivery {
        recipient: String,
        /// `local` (stored in a mailbox on this server) or `remote`.
        how: String,
        /// For `local`: the mailbox it was stored in.
        mailbox: Option<String>,
        /// For `remote` (filled by outbound delivery): the receiving server's name, IP,
        /// exact `250` reply, TLS version, cipher, certificate fingerprint, MTA-STS/DANE.
        remote: Option<RemoteDelivery>,
    },
    /// ContentConsignmentFailure / RelayFailure: final failure with the last reply.
    NonDelivery { recipient: String, last_reply: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteDelivery {
    pub server_name: String,
    pub server_ip: String,
    pub reply: String,
    pub tls_version: Option<String>,
    pub tls_cipher: Option<String>,
    pub certificate_sha256: Option<String>,
    pub policy: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub version: u32,
    /// EvidenceIdentifier: unique, public (`/evidence/{id}`).
    pub evidence_id: String,
    /// The server's message id (the `queued as` id).
    pub message_id: String,
    /// The original `Message-ID` header, if any (PEC's X-Riferimento-Message-ID).
    pub message_id_header: Option<String>,
    /// SHA-256 (hex) of the message as accepted (see [`crate::message_hash`]).
    pub message_sha256: String,
    /// EventTime, RFC 3339 UTC, as the server saw it (the token's time is the attested one).
    pub time: String,
    /// The issuer: this server's host name.
    pub issuer: String,
    pub what: EventKind,
}

impl Event {
    pub fn new(
        message_id: &str,
        message_id_header: Option<String>,
        message_sha256: &[u8; 32],
        issuer: &str,
        what: EventKind,
    ) -> Result<Self, crate::CertifyError> {
        Ok(Event {
            version: EVENT_VERSION,
            evidence_id: new_id()?,
            message_id: message_id.to_string(),
            message_id_header,
            message_sha256: hex::encode(message_sha256),
            time: now_rfc3339(),
            issuer: issuer.to_string(),
            what,
        })
    }

    /// The exact bytes that are hashed, stamped and logged.
    pub fn canonical(&self) -> Vec<u8> {
        // Serialising plain structs of strings cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn kind_name(&self) -> &'static str {
        match self.what {
            EventKind::Acceptance { .. } => "acceptance",
            EventKind::Delivery { .. } => "delivery",
            EventKind::NonDelivery { .. } => "non-delivery",
        }
    }
}

/// 128 random bits, hex.
pub fn new_id() -> Result<String, crate::CertifyError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| crate::CertifyError::Random(e.to_string()))?;
    Ok(hex::encode(bytes))
}

pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_round_trips_and_refuses_extra_fields() {
        let e = Event::new(
            "q1",
            Some("<m@x>".into()),
            &[1; 32],
            "mail.example.org",
            EventKind::Acceptance { sender: "a@x".into(), recipients: vec!["b@x".into()], auth_method: "PLAIN".into() },
        )
        .unwrap();
        let bytes = e.canonical();
        let back: Event = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back.canonical(), bytes);
        let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        value["extra"] = "x".into();
        assert!(serde_json::from_value::<Event>(value).is_err());
    }
}
