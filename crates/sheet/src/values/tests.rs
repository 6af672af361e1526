use super::*;
use serde_json::json;

fn field(field_type: &str) -> FieldDescribe {
    serde_json::from_value(json!({
        "name": "F__c", "label": "F", "type": field_type,
        "nillable": true, "createable": true, "updateable": true,
    }))
    .expect("a field describe")
}

const POINT_DMY: ValueRules = ValueRules {
    dates: DateOrder::DayMonthYear,
    decimal: DecimalMark::Point,
    blank: Blank::LeaveUnchanged,
};
const COMMA_DMY: ValueRules = ValueRules {
    decimal: DecimalMark::Comma,
    ..POINT_DMY
};
const POINT_MDY: ValueRules = ValueRules {
    dates: DateOrder::MonthDayYear,
    ..POINT_DMY
};
const POINT_YMD: ValueRules = ValueRules {
    dates: DateOrder::YearMonthDay,
    ..POINT_DMY
};
const CLEAR: ValueRules = ValueRules {
    blank: Blank::Clear,
    ..POINT_DMY
};

/// Each case: field type, rules, cell, the value it gives.
fn check_reads(cases: &[(&str, ValueRules, &str, Value)]) {
    for (field_type, rules, text, want) in cases {
        assert_eq!(
            read_value(&field(field_type), text, rules),
            Ok(Cell::Set(want.clone())),
            "{field_type} {text:?} under {rules:?}"
        );
    }
}

/// Each case: field type, rules, cell, words the message must hold.
fn check_refusals(cases: &[(&str, ValueRules, &str, &str)]) {
    for (field_type, rules, text, words) in cases {
        let message = read_value(&field(field_type), text, rules)
            .expect_err(&format!("{field_type} {text:?} should be refused"));
        assert!(
            message.contains(words),
            "{field_type} {text:?}: “{message}” should say “{words}”"
        );
    }
}

#[test]
fn blank_cells_leave_or_clear() {
    for t in ["", "   ", "\t"] {
        for ty in ["string", "double", "date", "reference", "multipicklist"] {
            assert_eq!(read_value(&field(ty), t, &POINT_DMY), Ok(Cell::Leave));
            assert_eq!(
                read_value(&field(ty), t, &CLEAR),
                Ok(Cell::Set(Value::Null))
            );
        }
    }
    assert_eq!(
        read_value(&field("boolean"), "", &CLEAR),
        Ok(Cell::Set(json!(false))),
        "an emptied checkbox is unchecked"
    );
    assert_eq!(
        read_value(&field("multipicklist"), " ; ", &POINT_DMY),
        Ok(Cell::Leave)
    );
}

#[test]
fn text_stays_as_written() {
    check_reads(&[
        ("string", POINT_DMY, "  Acme  ", json!("  Acme  ")),
        (
            "string",
            POINT_DMY,
            "=HYPERLINK(\"x\")",
            json!("=HYPERLINK(\"x\")"),
        ),
        ("textarea", POINT_DMY, "two\nlines\r", json!("two\nlines")),
        ("phone", COMMA_DMY, "+33 1 23 45", json!("+33 1 23 45")),
        ("email", POINT_DMY, "a@b.example", json!("a@b.example")),
        (
            "url",
            POINT_DMY,
            "https://x.example",
            json!("https://x.example"),
        ),
        ("picklist", POINT_DMY, "Prospect", json!("Prospect")),
        ("combobox", POINT_DMY, "Other", json!("Other")),
        ("encryptedstring", POINT_DMY, "secret", json!("secret")),
        (
            "multipicklist",
            POINT_DMY,
            " Gold ;Silver;; Bronze",
            json!("Gold;Silver;Bronze"),
        ),
    ]);
    let mut short = field("string");
    short.length = 5;
    assert_eq!(
        read_value(&short, "héllo", &POINT_DMY),
        Ok(Cell::Set(json!("héllo"))),
        "characters, not bytes"
    );
    let long = read_value(&short, "toolong", &POINT_DMY).unwrap_err();
    assert!(
        long.contains("7 characters") && long.contains("at most 5"),
        "{long}"
    );
}

#[test]
fn checkboxes_take_yes_and_no_words() {
    let yes = ["true", "TRUE", " Yes ", "1", "checked"];
    let no = ["false", "No", "0", "unchecked"];
    for t in yes {
        check_reads(&[("boolean", POINT_DMY, t, json!(true))]);
    }
    for t in no {
        check_reads(&[("boolean", POINT_DMY, t, json!(false))]);
    }
    check_refusals(&[
        (
            "boolean",
            POINT_DMY,
            "maybe",
            "true, false, yes, no, 1 or 0",
        ),
        ("boolean", POINT_DMY, "2", "“2” is not a checkbox value"),
    ]);
}

