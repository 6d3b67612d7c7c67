//! Receipts: the provider-made messages certified-mail users know (acceptance receipt —
//! *ricevuta di accettazione* —, delivery receipt — *ricevuta di avvenuta consegna* —,
//! non-delivery notice), with PEC-style headers, a readable summary in the sender's
//! language and the evidence attached (`evidence.json`, one `.tsr` per token).
//!
//! DKIM signing belongs to outbound delivery: [`Receipt::message`] returns the unsigned
//! message and callers pass it through their signer hook before storing it.

use crate::bundle::Bundle;
use crate::evidence::{Event, EventKind};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource};
use unic_langid::LanguageIdentifier;

/// The languages receipts are written in; anything else falls back to English.
pub const LANGUAGES: [&str; 4] = ["en", "it", "ar", "nb"];

/// Project Fluent sources, one per language (`crates/certify/locales/*.ftl`).
fn source(lang: &str) -> (&'static str, &'static str) {
    match lang {
        "it" => ("it", include_str!("../locales/it.ftl")),
        "ar" => ("ar", include_str!("../locales/ar.ftl")),
        "nb" => ("nb", include_str!("../locales/nb.ftl")),
        _ => ("en", include_str!("../locales/en.ftl")),
    }
}

/// The texts of one language. Built per receipt: parsing a 20-line file costs microseconds,
/// far less than the token and the mailbox write.
pub struct Texts {
    bundle: FluentBundle<FluentResource>,
}

impl Texts {
    pub fn new(lang: &str) -> Result<Self, crate::CertifyError> {
        let (tag, ftl) = source(lang);
        let broken = |why: String| crate::CertifyError::Corrupt(format!("receipt texts ({tag}): {why}"));
        let id: LanguageIdentifier = tag.parse().map_err(|e| broken(format!("{e}")))?;
        let resource = FluentResource::try_new(ftl.to_string()).map_err(|(_, errors)| broken(format!("{errors:?}")))?;
        let mut bundle = FluentBundle::new(vec![id]);
        // Plain text: no Unicode isolation marks around placeables (addresses, hashes).
        bundle.set_use_isolating(false);
        bundle.add_resource(resource).map_err(|errors| broken(format!("{errors:?}")))?;
        Ok(Texts { bundle })
    }

    /// The message `key`, or the key itself if it is missing (tests make sure none is).
    pub fn get(&self, key: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, args, &mut errors).into_owned();
        if errors.is_empty() { text } else { key.to_string() }
    }

    fn t(&self, key: &str) -> String {
        self.get(key, None)
    }
}

pub struct Receipt<'a> {
    /// The event this receipt reports (the last in the bundle).
    pub event: &'a Event,
    pub bundle: &'a Bundle,
    /// The sender's address: the receipt's recipient.
    pub to: &'a str,
    pub hostname: &'a str,
    /// The local domain whose postmaster issues the receipt (the sender's): its DKIM keys
    /// sign the receipt.
    pub from_domain: &'a str,
    pub lang: &'a str,
    pub subject_of_original: Option<&'a str>,
}

