//! The MIME tree of a message as IMAP numbers it (RFC 9051 §6.4.5 section-part), built
//! over the raw octets so `BODY[n]`, `BODY[n.MIME]` and `BODY[n.HEADER]` return exactly the
//! bytes stored; BODYSTRUCTURE and BODY (RFC 9051 §7.5.2) from that tree; and the
//! content-transfer decoding of `BINARY[n]` (RFC 3516 §4.2).
//!
//! Why our own splitter rather than mail-parser's offsets: mail-parser's offsets of a
//! part nested in a `message/rfc822` are relative to different buffers depending on
//! whether the part was encoded, and IMAP sections must be byte-exact. mail-parser is
//! used where decoding matters (SEARCH, `crate::search_text`).

use crate::message;
use crate::response;

/// Nesting beyond this is described as an opaque part (multipart bombs).
const MAX_DEPTH: usize = 24;
/// At most this many parts in one message are described.
const MAX_PARTS: usize = 5_000;

#[derive(Debug)]
pub enum Kind<'a> {
    Single,
    Multipart(Vec<Part<'a>>),
    /// `message/rfc822` (or `message/global`): the embedded message as its own tree.
    Message(Box<Part<'a>>),
}

/// One entity: its header block (MIME header, or the message header at the top), its
/// body, and what the body contains.
#[derive(Debug)]
pub struct Part<'a> {
    pub header: &'a [u8],
    pub body: &'a [u8],
    pub kind: Kind<'a>,
    pub content_type: ContentType,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    pub ty: String,
    pub subtype: String,
    /// Parameters as sent: (name, value without quotes).
    pub params: Vec<(String, String)>,
}

impl ContentType {
    fn default_for(digest: bool) -> Self {
        if digest {
            ContentType { ty: "message".into(), subtype: "rfc822".into(), params: Vec::new() }
        } else {
            ContentType { ty: "text".into(), subtype: "plain".into(), params: Vec::new() }
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Parses a whole message.
pub fn parse(raw: &[u8]) -> Part<'_> {
    let mut budget = MAX_PARTS;
    entity(raw, false, 0, &mut budget)
}

fn entity<'a>(raw: &'a [u8], digest_child: bool, depth: usize, budget: &mut usize) -> Part<'a> {
    let (header, body) = message::split(raw);
    let fields = message::fields(header);
    let content_type = message::header_value(&fields, "Content-Type")
        .and_then(|v| parse_content_type(&String::from_utf8_lossy(v)))
        .unwrap_or_else(|| ContentType::default_for(digest_child));
    let encoding = transfer_encoding(&fields);
    *budget = budget.saturating_sub(1);
    let kind = if depth >= MAX_DEPTH || *budget == 0 {
        Kind::Single
    } else if content_type.ty == "multipart" {
        match content_type.param("boundary") {
            Some(boundary) if !boundary.is_empty() => {
                let digest = content_type.subtype == "digest";
                let mut children = Vec::new();
                for child in split_multipart(body, boundary.as_bytes()) {
                    if *budget == 0 {
                        break;
                    }
                    children.push(entity(child, digest, depth + 1, budget));
                }
                Kind::Multipart(children)
            }
            _ => Kind::Multipart(Vec::new()),
        }
    } else if content_type.ty == "message"
        && matches!(content_type.subtype.as_str(), "rfc822" | "global")
        && matches!(encoding.as_str(), "7BIT" | "8BIT" | "BINARY")
    {
        Kind::Message(Box::new(entity(body, false, depth + 1, budget)))
    } else {
        Kind::Single
    };
    Part { header, body, kind, content_type }
}

fn transfer_encoding(fields: &[(String, Vec<u8>, &[u8])]) -> String {
    message::header_value(fields, "Content-Transfer-Encoding")
        .map(|v| String::from_utf8_lossy(v).trim().to_ascii_uppercase())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "7BIT".into())
}

/// RFC 2046 §5.1.1: the body parts between `--boundary` delimiter lines; the CRLF before
/// a delimiter belongs to the delimiter; preamble and epilogue are dropped.
fn split_multipart<'a>(body: &'a [u8], boundary: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut current: Option<usize> = None;
    let mut line_start = 0;
    while line_start < body.len() {
        let line_end = body[line_start..].iter().position(|&b| b == b'\n').map_or(body.len(), |i| line_start + i + 1);
        let line = &body[line_start..line_end];
        if let Some(rest) = line.strip_prefix(b"--").and_then(|l| l.strip_prefix(boundary)) {
            let closing = rest.starts_with(b"--");
            let rest = if closing { &rest[2..] } else { rest };
            // Transport padding (spaces, tabs) may follow the boundary.
            if rest.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) {
                if let Some(start) = current.take() {
                    let mut end = line_start;
                    if end > start && body[end - 1] == b'\n' {
                        end -= 1;
                        if end > start && body[end - 1] == b'\r' {
                            end -= 1;
                        }
                    }
                    parts.push(&body[start..end.max(start)]);
                }
                if closing {
                    return parts;
                }
                current = Some(line_end);
            }
        }
        line_start = line_end;
    }
    // A missing close delimiter: the last part runs to the end.
    if let Some(start) = current {
        parts.push(&body[start..]);
    }
    parts
}

