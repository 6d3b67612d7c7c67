//! `/status`: each component's live health (the newest probe round), 90-day uptime bars
//! drawn by the server (no script; every day also has a text alternative), incidents with
//! their timeline; `/status/feed.atom`: the incidents and each update as an Atom feed
//! (RFC 4287). Data: `sigillo_trust::health`.

use crate::WebState;
use crate::html::{escape, page_localized as frame};
use crate::i18n::Tr;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use sigillo_trust::health::incidents::{self, Incident};
use sigillo_trust::health::probes::{self, History, Tally};
use sigillo_trust::health::{COMPONENTS, UPTIME_DAYS};
use std::sync::Arc;

/// Incidents shown on the page and in the feed (newest first).
const MAX_SHOWN: usize = 50;

fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// `12.34` from basis points (hundredths of a percent), rounded down.
fn percent(bp: u32) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// The last [`UPTIME_DAYS`] dates, oldest first, ending with `now`'s.
fn last_days(now: i64) -> Vec<String> {
    let today = time::OffsetDateTime::from_unix_timestamp(now).map(|t| t.date()).unwrap_or(time::Date::MIN);
    (0..UPTIME_DAYS as i64).rev().map(|back| (today - time::Duration::days(back)).to_string()).collect()
}

/// A bar's class: how good the day was.
fn bucket(t: Option<&Tally>) -> &'static str {
    match t.and_then(Tally::basis_points) {
        None => "u-none",
        Some(10_000) => "u-full",
        Some(bp) if bp >= 9_900 => "u-high",
        Some(bp) if bp >= 9_000 => "u-mid",
        Some(_) => "u-low",
    }
}

fn uptime_cell(tr: &Tr, component: &str, history: &History, days: &[String]) -> String {
    let mut total = Tally::default();
    let mut days_with_probes = 0;
    let mut bars = String::new();
    for date in days {
        let t = history.days.get(date).and_then(|d| d.get(component));
        if let Some(t) = t {
            total.up += t.up;
            total.total += t.total;
            days_with_probes += usize::from(t.total > 0);
        }
        let text = match t.and_then(|t| t.basis_points().map(|bp| (t, bp))) {
            Some((t, bp)) => tr.t_args(
                "uptime-day",
                &[("date", date), ("percent", &percent(bp)), ("up", &t.up.to_string()), ("total", &t.total.to_string())],
            ),
            None => tr.t_args("uptime-day-none", &[("date", date)]),
        };
        // The title shows on hover; the hidden text is what a screen reader reads.
        bars.push_str(&format!(
            "<li class=\"{}\" title=\"{text}\"><span class=\"visually-hidden\">{text}</span></li>",
            bucket(t),
            text = escape(&text)
        ));
    }
    let summary = match total.basis_points() {
        Some(bp) => tr.h_args("uptime-summary", &[("percent", &percent(bp)), ("days", &days_with_probes.to_string())]),
        None => tr.h("uptime-no-data"),
    };
    let label = tr.t_args("bars-label", &[("component", &tr.t(&format!("component-{component}")))]);
    format!("<p>{summary}</p><ol class=\"bars\" aria-label=\"{}\">{bars}</ol>", escape(&label))
}

fn incident_html(tr: &Tr, incident: &Incident) -> String {
    let components: Vec<String> = incident.components.iter().map(|c| tr.h(&format!("component-{c}"))).collect();
    let mut when = tr.h_args("incident-opened", &[("time", &rfc3339(incident.opened_at))]);
    if let Some(at) = incident.resolved_at {
        when.push_str(" · ");
        when.push_str(&tr.h_args("incident-resolved-at", &[("time", &rfc3339(at))]));
    }
    let mut html = format!(
        "<article class=\"incident\" id=\"incident-{id}\" aria-labelledby=\"incident-{id}-title\"><h3 id=\"incident-{id}-title\">{title}</h3>\
         <p><span class=\"status sev-{severity}\">{severity_label}</span> · <span class=\"status\">{state}</span></p>\
         <p class=\"muted\">{when}</p><p>{affects} {components}</p><h4>{timeline}</h4><ol class=\"timeline\">",
        id = incident.id,
        title = escape(&incident.title),
        severity = escape(&incident.severity),
        severity_label = tr.h(&format!("severity-{}", incident.severity)),
        state = tr.h(&format!("incident-state-{}", incident.state())),
        affects = tr.h("incident-affects"),
        components = components.join(", "),
        timeline = tr.h("incident-timeline"),
    );
    for (n, u) in incident.updates.iter().enumerate().rev() {
        html.push_str(&format!(
            "<li id=\"incident-{id}-{n}\"><p><strong>{state}</strong> · <time datetime=\"{t}\"><bdi>{t}</bdi></time></p><p>{message}</p></li>",
            id = incident.id,
            state = tr.h(&format!("incident-state-{}", u.state)),
            t = rfc3339(u.at),
            message = escape(&u.message),
        ));
    }
    html.push_str("</ol></article>");
    html
}

fn localized(headers: &HeaderMap, query: &Option<String>) -> Tr {
    Tr::for_request(headers, query.as_deref())
}

