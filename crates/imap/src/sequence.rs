//! Sequence sets (RFC 9051 §9 `sequence-set`): numbers, ranges, and `*` for the largest
//! number in use. The same type serves message sequence numbers and UIDs.

use std::ops::RangeInclusive;

/// One element: `*` is `None` until resolved against the mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqRange {
    pub start: Option<u32>,
    pub end: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceSet {
    pub ranges: Vec<SeqRange>,
    /// `$`: the saved search result (RFC 5182); not supported, parsed to reject clearly.
    pub saved: bool,
}

/// Most elements accepted in one set, so a hostile set cannot make us allocate without bound.
pub const MAX_RANGES: usize = 10_000;

impl SequenceSet {
    /// Parses `1:3,5,7:*`.
    pub fn parse(text: &str) -> Option<SequenceSet> {
        if text == "$" {
            return Some(SequenceSet { ranges: Vec::new(), saved: true });
        }
        let mut ranges = Vec::new();
        for part in text.split(',') {
            let (a, b) = match part.split_once(':') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => {
                    let n = number(part)?;
                    (n, n)
                }
            };
            ranges.push(SeqRange { start: a, end: b });
            if ranges.len() > MAX_RANGES {
                return None;
            }
        }
        Some(SequenceSet { ranges, saved: false })
    }

    /// Resolves `*` to `largest` and orders each range: the ranges as inclusive bounds.
    pub fn resolve(&self, largest: u32) -> Vec<RangeInclusive<u32>> {
        self.ranges
            .iter()
            .map(|r| {
                let a = r.start.unwrap_or(largest);
                let b = r.end.unwrap_or(largest);
                a.min(b)..=a.max(b)
            })
            .collect()
    }

    pub fn contains(&self, n: u32, largest: u32) -> bool {
        self.resolve(largest).iter().any(|r| r.contains(&n))
    }
}

fn number(text: &str) -> Option<Option<u32>> {
    if text == "*" {
        return Some(None);
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match text.parse::<u32>() {
        Ok(0) | Err(_) => None,
        Ok(n) => Some(Some(n)),
    }
}

/// Formats sorted numbers compactly: `1:3,5` (for COPYUID, ESEARCH, VANISHED).
pub fn format_set(numbers: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end.wrapping_add(1) {
            i += 1;
            end = numbers[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_resolves() {
        let set = SequenceSet::parse("1:3,5,7:*").unwrap();
        assert_eq!(set.resolve(9), vec![1..=3, 5..=5, 7..=9]);
        assert_eq!(SequenceSet::parse("*:4").unwrap().resolve(2), vec![2..=4]);
        assert!(SequenceSet::parse("0").is_none());
        assert!(SequenceSet::parse("1,,2").is_none());
        assert!(SequenceSet::parse("a").is_none());
        assert!(SequenceSet::parse("99999999999").is_none());
    }

    #[test]
    fn formats_compactly() {
        assert_eq!(format_set(&[1, 2, 3, 5, 7, 8]), "1:3,5,7:8");
        assert_eq!(format_set(&[]), "");
    }
}