impl Receipt<'_> {
    /// The receipt as an RFC 5322 message (CRLF), multipart/mixed.
    pub fn message(&self) -> Result<Vec<u8>, crate::CertifyError> {
        let t = Texts::new(self.lang)?;
        let (title, pec) = match &self.event.what {
            EventKind::Acceptance { .. } => (t.t("receipt-acceptance"), "accettazione"),
            EventKind::Delivery { .. } => (t.t("receipt-delivery"), "avvenuta-consegna"),
            EventKind::NonDelivery { .. } => (t.t("receipt-non-delivery"), "errore-consegna"),
        };
        let mut body = format!("{title}\r\n\r\n{}\r\n\r\n", t.t("receipt-intro"));
        let mut line = |key: &str, value: &str| body.push_str(&format!("{}: {}\r\n", t.t(key), value.replace(['\r', '\n'], " ")));
        match &self.event.what {
            EventKind::Acceptance { sender, recipients, .. } => {
                line("receipt-sender", sender);
                line("receipt-recipients", &recipients.join(", "));
            }
            EventKind::Delivery { recipient, mailbox, remote, .. } => {
                line("receipt-recipient", recipient);
                if let Some(remote) = remote {
                    line("receipt-server", &format!("{} ({})", remote.server_name, remote.server_ip));
                    line("receipt-reply", &remote.reply);
                    let tls = match (&remote.tls_version, &remote.tls_cipher) {
                        (Some(v), Some(c)) => format!("{v}, {c}"),
                        (Some(v), None) => v.clone(),
                        _ => t.t("receipt-tls-none"),
                    };
                    line("receipt-tls", &tls);
                    if let Some(policy) = &remote.policy {
                        line("receipt-policy", policy);
                    }
                } else if let Some(mailbox) = mailbox {
                    let mut args = FluentArgs::new();
                    args.set("mailbox", mailbox.clone());
                    body.push_str(&format!("{}\r\n", t.get("receipt-stored-locally", Some(&args))));
                }
            }
            EventKind::NonDelivery { recipient, last_reply } => {
                line("receipt-recipient", recipient);
                line("receipt-last-reply", last_reply);
            }
        }
        let mut line = |key: &str, value: &str| body.push_str(&format!("{}: {}\r\n", t.t(key), value));
        line("receipt-time", &self.event.time);
        line("receipt-message-hash", &self.event.message_sha256);
        line("receipt-evidence-id", &self.event.evidence_id);
        body.push_str(&format!("\r\n{}\r\n", t.t("receipt-check")));
        let boundary = format!("sigillo-{}", crate::evidence::new_id()?);
        let subject = match self.subject_of_original {
            Some(s) if !s.is_empty() => format!("{title}: {}", s.replace(['\r', '\n'], " ")),
            _ => title.to_string(),
        };
        let date = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
        let mut out = String::new();
        out.push_str(&format!("From: Sigillo <postmaster@{}>\r\n", self.from_domain));
        out.push_str(&format!("To: <{}>\r\n", self.to));
        out.push_str(&format!("Subject: =?utf-8?B?{}?=\r\n", B64.encode(subject.as_bytes())));
        out.push_str(&format!("Date: {date}\r\n"));
        out.push_str(&format!("Message-ID: <{}.{}@{}>\r\n", pec, self.event.evidence_id, self.hostname));
        out.push_str(&format!("X-Ricevuta: {pec}\r\nX-Trasporto: posta-certificata\r\n"));
        if let Some(id) = &self.event.message_id_header {
            out.push_str(&format!("X-Riferimento-Message-ID: {}\r\n", id.replace(['\r', '\n'], "")));
        }
        out.push_str(&format!("Sigillo-Evidence-Id: {}\r\n", self.event.evidence_id));
        out.push_str(&format!(
            "Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        ));
        out.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"));
        out.push_str(&wrap(&B64.encode(body.as_bytes())));
        let json = serde_json::to_vec_pretty(self.bundle).map_err(|e| crate::CertifyError::Corrupt(e.to_string()))?;
        attach(&mut out, &boundary, "evidence.json", "application/json", &json);
        for (n, item) in self.bundle.events.iter().enumerate() {
            let token = B64.decode(&item.token).map_err(|_| crate::CertifyError::Corrupt("token is not base64".into()))?;
            let name = format!("{}-{}-{}.tsr", n + 1, item.event.kind_name(), item.event.evidence_id);
            attach(&mut out, &boundary, &name, "application/timestamp-reply", &token_reply(&token));
        }
        out.push_str(&format!("--{boundary}--\r\n"));
        Ok(out.into_bytes())
    }
}

/// A `.tsr` file is a TimeStampResp (what `openssl ts -reply/-verify -in` read): status
/// granted, then the token. SEQUENCE { SEQUENCE { INTEGER 0 }, token }.
pub fn token_reply(token: &[u8]) -> Vec<u8> {
    let status = [0x30, 0x03, 0x02, 0x01, 0x00];
    let mut content = status.to_vec();
    content.extend_from_slice(token);
    let mut out = vec![0x30];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len < 0x10000 {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(&content);
    out
}

fn attach(out: &mut String, boundary: &str, name: &str, content_type: &str, bytes: &[u8]) {
    out.push_str(&format!(
        "--{boundary}\r\nContent-Type: {content_type}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    ));
    out.push_str(&wrap(&B64.encode(bytes)));
}

fn wrap(b64: &str) -> String {
    let mut out = String::with_capacity(b64.len() + b64.len() / 38);
    for chunk in b64.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(ftl: &str) -> Vec<&str> {
        ftl.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).filter_map(|l| l.split_once(" = ").map(|(k, _)| k)).collect()
    }

    #[test]
    fn every_language_has_every_key_and_renders_it() {
        let english = keys(source("en").1);
        assert!(english.len() >= 15);
        for lang in LANGUAGES {
            let (tag, ftl) = source(lang);
            assert_eq!(tag, lang);
            assert_eq!(keys(ftl), english, "{lang} has other keys than en");
            let texts = Texts::new(lang).unwrap();
            let mut args = FluentArgs::new();
            args.set("mailbox", "INBOX");
            for key in &english {
                let text = texts.get(key, Some(&args));
                assert!(!text.is_empty() && text != *key && !text.contains('{'), "{lang}: {key} renders as {text:?}");
            }
            assert!(texts.get("receipt-stored-locally", Some(&args)).contains("INBOX"));
        }
        assert_eq!(Texts::new("it").unwrap().t("receipt-delivery"), "Ricevuta di avvenuta consegna");
        assert_eq!(Texts::new("it").unwrap().t("receipt-non-delivery"), "Avviso di mancata consegna");
        assert_eq!(Texts::new("xx").unwrap().t("receipt-acceptance"), "Acceptance receipt");
    }
}
