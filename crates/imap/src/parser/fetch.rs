//! FETCH attributes (RFC 9051 §6.4.5): macros, data items, `BODY[section]<partial>`,
//! `BINARY[part]`, with the section grammar of RFC 9051 §9 `section-spec`.

use super::ParseError;
use super::cursor::Cursor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionPart {
    /// The whole message or part (`BODY[]`, `BODY[1]`).
    Full,
    Header,
    HeaderFields {
        fields: Vec<String>,
        not: bool,
    },
    Text,
    Mime,
}

/// `[1.2.HEADER]`: a part path and what of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub path: Vec<u32>,
    pub part: SectionPart,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttr {
    Flags,
    Uid,
    InternalDate,
    Rfc822Size,
    Envelope,
    BodyStructure,
    /// `BODY` without a section: BODYSTRUCTURE without extension data.
    Body,
    ModSeq,
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    BodySection {
        section: Section,
        partial: Option<(u32, u32)>,
        peek: bool,
    },
    Binary {
        path: Vec<u32>,
        partial: Option<(u32, u32)>,
        peek: bool,
    },
    BinarySize {
        path: Vec<u32>,
    },
}

/// A single attribute or a parenthesised list, or a macro (ALL, FAST, FULL).
pub fn attributes(c: &mut Cursor<'_>) -> Result<Vec<FetchAttr>, ParseError> {
    if c.eat(b'(') {
        let mut out = Vec::new();
        loop {
            out.push(attribute(c)?);
            if c.eat(b')') {
                return Ok(out);
            }
            c.sp()?;
            if out.len() > 100 {
                return Err(c.error("too many FETCH attributes"));
            }
        }
    }
    let save = c.rest();
    let word = save.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let name = String::from_utf8_lossy(&save[..word]).to_ascii_uppercase();
    let follows_word = save.get(word).copied();
    let macro_attrs = match name.as_str() {
        "ALL" => Some(vec![FetchAttr::Flags, FetchAttr::InternalDate, FetchAttr::Rfc822Size, FetchAttr::Envelope]),
        "FAST" => Some(vec![FetchAttr::Flags, FetchAttr::InternalDate, FetchAttr::Rfc822Size]),
        "FULL" => Some(vec![FetchAttr::Flags, FetchAttr::InternalDate, FetchAttr::Rfc822Size, FetchAttr::Envelope, FetchAttr::Body]),
        _ => None,
    };
    if let Some(attrs) = macro_attrs
        && matches!(follows_word, None | Some(b' '))
    {
        c.atom()?;
        return Ok(attrs);
    }
    Ok(vec![attribute(c)?])
}

fn attribute(c: &mut Cursor<'_>) -> Result<FetchAttr, ParseError> {
    let rest = c.rest();
    let len = rest.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'8')).count();
    let name = String::from_utf8_lossy(&rest[..len]).to_ascii_uppercase();
    c.skip(len);
    let simple = match name.as_str() {
        "FLAGS" => Some(FetchAttr::Flags),
        "UID" => Some(FetchAttr::Uid),
        "INTERNALDATE" => Some(FetchAttr::InternalDate),
        "RFC822.SIZE" => Some(FetchAttr::Rfc822Size),
        "ENVELOPE" => Some(FetchAttr::Envelope),
        "BODYSTRUCTURE" => Some(FetchAttr::BodyStructure),
        "MODSEQ" => Some(FetchAttr::ModSeq),
        "RFC822" => Some(FetchAttr::Rfc822),
        "RFC822.HEADER" => Some(FetchAttr::Rfc822Header),
        "RFC822.TEXT" => Some(FetchAttr::Rfc822Text),
        _ => None,
    };
    if let Some(attr) = simple {
        return Ok(attr);
    }
    match name.as_str() {
        "BODY" if c.peek() != Some(b'[') => Ok(FetchAttr::Body),
        "BODY" | "BODY.PEEK" => {
            let section = section(c)?;
            let partial = partial(c)?;
            Ok(FetchAttr::BodySection { section, partial, peek: name == "BODY.PEEK" })
        }
        "BINARY" | "BINARY.PEEK" | "BINARY.SIZE" => {
            c.expect(b'[')?;
            let path = part_path(c)?;
            c.expect(b']')?;
            if name == "BINARY.SIZE" {
                return Ok(FetchAttr::BinarySize { path });
            }
            let partial = partial(c)?;
            Ok(FetchAttr::Binary { path, partial, peek: name == "BINARY.PEEK" })
        }
        _ => Err(c.error(&format!("unknown FETCH attribute {name}"))),
    }
}

fn part_path(c: &mut Cursor<'_>) -> Result<Vec<u32>, ParseError> {
    let mut path = Vec::new();
    while c.peek().is_some_and(|b| b.is_ascii_digit()) {
        path.push(c.nz_number32()?);
        if path.len() > 32 {
            return Err(c.error("part path too deep"));
        }
        if !(c.peek() == Some(b'.') && c.rest().get(1).is_some_and(|b| b.is_ascii_digit())) {
            break;
        }
        c.eat(b'.');
    }
    Ok(path)
}

fn section(c: &mut Cursor<'_>) -> Result<Section, ParseError> {
    c.expect(b'[')?;
    let path = part_path(c)?;
    if !path.is_empty() && !c.eat(b'.') {
        c.expect(b']')?;
        return Ok(Section { path, part: SectionPart::Full });
    }
    if c.eat(b']') {
        return Ok(Section { path, part: SectionPart::Full });
    }
    let word = c.atom()?.to_ascii_uppercase();
    let part = match word.as_str() {
        "HEADER" => SectionPart::Header,
        "TEXT" => SectionPart::Text,
        "MIME" if !path.is_empty() => SectionPart::Mime,
        "HEADER.FIELDS" | "HEADER.FIELDS.NOT" => {
            c.sp()?;
            c.expect(b'(')?;
            let mut fields = Vec::new();
            loop {
                let f = c.astring()?;
                fields.push(String::from_utf8_lossy(&f).into_owned());
                if c.eat(b')') {
                    break;
                }
                c.sp()?;
                if fields.len() > 100 {
                    return Err(c.error("too many header fields"));
                }
            }
            SectionPart::HeaderFields { fields, not: word.ends_with(".NOT") }
        }
        _ => return Err(c.error(&format!("unknown section {word}"))),
    };
    c.expect(b']')?;
    Ok(Section { path, part })
}

/// `<offset.length>`
fn partial(c: &mut Cursor<'_>) -> Result<Option<(u32, u32)>, ParseError> {
    if !c.eat(b'<') {
        return Ok(None);
    }
    let offset = u32::try_from(c.number()?).map_err(|_| c.error("partial offset too large"))?;
    c.expect(b'.')?;
    let length = u32::try_from(c.number()?).map_err(|_| c.error("partial length too large"))?;
    c.expect(b'>')?;
    Ok(Some((offset, length)))
}
