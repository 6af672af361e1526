use super::*;

/// What reading a file gives: the separator, the header and the rows, or the error.
type Read = Result<(u8, Vec<String>, Vec<(u64, Vec<String>)>), FileError>;

fn read_in(file: &[u8], encoding: Encoding, chunk: usize) -> Read {
    let mut reader = Reader::new(encoding);
    let mut rows = Vec::new();
    for piece in file.chunks(chunk.max(1)) {
        rows.extend(reader.push(piece)?);
    }
    rows.extend(reader.finish()?);
    assert_eq!(reader.bytes(), file.len() as u64);
    assert_eq!(reader.rows(), rows.len() as u64);
    let header = reader.header().expect("a header once finished").to_vec();
    let rows = rows.into_iter().map(|l| (l.number, l.cells)).collect();
    Ok((reader.separator(), header, rows))
}

/// Reads `file` whole and in pieces of every size from 1 to 7 bytes, which must all agree.
fn read_as(file: &[u8], encoding: Encoding) -> Read {
    let whole = read_in(file, encoding, file.len());
    for chunk in 1..=7 {
        assert_eq!(
            read_in(file, encoding, chunk),
            whole,
            "pieces of {chunk} bytes read otherwise than the whole file"
        );
    }
    whole
}

fn read(file: &str) -> Read {
    read_as(file.as_bytes(), Encoding::Utf8)
}

fn err(file: &str) -> FileError {
    read(file).expect_err("the file should be refused")
}

