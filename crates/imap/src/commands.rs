//! Message commands of the selected state: FETCH (RFC 9051 §6.4.5), STORE (§6.4.6, with
//! CONDSTORE UNCHANGEDSINCE, RFC 7162 §3.1.3), EXPUNGE and UID EXPUNGE (§6.4.3, RFC 4315),
//! COPY and MOVE (§6.4.7, RFC 6851, COPYUID), SEARCH with ESEARCH (RFC 4731).

use crate::message;
use crate::mime;
use crate::parser::search::DateCmp;
use crate::parser::{FetchAttr, SearchKey, SectionPart, StoreMode};
use crate::response;
use crate::search_index;
use crate::search_text::{self, Needle};
use crate::sequence::{SequenceSet, format_set};
use crate::session::{Done, Session, State};
use sigillo_store::derived::CachedEnvelope;
use sigillo_store::mailstore::{FlagOp, MessageMeta};

const MAX_FETCH_BATCH: usize = 200;

fn internal_date(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!("{:02}-{}-{:04} {:02}:{:02}:{:02} +0000", t.day(), MONTHS[t.month() as usize - 1], t.year(), t.hour(), t.minute(), t.second())
}

fn needs_raw(attrs: &[FetchAttr]) -> bool {
    attrs
        .iter()
        // ENVELOPE comes from the store's derived data (the message is read only for an
        // old message stored without it).
        .any(|a| {
            !matches!(
                a,
                FetchAttr::Flags
                    | FetchAttr::Uid
                    | FetchAttr::InternalDate
                    | FetchAttr::Rfc822Size
                    | FetchAttr::ModSeq
                    | FetchAttr::Envelope
            )
        })
}

fn sets_seen(attrs: &[FetchAttr]) -> bool {
    attrs.iter().any(|a| match a {
        FetchAttr::BodySection { peek, .. } | FetchAttr::Binary { peek, .. } => !peek,
        FetchAttr::Rfc822 | FetchAttr::Rfc822Text => true,
        _ => false,
    })
}

fn partial(data: &[u8], partial: Option<(u32, u32)>) -> (&[u8], Option<u32>) {
    match partial {
        None => (data, None),
        Some((offset, len)) => {
            let start = (offset as usize).min(data.len());
            let end = start.saturating_add(len as usize).min(data.len());
            (&data[start..end], Some(offset))
        }
    }
}

fn section_name(path: &[u32], part: &SectionPart) -> String {
    let mut s: Vec<String> = path.iter().map(u32::to_string).collect();
    match part {
        SectionPart::Full => {}
        SectionPart::Header => s.push("HEADER".into()),
        SectionPart::Text => s.push("TEXT".into()),
        SectionPart::Mime => s.push("MIME".into()),
        SectionPart::HeaderFields { fields, not } => {
            s.push(format!("{} ({})", if *not { "HEADER.FIELDS.NOT" } else { "HEADER.FIELDS" }, fields.join(" ")))
        }
    }
    s.join(".")
}

impl Session {
    fn selected(&self) -> Option<&crate::selected::Selected> {
        match &self.state {
            State::Selected(sel) => Some(sel),
            _ => None,
        }
    }