#[test]
fn numbers_read_with_the_chosen_decimal_mark() {
    check_reads(&[
        ("int", POINT_DMY, "42", json!(42)),
        ("int", POINT_DMY, " -1,234,567 ", json!(-1_234_567)),
        ("int", POINT_DMY, "1 234", json!(1234)),
        ("int", COMMA_DMY, "1.234.567", json!(1_234_567)),
        ("int", COMMA_DMY, "1\u{a0}234", json!(1234)),
        ("int", COMMA_DMY, "1\u{202f}234", json!(1234)),
        ("int", POINT_DMY, "12.00", json!(12)),
        ("int", POINT_DMY, "+7", json!(7)),
        ("int", POINT_DMY, "1.5E+3", json!(1500)),
        ("double", POINT_DMY, "1234.50", json!(1234.5)),
        ("double", POINT_DMY, "1,234.5", json!(1234.5)),
        ("double", COMMA_DMY, "1.234,5", json!(1234.5)),
        ("double", COMMA_DMY, "-0,25", json!(-0.25)),
        ("double", POINT_DMY, ".5", json!(0.5)),
        ("double", POINT_DMY, "5.", json!(5)),
        ("double", POINT_DMY, "007", json!(7)),
        ("double", POINT_DMY, "\u{2212}3", json!(-3)),
        ("double", POINT_DMY, "1.23E+15", json!(1.23e15)),
        ("currency", COMMA_DMY, "1 000 000,99", json!(1_000_000.99)),
        ("currency", POINT_DMY, "0.1", json!(0.1)),
        ("percent", COMMA_DMY, "12,5 %", json!(12.5)),
        ("percent", POINT_DMY, "12.5%", json!(12.5)),
        ("percent", POINT_DMY, "40", json!(40)),
    ]);
    check_refusals(&[
        (
            "double",
            COMMA_DMY,
            "12abc",
            "“12abc” is not a number (decimal mark: comma)",
        ),
        (
            "double",
            POINT_DMY,
            "1,234,5",
            "is not a number (decimal mark: point)",
        ),
        (
            "double",
            COMMA_DMY,
            "1,234,5",
            "is not a number (decimal mark: comma)",
        ),
        (
            "double",
            POINT_DMY,
            "1,5",
            "decimals with a comma, choose that",
        ),
        ("double", COMMA_DMY, "1.5", "decimal mark: comma"),
        ("double", POINT_DMY, "$1,234", "is not a number"),
        ("double", POINT_DMY, "1.2.3", "is not a number"),
        ("double", POINT_DMY, "-", "is not a number"),
        ("double", POINT_DMY, ".", "is not a number"),
        ("double", POINT_DMY, "1e", "is not a number"),
        ("double", POINT_DMY, "1,234e5", "is not a number"),
        ("double", POINT_DMY, "1e400", "too large"),
        ("int", POINT_DMY, "12.5", "“12.5” is not a whole number"),
        ("int", POINT_DMY, "99999999999999999999", "too large"),
        ("int", POINT_DMY, "1.55E+1", "not a whole number"),
    ]);
}

#[test]
fn dates_read_in_the_locale_order_or_iso() {
    check_reads(&[
        ("date", POINT_DMY, "2024-12-31", json!("2024-12-31")),
        ("date", POINT_MDY, "2024-12-31", json!("2024-12-31")),
        ("date", POINT_DMY, "31/12/2024", json!("2024-12-31")),
        ("date", POINT_DMY, "1.2.2024", json!("2024-02-01")),
        ("date", POINT_DMY, "01-02-2024", json!("2024-02-01")),
        ("date", POINT_MDY, "12/31/2024", json!("2024-12-31")),
        ("date", POINT_MDY, "1/2/2024", json!("2024-01-02")),
        ("date", POINT_YMD, "2024/1/2", json!("2024-01-02")),
        ("date", POINT_YMD, "2024.12.31", json!("2024-12-31")),
        ("date", POINT_DMY, "29/02/2024", json!("2024-02-29")),
        ("date", POINT_DMY, "29/02/2000", json!("2000-02-29")),
    ]);
    check_refusals(&[
        ("date", POINT_DMY, "31/12/24", "write the year in full"),
        ("date", POINT_YMD, "24/12/31", "write the year in full"),
        ("date", POINT_DMY, "29/02/2023", "February 2023 has 28 days"),
        ("date", POINT_DMY, "29/02/1900", "February 1900 has 28 days"),
        ("date", POINT_DMY, "31/04/2024", "April 2024 has 30 days"),
        (
            "date",
            POINT_DMY,
            "12/31/2024",
            "there is no month 31 (dates are read as day/month/year)",
        ),
        ("date", POINT_DMY, "2024-12-31T10:00:00Z", "has a time"),
        ("date", POINT_DMY, "31/12/2024 14:30", "has a time"),
        (
            "date",
            POINT_DMY,
            "yesterday",
            "is not a date: write it as 31/12/2024 or 2024-12-31",
        ),
        ("date", POINT_DMY, "31/12-2024", "is not a date"),
        ("date", POINT_DMY, "31/12/2024/1", "is not a date"),
        ("date", POINT_DMY, "0031/12/01", "1700 to 4000"),
    ]);
}

