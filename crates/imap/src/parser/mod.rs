//! Our IMAP command parser (RFC 9051 §9 grammar, with the RFC 3501 forms rev1 clients
//! still send). [`reader`] assembles one command from the connection (lines, literals,
//! continuation requests, limits); [`parse_command`] turns it into a typed [`Command`].

pub mod cursor;
pub mod fetch;
pub mod reader;
pub mod search;

use crate::sequence::SequenceSet;
use cursor::Cursor;
pub use fetch::{FetchAttr, Section, SectionPart};
pub use search::SearchKey;
use zeroize::Zeroizing;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{0}")]
    Syntax(String),
    #[error("unknown command {0}")]
    Unknown(String),
}

/// A parsed command with its tag.
#[derive(Debug)]
pub struct Tagged {
    pub tag: String,
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusItem {
    Messages,
    UidNext,
    UidValidity,
    Unseen,
    Deleted,
    Size,
    Recent,
    HighestModSeq,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    Replace,
    Add,
    Remove,
}

/// `QRESYNC (uidvalidity modseq [known-uids] [(known-seqs known-uids)])` on SELECT or
/// EXAMINE (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QresyncParams {
    pub uidvalidity: u32,
    pub modseq: u64,
    pub known_uids: Option<SequenceSet>,
    /// The sequence-match data; parsed and validated, not needed by a server that keeps
    /// every expunged UID.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// LIST-EXTENDED (RFC 5258) options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    pub subscribed: bool,
    pub special_use: bool,
    pub return_subscribed: bool,
    pub return_children: bool,
    pub return_special_use: bool,
    pub return_status: Option<Vec<StatusItem>>,
}

#[derive(Debug)]
pub enum Command {
    Capability,
    Noop,
    Logout,
    StartTls,
    Login { user: String, password: Zeroizing<Vec<u8>> },
    Authenticate { mechanism: String, initial: Option<Zeroizing<Vec<u8>>> },
    Enable(Vec<String>),
    Id(Option<String>),
    Namespace,
    Select { mailbox: String, read_only: bool, condstore: bool, qresync: Option<QresyncParams> },
    Create(String),
    Delete(String),
    Rename { from: String, to: String },
    Subscribe(String),
    Unsubscribe(String),
    List { reference: String, patterns: Vec<String>, options: ListOptions, lsub: bool },
    Status { mailbox: String, items: Vec<StatusItem> },
    Append { mailbox: String, flags: Vec<String>, date: Option<String>, message: Vec<u8> },
    Idle,
    Check,
    Close,
    Unselect,
    Expunge { uids: Option<SequenceSet> },
    Fetch { uid: bool, set: SequenceSet, attrs: Vec<FetchAttr>, changed_since: Option<u64>, vanished: bool },
    Store { uid: bool, set: SequenceSet, mode: StoreMode, silent: bool, flags: Vec<String>, unchanged_since: Option<u64> },
    Copy { uid: bool, set: SequenceSet, mailbox: String, is_move: bool },
    Search { uid: bool, returns: Option<Vec<String>>, key: SearchKey },
    GetQuotaRoot(String),
    GetQuota(String),
}

impl Command {
    /// The name used in replies ("LOGIN completed").
    pub fn name(&self) -> &'static str {
        match self {
            Command::Capability => "CAPABILITY",
            Command::Noop => "NOOP",
            Command::Logout => "LOGOUT",
            Command::StartTls => "STARTTLS",
            Command::Login { .. } => "LOGIN",
            Command::Authenticate { .. } => "AUTHENTICATE",
            Command::Enable(_) => "ENABLE",
            Command::Id(_) => "ID",
            Command::Namespace => "NAMESPACE",
            Command::Select { read_only: false, .. } => "SELECT",
            Command::Select { .. } => "EXAMINE",
            Command::Create(_) => "CREATE",
            Command::Delete(_) => "DELETE",
            Command::Rename { .. } => "RENAME",
            Command::Subscribe(_) => "SUBSCRIBE",
            Command::Unsubscribe(_) => "UNSUBSCRIBE",
            Command::List { lsub: true, .. } => "LSUB",
            Command::List { .. } => "LIST",
            Command::Status { .. } => "STATUS",
            Command::Append { .. } => "APPEND",
            Command::Idle => "IDLE",
            Command::Check => "CHECK",
            Command::Close => "CLOSE",
            Command::Unselect => "UNSELECT",
            Command::Expunge { .. } => "EXPUNGE",
            Command::Fetch { .. } => "FETCH",
            Command::Store { .. } => "STORE",
            Command::Copy { is_move: false, .. } => "COPY",
            Command::Copy { .. } => "MOVE",
            Command::Search { .. } => "SEARCH",
            Command::GetQuotaRoot(_) => "GETQUOTAROOT",
            Command::GetQuota(_) => "GETQUOTA",
        }
    }
}

