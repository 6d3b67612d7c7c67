//! The trust center: every NIST CSF 2.0 subcategory with its computed status, the checks
//! behind it and their evidence. Nothing here is typed in by hand: statuses come from
//! `sigillo_trust::status`, which reads the recorded results of the live checks.

use crate::WebState;
use crate::html::{escape, page_localized as frame};
use crate::i18n::Tr;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
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

fn unavailable(tr: &Tr, e: String) -> Response {
    tracing::warn!(error = e, "trust center: cannot compute statuses");
    (StatusCode::SERVICE_UNAVAILABLE, [("content-language", tr.locale.code())], tr.t("unavailable")).into_response()
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
        Err(e) => unavailable(&Tr::for_request(&HeaderMap::new(), None), e),
    }
}

pub async fn oscal(State(state): State<Arc<WebState>>) -> Response {
    match controls(&state) {
        Ok((all, results)) => {
            let doc = sigillo_trust::oscal::assessment_results(&state.hostname, &all, &results, sigillo_core::clock::unix_now());
            ([("content-type", "application/json")], serde_json::to_string_pretty(&doc).unwrap_or_default()).into_response()
        }
        Err(e) => unavailable(&Tr::for_request(&HeaderMap::new(), None), e),
    }
}

fn badge(tr: &Tr, status: Status) -> String {
    format!("<span class=\"status s-{s}\">{label}</span>", s = status.as_str(), label = tr.h(&format!("status-{}", status.as_str())))
}

fn csf11(tr: &Tr, ids: &[String], own: &str) -> String {
    let old: Vec<String> = ids.iter().filter(|i| i.as_str() != own).map(|i| format!("<bdi>{}</bdi>", escape(i))).collect();
    // Left-to-right as a whole: in Arabic the label and ids would otherwise be reordered.
    if old.is_empty() {
        String::new()
    } else {
        format!("<span class=\"muted\" dir=\"ltr\">{} {}</span>", tr.h("csf11-label"), old.join(", "))
    }
}

fn check_title(tr: &Tr, id: &str) -> String {
    tr.h(&crate::i18n::check_key(id))
}

fn localized(headers: &HeaderMap, query: &Option<String>) -> Tr {
    Tr::for_request(headers, query.as_deref())
}

fn html_response(tr: &Tr, code: StatusCode, html: String) -> Response {
    (code, [("content-language", tr.locale.code()), ("vary", "Accept-Language")], Html(html)).into_response()
}