#[test]
fn dates_and_times_with_a_zone_or_read_as_utc() {
    check_reads(&[
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T03:04:05Z",
            json!("2024-01-02T03:04:05Z"),
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T03:04:05.000+0000",
            json!("2024-01-02T03:04:05.000+00:00"),
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T03:04:05+01:00",
            json!("2024-01-02T03:04:05+01:00"),
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T03:04:05.5-05",
            json!("2024-01-02T03:04:05.500-05:00"),
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T03:04",
            json!("2024-01-02T03:04:00Z"),
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02 03:04:05",
            json!("2024-01-02T03:04:05Z"),
        ),
        (
            "datetime",
            POINT_DMY,
            "31/12/2024 14:30",
            json!("2024-12-31T14:30:00Z"),
        ),
        (
            "datetime",
            POINT_DMY,
            "31/12/2024 9:05:15",
            json!("2024-12-31T09:05:15Z"),
        ),
        (
            "datetime",
            POINT_MDY,
            "12/31/2024 2:30 PM",
            json!("2024-12-31T14:30:00Z"),
        ),
        (
            "datetime",
            POINT_MDY,
            "12/31/2024 12:15 am",
            json!("2024-12-31T00:15:00Z"),
        ),
        ("time", POINT_DMY, "14:30", json!("14:30:00.000Z")),
        ("time", POINT_DMY, "14:30:15.25", json!("14:30:15.250Z")),
    ]);
    check_refusals(&[
        ("datetime", POINT_DMY, "2024-01-02", "has no time"),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T25:00",
            "is not a date and time",
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T10:60",
            "is not a date and time",
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T10:00+1",
            "is not a date and time",
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T10:00+1é1",
            "is not a date and time",
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T10:00+15:00",
            "is not a date and time",
        ),
        (
            "datetime",
            POINT_DMY,
            "2024-01-02T10:00 XM",
            "is not a date and time",
        ),
        (
            "datetime",
            POINT_DMY,
            "31/12/24 10:00",
            "write the year in full",
        ),
        (
            "datetime",
            POINT_MDY,
            "12/31/2024 13:00 PM",
            "is not a date and time",
        ),
        ("time", POINT_DMY, "2pm", "is not a time"),
    ]);
}

#[test]
fn ids_are_checked() {
    check_reads(&[
        (
            "reference",
            POINT_DMY,
            "001000000000001",
            json!("001000000000001AAA"),
        ),
        (
            "id",
            POINT_DMY,
            " 001000000000001AAA ",
            json!("001000000000001AAA"),
        ),
    ]);
    check_refusals(&[
        (
            "reference",
            POINT_DMY,
            "abc",
            "“abc” is not a Salesforce record Id (15 or 18 letters and digits)",
        ),
        (
            "reference",
            POINT_DMY,
            "001000000000001ZZZ",
            "last 3 characters",
        ),
        (
            "id",
            POINT_DMY,
            "001-00000000001",
            "not a Salesforce record Id",
        ),
    ]);
}

#[test]
fn fields_a_cell_cannot_fill_are_said() {
    let mut formula = field("string");
    formula.calculated = true;
    for f in [
        field("address"),
        field("location"),
        field("base64"),
        field("anyType"),
        formula,
    ] {
        let m = read_value(&f, "x", &POINT_DMY).unwrap_err();
        assert!(m.contains("cannot be imported"), "{m}");
        assert!(!importable(&f));
    }
    assert!(importable(&field("string")));
}

#[test]
fn values_in_messages_are_quoted_and_cut() {
    let long = "x".repeat(100);
    let m = read_value(&field("double"), &long, &POINT_DMY).unwrap_err();
    assert!(m.starts_with(&format!("“{}…”", "x".repeat(40))), "{m}");
}

#[test]
fn the_rules_read_as_a_sentence() {
    assert_eq!(
        describe_rules(&COMMA_DMY),
        "Dates as 31/12/2024 or 2024-12-31; dates and times without a time zone are read as UTC; numbers as 1.234,5; blank cells leave fields as they are."
    );
    let us = describe_rules(&ValueRules {
        blank: Blank::Clear,
        ..POINT_MDY
    });
    assert!(
        us.contains("12/31/2024") && us.contains("1,234.5") && us.contains("empty their fields"),
        "{us}"
    );
}