/// Parses the tag alone, so a command that fails to parse can still be answered with
/// its tag (RFC 9051 §7.1.5 BAD).
pub fn parse_tag(buf: &[u8]) -> Option<String> {
    let mut c = Cursor::new(buf);
    let tag = c.tag().ok()?.to_string();
    c.sp().ok()?;
    Some(tag)
}

/// Parses one complete command (without its final CRLF).
pub fn parse_command(buf: &[u8]) -> Result<Tagged, ParseError> {
    let mut c = Cursor::new(buf);
    let tag = c.tag()?.to_string();
    c.sp()?;
    let name = c.atom()?.to_ascii_uppercase();
    let command = match name.as_str() {
        "UID" => {
            c.sp()?;
            let sub = c.atom()?.to_ascii_uppercase();
            match sub.as_str() {
                "FETCH" => fetch(&mut c, true)?,
                "STORE" => store(&mut c, true)?,
                "COPY" => copy(&mut c, true, false)?,
                "MOVE" => copy(&mut c, true, true)?,
                "SEARCH" => search(&mut c, true)?,
                "EXPUNGE" => {
                    c.sp()?;
                    Command::Expunge { uids: Some(sequence_set(&mut c)?) }
                }
                _ => return Err(ParseError::Unknown(format!("UID {sub}"))),
            }
        }
        _ => command(&mut c, &name)?,
    };
    c.end()?;
    Ok(Tagged { tag, command })
}

