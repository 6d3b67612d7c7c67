//! The registry of automated checks. Each runs against the live server a data directory
//! configures (its files, its key store, its listeners) and returns an outcome with the
//! raw evidence; each is mapped to the CSF 2.0 subcategories it gives evidence for.
//!
//! A control is `implemented` only when every one of its checks passed and is fresh, so a
//! check is added with the feature it checks, never before.

mod advisories;
mod backup;
mod email_auth;
mod identity;
mod inventory;
mod logging;
pub(crate) mod probe;
mod storage;
mod supply;
mod transit;

use crate::Target;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    /// The check could not run (feature off, nothing configured); never counts as passed.
    NotChecked,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// One line a reader understands.
    pub detail: String,
    /// What the check saw, for the evidence page.
    pub evidence: serde_json::Value,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::NotChecked => "not-checked",
        }
    }
}

impl Outcome {
    pub fn pass(detail: impl Into<String>, evidence: serde_json::Value) -> Self {
        Outcome { verdict: Verdict::Pass, detail: detail.into(), evidence }
    }
    pub fn fail(detail: impl Into<String>, evidence: serde_json::Value) -> Self {
        Outcome { verdict: Verdict::Fail, detail: detail.into(), evidence }
    }
    pub fn not_checked(detail: impl Into<String>) -> Self {
        Outcome { verdict: Verdict::NotChecked, detail: detail.into(), evidence: serde_json::Value::Null }
    }
}

pub struct Check {
    pub id: &'static str,
    /// What it proves, in English (the pages translate by id).
    pub title: &'static str,
    /// CSF 2.0 subcategories it gives evidence for.
    pub controls: &'static [&'static str],
    /// How long a result stays fresh.
    pub ttl_secs: u64,
    pub run: fn(&Target) -> Outcome,
}

const DAY: u64 = 24 * 3600;

pub const CHECKS: &[Check] = &[
    Check {
        id: "storage.encrypted-at-rest",
        title: "Every database, spool and queue file in the data directory is encrypted; none opens without its key",
        controls: &["PR.DS-01"],
        ttl_secs: DAY,
        run: storage::encrypted_at_rest,
    },
    Check {
        id: "transit.credentials-only-after-tls",
        title: "No listener accepts credentials before TLS",
        controls: &["PR.DS-02"],
        ttl_secs: DAY,
        run: transit::credentials_only_after_tls,
    },
    Check {
        id: "transit.tls-versions-and-certificate",
        title: "TLS listeners speak TLS 1.2 or 1.3 only, with a certificate valid for more than 14 days",
        controls: &["PR.DS-02"],
        ttl_secs: DAY,
        run: transit::tls_versions_and_certificate,
    },
    Check {
        id: "identity.password-kdf",
        title: "Passwords unlock keys through Argon2id at or above OWASP's minimum, for every account",
        controls: &["PR.AA-01", "PR.DS-01"],
        ttl_secs: DAY,
        run: identity::password_kdf,
    },
    Check {
        id: "identity.mfa-coverage",
        title: "A second factor is available, and every admin and auditor account uses it",
        controls: &["PR.AA-03"],
        ttl_secs: DAY,
        run: identity::mfa_coverage,
    },
    Check {
        id: "logging.audit-chain",
        title: "The administrative audit log is present and its hash chain verifies",
        controls: &["PR.PS-04"],
        ttl_secs: DAY,
        run: logging::audit_chain,
    },
    Check {
        id: "backup.restore-drill",
        title: "Backups are recent, encrypted, and the newest passed a restore drill",
        controls: &["PR.DS-11", "RC.RP-03"],
        ttl_secs: DAY,
        run: backup::restore_drill,
    },
    Check {
        id: "inventory.software",
        title: "The software inventory (every dependency compiled into this binary) is known",
        controls: &["ID.AM-02"],
        ttl_secs: 7 * DAY,
        run: inventory::software,
    },
    Check {
        id: "inventory.vulnerabilities",
        title: "The software inventory is scanned against an advisory database",
        controls: &["ID.RA-01"],
        ttl_secs: DAY,
        run: inventory::vulnerabilities,
    },
    Check {
        id: "email.authentication",
        title: "The SPF, DMARC and MTA-STS records published for each local domain match what the server expects",
        controls: &["PR.AA-04"],
        ttl_secs: DAY,
        run: email_auth::authentication,
    },
    Check {
        id: "supply-chain.subprocessors",
        title: "Every subprocessor is declared with its purpose and location",
        controls: &["ID.AM-04"],
        ttl_secs: DAY,
        run: supply::subprocessors,
    },
];

pub fn find(id: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.id == id)
}
