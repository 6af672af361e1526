//! Records to CSV, a page at a time: RFC 4180 through the `csv` crate (quotes, separators and line
//! breaks inside values stay in their cell), UTF-8, the header by API name or by label, and the
//! "for Excel" dialect (a byte order mark, and `;` between cells with a decimal comma where the
//! person's locale writes one). Each page comes out as its own bytes, so a million accounts are
//! never one string: the browser keeps the pieces as a Blob.

use orgbridge_model::accounts::{display_value, value_at};
use orgbridge_model::cells::inert;
use salesforce::rest::Record;
use serde_json::Value;

/// What names each column in the header line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// `BillingCity`, `Owner.Name`: what a re-import and Data Loader match on.
    ApiName,
    /// `Billing City`, `Owner Name`: what a person reads.
    Label,
}

/// How the file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub header: Header,
    /// For Excel: a byte order mark (without it Excel reads UTF-8 as the locale's code page) and
    /// the locale's list separator.
    pub excel: bool,
    /// The locale writes `1,5`: Excel then expects `;` between cells, and numbers with a comma.
    pub decimal_comma: bool,
    /// Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
    /// spreadsheet never runs an account's text as a formula. Off for a file meant to be
    /// imported again unchanged.
    pub protect: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            header: Header::ApiName,
            excel: false,
            decimal_comma: false,
            protect: true,
        }
    }
}

impl Options {
    /// The byte between cells.
    pub fn separator(&self) -> u8 {
        if self.excel && self.decimal_comma {
            b';'
        } else {
            b','
        }
    }

    /// Numbers written with a decimal comma (only in the Excel dialect: a plain CSV is for
    /// programs, which read a point).
    fn comma_numbers(&self) -> bool {
        self.excel && self.decimal_comma
    }
}

/// One column of the file: a field path of the query (`Name`, `Owner.Name`) and its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub path: String,
    pub label: String,
}

/// Writes the file's pieces for a fixed set of columns.
#[derive(Debug, Clone)]
pub struct Exporter {
    columns: Vec<Column>,
    options: Options,
}