fn command(c: &mut Cursor<'_>, name: &str) -> Result<Command, ParseError> {
    Ok(match name {
        "CAPABILITY" => Command::Capability,
        "NOOP" => Command::Noop,
        "LOGOUT" => Command::Logout,
        "STARTTLS" => Command::StartTls,
        "CHECK" => Command::Check,
        "CLOSE" => Command::Close,
        "UNSELECT" => Command::Unselect,
        "IDLE" => Command::Idle,
        "NAMESPACE" => Command::Namespace,
        "EXPUNGE" => Command::Expunge { uids: None },
        "LOGIN" => {
            c.sp()?;
            let user = String::from_utf8(c.astring()?).map_err(|_| c.error("user name is not UTF-8"))?;
            c.sp()?;
            Command::Login { user, password: Zeroizing::new(c.astring()?) }
        }
        "AUTHENTICATE" => {
            c.sp()?;
            let mechanism = c.atom()?.to_ascii_uppercase();
            // RFC 4959 SASL-IR: an initial response, `=` for an empty one.
            let initial = if c.eat(b' ') {
                let text = c.atom().or_else(|_| if c.eat(b'=') { Ok("=") } else { Err(c.error("expected an initial response")) })?;
                Some(Zeroizing::new(text.as_bytes().to_vec()))
            } else {
                None
            };
            Command::Authenticate { mechanism, initial }
        }
        "ENABLE" => {
            let mut caps = Vec::new();
            while c.eat(b' ') {
                caps.push(c.atom()?.to_ascii_uppercase());
            }
            if caps.is_empty() {
                return Err(c.error("ENABLE needs at least one capability"));
            }
            Command::Enable(caps)
        }
        "ID" => {
            // RFC 2971: `ID NIL` or a list of string pairs; we keep `name` and `version`.
            c.sp()?;
            let (mut name, mut version) = (None, None);
            if c.nstring().is_err() {
                c.expect(b'(')?;
                let mut n = 0;
                while !c.eat(b')') {
                    if n > 0 {
                        c.sp()?;
                    }
                    let field = c.string()?;
                    c.sp()?;
                    let value = c.nstring()?.map(|v| String::from_utf8_lossy(&v).into_owned());
                    if field.eq_ignore_ascii_case(b"name") {
                        name = value;
                    } else if field.eq_ignore_ascii_case(b"version") {
                        version = value;
                    }
                    n += 1;
                    if n > 30 {
                        return Err(c.error("too many ID fields"));
                    }
                }
            }
            Command::Id(name.map(|n| match version {
                Some(v) => format!("{n} {v}"),
                None => n,
            }))
        }
        "SELECT" | "EXAMINE" => {
            c.sp()?;
            let mailbox = c.utf8_astring("mailbox name")?;
            let (mut condstore, mut qresync) = (false, None);
            if c.eat(b' ') {
                // RFC 7162 §3.1.8 / §3.2.5: (CONDSTORE) or (QRESYNC (...)); either turns
                // CONDSTORE on.
                c.expect(b'(')?;
                loop {
                    match c.atom()?.to_ascii_uppercase().as_str() {
                        "CONDSTORE" => condstore = true,
                        "QRESYNC" => {
                            c.sp()?;
                            qresync = Some(qresync_params(c)?);
                            condstore = true;
                        }
                        other => return Err(c.error(&format!("unknown SELECT parameter {other}"))),
                    }
                    if c.eat(b')') {
                        break;
                    }
                    c.sp()?;
                }
            }
            Command::Select { mailbox, read_only: name == "EXAMINE", condstore, qresync }
        }
        "CREATE" => Command::Create(mailbox_arg(c)?),
        "DELETE" => Command::Delete(mailbox_arg(c)?),
        "SUBSCRIBE" => Command::Subscribe(mailbox_arg(c)?),
        "UNSUBSCRIBE" => Command::Unsubscribe(mailbox_arg(c)?),
        "GETQUOTAROOT" => Command::GetQuotaRoot(mailbox_arg(c)?),
        "GETQUOTA" => {
            c.sp()?;
            Command::GetQuota(String::from_utf8_lossy(&c.astring()?).into_owned())
        }
        "RENAME" => {
            let from = mailbox_arg(c)?;
            let to = mailbox_arg(c)?;
            Command::Rename { from, to }
        }
        "LIST" | "LSUB" => list(c, name == "LSUB")?,
        "STATUS" => {
            let mailbox = mailbox_arg(c)?;
            c.sp()?;
            let names = c.atom_list()?;
            let items = names
                .iter()
                .map(|n| status_item(n).ok_or_else(|| c.error(&format!("unknown STATUS item {n}"))))
                .collect::<Result<_, _>>()?;
            Command::Status { mailbox, items }
        }
        "APPEND" => {
            let mailbox = mailbox_arg(c)?;
            c.sp()?;
            let mut flags = Vec::new();
            if c.peek() == Some(b'(') {
                flags = c.atom_list()?;
                c.sp()?;
            }
            let mut date = None;
            if c.peek() == Some(b'"') {
                date = Some(String::from_utf8(c.string()?).map_err(|_| c.error("date is not ASCII"))?);
                c.sp()?;
            }
            let message = c.literal()?.to_vec();
            Command::Append { mailbox, flags, date, message }
        }
        "FETCH" => fetch(c, false)?,
        "STORE" => store(c, false)?,
        "COPY" => copy(c, false, false)?,
        "MOVE" => copy(c, false, true)?,
        "SEARCH" => search(c, false)?,
        other => return Err(ParseError::Unknown(other.to_string())),
    })
}

