//! The trust center: every NIST CSF 2.0 subcategory with its computed status, the checks
//! behind it and their evidence. Nothing here is typed in by hand: statuses come from
//! `sigillo_trust::status`, which reads the recorded results of the live checks.

use crate::WebState;
use crate::html::{escape, page as frame};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;
use sigillo_trust::status::{ControlStatus, Status};
use sigillo_trust::{attestations, catalog, results, status};
use std::sync::Arc;

fn controls(state: &WebState) -> Result<(Vec<ControlStatus>, std::collections::BTreeMap<String, results::CheckResult>), String> {
    let attested = attestations::load(&state.root).map_err(|e| e.to_string())?;
    let results = results::load(&state.root);
    Ok((status::compute_now(&results, &attested), results))
}

fn unavailable(e: String) -> Response {
    tracing::warn!(error = e, "trust center: cannot compute statuses");
    (StatusCode::SERVICE_UNAVAILABLE, "The trust center cannot read its records right now.").into_response()
}

fn summary(all: &[ControlStatus]) -> serde_json::Value {
    let functions: Vec<_> = catalog::catalog()
        .functions
        .iter()
        .map(|f| {
            let mine: Vec<&ControlStatus> = all.iter().filter(|c| c.function == f.id).collect();
            let implemented = mine.iter().filter(|c| c.status == Status::Implemented).count();
            json!({ "id": f.id, "title": f.title, "controls": mine.len(), "implemented": implemented,
                    "percent_implemented": percent(implemented, mine.len()) })
        })
        .collect();
    let implemented = all.iter().filter(|c| c.status == Status::Implemented).count();
    json!({ "controls": all.len(), "implemented": implemented, "percent_implemented": percent(implemented, all.len()), "functions": functions })
}

/// Whole percent, rounded down: 105.5 of 106 is not 100 %.
fn percent(part: usize, whole: usize) -> usize {
    (part * 100).checked_div(whole).unwrap_or(0)
}

pub async fn json(State(state): State<Arc<WebState>>) -> Response {
    match controls(&state) {
        Ok((all, _)) => {
            let doc = json!({
                "framework": "NIST Cybersecurity Framework 2.0",
                "host": state.hostname,
                "summary": summary(&all),
                "controls": all,
            });
            ([("content-type", "application/json")], serde_json::to_string_pretty(&doc).unwrap_or_default()).into_response()
        }
        Err(e) => unavailable(e),
    }
}

pub async fn oscal(State(state): State<Arc<WebState>>) -> Response {
    match controls(&state) {
        Ok((all, results)) => {
            let doc = sigillo_trust::oscal::assessment_results(&state.hostname, &all, &results, sigillo_core::clock::unix_now());
            ([("content-type", "application/json")], serde_json::to_string_pretty(&doc).unwrap_or_default()).into_response()
        }
        Err(e) => unavailable(e),
    }
}

fn badge(status: Status) -> String {
    format!("<span class=\"status s-{s}\">{s}</span>", s = status.as_str())
}

fn csf11(ids: &[String], own: &str) -> String {
    let old: Vec<String> = ids.iter().filter(|i| i.as_str() != own).map(|i| format!("<bdi>{}</bdi>", escape(i))).collect();
    if old.is_empty() { String::new() } else { format!("<span class=\"muted\">CSF 1.1: {}</span>", old.join(", ")) }
}

