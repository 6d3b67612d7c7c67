//! Multi-line responses (RFC 1939 §3): CRLF line endings, byte-stuffing of lines that
//! begin with '.', and the terminating ".\r\n"; and TOP's "headers plus n body lines".

/// Appends `message` to `out` as the body of a multi-line response: every line ends in
/// CRLF (a bare LF becomes CRLF), a line starting with '.' gets one more '.', and the
/// response ends with ".\r\n". `body_lines` limits the lines after the header block (TOP,
/// RFC 1939 §7); `None` sends everything (RETR).
pub fn multiline(out: &mut Vec<u8>, message: &[u8], body_lines: Option<usize>) {
    out.reserve(message.len() + message.len() / 32 + 8);
    let mut in_body = false;
    let mut body_sent = 0usize;
    let mut rest = message;
    while !rest.is_empty() {
        if in_body && body_lines.is_some_and(|limit| body_sent >= limit) {
            break;
        }
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
        if in_body {
            body_sent += 1;
        } else if line.is_empty() {
            in_body = true;
        }
        rest = next;
    }
    out.extend_from_slice(b".\r\n");
}

/// A command line split into its keyword (upper-cased) and the rest after one space.
pub struct Command<'a> {
    pub keyword: String,
    pub rest: &'a [u8],
}

impl<'a> Command<'a> {
    pub fn parse(line: &'a [u8]) -> Command<'a> {
        let (keyword, rest) = match line.iter().position(|&b| b == b' ') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &line[line.len()..]),
        };
        // RFC 1939 §3: keywords are case-insensitive, 3 or 4 characters; anything else is
        // unknown (the length cap keeps a garbage keyword out of our logs and replies).
        let keyword = if keyword.len() <= 8 && keyword.iter().all(u8::is_ascii_alphabetic) {
            String::from_utf8_lossy(keyword).to_ascii_uppercase()
        } else {
            String::new()
        };
        Command { keyword, rest }
    }

    /// The arguments as text split on spaces (at most `max`; `None` if more or not UTF-8).
    pub fn args(&self, max: usize) -> Option<Vec<&'a str>> {
        let text = std::str::from_utf8(self.rest).ok()?;
        let args: Vec<&str> = text.split(' ').filter(|a| !a.is_empty()).collect();
        (args.len() <= max).then_some(args)
    }
}

/// A message number argument (RFC 1939 §3: decimal, 1-based); `None` if not a number.
pub fn message_number(arg: &str) -> Option<usize> {
    if arg.is_empty() || arg.len() > 9 || !arg.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    arg.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(message: &[u8], lines: Option<usize>) -> String {
        let mut out = Vec::new();
        multiline(&mut out, message, lines);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn stuffs_dots_and_normalises_line_endings() {
        assert_eq!(render(b"A: b\r\n\r\n.hidden\n..two\nend", None), "A: b\r\n\r\n..hidden\r\n...two\r\nend\r\n.\r\n");
        assert_eq!(render(b"", None), ".\r\n");
    }

    #[test]
    fn top_sends_headers_and_n_body_lines() {
        let msg = b"A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n";
        assert_eq!(render(msg, Some(0)), "A: 1\r\nB: 2\r\n\r\n.\r\n");
        assert_eq!(render(msg, Some(2)), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\n.\r\n");
        assert_eq!(render(msg, Some(99)), "A: 1\r\nB: 2\r\n\r\nl1\r\nl2\r\nl3\r\n.\r\n");
    }

    #[test]
    fn parses_commands_and_numbers() {
        let c = Command::parse(b"retr 3");
        assert_eq!(c.keyword, "RETR");
        assert_eq!(c.args(1), Some(vec!["3"]));
        assert_eq!(Command::parse(b"\xff\xfe x").keyword, "");
        assert_eq!(message_number("0"), Some(0));
        assert_eq!(message_number("-1"), None);
        assert_eq!(message_number("99999999999"), None);
    }
}
