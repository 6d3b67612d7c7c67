//! What no program can check (training, HR, physical security) is attested by a person:
//! `DATA/trust/attestations.toml`. An attestation is shown as one, never as a check, and
//! is `expired` after its expiry date. The same file records controls that do not apply,
//! each with its reason.
//!
//! ```toml
//! [[attestation]]
//! controls = ["PR.AT-01"]
//! statement = "Every administrator completed security awareness training in 2026."
//! owner = "Security officer"
//! date = "2026-03-01"
//! expires = "2027-03-01"
//! document = "https://intranet.example.org/training-2026.pdf"
//!
//! [[not_applicable]]
//! control = "PR.PS-03"
//! reason = "No hardware is operated: the server runs on a rented virtual machine."
//! ```

use crate::TrustError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestations {
    #[serde(default)]
    pub attestation: Vec<Attestation>,
    #[serde(default)]
    pub not_applicable: Vec<NotApplicable>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub controls: Vec<String>,
    pub statement: String,
    pub owner: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// YYYY-MM-DD; after it the attestation is shown as expired.
    pub expires: String,
    #[serde(default)]
    pub document: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotApplicable {
    pub control: String,
    pub reason: String,
}

impl Attestation {
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_str() < today
    }
}

pub fn path(root: &Path) -> PathBuf {
    root.join("trust").join("attestations.toml")
}

/// Reads the file; a missing file means no attestations.
pub fn load(root: &Path) -> Result<Attestations, TrustError> {
    let path = path(root);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Attestations::default()),
        Err(e) => return Err(TrustError::File { path, message: e.to_string() }),
    };
    let parsed: Attestations = toml::from_str(&text).map_err(|e| TrustError::File { path: path.clone(), message: e.to_string() })?;
    let catalog = crate::catalog::catalog();
    let known = |id: &str| catalog.subcategory(id).is_some();
    for a in &parsed.attestation {
        if let Some(bad) = a.controls.iter().find(|c| !known(c)) {
            return Err(TrustError::File { path, message: format!("attestation names {bad}, which is not a CSF 2.0 subcategory") });
        }
        for date in [&a.date, &a.expires] {
            if time::Date::parse(date, time::macros::format_description!("[year]-[month]-[day]")).is_err() {
                return Err(TrustError::File { path, message: format!("{date:?} is not a date (YYYY-MM-DD)") });
            }
        }
    }
    if let Some(bad) = parsed.not_applicable.iter().find(|n| !known(&n.control)) {
        return Err(TrustError::File {
            path,
            message: format!("not_applicable names {}, which is not a CSF 2.0 subcategory", bad.control),
        });
    }
    Ok(parsed)
}
