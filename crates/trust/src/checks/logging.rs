//! The audit log: present, and its hash chain unbroken.

use super::Outcome;
use crate::Target;
use serde_json::json;

pub fn audit_chain(target: &Target) -> Outcome {
    let directory = match sigillo_store::Directory::open(&target.data.directory_db(), &target.directory_key) {
        Ok(d) => d,
        Err(e) => return Outcome::fail(format!("cannot open the directory: {e}"), json!(null)),
    };
    let entries = match directory.audit_entries() {
        Ok(e) => e,
        Err(e) => return Outcome::fail(format!("cannot read the audit log: {e}"), json!(null)),
    };
    let last = entries.last().map(|e| json!({ "seq": e.seq, "time": e.time, "hash": e.hash }));
    match sigillo_store::directory::verify_audit_chain(&entries) {
        Ok(()) if !entries.is_empty() => {
            Outcome::pass(format!("{} entries, chain verifies", entries.len()), json!({ "entries": entries.len(), "head": last }))
        }
        Ok(()) => Outcome::fail("the audit log is empty", json!({ "entries": 0 })),
        Err(seq) => Outcome::fail(format!("the hash chain breaks at entry {seq}"), json!({ "entries": entries.len(), "broken_at": seq })),
    }
}
