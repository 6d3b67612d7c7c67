//! `/admin/queue`: the outbound queue — list, retry, delete (with the sender's failure
//! notice) — through the same [`sigillo_smtp::queue_admin`] calls as `/api/v1/queue` and
//! `sigillo queue`. A message is shown by its envelope only: never its subject or body.

use super::{api_state, message, page, reader, text, writer};
use crate::account::{FormPairs, field, guard};
use crate::api::{ApiState, rfc3339};
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use sigillo_smtp::queue::QueuedEnvelope;
use sigillo_smtp::queue_admin::{self, NoticeContext};
use std::sync::Arc;

/// Envelopes only: the sealed message is read by the queue API but dropped here at once.
fn envelopes(api: &ApiState) -> Vec<QueuedEnvelope> {
    if !api.queue.dir().exists() {
        return Vec::new();
    }
    let Ok(paths) = api.queue.list() else { return Vec::new() };
    paths.iter().filter_map(|p| api.queue.read(p).ok().map(|(env, _)| env)).collect()
}

pub async fn list(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let (authed, access) = match reader(&state, &tr, &headers, ip).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(api) = api_state(&state) else { return super::unavailable(&state, &tr) };
    let listed = match tokio::task::spawn_blocking(move || envelopes(&api)).await {
        Ok(l) => l,
        Err(e) => return guard::server_error(&state, &tr, "admin queue", e),
    };
    let write = access.role.may_write_admin();
    let csrf = authed.csrf_field();
    let mut b = format!(
        "<table id=\"queue\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>{}</tr></thead><tbody>",
        tr.h(text::QUEUE_ID),
        tr.h(text::QUEUE_SENDER),
        tr.h(text::QUEUE_RECIPIENTS),
        tr.h(text::QUEUE_NEXT),
        tr.h(text::QUEUE_ATTEMPTS),
        if write { format!("<th scope=\"col\">{}</th>", tr.h(text::ACTION_COLUMN)) } else { String::new() }
    );
    for env in &listed {
        let recipients: Vec<String> =
            env.recipients.iter().filter(|r| !r.is_final()).map(|r| format!("<bdi>{}</bdi>", escape(&r.address))).collect();
        let attempts = env.recipients.iter().map(|r| r.attempts).max().unwrap_or(0);
        let actions = if write {
            let id = escape(&env.id);
            format!(
                "<td><form method=\"post\" action=\"/admin/queue/retry\">{csrf}<input type=\"hidden\" name=\"id\" value=\"{id}\"><button type=\"submit\">{retry}</button></form>\
                 <form method=\"post\" action=\"/admin/queue/delete\">{csrf}<input type=\"hidden\" name=\"id\" value=\"{id}\"><button type=\"submit\">{delete}</button></form></td>",
                retry = tr.h(text::QUEUE_RETRY),
                delete = tr.h(text::QUEUE_DELETE)
            )
        } else {
            String::new()
        };
        b.push_str(&format!(
            "<tr><td><code>{}</code></td><td><bdi>{}</bdi></td><td>{}</td><td>{}</td><td>{attempts}</td>{actions}</tr>",
            escape(&env.id),
            escape(&env.mail_from),
            recipients.join("<br>"),
            escape(&rfc3339(env.next_attempt.max(0))),
        ));
    }
    b.push_str("</tbody></table>");
    if listed.is_empty() {
        b.push_str(&format!("<p role=\"status\">{}</p>", tr.h(text::QUEUE_EMPTY)));
    }
    b.push_str(&format!("<p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::QUEUE, &b)
}

pub async fn retry(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match writer(&state, &tr, &headers, ip, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(api) = api_state(&state) else { return super::unavailable(&state, &tr) };
    let id = field(&form, "id").trim().to_string();
    let i = id.clone();
    let done = tokio::task::spawn_blocking(move || {
        crate::api::queue::open(&api, &i)
            .and_then(|_| queue_admin::retry_now(&api.queue, &i).map_err(|_| crate::api::ApiError::not_found("gone")))
    })
    .await;
    match done {
        Ok(Ok(_)) => {
            super::record(&authed, "admin.queue_retry", &id, json!({})).await;
            message(&state, &tr, StatusCode::OK, text::QUEUE, &tr.t(text::QUEUE_RETRIED))
        }
        Ok(Err(e)) => message(&state, &tr, e.status, text::QUEUE, &tr.t(text::QUEUE_MISSING)),
        Err(e) => guard::server_error(&state, &tr, "admin queue retry", e),
    }
}

pub async fn delete(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap, Form(form): Form<FormPairs>) -> Response {
    let authed = match writer(&state, &tr, &headers, ip, &form).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(api) = api_state(&state) else { return super::unavailable(&state, &tr) };
    let id = field(&form, "id").trim().to_string();
    let i = id.clone();
    let removed = authed
        .portal
        .gate
        .directories
        .run(move |dir| -> Result<(String, bool), crate::api::ApiError> {
            crate::api::queue::open(&api, &i)?;
            let (env, dsn) =
                queue_admin::remove_by_admin(&api.queue, &i, &api.hostname).map_err(|_| crate::api::ApiError::not_found("gone"))?;
            let Some(dsn) = dsn else { return Ok((env.mail_from, false)) };
            let ctx = NoticeContext {
                data: &api.data,
                directory: dir,
                queue: &api.queue,
                hostname: &api.hostname,
                max_message_size: api.max_message_size,
            };
            // The message is gone either way; the page says whether the notice went.
            let sent = queue_admin::send_removal_notice(&ctx, &env.mail_from, dsn)
                .inspect_err(|e| tracing::warn!(error = %e, "admin: failure notice not sent"))
                .is_ok();
            Ok((env.mail_from, sent))
        })
        .await;
    match removed {
        Ok(Ok((from, sent))) => {
            super::record(&authed, "admin.queue_delete", &id, json!({ "from": from, "notice": sent })).await;
            let note = tr.t(if sent { text::QUEUE_DELETED_NOTICE } else { text::QUEUE_DELETED });
            message(&state, &tr, StatusCode::OK, text::QUEUE, &note)
        }
        Ok(Err(e)) => message(&state, &tr, e.status, text::QUEUE, &tr.t(text::QUEUE_MISSING)),
        Err(e) => guard::server_error(&state, &tr, "admin queue delete", e),
    }
}