pub async fn page(State(state): State<Arc<WebState>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let tr = localized(&headers, &query);
    let (all, _) = match controls(&state) {
        Ok(c) => c,
        Err(e) => return unavailable(&tr, e),
    };
    let s = summary(&all);
    let total = s["controls"].as_u64().unwrap_or(0);
    let mut body = String::new();
    body.push_str(&format!(
        "<section aria-labelledby=\"summary\"><h2 id=\"summary\">{heading}</h2><p>{text} {planned}</p><table><thead><tr>\
         <th scope=\"col\">{c_function}</th><th scope=\"col\">{c_implemented}</th><th scope=\"col\">{c_controls}</th><th scope=\"col\">{c_percent}</th></tr></thead><tbody>",
        heading = tr.h("summary-heading"),
        text = tr.h_count(
            "summary-text",
            total,
            &[("implemented", &s["implemented"].to_string()), ("percent", &s["percent_implemented"].to_string())]
        ),
        planned = tr.h("summary-planned"),
        c_function = tr.h("col-function"),
        c_implemented = tr.h("col-implemented"),
        c_controls = tr.h("col-controls"),
        c_percent = tr.h("col-percent"),
    ));
    for f in s["functions"].as_array().into_iter().flatten() {
        let id = f["id"].as_str().unwrap_or_default();
        body.push_str(&format!(
            "<tr><td><a href=\"{href}\"><bdi>{id}</bdi> {title}</a></td><td><bdi>{}</bdi></td><td><bdi>{}</bdi></td><td><bdi>{}</bdi></td></tr>",
            f["implemented"],
            f["controls"],
            f["percent_implemented"],
            href = escape(&tr.link(&format!("/trust#f-{id}"))),
            id = escape(id),
            title = escape(&tr.csf_title(id)),
        ));
    }
    body.push_str("</tbody></table></section>");
    for function in &catalog::catalog().functions {
        body.push_str(&format!(
            "<section aria-labelledby=\"f-{id}\"><h2 id=\"f-{id}\"><bdi>{id}</bdi> {title}</h2>",
            id = escape(&function.id),
            title = escape(&tr.csf_title(&function.id))
        ));
        for category in &function.categories {
            body.push_str(&format!(
                "<h3><bdi>{}</bdi> {}</h3><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
                escape(&category.id),
                escape(&tr.csf_title(&category.id)),
                tr.h("col-control"),
                tr.h("col-status"),
                tr.h("col-statement"),
                tr.h("col-checks"),
            ));
            for sub in &category.subcategories {
                let Some(c) = all.iter().find(|c| c.id == sub.id) else { continue };
                let checks: Vec<String> = c
                    .checks
                    .iter()
                    .map(|k| {
                        format!(
                            "<a href=\"{href}\">{title}</a> <span class=\"muted\">({verdict})</span>",
                            href = escape(&tr.link(&format!("/trust/controls/{}#{}", sub.id, k.id))),
                            title = check_title(&tr, &k.id),
                            verdict = tr.h(&format!("verdict-{}", k.verdict.as_str()))
                        )
                    })
                    .collect();
                body.push_str(&format!(
                    "<tr><td><a href=\"{href}\"><bdi>{id}</bdi></a><br>{old}</td><td>{badge}</td><td>{statement}</td><td>{checks}</td></tr>",
                    href = escape(&tr.link(&format!("/trust/controls/{}", sub.id))),
                    id = escape(&sub.id),
                    old = csf11(&tr, &c.csf11, &c.id),
                    badge = badge(&tr, c.status),
                    statement = escape(&tr.csf_statement(&sub.id)),
                    checks = checks.join("<br>"),
                ));
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>");
    }
    body.push_str(&subprocessors(&tr, &state));
    html_response(&tr, StatusCode::OK, frame(&tr, "/trust", &tr.t("trust-title"), &state.hostname, &body))
}

/// The third parties this server's operator declared in `[trust] subprocessors`.
fn subprocessors(tr: &Tr, state: &WebState) -> String {
    let mut html = format!(
        "<section aria-labelledby=\"subprocessors\"><h2 id=\"subprocessors\">{}</h2><p>{}</p>",
        tr.h("subprocessors-heading"),
        tr.h("subprocessors-intro")
    );
    if state.subprocessors.is_empty() {
        html.push_str(&format!("<p>{}</p>", tr.h("subprocessors-none")));
    } else {
        html.push_str(&format!(
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            tr.h("col-name"),
            tr.h("col-purpose"),
            tr.h("col-location")
        ));
        for s in &state.subprocessors {
            let name = match &s.url {
                Some(url) if url.starts_with("https://") => format!("<a href=\"{}\"><bdi>{}</bdi></a>", escape(url), escape(&s.name)),
                _ => format!("<bdi>{}</bdi>", escape(&s.name)),
            };
            html.push_str(&format!("<tr><td>{name}</td><td>{}</td><td>{}</td></tr>", escape(&s.purpose), escape(&s.location)));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</section>");
    html
}

pub async fn control(
    State(state): State<Arc<WebState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let tr = localized(&headers, &query);
    let path = format!("/trust/controls/{id}");
    let Some(sub) = catalog::catalog().subcategory(&id) else {
        let body = format!(
            "<p>{} <a href=\"{}\">{}</a>.</p>",
            tr.h_args("unknown-control", &[("id", &id)]),
            escape(&tr.link("/trust")),
            tr.h("all-controls")
        );
        return html_response(&tr, StatusCode::NOT_FOUND, frame(&tr, "/trust", &tr.t("unknown-control-title"), &state.hostname, &body));
    };
    let (all, results) = match controls(&state) {
        Ok(c) => c,
        Err(e) => return unavailable(&tr, e),
    };
    let Some(c) = all.iter().find(|c| c.id == sub.id) else { return StatusCode::NOT_FOUND.into_response() };
    let mut body = format!("<p>{} {}</p><p>{}</p>", badge(&tr, c.status), csf11(&tr, &c.csf11, &c.id), escape(&tr.csf_statement(&sub.id)));
    if let Some(reason) = &c.not_applicable {
        body.push_str(&format!("<h2>{}</h2><p>{}</p>", tr.h("na-heading"), escape(reason)));
    }
    if let Some(a) = &c.attestation {
        let document = a.document.as_deref().map(|d| format!(" {}", document_link(&tr, d))).unwrap_or_default();
        body.push_str(&format!(
            "<h2>{}</h2><p>{}</p><p class=\"muted\">{}{document}</p>",
            tr.h("attestation-heading"),
            escape(&a.statement),
            tr.h_args("attestation-by", &[("owner", &a.owner), ("date", &a.date), ("expires", &a.expires)]),
        ));
    }
    body.push_str(&format!("<h2>{}</h2>", tr.h("checks-heading")));
    if c.checks.is_empty() {
        body.push_str(&format!("<p>{}</p>", tr.h("no-checks")));
    }
    for k in &c.checks {
        let evidence =
            results.get(&k.id).map(|r| serde_json::to_string_pretty(&r.outcome.evidence).unwrap_or_default()).unwrap_or_default();
        let ran = k
            .ran_at
            .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_else(|| tr.t("never-ran"));
        let stale = if k.fresh || k.ran_at.is_none() { String::new() } else { format!(" ({})", tr.h("stale")) };
        body.push_str(&format!(
            "<h3 id=\"{id}\">{title}</h3><p class=\"muted\"><bdi>{id}</bdi></p><p><span class=\"status\">{verdict}</span>{stale}</p>\
             <p class=\"muted\">{ran}</p><h4>{evidence_heading}</h4><div lang=\"en\" dir=\"ltr\"><p>{detail}</p><pre>{evidence}</pre></div>",
            id = escape(&k.id),
            title = check_title(&tr, &k.id),
            verdict = tr.h(&format!("verdict-{}", k.verdict.as_str())),
            ran = tr.h_args("last-run", &[("time", &ran)]),
            evidence_heading = tr.h("evidence-heading"),
            detail = escape(&k.detail),
            evidence = escape(&evidence),
        ));
    }
    let title = tr.t_args("control-title", &[("id", &sub.id)]);
    html_response(&tr, StatusCode::OK, frame(&tr, &path, &title, &state.hostname, &body))
}

/// An attestation's document: a link when it is a web address, else its name as text (a
/// `javascript:` or other scheme is never made a link).
pub fn document_link(tr: &Tr, document: &str) -> String {
    let lower = document.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        format!("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", escape(document), tr.h("attestation-document"))
    } else {
        format!("{}: <bdi>{}</bdi>", tr.h("attestation-document"), escape(document))
    }
}
