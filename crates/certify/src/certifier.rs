//! The certification service the server runs: stamp an event, log it, keep it, and build
//! bundles. One per process, shared by SMTP and HTTPS.

use crate::CertifyError;
use crate::bundle::{Bundle, BundleEvent, Certificates};
use crate::evidence::Event;
use crate::log::{EvidenceLog, SignedTreeHead};
use crate::tsa::{TokenFacts, Tsa, TsaClient, TsaKeys, cert_pem, verify_token};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use sigillo_crypto::{Key32, symmetric};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const STORE_LABEL: &[u8] = b"sigillo evidence record v1";
const LOG_FILE: &str = "log.leaves";

/// One event as kept on disk (sealed under the evidence key: records name senders and
/// recipients, which the data dir otherwise never shows in the clear).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredEvent {
    pub event: Event,
    /// DER TimeStampToken (ContentInfo), base64.
    pub token: String,
    pub log_index: u64,
}

impl StoredEvent {
    pub fn token_der(&self) -> Result<Vec<u8>, CertifyError> {
        B64.decode(&self.token).map_err(|_| CertifyError::Corrupt("token is not base64".into()))
    }
}

pub struct Certifier {
    origin: String,
    tsa: Tsa,
    keys: TsaKeys,
    store_key: Key32,
    dir: PathBuf,
    log: Mutex<EvidenceLog>,
    /// `[certify] tsa_url`: tokens come from an outside TSA instead of [`Self::tsa`].
    external: Option<TsaClient>,
}

impl Certifier {
    /// Opens `dir` (created 0700 if missing) with the keys from the key store.
    pub fn open(dir: &Path, keys: TsaKeys, store_key: Key32, hostname: &str) -> Result<Self, CertifyError> {
        sigillo_core::durable::create_private_dir(dir).map_err(|e| CertifyError::Io(dir.display().to_string(), e))?;
        let log = EvidenceLog::open(&dir.join(LOG_FILE))?;
        Ok(Certifier {
            origin: format!("{hostname}/evidence"),
            tsa: Tsa::new(&keys)?,
            keys,
            store_key,
            dir: dir.to_path_buf(),
            log: Mutex::new(log),
            external: None,
        })
    }

    /// Stamps events with an outside TSA from now on (the built-in one still serves `/tsa`).
    pub fn with_external_tsa(mut self, client: TsaClient) -> Self {
        self.external = Some(client);
        self
    }

    /// Checks a stored event's token against the CAs this server's tokens chain to.
    pub fn verify_stored(&self, stored: &StoredEvent) -> Result<TokenFacts, CertifyError> {
        let digest = crate::sha256(&stored.event.canonical());
        let token = stored.token_der()?;
        match (&self.external, verify_token(&token, &digest, &self.keys.ca_cert, &[])) {
            (Some(external), Err(_)) => Ok(verify_token(&token, &digest, external.ca(), &[])?),
            (_, result) => Ok(result?),
        }
    }

    pub fn tsa(&self) -> &Tsa {
        &self.tsa
    }

    pub fn keys(&self) -> &TsaKeys {
        &self.keys
    }

    /// Stamps, logs and stores `event`. The token covers SHA-256 of the canonical record,
    /// the log leaf is the canonical record itself.
    pub fn record(&self, event: Event) -> Result<StoredEvent, CertifyError> {
        let canonical = event.canonical();
        let digest = crate::sha256(&canonical);
        let token = match &self.external {
            // An outside TSA that fails must not leave an accepted or delivered message without
            // evidence: the built-in TSA stamps it instead (bundles carry both CAs, verifiers
            // try both), and the log says so.
            Some(client) => match client.stamp_sha256(&digest) {
                Ok(token) => token,
                Err(e) => {
                    tracing::warn!(evidence = event.evidence_id, error = %e, "outside TSA failed; stamped by the built-in TSA instead");
                    self.tsa.stamp_sha256(&digest)?
                }
            },
            None => self.tsa.stamp_sha256(&digest)?,
        };
        let log_index = self.log.lock().map_err(|_| CertifyError::Poisoned)?.append(&canonical)?;
        let stored = StoredEvent { event, token: B64.encode(token), log_index };
        let plain = zeroize::Zeroizing::new(serde_json::to_vec(&stored).map_err(|e| CertifyError::Corrupt(e.to_string()))?);
        let sealed = symmetric::seal(&self.store_key, STORE_LABEL, &plain).map_err(|e| CertifyError::Corrupt(e.to_string()))?;
        let path = self.event_path(&stored.event.evidence_id)?;
        sigillo_core::durable::write_new(&path, &sealed, 0o600).map_err(|e| CertifyError::Io(path.display().to_string(), e))?;
        Ok(stored)
    }

