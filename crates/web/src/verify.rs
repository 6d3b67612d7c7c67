//! `/verify`: anyone uploads an evidence bundle (`evidence.json` from a certified-mail
//! receipt), optionally the original message and the TSA CA they trust, and gets the same
//! verdict as `sigillo verify`, check by check. Nothing is stored: the upload lives in
//! memory for the one request. A plain HTML form (multipart/form-data), no JavaScript.

use crate::WebState;
use crate::html::{escape, page_with_nav};
use crate::i18n::Tr;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use der::DecodePem;
use std::sync::Arc;

/// The whole upload: a bundle (at most 4 MiB), a message and a CA. Larger requests get 413.
pub const MAX_UPLOAD: usize = 16 * 1024 * 1024;
/// At most this many form parts are read.
const MAX_PARTS: usize = 8;

/// `GET /verify` (the form) and `POST /verify` (the verdict).
pub fn route() -> axum::routing::MethodRouter<Arc<WebState>> {
    get(form).post(check).layer(DefaultBodyLimit::max(MAX_UPLOAD))
}

/// The upload form in the reader's language; file names and commands stay code.
fn form_html(tr: &Tr) -> String {
    let code = |key: &str, args: &[(&str, &str)]| {
        let mut html = tr.h_args(key, args);
        for (_, value) in args {
            html = html.replace(&format!("<bdi>{}</bdi>", escape(value)), &format!("<code dir=\"ltr\">{}</code>", escape(value)));
        }
        html
    };
    format!(
        "<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">\
         <p><label for=\"bundle\">{bundle}</label><br><input type=\"file\" id=\"bundle\" name=\"bundle\" required></p>\
         <p><label for=\"message\">{message}</label><br><input type=\"file\" id=\"message\" name=\"message\"></p>\
         <p><label for=\"tsa_ca\">{tsa_ca}</label><br><input type=\"file\" id=\"tsa_ca\" name=\"tsa_ca\"></p>\
         <p><button type=\"submit\">{submit}</button></p></form><p class=\"muted\">{stored}</p>",
        action = escape(&tr.link("/verify")),
        bundle = code("verify-bundle", &[("file", "evidence.json")]),
        message = code("verify-message", &[("ext", ".eml")]),
        tsa_ca = tr.h("verify-tsa-ca"),
        submit = tr.h("verify-submit"),
        stored = code(
            "verify-nothing-stored",
            &[
                ("command", "sigillo verify evidence.json --message MESSAGE.eml --tsa-ca CA.pem"),
                ("token", ".tsr"),
                ("openssl", "openssl ts -verify"),
            ]
        ),
    )
}

/// The public pages' navigation plus this page.
const NAV: &[(&str, &str)] = &[("/trust", "nav-controls"), ("/status", "nav-status"), ("/verify", "verify-nav")];

fn respond(state: &WebState, tr: &Tr, status: StatusCode, body: &str) -> Response {
    let page = page_with_nav(tr, "/verify", &tr.t("verify-title"), &state.hostname, NAV, body);
    (status, [("content-language", tr.locale.code()), ("vary", "Accept-Language")], Html(page)).into_response()
}

async fn form(State(state): State<Arc<WebState>>, tr: Tr) -> Response {
    respond(&state, &tr, StatusCode::OK, &form_html(&tr))
}

