//! Mailbox commands: SELECT/EXAMINE (RFC 9051 §6.3.2-3), CREATE, DELETE, RENAME,
//! SUBSCRIBE/UNSUBSCRIBE, LIST/LSUB with LIST-EXTENDED (RFC 5258), SPECIAL-USE (RFC 6154)
//! and LIST-STATUS (RFC 5819), STATUS (with STATUS=SIZE, RFC 8438), APPEND (UIDPLUS
//! APPENDUID, RFC 4315).

use crate::parser::{ListOptions, StatusItem};
use crate::response;
use crate::selected::Selected;
use crate::session::{Done, Session, State};
use crate::uid_list::UidList;
use sigillo_store::mailstore::{MailboxInfo, NewMessage};
use std::collections::HashMap;

impl Session {
    pub async fn select(&mut self, mailbox: &str, read_only: bool) -> Done {
        // Leaving a selected mailbox first (RFC 9051 §6.3.2); CLOSED with QRESYNC.
        if matches!(self.state, State::Selected(_)) {
            self.state = State::Authenticated;
            if self.qresync {
                self.conn.write(b"* OK [CLOSED] Previous mailbox closed\r\n");
            }
        }
        self.merge_spool().await;
        let name = mailbox.to_string();
        // Only UIDs and the first unseen one: no counts, no flags, no message bytes.
        let view = match self.with_store(move |s| s.select_view(&name)).await {
            Ok(Some(view)) => view,
            Ok(None) => return Done::no("[NONEXISTENT] No such mailbox"),
            Err(e) => return e.done(),
        };
        let mut out = Vec::new();
        out.extend_from_slice(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n");
        out.extend_from_slice(format!("* {} EXISTS\r\n", view.uids.len()).as_bytes());
        if !read_only {
            out.extend_from_slice(b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted\r\n");
        } else {
            out.extend_from_slice(b"* OK [PERMANENTFLAGS ()] Read-only mailbox\r\n");
        }
        out.extend_from_slice(format!("* OK [UIDVALIDITY {}] UIDs valid\r\n", view.uidvalidity).as_bytes());
        out.extend_from_slice(format!("* OK [UIDNEXT {}] Predicted next UID\r\n", view.uidnext).as_bytes());
        out.extend_from_slice(format!("* OK [HIGHESTMODSEQ {}] Highest\r\n", view.highest_modseq).as_bytes());
        // RFC 3501 clients expect RECENT and UNSEEN; rev2 clients ignore them.
        out.extend_from_slice(b"* 0 RECENT\r\n");
        if let Some(index) = view.first_unseen.and_then(|uid| view.uids.binary_search(&uid).ok()) {
            out.extend_from_slice(format!("* OK [UNSEEN {}] First unseen\r\n", index + 1).as_bytes());
        }
        // RFC 9051 §6.3.2: a LIST response with the mailbox's canonical name.
        out.extend_from_slice(b"* LIST () \"/\" ");
        response::mailbox(&mut out, &view.name, self.utf8);
        out.extend_from_slice(b"\r\n");
        self.conn.write(&out);
        self.state = State::Selected(Selected {
            name: view.name,
            read_only,
            uidvalidity: view.uidvalidity,
            uids: UidList::from_sorted(&view.uids),
            flags: HashMap::new(),
            watermark: view.highest_modseq,
        });
        Done::ok(if read_only { "[READ-ONLY] EXAMINE completed" } else { "[READ-WRITE] SELECT completed" })
    }

    pub async fn create(&mut self, name: &str) -> Done {
        let name = name.trim_end_matches('/').to_string();
        match self.with_store(move |s| s.create_mailbox(&name)).await {
            Ok(_) => Done::ok(""),
            Err(e) => e.done(),
        }
    }

    pub async fn delete(&mut self, name: &str) -> Done {
        if let State::Selected(sel) = &self.state
            && sel.name == sigillo_store::mailstore::canonical_name(name)
        {
            self.state = State::Authenticated;
        }
        let name = name.to_string();
        match self.with_store(move |s| s.delete_mailbox(&name)).await {
            Ok(()) => Done::ok(""),
            Err(e) => e.done(),
        }
    }

    pub async fn rename(&mut self, from: &str, to: &str) -> Done {
        let (from, to) = (from.to_string(), to.to_string());
        match self.with_store(move |s| s.rename_mailbox(&from, &to)).await {
            Ok(()) => Done::ok(""),
            Err(e) => e.done(),
        }
    }

    pub async fn subscribe(&mut self, name: &str, on: bool) -> Done {
        let name = name.to_string();
        match self.with_store(move |s| s.set_subscribed(&name, on)).await {
            Ok(()) => Done::ok(""),
            Err(e) => e.done(),
        }
    }

    pub async fn list(&mut self, reference: &str, patterns: &[String], options: &ListOptions, lsub: bool) -> Done {
        // RFC 9051 §6.3.9: an empty pattern asks for the delimiter only.
        if patterns.len() == 1 && patterns[0].is_empty() {
            self.conn.write(b"* LIST (\\Noselect) \"/\" \"\"\r\n");
            return Done::ok("");
        }
        let all = match self.with_store(|s| s.list_mailboxes()).await {
            Ok(all) => all,
            Err(e) => return e.done(),
        };
        let verb = if lsub { "LSUB" } else { "LIST" };
        let mut out = Vec::new();
        let mut status_of = Vec::new();
        for mb in &all {
            let full_patterns: Vec<String> = patterns.iter().map(|p| format!("{reference}{p}")).collect();
            if !full_patterns.iter().any(|p| matches(p, &mb.name)) {
                continue;
            }
            if (lsub || options.subscribed) && !mb.subscribed {
                continue;
            }
            if options.special_use && mb.special_use.is_none() {
                continue;
            }
            let mut attrs: Vec<String> = Vec::new();
            let has_children = all.iter().any(|o| o.name.starts_with(&format!("{}/", mb.name)));
            attrs.push(if has_children { "\\HasChildren".into() } else { "\\HasNoChildren".into() });
            if mb.subscribed && (options.subscribed || options.return_subscribed) {
                attrs.push("\\Subscribed".into());
            }
            if let Some(su) = &mb.special_use {
                attrs.push(su.clone());
            }
            out.extend_from_slice(format!("* {verb} ({}) \"/\" ", attrs.join(" ")).as_bytes());
            response::mailbox(&mut out, &mb.name, self.utf8);
            out.extend_from_slice(b"\r\n");
            if let Some(items) = &options.return_status {
                status_of.push(status_line(mb, items, self.utf8));
            }
        }
        self.conn.write(&out);
        for line in status_of {
            self.conn.write(&line);
        }
        Done::ok("")
    }

    pub async fn status(&mut self, mailbox: &str, items: &[StatusItem]) -> Done {
        let name = mailbox.to_string();
        match self.with_store(move |s| s.mailbox(&name)).await {
            Ok(Some(info)) => {
                let line = status_line(&info, items, self.utf8);
                self.conn.write(&line);
                Done::ok("")
            }
            Ok(None) => Done::no("[NONEXISTENT] No such mailbox"),
            Err(e) => e.done(),
        }
    }

    pub async fn append(&mut self, mailbox: &str, flags: Vec<String>, date: Option<String>, message: Vec<u8>) -> Done {
        if message.len() as u64 > self.server.max_message_size {
            return Done::no("[TOOBIG] Message too large");
        }
        if message.is_empty() {
            return Done::no("Empty message");
        }
        let internal_date = match date.as_deref().map(parse_date_time) {
            None => sigillo_core::clock::unix_now(),
            Some(Some(t)) => t,
            Some(None) => return Done::bad("Bad date-time (expected \"dd-Mon-yyyy hh:mm:ss +zzzz\")"),
        };
        if flags.iter().any(|f| f.eq_ignore_ascii_case("\\Recent")) {
            return Done::bad("\\Recent cannot be set");
        }
        let name = mailbox.to_string();
        let appended = self
            .with_store(move |s| {
                if s.mailbox(&name)?.is_none() {
                    return Ok(None);
                }
                s.append(&name, NewMessage { raw: &message, flags: &flags, internal_date }).map(Some)
            })
            .await;
        match appended {
            Ok(Some(a)) => Done::ok(format!("[APPENDUID {} {}] APPEND completed", a.uidvalidity, a.uid)),
            Ok(None) => Done::no("[TRYCREATE] No such mailbox"),
            Err(e) => e.done(),
        }
    }
}

fn status_line(info: &MailboxInfo, items: &[StatusItem], utf8: bool) -> Vec<u8> {
    let values: Vec<String> = items
        .iter()
        .map(|item| match item {
            StatusItem::Messages => format!("MESSAGES {}", info.messages),
            StatusItem::UidNext => format!("UIDNEXT {}", info.uidnext),
            StatusItem::UidValidity => format!("UIDVALIDITY {}", info.uidvalidity),
            StatusItem::Unseen => format!("UNSEEN {}", info.unseen),
            // Counting \Deleted needs a flag scan the store does not offer yet: 0 is a
            // lower bound; clients use it as a hint only.
            StatusItem::Deleted => "DELETED 0".to_string(),
            StatusItem::Size => format!("SIZE {}", info.size),
            StatusItem::Recent => "RECENT 0".to_string(),
            StatusItem::HighestModSeq => format!("HIGHESTMODSEQ {}", info.highest_modseq),
        })
        .collect();
    let mut out = b"* STATUS ".to_vec();
    response::mailbox(&mut out, &info.name, utf8);
    out.extend_from_slice(format!(" ({})\r\n", values.join(" ")).as_bytes());
    out
}

/// LIST wildcards (RFC 9051 §6.3.9): `*` matches anything, `%` anything but the
/// delimiter. INBOX matches case-insensitively.
pub fn matches(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char], budget: &mut u32) -> bool {
        *budget = budget.saturating_sub(1);
        if *budget == 0 {
            return false;
        }
        match p.first() {
            None => n.is_empty(),
            Some('*') => (0..=n.len()).any(|i| go(&p[1..], &n[i..], budget)),
            Some('%') => (0..=n.len()).take_while(|&i| i == 0 || n[i - 1] != '/').any(|i| go(&p[1..], &n[i..], budget)),
            Some(c) => n.first() == Some(c) && go(&p[1..], &n[1..], budget),
        }
    }
    let pattern = if pattern.len() >= 5 && pattern[..5].eq_ignore_ascii_case("INBOX") {
        format!("INBOX{}", &pattern[5..])
    } else {
        pattern.to_string()
    };
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n, &mut 100_000)
}

