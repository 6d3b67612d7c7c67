//! Modified UTF-7 mailbox names (RFC 3501 §5.1.3), as IMAP4rev1 clients send them:
//! printable ASCII stands for itself, `&-` is `&`, and `&...-` is UTF-16BE in base64
//! with `,` for `/` and no padding. Used to reject malformed names with a clear BAD.

/// Decodes a modified UTF-7 name; `None` when it is not well formed (an unterminated or
/// empty shift, bad base64, leftover bits, unpaired surrogates, printable ASCII that
/// should have been sent as itself, or octets outside printable ASCII).
pub fn decode(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(0x20..=0x7e).contains(&b) {
            return None;
        }
        if b != b'&' {
            out.push(b as char);
            i += 1;
            continue;
        }
        let end = i + 1 + bytes[i + 1..].iter().position(|&c| c == b'-')?;
        let encoded = &bytes[i + 1..end];
        i = end + 1;
        if encoded.is_empty() {
            out.push('&');
            continue;
        }
        out.push_str(&decode_shift(encoded)?);
    }
    Some(out)
}

fn decode_shift(encoded: &[u8]) -> Option<String> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut units = Vec::new();
    for &c in encoded {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b',' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 16 {
            nbits -= 16;
            units.push(u16::try_from((bits >> nbits) & 0xffff).ok()?);
        }
    }
    // Leftover bits must be fewer than 6 (RFC 2152) and zero.
    if nbits >= 6 || bits & ((1 << nbits) - 1) != 0 {
        return None;
    }
    let text: String = char::decode_utf16(units).collect::<Result<_, _>>().ok()?;
    // Printable ASCII must not be encoded.
    if text.chars().any(|c| (' '..='~').contains(&c)) {
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn valid_and_invalid_names() {
        assert_eq!(decode("INBOX").as_deref(), Some("INBOX"));
        assert_eq!(decode("Tom &- Jerry").as_deref(), Some("Tom & Jerry"));
        // RFC 3501 §5.1.3's example.
        assert_eq!(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").as_deref(), Some("~peter/mail/台北/日本語"));
        assert_eq!(decode("&AOk-t&AOk-").as_deref(), Some("été"));
        assert_eq!(decode("&2D3eAA-").as_deref(), Some("😀"));
        for bad in ["&Jjo", "Tom & Jerry", "&AGE-", "&AO*-", "&2D0-", "caf\u{e9}", "a\tb", "&AOl-"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
