use super::*;

fn parse(text: &str) -> Command {
    parse_command(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}")).command
}

fn fails(text: &[u8]) -> ParseError {
    match parse_command(text) {
        Ok(t) => panic!("{} parsed as {:?}", String::from_utf8_lossy(text), t.command),
        Err(e) => e,
    }
}

#[test]
fn simple_commands_and_tags() {
    let t = parse_command(b"A001 capability").unwrap();
    assert_eq!(t.tag, "A001");
    assert!(matches!(t.command, Command::Capability));
    assert!(matches!(parse("a NOOP"), Command::Noop));
    assert!(matches!(parse("a UID EXPUNGE 1:5"), Command::Expunge { uids: Some(_) }));
    assert_eq!(fails(b"a FROB"), ParseError::Unknown("FROB".into()));
    assert!(matches!(fails(b"+ NOOP"), ParseError::Syntax(_)), "+ is not a tag");
    assert!(matches!(fails(b"a NOOP extra"), ParseError::Syntax(_)));
    assert!(matches!(fails(b""), ParseError::Syntax(_)));
}

#[test]
fn login_strings() {
    let Command::Login { user, password } = parse("a LOGIN \"al\\\"ice\" {3}\r\np w") else { panic!() };
    assert_eq!(user, "al\"ice");
    assert_eq!(&password[..], b"p w");
    assert!(matches!(fails(b"a LOGIN \"unterminated"), ParseError::Syntax(_)));
    assert!(matches!(fails(b"a LOGIN {10}\r\nshort"), ParseError::Syntax(_)));
    assert!(matches!(fails(b"a LOGIN \"bad\\escape\" x"), ParseError::Syntax(_)));
}

#[test]
fn authenticate_with_initial_response() {
    let Command::Authenticate { mechanism, initial } = parse("a AUTHENTICATE plain AGFsaWNlAHB3") else { panic!() };
    assert_eq!(mechanism, "PLAIN");
    assert_eq!(&initial.unwrap()[..], b"AGFsaWNlAHB3");
    assert!(matches!(parse("a AUTHENTICATE PLAIN"), Command::Authenticate { initial: None, .. }));
}

#[test]
fn mailbox_names_must_be_utf8() {
    assert!(matches!(parse("a SELECT \"Sent Items\""), Command::Select { read_only: false, .. }));
    let e = fails(b"a CREATE \"caf\xe9\"");
    assert!(e.to_string().contains("UTF-8"), "{e}");
    let Command::Select { condstore, .. } = parse("a EXAMINE INBOX (CONDSTORE)") else { panic!() };
    assert!(condstore);
    assert!(matches!(parse("a SELECT INBOX (QRESYNC (1 2))"), Command::Select { condstore: true, .. }));
    let Command::Select { qresync: Some(q), .. } = parse("a SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))") else {
        panic!()
    };
    assert_eq!((q.uidvalidity, q.modseq), (67890007, 90060115194045000));
    assert_eq!(q.known_uids, SequenceSet::parse("41:211,214:541"));
    assert_eq!(q.seq_match, None);
    let Command::Select { qresync: Some(q), .. } = parse("a SELECT INBOX (QRESYNC (1 2 1:9 (1:3 5:7)))") else { panic!() };
    assert_eq!(q.seq_match, Some((SequenceSet::parse("1:3").unwrap(), SequenceSet::parse("5:7").unwrap())));
    let Command::Select { qresync: Some(q), .. } = parse("a SELECT INBOX (QRESYNC (1 2 (1:3 5:7)))") else { panic!() };
    assert!(q.known_uids.is_none() && q.seq_match.is_some());
    for bad in ["a SELECT INBOX (QRESYNC (0 2))", "a SELECT INBOX (QRESYNC (1))", "a SELECT INBOX (QRESYNC 1 2)", "a SELECT INBOX (BOGUS)"]
    {
        assert!(parse_command(bad.as_bytes()).is_err(), "{bad}");
    }
    assert!(matches!(fails(b"a SELECT INBOX (QRESYNC (1 2)"), ParseError::Syntax(_)), "unbalanced");
}

#[test]
fn list_extended() {
    let Command::List { reference, patterns, options, lsub } =
        parse("a LIST (SUBSCRIBED SPECIAL-USE) \"\" (INBOX \"S*\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN SIZE))")
    else {
        panic!()
    };
    assert_eq!(reference, "");
    assert_eq!(patterns, vec!["INBOX", "S*"]);
    assert!(options.subscribed && options.special_use && options.return_children && !lsub);
    assert_eq!(options.return_status, Some(vec![StatusItem::Messages, StatusItem::Unseen, StatusItem::Size]));
    assert!(matches!(parse("a LSUB \"\" %"), Command::List { lsub: true, .. }));
    assert!(matches!(parse("a LIST \"\" *"), Command::List { .. }));
}

#[test]
fn status_and_append() {
    let Command::Status { items, .. } = parse("a STATUS INBOX (MESSAGES UIDNEXT HIGHESTMODSEQ)") else { panic!() };
    assert_eq!(items, vec![StatusItem::Messages, StatusItem::UidNext, StatusItem::HighestModSeq]);
    assert!(matches!(fails(b"a STATUS INBOX (BOGUS)"), ParseError::Syntax(_)));
    let Command::Append { mailbox, flags, date, message } =
        parse("a APPEND Drafts (\\Seen $Work) \"01-Jan-2024 10:00:00 +0000\" {5+}\r\nHello")
    else {
        panic!()
    };
    assert_eq!(
        (mailbox.as_str(), flags, date.as_deref(), &message[..]),
        ("Drafts", vec!["\\Seen".to_string(), "$Work".into()], Some("01-Jan-2024 10:00:00 +0000"), &b"Hello"[..])
    );
    assert!(matches!(parse("a APPEND INBOX ~{2}\r\n\0\x01"), Command::Append { .. }), "literal8 (BINARY)");
}

