//! QRESYNC on SELECT/EXAMINE (RFC 7162 §3.2.5): after the usual SELECT responses, a
//! client that remembers (UIDVALIDITY, MODSEQ) is told what was expunged since
//! (`VANISHED (EARLIER)`) and which messages changed (`FETCH (UID FLAGS MODSEQ)`), so it
//! resynchronises without fetching the whole mailbox.

use crate::parser::QresyncParams;
use crate::sequence::format_set;
use crate::session::{Failure, Session, State};

impl Session {
    /// Sends the resynchronisation responses for the mailbox just selected. Nothing is
    /// sent when the UIDVALIDITY differs: the client's cache is invalid (§3.2.5.1).
    pub async fn qresync_select(&mut self, params: &QresyncParams) -> Result<(), Failure> {
        let State::Selected(sel) = &self.state else { return Ok(()) };
        if sel.uidvalidity != params.uidvalidity {
            return Ok(());
        }
        let (name, since) = (sel.name.clone(), params.modseq);
        let (vanished, changed) = self.with_store(move |s| Ok((s.vanished_since(&name, since)?, s.changed_since(&name, since)?))).await?;
        let State::Selected(sel) = &self.state else { return Ok(()) };
        // Only what the client says it knows (known-uids, default 1:*).
        let known_ranges = params.known_uids.as_ref().map(|set| set.resolve(u32::MAX));
        let known = |uid: u32| known_ranges.as_ref().is_none_or(|ranges| ranges.iter().any(|r| r.contains(&uid)));
        let gone: Vec<u32> = vanished.into_iter().filter(|&u| known(u) && sel.seq_of(u).is_none()).collect();
        let mut out = Vec::new();
        if !gone.is_empty() {
            out.extend_from_slice(format!("* VANISHED (EARLIER) {}\r\n", format_set(&gone)).as_bytes());
        }
        for meta in &changed {
            let Some(seq) = sel.seq_of(meta.uid) else { continue };
            out.extend_from_slice(
                format!("* {seq} FETCH (UID {} FLAGS ({}) MODSEQ ({}))\r\n", meta.uid, meta.flags.join(" "), meta.modseq).as_bytes(),
            );
        }
        self.conn.write(&out);
        Ok(())
    }
}
