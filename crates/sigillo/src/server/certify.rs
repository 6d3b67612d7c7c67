//! Certified mail on the HTTPS listener: the RFC 3161 time-stamp service at `POST /tsa`,
//! the evidence log's signed tree head at `/evidence/sth` and public lookups by evidence id
//! (hashes, times and proofs only — never addresses or content).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sigillo_certify::Certifier;
use sigillo_certify::tsa::{TIMESTAMP_QUERY, TIMESTAMP_REPLY};
use std::collections::HashMap;
use std::sync::Arc;

/// A time-stamp query is a few hundred bytes.
const MAX_QUERY: usize = 16 * 1024;

pub fn routes(certifier: Arc<Certifier>) -> Router {
    Router::new()
        .route("/tsa", post(time_stamp).layer(DefaultBodyLimit::max(MAX_QUERY)))
        .route("/evidence/sth", get(tree_head))
        .route("/evidence/{id}", get(lookup))
        .with_state(certifier)
}

/// RFC 3161 §3.4: time-stamp protocol via HTTP.
async fn time_stamp(State(certifier): State<Arc<Certifier>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.eq_ignore_ascii_case(TIMESTAMP_QUERY) {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("send a DER TimeStampReq as {TIMESTAMP_QUERY}\n")).into_response();
    }
    let reply = certifier.tsa().respond(&body);
    ([(header::CONTENT_TYPE, TIMESTAMP_REPLY)], reply).into_response()
}

fn json(value: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

fn failure(status: StatusCode, why: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], serde_json::json!({ "error": why }).to_string()).into_response()
}

/// The current signed tree head; `?from=N` adds a consistency proof from size N.
async fn tree_head(State(certifier): State<Arc<Certifier>>, Query(query): Query<HashMap<String, String>>) -> Response {
    let sth = match certifier.tree_head() {
        Ok(sth) => sth,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a tree head");
            return failure(StatusCode::INTERNAL_SERVER_ERROR, "cannot sign a tree head");
        }
    };
    let mut body = serde_json::json!({ "tree_head": sth, "checkpoint": sth.checkpoint() });
    if let Some(from) = query.get("from") {
        let Ok(from) = from.parse::<u64>() else {
            return failure(StatusCode::BAD_REQUEST, "from must be a tree size");
        };
        match certifier.consistency_proof(from, sth.tree_size) {
            Ok(proof) => body["consistency_proof"] = serde_json::json!({ "from": from, "to": sth.tree_size, "proof": proof }),
            Err(_) => return failure(StatusCode::BAD_REQUEST, "from is larger than the tree"),
        }
    }
    json(body)
}

/// Public facts about one evidence record: no addresses, no content.
async fn lookup(State(certifier): State<Arc<Certifier>>, Path(id): Path<String>) -> Response {
    let stored = match certifier.load(&id) {
        Ok(s) => s,
        Err(sigillo_certify::CertifyError::NotFound(_)) => return failure(StatusCode::NOT_FOUND, "no such evidence"),
        Err(e) => {
            tracing::error!(error = %e, "cannot read an evidence record");
            return failure(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the evidence record");
        }
    };
    let (sth, proof) = match certifier.tree_head().and_then(|sth| certifier.inclusion_proof(stored.log_index, &sth).map(|p| (sth, p))) {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(error = %e, "cannot prove an evidence record");
            return failure(StatusCode::INTERNAL_SERVER_ERROR, "cannot prove the evidence record");
        }
    };
    let canonical = stored.event.canonical();
    json(serde_json::json!({
        "evidence_id": stored.event.evidence_id,
        "kind": stored.event.kind_name(),
        "time": stored.event.time,
        "message_sha256": stored.event.message_sha256,
        "event_sha256": hex::encode(sigillo_certify::sha256(&canonical)),
        "leaf_hash": hex::encode(sigillo_certify::log::merkle::leaf_hash(&canonical)),
        "token": stored.token,
        "log_index": stored.log_index,
        "inclusion_proof": proof,
        "tree_head": sth,
    }))
}