#[test]
fn fetch_attributes() {
    let Command::Fetch { uid, set, attrs, changed_since, .. } = parse(
        "a UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)] BODY[1.2.MIME] BODY[]<0.100> BINARY.SIZE[1]) (CHANGEDSINCE 5)",
    ) else {
        panic!()
    };
    assert!(uid);
    assert_eq!(set.resolve(9), vec![1..=9]);
    assert_eq!(changed_since, Some(5));
    assert_eq!(attrs[0], FetchAttr::Flags);
    assert_eq!(
        attrs[1],
        FetchAttr::BodySection {
            section: Section {
                path: vec![],
                part: SectionPart::HeaderFields { fields: vec!["From".into(), "Subject".into()], not: false }
            },
            partial: None,
            peek: true
        }
    );
    assert_eq!(
        attrs[2],
        FetchAttr::BodySection { section: Section { path: vec![1, 2], part: SectionPart::Mime }, partial: None, peek: false }
    );
    assert_eq!(
        attrs[3],
        FetchAttr::BodySection { section: Section { path: vec![], part: SectionPart::Full }, partial: Some((0, 100)), peek: false }
    );
    assert_eq!(attrs[4], FetchAttr::BinarySize { path: vec![1] });
    let Command::Fetch { attrs, .. } = parse("a FETCH 1 ALL") else { panic!() };
    assert_eq!(attrs.len(), 4);
    let Command::Fetch { attrs, .. } = parse("a FETCH 1 body[2]") else { panic!() };
    assert!(matches!(&attrs[0], FetchAttr::BodySection { section, .. } if section.path == vec![2]));
    assert!(matches!(fails(b"a FETCH 1 (FLAGS"), ParseError::Syntax(_)), "unbalanced");
    assert!(matches!(fails(b"a FETCH 0 FLAGS"), ParseError::Syntax(_)));
    assert!(matches!(fails(b"a FETCH 1 BODY[FOO]"), ParseError::Syntax(_)));
}

#[test]
fn store_copy_move() {
    let Command::Store { mode, silent, flags, unchanged_since, .. } = parse("a STORE 1:2 (UNCHANGEDSINCE 7) -FLAGS.SILENT (\\Deleted)")
    else {
        panic!()
    };
    assert_eq!((mode, silent, flags, unchanged_since), (StoreMode::Remove, true, vec!["\\Deleted".to_string()], Some(7)));
    let Command::Store { mode, flags, .. } = parse("a UID STORE 3 +FLAGS \\Seen \\Flagged") else { panic!() };
    assert_eq!((mode, flags.len()), (StoreMode::Add, 2));
    assert!(matches!(parse("a UID MOVE 1:3 Trash"), Command::Copy { uid: true, is_move: true, .. }));
    assert!(matches!(parse("a COPY 1 \"Sent\""), Command::Copy { uid: false, is_move: false, .. }));
}

#[test]
fn search_keys() {
    let Command::Search { key, returns, .. } = parse(
        "a UID SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR FROM alice (SUBJECT \"hi there\" UNSEEN) NOT 1:3 SINCE 1-Feb-2024 LARGER 10",
    ) else {
        panic!()
    };
    assert_eq!(returns, Some(vec!["MIN".to_string(), "COUNT".into()]));
    let SearchKey::And(keys) = key else { panic!() };
    assert_eq!(keys.len(), 4);
    assert!(matches!(&keys[0], SearchKey::Or(..)));
    assert!(matches!(&keys[1], SearchKey::Not(inner) if matches!(**inner, SearchKey::Seq(_))));
    assert!(matches!(&keys[2], SearchKey::Date { sent: false, day: 19754, .. }));
    assert!(matches!(fails(b"a SEARCH (FROM x"), ParseError::Syntax(_)));
    assert!(matches!(fails(b"a SEARCH CHARSET KOI8-R x"), ParseError::Syntax(_)));
    let deep = format!("a SEARCH {}ALL{}", "(".repeat(40), ")".repeat(40));
    assert!(fails(deep.as_bytes()).to_string().contains("deeply"));
    assert!(matches!(fails(b"a SEARCH SINCE 31-Feb-2024"), ParseError::Syntax(_)));
}

#[test]
fn never_panics_on_prefixes() {
    let samples: [&[u8]; 4] = [
        b"a UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From)]<0.10>) (CHANGEDSINCE 1 VANISHED)",
        b"a LIST (SUBSCRIBED) \"\" (a b) RETURN (STATUS (MESSAGES))",
        b"a SEARCH OR (FROM \"x\" TO {1+}\r\ny) NOT HEADER a b",
        b"a APPEND INBOX (\\Seen) \"1-Jan-2020 00:00:00 +0000\" {3}\r\nabc",
    ];
    for s in samples {
        for i in 0..s.len() {
            let _ = parse_command(&s[..i]);
        }
    }
}

#[test]
fn id_keeps_the_client_name_and_version() {
    let Command::Id(name) = parse("a ID (\"name\" \"Thunderbird\" \"version\" \"128.0\" \"os\" NIL)") else { panic!() };
    assert_eq!(name.as_deref(), Some("Thunderbird 128.0"));
    assert!(matches!(parse("a ID NIL"), Command::Id(None)));
    assert!(matches!(parse("a ID (\"vendor\" \"x\")"), Command::Id(None)));
}
