//! The read-only views of `/admin` for auditors and admins: the trust checks' latest
//! results (the source of `/api/v1/trust/checks`) and the effective, non-secret settings.

use super::{page, reader, text};
use crate::api::rfc3339;
use crate::html::escape;
use crate::i18n::Tr;
use crate::{ClientIp, WebState};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sigillo_core::config::Config;
use sigillo_trust::results;
use std::sync::Arc;

/// The settings an auditor may read, as (`table.key`, value). Only names, addresses,
/// numbers and switches: no key, password, recipient identity or file content is listed,
/// and file settings show only whether they are set.
pub fn settings_summary(c: &Config) -> Vec<(String, String)> {
    let set = |v: bool| if v { "set" } else { "not set" }.to_string();
    let mut out: Vec<(String, String)> =
        vec![("server.hostname".into(), c.server.hostname.clone()), ("server.primary_domain".into(), c.server.primary_domain.clone())];
    for (name, addr) in c.listen.configured() {
        out.push((format!("listen.{name}"), addr.to_string()));
    }
    let l = &c.limits;
    out.extend([
        ("limits.max_message_size".into(), l.max_message_size.to_string()),
        ("limits.max_connections".into(), l.max_connections.to_string()),
        ("limits.max_connections_per_ip".into(), l.max_connections_per_ip.to_string()),
        ("limits.max_connections_per_account".into(), l.max_connections_per_account.to_string()),
        ("limits.idle_timeout_secs".into(), l.idle_timeout_secs.to_string()),
        ("limits.default_quota".into(), l.default_quota.to_string()),
        ("security.max_auth_failures".into(), c.security.max_auth_failures.to_string()),
        ("security.lockout_secs".into(), c.security.lockout_secs.to_string()),
        ("security.unlock_grace_secs".into(), c.security.unlock_grace_secs.to_string()),
        ("security.argon2_memory_kib".into(), c.security.argon2_memory_kib.to_string()),
    ]);
    let d = &c.delivery;
    out.extend([
        ("delivery.enabled".into(), d.enabled.to_string()),
        ("delivery.remote_port".into(), d.remote_port.to_string()),
        ("delivery.max_lifetime_secs".into(), d.max_lifetime_secs.to_string()),
        ("delivery.delay_dsn_after_secs".into(), d.delay_dsn_after_secs.to_string()),
        ("delivery.max_concurrent".into(), d.max_concurrent.to_string()),
        ("delivery.per_domain_concurrency".into(), d.per_domain_concurrency.to_string()),
        ("delivery.retry_initial_secs".into(), d.retry_initial_secs.to_string()),
        ("delivery.retry_max_secs".into(), d.retry_max_secs.to_string()),
        ("delivery.timeout_secs".into(), d.timeout_secs.to_string()),
        ("delivery.dane".into(), d.dane.to_string()),
        ("delivery.extra_ca_file".into(), set(d.extra_ca_file.is_some())),
        ("publish.mta_sts_mode".into(), format!("{:?}", c.publish.mta_sts_mode).to_lowercase()),
        ("publish.mta_sts_max_age_secs".into(), c.publish.mta_sts_max_age_secs.to_string()),
        ("publish.dkim_grace_secs".into(), c.publish.dkim_grace_secs.to_string()),
        ("publish.dmarc_policy".into(), format!("{:?}", c.publish.dmarc_policy).to_lowercase()),
    ]);
    match &c.certify {
        Some(cert) => out.extend([
            ("certify.tsa".into(), cert.tsa_url.clone().unwrap_or_else(|| "built-in".into())),
            ("certify.tsa_timeout_secs".into(), cert.tsa_timeout_secs.to_string()),
        ]),
        None => out.push(("certify.tsa".into(), "built-in".into())),
    }
    out.extend([
        ("backup.recipients".into(), c.backup.recipients.len().to_string()),
        ("backup.interval_secs".into(), c.backup.interval_secs.to_string()),
        ("backup.drill_interval_secs".into(), c.backup.drill_interval_secs.to_string()),
    ]);
    out
}

pub async fn trust_checks(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    if let Err(r) = reader(&state, &tr, &headers, ip).await {
        return r;
    }
    let root = state.root.clone();
    let recorded = tokio::task::spawn_blocking(move || results::load(&root)).await.unwrap_or_default();
    let now = sigillo_core::clock::unix_now();
    let mut b = format!(
        "<table id=\"checks\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr.h(text::CHECK),
        tr.h(text::VERDICT),
        tr.h(text::FRESH),
        tr.h(text::TIME),
        tr.h(text::DETAILS)
    );
    for r in recorded.values() {
        b.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.check),
            escape(r.outcome.verdict.as_str()),
            tr.h(if r.fresh(now) { text::YES } else { text::NO }),
            escape(&rfc3339(r.ran_at)),
            escape(&r.outcome.detail)
        ));
    }
    b.push_str("</tbody></table>");
    if recorded.is_empty() {
        b.push_str(&format!("<p role=\"status\">{}</p>", tr.h(text::NO_CHECKS)));
    }
    b.push_str(&format!("<p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::TRUST_TITLE, &b)
}

pub async fn settings(State(state): State<Arc<WebState>>, tr: Tr, ip: ClientIp, headers: HeaderMap) -> Response {
    if let Err(r) = reader(&state, &tr, &headers, ip).await {
        return r;
    }
    let mut b = format!("<p>{}</p>", tr.h(text::SETTINGS_NOTE));
    if state.settings.is_empty() {
        b.push_str(&format!("<p role=\"status\">{}</p>", tr.h(text::SETTINGS_NONE)));
    }
    b.push_str(&format!(
        "<table id=\"settings\"><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        tr.h(text::SETTING),
        tr.h(text::VALUE)
    ));
    for (k, v) in &state.settings {
        b.push_str(&format!("<tr><td><code>{}</code></td><td><bdi>{}</bdi></td></tr>", escape(k), escape(v)));
    }
    b.push_str(&format!("</tbody></table><p><a href=\"/admin\">{}</a></p>", tr.h(text::BACK)));
    page(&state, &tr, StatusCode::OK, text::SETTINGS_TITLE, &b)
}
