//! `/admin/domains`: list, add (with the domain's DKIM keys), remove (refused while the
//! domain has accounts) — the same [`sigillo_smtp::domain_admin`] calls as `/api/v1/domains`
//! and `sigillo domain`, through the API's key-store handles.

use super::{api_state, message, page, reader, text, writer};
use crate::account::{FormPairs, field, guard};
use crate::api::domains::with_keys;
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_auth::AuthError;
use sigillo_smtp::domain_admin;
use std::sync::Arc;

pub async fn list(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let (authed, access) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let domains = match authed.portal.gate.directories.run(|dir| dir.list_domains()).await {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return guard::server_error(&state, &tr, "admin domains", e),
        Err(e) => return guard::server_error(&state, &tr, "admin domains", e),
    };
    let write = access.role.may_write_admin();
    let csrf = authed.csrf_field();
    let mut b = format!(
        "<table id=\"domains\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
        tr.h(text::DOMAIN),
        tr.h(text::ACCOUNTS),
        if write { format!("<th scope=\"col\">{}</th>", tr.h(text::ACTION_COLUMN)) } else { String::new() }
    );
    for (name, count) in &domains {
        let remove = if write {
            format!(
                "<td><form method=\"post\" action=\"/admin/domains/remove\">{csrf}<input type=\"hidden\" name=\"name\" value=\"{n}\">\
                 <button type=\"submit\">{label}</button></form></td>",
                n = escape(name),
                label = tr.h(text::REMOVE)
            )
        } else {
            String::new()
        };
        b.push_str(&format!("<tr><td><bdi>{}</bdi></td><td>{count}</td>{remove}</tr>", escape(name)));
    }
    b.push_str("</tbody></table>");
    if write {
        b.push_str(&format!(
            "<section aria-labelledby=\"add\"><h2 id=\"add\">{title}</h2><form method=\"post\" action=\"/admin/domains\">{csrf}\
             <p><label for=\"name\">{domain}</label><br><input id=\"name\" name=\"name\" required maxlength=\"253\"></p>\
             <p><button type=\"submit\">{add}</button></p></form></section>",
            title = tr.h(text::DOMAIN_ADD_TITLE),
            domain = tr.h(text::DOMAIN),
            add = tr.h(text::DOMAIN_ADD),
        ));
    }
    b.push_str(&format!("<p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::DOMAINS, &b)
}

pub async fn add(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match writer(&state, &tr, &headers, ip, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(api) = api_state(&state) else { return super::unavailable(&state, &tr) };
    let name = field(&form, "name").trim().to_string();
    let now = sigillo_core::clock::unix_now();
    match with_keys(&api, move |dir, keys| domain_admin::add(dir, keys, &name, now)).await {
        Ok(change) => {
            super::record(&authed, "admin.domain_add", &change.name, json!({})).await;
            message(&state, &tr, StatusCode::OK, text::DOMAIN_ADD_TITLE, &tr.t(text::DOMAIN_ADDED))
        }
        Err(e) => message(&state, &tr, e.status, text::DOMAIN_ADD_TITLE, &format!("{} {}", tr.t(text::FAILED), e.message)),
    }
}

pub async fn remove(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match writer(&state, &tr, &headers, ip, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(api) = api_state(&state) else { return super::unavailable(&state, &tr) };
    let Ok(name) = domain_admin::normalize(field(&form, "name")) else {
        return message(&state, &tr, StatusCode::NOT_FOUND, text::DOMAINS, &tr.t(text::FAILED));
    };
    // Said plainly before trying: a domain with accounts is never removed.
    let n = name.clone();
    let accounts = authed
        .portal
        .gate
        .directories
        .run(move |dir| -> Result<Option<u64>, AuthError> {
            Ok(dir.list_domains()?.into_iter().find(|(d, _)| *d == n).map(|(_, c)| c as u64))
        })
        .await;
    match accounts {
        Ok(Ok(Some(count))) if count > 0 => {
            return message(&state, &tr, StatusCode::CONFLICT, text::DOMAINS, &tr.t_count(text::DOMAIN_HAS_ACCOUNTS, count, &[]));
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return guard::server_error(&state, &tr, "admin domain remove", e),
        Err(e) => return guard::server_error(&state, &tr, "admin domain remove", e),
    }
    match with_keys(&api, move |dir, keys| domain_admin::remove(dir, keys, &name)).await {
        Ok(change) => {
            super::record(&authed, "admin.domain_remove", &change.name, json!({})).await;
            message(&state, &tr, StatusCode::OK, text::DOMAINS, &tr.t(text::DOMAIN_REMOVED))
        }
        Err(e) => message(&state, &tr, e.status, text::DOMAINS, &format!("{} {}", tr.t(text::FAILED), e.message)),
    }
}