    pub async fn fetch(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        mut attrs: Vec<FetchAttr>,
        changed_since: Option<u64>,
        vanished: bool,
    ) -> Done {
        let Some(sel) = self.selected() else { return Done::bad("No mailbox selected") };
        if set.saved {
            return Done::bad("Saved search results ($) are not supported");
        }
        if !uid && sel.seq_out_of_range(set) {
            return Done::bad("Invalid message sequence number");
        }
        if vanished && (!uid || !self.qresync || changed_since.is_none()) {
            return Done::bad("VANISHED needs UID FETCH, QRESYNC and CHANGEDSINCE");
        }
        if uid && !attrs.contains(&FetchAttr::Uid) {
            attrs.insert(0, FetchAttr::Uid);
        }
        if (changed_since.is_some() || self.condstore) && changed_since.is_some() && !attrs.contains(&FetchAttr::ModSeq) {
            attrs.push(FetchAttr::ModSeq);
        }
        let ranges = sel.uid_ranges(uid, set);
        let (name, read_only) = (sel.name.clone(), sel.read_only);
        let mark_seen = sets_seen(&attrs) && !read_only;
        let want_raw = needs_raw(&attrs);
        let want_envelope = attrs.contains(&FetchAttr::Envelope);
        if vanished && let Some(since) = changed_since {
            let n = name.clone();
            let r = ranges.clone();
            if let Ok(gone) = self.with_store(move |s| s.vanished_since(&n, since)).await {
                let gone: Vec<u32> = gone.into_iter().filter(|u| r.iter().any(|x| x.contains(u))).collect();
                if !gone.is_empty() {
                    self.conn.write(format!("* VANISHED (EARLIER) {}\r\n", format_set(&gone)).as_bytes());
                }
            }
        }
        let metas = {
            let (n, r) = (name.clone(), ranges.clone());
            match self.with_store(move |s| s.fetch_meta(&n, &r)).await {
                Ok(m) => m,
                Err(e) => return e.done(),
            }
        };
        let metas: Vec<MessageMeta> = metas.into_iter().filter(|m| changed_since.is_none_or(|c| m.modseq > c)).collect();
        for chunk in metas.chunks(MAX_FETCH_BATCH) {
            let mut chunk: Vec<MessageMeta> = chunk.to_vec();
            if mark_seen {
                let unseen: Vec<std::ops::RangeInclusive<u32>> =
                    chunk.iter().filter(|m| !m.flags.iter().any(|f| f == "\\Seen")).map(|m| m.uid..=m.uid).collect();
                if !unseen.is_empty() {
                    let n = name.clone();
                    if let Ok(stored) =
                        self.with_store(move |s| s.store_flags(&n, &unseen, FlagOp::Add, &["\\Seen".to_string()], None)).await
                    {
                        for updated in stored.updated {
                            if let Some(m) = chunk.iter_mut().find(|m| m.uid == updated.uid) {
                                *m = updated;
                            }
                        }
                        if !attrs.contains(&FetchAttr::Flags) {
                            attrs.push(FetchAttr::Flags);
                        }
                    }
                }
            }
            let envelopes: Vec<Option<CachedEnvelope>> = if want_envelope {
                let n = name.clone();
                let uids: Vec<u32> = chunk.iter().map(|m| m.uid).collect();
                match self.with_store(move |s| s.fetch_envelopes(&n, &uids)).await {
                    Ok(e) => e,
                    Err(e) => return e.done(),
                }
            } else {
                vec![None; chunk.len()]
            };
            let raws: Vec<Option<Vec<u8>>> = {
                // Every message when an attribute needs its bytes; otherwise only those
                // whose ENVELOPE was not stored.
                let wanted: Vec<Option<u32>> =
                    chunk.iter().zip(&envelopes).map(|(m, e)| (want_raw || (want_envelope && e.is_none())).then_some(m.uid)).collect();
                if wanted.iter().any(Option::is_some) {
                    let n = name.clone();
                    match self
                        .with_store(move |s| {
                            wanted.iter().map(|u| u.map_or(Ok(None), |u| s.fetch_raw(&n, u))).collect::<Result<Vec<_>, _>>()
                        })
                        .await
                    {
                        Ok(r) => r,
                        Err(e) => return e.done(),
                    }
                } else {
                    vec![None; chunk.len()]
                }
            };
            for ((meta, raw), envelope) in chunk.iter().zip(raws).zip(&envelopes) {
                let Some(seq) = self.selected().and_then(|s| s.seq_of(meta.uid)) else { continue };
                let line = match self.fetch_line(seq, meta, raw.as_deref(), envelope.as_ref(), &attrs) {
                    Ok(line) => line,
                    Err(done) => return done,
                };
                if let State::Selected(sel) = &mut self.state {
                    sel.flags.insert(meta.uid, meta.flags.clone());
                }
                self.conn.write(&line);
            }
            if self.conn.flush().await.is_err() {
                return Done::no("Connection error");
            }
        }
        Done::ok("")
    }

