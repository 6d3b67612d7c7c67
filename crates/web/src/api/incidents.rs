//! `/api/v1/incidents`: the status page's incidents — list, open, update, resolve — through
//! [`sigillo_trust::health::incidents`], as `sigillo incident` does.

use super::auth::Caller;
use super::body::{JsonBody, Segment};
use super::{ApiError, ApiState, blocking, hold, json, rfc3339};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use sigillo_trust::health::incidents::{self, Incident, IncidentError};
use std::sync::Arc;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    title: String,
    severity: String,
    components: Vec<String>,
    message: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUpdate {
    state: String,
    message: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    message: String,
}

fn view(i: &Incident) -> Value {
    json!({
        "id": i.id,
        "title": i.title,
        "severity": i.severity,
        "components": i.components,
        "state": i.state(),
        "opened_at": rfc3339(i.opened_at),
        "resolved_at": i.resolved_at.map(rfc3339),
        "updates": i.updates.iter().map(|u| json!({ "at": rfc3339(u.at), "state": u.state, "message": u.message })).collect::<Vec<_>>(),
    })
}

fn incident_error(e: IncidentError) -> ApiError {
    match e {
        IncidentError::Invalid(m) => ApiError::bad_request(m),
        IncidentError::NotFound(id) => ApiError::not_found(format!("there is no incident {id}")),
        IncidentError::Resolved(id) => ApiError::conflict(format!("incident {id} is already resolved")),
        IncidentError::Store(e) => ApiError::internal("incidents file", e),
    }
}

fn incident_id(text: &str) -> Result<u32, ApiError> {
    text.parse().map_err(|_| ApiError::not_found(format!("there is no incident {text}")))
}

/// Runs one change of the incidents file and records it in the audit log.
async fn change<F>(state: &Arc<ApiState>, caller: Caller, action: &'static str, status: StatusCode, f: F) -> Result<Response, ApiError>
where
    F: FnOnce(&std::path::Path, i64) -> Result<Incident, IncidentError> + Send + 'static,
{
    let st = Arc::clone(state);
    let incident = blocking(move || {
        let _one = hold(&st.incidents_lock);
        f(st.data.root(), sigillo_core::clock::unix_now()).map_err(incident_error)
    })
    .await?;
    let (target, details) = (incident.id.to_string(), json!({ "state": incident.state(), "title": incident.title }));
    state.gate.directories.run(move |dir| dir.record(&caller.event(action, &target, details))).await??;
    Ok(json(status, &view(&incident)))
}

pub async fn list(State(state): State<Arc<ApiState>>) -> Result<Response, ApiError> {
    let st = Arc::clone(&state);
    let all = blocking(move || incidents::load(st.data.root()).map_err(|e| ApiError::internal("incidents file", e))).await?;
    Ok(json(StatusCode::OK, &json!({ "incidents": all.iter().map(view).collect::<Vec<_>>() })))
}

pub async fn open(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(b): JsonBody<NewIncident>,
) -> Result<Response, ApiError> {
    change(&state, caller, "api.incident_open", StatusCode::CREATED, move |root, now| {
        incidents::open(root, &b.title, &b.severity, &b.components, &b.message, now)
    })
    .await
}

pub async fn update(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(id): Segment,
    JsonBody(b): JsonBody<NewUpdate>,
) -> Result<Response, ApiError> {
    let id = incident_id(&id)?;
    if b.state == "resolved" {
        return Err(ApiError::bad_request(format!("use POST /api/v1/incidents/{id}/resolve to close an incident")));
    }
    change(&state, caller, "api.incident_update", StatusCode::OK, move |root, now| incidents::update(root, id, &b.state, &b.message, now))
        .await
}

pub async fn resolve(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(id): Segment,
    JsonBody(b): JsonBody<Resolution>,
) -> Result<Response, ApiError> {
    let id = incident_id(&id)?;
    change(&state, caller, "api.incident_resolve", StatusCode::OK, move |root, now| incidents::resolve(root, id, &b.message, now)).await
}