pub async fn page(State(state): State<Arc<WebState>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let tr = localized(&headers, &query);
    let now = sigillo_core::clock::unix_now();
    let history = probes::history(&state.root, now);
    let incidents = match incidents::load(&state.root) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "status page: cannot read incidents");
            Vec::new()
        }
    };
    let days = last_days(now);
    let latest = history.latest.as_ref();
    let active: Vec<&Incident> = incidents.iter().filter(|i| i.resolved_at.is_none()).collect();
    let overall = match latest {
        _ if !active.is_empty() => "status-overall-incident",
        None => "status-overall-unknown",
        Some(r) if r.components.values().all(|p| p.up) => "status-overall-ok",
        Some(_) => "status-overall-degraded",
    };
    let mut body = format!("<section aria-labelledby=\"components\"><p class=\"overall\"><strong>{}</strong>", tr.h(overall));
    if let Some(r) = latest {
        body.push_str(&format!(" <span class=\"muted\">{}</span>", tr.h_args("status-checked-at", &[("time", &rfc3339(r.at))])));
    }
    body.push_str(&format!(
        "</p><p><a href=\"{feed}\">{feed_label}</a></p><h2 id=\"components\">{heading}</h2><table><thead><tr><th scope=\"col\">{c1}</th>\
         <th scope=\"col\">{c2}</th><th scope=\"col\">{c3}</th></tr></thead><tbody>",
        feed = escape(&tr.link("/status/feed.atom")),
        feed_label = tr.h("feed-link"),
        heading = tr.h("components-heading"),
        c1 = tr.h("col-component"),
        c2 = tr.h("col-health"),
        c3 = tr.h("col-uptime"),
    ));
    for component in COMPONENTS {
        let (class, key) = match latest.map(|r| r.components.get(component)) {
            None => ("h-unknown", "health-unknown"),
            Some(None) => ("h-off", "health-not-configured"),
            Some(Some(p)) if p.up => ("h-up", "health-up"),
            Some(Some(_)) => ("h-down", "health-down"),
        };
        // An open incident on this component is shown beside its probed health.
        let incident: String = active
            .iter()
            .filter(|i| i.components.iter().any(|c| c == component))
            .map(|i| {
                format!(
                    "<br><a href=\"{}\">{}</a>",
                    escape(&tr.link(&format!("/status#incident-{}", i.id))),
                    tr.h_args("incident-open-on", &[("title", &i.title)])
                )
            })
            .collect();
        body.push_str(&format!(
            "<tr id=\"c-{component}\"><th scope=\"row\">{name}</th><td><span class=\"status {class}\">{health}</span>{incident}</td><td>{uptime}</td></tr>",
            name = tr.h(&format!("component-{component}")),
            health = tr.h(key),
            uptime = uptime_cell(&tr, component, &history, &days),
        ));
    }
    body.push_str(&format!(
        "</tbody></table></section><section aria-labelledby=\"incidents\"><h2 id=\"incidents\">{}</h2>",
        tr.h("incidents-heading")
    ));
    if incidents.is_empty() {
        body.push_str(&format!("<p>{}</p>", tr.h("incidents-none")));
    }
    for incident in incidents.iter().take(MAX_SHOWN) {
        body.push_str(&incident_html(&tr, incident));
    }
    body.push_str("</section>");
    let html = frame(&tr, "/status", &tr.t("status-title"), &state.hostname, &body);
    (StatusCode::OK, [("content-language", tr.locale.code()), ("vary", "Accept-Language")], Html(html)).into_response()
}

/// RFC 4287: a feed with `id`, `title`, `updated`, `author`, a self link; one entry per
/// incident update (its id stable: the incident and the update's position).
pub async fn feed(State(state): State<Arc<WebState>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let tr = localized(&headers, &query);
    let incidents = incidents::load(&state.root).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "status feed: cannot read incidents");
        Vec::new()
    });
    let host = &state.hostname;
    let base = format!("https://{host}");
    let mut entries: Vec<(i64, String)> = Vec::new();
    for incident in incidents.iter().take(MAX_SHOWN) {
        for (n, u) in incident.updates.iter().enumerate() {
            let title =
                tr.t_args("feed-entry-title", &[("title", &incident.title), ("state", &tr.t(&format!("incident-state-{}", u.state)))]);
            let link = format!("{base}/status#incident-{}-{n}", incident.id);
            entries.push((
                u.at,
                format!(
                    "<entry><id>{id}</id><title>{title}</title><updated>{updated}</updated><link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\
                     <category term=\"{severity}\" label=\"{severity_label}\"/><content type=\"text\">{message}</content></entry>\n",
                    id = escape(&format!("tag:{host},2026:status/incident/{}/update/{n}", incident.id)),
                    title = escape(&title),
                    updated = rfc3339(u.at),
                    link = escape(&link),
                    severity = escape(&incident.severity),
                    severity_label = escape(&tr.t(&format!("severity-{}", incident.severity))),
                    message = escape(&u.message),
                ),
            ));
        }
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.0));
    // RFC 4287 §4.2.15: the feed's `updated` is its newest change (the epoch when empty).
    let updated = rfc3339(entries.first().map(|e| e.0).unwrap_or(0));
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{lang}\">\n\
         <id>{id}</id><title>{title}</title><updated>{updated}</updated>\
         <author><name>{author}</name></author>\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{base}/status/feed.atom\"/>\
         <link rel=\"alternate\" type=\"text/html\" href=\"{base}/status\"/>\n",
        lang = tr.locale.code(),
        id = escape(&format!("tag:{host},2026:status")),
        title = escape(&tr.t_args("feed-title", &[("host", host)])),
        author = escape(&tr.t_args("feed-author", &[("host", host)])),
        base = escape(&base),
    );
    for (_, entry) in entries {
        xml.push_str(&entry);
    }
    xml.push_str("</feed>\n");
    ([("content-type", "application/atom+xml; charset=utf-8"), ("content-language", tr.locale.code())], xml).into_response()
}
