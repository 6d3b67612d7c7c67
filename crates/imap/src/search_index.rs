//! The search index's vocabulary: character trigrams of exactly the texts that
//! [`crate::search_text`] compares against, lowercased the same way.
//!
//! RFC 9051 §6.4.4 makes BODY and TEXT substring matches, which a word index cannot
//! answer. A trigram index can narrow them: if the lowercased needle occurs in a
//! lowercased haystack, every trigram of the needle is a trigram of that haystack. So a
//! message missing one of the needle's trigrams cannot match, and every other message is
//! a candidate that SEARCH still verifies with [`crate::search_text`]. The index never
//! decides a match, it only skips messages that cannot match.
//!
//! Each trigram is written as the hex of its UTF-8 bytes (a `[0-9a-f]` word), so the
//! database's tokenizer never folds or splits it: all folding is Rust's `to_lowercase`,
//! the same call [`crate::search_text::Needle`] makes.

use crate::message;
use crate::search_text;
use std::collections::HashSet;
use std::fmt::Write as _;

/// A message with more distinct trigrams than this (large binary or base64 content) is
/// not indexed: it is always a candidate, which costs one read per SEARCH, while its
/// trigrams would cost more index than all its neighbours together.
pub const MAX_MESSAGE_GRAMS: usize = 20_000;

/// Trigrams of a needle used to query the index, at most: any subset narrows correctly,
/// a few well-spread ones narrow about as well as all of them.
const MAX_NEEDLE_GRAMS: usize = 12;

/// The index words of a message: the trigrams of every text BODY or TEXT could match
/// (the raw octets, and when decoding matters the decoded header values and body), or
/// `None` when the message has too many to be worth indexing.
pub fn message_grams(raw: &[u8]) -> Option<String> {
    let mut set: HashSet<[char; 3]> = HashSet::new();
    add_grams(&mut set, &String::from_utf8_lossy(raw))?;
    if search_text::needs_decoding(raw) {
        let (header, _) = message::split(raw);
        for (_, value, _) in message::fields(header) {
            add_grams(&mut set, &search_text::decode_header_value(&value))?;
        }
        if let Some(body) = search_text::decoded_text(raw) {
            add_grams(&mut set, &body)?;
        }
    }
    let mut out = String::with_capacity(set.len() * 7);
    for gram in set {
        if !out.is_empty() {
            out.push(' ');
        }
        write_gram(&mut out, &gram);
    }
    Some(out)
}

/// The index words a candidate must all have to possibly contain `needle`; empty when
/// the needle is too short to narrow anything (every message is then a candidate).
pub fn needle_grams(needle: &str) -> Vec<String> {
    let lower: Vec<char> = needle.to_lowercase().chars().collect();
    let mut seen = HashSet::new();
    let all: Vec<[char; 3]> = lower.windows(3).map(|w| [w[0], w[1], w[2]]).filter(|g| seen.insert(*g)).collect();
    let step = all.len().div_ceil(MAX_NEEDLE_GRAMS).max(1);
    all.iter()
        .step_by(step)
        .map(|g| {
            let mut s = String::new();
            write_gram(&mut s, g);
            s
        })
        .collect()
}

/// Adds the trigrams of `text` lowercased; `None` once the set is over the limit.
fn add_grams(set: &mut HashSet<[char; 3]>, text: &str) -> Option<()> {
    let lower: Vec<char> = text.to_lowercase().chars().collect();
    for w in lower.windows(3) {
        set.insert([w[0], w[1], w[2]]);
        if set.len() > MAX_MESSAGE_GRAMS {
            return None;
        }
    }
    Some(())
}