fn cells(row: &[&str]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

#[test]
fn quoting_follows_rfc_4180_however_the_file_is_cut() {
    let file = "\u{feff}Name,Notes , Phone\r\n\
        Acme,\"a, b\",\"say \"\"hi\"\"\"\r\n\
        Café 😀,\"two\r\nlines\",  555  \r\n\
        \r\n\
        Short\r\n\
        \"\",x,\"\"\r\n\
        Last,\"\"\"\",end";
    let (sep, header, rows) = read(file).unwrap();
    assert_eq!(sep, b',');
    assert_eq!(
        header,
        ["Name", "Notes", "Phone"],
        "header cells are trimmed"
    );
    assert_eq!(
        rows,
        [
            (2, cells(&["Acme", "a, b", "say \"hi\""])),
            (3, cells(&["Café 😀", "two\r\nlines", "  555  "])),
            (6, cells(&["Short", "", ""])),
            (7, cells(&["", "x", ""])),
            (8, cells(&["Last", "\"", "end"])),
        ],
        "data cells as written, short rows padded, the empty line skipped, rows numbered by the line they start on"
    );
}

#[test]
fn lf_and_lone_cr_end_lines_too() {
    let (_, _, lf) = read("A,B\n1,2\n\n3,\"x\ny\"\n4,5\n").unwrap();
    assert_eq!(
        lf.iter().map(|r| r.0).collect::<Vec<_>>(),
        [2, 4, 6],
        "the line break inside the quoted cell counts as a line"
    );
    let (_, _, cr) = read("A,B\r1,2\r\r3,4").unwrap();
    assert_eq!(cr, [(2, cells(&["1", "2"])), (4, cells(&["3", "4"]))]);
}

#[test]
fn the_separator_is_the_one_the_header_uses_most_outside_quotes() {
    let semi = read("Name;\"Notes, long\";Revenue\nAcme;a, b;1,5\n").unwrap();
    assert_eq!(semi.0, b';');
    assert_eq!(semi.1, ["Name", "Notes, long", "Revenue"]);
    assert_eq!(semi.2[0].1, ["Acme", "a, b", "1,5"]);
    assert_eq!(read("Name\tPhone\nAcme\t555\n").unwrap().0, b'\t');
    assert_eq!(read("Name\nAcme\n").unwrap().0, b',', "none: a comma");
    assert_eq!(read("A,B;C\n1,2;3\n").unwrap().0, b',', "a tie: a comma");
    let excel = read("\r\nsep=;\r\nName,x;Phone\nAcme,y;555\n").unwrap();
    assert_eq!(excel.0, b';', "Excel's sep= line names it");
    assert_eq!(excel.1, ["Name,x", "Phone"]);
    assert_eq!(excel.2, [(4, cells(&["Acme,y", "555"]))]);
}

#[test]
fn bytes_that_are_not_utf8_are_named_by_line() {
    let file = b"Name,City\nAcme,Paris\nCaf\xe9,Z\xfcrich\n";
    let e = read_as(file, Encoding::Utf8).unwrap_err();
    assert_eq!(e, FileError::NotUtf8 { line: 3 });
    let m = e.message();
    assert!(
        m.contains("not UTF-8") && m.contains("line 3") && m.contains("Windows-1252"),
        "{m}"
    );
    let (_, _, rows) = read_as(file, Encoding::Windows1252).unwrap();
    assert_eq!(rows[1].1, ["Café", "Zürich"]);
    let euro = read_as(b"Name\n\x80 5\n", Encoding::Windows1252).unwrap();
    assert_eq!(
        euro.2[0].1,
        ["€ 5"],
        "Windows-1252, not Latin-1's control codes"
    );
    let cut = read_as(b"Name\nAcme \xc3", Encoding::Utf8).unwrap_err();
    assert_eq!(
        cut,
        FileError::NotUtf8 { line: 2 },
        "a character cut off at the end"
    );
    let bom = read_as("\u{feff}Name\nCafé\n".as_bytes(), Encoding::Windows1252).unwrap();
    assert_eq!(bom.1, ["Name"]);
    assert_eq!(bom.2[0].1, ["Café"], "a UTF-8 BOM means UTF-8");
}

#[test]
fn a_quote_never_closed_names_the_line_its_cell_began() {
    let e = err("Name,Notes\nAcme,\"two\nlines\"\nBeta,\"open\nstill open\nand on\n");
    assert_eq!(e, FileError::UnclosedQuote { line: 4 });
    assert!(e.message().contains("line 4"), "{}", e.message());
    let same_row = err("Name,Notes\n\"multi\nline\",\"and open");
    assert_eq!(same_row, FileError::UnclosedQuote { line: 3 });
    assert_eq!(
        err("\"Name,Notes\nAcme,x\n"),
        FileError::UnclosedQuote { line: 1 }
    );
    // A quote inside an unquoted cell is text, as csv-core reads it.
    let (_, _, rows) = read("Name,Size\nThe 12\" pipe,5\n").unwrap();
    assert_eq!(rows[0].1, ["The 12\" pipe", "5"]);
}

#[test]
fn a_row_with_more_cells_than_the_header_is_refused() {
    let e = err("Name,Phone\nAcme,555\nBeta,1,2\n");
    assert_eq!(
        e,
        FileError::TooManyCells {
            line: 3,
            through: 3,
            cells: 3,
            header: 2
        }
    );
    assert!(e.message().contains("needs quotes"), "{}", e.message());
    // A stray quote swallows the line break and the next row: the row runs on.
    let swallowed = err("Name,Notes\nAcme,\"12 pipe\nBeta,x\"y,z\nGamma,y\n");
    assert_eq!(
        swallowed,
        FileError::TooManyCells {
            line: 2,
            through: 3,
            cells: 3,
            header: 2
        }
    );
    let m = swallowed.message();
    assert!(m.contains("line 2") && m.contains("unbalanced"), "{m}");
    // A trailing separator loses nothing.
    let (_, _, rows) = read("Name,Phone\nAcme,555,\n").unwrap();
    assert_eq!(rows[0].1, ["Acme", "555"]);
}

#[test]
fn blank_rows_and_lines_are_skipped() {
    let (_, header, rows) = read("\n  \nName,Phone\n,\n  ,\nAcme,\n\n").unwrap();
    assert_eq!(header, ["Name", "Phone"]);
    assert_eq!(rows, [(6, cells(&["Acme", ""]))]);
}

#[test]
fn an_empty_file_or_a_header_alone_is_said() {
    for empty in ["", "\u{feff}", "  \r\n\n\t", "\n\n"] {
        assert_eq!(err(empty), FileError::Empty, "{empty:?}");
    }
    for header_only in [
        "Name,Phone",
        "Name,Phone\r\n",
        "Name\n\n,\n",
        "\u{feff}Name",
    ] {
        assert_eq!(err(header_only), FileError::HeaderOnly, "{header_only:?}");
    }
    assert!(FileError::Empty.message().contains("empty"));
    assert!(FileError::HeaderOnly.message().contains("no rows"));
}

#[test]
fn header_names_must_be_there_and_differ() {
    let dup = err("Name,Phone, name \nAcme,1,2\n");
    assert_eq!(
        dup,
        FileError::DuplicateHeader {
            name: "name".into(),
            first: 1,
            second: 3
        }
    );
    assert!(
        dup.message().contains("Columns A and C"),
        "{}",
        dup.message()
    );
    let blank = err("Name,  ,Phone\nAcme,1,2\n");
    assert_eq!(blank, FileError::BlankHeader { column: 2 });
    assert!(blank.message().contains("Column B"), "{}", blank.message());
    assert_eq!(column_letter(1), "A");
    assert_eq!(column_letter(26), "Z");
    assert_eq!(column_letter(27), "AA");
    assert_eq!(column_letter(703), "AAA");
}

#[test]
fn a_file_past_the_limit_is_refused_and_stays_refused() {
    let mut reader = Reader::new(Encoding::Utf8);
    reader.limit = 2 * 1024 * 1024;
    assert!(reader.push(b"Name\nAcme\n").is_ok());
    let e = reader.push(&vec![b'x'; 2 * 1024 * 1024]).unwrap_err();
    assert_eq!(
        e,
        FileError::TooLarge {
            limit: 2 * 1024 * 1024
        }
    );
    assert!(e.message().contains("2 MB"), "{}", e.message());
    assert_eq!(reader.push(b"more").unwrap_err(), e);
    assert_eq!(reader.finish().unwrap_err(), e);
    assert!(FileError::TooLarge { limit: LIMIT_BYTES }
        .message()
        .contains("512 MB"));
}

#[test]
fn a_first_line_that_never_ends_is_not_held_whole() {
    let mut reader = Reader::new(Encoding::Utf8);
    let line = vec![b'x'; 600 * 1024];
    assert!(reader.push(&line).is_ok());
    let e = reader.push(&line).unwrap_err();
    assert_eq!(
        e,
        FileError::HeaderTooLong {
            limit: HEADER_LIMIT
        }
    );
    let mut quoted = Reader::new(Encoding::Utf8);
    assert!(quoted.push(b"Name,\"Notes\n").is_ok());
    assert_eq!(
        quoted.push(&line).and_then(|_| quoted.push(&line)),
        Err(FileError::UnclosedQuote { line: 1 })
    );
}

#[test]
fn a_long_cell_grows_the_row_buffer() {
    let long = "é".repeat(5000);
    let file = format!("Name,Notes\nAcme,\"{long}\"\n");
    let (_, _, rows) = read_in(file.as_bytes(), Encoding::Utf8, 3).unwrap();
    assert_eq!(rows[0].1[1], long);
    let wide = (0..500)
        .map(|i| format!("C{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let file = format!("{wide}\n{wide}\n");
    let (_, header, rows) = read_in(file.as_bytes(), Encoding::Utf8, 1000).unwrap();
    assert_eq!(header.len(), 500);
    assert_eq!(rows[0].1[499], "C499");
}

#[test]
fn a_hundred_thousand_rows_stream_through_in_64_kb_pieces() {
    const ROWS: u64 = 100_000;
    let started = std::time::Instant::now();
    let mut reader = Reader::new(Encoding::Utf8);
    let mut piece = b"Name,Phone,Notes\r\n".to_vec();
    let (mut seen, mut last) = (0u64, 0u64);
    let mut take = |rows: Vec<Line>| {
        for row in rows {
            assert_eq!(row.cells.len(), 3);
            seen += 1;
            last = row.number;
        }
    };
    for i in 0..ROWS {
        piece.extend_from_slice(
            format!("Account {i},+1 555 {i:07},\"Notes, with a \"\"quote\"\"\"\r\n").as_bytes(),
        );
        if piece.len() >= 64 * 1024 {
            take(reader.push(&piece).unwrap());
            piece.clear();
        }
    }
    take(reader.push(&piece).unwrap());
    take(reader.finish().unwrap());
    assert_eq!(reader.rows(), ROWS);
    assert_eq!(seen, ROWS);
    assert_eq!(last, ROWS + 1);
    let took = started.elapsed();
    assert!(took.as_secs() < 10, "took {took:?}");
}
