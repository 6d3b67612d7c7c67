//! mboxrd: messages separated by `From ` lines; a body line matching `>*From ` gets one more
//! `>` on export and loses one on import, so every message round-trips byte for byte
//! (except that a message not ending in a newline gains one).

use super::MigratedMessage;
use std::io::{BufRead, Write};
use time::OffsetDateTime;
use time::format_description::FormatItem;
use time::macros::format_description;

/// The date in a `From ` line: asctime(3), as `Thu Nov 23 11:27:28 2026`.
const ASCTIME: &[FormatItem<'static>] =
    format_description!("[weekday repr:short] [month repr:short] [day padding:space] [hour]:[minute]:[second] [year]");

/// Reads messages one at a time from an mbox stream.
pub struct MboxReader<R: BufRead> {
    input: R,
    /// The `From ` line that starts the next message, once seen.
    next_from: Option<Vec<u8>>,
    line: Vec<u8>,
    started: bool,
}

impl<R: BufRead> MboxReader<R> {
    pub fn new(input: R) -> Self {
        MboxReader { input, next_from: None, line: Vec::new(), started: false }
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = std::io::Result<MigratedMessage>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut raw = Vec::new();
        let mut from_line = self.next_from.take();
        loop {
            self.line.clear();
            match self.input.read_until(b'\n', &mut self.line) {
                Err(e) => return Some(Err(e)),
                Ok(0) => break,
                Ok(_) => {}
            }
            if self.line.starts_with(b"From ") {
                if !self.started {
                    self.started = true;
                    from_line = Some(self.line.clone());
                    continue;
                }
                self.next_from = Some(self.line.clone());
                break;
            }
            if !self.started {
                // Text before the first `From ` line is not a message; an mbox starts with one.
                return Some(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not an mbox file: it does not start with a 'From ' line",
                )));
            }
            raw.extend_from_slice(unescape(&self.line));
        }
        let from_line = from_line?;
        // The writer ends each message with one blank line; it is not part of the message.
        if raw.ends_with(b"\r\n\r\n") {
            raw.truncate(raw.len() - 2);
        } else if raw.ends_with(b"\n\n") {
            raw.truncate(raw.len() - 1);
        }
        let internal_date = parse_from_line_date(&from_line).unwrap_or_else(sigillo_core::clock::unix_now);
        Some(Ok(MigratedMessage { mailbox: "INBOX".into(), flags: Vec::new(), internal_date, raw }))
    }
}

/// `>From ` → `From `, `>>From ` → `>From `: only lines of the form `>+From `.
fn unescape(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") { &line[1..] } else { line }
}

fn parse_from_line_date(line: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(line).ok()?.trim_end();
    // "From SENDER DATE": the date is the last 24 characters in asctime form.
    let date = text.get(text.len().checked_sub(24)?..)?;
    time::PrimitiveDateTime::parse(date, ASCTIME).ok().map(|d| d.assume_utc().unix_timestamp())
}

/// Writes one message in mboxrd form.
pub fn write_message(out: &mut impl Write, message: &MigratedMessage) -> std::io::Result<()> {
    let date = OffsetDateTime::from_unix_timestamp(message.internal_date).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let date = date.format(ASCTIME).map_err(std::io::Error::other)?;
    writeln!(out, "From MAILER-DAEMON {date}")?;
    for line in message.raw.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if line[quotes..].starts_with(b"From ") {
            out.write_all(b">")?;
        }
        out.write_all(line)?;
    }
    if !message.raw.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(raw: &[u8], date: i64) -> MigratedMessage {
        MigratedMessage { mailbox: "INBOX".into(), flags: vec![], internal_date: date, raw: raw.to_vec() }
    }

    #[test]
    fn round_trip_with_from_lines_in_bodies() {
        let messages = vec![
            msg(b"Subject: one\n\nFrom the start\n>From quoted\n>>From twice\nend\n", 1_700_000_000),
            msg(b"Subject: two\r\n\r\nbody\r\n", 1_600_000_000),
            msg(b"Subject: three\n\n\n\nblank lines at the end\n\n", 1_500_000_000),
        ];
        let mut out = Vec::new();
        for m in &messages {
            write_message(&mut out, m).unwrap();
        }
        let back: Vec<_> = MboxReader::new(&out[..]).collect::<Result<_, _>>().unwrap();
        assert_eq!(back, messages);
    }

    #[test]
    fn rejects_non_mbox() {
        let mut r = MboxReader::new(&b"Subject: x\n\nhello\n"[..]);
        assert!(r.next().unwrap().is_err());
        assert!(MboxReader::new(&b""[..]).next().is_none());
    }
}