    /// One `* n FETCH (...)` line; `Err` is the tagged reply that ends the command
    /// (RFC 3516 §4.3 UNKNOWN-CTE).
    fn fetch_line(
        &self,
        seq: u32,
        meta: &MessageMeta,
        raw: Option<&[u8]>,
        envelope: Option<&CachedEnvelope>,
        attrs: &[FetchAttr],
    ) -> Result<Vec<u8>, Done> {
        let utf8 = self.utf8;
        let mut out = format!("* {seq} FETCH (").into_bytes();
        let raw = raw.unwrap_or(&[]);
        // The MIME tree, parsed once per message and only when an attribute needs it.
        let cell = std::cell::OnceCell::new();
        let tree = || cell.get_or_init(|| mime::parse(raw));
        for (i, attr) in attrs.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            match attr {
                FetchAttr::Flags => out.extend_from_slice(format!("FLAGS ({})", meta.flags.join(" ")).as_bytes()),
                FetchAttr::Uid => out.extend_from_slice(format!("UID {}", meta.uid).as_bytes()),
                FetchAttr::InternalDate => {
                    out.extend_from_slice(format!("INTERNALDATE \"{}\"", internal_date(meta.internal_date)).as_bytes())
                }
                FetchAttr::Rfc822Size => out.extend_from_slice(format!("RFC822.SIZE {}", meta.size).as_bytes()),
                FetchAttr::ModSeq => out.extend_from_slice(format!("MODSEQ ({})", meta.modseq).as_bytes()),
                FetchAttr::Envelope => {
                    out.extend_from_slice(b"ENVELOPE ");
                    match envelope {
                        Some(cached) => out.extend_from_slice(cached.rendering(utf8)),
                        None => out.extend_from_slice(&message::envelope(raw, utf8)),
                    }
                }
                FetchAttr::BodyStructure => {
                    out.extend_from_slice(b"BODYSTRUCTURE ");
                    out.extend_from_slice(&mime::structure(tree(), true));
                }
                FetchAttr::Body => {
                    out.extend_from_slice(b"BODY ");
                    out.extend_from_slice(&mime::structure(tree(), false));
                }
                FetchAttr::Rfc822 => {
                    out.extend_from_slice(b"RFC822 ");
                    response::literal(&mut out, raw);
                }
                FetchAttr::Rfc822Header => {
                    out.extend_from_slice(b"RFC822.HEADER ");
                    response::literal(&mut out, message::split(raw).0);
                }
                FetchAttr::Rfc822Text => {
                    out.extend_from_slice(b"RFC822.TEXT ");
                    response::literal(&mut out, message::split(raw).1);
                }
                FetchAttr::BodySection { section, partial: p, .. } => {
                    let data = mime::section(tree(), raw, &section.path, &section.part);
                    let name = section_name(&section.path, &section.part);
                    match data {
                        Some(data) => {
                            let (slice, origin) = partial(&data, *p);
                            let origin = origin.map_or(String::new(), |o| format!("<{o}>"));
                            out.extend_from_slice(format!("BODY[{name}]{origin} ").as_bytes());
                            response::literal(&mut out, slice);
                        }
                        None => out.extend_from_slice(format!("BODY[{name}] NIL").as_bytes()),
                    }
                }
                FetchAttr::Binary { path, partial: p, .. } => {
                    let name: Vec<String> = path.iter().map(u32::to_string).collect();
                    match mime::binary(tree(), raw, path) {
                        Some(Ok(data)) => {
                            let (slice, origin) = partial(&data, *p);
                            let origin = origin.map_or(String::new(), |o| format!("<{o}>"));
                            out.extend_from_slice(format!("BINARY[{}]{origin} ", name.join(".")).as_bytes());
                            // RFC 3516 §4.2: content with NUL goes as literal8.
                            if slice.contains(&0) {
                                out.push(b'~');
                            }
                            response::literal(&mut out, slice);
                        }
                        Some(Err(mime::BinaryError::UnknownEncoding(cte))) => {
                            return Err(Done::no(format!("[UNKNOWN-CTE] Cannot decode content-transfer-encoding {cte}")));
                        }
                        None => out.extend_from_slice(format!("BINARY[{}] NIL", name.join(".")).as_bytes()),
                    }
                }
                FetchAttr::BinarySize { path } => {
                    let name: Vec<String> = path.iter().map(u32::to_string).collect();
                    match mime::binary(tree(), raw, path) {
                        Some(Ok(data)) => out.extend_from_slice(format!("BINARY.SIZE[{}] {}", name.join("."), data.len()).as_bytes()),
                        Some(Err(mime::BinaryError::UnknownEncoding(cte))) => {
                            return Err(Done::no(format!("[UNKNOWN-CTE] Cannot decode content-transfer-encoding {cte}")));
                        }
                        None => out.extend_from_slice(format!("BINARY.SIZE[{}] NIL", name.join(".")).as_bytes()),
                    }
                }
            }
        }
        out.extend_from_slice(b")\r\n");
        Ok(out)
    }

    pub async fn store(
        &mut self,
        uid: bool,
        set: &SequenceSet,
        mode: StoreMode,
        silent: bool,
        flags: Vec<String>,
        unchanged_since: Option<u64>,
    ) -> Done {
        let Some(sel) = self.selected() else { return Done::bad("No mailbox selected") };
        if sel.read_only {
            return Done::no("[READ-ONLY] Mailbox is read-only");
        }
        if !uid && sel.seq_out_of_range(set) {
            return Done::bad("Invalid message sequence number");
        }
        if flags.iter().any(|f| f.eq_ignore_ascii_case("\\Recent")) {
            return Done::bad("\\Recent cannot be stored");
        }
        let ranges = sel.uid_ranges(uid, set);
        let name = sel.name.clone();
        let op = match mode {
            StoreMode::Add => FlagOp::Add,
            StoreMode::Remove => FlagOp::Remove,
            StoreMode::Replace => FlagOp::Replace,
        };
        let stored = match self.with_store(move |s| s.store_flags(&name, &ranges, op, &flags, unchanged_since)).await {
            Ok(s) => s,
            Err(e) => return e.done(),
        };
        let show_modseq = self.condstore || unchanged_since.is_some();
        let mut out = Vec::new();
        if let State::Selected(sel) = &mut self.state {
            for meta in &stored.updated {
                sel.flags.insert(meta.uid, meta.flags.clone());
                let Some(seq) = sel.seq_of(meta.uid) else { continue };
                if silent && !show_modseq {
                    continue;
                }
                let uid_part = if uid { format!("UID {} ", meta.uid) } else { String::new() };
                let flags_part = if silent { String::new() } else { format!("FLAGS ({})", meta.flags.join(" ")) };
                let modseq = if show_modseq { format!("MODSEQ ({})", meta.modseq) } else { String::new() };
                let body = [uid_part.trim_end(), flags_part.as_str(), modseq.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.extend_from_slice(format!("* {seq} FETCH ({body})\r\n").as_bytes());
            }
        }
        self.conn.write(&out);
        if !stored.modified_since.is_empty() {
            let numbers: Vec<u32> = if uid {
                stored.modified_since.clone()
            } else {
                stored.modified_since.iter().filter_map(|u| self.selected().and_then(|s| s.seq_of(*u))).collect()
            };
            return Done::ok(format!("[MODIFIED {}] Conditional STORE failed for some messages", format_set(&numbers)));
        }
        Done::ok("")
    }

    pub async fn expunge(&mut self, uids: Option<SequenceSet>) -> Done {
        let Some(sel) = self.selected() else { return Done::bad("No mailbox selected") };
        if sel.read_only {
            return Done::no("[READ-ONLY] Mailbox is read-only");
        }
        let name = sel.name.clone();
        let ranges = uids.map(|set| sel.uid_ranges(true, &set));
        match self.with_store(move |s| s.expunge(&name, ranges.as_deref())).await {
            Ok(gone) => {
                self.report_expunged(&gone);
                Done::ok("")
            }
            Err(e) => e.done(),
        }
    }

    fn report_expunged(&mut self, gone: &[u32]) {
        let qresync = self.qresync;
        let mut out = Vec::new();
        if let State::Selected(sel) = &mut self.state {
            let present: Vec<u32> = gone.iter().copied().filter(|u| sel.uids.binary_search(u).is_ok()).collect();
            if qresync && !present.is_empty() {
                out.extend_from_slice(format!("* VANISHED {}\r\n", format_set(&present)).as_bytes());
            }
            for uid in present {
                if let Some(seq) = sel.seq_of(uid) {
                    if !qresync {
                        out.extend_from_slice(format!("* {seq} EXPUNGE\r\n").as_bytes());
                    }
                    sel.uids.remove(seq as usize - 1);
                    sel.flags.remove(&uid);
                }
            }
        }
        self.conn.write(&out);
    }

    pub async fn copy(&mut self, uid: bool, set: &SequenceSet, target: &str, is_move: bool) -> Done {
        let Some(sel) = self.selected() else { return Done::bad("No mailbox selected") };
        if is_move && sel.read_only {
            return Done::no("[READ-ONLY] Mailbox is read-only");
        }
        if !uid && sel.seq_out_of_range(set) {
            return Done::bad("Invalid message sequence number");
        }
        let ranges = sel.uid_ranges(uid, set);
        let (from, to) = (sel.name.clone(), target.to_string());
        let result = self
            .with_store(move |s| {
                if s.mailbox(&to)?.is_none() {
                    return Ok(None);
                }
                let r = if is_move { s.move_messages(&from, &ranges, &to)? } else { s.copy(&from, &ranges, &to)? };
                Ok(Some(r))
            })
            .await;
        match result {
            Ok(None) => Done::no("[TRYCREATE] No such mailbox"),
            Ok(Some((_, pairs))) if pairs.is_empty() => Done::ok(if is_move { "No messages moved" } else { "No messages copied" }),
            Ok(Some((uidvalidity, pairs))) => {
                let src: Vec<u32> = pairs.iter().map(|p| p.0).collect();
                let dst: Vec<u32> = pairs.iter().map(|p| p.1).collect();
                let code = format!("COPYUID {uidvalidity} {} {}", format_set(&src), format_set(&dst));
                if is_move {
                    // RFC 6851 §4.3: COPYUID in an untagged OK before the expunges.
                    self.conn.write(format!("* OK [{code}] Moved\r\n").as_bytes());
                    self.report_expunged(&src);
                    Done::ok("")
                } else {
                    Done::ok(format!("[{code}] COPY completed"))
                }
            }
            Err(e) => e.done(),
        }
    }

    /// SEARCH runs inside the process over decrypted messages; nothing is indexed in clear.
    pub async fn search(&mut self, uid: bool, returns: Option<Vec<String>>, key: SearchKey) -> Done {
        let Some(sel) = self.selected() else { return Done::bad("No mailbox selected") };
        let name = sel.name.clone();
        let uids = sel.uids.clone();
        let today_offset = 0;
        let want_raw = key_needs_raw(&key);
        let has_modseq = key_has_modseq(&key);
        // A BODY/TEXT key every match must satisfy lets the index skip the messages
        // that cannot contain it; each remaining one is still verified below.
        let narrow: Vec<String> = required_text(&key).map(search_index::needle_grams).unwrap_or_default();
        let found = self
            .with_store(move |s| {
                let metas = s.fetch_meta(&name, &[1..=u32::MAX])?;
                let candidates = if narrow.is_empty() { None } else { Some(s.search_candidates(&name, &narrow)?) };
                let max_uid = uids.last().unwrap_or(0);
                let mut hits = Vec::new();
                for meta in metas {
                    if candidates.as_ref().is_some_and(|c| c.binary_search(&meta.uid).is_err()) {
                        continue;
                    }
                    let Ok(index) = uids.binary_search(&meta.uid) else { continue };
                    let seq = index as u32 + 1;
                    let raw = if want_raw { s.fetch_raw(&name, meta.uid)?.unwrap_or_default() } else { Vec::new() };
                    let ctx = Ctx { meta: &meta, seq, raw: &raw, count: uids.len() as u32, max_uid, offset: today_offset };
                    if eval(&key, &ctx) {
                        hits.push((seq, meta.uid, meta.modseq));
                    }
                }
                Ok(hits)
            })
            .await;
        let hits = match found {
            Ok(h) => h,
            Err(e) => return e.done(),
        };
        let numbers: Vec<u32> = hits.iter().map(|h| if uid { h.1 } else { h.0 }).collect();
        let modseq = if has_modseq { hits.iter().map(|h| h.2).max() } else { None };
        match returns {
            Some(returns) => {
                // RFC 4731 §3.1: ESEARCH; an empty RETURN () means ALL.
                let returns = if returns.is_empty() { vec!["ALL".to_string()] } else { returns };
                let mut line = String::from("* ESEARCH");
                if uid {
                    line.push_str(" UID");
                }
                for r in &returns {
                    match r.as_str() {
                        "MIN" if !numbers.is_empty() => line.push_str(&format!(" MIN {}", numbers[0])),
                        "MAX" if !numbers.is_empty() => line.push_str(&format!(" MAX {}", numbers[numbers.len() - 1])),
                        "COUNT" => line.push_str(&format!(" COUNT {}", numbers.len())),
                        "ALL" if !numbers.is_empty() => line.push_str(&format!(" ALL {}", format_set(&numbers))),
                        "MIN" | "MAX" | "ALL" => {}
                        other => return Done::bad(format!("Unknown RETURN option {other}")),
                    }
                }
                if let Some(m) = modseq {
                    line.push_str(&format!(" MODSEQ {m}"));
                }
                line.push_str("\r\n");
                self.conn.write(line.as_bytes());
            }
            None => {
                let mut line = String::from("* SEARCH");
                for n in &numbers {
                    line.push_str(&format!(" {n}"));
                }
                if let Some(m) = modseq {
                    line.push_str(&format!(" (MODSEQ {m})"));
                }
                line.push_str("\r\n");
                self.conn.write(line.as_bytes());
            }
        }
        Done::ok("")
    }
}

