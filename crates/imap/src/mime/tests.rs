//! Hand-checked BODYSTRUCTURE strings and section bytes (RFC 9051 §6.4.5, §7.5.2).

use super::*;
use crate::parser::SectionPart;

const NESTED: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: bob@example.org\r\n\
Subject: report\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
This is a preamble.\r\n\
--outer\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Caf=C3=A9 au lait\r\n\
--outer\r\n\
Content-Type: application/pdf; name=\"r.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=\"r.pdf\"\r\n\
Content-Language: en\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--outer\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: carol@example.net\r\n\
Subject: inner\r\n\
Content-Type: multipart/alternative; boundary=inner\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain\r\n\
\r\n\
hello\r\n\
--inner\r\n\
Content-Type: text/html\r\n\
\r\n\
<p>hello</p>\r\n\
--inner--\r\n\
--outer--\r\n\
epilogue\r\n";

fn text(v: Vec<u8>) -> String {
    String::from_utf8(v).unwrap()
}

#[test]
fn bodystructure_of_nested_multipart_with_message_part() {
    let inner_env = "(NIL \"inner\" ((NIL NIL \"carol\" \"example.net\")) ((NIL NIL \"carol\" \"example.net\")) \
                     ((NIL NIL \"carol\" \"example.net\")) NIL NIL NIL NIL NIL)";
    let expected = format!(
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 17 1 NIL NIL NIL NIL)\
         (\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 12 NIL (\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) \"en\" NIL)\
         (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 199 {inner_env} \
         ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1 NIL NIL NIL NIL)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL) \
         \"ALTERNATIVE\" (\"BOUNDARY\" \"inner\") NIL NIL NIL) 13 NIL NIL NIL NIL) \
         \"MIXED\" (\"BOUNDARY\" \"outer\") NIL NIL NIL)"
    );
    assert_eq!(text(body_structure(NESTED, true)), expected);
    // BODY: the same without extension data.
    let expected_body = format!(
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" 17 1)\
         (\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 12)\
         (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 199 {inner_env} \
         ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 5 1)(\"TEXT\" \"HTML\" NIL NIL NIL \"7BIT\" 12 1) \"ALTERNATIVE\") 13) \"MIXED\")"
    );
    assert_eq!(text(body_structure(NESTED, false)), expected_body);
}

#[test]
fn sections_by_part_number() {
    let root = parse(NESTED);
    let s = |path: &[u32], part: SectionPart| section(&root, NESTED, path, &part).map(text);
    assert_eq!(s(&[1], SectionPart::Full).unwrap(), "Caf=C3=A9 au lait");
    assert_eq!(
        s(&[1], SectionPart::Mime).unwrap(),
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    );
    assert_eq!(s(&[2], SectionPart::Full).unwrap(), "JVBERi0xLjQK");
    assert_eq!(
        s(&[3], SectionPart::Header).unwrap(),
        "From: carol@example.net\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
    );
    assert!(s(&[3], SectionPart::Full).unwrap().starts_with("From: carol@example.net\r\n"));
    assert!(s(&[3], SectionPart::Text).unwrap().starts_with("--inner\r\n"));
    assert_eq!(s(&[3, 1], SectionPart::Full).unwrap(), "hello");
    assert_eq!(s(&[3, 2], SectionPart::Full).unwrap(), "<p>hello</p>");
    assert_eq!(s(&[3, 2], SectionPart::Mime).unwrap(), "Content-Type: text/html\r\n\r\n");
    assert_eq!(s(&[3], SectionPart::HeaderFields { fields: vec!["subject".into()], not: false }).unwrap(), "Subject: inner\r\n\r\n");
    assert_eq!(s(&[4], SectionPart::Full), None);
    assert_eq!(s(&[1, 1], SectionPart::Full), None);
    assert_eq!(s(&[1], SectionPart::Header), None, "HEADER exists only for message/rfc822 parts");
    assert_eq!(s(&[], SectionPart::Text).unwrap(), text(message::split(NESTED).1.to_vec()));
}

#[test]
fn binary_decodes_transfer_encoding() {
    let root = parse(NESTED);
    assert_eq!(binary(&root, NESTED, &[1]), Some(Ok("Café au lait".as_bytes().to_vec())));
    assert_eq!(binary(&root, NESTED, &[2]), Some(Ok(b"%PDF-1.4\n".to_vec())));
    assert_eq!(binary(&root, NESTED, &[3, 1]), Some(Ok(b"hello".to_vec())));
    assert_eq!(binary(&root, NESTED, &[9]), None);
    let odd = b"Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 x\r\n";
    assert_eq!(binary(&parse(odd), odd, &[1]), Some(Err(BinaryError::UnknownEncoding("X-UUENCODE".into()))));
    assert_eq!(decode_quoted_printable(b"a=3Db=\r\nc =ZZ"), b"a=bc =ZZ");
    assert_eq!(decode_base64(b"aGVs\r\nbG8=\r\n"), b"hello");
}

#[test]
fn single_part_message() {
    let raw = b"Subject: x\r\n\r\nbody\r\n";
    assert_eq!(text(body_structure(raw, false)), "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 6 1)");
    assert_eq!(text(body_structure(raw, true)), "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 6 1 NIL NIL NIL NIL)");
    let root = parse(raw);
    assert_eq!(section(&root, raw, &[1], &SectionPart::Full).map(text).unwrap(), "body\r\n");
    assert_eq!(section(&root, raw, &[2], &SectionPart::Full), None);
}

#[test]
fn hostile_structures_stay_bounded() {
    // 1000 nested multiparts: described to MAX_DEPTH, then as an opaque part.
    let mut raw = Vec::new();
    for i in 0..1000 {
        raw.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes());
    }
    let out = body_structure(&raw, true);
    assert!(out.len() < 100_000);
    // A multipart without a boundary or without parts still yields valid syntax.
    let raw = b"Content-Type: multipart/mixed\r\n\r\nno parts\r\n";
    assert_eq!(text(body_structure(raw, false)), "((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0) \"MIXED\")");
}