/// `date-time` (RFC 9051 §9): `"dd-Mon-yyyy hh:mm:ss +zzzz"` → Unix seconds.
pub fn parse_date_time(text: &str) -> Option<i64> {
    let text = text.trim();
    let (date, rest) = text.split_once(' ')?;
    let (clock, zone) = rest.split_once(' ')?;
    let day = crate::parser::search::parse_date(date.trim().as_bytes())?;
    let mut hms = clock.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if zone.len() != 5 {
        return None;
    }
    let sign = match &zone[..1] {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let zh: i64 = zone[1..3].parse().ok()?;
    let zm: i64 = zone[3..5].parse().ok()?;
    Some(day * 86400 + h * 3600 + m * 60 + s - sign * (zh * 3600 + zm * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(matches("*", "a/b"));
        assert!(matches("%", "a"));
        assert!(!matches("%", "a/b"));
        assert!(matches("a/%", "a/b"));
        assert!(matches("inbox", "INBOX"));
        assert!(!matches("Sent", "Drafts"));
    }

    #[test]
    fn date_times() {
        assert_eq!(parse_date_time("01-Jan-1970 01:00:00 +0100"), Some(0));
        assert_eq!(parse_date_time(" 2-Jan-1970 00:00:00 +0000"), Some(86400));
        assert_eq!(parse_date_time("bad"), None);
    }
}
