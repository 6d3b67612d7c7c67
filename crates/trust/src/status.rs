//! The status of each control, computed — never typed in.
//!
//! - `implemented`: it has checks, and every one passed and is fresh;
//! - `partial`: some of its checks passed (fresh), not all;
//! - `failing`: it has checks and none passed;
//! - `attested` / `expired`: no checks, but a person's attestation (current or past);
//! - `not-applicable`: with its written reason;
//! - `planned`: nothing yet.

use crate::attestations::{Attestation, Attestations};
use crate::catalog::catalog;
use crate::checks::{CHECKS, Verdict};
use crate::results::CheckResult;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Implemented,
    Partial,
    Failing,
    Attested,
    Expired,
    NotApplicable,
    Planned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Implemented => "implemented",
            Status::Partial => "partial",
            Status::Failing => "failing",
            Status::Attested => "attested",
            Status::Expired => "expired",
            Status::NotApplicable => "not-applicable",
            Status::Planned => "planned",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckStatus {
    pub id: String,
    pub verdict: Verdict,
    pub fresh: bool,
    pub detail: String,
    pub ran_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlStatus {
    /// CSF 2.0 subcategory id, e.g. `PR.DS-01`.
    pub id: String,
    /// CSF 1.1 ids whose content this subcategory holds.
    pub csf11: Vec<String>,
    pub function: String,
    pub category: String,
    pub status: Status,
    pub checks: Vec<CheckStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<Attestation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applicable: Option<String>,
}

/// [`compute`] at this moment.
pub fn compute_now(results: &BTreeMap<String, CheckResult>, attestations: &Attestations) -> Vec<ControlStatus> {
    let today = time::OffsetDateTime::now_utc().date().to_string();
    compute(results, attestations, sigillo_core::clock::unix_now(), &today)
}

/// Every CSF 2.0 subcategory with its computed status.
pub fn compute(results: &BTreeMap<String, CheckResult>, attestations: &Attestations, now: i64, today: &str) -> Vec<ControlStatus> {
    catalog()
        .subcategories()
        .map(|(function, category, sub)| {
            let checks: Vec<CheckStatus> = CHECKS
                .iter()
                .filter(|c| c.controls.contains(&sub.id.as_str()))
                .map(|c| match results.get(c.id) {
                    Some(r) => CheckStatus {
                        id: c.id.to_string(),
                        verdict: r.outcome.verdict,
                        fresh: r.fresh(now),
                        detail: r.outcome.detail.clone(),
                        ran_at: Some(r.ran_at),
                    },
                    None => CheckStatus {
                        id: c.id.to_string(),
                        verdict: Verdict::NotChecked,
                        fresh: false,
                        detail: "never ran".into(),
                        ran_at: None,
                    },
                })
                .collect();
            let attestation = attestations.attestation.iter().find(|a| a.controls.contains(&sub.id)).cloned();
            let not_applicable = attestations.not_applicable.iter().find(|n| n.control == sub.id).map(|n| n.reason.clone());
            let passed = checks.iter().filter(|c| c.verdict == Verdict::Pass && c.fresh).count();
            let failed = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
            let status = if not_applicable.is_some() {
                Status::NotApplicable
            } else if !checks.is_empty() && passed == checks.len() {
                Status::Implemented
            } else if passed > 0 {
                Status::Partial
            } else if failed > 0 {
                Status::Failing
            } else if let Some(a) = &attestation {
                if a.expired(today) { Status::Expired } else { Status::Attested }
            } else {
                Status::Planned
            };
            ControlStatus {
                id: sub.id.clone(),
                csf11: sub.csf11.clone(),
                function: function.id.clone(),
                category: category.id.clone(),
                status,
                checks,
                attestation,
                not_applicable,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attestations::NotApplicable;
    use crate::checks::Outcome;

    fn result(check: &str, verdict: Verdict, ran_at: i64) -> (String, CheckResult) {
        let outcome = Outcome { verdict, detail: String::new(), evidence: serde_json::Value::Null };
        (check.to_string(), CheckResult { check: check.to_string(), ran_at, expires_at: ran_at + 100, outcome })
    }

    fn status_of<'a>(all: &'a [ControlStatus], id: &str) -> &'a ControlStatus {
        all.iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn computed_from_checks_attestations_and_freshness() {
        // PR.DS-01 has two checks (storage, identity); PR.DS-02 has two (transit).
        let results: BTreeMap<_, _> = [
            result("storage.encrypted-at-rest", Verdict::Pass, 1000),
            result("identity.password-kdf", Verdict::Pass, 1000),
            result("transit.credentials-only-after-tls", Verdict::Pass, 1000),
            result("transit.tls-versions-and-certificate", Verdict::Fail, 1000),
            result("logging.audit-chain", Verdict::Fail, 1000),
        ]
        .into_iter()
        .collect();
        let attestations = Attestations {
            attestation: vec![
                Attestation {
                    controls: vec!["PR.AT-01".into()],
                    statement: "trained".into(),
                    owner: "o".into(),
                    date: "2026-01-01".into(),
                    expires: "2027-01-01".into(),
                    document: None,
                },
                Attestation {
                    controls: vec!["PR.AT-02".into()],
                    statement: "trained".into(),
                    owner: "o".into(),
                    date: "2025-01-01".into(),
                    expires: "2026-01-01".into(),
                    document: None,
                },
            ],
            not_applicable: vec![NotApplicable { control: "PR.PS-03".into(), reason: "no hardware".into() }],
        };
        let all = compute(&results, &attestations, 1050, "2026-11-23");
        assert_eq!(all.len(), 106);
        assert_eq!(status_of(&all, "PR.DS-01").status, Status::Implemented);
        assert_eq!(status_of(&all, "PR.DS-02").status, Status::Partial);
        assert_eq!(status_of(&all, "PR.PS-04").status, Status::Failing);
        assert_eq!(status_of(&all, "PR.AT-01").status, Status::Attested);
        assert_eq!(status_of(&all, "PR.AT-02").status, Status::Expired);
        assert_eq!(status_of(&all, "PR.PS-03").status, Status::NotApplicable);
        assert_eq!(status_of(&all, "GV.OC-01").status, Status::Planned);
        // A result past its expiry no longer counts.
        let stale = compute(&results, &attestations, 5000, "2026-11-23");
        assert_eq!(status_of(&stale, "PR.DS-01").status, Status::Planned, "stale passes are not evidence");
    }
}
