//! The trust center as an OSCAL assessment-results document (NIST OSCAL 1.0.6 schema, a
//! copy in `data/oscal_assessment-results_schema.json`; `tests/trust_pages.rs` validates the
//! served document against it): one result per export, one
//! observation per recorded check run, one finding per CSF 2.0 subcategory that has a
//! check, an attestation, or a not-applicable reason — controls still `planned` are listed
//! as not reviewed rather than presented as findings.

use crate::checks::{CHECKS, Verdict};
use crate::results::CheckResult;
use crate::status::{ControlStatus, Status};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const OSCAL_VERSION: &str = "1.0.6";

/// A name-based UUID, version 5 (RFC 9562 §5.5: SHA-1 over the URL namespace and the
/// name), so the same subject keeps the same UUID across exports as OSCAL asks; OSCAL
/// 1.0.6 accepts only versions 4 and 5. SHA-1 here only derives identifiers.
fn uuid(name: &str) -> String {
    use sha1::{Digest, Sha1};
    // RFC 9562 Appendix A: the URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
    const URL_NAMESPACE: [u8; 16] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8];
    let mut hasher = Sha1::new();
    hasher.update(URL_NAMESPACE);
    hasher.update(format!("urn:sigillo:oscal:{name}").as_bytes());
    let digest = hasher.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}

pub fn assessment_results(hostname: &str, controls: &[ControlStatus], results: &BTreeMap<String, CheckResult>, now: i64) -> Value {
    let observations: Vec<Value> = results
        .values()
        .map(|r| {
            let title = CHECKS.iter().find(|c| c.id == r.check).map(|c| c.title).unwrap_or("check");
            json!({
                "uuid": uuid(&format!("observation:{}:{}", r.check, r.ran_at)),
                "title": r.check,
                "description": format!("{title}. Result: {}. {}", r.outcome.verdict.as_str(), r.outcome.detail),
                "methods": ["TEST"],
                "types": ["control-objective"],
                "collected": rfc3339(r.ran_at),
                "expires": rfc3339(r.expires_at),
                "relevant-evidence": [{ "href": format!("https://{hostname}/trust/controls/{}#{}", first_control(&r.check), r.check), "description": "The check's raw evidence on the trust center." }],
            })
        })
        .collect();
    let findings: Vec<Value> = controls
        .iter()
        .filter(|c| c.status != Status::Planned)
        .map(|c| {
            let satisfied = matches!(c.status, Status::Implemented | Status::Attested | Status::NotApplicable);
            let reason = match c.status {
                Status::Implemented => "pass",
                Status::Failing => "fail",
                _ => "other",
            };
            let related: Vec<Value> = c
                .checks
                .iter()
                .filter_map(|k| results.get(&k.id))
                .map(|r| json!({ "observation-uuid": uuid(&format!("observation:{}:{}", r.check, r.ran_at)) }))
                .collect();
            let mut finding = json!({
                "uuid": uuid(&format!("finding:{}", c.id)),
                "title": format!("{} {}", c.id, c.status.as_str()),
                "description": describe(c),
                // The subcategory's statement part in NIST's CSF 2.0 OSCAL catalog.
                "target": {
                    "type": "statement-id",
                    "target-id": format!("{}_statement", c.id),
                    "status": { "state": if satisfied { "satisfied" } else { "not-satisfied" }, "reason": reason },
                },
            });
            if !related.is_empty() {
                finding["related-observations"] = Value::Array(related);
            }
            finding
        })
        .collect();
    let mut result = json!({
        "uuid": uuid(&format!("result:{hostname}:{now}")),
        "title": format!("Sigillo trust checks of {hostname}"),
        "description": "Automated checks of the running server and dated attestations, mapped to NIST CSF 2.0 subcategories.",
        "start": rfc3339(results.values().map(|r| r.ran_at).min().unwrap_or(now)),
        "end": rfc3339(now),
        "reviewed-controls": { "control-selections": [{ "description": "Every NIST CSF 2.0 subcategory.", "include-all": {} }] },
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    json!({
        "assessment-results": {
            "uuid": uuid(&format!("assessment-results:{hostname}")),
            "metadata": {
                "title": format!("Sigillo trust center: {hostname}"),
                "last-modified": rfc3339(now),
                "version": env!("CARGO_PKG_VERSION"),
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": { "href": format!("https://{hostname}/trust") },
            "results": [result],
        }
    })
}

fn first_control(check: &str) -> &'static str {
    CHECKS.iter().find(|c| c.id == check).and_then(|c| c.controls.first().copied()).unwrap_or("PR.DS-01")
}

fn describe(c: &ControlStatus) -> String {
    if let Some(reason) = &c.not_applicable {
        return format!("Not applicable: {reason}");
    }
    if let Some(a) = &c.attestation {
        return format!("Attested by {} on {} (expires {}): {}", a.owner, a.date, a.expires, a.statement);
    }
    let parts: Vec<String> = c
        .checks
        .iter()
        .map(|k| format!("{}: {}", k.id, if k.verdict == Verdict::Pass && k.fresh { "pass" } else { k.verdict.as_str() }))
        .collect();
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_version_5_and_stable() {
        let a = super::uuid("finding:PR.DS-01");
        assert_eq!(a, super::uuid("finding:PR.DS-01"));
        assert_ne!(a, super::uuid("finding:PR.DS-02"));
        let b = a.as_bytes();
        assert_eq!((a.len(), b[14], b[19] as char), (36, b'5', b[19] as char));
        assert!(matches!(b[19], b'8' | b'9' | b'a' | b'b'), "{a}");
    }
}