/// `type/subtype; name=value; name="quoted value"`.
pub fn parse_content_type(value: &str) -> Option<ContentType> {
    let mut items = split_params(value).into_iter();
    let mime = items.next()?;
    let (ty, subtype) = mime.trim().split_once('/')?;
    let (ty, subtype) = (ty.trim().to_ascii_lowercase(), subtype.trim().to_ascii_lowercase());
    if ty.is_empty() || subtype.is_empty() {
        return None;
    }
    Some(ContentType { ty, subtype, params: items.filter_map(|p| param(&p)).collect() })
}

/// `value; a=b; c="d"` as the first item and the parameters.
fn split_params(value: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut escaped) = (Vec::new(), String::new(), false, false);
    for c in value.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                escaped = true;
                cur.push(c);
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
        if out.len() > 100 {
            break;
        }
    }
    out.push(cur);
    out
}

fn param(item: &str) -> Option<(String, String)> {
    let (name, value) = item.split_once('=')?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let value = value.trim();
    let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                out.push(if c == '\\' { chars.next().unwrap_or('\\') } else { c });
            }
            out
        }
        None => value.to_string(),
    };
    Some((name.to_string(), value))
}

/// Finds the entity a section path names (RFC 9051 §6.4.5): in a multipart the n-th
/// child; a non-multipart message has one part, 1, its body; the parts of a
/// `message/rfc822` part are those of the message it contains.
pub fn resolve<'p, 'a>(root: &'p Part<'a>, path: &[u32]) -> Option<&'p Part<'a>> {
    let mut cur = root;
    // Whether `cur` is a message whose own numbering applies (the top, or embedded).
    let mut as_message = true;
    for &n in path {
        let n = usize::try_from(n).ok()?.checked_sub(1)?;
        loop {
            match &cur.kind {
                Kind::Multipart(children) => {
                    cur = children.get(n)?;
                    as_message = false;
                    break;
                }
                _ if as_message => {
                    if n != 0 {
                        return None;
                    }
                    as_message = false;
                    break;
                }
                Kind::Message(inner) => {
                    cur = inner;
                    as_message = true;
                }
                Kind::Single => return None,
            }
        }
    }
    Some(cur)
}

/// The octets of `BODY[path.part]`; `None` when the section does not exist (sent as NIL).
pub fn section<'a>(root: &Part<'a>, raw: &'a [u8], path: &[u32], part: &crate::parser::SectionPart) -> Option<Vec<u8>> {
    use crate::parser::SectionPart;
    if path.is_empty() {
        return Some(match part {
            SectionPart::Full => raw.to_vec(),
            SectionPart::Header | SectionPart::Mime => root.header.to_vec(),
            SectionPart::Text => root.body.to_vec(),
            SectionPart::HeaderFields { fields, not } => message::header_fields(root.header, fields, *not),
        });
    }
    let entity = resolve(root, path)?;
    Some(match part {
        SectionPart::Full => entity.body.to_vec(),
        SectionPart::Mime => entity.header.to_vec(),
        // HEADER, TEXT and HEADER.FIELDS of a part: only a message/rfc822 part has them.
        SectionPart::Header | SectionPart::Text | SectionPart::HeaderFields { .. } => {
            let Kind::Message(inner) = &entity.kind else { return None };
            match part {
                SectionPart::Header => inner.header.to_vec(),
                SectionPart::Text => inner.body.to_vec(),
                SectionPart::HeaderFields { fields, not } => message::header_fields(inner.header, fields, *not),
                _ => return None,
            }
        }
    })
}

#[derive(Debug, PartialEq, Eq)]
pub enum BinaryError {
    /// RFC 3516 §4.3: `NO [UNKNOWN-CTE]`.
    UnknownEncoding(String),
}

/// `BINARY[path]`: the part's body with its content-transfer-encoding removed.
pub fn binary(root: &Part<'_>, raw: &[u8], path: &[u32]) -> Option<Result<Vec<u8>, BinaryError>> {
    if path.is_empty() {
        return Some(Ok(raw.to_vec()));
    }
    let entity = resolve(root, path)?;
    if !matches!(entity.kind, Kind::Single) {
        return Some(Ok(entity.body.to_vec()));
    }
    let fields = message::fields(entity.header);
    Some(match transfer_encoding(&fields).as_str() {
        "7BIT" | "8BIT" | "BINARY" => Ok(entity.body.to_vec()),
        "BASE64" => Ok(decode_base64(entity.body)),
        "QUOTED-PRINTABLE" => Ok(decode_quoted_printable(entity.body)),
        other => Err(BinaryError::UnknownEncoding(other.to_string())),
    })
}

/// Lenient base64 (RFC 2045 §6.8): characters outside the alphabet are ignored, and a
/// stray last character (a length of 4n+1) is dropped.
pub fn decode_base64(body: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true).with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let mut clean: Vec<u8> = body.iter().copied().filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/')).collect();
    if clean.len() % 4 == 1 {
        clean.pop();
    }
    LENIENT.decode(&clean).unwrap_or_default()
}

