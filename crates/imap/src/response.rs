//! Building responses (RFC 9051 §7): strings as atoms, quoted strings or literals as
//! their content requires, and the status-response shapes.

/// Appends `value` as an IMAP string: quoted when it is short 7-bit text without CR/LF,
/// otherwise a literal (8-bit data, CR/LF, or long values). `utf8` says the client
/// enabled UTF8=ACCEPT (RFC 9051 §6.3.1), which allows UTF-8 in quoted strings.
pub fn string(out: &mut Vec<u8>, value: &[u8], utf8: bool) {
    let quotable = value.len() <= 1024
        && value.iter().all(|&b| b != b'\r' && b != b'\n' && b != 0 && (b < 0x80 || utf8))
        && (!utf8 || std::str::from_utf8(value).is_ok());
    if quotable {
        out.push(b'"');
        for &b in value {
            if b == b'"' || b == b'\\' {
                out.push(b'\\');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        literal(out, value);
    }
}

pub fn literal(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(format!("{{{}}}\r\n", value.len()).as_bytes());
    out.extend_from_slice(value);
}

/// `nstring`: NIL for absent values.
pub fn nstring(out: &mut Vec<u8>, value: Option<&[u8]>, utf8: bool) {
    match value {
        Some(v) => string(out, v, utf8),
        None => out.extend_from_slice(b"NIL"),
    }
}

/// A mailbox name: UTF-8 as it is for IMAP4rev2 and UTF8=ACCEPT sessions (RFC 9051 §5.1),
/// modified UTF-7 for IMAP4rev1 ones (RFC 3501 §5.1.3).
pub fn mailbox(out: &mut Vec<u8>, name: &str, utf8: bool) {
    if utf8 { string(out, name.as_bytes(), true) } else { string(out, crate::mutf7::encode(name).as_bytes(), false) }
}

pub fn tagged(tag: &str, status: &str, text: &str) -> Vec<u8> {
    format!("{tag} {status} {}\r\n", clean(text)).into_bytes()
}

pub fn untagged(text: &str) -> Vec<u8> {
    format!("* {text}\r\n").into_bytes()
}

/// Keeps response text on one line whatever an error message contains.
pub fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(value: &[u8], utf8: bool) -> String {
        let mut out = Vec::new();
        string(&mut out, value, utf8);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn quoting_and_literals() {
        assert_eq!(s(b"plain", false), "\"plain\"");
        assert_eq!(s(b"a\"b\\c", false), "\"a\\\"b\\\\c\"");
        assert_eq!(s(b"two\r\nlines", false), "{10}\r\ntwo\r\nlines");
        assert_eq!(s("café".as_bytes(), false), "{5}\r\ncafé");
        assert_eq!(s("café".as_bytes(), true), "\"café\"");
        assert_eq!(s(b"\xff", true), "{1}\r\n\u{fffd}");
        assert_eq!(String::from_utf8(tagged("a1", "BAD", "bad\r\nthing")).unwrap(), "a1 BAD bad  thing\r\n");
    }
}
