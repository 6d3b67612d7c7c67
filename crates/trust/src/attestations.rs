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
    match problem(&parsed) {
        Some(message) => Err(TrustError::File { path, message }),
        None => Ok(parsed),
    }
}

/// What makes the file unusable, if anything: a control that is not a CSF 2.0
/// subcategory, or a date that is not YYYY-MM-DD.
fn problem(a: &Attestations) -> Option<String> {
    let catalog = crate::catalog::catalog();
    let known = |id: &str| catalog.subcategory(id).is_some();
    for a in &a.attestation {
        if let Some(bad) = a.controls.iter().find(|c| !known(c)) {
            return Some(format!("attestation names {bad}, which is not a CSF 2.0 subcategory"));
        }
        if let Some(bad) = [&a.date, &a.expires].into_iter().find(|d| parse_date(d).is_none()) {
            return Some(format!("{bad:?} is not a date (YYYY-MM-DD)"));
        }
    }
    a.not_applicable
        .iter()
        .find(|n| !known(&n.control))
        .map(|bad| format!("not_applicable names {}, which is not a CSF 2.0 subcategory", bad.control))
}

fn parse_date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

// ---- editing (the admin console's /admin/attestations) ----

/// Limits on what an edit accepts: the file stays small enough to read on every page view.
pub const MAX_STATEMENT: usize = 4000;
pub const MAX_OWNER: usize = 200;
pub const MAX_DOCUMENT: usize = 2000;
pub const MAX_REASON: usize = 2000;
pub const MAX_CONTROLS: usize = 50;
pub const MAX_ENTRIES: usize = 1000;

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The input is wrong; the text says what and how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// The entry to remove is not (or no longer) in the file.
    #[error("{0}")]
    NotFound(String),
    /// The change contradicts what the file already says.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    File(#[from] TrustError),
}

/// A new attestation from form fields: `controls` separated by spaces or commas (ids are
/// matched case-insensitively), dates as YYYY-MM-DD, `document` optional.
pub fn new_attestation(
    controls: &str,
    statement: &str,
    owner: &str,
    date: &str,
    expires: &str,
    document: &str,
) -> Result<Attestation, EditError> {
    let invalid = |m: String| Err(EditError::Invalid(m));
    let catalog = crate::catalog::catalog();
    let mut ids: Vec<String> = Vec::new();
    for raw in controls.split([' ', ',', '\n', '\r', '\t']).filter(|c| !c.is_empty()) {
        let id = raw.to_ascii_uppercase();
        if catalog.subcategory(&id).is_none() {
            return invalid(format!("{raw} is not a CSF 2.0 subcategory (for example PR.AT-01)"));
        }
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return invalid("name at least one CSF 2.0 subcategory (for example PR.AT-01)".into());
    }
    if ids.len() > MAX_CONTROLS {
        return invalid(format!("at most {MAX_CONTROLS} controls per attestation"));
    }
    let (statement, owner, document) = (statement.trim(), owner.trim(), document.trim());
    for (name, value, max) in [("statement", statement, MAX_STATEMENT), ("owner", owner, MAX_OWNER), ("document", document, MAX_DOCUMENT)] {
        if value.chars().count() > max {
            return invalid(format!("{name}: at most {max} characters"));
        }
    }
    if statement.is_empty() || owner.is_empty() {
        return invalid("an attestation needs a statement and the person or role who makes it".into());
    }
    let (Some(from), Some(until)) = (parse_date(date.trim()), parse_date(expires.trim())) else {
        return invalid("dates are YYYY-MM-DD".into());
    };
    if until <= from {
        return invalid("the expiry date must come after the date of the attestation".into());
    }
    Ok(Attestation {
        controls: ids,
        statement: statement.to_string(),
        owner: owner.to_string(),
        date: date.trim().to_string(),
        expires: expires.trim().to_string(),
        document: (!document.is_empty()).then(|| document.to_string()),
    })
}

/// A new "does not apply" entry: one control and the reason.
pub fn new_not_applicable(control: &str, reason: &str) -> Result<NotApplicable, EditError> {
    let (control, reason) = (control.trim().to_ascii_uppercase(), reason.trim());
    if crate::catalog::catalog().subcategory(&control).is_none() {
        return Err(EditError::Invalid(format!("{control:?} is not a CSF 2.0 subcategory (for example PR.PS-03)")));
    }
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(EditError::Invalid(format!("give the reason it does not apply, at most {MAX_REASON} characters")));
    }
    Ok(NotApplicable { control, reason: reason.to_string() })
}

impl Attestation {
    /// A short digest of the whole entry: a remove button names the entry it showed, so an
    /// edit made meanwhile (another admin, the file by hand) cannot make it remove another.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        sha2::Sha256::digest(&canonical).iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// One change of the file, one at a time in this process: read it, let `change` edit it,
/// check the result, write it back atomically. Comments in a hand-written file are not
/// kept (the console says so).
pub fn edit<R>(root: &Path, change: impl FnOnce(&mut Attestations) -> Result<R, EditError>) -> Result<R, EditError> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut all = load(root)?;
    let out = change(&mut all)?;
    if all.attestation.len() + all.not_applicable.len() > MAX_ENTRIES {
        return Err(EditError::Conflict(format!("the file holds at most {MAX_ENTRIES} entries")));
    }
    if let Some(message) = problem(&all) {
        return Err(EditError::Invalid(message));
    }
    save(root, &all)?;
    Ok(out)
}

/// Adds an attestation (see [`new_attestation`]).
pub fn add(root: &Path, attestation: Attestation) -> Result<(), EditError> {
    edit(root, |all| {
        all.attestation.push(attestation);
        Ok(())
    })
}