/// RFC 2045 §6.7 quoted-printable: `=XX`, soft line breaks `=\r\n`; bad escapes kept.
pub fn decode_quoted_printable(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        let rest = &body[i + 1..];
        if rest.starts_with(b"\r\n") {
            i += 3;
        } else if rest.starts_with(b"\n") {
            i += 2;
        } else if let (Some(h), Some(l)) = (rest.first().and_then(hex), rest.get(1).and_then(hex)) {
            out.push(h << 4 | l);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    out
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// BODYSTRUCTURE (`extended`) or BODY (RFC 9051 §7.5.2, §9 `body`).
pub fn body_structure(raw: &[u8], extended: bool) -> Vec<u8> {
    structure(&parse(raw), extended)
}

/// BODYSTRUCTURE or BODY of an already parsed tree.
pub fn structure(root: &Part<'_>, extended: bool) -> Vec<u8> {
    let mut out = Vec::new();
    write_body(&mut out, root, extended);
    out
}

fn write_body(out: &mut Vec<u8>, part: &Part<'_>, extended: bool) {
    let fields = message::fields(part.header);
    let ct = &part.content_type;
    out.push(b'(');
    if let Kind::Multipart(children) = &part.kind {
        if children.is_empty() {
            // RFC 9051 §9 requires at least one body: an empty text part stands in.
            out.extend_from_slice(b"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
        }
        for child in children {
            write_body(out, child, extended);
        }
        out.push(b' ');
        response::string(out, ct.subtype.to_ascii_uppercase().as_bytes(), false);
        if extended {
            out.push(b' ');
            write_params(out, &ct.params);
            write_extension_tail(out, &fields);
        }
        out.push(b')');
        return;
    }
    response::string(out, ct.ty.to_ascii_uppercase().as_bytes(), false);
    out.push(b' ');
    response::string(out, ct.subtype.to_ascii_uppercase().as_bytes(), false);
    out.push(b' ');
    write_params(out, &ct.params);
    for name in ["Content-ID", "Content-Description"] {
        out.push(b' ');
        response::nstring(out, message::header_value(&fields, name), false);
    }
    out.push(b' ');
    response::string(out, transfer_encoding(&fields).as_bytes(), false);
    out.extend_from_slice(format!(" {}", part.body.len()).as_bytes());
    match &part.kind {
        Kind::Message(inner) => {
            out.push(b' ');
            out.extend_from_slice(&message::envelope(part.body, false));
            out.push(b' ');
            write_body(out, inner, extended);
            out.extend_from_slice(format!(" {}", lines(part.body)).as_bytes());
        }
        _ if ct.ty == "text" => out.extend_from_slice(format!(" {}", lines(part.body)).as_bytes()),
        _ => {}
    }
    if extended {
        // body-ext-1part: md5 (we never compute Content-MD5), then disposition,
        // language, location.
        out.extend_from_slice(b" NIL");
        write_extension_tail(out, &fields);
    }
    out.push(b')');
}

/// ` dsp lang loc` (RFC 9051 §9 body-ext-1part / body-ext-mpart, after md5 or params).
fn write_extension_tail(out: &mut Vec<u8>, fields: &[(String, Vec<u8>, &[u8])]) {
    out.push(b' ');
    match message::header_value(fields, "Content-Disposition").map(|v| split_params(&String::from_utf8_lossy(v))) {
        Some(items) if !items[0].trim().is_empty() => {
            out.push(b'(');
            response::string(out, items[0].trim().to_ascii_uppercase().as_bytes(), false);
            out.push(b' ');
            let params: Vec<(String, String)> = items[1..].iter().filter_map(|p| param(p)).collect();
            write_params(out, &params);
            out.push(b')');
        }
        _ => out.extend_from_slice(b"NIL"),
    }
    out.push(b' ');
    let languages: Vec<String> = message::header_value(fields, "Content-Language")
        .map(|v| String::from_utf8_lossy(v).split(',').map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect())
        .unwrap_or_default();
    match languages.as_slice() {
        [] => out.extend_from_slice(b"NIL"),
        [one] => response::string(out, one.as_bytes(), false),
        many => {
            out.push(b'(');
            for (i, l) in many.iter().enumerate() {
                if i > 0 {
                    out.push(b' ');
                }
                response::string(out, l.as_bytes(), false);
            }
            out.push(b')');
        }
    }
    out.push(b' ');
    response::nstring(out, message::header_value(fields, "Content-Location"), false);
}

fn write_params(out: &mut Vec<u8>, params: &[(String, String)]) {
    if params.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        response::string(out, name.to_ascii_uppercase().as_bytes(), false);
        out.push(b' ');
        response::string(out, value.as_bytes(), false);
    }
    out.push(b')');
}

/// Lines of a body: its line ends, plus a last line without one.
fn lines(body: &[u8]) -> usize {
    let n = body.iter().filter(|&&b| b == b'\n').count();
    if body.last().is_some_and(|&b| b != b'\n') { n + 1 } else { n }
}

#[cfg(test)]
mod tests;