struct Ctx<'a> {
    meta: &'a MessageMeta,
    seq: u32,
    raw: &'a [u8],
    count: u32,
    max_uid: u32,
    offset: i64,
}

fn key_needs_raw(key: &SearchKey) -> bool {
    match key {
        SearchKey::Header { .. } | SearchKey::Body(_) | SearchKey::Text(_) => true,
        SearchKey::Date { sent, .. } => *sent,
        SearchKey::And(keys) => keys.iter().any(key_needs_raw),
        SearchKey::Or(a, b) => key_needs_raw(a) || key_needs_raw(b),
        SearchKey::Not(k) => key_needs_raw(k),
        _ => false,
    }
}

/// The longest BODY or TEXT string that every match of `key` must contain (the key
/// itself, or one conjunct of an AND); `None` when no such string exists (OR, NOT...).
fn required_text(key: &SearchKey) -> Option<&str> {
    match key {
        SearchKey::Body(text) | SearchKey::Text(text) => Some(text),
        SearchKey::And(keys) => keys.iter().filter_map(required_text).max_by_key(|t| t.chars().count()),
        _ => None,
    }
}

fn key_has_modseq(key: &SearchKey) -> bool {
    match key {
        SearchKey::ModSeq(_) => true,
        SearchKey::And(keys) => keys.iter().any(key_has_modseq),
        SearchKey::Or(a, b) => key_has_modseq(a) || key_has_modseq(b),
        SearchKey::Not(k) => key_has_modseq(k),
        _ => false,
    }
}