fn write_gram(out: &mut String, gram: &[char; 3]) {
    let mut buf = [0u8; 4];
    for c in gram {
        for b in c.encode_utf8(&mut buf).as_bytes() {
            let _ = write!(out, "{b:02x}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search_text::{Needle, body_matches, text_matches};

    /// Messages that exercise every path of `search_text`: plain, 8-bit, quoted-printable
    /// (with soft breaks), base64, charsets, encoded words, HTML, embedded messages, and
    /// case mappings that change length or depend on context.
    fn corpus() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = vec![
            b"Subject: Plain\r\nFrom: Ann <ann@example.org>\r\n\r\nThe Quick brown FOX, quokkazanzibar.\r\n".to_vec(),
            b"Subject: lf only\n\nline one\nline two\n".to_vec(),
            b"Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nSch=F6ne Gr=FC=DFe aus K=F6ln, ein sehr lan=\r\nges Wort=3D gleich\r\n".to_vec(),
            b"Subject: y\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nVGhlIFplYnJhIHNsZWVwcyDOn860zr/PgiDOo86jzqM=\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Hello <b>W&ouml;rld</b></p>\r\n--b--\r\n".to_vec(),
            "Subject: =?utf-8?q?Sch=C3=B6ne_Gr=C3=BC=C3=9Fe?= =?iso-8859-1?b?S/Zsbg==?=\r\n\r\nbody\r\n".as_bytes().to_vec(),
            "Subject: raw utf-8 ΟΔΟΣ İstanbul STRAẞE\r\n\r\nΚαλημέρα ΚΌΣΜΕ, İyi günler, Straße, 20 \u{212A}elvin, emoji 🦘🦘 done\r\n".as_bytes().to_vec(),
            b"Subject: latin1 raw\r\n\r\nK\xf6ln ohne charset \xff\xfe end\r\n".to_vec(),
            b"Subject: fwd\r\nContent-Type: message/rfc822\r\n\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nInner =C3=A9t=C3=A9 text\r\n".to_vec(),
            b"Subject: alt\r\nContent-Type: multipart/alternative; boundary=\"z\"\r\n\r\n--z\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=93quoted=94 =80 price\r\n--z--\r\n".to_vec(),
        ];
        // A large binary attachment: not indexed (always a candidate).
        let mut big = b"Subject: big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
        let mut x: u32 = 1;
        for i in 0..60_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            big.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(x >> 16) as usize % 64]);
            if i % 76 == 75 {
                big.extend_from_slice(b"\r\n");
            }
        }
        out.push(big);
        out
    }

    /// Every substring of 1 to 8 characters of the texts SEARCH compares against, as
    /// written and upper-cased, plus needles that occur nowhere.
    fn needles(raw: &[u8]) -> Vec<String> {
        let mut texts = vec![String::from_utf8_lossy(raw).into_owned()];
        texts.extend(search_text::decoded_text(raw));
        for (_, value, _) in message::fields(message::split(raw).0) {
            texts.push(search_text::decode_header_value(&value));
        }
        let mut out: Vec<String> = vec!["absent-word".into(), "zzq".into(), "ÖÖÖ".into()];
        for text in texts {
            let chars: Vec<char> = text.chars().collect();
            for len in 1..=8 {
                for w in chars.windows(len).step_by(if chars.len() > 400 { 7 } else { 1 }) {
                    let s: String = w.iter().collect();
                    out.push(s.to_uppercase());
                    out.push(s);
                }
            }
        }
        out
    }

    #[test]
    fn narrowing_never_loses_a_match() {
        let corpus = corpus();
        let mut matched = 0;
        let mut skipped = 0;
        for raw in &corpus {
            let Some(grams) = message_grams(raw) else {
                assert!(raw.len() > 50_000, "only the large binary message is left unindexed");
                continue;
            };
            let grams: HashSet<&str> = grams.split(' ').collect();
            for needle in
                needles(raw).iter().chain(corpus.iter().flat_map(|other| needles(other).into_iter().take(300)).collect::<Vec<_>>().iter())
            {
                let n = Needle::new(needle);
                let hit = body_matches(raw, &n) || text_matches(raw, &n);
                let wanted = needle_grams(needle);
                let candidate = wanted.iter().all(|g| grams.contains(g.as_str()));
                if hit {
                    matched += 1;
                    assert!(
                        candidate,
                        "needle {needle:?} matches {:?} but the index would skip it",
                        String::from_utf8_lossy(&raw[..60.min(raw.len())])
                    );
                } else if !candidate {
                    skipped += 1;
                }
            }
        }
        assert!(matched > 10_000, "the corpus exercised many matches ({matched})");
        assert!(skipped > 1_000, "and the index does narrow ({skipped} skipped)");
    }

    #[test]
    fn needle_grams_are_bounded_and_short_needles_do_not_narrow() {
        assert!(needle_grams("ab").is_empty());
        assert_eq!(needle_grams("abc"), vec!["616263"]);
        assert_eq!(needle_grams("ABC"), needle_grams("abc"));
        assert!(needle_grams(&"quokkazanzibar".repeat(10)).len() <= MAX_NEEDLE_GRAMS);
        assert_eq!(needle_grams("ÖÖÖ"), vec!["c3b6c3b6c3b6"]);
    }
}
