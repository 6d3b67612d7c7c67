//! The selected mailbox of one session: its sequence-number ↔ UID map, the flags this
//! client has been told, and the MODSEQ watermark from which other sessions' changes
//! are reported (RFC 9051 §7.5.1 EXISTS/EXPUNGE/FETCH, RFC 7162 §3.2.10 VANISHED).

use crate::io::IoError;
use crate::sequence::{SequenceSet, format_set};
use crate::session::{Session, State};
use crate::uid_list::UidList;
use sigillo_store::mailstore::MessageMeta;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::time::Duration;

pub struct Selected {
    pub name: String,
    pub read_only: bool,
    pub uidvalidity: u32,
    /// UIDs in sequence order: `uids.get(i)` is message number i + 1.
    pub uids: UidList,
    /// Flags this client was told during the current command (FETCH, STORE), so the
    /// changes reported after it do not repeat them. Emptied once those changes are
    /// reported: a session holds no per-message flags between commands (a 100,000-message
    /// mailbox would cost megabytes per idle connection).
    pub flags: HashMap<u32, Vec<String>>,
    pub watermark: u64,
}

impl Selected {
    pub fn seq_of(&self, uid: u32) -> Option<u32> {
        self.uids.binary_search(&uid).ok().map(|i| i as u32 + 1)
    }

    pub fn max_uid(&self) -> u32 {
        self.uids.last().unwrap_or(0)
    }

    /// The UID ranges a command's set names: UIDs directly, or sequence numbers mapped.
    pub fn uid_ranges(&self, uid: bool, set: &SequenceSet) -> Vec<RangeInclusive<u32>> {
        if uid {
            // RFC 9051 §6.4.8: `*` in a UID set is the largest UID in use.
            return set.resolve(self.max_uid().max(1));
        }
        let count = self.uids.len() as u32;
        let mut out = Vec::new();
        for range in set.resolve(count.max(1)) {
            let (a, b) = (*range.start(), (*range.end()).min(count));
            if count == 0 || a > count {
                continue;
            }
            if let (Some(first), Some(last)) = (self.uids.get(a as usize - 1), self.uids.get(b as usize - 1)) {
                out.push(first..=last);
            }
        }
        out
    }

    /// Whether a sequence set names numbers beyond the mailbox (RFC 9051 §6.4.5: BAD).
    pub fn seq_out_of_range(&self, set: &SequenceSet) -> bool {
        let count = self.uids.len() as u32;
        set.ranges.iter().any(|r| r.start.is_some_and(|n| n > count) && r.end.is_none_or(|n| n > count))
    }
}

/// What changed in the store since the watermark.
struct Delta {
    highest: u64,
    vanished: Vec<u32>,
    changed: Vec<MessageMeta>,
}

