//! Thunderbird autoconfig (the "clientConfig" v1.1 format): a mail client given only an
//! email address asks `https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml` or
//! `https://autoconfig.DOMAIN/mail/config-v1.1.xml` and learns our IMAP, POP3 and SMTP
//! servers — the ports actually configured under `[listen]`, never guessed ones.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sigillo_auth::DirectoryPool;
use sigillo_core::config::Config;
use sigillo_web::html::escape;
use std::collections::HashMap;
use std::sync::Arc;

/// The listeners a client may use, and the directory to tell our domains from others.
pub struct Autoconfig {
    hostname: String,
    /// (protocol element type, port, socketType), in the order clients should prefer.
    incoming: Vec<(&'static str, u16, &'static str)>,
    outgoing: Vec<(u16, &'static str)>,
    directories: Arc<DirectoryPool>,
}

impl Autoconfig {
    pub fn new(config: &Config, directories: Arc<DirectoryPool>) -> Self {
        let listen = &config.listen;
        let port = |addr: Option<std::net::SocketAddr>| addr.map(|a| a.port());
        let incoming = [
            ("imap", port(listen.imaps), "SSL"),
            ("imap", port(listen.imap), "STARTTLS"),
            ("pop3", port(listen.pop3s), "SSL"),
            ("pop3", port(listen.pop3), "STARTTLS"),
        ];
        let outgoing = [(port(listen.submissions), "SSL"), (port(listen.submission), "STARTTLS")];
        Autoconfig {
            hostname: config.server.hostname.clone(),
            incoming: incoming.into_iter().filter_map(|(kind, port, socket)| port.map(|p| (kind, p, socket))).collect(),
            outgoing: outgoing.into_iter().filter_map(|(port, socket)| port.map(|p| (p, socket))).collect(),
            directories,
        }
    }

    /// The clientConfig document for `domain`.
    fn document(&self, domain: &str) -> String {
        let host = escape(&self.hostname);
        let domain = escape(domain);
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n  <emailProvider id=\"{domain}\">\n    \
             <domain>{domain}</domain>\n    <displayName>{domain} (Sigillo)</displayName>\n    <displayShortName>{domain}</displayShortName>\n"
        );
        let server = |xml: &mut String, element: &str, kind: &str, port: u16, socket: &str| {
            xml.push_str(&format!(
                "    <{element} type=\"{kind}\">\n      <hostname>{host}</hostname>\n      <port>{port}</port>\n      \
                 <socketType>{socket}</socketType>\n      <authentication>password-cleartext</authentication>\n      \
                 <username>%EMAILADDRESS%</username>\n    </{element}>\n"
            ));
        };
        for &(kind, port, socket) in &self.incoming {
            server(&mut xml, "incomingServer", kind, port, socket);
        }
        for &(port, socket) in &self.outgoing {
            server(&mut xml, "outgoingServer", "smtp", port, socket);
        }
        xml.push_str("  </emailProvider>\n</clientConfig>\n");
        xml
    }
}

/// The domain asked about: from `emailaddress=` (both URL forms), else from the Host of
/// an `autoconfig.DOMAIN` request. Lower-cased; `None` if it is not a plausible name.
fn requested_domain(query: &HashMap<String, String>, headers: &HeaderMap) -> Option<String> {
    let domain = match query.get("emailaddress") {
        Some(address) => address.rsplit_once('@')?.1.to_string(),
        None => {
            let host = headers.get(header::HOST)?.to_str().ok()?;
            let host = host.rsplit_once(':').map_or(host, |(name, _port)| name);
            host.strip_prefix("autoconfig.").unwrap_or(host).to_string()
        }
    };
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let plausible = !domain.is_empty()
        && domain.len() <= 253
        && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        && !domain.split('.').any(str::is_empty);
    plausible.then_some(domain)
}

/// `GET /.well-known/autoconfig/mail/config-v1.1.xml` and `GET /mail/config-v1.1.xml`.
pub async fn handler(State(auto): State<Arc<Autoconfig>>, Query(query): Query<HashMap<String, String>>, headers: HeaderMap) -> Response {
    let Some(domain) = requested_domain(&query, &headers) else {
        return (StatusCode::NOT_FOUND, "unknown domain\n").into_response();
    };
    let lookup = domain.clone();
    match auto
        .directories
        .run(move |dir| dir.has_domain(&lookup))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
    {
        Ok(true) => ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], auto.document(&domain)).into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "unknown domain\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "autoconfig: directory lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_xml() {
        assert_eq!(escape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&apos;");
    }

    #[test]
    fn finds_the_domain() {
        let mut query = HashMap::new();
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "autoconfig.Example.ORG:8443".parse().unwrap());
        assert_eq!(requested_domain(&query, &headers).as_deref(), Some("example.org"));
        query.insert("emailaddress".to_string(), "a@Other.example".to_string());
        assert_eq!(requested_domain(&query, &headers).as_deref(), Some("other.example"));
        query.insert("emailaddress".to_string(), "a@<x>".to_string());
        assert_eq!(requested_domain(&query, &headers), None);
    }
}