/// RFC 7162 §3.2.5: `(uidvalidity SP mod-sequence-value [SP known-uids]
/// [SP seq-match-data])`, seq-match-data = `(known-sequence-set SP known-uid-set)`.
fn qresync_params(c: &mut Cursor<'_>) -> Result<QresyncParams, ParseError> {
    c.expect(b'(')?;
    let uidvalidity = u32::try_from(c.number()?).ok().filter(|&n| n > 0).ok_or_else(|| c.error("bad UIDVALIDITY"))?;
    c.sp()?;
    let modseq = c.number()?;
    let (mut known_uids, mut seq_match) = (None, None);
    if c.eat(b' ') {
        if c.peek() != Some(b'(') {
            known_uids = Some(sequence_set(c)?);
            if c.eat(b' ') && c.peek() != Some(b'(') {
                return Err(c.error("expected sequence match data"));
            }
        }
        if c.eat(b'(') {
            let seqs = sequence_set(c)?;
            c.sp()?;
            let uids = sequence_set(c)?;
            c.expect(b')')?;
            seq_match = Some((seqs, uids));
        }
    }
    c.expect(b')')?;
    Ok(QresyncParams { uidvalidity, modseq, known_uids, seq_match })
}

fn mailbox_arg(c: &mut Cursor<'_>) -> Result<String, ParseError> {
    c.sp()?;
    c.utf8_astring("mailbox name")
}

fn status_item(name: &str) -> Option<StatusItem> {
    Some(match name.to_ascii_uppercase().as_str() {
        "MESSAGES" => StatusItem::Messages,
        "UIDNEXT" => StatusItem::UidNext,
        "UIDVALIDITY" => StatusItem::UidValidity,
        "UNSEEN" => StatusItem::Unseen,
        "DELETED" => StatusItem::Deleted,
        "SIZE" => StatusItem::Size,
        "RECENT" => StatusItem::Recent,
        "HIGHESTMODSEQ" => StatusItem::HighestModSeq,
        _ => return None,
    })
}

pub fn sequence_set(c: &mut Cursor<'_>) -> Result<SequenceSet, ParseError> {
    let start = c.rest();
    let len = start.iter().take_while(|b| b.is_ascii_digit() || matches!(b, b':' | b',' | b'*' | b'$')).count();
    let text = std::str::from_utf8(&start[..len]).map_err(|_| c.error("bad sequence set"))?;
    let set = SequenceSet::parse(text).ok_or_else(|| c.error("bad sequence set"))?;
    c.skip(len);
    Ok(set)
}

/// RFC 5258 §3: `LIST [(selection)] reference pattern|(patterns) [RETURN (options)]`.
fn list(c: &mut Cursor<'_>, lsub: bool) -> Result<Command, ParseError> {
    let mut options = ListOptions::default();
    c.sp()?;
    if !lsub && c.peek() == Some(b'(') {
        for opt in c.atom_list()? {
            match opt.to_ascii_uppercase().as_str() {
                "SUBSCRIBED" => options.subscribed = true,
                "SPECIAL-USE" => options.special_use = true,
                "REMOTE" | "RECURSIVEMATCH" => {}
                other => return Err(c.error(&format!("unknown LIST selection option {other}"))),
            }
        }
        c.sp()?;
    }
    let reference = String::from_utf8(c.astring()?).map_err(|_| c.error("reference is not UTF-8"))?;
    c.sp()?;
    let mut patterns = Vec::new();
    if !lsub && c.eat(b'(') {
        loop {
            patterns.push(c.list_mailbox()?);
            if c.eat(b')') {
                break;
            }
            c.sp()?;
            if patterns.len() > 100 {
                return Err(c.error("too many patterns"));
            }
        }
    } else {
        patterns.push(c.list_mailbox()?);
    }
    if !lsub && c.eat(b' ') {
        let word = c.atom()?;
        if !word.eq_ignore_ascii_case("RETURN") {
            return Err(c.error("expected RETURN"));
        }
        c.sp()?;
        c.expect(b'(')?;
        let mut first = true;
        while !c.eat(b')') {
            if !first {
                c.sp()?;
            }
            first = false;
            match c.atom()?.to_ascii_uppercase().as_str() {
                "SUBSCRIBED" => options.return_subscribed = true,
                "CHILDREN" => options.return_children = true,
                "SPECIAL-USE" => options.return_special_use = true,
                "STATUS" => {
                    c.sp()?;
                    let names = c.atom_list()?;
                    let items =
                        names.iter().map(|n| status_item(n).ok_or_else(|| c.error("unknown STATUS item"))).collect::<Result<_, _>>()?;
                    options.return_status = Some(items);
                }
                other => return Err(c.error(&format!("unknown LIST return option {other}"))),
            }
        }
    }
    Ok(Command::List { reference, patterns, options, lsub })
}

