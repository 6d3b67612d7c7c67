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

/// Per-language texts (en, it, ar, nb); unknown languages fall back to English.
struct Texts {
    acceptance: &'static str,
    delivery: &'static str,
    non_delivery: &'static str,
    intro: &'static str,
    sender: &'static str,
    recipients: &'static str,
    message_hash: &'static str,
    time: &'static str,
    evidence: &'static str,
    check: &'static str,
}

fn texts(lang: &str) -> &'static Texts {
    match lang {
        "it" => &Texts {
            acceptance: "Ricevuta di accettazione",
            delivery: "Ricevuta di avvenuta consegna",
            non_delivery: "Avviso di mancata consegna",
            intro: "Il server ha registrato il seguente evento per il suo messaggio certificato.",
            sender: "Mittente",
            recipients: "Destinatari",
            message_hash: "Impronta SHA-256 del messaggio",
            time: "Data e ora",
            evidence: "Identificativo della prova",
            check: "Verifica: sigillo verify evidence.json --message MESSAGGIO.eml, oppure openssl ts -verify per ogni file .tsr.",
        },
        "ar" => &Texts {
            acceptance: "إيصال القبول",
            delivery: "إيصال التسليم",
            non_delivery: "إشعار بعدم التسليم",
            intro: "سجّل الخادم الحدث التالي لرسالتك المصدَّقة.",
            sender: "المرسل",
            recipients: "المستلمون",
            message_hash: "بصمة SHA-256 للرسالة",
            time: "التاريخ والوقت",
            evidence: "معرّف الدليل",
            check: "للتحقق: sigillo verify evidence.json --message MESSAGE.eml أو openssl ts -verify لكل ملف ‎.tsr.",
        },
        "nb" => &Texts {
            acceptance: "Mottakskvittering",
            delivery: "Leveringskvittering",
            non_delivery: "Melding om manglende levering",
            intro: "Serveren har registrert følgende hendelse for den sertifiserte meldingen din.",
            sender: "Avsender",
            recipients: "Mottakere",
            message_hash: "SHA-256 av meldingen",
            time: "Tidspunkt",
            evidence: "Bevis-ID",
            check: "Kontroll: sigillo verify evidence.json --message MELDING.eml, eller openssl ts -verify for hver .tsr-fil.",
        },
        _ => &Texts {
            acceptance: "Acceptance receipt",
            delivery: "Delivery receipt",
            non_delivery: "Non-delivery notice",
            intro: "The server recorded the following event for your certified message.",
            sender: "Sender",
            recipients: "Recipients",
            message_hash: "SHA-256 of the message",
            time: "Date and time",
            evidence: "Evidence id",
            check: "To check: sigillo verify evidence.json --message MESSAGE.eml, or openssl ts -verify on each .tsr file.",
        },
    }
}

pub struct Receipt<'a> {
    /// The event this receipt reports (the last in the bundle).
    pub event: &'a Event,
    pub bundle: &'a Bundle,
    /// The sender's address: the receipt's recipient.
    pub to: &'a str,
    pub hostname: &'a str,
    pub lang: &'a str,
    pub subject_of_original: Option<&'a str>,
}

impl Receipt<'_> {
    /// The receipt as an RFC 5322 message (CRLF), multipart/mixed.
    pub fn message(&self) -> Result<Vec<u8>, crate::CertifyError> {
        let t = texts(self.lang);
        let (title, pec) = match &self.event.what {
            EventKind::Acceptance { .. } => (t.acceptance, "accettazione"),
            EventKind::Delivery { .. } => (t.delivery, "avvenuta-consegna"),
            EventKind::NonDelivery { .. } => (t.non_delivery, "errore-consegna"),
        };
        let mut body = format!("{title}\r\n\r\n{}\r\n\r\n", t.intro);
        match &self.event.what {
            EventKind::Acceptance { sender, recipients, .. } => {
                body.push_str(&format!("{}: {sender}\r\n{}: {}\r\n", t.sender, t.recipients, recipients.join(", ")));
            }
            EventKind::Delivery { recipient, .. } | EventKind::NonDelivery { recipient, .. } => {
                body.push_str(&format!("{}: {recipient}\r\n", t.recipients));
            }
        }
        if let EventKind::NonDelivery { last_reply, .. } = &self.event.what {
            body.push_str(&format!("SMTP: {last_reply}\r\n"));
        }
        body.push_str(&format!(
            "{}: {}\r\n{}: {}\r\n{}: {}\r\n\r\n{}\r\n",
            t.time, self.event.time, t.message_hash, self.event.message_sha256, t.evidence, self.event.evidence_id, t.check
        ));
        let boundary = format!("sigillo-{}", crate::evidence::new_id()?);
        let subject = match self.subject_of_original {
            Some(s) if !s.is_empty() => format!("{title}: {}", s.replace(['\r', '\n'], " ")),
            _ => title.to_string(),
        };
        let date = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
        let mut out = String::new();
        out.push_str(&format!("From: Sigillo <postmaster@{}>\r\n", self.hostname));
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
