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