fn store(c: &mut Cursor<'_>, uid: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let set = sequence_set(c)?;
    c.sp()?;
    let mut unchanged_since = None;
    if c.eat(b'(') {
        // RFC 7162 §3.1.3: (UNCHANGEDSINCE n)
        let word = c.atom()?;
        if !word.eq_ignore_ascii_case("UNCHANGEDSINCE") {
            return Err(c.error("unknown STORE modifier"));
        }
        c.sp()?;
        unchanged_since = Some(c.number()?);
        c.expect(b')')?;
        c.sp()?;
    }
    let item = c.atom()?.to_ascii_uppercase();
    let (mode, rest) = match item.as_bytes().first() {
        Some(b'+') => (StoreMode::Add, &item[1..]),
        Some(b'-') => (StoreMode::Remove, &item[1..]),
        _ => (StoreMode::Replace, &item[..]),
    };
    let silent = match rest {
        "FLAGS" => false,
        "FLAGS.SILENT" => true,
        _ => return Err(c.error("expected FLAGS, +FLAGS or -FLAGS")),
    };
    c.sp()?;
    let flags = if c.peek() == Some(b'(') {
        c.atom_list()?
    } else {
        let mut flags = vec![c.flag()?];
        while c.eat(b' ') {
            flags.push(c.flag()?);
        }
        flags
    };
    Ok(Command::Store { uid, set, mode, silent, flags, unchanged_since })
}

fn copy(c: &mut Cursor<'_>, uid: bool, is_move: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let set = sequence_set(c)?;
    let mailbox = mailbox_arg(c)?;
    Ok(Command::Copy { uid, set, mailbox, is_move })
}

fn fetch(c: &mut Cursor<'_>, uid: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let set = sequence_set(c)?;
    c.sp()?;
    let attrs = fetch::attributes(c)?;
    let mut changed_since = None;
    let mut vanished = false;
    if c.eat(b' ') {
        // RFC 7162 §3.1.4 / §3.2.6: (CHANGEDSINCE n [VANISHED])
        c.expect(b'(')?;
        let mut first = true;
        while !c.eat(b')') {
            if !first {
                c.sp()?;
            }
            first = false;
            match c.atom()?.to_ascii_uppercase().as_str() {
                "CHANGEDSINCE" => {
                    c.sp()?;
                    changed_since = Some(c.number()?);
                }
                "VANISHED" => vanished = true,
                other => return Err(c.error(&format!("unknown FETCH modifier {other}"))),
            }
        }
    }
    Ok(Command::Fetch { uid, set, attrs, changed_since, vanished })
}

fn search(c: &mut Cursor<'_>, uid: bool) -> Result<Command, ParseError> {
    c.sp()?;
    let mut returns = None;
    // RFC 4731 §3: SEARCH RETURN (MIN MAX COUNT ALL)
    if c.rest().len() >= 7 && c.rest()[..7].eq_ignore_ascii_case(b"RETURN ") {
        c.atom()?;
        c.sp()?;
        let list = c.atom_list()?;
        returns = Some(list.into_iter().map(|s| s.to_ascii_uppercase()).collect());
        c.sp()?;
    }
    if c.rest().len() >= 8 && c.rest()[..8].eq_ignore_ascii_case(b"CHARSET ") {
        c.atom()?;
        c.sp()?;
        let charset = c.astring()?;
        if !charset.eq_ignore_ascii_case(b"UTF-8") && !charset.eq_ignore_ascii_case(b"US-ASCII") {
            return Err(ParseError::Syntax("[BADCHARSET (UTF-8 US-ASCII)] unsupported charset".into()));
        }
        c.sp()?;
    }
    let key = search::keys(c)?;
    Ok(Command::Search { uid, returns, key })
}

#[cfg(test)]
mod tests;
