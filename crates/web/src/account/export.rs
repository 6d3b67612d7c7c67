//! `/account/export`: the owner downloads every message of every folder as one mboxrd file,
//! the same bytes `sigillo export --format mbox` writes (both walk the mailbox with
//! [`ExportCursor`] and write with [`mbox::write_message`]).
//!
//! - The download is a POST with the CSRF token: a cross-site page cannot make a signed-in
//!   browser fetch the mailbox, and the request is written to the audit log.
//! - It uses the keys the sign-in unlocked (held by the web session, as for IMAP); nothing
//!   is asked again and no key leaves memory.
//! - It is streamed: a task reads the mailbox in batches ([`BATCH_MESSAGES`] messages or
//!   [`MAX_BATCH_BYTES`]), decrypted only in memory, and hands each batch's mbox bytes to the
//!   response body through a channel of [`CHANNEL_BATCHES`] slots, so a slow client holds
//!   back reading instead of filling memory, and a client that goes away stops the task.
//!   Nothing decrypted is ever written to disk.
//!
//! [`BATCH_MESSAGES`]: sigillo_store::migrate::export::BATCH_MESSAGES
//! [`MAX_BATCH_BYTES`]: sigillo_store::migrate::export::MAX_BATCH_BYTES

use super::guard::{self, Authed, html, server_error};
use super::pages::{authed_form, password_again};
use super::{FormPairs, field, text};
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::body::Body;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sigillo_auth::Session;
use sigillo_auth::web_sessions::Stage;
use sigillo_store::migrate::export::ExportCursor;
use sigillo_store::migrate::mbox;
use sigillo_store::{DataDir, MailStore};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Batches of mbox bytes buffered between the mailbox reader and the client.
const CHANNEL_BATCHES: usize = 2;

/// RFC 4155 §2: the media type of an mbox database.
const MBOX_TYPE: &str = "application/mbox";

pub async fn page(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    let authed = match guard::session(&state, &tr, &headers, ip, Stage::Complete) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let body = format!(
        "<p>{note}</p><form method=\"post\" action=\"/account/export\">{csrf}\
         <p><label for=\"current\">{current}</label><br><input id=\"current\" name=\"current\" type=\"password\" autocomplete=\"current-password\" required></p>\
         <p><button type=\"submit\">{submit}</button></p></form>\
         <p><a href=\"/account\">{back}</a></p>",
        note = tr.h(text::EXPORT_NOTE),
        csrf = authed.csrf_field(),
        current = tr.h(text::CURRENT_PASSWORD),
        submit = tr.h(text::EXPORT_SUBMIT),
        back = tr.h(text::BACK),
    );
    html(&state, &tr, StatusCode::OK, text::EXPORT_TITLE, &body)
}

pub async fn download(
    State(state): State<Arc<WebState>>,
    tr: Tr,
    ip: ClientIp,
    headers: HeaderMap,
    Form(form): Form<FormPairs>,
) -> Response {
    let authed = match authed_form(&state, &tr, &headers, ip, &form) {
        Ok(a) => a,
        Err(r) => return r,
    };
    // The whole mailbox leaves the server: the password again, not only the session.
    if let Err(refused) = password_again(&state, &tr, &authed, field(&form, "current"), "mailbox export", text::EXPORT_TITLE).await {
        return refused;
    }
    let address = authed.address();
    // Open the mailbox before answering, so a broken mailbox is an error page, not a
    // truncated download.
    // Needs the unlocked keys: a session restored after a restart asks for the password first.
    let login = match super::unlock::login_or_ask(&state, &tr, &authed) {
        Ok(login) => login,
        Err(r) => return r,
    };
    let data = authed.portal.data.clone();
    let opened = tokio::task::spawn_blocking(move || open(&login, &data)).await;
    let (store, cursor) = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => return server_error(&state, &tr, "mailbox export", e),
        Err(e) => return server_error(&state, &tr, "mailbox export", e),
    };
    authed.portal.gate.audit(&authed.ip, &address, "account.export", json!({ "format": "mbox", "via": "web" })).await;

    let (tx, rx) = mpsc::channel(CHANNEL_BATCHES);
    tokio::spawn(produce(authed, store, cursor, tx));
    let disposition = format!("attachment; filename=\"{}\"", file_name(&address));
    let mut response = (StatusCode::OK, Body::from_stream(Batches(rx))).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MBOX_TYPE));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Opens the account's mailbox (merging mail that waited in the sealed spool) and starts a
/// walk over all its folders. Blocking.
fn open(login: &Session, data: &DataDir) -> Result<(MailStore, ExportCursor), sigillo_auth::AuthError> {
    let (store, _) = login.open_mailstore(data)?;
    let cursor = ExportCursor::all(&store)?;
    Ok((store, cursor))
}

/// Reads batches on the blocking pool and sends their mbox bytes until the mailbox is done
/// or the client is gone; then audits how much was sent. Holding `authed` keeps the web
/// session's unlocked keys alive for the whole download.
async fn produce(authed: Authed, store: MailStore, mut cursor: ExportCursor, tx: mpsc::Sender<std::io::Result<Vec<u8>>>) {
    let (mut messages, mut bytes) = (0u64, 0u64);
    let mut store = Some(store);
    let outcome = loop {
        let Some(s) = store.take() else { break "failed" };
        let read = tokio::task::spawn_blocking(move || {
            let batch = cursor.next_batch(&s).and_then(|batch| {
                let mut out = Vec::new();
                for message in &batch {
                    mbox::write_message(&mut out, message)?;
                }
                Ok((batch.len(), out))
            });
            (s, cursor, batch)
        })
        .await;
        let (s, c, batch) = match read {
            Ok(read) => read,
            Err(e) => {
                tracing::warn!(error = %e, "mailbox export task failed");
                let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                break "failed";
            }
        };
        (store, cursor) = (Some(s), c);
        match batch {
            Ok((0, _)) => break "complete",
            Ok((n, out)) => {
                messages += n as u64;
                bytes += out.len() as u64;
                if tx.send(Ok(out)).await.is_err() {
                    break "cancelled";
                }
            }
            Err(e) => {
                // An error frame makes the server abort the response: the client sees a
                // broken download, never a silently short one.
                tracing::warn!(error = %e, "mailbox export failed midway");
                let _ = tx.send(Err(std::io::Error::other("export failed"))).await;
                break "failed";
            }
        }
    };
    drop(store);
    let details = json!({ "format": "mbox", "outcome": outcome, "messages": messages, "bytes": bytes });
    authed.portal.gate.audit(&authed.ip, &authed.address(), "account.export_end", details).await;
}

/// `sigillo-alice_example.org.mbox`: only characters safe in a quoted header parameter and
/// in a file name on every system.
fn file_name(address: &str) -> String {
    let safe: String = address.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).take(100).collect();
    format!("sigillo-{safe}.mbox")
}

/// The receiving end of the channel as the body's stream.
struct Batches(mpsc::Receiver<std::io::Result<Vec<u8>>>);

impl futures_core::Stream for Batches {
    type Item = std::io::Result<Vec<u8>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_header_safe() {
        assert_eq!(file_name("alice@example.org"), "sigillo-alice_example.org.mbox");
        assert_eq!(file_name("a\"b\\c;d@x"), "sigillo-a_b_c_d_x.mbox");
    }
}