impl Session {
    /// Reports other sessions' changes to the selected mailbox: new messages (EXISTS),
    /// flag changes (FETCH), and, where `allow_expunge`, expunges (EXPUNGE or VANISHED).
    pub async fn sync_selected(&mut self, allow_expunge: bool, merge: bool) {
        if merge {
            self.merge_spool().await;
        }
        let State::Selected(sel) = &self.state else { return };
        let (name, watermark) = (sel.name.clone(), sel.watermark);
        let delta = self
            .with_store(move |s| {
                let highest = s.highest_modseq(&name)?.unwrap_or(0);
                if highest <= watermark {
                    return Ok(Delta { highest, vanished: Vec::new(), changed: Vec::new() });
                }
                Ok(Delta { highest, vanished: s.vanished_since(&name, watermark)?, changed: s.changed_since(&name, watermark)? })
            })
            .await;
        let Ok(delta) = delta else { return };
        let (condstore, qresync) = (self.condstore, self.qresync);
        let State::Selected(sel) = &mut self.state else { return };
        if delta.highest <= sel.watermark {
            sel.flags = HashMap::new();
            return;
        }
        let mut out = Vec::new();
        let gone: Vec<u32> = delta.vanished.iter().copied().filter(|u| sel.uids.binary_search(u).is_ok()).collect();
        if !gone.is_empty() && !allow_expunge {
            // Expunges wait for a command that may renumber; keep the watermark.
            return;
        }
        if qresync && !gone.is_empty() {
            out.extend_from_slice(format!("* VANISHED {}\r\n", format_set(&gone)).as_bytes());
        }
        for uid in &gone {
            if let Some(seq) = sel.seq_of(*uid) {
                if !qresync {
                    out.extend_from_slice(format!("* {seq} EXPUNGE\r\n").as_bytes());
                }
                sel.uids.remove(seq as usize - 1);
                sel.flags.remove(uid);
            }
        }
        let max = sel.max_uid();
        let mut added = false;
        for meta in &delta.changed {
            if meta.uid > max {
                sel.uids.push(meta.uid);
                sel.flags.insert(meta.uid, meta.flags.clone());
                added = true;
            }
        }
        if added {
            out.extend_from_slice(format!("* {} EXISTS\r\n", sel.uids.len()).as_bytes());
        }
        for meta in &delta.changed {
            if meta.uid > max {
                continue;
            }
            let Some(seq) = sel.seq_of(meta.uid) else { continue };
            if sel.flags.get(&meta.uid) != Some(&meta.flags) {
                sel.flags.insert(meta.uid, meta.flags.clone());
                let modseq = if condstore { format!(" MODSEQ ({})", meta.modseq) } else { String::new() };
                out.extend_from_slice(format!("* {seq} FETCH (UID {} FLAGS ({}){modseq})\r\n", meta.uid, meta.flags.join(" ")).as_bytes());
            }
        }
        sel.watermark = delta.highest;
        sel.flags = HashMap::new();
        self.conn.write(&out);
    }

    /// RFC 2177 IDLE: `+ idling`, then changes as they happen (change notifications from
    /// this process, and a spool check every 500 ms for mail sealed by other processes)
    /// until DONE. The autologout timer does not run while idling.
    pub async fn idle(&mut self) -> Result<crate::session::Done, IoError> {
        use crate::session::Done;
        self.conn.write(b"+ idling\r\n");
        self.conn.flush().await?;
        let saved_timeout = self.conn.timeout;
        self.conn.timeout = Duration::from_secs(24 * 3600);
        // An idle session keeps its state, not the database pages its last command read.
        if let Err(e) = self.with_store(|s| s.release_memory()).await {
            tracing::debug!(error = %e, "could not release the page cache before IDLE");
        }
        let mut tick = tokio::time::interval(Duration::from_millis(500));
        let result = loop {
            let Some(user) = self.user.as_mut() else { break Ok(Done::bad("Not logged in")) };
            tokio::select! {
                line = self.conn.read_line(self.limits.max_line) => {
                    let line = match line {
                        Ok(line) => line,
                        Err(e) => break Err(e),
                    };
                    if line.bytes.eq_ignore_ascii_case(b"DONE") {
                        break Ok(Done::ok("IDLE terminated"));
                    }
                    break Ok(Done::bad("Expected DONE"));
                }
                _ = user.changes.recv() => self.sync_selected(true, false).await,
                _ = tick.tick() => self.sync_selected(true, true).await,
                _ = self.stop.changed() => {
                    self.conn.write(b"* BYE Server shutting down\r\n");
                    self.state = State::Logout;
                    break Ok(Done::already_replied());
                }
                // Revoked from the account pages while idling (RFC 9051 §7.1.5).
                _ = user.connection.revoked() => {
                    self.conn.write(crate::session::REVOKED_BYE);
                    self.state = State::Logout;
                    break Ok(Done::already_replied());
                }
            }
            if self.conn.pending_output() > 0 {
                self.conn.flush().await?;
            }
        };
        self.conn.timeout = saved_timeout;
        result
    }
}
