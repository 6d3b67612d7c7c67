//! `evidence.json`: everything needed to check a message's evidence offline, and the
//! checker. Each failed check names the part that failed.

use crate::evidence::Event;
use crate::log::SignedTreeHead;
use crate::log::merkle;
use crate::tsa::verify_token;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use der::DecodePem;
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;

pub const FORMAT: &str = "sigillo-evidence-1";
/// Bundles are small (a few events and certificates); refuse anything absurd before parsing.
pub const MAX_BUNDLE_LEN: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    /// SHA-256 (hex) of the message as accepted.
    pub message_sha256: String,
    pub events: Vec<BundleEvent>,
    pub tree_head: SignedTreeHead,
    pub certificates: Certificates,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleEvent {
    pub event: Event,
    /// RFC 3161 TimeStampToken (DER, base64) over SHA-256 of the canonical event.
    pub token: String,
    pub log_index: u64,
    /// Hex hashes, RFC 9162 §2.1.3 audit path to `tree_head`.
    pub inclusion_proof: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certificates {
    /// PEM of the TSA's CA (the trust anchor; compare with `sigillo tsa ca` or pass --tsa-ca).
    pub tsa_ca: String,
    /// PEM of the TSA signer certificates (current first, then earlier ones).
    pub tsa: Vec<String>,
    /// PEM of the evidence log's signing certificate.
    pub log: String,
    /// PEM of the outside TSA's CA, when tokens come from one (`[certify] tsa_url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_tsa_ca: Option<String>,
}

/// One line of the verdict.
#[derive(Debug, Clone)]
pub struct Check {
    pub part: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn all_hold(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    pub fn failed(&self) -> Vec<&str> {
        self.checks.iter().filter(|c| !c.ok).map(|c| c.part.as_str()).collect()
    }

    fn push(&mut self, part: impl Into<String>, result: Result<String, String>) -> bool {
        let (ok, detail) = match result {
            Ok(d) => (true, d),
            Err(d) => (false, d),
        };
        self.checks.push(Check { part: part.into(), ok, detail });
        ok
    }
}

/// Parses a bundle file's bytes.
pub fn parse(bytes: &[u8]) -> Result<Bundle, String> {
    if bytes.len() > MAX_BUNDLE_LEN {
        return Err(format!("the bundle is larger than {MAX_BUNDLE_LEN} bytes"));
    }
    let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| format!("not an evidence bundle: {e}"))?;
    if bundle.format != FORMAT {
        return Err(format!("unknown bundle format {:?} (expected {FORMAT})", bundle.format));
    }
    Ok(bundle)
}

/// Checks everything in `bundle`; `message` is the original, `trusted_ca` the relying
/// party's copy of the TSA CA (without it, the bundle's own CA is used and the report says so).
pub fn verify(bundle: &Bundle, message: Option<&[u8]>, trusted_ca: Option<&Certificate>) -> Report {
    let mut report = Report::default();
    // Certificates.
    let bundled_ca = Certificate::from_pem(bundle.certificates.tsa_ca.as_bytes());
    let ca = match (trusted_ca, bundled_ca) {
        (Some(trusted), _) => {
            report.push("certificates", Ok(format!("trust anchor: the given TSA CA ({})", trusted.tbs_certificate.subject)));
            trusted.clone()
        }
        (None, Ok(ca)) => {
            let fp = der::Encode::to_der(&ca).map(|d| hex::encode(crate::sha256(&d))).unwrap_or_default();
            report.push(
                "certificates",
                Ok(format!("trust anchor taken from the bundle ({}, SHA-256 {fp}); pass --tsa-ca to pin it", ca.tbs_certificate.subject)),
            );
            ca
        }
        (None, Err(e)) => {
            report.push("certificates", Err(format!("the bundled TSA CA is not a PEM certificate: {e}")));
            return report;
        }
    };
    let mut tsa_certs = Vec::new();
    for pem in &bundle.certificates.tsa {
        match Certificate::from_pem(pem.as_bytes()) {
            Ok(c) => tsa_certs.push(c),
            Err(e) => {
                report.push("certificates", Err(format!("a TSA certificate is not PEM: {e}")));
            }
        }
    }
    // An outside TSA's CA: tokens may chain to it instead.
    let external_ca = match &bundle.certificates.external_tsa_ca {
        None => None,
        Some(pem) => match Certificate::from_pem(pem.as_bytes()) {
            Ok(cert) => {
                let fp = der::Encode::to_der(&cert).map(|d| hex::encode(crate::sha256(&d))).unwrap_or_default();
                report.push(
                    "certificates",
                    Ok(format!(
                        "tokens may come from an outside TSA whose CA is in the bundle ({}, SHA-256 {fp})",
                        cert.tbs_certificate.subject
                    )),
                );
                Some(cert)
            }
            Err(e) => {
                report.push("certificates", Err(format!("the outside TSA's CA is not a PEM certificate: {e}")));
                None
            }
        },
    };
    // The message.
    match message {
        Some(bytes) => {
            let got = hex::encode(crate::sha256(bytes));
            report.push(
                "message",
                if got == bundle.message_sha256 {
                    Ok(format!("SHA-256 {got} matches the certified message"))
                } else {
                    Err(format!("SHA-256 of the given message is {got}, the evidence certifies {}", bundle.message_sha256))
                },
            );
        }
        None => {
            report.push("message", Ok(format!("not given; the evidence certifies SHA-256 {}", bundle.message_sha256)));
        }
    }
    // The tree head.
    let root = match Certificate::from_pem(bundle.certificates.log.as_bytes()) {
        Err(e) => {
            report.push("tree head", Err(format!("the log certificate is not PEM: {e}")));
            None
        }
        Ok(log_cert) => match bundle.tree_head.verify(&log_cert, &ca).and_then(|()| bundle.tree_head.root()) {
            Ok(root) => {
                report.push(
                    "tree head",
                    Ok(format!("signed by the evidence log: {} entries, root {}", bundle.tree_head.tree_size, bundle.tree_head.root_hash)),
                );
                Some(root)
            }
            Err(e) => {
                report.push("tree head", Err(e.to_string()));
                None
            }
        },
    };
    if bundle.events.is_empty() {
        report.push("events", Err("the bundle holds no events".into()));
    }
    for (n, item) in bundle.events.iter().enumerate() {
        let label = format!("{} event {} ({})", item.event.kind_name(), n + 1, item.event.evidence_id);
        let canonical = item.event.canonical();
        report.push(
            format!("event {}", n + 1),
            if item.event.message_sha256 == bundle.message_sha256 {
                Ok(format!("{label} at {} is about this message", item.event.time))
            } else {
                Err(format!("{label} names message {}, the bundle {}", item.event.message_sha256, bundle.message_sha256))
            },
        );
        let digest = crate::sha256(&canonical);
        let token = B64.decode(&item.token).map_err(|_| "the token is not base64".to_string()).and_then(|der| {
            let checked = verify_token(&der, &digest, &ca, &tsa_certs);
            let checked = match (&external_ca, checked) {
                (Some(external), Err(_)) => verify_token(&der, &digest, external, &tsa_certs),
                (_, checked) => checked,
            };
            checked.map_err(|e| e.to_string()).map(|facts| {
                format!(
                    "RFC 3161 token over the event (SHA-256 {}) stamped {} by {}",
                    hex::encode(digest),
                    facts.time_rfc3339(),
                    facts.signer.tbs_certificate.subject
                )
            })
        });
        report.push(format!("token {}", n + 1), token);
        let proof: Result<Vec<merkle::Hash>, String> = item
            .inclusion_proof
            .iter()
            .map(|h| hex::decode(h).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| "a proof hash is not 32 bytes of hex".to_string()))
            .collect();
        let inclusion = match (proof, root) {
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err("no valid tree head to check against".to_string()),
            (Ok(proof), Some(root)) => {
                if merkle::verify_inclusion(&merkle::leaf_hash(&canonical), item.log_index, bundle.tree_head.tree_size, &proof, &root) {
                    Ok(format!("entry {} of the evidence log (tree of {})", item.log_index, bundle.tree_head.tree_size))
                } else {
                    Err(format!("the event is not proven to be entry {} of the logged tree", item.log_index))
                }
            }
        };
        report.push(format!("inclusion proof {}", n + 1), inclusion);
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Certifier;
    use crate::evidence::{Event, EventKind};
    use crate::tsa::{TsaKeys, TsaMaterial};

    fn setup(dir: &std::path::Path) -> (Certifier, TsaKeys) {
        let mut extra = Default::default();
        TsaMaterial::ensure(&mut extra, "mail.example.org").unwrap();
        let c = Certifier::open(dir, TsaKeys::load(&extra).unwrap(), TsaKeys::store_key(&extra).unwrap(), "mail.example.org").unwrap();
        (c, TsaKeys::load(&extra).unwrap())
    }

    fn sample(c: &Certifier, message: &[u8]) -> Bundle {
        let hash = crate::message_hash(message);
        let accept = EventKind::Acceptance {
            sender: "alice@example.org".into(),
            recipients: vec!["bob@example.org".into()],
            auth_method: "PLAIN".into(),
        };
        let a = c.record(Event::new("q1", None, &hash, "mail.example.org", accept).unwrap()).unwrap();
        // Unrelated events in between make the proofs non-trivial.
        for i in 0..5 {
            let other = EventKind::NonDelivery { recipient: format!("x{i}@y"), last_reply: "550".into() };
            c.record(Event::new("q0", None, &[i; 32], "mail.example.org", other).unwrap()).unwrap();
        }
        let deliver =
            EventKind::Delivery { recipient: "bob@example.org".into(), how: "local".into(), mailbox: Some("INBOX".into()), remote: None };
        let d = c.record(Event::new("q1", None, &hash, "mail.example.org", deliver).unwrap()).unwrap();
        assert_eq!(c.load(&d.event.evidence_id).unwrap().event, d.event);
        c.bundle(&[a, d]).unwrap()
    }

    #[test]
    fn a_bundle_verifies_and_each_kind_of_tampering_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let (c, keys) = setup(dir.path());
        let message = b"From: alice@example.org\r\n\r\nhello\r\n";
        let bundle = sample(&c, message);
        let report = verify(&bundle, Some(message), Some(&keys.ca_cert));
        assert!(report.all_hold(), "{report:?}");
        // Through JSON and back.
        let json = serde_json::to_vec_pretty(&bundle).unwrap();
        assert!(verify(&parse(&json).unwrap(), Some(message), None).all_hold());

        let fails =
            |b: &Bundle, m: &[u8]| verify(b, Some(m), Some(&keys.ca_cert)).failed().iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(fails(&bundle, b"From: alice@example.org\r\n\r\nhellp\r\n"), ["message"]);
        let mut b = bundle.clone();
        b.events[1].event.time.push('0');
        assert_eq!(fails(&b, message), ["token 2", "inclusion proof 2"]);
        let mut b = bundle.clone();
        let mut token = B64.decode(&b.events[0].token).unwrap();
        let last = token.len() - 1;
        token[last] ^= 1;
        b.events[0].token = B64.encode(token);
        assert_eq!(fails(&b, message), ["token 1"]);
        let mut b = bundle.clone();
        let flipped = if b.events[0].inclusion_proof[0].starts_with('0') { "1" } else { "0" };
        b.events[0].inclusion_proof[0].replace_range(0..1, flipped);
        assert_eq!(fails(&b, message), ["inclusion proof 1"]);
        let mut b = bundle.clone();
        b.tree_head.tree_size += 1;
        assert!(fails(&b, message).contains(&"tree head".to_string()));
        // An outside TSA that cannot be reached: the built-in TSA stamps instead, and a bundle
        // mixing both kinds of token verifies.
        let outside = setup(tempfile::tempdir().unwrap().path()).1;
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}/tsa", silent.local_addr().unwrap().port());
        drop(silent);
        let client = crate::tsa::TsaClient::new(&url, outside.ca_cert.clone(), None, std::time::Duration::from_millis(200)).unwrap();
        let dir2 = tempfile::tempdir().unwrap();
        let (c2, keys2) = setup(dir2.path());
        let c2 = c2.with_external_tsa(client);
        let event = Event::new(
            "q2",
            None,
            &crate::message_hash(message),
            "mail.example.org",
            EventKind::NonDelivery { recipient: "x@y".into(), last_reply: "550".into() },
        )
        .unwrap();
        let stored = c2.record(event).unwrap();
        c2.verify_stored(&stored).unwrap();
        let mixed = c2.bundle(&[stored]).unwrap();
        assert!(mixed.certificates.external_tsa_ca.is_some());
        assert!(verify(&mixed, Some(message), Some(&keys2.ca_cert)).all_hold());
        // Another TSA's CA: nothing chains.
        let other = tempfile::tempdir().unwrap();
        let (_, other_keys) = setup(other.path());
        let report = verify(&bundle, Some(message), Some(&other_keys.ca_cert));
        assert!(report.failed().contains(&"token 1") && report.failed().contains(&"tree head"));
    }
}