pub async fn page(State(state): State<Arc<WebState>>) -> Response {
    let (all, _) = match controls(&state) {
        Ok(c) => c,
        Err(e) => return unavailable(e),
    };
    let s = summary(&all);
    let mut body = String::new();
    body.push_str(&format!(
        "<section aria-labelledby=\"summary\"><h2 id=\"summary\">Summary</h2><p>{} of {} controls implemented ({} %), each backed by live checks. \
         Planned means no check and no attestation exists yet.</p><table><thead><tr><th scope=\"col\">Function</th><th scope=\"col\">Implemented</th>\
         <th scope=\"col\">Controls</th><th scope=\"col\">%</th></tr></thead><tbody>",
        s["implemented"], s["controls"], s["percent_implemented"]
    ));
    for f in s["functions"].as_array().into_iter().flatten() {
        body.push_str(&format!(
            "<tr><td><bdi>{}</bdi> {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(f["id"].as_str().unwrap_or_default()),
            escape(f["title"].as_str().unwrap_or_default()),
            f["implemented"],
            f["controls"],
            f["percent_implemented"]
        ));
    }
    body.push_str("</tbody></table></section>");
    for function in &catalog::catalog().functions {
        body.push_str(&format!(
            "<section aria-labelledby=\"f-{id}\"><h2 id=\"f-{id}\"><bdi>{id}</bdi> {title}</h2>",
            id = escape(&function.id),
            title = escape(&function.title)
        ));
        for category in &function.categories {
            body.push_str(&format!(
                "<h3><bdi>{}</bdi> {}</h3><table><thead><tr><th scope=\"col\">Control</th><th scope=\"col\">Status</th><th scope=\"col\">Statement</th><th scope=\"col\">Checks</th></tr></thead><tbody>",
                escape(&category.id),
                escape(&category.title)
            ));
            for sub in &category.subcategories {
                let Some(c) = all.iter().find(|c| c.id == sub.id) else { continue };
                let checks: Vec<String> = c.checks.iter().map(|k| format!("{} ({})", escape(&k.id), k.verdict.as_str())).collect();
                body.push_str(&format!(
                    "<tr><td><a href=\"/trust/controls/{id}\"><bdi>{id}</bdi></a><br>{old}</td><td>{badge}</td><td>{statement}</td><td>{checks}</td></tr>",
                    id = escape(&sub.id),
                    old = csf11(&c.csf11, &c.id),
                    badge = badge(c.status),
                    statement = escape(&sub.statement),
                    checks = checks.join("<br>"),
                ));
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>");
    }
    Html(frame("Trust center", &state.hostname, &body)).into_response()
}

pub async fn control(State(state): State<Arc<WebState>>, Path(id): Path<String>) -> Response {
    let Some(sub) = catalog::catalog().subcategory(&id) else {
        let body = format!("<p>There is no CSF 2.0 subcategory <bdi>{}</bdi>. <a href=\"/trust\">All controls</a>.</p>", escape(&id));
        return (StatusCode::NOT_FOUND, Html(frame("Unknown control", &state.hostname, &body))).into_response();
    };
    let (all, results) = match controls(&state) {
        Ok(c) => c,
        Err(e) => return unavailable(e),
    };
    let Some(c) = all.iter().find(|c| c.id == sub.id) else { return StatusCode::NOT_FOUND.into_response() };
    let mut body = format!("<p>{} {}</p><p>{}</p>", badge(c.status), csf11(&c.csf11, &c.id), escape(&sub.statement));
    if let Some(reason) = &c.not_applicable {
        body.push_str(&format!("<h2>Not applicable</h2><p>{}</p>", escape(reason)));
    }
    if let Some(a) = &c.attestation {
        let document = a.document.as_ref().map(|d| format!(" <a href=\"{d}\">Document</a>", d = escape(d))).unwrap_or_default();
        body.push_str(&format!(
            "<h2>Attestation</h2><p>{}</p><p class=\"muted\">{} — {} (expires {}).{document}</p>",
            escape(&a.statement),
            escape(&a.owner),
            escape(&a.date),
            escape(&a.expires)
        ));
    }
    body.push_str("<h2>Checks</h2>");
    if c.checks.is_empty() {
        body.push_str("<p>No automated check covers this control yet.</p>");
    }
    for k in &c.checks {
        let evidence =
            results.get(&k.id).map(|r| serde_json::to_string_pretty(&r.outcome.evidence).unwrap_or_default()).unwrap_or_default();
        let ran = k
            .ran_at
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .map(|t| t.to_string())
            .unwrap_or_else(|| "never".to_string());
        body.push_str(&format!(
            "<h3 id=\"{id}\">{id}</h3><p><span class=\"status\">{verdict}</span>{stale} — {detail}</p><p class=\"muted\">Last run: {ran}</p><pre>{evidence}</pre>",
            id = escape(&k.id),
            verdict = k.verdict.as_str(),
            stale = if k.fresh { "" } else { " (stale)" },
            detail = escape(&k.detail),
            ran = escape(&ran),
            evidence = escape(&evidence),
        ));
    }
    Html(frame(&format!("Control {}", sub.id), &state.hostname, &body)).into_response()
}
