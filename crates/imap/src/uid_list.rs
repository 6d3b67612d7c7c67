//! The sequence-number ↔ UID map of a selected mailbox, stored as runs of consecutive
//! UIDs. A mailbox's UIDs are mostly consecutive (appends take the next UID; only
//! expunges leave gaps), so a 100,000-message mailbox is a handful of runs instead of
//! 400 KB per session, which is what an idle IDLE connection would otherwise hold.

/// `len` consecutive UIDs from `first`; `before` is how many UIDs precede the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    first: u32,
    len: u32,
    before: u32,
}

impl Run {
    fn last(&self) -> u32 {
        self.first + (self.len - 1)
    }
}

/// Ascending UIDs; message number i + 1 is `get(i)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UidList {
    runs: Vec<Run>,
}

impl UidList {
    /// From ascending, distinct UIDs.
    pub fn from_sorted(uids: &[u32]) -> Self {
        let mut list = UidList::default();
        for &uid in uids {
            list.push(uid);
        }
        list.runs.shrink_to_fit();
        list
    }

    pub fn len(&self) -> usize {
        self.runs.last().map_or(0, |r| (r.before + r.len) as usize)
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    pub fn last(&self) -> Option<u32> {
        self.runs.last().map(Run::last)
    }

    /// The UID of message number `index + 1`.
    pub fn get(&self, index: usize) -> Option<u32> {
        let index = u32::try_from(index).ok()?;
        let at = self.runs.partition_point(|r| r.before + r.len <= index);
        let run = self.runs.get(at)?;
        Some(run.first + (index - run.before))
    }

    /// Like `slice::binary_search`: `Ok(index)` of `uid`, or `Err(index)` where it would go.
    pub fn binary_search(&self, uid: &u32) -> Result<usize, usize> {
        let uid = *uid;
        let at = self.runs.partition_point(|r| r.last() < uid);
        match self.runs.get(at) {
            Some(run) if run.first <= uid => Ok((run.before + (uid - run.first)) as usize),
            Some(run) => Err(run.before as usize),
            None => Err(self.len()),
        }
    }

    /// Appends a UID above every present one (a new message); others are ignored.
    pub fn push(&mut self, uid: u32) {
        match self.runs.last_mut() {
            Some(run) if run.last().checked_add(1) == Some(uid) => run.len += 1,
            Some(run) if run.last() >= uid => {}
            _ => {
                let before = self.len() as u32;
                self.runs.push(Run { first: uid, len: 1, before });
            }
        }
    }

    /// Removes message number `index + 1` (an expunge renumbers the ones after it).
    pub fn remove(&mut self, index: usize) {
        let Some(uid) = self.get(index) else { return };
        let at = self.runs.partition_point(|r| r.last() < uid);
        let run = self.runs[at];
        let mut replacement = Vec::with_capacity(2);
        if uid > run.first {
            replacement.push(Run { first: run.first, len: uid - run.first, before: run.before });
        }
        if uid < run.last() {
            // Counted as before the removal; the loop below takes the removed one off.
            replacement.push(Run { first: uid + 1, len: run.last() - uid, before: run.before + (uid - run.first) + 1 });
        }
        self.runs.splice(at..=at, replacement);
        let from = self.runs.partition_point(|r| r.last() < uid);
        for run in &mut self.runs[from..] {
            if run.first > uid {
                run.before -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_sorted_vec() {
        let mut vec: Vec<u32> = (1..=50).chain(60..=80).chain([90, 95, 96]).collect();
        let mut list = UidList::from_sorted(&vec);
        let mut x: u32 = 7;
        for step in 0..300 {
            assert_eq!(list.len(), vec.len());
            assert_eq!(list.last(), vec.last().copied());
            for i in 0..vec.len() + 1 {
                assert_eq!(list.get(i), vec.get(i).copied());
            }
            for uid in 0..110 {
                assert_eq!(list.binary_search(&uid), vec.binary_search(&uid), "uid {uid}");
            }
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            if step % 3 == 0 || vec.is_empty() {
                let uid = vec.last().copied().unwrap_or(0) + 1 + (x >> 16) % 3;
                vec.push(uid);
                list.push(uid);
            } else {
                let i = (x >> 16) as usize % vec.len();
                vec.remove(i);
                list.remove(i);
            }
        }
        assert!(UidList::from_sorted(&(1..=100_000).collect::<Vec<_>>()).runs.len() == 1);
    }
}
