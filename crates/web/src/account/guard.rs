//! The checks in front of every account and admin page: session cookie, session stage,
//! same-origin POST, CSRF token; and the response helpers they share.

use super::text;
use super::{FormPairs, Portal, field};
use crate::html::{escape, page_with_nav};
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sigillo_auth::web_sessions::{SessionView, Stage};
use std::sync::Arc;
use std::time::Instant;
use subtle::ConstantTimeEq;

/// `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain, so no other
/// host or plain-HTTP page can set or shadow it (RFC 6265bis §4.1.3.2).
pub const SESSION_COOKIE: &str = "__Host-sigillo_session";
const MAX_COOKIE_VALUE: usize = 128;

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().cloned().unwrap_or_else(|| ClientIp("unknown".into())))
    }
}

/// The session cookie's value, if the request carries one of sane length.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty() && v.len() <= MAX_COOKIE_VALUE)
}

pub fn set_cookie(value: &str) -> HeaderValue {
    // No Max-Age: a browser-session cookie; the server enforces idle and absolute timeouts.
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={value}; Path=/; Secure; HttpOnly; SameSite=Strict"))
        .unwrap_or_else(|_| clear_cookie())
}

pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-sigillo_session=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A POST must come from a page of this origin: the Origin header (sent by browsers on
/// every POST), or the Referer when a privacy setting strips Origin. Neither: refused.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    let expected = format!("https://{host}");
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().is_ok_and(|o| o == expected);
    }
    headers.get(header::REFERER).and_then(|r| r.to_str().ok()).is_some_and(|r| r == expected || r.starts_with(&format!("{expected}/")))
}

/// A signed-in request.
pub struct Authed {
    pub portal: Arc<Portal>,
    pub cookie: String,
    pub session: SessionView,
    pub ip: String,
}

impl Authed {
    pub fn address(&self) -> String {
        self.session.address()
    }

    /// The hidden field every state-changing form carries.
    pub fn csrf_field(&self) -> String {
        format!("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", escape(&self.session.csrf))
    }
}

pub fn portal(state: &WebState) -> Result<Arc<Portal>, Response> {
    state.portal.clone().ok_or_else(|| StatusCode::NOT_FOUND.into_response())
}

/// The request's session in `stage`, or a redirect to the sign-in page (in the same
/// language when the reader chose one with `?lang=`).
pub fn session(state: &WebState, tr: &Tr, headers: &HeaderMap, ip: ClientIp, stage: Stage) -> Result<Authed, Response> {
    let portal = portal(state)?;
    let to_login = || redirect(&tr.link("/login"));
    let cookie = session_cookie(headers).ok_or_else(to_login)?;
    let session = portal.sessions.get(&cookie, Instant::now()).ok_or_else(to_login)?;
    if session.stage != stage {
        return Err(match session.stage {
            Stage::NeedsSecondFactor => redirect(&tr.link("/login/second-factor")),
            Stage::Complete => redirect(&tr.link("/account")),
        });
    }
    Ok(Authed { portal, cookie, session, ip: ip.0 })
}

/// Same origin and the session's CSRF token, compared in constant time; else 403.
pub fn check_form(state: &WebState, tr: &Tr, headers: &HeaderMap, authed: &Authed, form: &FormPairs) -> Result<(), Response> {
    let token = field(form, "csrf");
    let expected = authed.session.csrf.as_bytes();
    let token_ok = token.len() == expected.len() && bool::from(token.as_bytes().ct_eq(expected));
    if !same_origin(headers) || !token_ok {
        tracing::info!(client = authed.ip, "refused a form: wrong origin or CSRF token");
        return Err(status_page(state, tr, StatusCode::FORBIDDEN, text::FORBIDDEN_TITLE, &tr.t(text::CSRF_REFUSED)));
    }
    Ok(())
}

/// 303 to `to` (a path of this site, possibly with `?lang=`).
pub fn redirect(to: &str) -> Response {
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/account"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response()
}

/// The navigation of the account and admin pages: (link, message id of its label).
pub const ACCOUNT_NAV: &[(&str, &str)] = &[("/account", text::NAV), ("/trust", "nav-controls"), ("/status", "nav-status")];

/// An HTML page in the reader's language that must not be cached (it may show secrets
/// once); its language switcher links to `/account`. `title` is a message id. `same-origin`:
/// its forms' POSTs carry a real Origin header (see headers.rs); other sites still get nothing.
pub fn html(state: &WebState, tr: &Tr, status: StatusCode, title: &str, body: &str) -> Response {
    html_at(state, tr, "/account", status, title, body)
}

