//! A cursor over one complete command (its lines and literals already assembled by
//! [`super::reader`]): the token grammar of RFC 9051 §9 (atoms, quoted strings, literals,
//! lists), with a nesting limit.

use super::ParseError;

/// Deepest parenthesis nesting accepted (SEARCH keys, BODYSTRUCTURE-like lists).
pub const MAX_DEPTH: usize = 16;

pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// RFC 9051 §9 `ATOM-CHAR`: any CHAR except atom-specials.
fn is_atom_char(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR` adds `]` (resp-specials) to atom characters.
fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

impl<'a> Cursor<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }

    pub fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos.min(self.buf.len())..]
    }

    /// Skips `n` octets already examined through [`Cursor::rest`].
    pub fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }

    /// Consumes `b` if it is next.
    pub fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, b: u8) -> Result<(), ParseError> {
        if self.eat(b) { Ok(()) } else { Err(self.error(&format!("expected '{}'", b as char))) }
    }

    pub fn sp(&mut self) -> Result<(), ParseError> {
        if self.eat(b' ') { Ok(()) } else { Err(self.error("expected a space")) }
    }

    pub fn error(&self, what: &str) -> ParseError {
        ParseError::Syntax(format!("{what} at octet {}", self.pos))
    }

    /// Requires that nothing is left (the line's CRLF was removed by the reader).
    pub fn end(&self) -> Result<(), ParseError> {
        if self.at_end() { Ok(()) } else { Err(self.error("unexpected text after the command")) }
    }

    fn take_while(&mut self, pred: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
        &self.buf[start..self.pos]
    }

    pub fn atom(&mut self) -> Result<&'a str, ParseError> {
        let atom = self.take_while(is_atom_char);
        if atom.is_empty() {
            return Err(self.error("expected an atom"));
        }
        // Atom characters are ASCII, so this cannot fail.
        std::str::from_utf8(atom).map_err(|_| self.error("invalid atom"))
    }

    /// A tag: astring characters except `+` (RFC 9051 §9 `tag`).
    pub fn tag(&mut self) -> Result<&'a str, ParseError> {
        let tag = self.take_while(|b| is_astring_char(b) && b != b'+');
        if tag.is_empty() {
            return Err(self.error("expected a tag"));
        }
        std::str::from_utf8(tag).map_err(|_| self.error("invalid tag"))
    }

    pub fn number(&mut self) -> Result<u64, ParseError> {
        let digits = self.take_while(|b| b.is_ascii_digit());
        if digits.is_empty() || digits.len() > 19 {
            return Err(self.error("expected a number"));
        }
        std::str::from_utf8(digits).ok().and_then(|d| d.parse().ok()).ok_or_else(|| self.error("number out of range"))
    }

    pub fn nz_number32(&mut self) -> Result<u32, ParseError> {
        match u32::try_from(self.number()?) {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(self.error("expected a non-zero 32-bit number")),
        }
    }

    /// `quoted` (RFC 9051 §9): `"` with `\"` and `\\` escapes; CR and LF not allowed.
    fn quoted(&mut self) -> Result<Vec<u8>, ParseError> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\r') | Some(b'\n') => return Err(self.error("unterminated quoted string")),
                // RFC 9051 §9: QUOTED-CHAR never includes NUL.
                Some(0) => return Err(self.error("NUL in a quoted string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c);
                            self.pos += 1;
                        }
                        _ => return Err(self.error("bad escape in quoted string")),
                    }
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// `literal` / `literal8`: `{n}` or `{n+}` (RFC 7888), CRLF, then n octets that the
    /// reader already placed in the buffer.
    pub fn literal(&mut self) -> Result<&'a [u8], ParseError> {
        self.eat(b'~');
        self.expect(b'{')?;
        let n = usize::try_from(self.number()?).map_err(|_| self.error("literal too large"))?;
        self.eat(b'+');
        self.expect(b'}')?;
        self.expect(b'\r')?;
        self.expect(b'\n')?;
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or_else(|| self.error("literal shorter than announced"))?;
        let data = &self.buf[self.pos..end];
        self.pos = end;
        Ok(data)
    }

    /// `string`: quoted or literal.
    pub fn string(&mut self) -> Result<Vec<u8>, ParseError> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') | Some(b'~') => Ok(self.literal()?.to_vec()),
            _ => Err(self.error("expected a string")),
        }
    }

    /// `astring`: atom (with `]`) or string.
    pub fn astring(&mut self) -> Result<Vec<u8>, ParseError> {
        match self.peek() {
            Some(b'"') | Some(b'{') => self.string(),
            _ => {
                let atom = self.take_while(is_astring_char);
                if atom.is_empty() {
                    return Err(self.error("expected an atom or a string"));
                }
                Ok(atom.to_vec())
            }
        }
    }

    /// An astring that must be UTF-8 (mailbox names, RFC 9051 §5.1 / UTF8=ACCEPT).
    /// Control characters are refused too: no mailbox name needs them.
    pub fn utf8_astring(&mut self, what: &str) -> Result<String, ParseError> {
        let text = String::from_utf8(self.astring()?).map_err(|_| ParseError::Syntax(format!("{what} is not valid UTF-8")))?;
        if text.chars().any(char::is_control) {
            return Err(ParseError::Syntax(format!("{what} contains control characters")));
        }
        Ok(text)
    }

    /// `list-mailbox`: like astring but `%` and `*` are allowed unquoted.
    pub fn list_mailbox(&mut self) -> Result<String, ParseError> {
        let bytes = match self.peek() {
            Some(b'"') | Some(b'{') => self.string()?,
            _ => {
                let atom = self.take_while(|b| is_astring_char(b) || b == b'%' || b == b'*');
                if atom.is_empty() {
                    return Err(self.error("expected a mailbox pattern"));
                }
                atom.to_vec()
            }
        };
        String::from_utf8(bytes).map_err(|_| ParseError::Syntax("mailbox pattern is not valid UTF-8".into()))
    }

    /// `nstring`: string or NIL.
    pub fn nstring(&mut self) -> Result<Option<Vec<u8>>, ParseError> {
        if self.rest().len() >= 3 && self.rest()[..3].eq_ignore_ascii_case(b"NIL") {
            self.pos += 3;
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// A parenthesised list of atoms (flags, capability names, options), one level deep.
    pub fn atom_list(&mut self) -> Result<Vec<String>, ParseError> {
        self.expect(b'(')?;
        let mut out = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(out);
            }
            if !out.is_empty() {
                self.sp()?;
            }
            let flag = self.eat(b'\\');
            let atom = self.atom()?;
            out.push(if flag { format!("\\{atom}") } else { atom.to_string() });
            if out.len() > 1000 {
                return Err(self.error("too many items in a list"));
            }
        }
    }

    /// A flag: `\Atom` or an atom keyword.
    pub fn flag(&mut self) -> Result<String, ParseError> {
        let system = self.eat(b'\\');
        let atom = self.atom()?;
        Ok(if system { format!("\\{atom}") } else { atom.to_string() })
    }
}