/// Removes the attestation whose [`Attestation::fingerprint`] is `fingerprint`.
pub fn remove(root: &Path, fingerprint: &str) -> Result<Attestation, EditError> {
    edit(root, |all| {
        let at = all.attestation.iter().position(|a| a.fingerprint() == fingerprint);
        at.map(|i| all.attestation.remove(i))
            .ok_or_else(|| EditError::NotFound("that attestation is no longer in the file; reload the page".into()))
    })
}

/// Records that a control does not apply; a control is listed once.
pub fn add_not_applicable(root: &Path, entry: NotApplicable) -> Result<(), EditError> {
    edit(root, |all| {
        if all.not_applicable.iter().any(|n| n.control == entry.control) {
            return Err(EditError::Conflict(format!("{} is already marked as not applicable", entry.control)));
        }
        all.not_applicable.push(entry);
        Ok(())
    })
}

/// Removes the "does not apply" entry of `control`.
pub fn remove_not_applicable(root: &Path, control: &str) -> Result<NotApplicable, EditError> {
    edit(root, |all| {
        let at = all.not_applicable.iter().position(|n| n.control == control);
        at.map(|i| all.not_applicable.remove(i)).ok_or_else(|| EditError::NotFound(format!("{control} is not marked as not applicable")))
    })
}

fn save(root: &Path, all: &Attestations) -> Result<(), TrustError> {
    let path = path(root);
    let fail = |message: String| TrustError::File { path: path.clone(), message };
    let body = toml::to_string(all).map_err(|e| fail(e.to_string()))?;
    let text = format!(
        "# Attestations and controls that do not apply: see `sigillo_trust::attestations`.\n\
         # Written by the admin console (/admin/attestations); it may be edited by hand too.\n\n{body}"
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    }
    sigillo_core::durable::write_atomic(&path, text.as_bytes(), 0o644).map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_checked_and_normalised() {
        let a = new_attestation("pr.at-01, PR.AT-02 pr.at-01", " Trained. ", "Security officer", "2026-03-01", "2027-03-01", "").unwrap();
        assert_eq!(a.controls, ["PR.AT-01", "PR.AT-02"]);
        assert_eq!((a.statement.as_str(), a.document), ("Trained.", None));
        let refused = |r: Result<Attestation, EditError>| match r {
            Err(EditError::Invalid(m)) => m,
            other => panic!("not refused: {other:?}"),
        };
        assert!(refused(new_attestation("XX.YY-99", "s", "o", "2026-03-01", "2027-03-01", "")).contains("XX.YY-99"));
        assert!(refused(new_attestation("", "s", "o", "2026-03-01", "2027-03-01", "")).contains("at least one"));
        assert!(refused(new_attestation("PR.AT-01", " ", "o", "2026-03-01", "2027-03-01", "")).contains("statement"));
        assert!(refused(new_attestation("PR.AT-01", "s", "o", "2026-13-01", "2027-03-01", "")).contains("YYYY-MM-DD"));
        assert!(refused(new_attestation("PR.AT-01", "s", "o", "2027-03-01", "2026-03-01", "")).contains("after"));
        let long = "x".repeat(MAX_STATEMENT + 1);
        assert!(refused(new_attestation("PR.AT-01", &long, "o", "2026-03-01", "2027-03-01", "")).contains("at most"));
        assert!(matches!(new_not_applicable("pr.ps-03", ""), Err(EditError::Invalid(_))));
        assert_eq!(new_not_applicable("pr.ps-03", "no hardware").unwrap().control, "PR.PS-03");
    }

    #[test]
    fn edits_round_trip_through_the_file_and_remove_only_what_was_shown() {
        let root = tempfile::tempdir().unwrap();
        let a = new_attestation(
            "PR.AT-01",
            "Trained \"all\" staff\nin 2026.",
            "Officer",
            "2026-03-01",
            "2027-03-01",
            "https://x.example/t.pdf",
        )
        .unwrap();
        add(root.path(), a.clone()).unwrap();
        add_not_applicable(root.path(), new_not_applicable("PR.PS-03", "rented VM").unwrap()).unwrap();
        assert!(matches!(add_not_applicable(root.path(), new_not_applicable("PR.PS-03", "again").unwrap()), Err(EditError::Conflict(_))));
        let loaded = load(root.path()).unwrap();
        assert_eq!(loaded.attestation.len(), 1);
        assert_eq!(loaded.attestation[0].statement, a.statement, "quotes and newlines survive TOML");
        assert_eq!(loaded.attestation[0].fingerprint(), a.fingerprint());
        assert!(matches!(remove(root.path(), "0000000000000000"), Err(EditError::NotFound(_))));
        assert_eq!(remove(root.path(), &a.fingerprint()).unwrap().statement, a.statement);
        assert!(matches!(remove(root.path(), &a.fingerprint()), Err(EditError::NotFound(_))));
        assert_eq!(remove_not_applicable(root.path(), "PR.PS-03").unwrap().reason, "rented VM");
        let empty = load(root.path()).unwrap();
        assert!(empty.attestation.is_empty() && empty.not_applicable.is_empty());
    }

    #[test]
    fn a_broken_file_is_never_overwritten() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("trust")).unwrap();
        std::fs::write(path(root.path()), "[[attestation]]\ncontrols = [").unwrap();
        let a = new_attestation("PR.AT-01", "s", "o", "2026-03-01", "2027-03-01", "").unwrap();
        assert!(matches!(add(root.path(), a), Err(EditError::File(_))));
        assert_eq!(std::fs::read_to_string(path(root.path())).unwrap(), "[[attestation]]\ncontrols = [");
    }
}
