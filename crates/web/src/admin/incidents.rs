//! `/admin/incidents`: the status page's incidents — list, open, update, resolve — through
//! [`sigillo_trust::health::incidents`], as `/api/v1/incidents` and `sigillo incident` do.
//! Severities, states and components are labelled with the status page's own messages.

use super::{api_state, message, page, reader, text, writer};
use crate::account::{FormPairs, field, fields, guard};
use crate::api::{hold, rfc3339};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_trust::health::COMPONENTS;
use sigillo_trust::health::incidents::{self, Incident, IncidentError, SEVERITIES, STATES};
use std::sync::Arc;

fn options(tr: &Tr, prefix: &str, values: &[&str]) -> String {
    values.iter().map(|v| format!("<option value=\"{v}\">{}</option>", tr.h(&format!("{prefix}{v}")))).collect()
}

pub async fn list(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let (authed, access) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let root = state.root.clone();
    let all = match tokio::task::spawn_blocking(move || incidents::load(&root)).await {
        Ok(Ok(all)) => all,
        Ok(Err(e)) => return guard::server_error(&state, &tr, "admin incidents", e),
        Err(e) => return guard::server_error(&state, &tr, "admin incidents", e),
    };
    let write = access.role.may_write_admin();
    let csrf = authed.csrf_field();
    let mut b = format!(
        "<table id=\"incidents\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
        tr.h(text::INCIDENT_TITLE_FIELD),
        tr.h(text::INCIDENT_SEVERITY),
        tr.h(text::INCIDENT_STATE),
        tr.h(text::TIME),
        if write { format!("<th scope=\"col\">{}</th>", tr.h(text::ACTION_COLUMN)) } else { String::new() }
    );
    let states = options(&tr, "incident-state-", &STATES[..STATES.len() - 1]);
    for i in all.iter().rev() {
        let actions = if write && i.resolved_at.is_none() {
            format!(
                "<td><form method=\"post\" action=\"/admin/incidents/update\">{csrf}<input type=\"hidden\" name=\"id\" value=\"{id}\">\
                 <label for=\"u-state-{id}\">{state}</label> <select id=\"u-state-{id}\" name=\"state\">{states}</select> \
                 <label for=\"u-msg-{id}\">{msg}</label> <input id=\"u-msg-{id}\" name=\"message\" required maxlength=\"4000\"> \
                 <button type=\"submit\">{update}</button></form>\
                 <form method=\"post\" action=\"/admin/incidents/resolve\">{csrf}<input type=\"hidden\" name=\"id\" value=\"{id}\">\
                 <label for=\"r-msg-{id}\">{msg}</label> <input id=\"r-msg-{id}\" name=\"message\" required maxlength=\"4000\"> \
                 <button type=\"submit\">{resolve}</button></form></td>",
                id = i.id,
                state = tr.h(text::INCIDENT_STATE),
                msg = tr.h(text::INCIDENT_MESSAGE),
                update = tr.h(text::INCIDENT_UPDATE),
                resolve = tr.h(text::INCIDENT_RESOLVE),
            )
        } else if write {
            "<td></td>".to_string()
        } else {
            String::new()
        };
        b.push_str(&format!(
            "<tr><td>{}</td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td>{actions}</tr>",
            i.id,
            escape(&i.title),
            tr.h(&format!("severity-{}", i.severity)),
            tr.h(&format!("incident-state-{}", i.state())),
            escape(&rfc3339(i.opened_at)),
        ));
    }
    b.push_str("</tbody></table>");
    if write {
        let components: String = COMPONENTS
            .iter()
            .map(|c| {
                format!("<label><input type=\"checkbox\" name=\"components\" value=\"{c}\"> {}</label> ", tr.h(&format!("component-{c}")))
            })
            .collect();
        b.push_str(&format!(
            "<section aria-labelledby=\"open\"><h2 id=\"open\">{heading}</h2><form method=\"post\" action=\"/admin/incidents\">{csrf}\
             <p><label for=\"i-title\">{title}</label><br><input id=\"i-title\" name=\"title\" required maxlength=\"200\"></p>\
             <p><label for=\"i-severity\">{severity}</label><br><select id=\"i-severity\" name=\"severity\">{severities}</select></p>\
             <fieldset><legend>{legend}</legend>{components}</fieldset>\
             <p><label for=\"i-message\">{msg}</label><br><input id=\"i-message\" name=\"message\" required maxlength=\"4000\"></p>\
             <p><button type=\"submit\">{open}</button></p></form></section>",
            heading = tr.h(text::INCIDENT_OPEN_TITLE),
            title = tr.h(text::INCIDENT_TITLE_FIELD),
            severity = tr.h(text::INCIDENT_SEVERITY),
            severities = options(&tr, "severity-", &SEVERITIES),
            legend = tr.h(text::INCIDENT_COMPONENTS),
            msg = tr.h(text::INCIDENT_MESSAGE),
            open = tr.h(text::INCIDENT_OPEN),
        ));
    }
    b.push_str(&format!("<p><a href=\"/status\">/status</a></p><p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::INCIDENTS, &b)
}

/// Runs one change of the incidents file (one at a time) and records it in the audit log.
async fn change<F>(state: &WebState, tr: &Tr, headers: &HeaderMap, ip: ClientIp, form: &FormPairs, action: &'static str, f: F) -> Response
where
    F: FnOnce(&std::path::Path, i64) -> Result<Incident, IncidentError> + Send + 'static,
{
    let authed = match writer(state, tr, headers, ip, form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(api) = api_state(state) else { return super::unavailable(state, tr) };
    let done = tokio::task::spawn_blocking(move || {
        let _one = hold(&api.incidents_lock);
        f(api.data.root(), sigillo_core::clock::unix_now())
    })
    .await;
    match done {
        Ok(Ok(i)) => {
            super::record(&authed, action, &i.id.to_string(), json!({ "state": i.state(), "title": i.title })).await;
            message(state, tr, StatusCode::OK, text::INCIDENTS, &tr.t(text::INCIDENT_SAVED))
        }
        Ok(Err(e)) => {
            let status = match e {
                IncidentError::Invalid(_) => StatusCode::BAD_REQUEST,
                IncidentError::NotFound(_) => StatusCode::NOT_FOUND,
                IncidentError::Resolved(_) => StatusCode::CONFLICT,
                IncidentError::Store(_) => return guard::server_error(state, tr, "admin incidents", e),
            };
            message(state, tr, status, text::INCIDENTS, &format!("{} {e}", tr.t(text::FAILED)))
        }
        Err(e) => guard::server_error(state, tr, "admin incidents", e),
    }
}

fn id_of(form: &FormPairs) -> u32 {
    // No incident has id 0: an unparsable id is simply not found.
    field(form, "id").trim().parse().unwrap_or(0)
}

pub async fn open(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let (title, severity, message) =
        (field(&form, "title").to_string(), field(&form, "severity").to_string(), field(&form, "message").to_string());
    let components: Vec<String> = fields(&form, "components").take(COMPONENTS.len()).map(str::to_string).collect();
    change(&state, &tr, &headers, ip, &form, "admin.incident_open", move |root, now| {
        incidents::open(root, &title, &severity, &components, &message, now)
    })
    .await
}

pub async fn update(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let (id, st, message) = (id_of(&form), field(&form, "state").to_string(), field(&form, "message").to_string());
    change(&state, &tr, &headers, ip, &form, "admin.incident_update", move |root, now| {
        // Closing takes the resolve form, as the API's resolve call.
        if st == "resolved" {
            return Err(IncidentError::Invalid("use the resolve form to close an incident".into()));
        }
        incidents::update(root, id, &st, &message, now)
    })
    .await
}

pub async fn resolve(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let (id, message) = (id_of(&form), field(&form, "message").to_string());
    change(&state, &tr, &headers, ip, &form, "admin.incident_resolve", move |root, now| incidents::resolve(root, id, &message, now)).await
}