/// [`html`] with the language switcher linking to `path` (a page that answers GET).
pub fn html_at(state: &WebState, tr: &Tr, path: &str, status: StatusCode, title: &str, body: &str) -> Response {
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_LANGUAGE, tr.locale.code()),
        (header::VARY, "Accept-Language"),
    ];
    let body = carry_lang(tr, body);
    (status, headers, Html(page_with_nav(tr, path, &tr.t(title), &state.hostname, ACCOUNT_NAV, &body))).into_response()
}

/// When the reader chose the language with `?lang=`, every link and form of this site in
/// `body` (`href="/…"`, `action="/…"`) keeps it, so the next page (or a form's result)
/// answers in the same language without a cookie or script.
fn carry_lang(tr: &Tr, body: &str) -> String {
    if !tr.explicit {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    while let Some(at) = ["href=\"/", "action=\"/"].iter().filter_map(|m| rest.find(m).map(|i| i + m.len() - 1)).min() {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('"').unwrap_or(rest.len());
        let (url, after) = rest.split_at(end);
        let (path, fragment) = url.split_once('#').map_or((url, ""), |(p, f)| (p, f));
        let join = if path.contains('?') { "&amp;" } else { "?" };
        out.push_str(&format!("{path}{join}lang={}", tr.locale.code()));
        if !fragment.is_empty() {
            out.push('#');
            out.push_str(fragment);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A page with one message (plain text, already translated) and a link back to /account.
pub fn status_page(state: &WebState, tr: &Tr, status: StatusCode, title: &str, message: &str) -> Response {
    let body =
        format!("<p role=\"alert\">{}</p><p><a href=\"{}\">{}</a></p>", escape(message), escape(&tr.link("/account")), tr.h(text::BACK));
    html(state, tr, status, title, &body)
}

/// A server-side failure: logged, and a generic page for the user.
pub fn server_error(state: &WebState, tr: &Tr, what: &str, error: impl std::fmt::Display) -> Response {
    tracing::warn!(error = %error, "{what}");
    status_page(state, tr, StatusCode::SERVICE_UNAVAILABLE, text::UNAVAILABLE_TITLE, &tr.t(text::UNAVAILABLE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn origin_must_match_the_host() {
        assert!(same_origin(&headers(&[("host", "mail.example.org"), ("origin", "https://mail.example.org")])));
        assert!(!same_origin(&headers(&[("host", "mail.example.org"), ("origin", "http://mail.example.org")])), "plain http");
        assert!(!same_origin(&headers(&[("host", "mail.example.org"), ("origin", "https://evil.example")])));
        assert!(!same_origin(&headers(&[("host", "mail.example.org"), ("origin", "null")])));
        assert!(same_origin(&headers(&[("host", "mail.example.org"), ("referer", "https://mail.example.org/account")])));
        assert!(!same_origin(&headers(&[("host", "mail.example.org"), ("referer", "https://mail.example.org.evil.example/")])));
        assert!(!same_origin(&headers(&[("host", "mail.example.org")])), "neither header: refused");
        assert!(!same_origin(&headers(&[("origin", "https://mail.example.org")])), "no host: refused");
    }

    #[test]
    fn links_and_forms_keep_a_chosen_language() {
        let body = "<a href=\"/account\">x</a><form action=\"/account/password\"><a href=\"https://e.example/\">e</a><a href=\"/admin/audit?actor=a#t\">";
        let it = crate::i18n::Locale::It.tr();
        assert_eq!(carry_lang(&it, body), body, "not chosen: unchanged");
        assert_eq!(
            carry_lang(&it.with_explicit(true), body),
            "<a href=\"/account?lang=it\">x</a><form action=\"/account/password?lang=it\"><a href=\"https://e.example/\">e</a><a href=\"/admin/audit?actor=a&amp;lang=it#t\">"
        );
    }

    #[test]
    fn cookie_parsing() {
        let h = headers(&[("cookie", "a=1; __Host-sigillo_session=abc123; b=2")]);
        assert_eq!(session_cookie(&h).as_deref(), Some("abc123"));
        assert_eq!(session_cookie(&headers(&[("cookie", "sigillo_session=abc")])), None, "only the __Host- name counts");
        assert_eq!(session_cookie(&headers(&[("cookie", &format!("{SESSION_COOKIE}={}", "a".repeat(500)))])), None, "too long");
        assert_eq!(session_cookie(&headers(&[("cookie", &format!("{SESSION_COOKIE}="))])), None);
        let set = set_cookie("abc");
        let set = set.to_str().unwrap();
        for attr in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(set.contains(attr), "{set}");
        }
        assert!(!set.contains("Domain"), "__Host- cookies carry no Domain");
    }
}
