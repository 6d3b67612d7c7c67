//! What BODY, TEXT and header SEARCH keys compare against (RFC 9051 §6.4.4): the
//! decoded text, so a word is found inside quoted-printable and base64 parts, in any
//! charset mail-parser knows (converted to UTF-8), and inside RFC 2047 encoded words in
//! headers. Matching is case-insensitive (Unicode lowercase on both sides).
//!
//! The raw octets are tried first: most mail is plain text, and decoding is only needed
//! when the message has encoded content or 8-bit octets.

use crate::message;
use mail_parser::{Message, MessageParser, PartType};

/// A search string prepared once per SEARCH.
pub struct Needle {
    lower: String,
}

impl Needle {
    pub fn new(text: &str) -> Self {
        Needle { lower: text.to_lowercase() }
    }

    /// Whether `haystack` (any bytes; invalid UTF-8 is replaced) contains the needle.
    pub fn found_in(&self, haystack: &[u8]) -> bool {
        if self.lower.is_empty() {
            return true;
        }
        if haystack.is_ascii() && self.lower.is_ascii() {
            let needle = self.lower.as_bytes();
            return haystack.len() >= needle.len() && haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
        }
        String::from_utf8_lossy(haystack).to_lowercase().contains(&self.lower)
    }
}

/// `BODY text`: the body of the message, decoded.
pub fn body_matches(raw: &[u8], needle: &Needle) -> bool {
    let body = message::split(raw).1;
    if needle.found_in(body) {
        return true;
    }
    // Encoded words in the top header do not matter here (a common case worth skipping).
    let needs = !body.is_ascii() || contains_ascii_ci(body, b"=?") || transfer_encoded(raw);
    needs && parsed(raw).is_some_and(|m| needle.found_in(decoded_body(&m).as_bytes()))
}

/// `TEXT text`: header and body, decoded.
pub fn text_matches(raw: &[u8], needle: &Needle) -> bool {
    if needle.found_in(raw) {
        return true;
    }
    if !needs_decoding(raw) {
        return false;
    }
    let (header, _) = message::split(raw);
    message::fields(header).iter().any(|(_, value, _)| needle.found_in(decode_header_value(value).as_bytes()))
        || parsed(raw).is_some_and(|m| needle.found_in(decoded_body(&m).as_bytes()))
}

/// `HEADER name text` (and FROM, TO, SUBJECT, ...): the unfolded value with encoded
/// words decoded.
pub fn header_value_matches(value: &[u8], needle: &Needle) -> bool {
    needle.found_in(value) || (contains_ascii_ci(value, b"=?") && needle.found_in(decode_header_value(value).as_bytes()))
}

/// RFC 2047 encoded words in an unstructured value, as mail-parser decodes them.
pub fn decode_header_value(value: &[u8]) -> String {
    let mut line = value.to_vec();
    line.extend_from_slice(b"\r\n");
    match mail_parser::parsers::MessageStream::new(&line).parse_unstructured() {
        mail_parser::HeaderValue::Text(text) => text.into_owned(),
        mail_parser::HeaderValue::TextList(list) => list.join(" "),
        _ => String::from_utf8_lossy(value).into_owned(),
    }
}

fn parsed(raw: &[u8]) -> Option<Message<'_>> {
    MessageParser::default().parse(raw)
}

/// The text of every text part (and of embedded messages, their headers too), each
/// converted from its charset and transfer encoding.
fn decoded_body(message: &Message<'_>) -> String {
    let mut out = String::new();
    collect(message, &mut out, 0);
    out
}

fn collect(message: &Message<'_>, out: &mut String, depth: usize) {
    // The first part is the message itself; its body is in the parts that follow (or in
    // itself when it is not multipart).
    for part in &message.parts {
        match &part.body {
            PartType::Text(text) | PartType::Html(text) => {
                out.push_str(text);
                out.push('\n');
            }
            PartType::Message(inner) if depth < 8 => {
                // The embedded header from its own bytes (mail-parser's offsets of nested
                // parts are not relative to `raw_message`).
                let (header, _) = message::split(inner.raw_message());
                for (_, value, _) in message::fields(header) {
                    out.push_str(&decode_header_value(&value));
                    out.push('\n');
                }
                collect(inner, out, depth + 1);
            }
            _ => {}
        }
    }
}

/// The decoded text of every text part, as BODY and TEXT compare it after decoding
/// (the search index reads the same text).
pub fn decoded_text(raw: &[u8]) -> Option<String> {
    parsed(raw).map(|m| decoded_body(&m))
}

/// Encoded content or 8-bit octets: only then can decoding find what the raw text did not.
pub fn needs_decoding(raw: &[u8]) -> bool {
    !raw.is_ascii() || contains_ascii_ci(raw, b"=?") || transfer_encoded(raw)
}

fn transfer_encoded(raw: &[u8]) -> bool {
    contains_ascii_ci(raw, b"base64") || contains_ascii_ci(raw, b"quoted-printable")
}

fn contains_ascii_ci(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_words_in_encoded_parts_and_charsets() {
        let qp_latin1 = b"Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSch=F6ne Gr=FC=DFe aus K=F6ln\r\n";
        assert!(body_matches(qp_latin1, &Needle::new("GRÜßE")));
        assert!(body_matches(qp_latin1, &Needle::new("köln")));
        assert!(!body_matches(qp_latin1, &Needle::new("berlin")));
        let b64 = b"Subject: y\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nVGhlIFplYnJhIHNsZWVwcw==\r\n--b--\r\n";
        assert!(body_matches(b64, &Needle::new("zebra")), "base64 'The Zebra sleeps'");
        assert!(text_matches(b64, &Needle::new("ZEBRA")));
        let encoded_subject = b"=?utf-8?q?Sch=C3=B6ne_Gr=C3=BC=C3=9Fe?=";
        assert!(header_value_matches(encoded_subject, &Needle::new("schöne grüße")));
        assert!(header_value_matches(b"=?iso-8859-1?b?S/Zsbg==?=", &Needle::new("KÖLN")));
        let forwarded = b"Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nhi\r\n";
        assert!(body_matches(forwarded, &Needle::new("grüße")), "the embedded message's encoded subject is body text");
        let raw = b"Subject: =?utf-8?q?Sch=C3=B6ne?=\r\n\r\nplain\r\n";
        assert!(text_matches(raw, &Needle::new("schöne")));
        assert!(!text_matches(raw, &Needle::new("hässlich")));
    }
}
