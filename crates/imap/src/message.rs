//! What FETCH reads from a message's bytes: header and body split, header fields,
//! ENVELOPE (RFC 9051 §7.5.2), from the raw octets (BODYSTRUCTURE is in `crate::mime`)
//! (header values as sent, as the RFC asks).

use crate::response;

/// The header block (with its blank line) and the body.
pub fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    while i < raw.len() {
        if raw[i..].starts_with(b"\r\n\r\n") {
            return (&raw[..i + 4], &raw[i + 4..]);
        }
        if raw[i..].starts_with(b"\n\n") {
            return (&raw[..i + 2], &raw[i + 2..]);
        }
        i += 1;
    }
    (raw, &[])
}

/// Header fields as (name, raw value with folding), in order.
pub fn fields(header: &[u8]) -> Vec<(String, Vec<u8>, &[u8])> {
    let mut out: Vec<(String, Vec<u8>, &[u8])> = Vec::new();
    let mut start = 0;
    let lines: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut s = 0;
        for (i, &b) in header.iter().enumerate() {
            if b == b'\n' {
                v.push((s, i + 1));
                s = i + 1;
            }
        }
        if s < header.len() {
            v.push((s, header.len()));
        }
        v
    };
    let mut current: Option<(String, Vec<u8>, usize)> = None;
    for (s, e) in lines {
        let line = &header[s..e];
        let content = trim_eol(line);
        if content.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, value, _)) = current.as_mut() {
                value.extend_from_slice(b" ");
                value.extend_from_slice(trim_ws(content));
            }
            continue;
        }
        if let Some((name, value, from)) = current.take() {
            out.push((name, value, &header[from..s]));
        }
        start = s;
        if let Some(colon) = content.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&content[..colon]).trim().to_string();
            current = Some((name, trim_ws(&content[colon + 1..]).to_vec(), start));
        }
    }
    if let Some((name, value, from)) = current.take() {
        let end = header.len() - trailing_blank(header);
        out.push((name, value, &header[from..end.max(from)]));
    }
    let _ = start;
    out
}

fn trailing_blank(header: &[u8]) -> usize {
    if header.ends_with(b"\r\n\r\n") {
        2
    } else if header.ends_with(b"\n\n") {
        1
    } else {
        0
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && (line[end - 1] == b'\n' || line[end - 1] == b'\r') {
        end -= 1;
    }
    &line[..end]
}

fn trim_ws(v: &[u8]) -> &[u8] {
    let s = v.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(v.len());
    let e = v.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(s, |e| e + 1);
    &v[s..e.max(s)]
}

pub fn header_value<'a>(fields: &'a [(String, Vec<u8>, &[u8])], name: &str) -> Option<&'a [u8]> {
    fields.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)).map(|(_, v, _)| v.as_slice())
}

/// `BODY[HEADER.FIELDS (..)]`: the matching field lines plus the blank line.
pub fn header_fields(header: &[u8], names: &[String], not: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, _, raw) in fields(header) {
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(&name));
        if listed != not {
            out.extend_from_slice(raw);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// ENVELOPE (RFC 9051 §7.5.2).
pub fn envelope(raw: &[u8], utf8: bool) -> Vec<u8> {
    let (header, _) = split(raw);
    let f = fields(header);
    let mut out = b"(".to_vec();
    for (i, name) in ["Date", "Subject"].iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        response::nstring(&mut out, header_value(&f, name), utf8);
    }
    let from = header_value(&f, "From");
    for name in ["From", "Sender", "Reply-To", "To", "Cc", "Bcc"] {
        out.push(b' ');
        // Sender and Reply-To default to From (RFC 9051 §7.5.2).
        let value = header_value(&f, name).or(if matches!(name, "Sender" | "Reply-To") { from } else { None });
        addresses(&mut out, value, utf8);
    }
    for name in ["In-Reply-To", "Message-ID"] {
        out.push(b' ');
        response::nstring(&mut out, header_value(&f, name), utf8);
    }
    out.push(b')');
    out
}

/// An address list: `((name NIL mailbox host) ...)` or NIL. Groups are flattened.
fn addresses(out: &mut Vec<u8>, value: Option<&[u8]>, utf8: bool) {
    let Some(value) = value else {
        out.extend_from_slice(b"NIL");
        return;
    };
    let text = String::from_utf8_lossy(value);
    let mut items = Vec::new();
    for part in split_addresses(&text) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (name, addr) = match (part.rfind('<'), part.rfind('>')) {
            (Some(a), Some(b)) if a < b => {
                let name = part[..a].trim().trim_matches('"').trim();
                (if name.is_empty() { None } else { Some(name.to_string()) }, part[a + 1..b].trim().to_string())
            }
            _ => (None, part.to_string()),
        };
        let (local, host) = addr.rsplit_once('@').map_or((addr.clone(), None), |(l, h)| (l.to_string(), Some(h.to_string())));
        let mut item = b"(".to_vec();
        response::nstring(&mut item, name.as_deref().map(str::as_bytes), utf8);
        item.extend_from_slice(b" NIL ");
        response::string(&mut item, local.as_bytes(), utf8);
        item.push(b' ');
        response::nstring(&mut item, host.as_deref().map(str::as_bytes), utf8);
        item.push(b')');
        items.push(item);
        if items.len() >= 1000 {
            break;
        }
    }
    if items.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for item in items {
        out.extend_from_slice(&item);
    }
    out.push(b')');
}

/// Splits on commas outside quotes and angle brackets.
fn split_addresses(text: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut angle) = (Vec::new(), String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            ',' if !quoted && !angle => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] =
        b"From: Alice <alice@example.org>\r\nTo: bob@example.org, \"C, D\" <cd@x.y>\r\nSubject: hi\r\n there\r\n\r\nbody\r\n";

    #[test]
    fn header_and_fields() {
        let (h, b) = split(MSG);
        assert_eq!(b, b"body\r\n");
        assert_eq!(header_fields(h, &["subject".into()], false), b"Subject: hi\r\n there\r\n\r\n");
        let env = String::from_utf8(envelope(MSG, false)).unwrap();
        assert!(env.starts_with("(NIL \"hi there\" ((\"Alice\" NIL \"alice\" \"example.org\"))"), "{env}");
        assert!(env.contains("((NIL NIL \"bob\" \"example.org\")(\"C, D\" NIL \"cd\" \"x.y\"))"), "{env}");
    }
}