impl Exporter {
    pub fn new(columns: Vec<Column>, options: Options) -> Exporter {
        Exporter { columns, options }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The start of the file: the byte order mark (for Excel) and the header line.
    pub fn head(&self) -> Vec<u8> {
        let mut out = if self.options.excel {
            vec![0xEF, 0xBB, 0xBF]
        } else {
            Vec::new()
        };
        let names = self.columns.iter().map(|c| match self.options.header {
            Header::ApiName => c.path.as_str(),
            Header::Label => c.label.as_str(),
        });
        out.extend(self.lines(std::iter::once(names.map(str::to_string).collect())));
        out
    }

    /// The lines of one page of records, in the columns' order.
    pub fn page(&self, records: &[Record]) -> Vec<u8> {
        self.lines(records.iter().map(|r| {
            self.columns
                .iter()
                .map(|c| self.cell(value_at(r, &c.path)))
                .collect()
        }))
    }

    fn lines(&self, rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
        let mut out = csv::WriterBuilder::new()
            .delimiter(self.options.separator())
            // CRLF, as RFC 4180 and Excel write it.
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        for row in rows {
            // Writing to a Vec cannot fail.
            let _ = out.write_record(&row);
        }
        out.into_inner().unwrap_or_default()
    }

    /// A value as the file holds it: text as it is (or made inert), numbers as the org gives
    /// them (with the locale's decimal mark for Excel), checkboxes as `true`/`false`, dates and
    /// times in ISO 8601 as the org gives them, nothing for null.
    fn cell(&self, value: Option<&Value>) -> String {
        match value {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if self.options.protect => inert(s),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) if self.options.comma_numbers() => {
                n.to_string().replace('.', ",")
            }
            Some(Value::Number(n)) => n.to_string(),
            other => display_value(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn columns() -> Vec<Column> {
        [
            ("Id", "Account ID"),
            ("Name", "Account Name"),
            ("AnnualRevenue", "Annual Revenue"),
            ("IsActive__c", "Active"),
            ("Owner.Name", "Owner Name"),
        ]
        .into_iter()
        .map(|(p, l)| Column {
            path: p.into(),
            label: l.into(),
        })
        .collect()
    }

    fn record(v: Value) -> Record {
        v.as_object().unwrap().clone()
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_plain_file_is_rfc_4180_with_api_names() {
        let e = Exporter::new(columns(), Options::default());
        assert_eq!(
            text(e.head()),
            "Id,Name,AnnualRevenue,IsActive__c,Owner.Name\r\n"
        );
        let page = e.page(&[
            record(
                json!({"Id": "001000000000001AAA", "Name": "O'Reilly \"Media\", Zürich\nHQ",
                "AnnualRevenue": 1234.5, "IsActive__c": true, "Owner": {"Name": "Ada"}}),
            ),
            record(
                json!({"Id": "001000000000002AAA", "Name": "Plain", "AnnualRevenue": null,
                "IsActive__c": false, "Owner": null}),
            ),
        ]);
        assert_eq!(
            text(page),
            "001000000000001AAA,\"O'Reilly \"\"Media\"\", Zürich\nHQ\",1234.5,true,Ada\r\n\
             001000000000002AAA,Plain,,false,\r\n"
        );
    }

    #[test]
    fn the_header_can_be_labels() {
        let e = Exporter::new(
            columns(),
            Options {
                header: Header::Label,
                ..Options::default()
            },
        );
        assert_eq!(
            text(e.head()),
            "Account ID,Account Name,Annual Revenue,Active,Owner Name\r\n"
        );
    }

    #[test]
    fn for_excel_in_a_comma_locale_a_bom_semicolons_and_decimal_commas() {
        let e = Exporter::new(
            columns(),
            Options {
                excel: true,
                decimal_comma: true,
                ..Options::default()
            },
        );
        let head = e.head();
        assert_eq!(&head[..3], &[0xEF, 0xBB, 0xBF]);
        assert_eq!(
            text(head[3..].to_vec()),
            "Id;Name;AnnualRevenue;IsActive__c;Owner.Name\r\n"
        );
        let page = e.page(&[record(json!({"Id": "001000000000001AAA", "Name": "A; B",
            "AnnualRevenue": 1234.5, "IsActive__c": true, "Owner": {"Name": "Ada"}}))]);
        assert_eq!(
            text(page),
            "001000000000001AAA;\"A; B\";1234,5;true;Ada\r\n"
        );
        // For Excel in a point locale: the BOM, commas and points.
        let e = Exporter::new(
            columns(),
            Options {
                excel: true,
                ..Options::default()
            },
        );
        assert_eq!(e.options.separator(), b',');
        assert_eq!(&e.head()[..4], &[0xEF, 0xBB, 0xBF, b'I']);
    }

    #[test]
    fn formula_looking_text_is_inert_unless_turned_off() {
        let cols = vec![Column {
            path: "Name".into(),
            label: "Name".into(),
        }];
        let records: Vec<Record> = ["=HYPERLINK(\"http://x\")", "+1", "-a", "@b", "\tc", "ok"]
            .iter()
            .map(|n| record(json!({ "Name": n })))
            .collect();
        let protected = text(Exporter::new(cols.clone(), Options::default()).page(&records));
        assert_eq!(
            protected,
            "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n'+1\r\n'-a\r\n'@b\r\n'\tc\r\nok\r\n"
        );
        let plain = text(
            Exporter::new(
                cols,
                Options {
                    protect: false,
                    ..Options::default()
                },
            )
            .page(&records),
        );
        assert!(plain.starts_with("\"=HYPERLINK("), "{plain}");
        // Numbers are not text: a negative number is written as one.
        let n = Exporter::new(columns(), Options::default())
            .page(&[record(json!({"AnnualRevenue": -5}))]);
        assert_eq!(text(n), ",,-5,,\r\n");
    }
}
