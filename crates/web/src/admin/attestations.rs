//! `/admin/attestations`: what no program can check (training, HR, physical security) is
//! attested by a person, and some controls do not apply. Both live in
//! `DATA/trust/attestations.toml` ([`sigillo_trust::attestations`]); this page lists them
//! (admin and auditor) and lets an admin add and remove entries. The trust center reads the
//! file on every view, so a change shows there at once — as an attestation, never a check.

use super::{message, page, reader, text, writer};
use crate::account::{FormPairs, field, guard};
use crate::html::escape;
use crate::i18n::Tr;
use crate::trust::document_link;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_trust::attestations::{self, Attestations, EditError, MAX_DOCUMENT, MAX_OWNER, MAX_REASON, MAX_STATEMENT};
use std::sync::Arc;

pub async fn list(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let (authed, access) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let root = state.root.clone();
    let all: Attestations = match tokio::task::spawn_blocking(move || attestations::load(&root)).await {
        Ok(Ok(all)) => all,
        // A hand-edited file that does not parse: say which line, as the CLI would.
        Ok(Err(e)) => return message(&state, &tr, StatusCode::INTERNAL_SERVER_ERROR, text::ATTESTATIONS, &e.to_string()),
        Err(e) => return guard::server_error(&state, &tr, "admin attestations", e),
    };
    let write = access.role.may_write_admin();
    let csrf = authed.csrf_field();
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let action_column = |write: bool| if write { format!("<th scope=\"col\">{}</th>", tr.h(text::ACTION_COLUMN)) } else { String::new() };

    let mut b = format!("<p>{}</p>", tr.h(text::ATTEST_NOTE));
    if all.attestation.is_empty() {
        b.push_str(&format!("<p role=\"status\">{}</p>", tr.h(text::ATTEST_NONE)));
    } else {
        b.push_str(&format!(
            "<table id=\"attestations\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
             <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
            tr.h(text::ATTEST_CONTROLS),
            tr.h(text::ATTEST_STATEMENT),
            tr.h(text::ATTEST_OWNER),
            tr.h(text::ATTEST_DATE),
            tr.h(text::ATTEST_EXPIRES),
            tr.h(text::ATTEST_STATE),
            tr.h(text::ATTEST_DOCUMENT),
            action_column(write),
        ));
        for a in &all.attestation {
            let controls: Vec<String> = a.controls.iter().map(|c| control_link(&tr, c)).collect();
            let state_text = if a.expired(&today) { text::ATTEST_EXPIRED } else { text::ATTEST_CURRENT };
            let remove = if write {
                format!(
                    "<td><form method=\"post\" action=\"/admin/attestations/remove\">{csrf}\
                     <input type=\"hidden\" name=\"fingerprint\" value=\"{}\"><button type=\"submit\">{}</button></form></td>",
                    a.fingerprint(),
                    tr.h(text::REMOVE)
                )
            } else {
                String::new()
            };
            b.push_str(&format!(
                "<tr><td>{}</td><td><bdi>{}</bdi></td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{remove}</tr>",
                controls.join(" "),
                escape(&a.statement),
                escape(&a.owner),
                escape(&a.date),
                escape(&a.expires),
                tr.h(state_text),
                a.document.as_deref().map(|d| document_link(&tr, d)).unwrap_or_default(),
            ));
        }
        b.push_str("</tbody></table>");
    }

    b.push_str(&format!("<section aria-labelledby=\"na\"><h2 id=\"na\">{}</h2>", tr.h(text::NA_TITLE)));
    if all.not_applicable.is_empty() {
        b.push_str(&format!("<p role=\"status\">{}</p>", tr.h(text::NA_NONE)));
    } else {
        b.push_str(&format!(
            "<table id=\"not-applicable\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
            tr.h(text::NA_CONTROL),
            tr.h(text::NA_REASON),
            action_column(write),
        ));
        for n in &all.not_applicable {
            let remove = if write {
                format!(
                    "<td><form method=\"post\" action=\"/admin/attestations/na/remove\">{csrf}\
                     <input type=\"hidden\" name=\"control\" value=\"{}\"><button type=\"submit\">{}</button></form></td>",
                    escape(&n.control),
                    tr.h(text::REMOVE)
                )
            } else {
                String::new()
            };
            b.push_str(&format!("<tr><td>{}</td><td><bdi>{}</bdi></td>{remove}</tr>", control_link(&tr, &n.control), escape(&n.reason)));
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</section>");

    if write {
        b.push_str(&format!(
            "<section aria-labelledby=\"add\"><h2 id=\"add\">{heading}</h2><form method=\"post\" action=\"/admin/attestations\">{csrf}\
             <p><label for=\"a-controls\">{controls}</label><br><input id=\"a-controls\" name=\"controls\" required maxlength=\"600\" dir=\"ltr\"></p>\
             <p><label for=\"a-statement\">{statement}</label><br><textarea id=\"a-statement\" name=\"statement\" required maxlength=\"{MAX_STATEMENT}\" rows=\"3\" cols=\"60\"></textarea></p>\
             <p><label for=\"a-owner\">{owner}</label><br><input id=\"a-owner\" name=\"owner\" required maxlength=\"{MAX_OWNER}\"></p>\
             <p><label for=\"a-date\">{date}</label><br><input id=\"a-date\" name=\"date\" type=\"date\" required value=\"{today}\"></p>\
             <p><label for=\"a-expires\">{expires}</label><br><input id=\"a-expires\" name=\"expires\" type=\"date\" required></p>\
             <p><label for=\"a-document\">{document}</label><br><input id=\"a-document\" name=\"document\" maxlength=\"{MAX_DOCUMENT}\" dir=\"ltr\"></p>\
             <p><button type=\"submit\">{add}</button></p></form></section>\
             <section aria-labelledby=\"na-add\"><h2 id=\"na-add\">{na_heading}</h2><form method=\"post\" action=\"/admin/attestations/na\">{csrf}\
             <p><label for=\"n-control\">{na_control}</label><br><input id=\"n-control\" name=\"control\" required maxlength=\"20\" dir=\"ltr\"></p>\
             <p><label for=\"n-reason\">{na_reason}</label><br><textarea id=\"n-reason\" name=\"reason\" required maxlength=\"{MAX_REASON}\" rows=\"2\" cols=\"60\"></textarea></p>\
             <p><button type=\"submit\">{na_add}</button></p></form></section>",
            heading = tr.h(text::ATTEST_ADD_TITLE),
            controls = tr.h(text::ATTEST_CONTROLS_FIELD),
            statement = tr.h(text::ATTEST_STATEMENT),
            owner = tr.h(text::ATTEST_OWNER),
            date = tr.h(text::ATTEST_DATE),
            expires = tr.h(text::ATTEST_EXPIRES),
            document = tr.h(text::ATTEST_DOCUMENT_FIELD),
            add = tr.h(text::ATTEST_ADD),
            na_heading = tr.h(text::NA_ADD_TITLE),
            na_control = tr.h(text::NA_CONTROL_FIELD),
            na_reason = tr.h(text::NA_REASON),
            na_add = tr.h(text::NA_ADD),
        ));
    }
    b.push_str(&format!("<p><a href=\"/trust\">/trust</a></p><p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::ATTESTATIONS, &b)
}

/// The control's page on the trust center, in the reader's language.
fn control_link(tr: &Tr, id: &str) -> String {
    format!("<a href=\"{}\" dir=\"ltr\">{}</a>", escape(&tr.link(&format!("/trust/controls/{id}"))), escape(id))
}

/// Runs one change of the file as an admin and records it in the audit log.
async fn change<F>(state: &WebState, tr: &Tr, headers: &HeaderMap, ip: ClientIp, form: &FormPairs, action: &'static str, f: F) -> Response
where
    F: FnOnce(&std::path::Path) -> Result<(String, serde_json::Value), EditError> + Send + 'static,
{
    let authed = match writer(state, tr, headers, ip, form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let root = state.root.clone();
    match tokio::task::spawn_blocking(move || f(&root)).await {
        Ok(Ok((target, details))) => {
            super::record(&authed, action, &target, details).await;
            message(state, tr, StatusCode::OK, text::ATTESTATIONS, &tr.t(text::ATTEST_SAVED))
        }
        Ok(Err(e)) => {
            let status = match e {
                EditError::Invalid(_) => StatusCode::BAD_REQUEST,
                EditError::NotFound(_) => StatusCode::NOT_FOUND,
                EditError::Conflict(_) => StatusCode::CONFLICT,
                // The file on disk does not parse (edited by hand): never overwritten.
                EditError::File(_) => StatusCode::CONFLICT,
            };
            message(state, tr, status, text::ATTESTATIONS, &format!("{} {e}", tr.t(text::FAILED)))
        }
        Err(e) => guard::server_error(state, tr, "admin attestations", e),
    }
}

pub async fn add(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let fields = ["controls", "statement", "owner", "date", "expires", "document"].map(|k| field(&form, k).to_string());
    change(&state, &tr, &headers, ip, &form, "admin.attestation_add", move |root| {
        let [controls, statement, owner, date, expires, document] = &fields;
        let a = attestations::new_attestation(controls, statement, owner, date, expires, document)?;
        let details = json!({ "statement": a.statement, "owner": a.owner, "date": a.date, "expires": a.expires });
        let target = a.controls.join(" ");
        attestations::add(root, a)?;
        Ok((target, details))
    })
    .await
}

pub async fn remove(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let fingerprint = field(&form, "fingerprint").trim().to_string();
    change(&state, &tr, &headers, ip, &form, "admin.attestation_remove", move |root| {
        let a = attestations::remove(root, &fingerprint)?;
        Ok((a.controls.join(" "), json!({ "statement": a.statement, "owner": a.owner, "date": a.date })))
    })
    .await
}

pub async fn add_not_applicable(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let (control, reason) = (field(&form, "control").to_string(), field(&form, "reason").to_string());
    change(&state, &tr, &headers, ip, &form, "admin.not_applicable_add", move |root| {
        let entry = attestations::new_not_applicable(&control, &reason)?;
        let (target, details) = (entry.control.clone(), json!({ "reason": entry.reason }));
        attestations::add_not_applicable(root, entry)?;
        Ok((target, details))
    })
    .await
}

pub async fn remove_not_applicable(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let control = field(&form, "control").trim().to_ascii_uppercase();
    change(&state, &tr, &headers, ip, &form, "admin.not_applicable_remove", move |root| {
        let n = attestations::remove_not_applicable(root, &control)?;
        Ok((n.control, json!({ "reason": n.reason })))
    })
    .await
}