fn eval(key: &SearchKey, c: &Ctx<'_>) -> bool {
    match key {
        SearchKey::All => true,
        SearchKey::And(keys) => keys.iter().all(|k| eval(k, c)),
        SearchKey::Or(a, b) => eval(a, c) || eval(b, c),
        SearchKey::Not(k) => !eval(k, c),
        SearchKey::Flag { flag, set } => c.meta.flags.iter().any(|f| f.eq_ignore_ascii_case(flag)) == *set,
        SearchKey::Header { name, value } => {
            let (header, _) = message::split(c.raw);
            let needle = Needle::new(value);
            message::fields(header).iter().any(|(n, v, _)| n.eq_ignore_ascii_case(name) && search_text::header_value_matches(v, &needle))
        }
        SearchKey::Body(text) => search_text::body_matches(c.raw, &Needle::new(text)),
        SearchKey::Text(text) => search_text::text_matches(c.raw, &Needle::new(text)),
        SearchKey::Date { cmp, day, sent } => {
            let secs = if *sent { sent_date(c.raw).unwrap_or(c.meta.internal_date) } else { c.meta.internal_date };
            let d = (secs + c.offset).div_euclid(86400);
            match cmp {
                DateCmp::Before => d < *day,
                DateCmp::On => d == *day,
                DateCmp::Since => d >= *day,
            }
        }
        SearchKey::Larger(n) => c.meta.size > *n,
        SearchKey::Smaller(n) => c.meta.size < *n,
        SearchKey::Uid(set) => set.contains(c.meta.uid, c.max_uid.max(1)),
        SearchKey::Seq(set) => set.contains(c.seq, c.count.max(1)),
        SearchKey::ModSeq(m) => c.meta.modseq >= *m,
    }
}

/// The Date: header as Unix seconds (RFC 5322 §3.3), for SENTBEFORE/SENTON/SENTSINCE.
fn sent_date(raw: &[u8]) -> Option<i64> {
    let (header, _) = message::split(raw);
    let fields = message::fields(header);
    let value = String::from_utf8_lossy(message::header_value(&fields, "Date")?).into_owned();
    let value = value.split_once(',').map_or(value.as_str(), |(_, rest)| rest).trim().to_string();
    let mut parts = value.split_whitespace();
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    let day = crate::parser::search::parse_date(format!("{d}-{m}-{y}").as_bytes())?;
    Some(day * 86400)
}