async fn check(State(state): State<Arc<WebState>>, tr: Tr, headers: HeaderMap, body: Bytes) -> Response {
    let refuse = |status: StatusCode, why: &str| {
        let body = format!("<p class=\"s-failing\" role=\"alert\">{}</p>{}", escape(why), form_html(&tr));
        respond(&state, &tr, status, &body)
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(boundary) = boundary(content_type) else {
        return refuse(StatusCode::UNSUPPORTED_MEDIA_TYPE, &tr.t("verify-need-multipart"));
    };
    let Some(parts) = parse_multipart(&body, &boundary) else {
        return refuse(StatusCode::BAD_REQUEST, &tr.t("verify-malformed"));
    };
    let field = |name: &str| parts.iter().find(|(n, data)| n == name && !data.is_empty()).map(|(_, data)| data.as_slice());
    let Some(bundle_bytes) = field("bundle") else {
        return refuse(StatusCode::BAD_REQUEST, &tr.t("verify-choose-bundle"));
    };
    let bundle = match sigillo_certify::bundle::parse(bundle_bytes) {
        Ok(b) => b,
        Err(why) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, &tr.t_args("verify-bundle-unreadable", &[("reason", &why.to_string())]));
        }
    };
    let ca = match field("tsa_ca").map(x509_cert::Certificate::from_pem) {
        None => None,
        Some(Ok(ca)) => Some(ca),
        Some(Err(e)) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, &tr.t_args("verify-bad-ca", &[("error", &e.to_string())])),
    };
    let report = sigillo_certify::bundle::verify(&bundle, field("message"), ca.as_ref());
    let mut html = String::new();
    if report.all_hold() {
        html.push_str(&format!(
            "<p class=\"s-implemented\" role=\"status\"><strong>{}</strong>: {}</p>",
            tr.h("verify-verified"),
            tr.h("verify-verified-detail")
        ));
    } else {
        html.push_str(&format!(
            "<p class=\"s-failing\" role=\"alert\"><strong>{}</strong>: {}</p>",
            tr.h("verify-not-verified"),
            tr.h_args("verify-failed-parts", &[("parts", &report.failed().join(", "))])
        ));
    }
    // The parts and details come from the checker in English (as `sigillo verify` prints them).
    html.push_str(&format!(
        "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr.h("verify-col-result"),
        tr.h("verify-col-part"),
        tr.h("verify-col-detail")
    ));
    for check in &report.checks {
        let (class, mark) = if check.ok { ("s-implemented", tr.h("verify-holds")) } else { ("s-failing", tr.h("verify-fails")) };
        html.push_str(&format!(
            "<tr><td class=\"{class}\">{mark}</td><td>{}</td><td lang=\"en\" dir=\"ltr\"><bdi>{}</bdi></td></tr>",
            escape(&check.part),
            escape(&check.detail)
        ));
    }
    html.push_str(&format!("</tbody></table><h2>{}</h2>", tr.h("verify-another")));
    html.push_str(&form_html(&tr));
    respond(&state, &tr, StatusCode::OK, &html)
}

/// The boundary parameter of `multipart/form-data; boundary=…` (RFC 7578 §4.1).
fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && !v.is_empty() && v.len() <= 70).then(|| v.to_string())
    })
}

/// The `(name, content)` of each part (RFC 7578); `None` if the body is malformed.
fn parse_multipart(body: &[u8], boundary: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let delimiter = format!("--{boundary}").into_bytes();
    let first = find(body, &delimiter)?;
    let mut rest = &body[first + delimiter.len()..];
    let separator = [b"\r\n".as_slice(), &delimiter].concat();
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let end = find(rest, &separator)?;
        let part = &rest[..end];
        rest = &rest[end + separator.len()..];
        let head_end = find(part, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&part[..head_end]).ok()?;
        let name = head.split("\r\n").find_map(|line| {
            let (field, value) = line.split_once(':')?;
            if !field.trim().eq_ignore_ascii_case("content-disposition") {
                return None;
            }
            value.split(';').find_map(|p| p.trim().strip_prefix("name=").map(|n| n.trim_matches('"').to_string()))
        })?;
        parts.push((name, part[head_end + 4..].to_vec()));
        if parts.len() > MAX_PARTS {
            return None;
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_bodies_are_split_by_name() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"e.json\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nline\r\n--XyZ\r\n\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        assert!(parse_multipart(body, &b).is_none(), "a part without a name is malformed");
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"e.json\"\r\n\r\n{\"a\":1}\r\n--XyZ\r\ncontent-disposition: form-data; name=message\r\n\r\nline\r\n--XyZ--\r\n";
        let parts = parse_multipart(body, &b).unwrap();
        assert_eq!(parts, vec![("bundle".into(), b"{\"a\":1}".to_vec()), ("message".into(), b"line".to_vec())]);
        assert!(boundary("text/plain; boundary=x").is_none() && boundary("multipart/form-data").is_none());
        assert!(parse_multipart(b"--XyZ\r\nno end", &b).is_none());
    }
}
