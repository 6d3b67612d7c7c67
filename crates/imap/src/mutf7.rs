//! Modified UTF-7 mailbox names (RFC 3501 §5.1.3), as IMAP4rev1 clients send them:
//! printable ASCII stands for itself, `&-` is `&`, and `&...-` is UTF-16BE in base64
//! with `,` for `/` and no padding. Names are kept in UTF-8 in the store: an IMAP4rev1
//! session's names are decoded on the way in and encoded on the way out, so a rev1 and a
//! rev2 client (or one with UTF8=ACCEPT) see the same folder.

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

/// Encodes a UTF-8 name as modified UTF-7 (RFC 3501 §5.1.3): printable ASCII as itself
/// (`&` as `&-`), every run of other characters as one `&...-` shift of UTF-16BE in
/// modified base64.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush_shift(&mut out, &mut run);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            run.extend_from_slice(c.encode_utf16(&mut [0; 2]));
        }
    }
    flush_shift(&mut out, &mut run);
    out
}

fn flush_shift(out: &mut String, run: &mut Vec<u16>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    if run.is_empty() {
        return;
    }
    let bytes: Vec<u8> = run.drain(..).flat_map(u16::to_be_bytes).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        // 3 bytes -> 4 digits, 2 -> 3, 1 -> 2; no padding.
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize]));
        }
    }
    out.push('-');
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
    use super::{decode, encode};

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

    #[test]
    fn encoding_round_trips() {
        assert_eq!(encode("INBOX"), "INBOX");
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(encode("~peter/mail/台北/日本語"), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(encode("été"), "&AOk-t&AOk-");
        assert_eq!(encode("😀"), "&2D3eAA-");
        for name in ["Brouillons/Été 2026", "Отправленные", "مسودات", "a&b/ü&-", "ÿ", "日本", "日本語x"] {
            assert_eq!(decode(&encode(name)).as_deref(), Some(name), "{name}");
        }
    }
}
