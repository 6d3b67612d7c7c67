//! Recorded check results (`DATA/trust/results.json`): the newest outcome of every check,
//! with when it ran and until when it counts as fresh.

use crate::checks::{self, Outcome};
use crate::{Target, TrustError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckResult {
    pub check: String,
    /// Unix seconds.
    pub ran_at: i64,
    pub expires_at: i64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl CheckResult {
    pub fn fresh(&self, now: i64) -> bool {
        now < self.expires_at
    }
}

pub fn results_path(root: &Path) -> PathBuf {
    root.join("trust").join("results.json")
}

/// Runs every check now and records the results.
pub fn run_all(target: &Target) -> Result<BTreeMap<String, CheckResult>, TrustError> {
    let mut results = BTreeMap::new();
    for check in checks::CHECKS {
        let ran_at = sigillo_core::clock::unix_now();
        let outcome = (check.run)(target);
        tracing::debug!(check = check.id, verdict = ?outcome.verdict, detail = outcome.detail, "trust check");
        results.insert(
            check.id.to_string(),
            CheckResult { check: check.id.to_string(), ran_at, expires_at: ran_at + check.ttl_secs as i64, outcome },
        );
    }
    save(target.root(), &results)?;
    Ok(results)
}

pub fn load(root: &Path) -> BTreeMap<String, CheckResult> {
    std::fs::read(results_path(root)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn save(root: &Path, results: &BTreeMap<String, CheckResult>) -> Result<(), TrustError> {
    let path = results_path(root);
    let fail = |message: String| TrustError::File { path: path.clone(), message };
    if let Some(dir) = path.parent() {
        sigillo_core::durable::create_private_dir(dir).map_err(|e| fail(e.to_string()))?;
    }
    let bytes = serde_json::to_vec_pretty(results).map_err(|e| fail(e.to_string()))?;
    sigillo_core::durable::write_atomic(&path, &bytes, 0o600).map_err(|e| fail(e.to_string()))
}
