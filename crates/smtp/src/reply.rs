//! SMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 3463, RFC 2034).
//!
//! RFC 2034 §3 exempts the 220 greeting and the EHLO/HELO reply from enhanced codes;
//! every other reply carries one.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    /// Enhanced status code ("5.7.1"), or empty for the greeting and EHLO.
    pub status: &'static str,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn new(code: u16, status: &'static str, text: impl Into<String>) -> Self {
        Reply { code, status, lines: vec![text.into()] }
    }

    /// A reply without an enhanced code (greeting, EHLO, HELO).
    pub fn plain(code: u16, lines: Vec<String>) -> Self {
        Reply { code, status: "", lines }
    }

    pub fn is_positive(&self) -> bool {
        self.code < 400
    }

    /// The reply as it goes on the wire: `code-text` for all lines but the last (RFC 5321 §4.2.1).
    pub fn to_wire(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let count = self.lines.len().max(1);
        for i in 0..count {
            let text = self.lines.get(i).map(String::as_str).unwrap_or("");
            let sep = if i + 1 == count { ' ' } else { '-' };
            // A reply line never carries a CR or LF from its text: that would be reply injection.
            let text: String = text.chars().map(|c| if c == '\r' || c == '\n' { ' ' } else { c }).collect();
            if self.status.is_empty() {
                out.extend_from_slice(format!("{}{sep}{text}\r\n", self.code).as_bytes());
            } else {
                out.extend_from_slice(format!("{}{sep}{} {text}\r\n", self.code, self.status).as_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multi_line() {
        assert_eq!(Reply::new(250, "2.1.0", "Ok").to_wire(), b"250 2.1.0 Ok\r\n");
        let r = Reply::plain(250, vec!["host".into(), "PIPELINING".into(), "SIZE 10".into()]);
        assert_eq!(r.to_wire(), b"250-host\r\n250-PIPELINING\r\n250 SIZE 10\r\n");
        assert_eq!(Reply::new(550, "5.1.1", "a\r\nb").to_wire(), b"550 5.1.1 a  b\r\n");
    }
}
