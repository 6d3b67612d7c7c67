//! `/api/v1/queue`: the outbound queue — list, show, retry, delete — through the same
//! [`sigillo_smtp::queue_admin`] calls as `sigillo queue`. A message is described by its
//! envelope, size and Message-ID; its content never leaves the (sealed) queue.

use super::auth::Caller;
use super::body::Segment;
use super::{ApiError, ApiState, blocking, json, rfc3339};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use sigillo_smtp::queue::{QueuedEnvelope, RecipientStatus};
use sigillo_smtp::queue_admin::{self, NoticeContext};
use std::sync::Arc;

fn status(s: RecipientStatus) -> &'static str {
    match s {
        RecipientStatus::Pending => "pending",
        RecipientStatus::Delivered => "delivered",
        RecipientStatus::Failed => "failed",
    }
}

fn view(env: &QueuedEnvelope, message: &[u8]) -> Value {
    let recipients: Vec<Value> = env
        .recipients
        .iter()
        .map(|r| {
            json!({
                "address": r.address,
                "status": status(r.status),
                "attempts": r.attempts,
                "last_reply": r.last_reply,
            })
        })
        .collect();
    json!({
        "id": env.id,
        "mail_from": env.mail_from,
        "received_at": rfc3339(env.received_at),
        "next_attempt": rfc3339(env.next_attempt.max(0)),
        "size": message.len(),
        "message_id": queue_admin::message_id(message),
        "recipients": recipients,
    })
}

/// Opens message `id`; a malformed id, like a missing one, names no message (404).
pub(crate) fn open(state: &ApiState, id: &str) -> Result<(QueuedEnvelope, Vec<u8>), ApiError> {
    let missing = || ApiError::not_found(format!("no message {id} in the queue"));
    let path = state.queue.path_of(id).map_err(|_| missing())?;
    if !path.exists() {
        return Err(missing());
    }
    state.queue.read(&path).map_err(|e| ApiError::internal("queue read", e))
}

pub async fn list(State(state): State<Arc<ApiState>>) -> Result<Response, ApiError> {
    let st = Arc::clone(&state);
    let messages = blocking(move || -> Result<Vec<Value>, ApiError> {
        if !st.queue.dir().exists() {
            return Ok(Vec::new());
        }
        let paths = st.queue.list().map_err(|e| ApiError::internal("queue list", e))?;
        let mut out = Vec::new();
        for path in paths {
            // A message delivered between list and read is simply gone.
            match st.queue.read(&path) {
                Ok((env, message)) => out.push(view(&env, &message)),
                Err(e) => tracing::debug!(path = %path.display(), error = %e, "api: queue file skipped"),
            }
        }
        Ok(out)
    })
    .await?;
    Ok(json(StatusCode::OK, &json!({ "messages": messages })))
}

pub async fn show(State(state): State<Arc<ApiState>>, Segment(id): Segment) -> Result<Response, ApiError> {
    let st = Arc::clone(&state);
    let found = blocking(move || open(&st, &id).map(|(env, message)| view(&env, &message))).await?;
    Ok(json(StatusCode::OK, &found))
}

pub async fn retry(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(id): Segment,
) -> Result<Response, ApiError> {
    let st = Arc::clone(&state);
    let pending = state
        .gate
        .directories
        .run(move |dir| -> Result<usize, ApiError> {
            open(&st, &id)?;
            let env = queue_admin::retry_now(&st.queue, &id).map_err(|_| ApiError::not_found(format!("no message {id} in the queue")))?;
            dir.record(&caller.event("api.queue_retry", &id, json!({})))?;
            Ok(env.recipients.iter().filter(|r| !r.is_final()).count())
        })
        .await??;
    Ok(json(StatusCode::OK, &json!({ "retried": true, "pending_recipients": pending })))
}

pub async fn remove(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(id): Segment,
) -> Result<Response, ApiError> {
    let st = Arc::clone(&state);
    let notice = state
        .gate
        .directories
        .run(move |dir| -> Result<&'static str, ApiError> {
            open(&st, &id)?;
            let (env, dsn) = queue_admin::remove_by_admin(&st.queue, &id, &st.hostname)
                .map_err(|_| ApiError::not_found(format!("no message {id} in the queue")))?;
            dir.record(&caller.event("api.queue_delete", &id, json!({ "from": env.mail_from })))?;
            let Some(dsn) = dsn else { return Ok("none") };
            let ctx = NoticeContext {
                data: &st.data,
                directory: dir,
                queue: &st.queue,
                hostname: &st.hostname,
                max_message_size: st.max_message_size,
            };
            match queue_admin::send_removal_notice(&ctx, &env.mail_from, dsn) {
                Ok(route) => Ok(route.describe()),
                // The message is gone either way; say that the notice was not sent.
                Err(e) => {
                    tracing::warn!(error = %e, "api: failure notice not sent");
                    Ok("failed")
                }
            }
        })
        .await??;
    Ok(json(StatusCode::OK, &json!({ "deleted": true, "notice": notice })))
}
