//! SEARCH keys (RFC 9051 §6.4.4), with NOT, OR and parenthesised groups nested at most
//! [`super::cursor::MAX_DEPTH`] deep.

use super::ParseError;
use super::cursor::{Cursor, MAX_DEPTH};
use crate::sequence::SequenceSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKey {
    All,
    And(Vec<SearchKey>),
    Or(Box<SearchKey>, Box<SearchKey>),
    Not(Box<SearchKey>),
    /// Flag present (`SEEN`, `KEYWORD x`) or absent (`UNSEEN`, `UNKEYWORD x`).
    Flag {
        flag: String,
        set: bool,
    },
    /// A header contains a string (`FROM`, `SUBJECT`, `HEADER name value`).
    Header {
        name: String,
        value: String,
    },
    Body(String),
    Text(String),
    /// Internal date compared by day: Before/On/Since; sent date with `sent`.
    Date {
        cmp: DateCmp,
        day: i64,
        sent: bool,
    },
    Larger(u64),
    Smaller(u64),
    Uid(SequenceSet),
    Seq(SequenceSet),
    ModSeq(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateCmp {
    Before,
    On,
    Since,
}

/// The keys of a SEARCH command: an implicit AND of one or more keys.
pub fn keys(c: &mut Cursor<'_>) -> Result<SearchKey, ParseError> {
    let mut all = vec![key(c, 0)?];
    while c.eat(b' ') {
        all.push(key(c, 0)?);
        if all.len() > 256 {
            return Err(c.error("too many search keys"));
        }
    }
    Ok(if all.len() == 1 { all.remove(0) } else { SearchKey::And(all) })
}

fn text(c: &mut Cursor<'_>) -> Result<String, ParseError> {
    c.sp()?;
    String::from_utf8(c.astring()?).map_err(|_| ParseError::Syntax("[BADCHARSET (UTF-8)] search text is not UTF-8".into()))
}

fn key(c: &mut Cursor<'_>, depth: usize) -> Result<SearchKey, ParseError> {
    if depth > MAX_DEPTH {
        return Err(c.error("search keys nested too deeply"));
    }
    if c.eat(b'(') {
        let mut inner = vec![key(c, depth + 1)?];
        while c.eat(b' ') {
            inner.push(key(c, depth + 1)?);
            if inner.len() > 256 {
                return Err(c.error("too many search keys"));
            }
        }
        c.expect(b')')?;
        return Ok(if inner.len() == 1 { inner.remove(0) } else { SearchKey::And(inner) });
    }
    if c.peek().is_some_and(|b| b.is_ascii_digit() || b == b'*' || b == b'$') {
        return Ok(SearchKey::Seq(super::sequence_set(c)?));
    }
    let word = c.atom()?.to_ascii_uppercase();
    let flag = |f: &str, set: bool| SearchKey::Flag { flag: f.to_string(), set };
    let header = |name: &str, value: String| SearchKey::Header { name: name.to_string(), value };
    Ok(match word.as_str() {
        "ALL" => SearchKey::All,
        "ANSWERED" => flag("\\Answered", true),
        "DELETED" => flag("\\Deleted", true),
        "DRAFT" => flag("\\Draft", true),
        "FLAGGED" => flag("\\Flagged", true),
        "SEEN" => flag("\\Seen", true),
        "UNANSWERED" => flag("\\Answered", false),
        "UNDELETED" => flag("\\Deleted", false),
        "UNDRAFT" => flag("\\Draft", false),
        "UNFLAGGED" => flag("\\Flagged", false),
        "UNSEEN" => flag("\\Seen", false),
        "NEW" => flag("\\Seen", false),
        // No session-recent messages in IMAP4rev2 (RFC 9051 §2.3.2): OLD is all, RECENT none.
        "OLD" => SearchKey::All,
        "RECENT" => SearchKey::Not(Box::new(SearchKey::All)),
        "KEYWORD" | "UNKEYWORD" => {
            c.sp()?;
            let k = c.atom()?.to_string();
            SearchKey::Flag { flag: k, set: word == "KEYWORD" }
        }
        "FROM" => header("From", text(c)?),
        "TO" => header("To", text(c)?),
        "CC" => header("Cc", text(c)?),
        "BCC" => header("Bcc", text(c)?),
        "SUBJECT" => header("Subject", text(c)?),
        "HEADER" => {
            let name = text(c)?;
            let value = text(c)?;
            SearchKey::Header { name, value }
        }
        "BODY" => SearchKey::Body(text(c)?),
        "TEXT" => SearchKey::Text(text(c)?),
        "BEFORE" | "ON" | "SINCE" | "SENTBEFORE" | "SENTON" | "SENTSINCE" => {
            c.sp()?;
            let raw = c.astring()?;
            let day = parse_date(&raw).ok_or_else(|| c.error("bad date (expected d-Mon-yyyy)"))?;
            let cmp = match word.trim_start_matches("SENT") {
                "BEFORE" => DateCmp::Before,
                "ON" => DateCmp::On,
                _ => DateCmp::Since,
            };
            SearchKey::Date { cmp, day, sent: word.starts_with("SENT") }
        }
        "LARGER" | "SMALLER" => {
            c.sp()?;
            let n = c.number()?;
            if word == "LARGER" { SearchKey::Larger(n) } else { SearchKey::Smaller(n) }
        }
        "UID" => {
            c.sp()?;
            SearchKey::Uid(super::sequence_set(c)?)
        }
        "NOT" => {
            c.sp()?;
            SearchKey::Not(Box::new(key(c, depth + 1)?))
        }
        "OR" => {
            c.sp()?;
            let a = key(c, depth + 1)?;
            c.sp()?;
            let b = key(c, depth + 1)?;
            SearchKey::Or(Box::new(a), Box::new(b))
        }
        "MODSEQ" => {
            // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type] n
            c.sp()?;
            if c.peek() == Some(b'"') {
                c.astring()?;
                c.sp()?;
                c.atom()?;
                c.sp()?;
            }
            SearchKey::ModSeq(c.number()?)
        }
        other => return Err(c.error(&format!("unknown search key {other}"))),
    })
}

/// `date` (RFC 9051 §9): `d-Mon-yyyy` → days since 1970-01-01.
pub fn parse_date(raw: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut parts = text.split('-');
    let day: u8 = parts.next()?.parse().ok()?;
    let month = parse_month(parts.next()?)?;
    let year: i32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    Some((date - time::Date::from_calendar_date(1970, time::Month::January, 1).ok()?).whole_days())
}

pub fn parse_month(text: &str) -> Option<time::Month> {
    const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    let i = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(text))?;
    time::Month::try_from(i as u8 + 1).ok()
}
