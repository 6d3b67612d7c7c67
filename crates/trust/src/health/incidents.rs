//! Incidents an administrator declares (`sigillo incident open|update|resolve`), kept in
//! `DATA/status/incidents.json` and shown on `/status` and its Atom feed with every update.

use crate::TrustError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const SEVERITIES: [&str; 4] = ["minor", "major", "critical", "maintenance"];
/// The states an update can report; `resolved` closes the incident.
pub const STATES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];

const MAX_TITLE: usize = 200;
const MAX_MESSAGE: usize = 4000;
const MAX_UPDATES: usize = 200;
const MAX_INCIDENTS: usize = 10_000;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Update {
    /// Unix seconds.
    pub at: i64,
    pub state: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: u32,
    pub title: String,
    pub severity: String,
    pub components: Vec<String>,
    pub opened_at: i64,
    #[serde(default)]
    pub resolved_at: Option<i64>,
    pub updates: Vec<Update>,
}

impl Incident {
    /// The state of the newest update.
    pub fn state(&self) -> &str {
        self.updates.last().map(|u| u.state.as_str()).unwrap_or("investigating")
    }
    /// When it last changed.
    pub fn updated_at(&self) -> i64 {
        self.updates.last().map(|u| u.at).unwrap_or(self.opened_at)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error("{0}")]
    Invalid(String),
    #[error("there is no incident {0}")]
    NotFound(u32),
    #[error("incident {0} is already resolved")]
    Resolved(u32),
    #[error(transparent)]
    Store(#[from] TrustError),
}

pub fn path(root: &Path) -> PathBuf {
    root.join("status").join("incidents.json")
}

/// Every incident, newest first. A missing file means none.
pub fn load(root: &Path) -> Result<Vec<Incident>, TrustError> {
    let path = path(root);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(TrustError::File { path, message: e.to_string() }),
    };
    let mut all: Vec<Incident> = serde_json::from_slice(&bytes).map_err(|e| TrustError::File { path, message: e.to_string() })?;
    all.sort_by(|a, b| b.opened_at.cmp(&a.opened_at).then(b.id.cmp(&a.id)));
    Ok(all)
}

fn save(root: &Path, all: &[Incident]) -> Result<(), TrustError> {
    let path = path(root);
    let fail = |message: String| TrustError::File { path: path.clone(), message };
    if let Some(dir) = path.parent() {
        sigillo_core::durable::create_private_dir(dir).map_err(|e| fail(e.to_string()))?;
    }
    let bytes = serde_json::to_vec_pretty(all).map_err(|e| fail(e.to_string()))?;
    sigillo_core::durable::write_atomic(&path, &bytes, 0o600).map_err(|e| fail(e.to_string()))
}

fn check_text(what: &str, text: &str, max: usize) -> Result<String, IncidentError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(IncidentError::Invalid(format!("the {what} is empty")));
    }
    if text.chars().count() > max {
        return Err(IncidentError::Invalid(format!("the {what} is longer than {max} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(IncidentError::Invalid(format!("the {what} contains control characters")));
    }
    Ok(text.to_string())
}

/// Opens an incident; returns it (with its new id).
pub fn open(root: &Path, title: &str, severity: &str, components: &[String], message: &str, now: i64) -> Result<Incident, IncidentError> {
    let title = check_text("title", title, MAX_TITLE)?;
    let message = check_text("message", message, MAX_MESSAGE)?;
    if !SEVERITIES.contains(&severity) {
        return Err(IncidentError::Invalid(format!("severity {severity:?} is not one of {}", SEVERITIES.join(", "))));
    }
    if components.is_empty() {
        return Err(IncidentError::Invalid("name at least one affected component".into()));
    }
    if let Some(bad) = components.iter().find(|c| !super::COMPONENTS.contains(&c.as_str())) {
        return Err(IncidentError::Invalid(format!("component {bad:?} is not one of {}", super::COMPONENTS.join(", "))));
    }
    let mut all = load(root)?;
    if all.len() >= MAX_INCIDENTS {
        return Err(IncidentError::Invalid(format!("{MAX_INCIDENTS} incidents recorded; archive the file first")));
    }
    let id = all.iter().map(|i| i.id).max().unwrap_or(0) + 1;
    let mut components = components.to_vec();
    components.sort_by_key(|c| super::COMPONENTS.iter().position(|k| k == c));
    components.dedup();
    let incident = Incident {
        id,
        title,
        severity: severity.to_string(),
        components,
        opened_at: now,
        resolved_at: None,
        updates: vec![Update { at: now, state: "investigating".into(), message }],
    };
    all.push(incident.clone());
    save(root, &all)?;
    Ok(incident)
}

/// Adds an update; `resolved` closes the incident.
pub fn update(root: &Path, id: u32, state: &str, message: &str, now: i64) -> Result<Incident, IncidentError> {
    let message = check_text("message", message, MAX_MESSAGE)?;
    if !STATES.contains(&state) {
        return Err(IncidentError::Invalid(format!("state {state:?} is not one of {}", STATES.join(", "))));
    }
    let mut all = load(root)?;
    let incident = all.iter_mut().find(|i| i.id == id).ok_or(IncidentError::NotFound(id))?;
    if incident.resolved_at.is_some() {
        return Err(IncidentError::Resolved(id));
    }
    if incident.updates.len() >= MAX_UPDATES {
        return Err(IncidentError::Invalid(format!("incident {id} has {MAX_UPDATES} updates already")));
    }
    // Time never goes backwards within an incident's timeline.
    let at = now.max(incident.updated_at());
    incident.updates.push(Update { at, state: state.to_string(), message });
    if state == "resolved" {
        incident.resolved_at = Some(at);
    }
    let done = incident.clone();
    save(root, &all)?;
    Ok(done)
}

pub fn resolve(root: &Path, id: u32, message: &str, now: i64) -> Result<Incident, IncidentError> {
    update(root, id, "resolved", message, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_update_resolve_and_refuse_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let a = open(root, "Mail delayed", "major", &["smtp".into(), "queue".into()], "Looking into it", 100).unwrap();
        assert_eq!(a.id, 1);
        update(root, 1, "identified", "A full disk", 200).unwrap();
        let done = resolve(root, 1, "Space freed", 300).unwrap();
        assert_eq!(done.resolved_at, Some(300));
        assert_eq!(done.updates.iter().map(|u| u.state.as_str()).collect::<Vec<_>>(), ["investigating", "identified", "resolved"]);
        assert!(matches!(resolve(root, 1, "again", 400), Err(IncidentError::Resolved(1))));
        assert!(matches!(update(root, 9, "monitoring", "x", 400), Err(IncidentError::NotFound(9))));
        assert!(matches!(open(root, "x", "apocalyptic", &["smtp".into()], "m", 1), Err(IncidentError::Invalid(_))));
        assert!(matches!(open(root, "x", "minor", &["dns".into()], "m", 1), Err(IncidentError::Invalid(_))));
        assert!(matches!(open(root, " ", "minor", &["smtp".into()], "m", 1), Err(IncidentError::Invalid(_))));
        assert!(matches!(open(root, &"x".repeat(201), "minor", &["smtp".into()], "m", 1), Err(IncidentError::Invalid(_))));
        let b = open(root, "Maintenance", "maintenance", &["imap".into()], "Upgrading", 500).unwrap();
        assert_eq!(b.id, 2);
        assert_eq!(load(root).unwrap().iter().map(|i| i.id).collect::<Vec<_>>(), [2, 1], "newest first");
    }
}