    pub fn load(&self, evidence_id: &str) -> Result<StoredEvent, CertifyError> {
        let path = self.event_path(evidence_id)?;
        let sealed = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CertifyError::NotFound(evidence_id.to_string())),
            Err(e) => return Err(CertifyError::Io(path.display().to_string(), e)),
        };
        let plain = symmetric::open(&self.store_key, STORE_LABEL, &sealed)
            .map_err(|_| CertifyError::Corrupt(format!("{evidence_id} does not open")))?;
        serde_json::from_slice(&plain).map_err(|e| CertifyError::Corrupt(e.to_string()))
    }

    fn event_path(&self, evidence_id: &str) -> Result<PathBuf, CertifyError> {
        if evidence_id.len() != 32 || !evidence_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err(CertifyError::NotFound(evidence_id.to_string()));
        }
        Ok(self.dir.join(format!("{evidence_id}.event")))
    }

    /// A tree head over the whole log, signed now.
    pub fn tree_head(&self) -> Result<SignedTreeHead, CertifyError> {
        let log = self.log.lock().map_err(|_| CertifyError::Poisoned)?;
        Ok(SignedTreeHead::sign(&self.origin, log.size(), &log.root(), &self.keys.log_key)?)
    }

    /// Inclusion proof (hex hashes) of `index` against the head `sth`.
    pub fn inclusion_proof(&self, index: u64, sth: &SignedTreeHead) -> Result<Vec<String>, CertifyError> {
        let log = self.log.lock().map_err(|_| CertifyError::Poisoned)?;
        Ok(log.inclusion_proof(index, sth.tree_size)?.iter().map(hex::encode).collect())
    }

    /// Consistency proof (hex) between two tree sizes.
    pub fn consistency_proof(&self, first: u64, second: u64) -> Result<Vec<String>, CertifyError> {
        let log = self.log.lock().map_err(|_| CertifyError::Poisoned)?;
        Ok(log.consistency_proof(first, second)?.iter().map(hex::encode).collect())
    }

    /// The evidence bundle for `events` of one message: events, tokens, inclusion proofs
    /// against one fresh tree head, and every certificate a verifier needs.
    pub fn bundle(&self, events: &[StoredEvent]) -> Result<Bundle, CertifyError> {
        let sth = self.tree_head()?;
        let mut out = Vec::new();
        for stored in events {
            out.push(BundleEvent {
                event: stored.event.clone(),
                token: stored.token.clone(),
                log_index: stored.log_index,
                inclusion_proof: self.inclusion_proof(stored.log_index, &sth)?,
            });
        }
        let message_sha256 = events.first().map(|e| e.event.message_sha256.clone()).unwrap_or_default();
        let mut tsa = vec![cert_pem(&self.keys.signer_cert)?];
        for old in &self.keys.history {
            tsa.push(cert_pem(old)?);
        }
        Ok(Bundle {
            format: crate::bundle::FORMAT.to_string(),
            message_sha256,
            events: out,
            tree_head: sth,
            certificates: Certificates {
                tsa_ca: cert_pem(&self.keys.ca_cert)?,
                tsa,
                log: cert_pem(&self.keys.log_cert)?,
                external_tsa_ca: self.external.as_ref().map(|c| cert_pem(c.ca())).transpose()?,
            },
        })
    }
}
