//! What the Accounts screens show and send, with no browser in sight: which columns a describe
//! offers, how a record's values read as text, how a form's text becomes a field value (type and
//! length checked before anything is sent), which field an org error belongs to, and which rows of
//! a long list are on screen. Everything here is plain data, tested natively.

use std::collections::BTreeMap;
use std::ops::Range;

use salesforce::error::Error;
use salesforce::rest::{FieldDescribe, Record, SObjectDescribe};
use salesforce::types::RecordId;
use serde_json::Value;

/// The object these screens work with.
pub const SOBJECT: &str = "Account";

/// Columns shown until the user chooses others.
pub const DEFAULT_COLUMNS: [&str; 6] = [
    "Name",
    "Type",
    "Industry",
    "BillingCity",
    "Phone",
    "Owner.Name",
];

/// Records per page asked of the org (the largest batch Salesforce allows).
pub const BATCH_SIZE: u32 = 2000;

/// Height of one table row in CSS pixels; `style/accounts.css` uses the same number. Fixed so the
/// list can place any row without measuring it (only the visible rows exist in the page).
pub const ROW_HEIGHT: f64 = 36.0;

/// Rows rendered around the visible ones, so fast scrolling does not show blank space.
pub const OVERSCAN: usize = 8;

/// Rows rendered at most (enough for a tall window plus the overscan on both sides).
pub const WINDOW: usize = 48;

/// sObject Collections calls in flight at once for bulk changes (browsers allow six per host).
pub const BULK_CONCURRENCY: usize = 4;

/// One column the list can show: a field of Account, or a field reached through a relationship
/// (`Owner.Name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The SOQL path (`BillingCity`, `Owner.Name`).
    pub path: String,
    pub label: String,
    /// The org can `ORDER BY` it.
    pub sortable: bool,
}

/// Every column the chooser offers: each field of the describe (but `Id`, which every row carries
/// anyway), and for each lookup its related record's name (`Owner.Name`, `Parent.Name`).
pub fn column_choices(describe: &SObjectDescribe) -> Vec<Column> {
    let mut out = Vec::new();
    for f in &describe.fields {
        if f.name == "Id" {
            continue;
        }
        // Compound address fields cannot be sorted; they are still worth showing.
        out.push(Column {
            path: f.name.clone(),
            label: f.label.clone(),
            sortable: f.sortable && f.field_type != "address",
        });
        if let (Some(rel), "reference") = (&f.relationship_name, f.field_type.as_str()) {
            let base = f.label.strip_suffix(" ID").unwrap_or(&f.label).to_string();
            out.push(Column {
                path: format!("{rel}.Name"),
                label: format!("{base} Name"),
                sortable: true,
            });
        }
    }
    out
}

/// The columns to show: the saved choice (paths the org no longer has are dropped), else the
/// defaults the org has.
pub fn columns_for(describe: &SObjectDescribe, saved: Option<&[String]>) -> Vec<Column> {
    let choices = column_choices(describe);
    let pick = |paths: &mut dyn Iterator<Item = &str>| -> Vec<Column> {
        paths
            .filter_map(|p| {
                choices
                    .iter()
                    .find(|c| c.path.eq_ignore_ascii_case(p))
                    .cloned()
            })
            .collect()
    };
    let chosen = saved
        .map(|s| pick(&mut s.iter().map(String::as_str)))
        .unwrap_or_default();
    if chosen.is_empty() {
        pick(&mut DEFAULT_COLUMNS.iter().copied())
    } else {
        chosen
    }
}

/// Text fields the search box can look in ("Name" first when the org has it).
pub fn search_fields(describe: &SObjectDescribe) -> Vec<&FieldDescribe> {
    let mut fields: Vec<&FieldDescribe> = describe
        .fields
        .iter()
        .filter(|f| f.is_searchable_text())
        .collect();
    fields.sort_by_key(|f| !f.name_field);
    fields
}

/// The value at a dotted path of a record (`Owner.Name` looks inside the `Owner` object).
pub fn value_at<'a>(record: &'a Record, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = parts.next()?;
    let mut value = get_ci(record, first)?;
    for part in parts {
        value = get_ci(value.as_object()?, part)?;
    }
    Some(value)
}

/// Field names are case-insensitive in Salesforce; answers use the describe's spelling, which a
/// saved column path may not.
fn get_ci<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A value as a person reads it in a table cell or a record view.
pub fn display_value(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "Yes".into(),
        Some(Value::Bool(false)) => "No".into(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Object(o)) if o.contains_key("city") || o.contains_key("street") => {
            // A compound address: street, city, state postal code, country.
            let part = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            let region = [part("state"), part("postalCode")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            [part("street"), part("city"), region, part("country")]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        }
        Some(other) => other.to_string(),
    }
}

/// The "Search in" choice that searches every text field at once.
pub const ALL_TEXT: &str = "*";

/// What the person asked the list for: the text to search for and where (a field's API name or
/// [`ALL_TEXT`]), an optional raw WHERE clause, and the sort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListAsk {
    pub search: String,
    pub search_in: String,
    pub where_raw: String,
    pub sort: Option<(String, salesforce::soql::Direction)>,
}

/// The list's query: every column plus Id and Name, the search (escaped by the client's SOQL
/// builder) in one text field or all of them, the raw WHERE in its own parentheses, the sort.
pub fn list_query(
    describe: &SObjectDescribe,
    columns: &[Column],
    ask: &ListAsk,
) -> salesforce::soql::ListQuery {
    let search_fields: Vec<String> = if ask.search_in == ALL_TEXT {
        search_fields(describe)
            .iter()
            .map(|f| f.name.clone())
            .collect()
    } else {
        vec![ask.search_in.clone()]
    };
    let mut q = salesforce::soql::ListQuery::new(SOBJECT, list_fields(columns))
        .search(&ask.search, search_fields)
        .where_raw(&ask.where_raw);
    if let Some((field, dir)) = &ask.sort {
        q = q.order_by(field, *dir);
    }
    q
}

/// The fields a list query selects for `columns`: `Id` and `Name` always (every row is named by
/// its Name, whichever columns are shown and in whatever order), then the columns.
pub fn list_fields(columns: &[Column]) -> Vec<String> {
    let mut fields = vec!["Id".to_string()];
    if !columns.iter().any(|c| c.path.eq_ignore_ascii_case("Name")) {
        fields.push("Name".to_string());
    }
    fields.extend(columns.iter().map(|c| c.path.clone()));
    fields
}

/// One loaded row: the record id, its Name, and the text of each shown column, nothing more
/// (100,000 rows must stay small in memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: RecordId,
    /// The account's Name: what links, checkboxes and results call the row.
    pub name: String,
    pub cells: Vec<String>,
    /// Bumped when a bulk update changes the row, so the table redraws it.
    pub revision: u32,
}

impl Row {
    /// The row of a record read with its `Id`; `None` for one without a valid id, which no
    /// link, selection or write could name.
    pub fn from_record(record: &Record, columns: &[Column]) -> Option<Row> {
        let id = RecordId::parse(record.get("Id")?.as_str()?).ok()?;
        Some(Row {
            id,
            name: display_value(value_at(record, "Name")),
            cells: columns
                .iter()
                .map(|c| display_value(value_at(record, &c.path)))
                .collect(),
            revision: 0,
        })
    }
}

/// The tallest the scrolled content is made, in pixels. Browsers cap an element's height
/// (Firefox near 17.9 million px, Chrome near 33.5 million), and 1,000,000 rows of 36 px pass
/// both: the last rows could not be scrolled to. Past this height the scroll bar moves through
/// the rows in proportion, and the rows drawn are placed where the viewport is.
pub const MAX_SCROLL_PX: f64 = 15_000_000.0;

/// What a table draws at a scroll position: its rows (the visible ones and some overscan), and
/// the space above and below them.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub rows: Range<usize>,
    pub above_px: f64,
    pub below_px: f64,
}

/// The window of `total_rows` rows scrolled to `scroll_top` in a viewport `viewport_px` tall.
pub fn window_at(scroll_top: f64, viewport_px: f64, total_rows: usize) -> Window {
    let tall = total_rows as f64 * ROW_HEIGHT;
    let content = tall.min(MAX_SCROLL_PX);
    let viewport = viewport_px.clamp(0.0, content);
    let top = scroll_top.clamp(0.0, (content - viewport).max(0.0));
    // Where the viewport's top is among the rows.
    let at = if tall > content {
        top * (tall - viewport) / (content - viewport)
    } else {
        top
    };
    let first = (at / ROW_HEIGHT) as usize;
    // A scroll position past the rows (rows just deleted, a shorter list) still shows the last
    // rows rather than none.
    let start = first
        .saturating_sub(OVERSCAN)
        .min(total_rows.saturating_sub(WINDOW));
    let end = (start + WINDOW).min(total_rows);
    // Row `start` goes where it is among the rows, relative to the viewport's top.
    let above_px = (top - (at - start as f64 * ROW_HEIGHT)).max(0.0);
    let below_px = (content - above_px - (end - start) as f64 * ROW_HEIGHT).max(0.0);
    Window {
        rows: start..end,
        above_px,
        below_px,
    }
}

/// How a row's name is shown: "(no name)" for an account whose Name is blank.
pub fn shown_name(name: &str) -> String {
    if name.trim().is_empty() {
        "(no name)".to_string()
    } else {
        name.to_string()
    }
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The control a field gets in a form.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// `<input type=…>` (text, email, tel, url, date, datetime-local).
    Text(&'static str),
    /// A number with this many decimals.
    Number {
        scale: u32,
    },
    TextArea,
    Checkbox,
    /// Picklist values (value, label).
    Select(Vec<(String, String)>),
}

/// Which control suits a field's type.
pub fn input_kind(field: &FieldDescribe) -> InputKind {
    match field.field_type.as_str() {
        "email" => InputKind::Text("email"),
        "phone" => InputKind::Text("tel"),
        "url" => InputKind::Text("url"),
        "date" => InputKind::Text("date"),
        "datetime" => InputKind::Text("datetime-local"),
        "boolean" => InputKind::Checkbox,
        "int" => InputKind::Number { scale: 0 },
        "double" | "currency" | "percent" => InputKind::Number { scale: field.scale },
        "textarea" => InputKind::TextArea,
        "picklist" | "multipicklist" => InputKind::Select(
            field
                .active_picklist_values()
                .map(|p| {
                    (
                        p.value.clone(),
                        p.label.clone().unwrap_or_else(|| p.value.clone()),
                    )
                })
                .collect(),
        ),
        _ => InputKind::Text("text"),
    }
}

/// Whether the form limits the field's length (text types with a known length).
pub fn max_length(field: &FieldDescribe) -> Option<u32> {
    matches!(
        field.field_type.as_str(),
        "string"
            | "textarea"
            | "email"
            | "phone"
            | "url"
            | "picklist"
            | "combobox"
            | "encryptedstring"
    )
    .then_some(field.length)
    .filter(|n| *n > 0)
}

/// Which fields a form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormMode {
    Create,
    Edit,
    /// Creates or updates: any field either way may be given.
    Upsert,
}

/// The fields a form offers, in describe order.
pub fn form_fields(describe: &SObjectDescribe, mode: FormMode) -> Vec<FieldDescribe> {
    describe
        .fields
        .iter()
        .filter(|f| f.field_type != "address" && !f.calculated)
        .filter(|f| match mode {
            FormMode::Create => f.createable,
            FormMode::Edit => f.updateable,
            FormMode::Upsert => f.createable || f.updateable,
        })
        .cloned()
        .collect()
}

/// A stored value as the text its form control holds.
pub fn input_text(field: &FieldDescribe, value: Option<&Value>) -> String {
    match (field.field_type.as_str(), value) {
        (_, None | Some(Value::Null)) => String::new(),
        ("boolean", Some(Value::Bool(b))) => b.to_string(),
        // `2024-01-15T10:30:00.000+0000` → the `datetime-local` control's `2024-01-15T10:30`.
        ("datetime", Some(Value::String(s))) => s.chars().take(16).collect(),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(other)) => other.to_string(),
    }
}

/// The value to send for what the user typed, or why it cannot be sent. Empty text is `null`
/// (clears the field).
pub fn parse_input(field: &FieldDescribe, text: &str) -> Result<Value, String> {
    if field.field_type == "boolean" {
        return Ok(Value::Bool(text == "true"));
    }
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    match field.field_type.as_str() {
        "int" => {
            let n: i64 = text
                .trim()
                .parse()
                .map_err(|_| "Enter a whole number.".to_string())?;
            if field.digits > 0 && n.unsigned_abs().to_string().len() > field.digits as usize {
                return Err(format!("Enter at most {} digits.", field.digits));
            }
            Ok(Value::from(n))
        }
        "double" | "currency" | "percent" => {
            let n: f64 = text
                .trim()
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| "Enter a number.".to_string())?;
            let whole = field.precision.saturating_sub(field.scale);
            if field.precision > 0 && n.abs() >= 10f64.powi(whole as i32) {
                return Err(format!(
                    "Enter a number with at most {whole} digits before the decimal point."
                ));
            }
            Ok(serde_json::Number::from_f64(n)
                .map(Value::Number)
                .unwrap_or(Value::Null))
        }
        "date" => {
            let ok = text.len() == 10
                && text.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            if ok {
                Ok(Value::String(text.to_string()))
            } else {
                Err("Enter a date as YYYY-MM-DD.".into())
            }
        }
        "datetime" => Ok(Value::String(if text.len() == 16 {
            // The `datetime-local` control has no seconds or zone; the browser's time is UTC here
            // only if the person means it, so send it as typed plus seconds (the org assumes UTC).
            format!("{text}:00.000Z")
        } else {
            text.to_string()
        })),
        _ => {
            if let Some(max) = max_length(field) {
                let len = text.chars().count();
                if len > max as usize {
                    return Err(format!("Use at most {max} characters (this is {len})."));
                }
            }
            Ok(Value::String(text.to_string()))
        }
    }
}

/// What a form's submit would send, or the message for each field that is not acceptable yet.
/// With `original` (editing), only changed fields are sent; when creating, `required` fields
/// must be given.
pub fn build_record(
    fields: &[FieldDescribe],
    values: &BTreeMap<String, String>,
    original: Option<&BTreeMap<String, String>>,
    check_required: bool,
) -> Result<Record, BTreeMap<String, String>> {
    let mut record = Record::new();
    let mut errors = BTreeMap::new();
    for field in fields {
        let text = values.get(&field.name).map(String::as_str).unwrap_or("");
        if let Some(original) = original {
            let before = original.get(&field.name).map(String::as_str).unwrap_or("");
            if before == text {
                continue;
            }
        }
        if check_required && field.is_required() && text.trim().is_empty() {
            errors.insert(field.name.clone(), format!("{} is required.", field.label));
            continue;
        }
        match parse_input(field, text) {
            // Leaving an optional field empty on create sends nothing rather than an explicit null.
            Ok(Value::Null) if original.is_none() => {}
            Ok(Value::Bool(false)) if original.is_none() && field.field_type == "boolean" => {}
            Ok(value) => {
                record.insert(field.name.clone(), value);
            }
            Err(message) => {
                errors.insert(field.name.clone(), message);
            }
        }
    }
    if errors.is_empty() {
        Ok(record)
    } else {
        Err(errors)
    }
}

/// Splits an org error into messages for named fields and messages for the whole form. An error
/// that names no field but mentions one (`duplicate value found: External_Id__c duplicates …`)
/// is shown beside that field too, where the person will look for it.
pub fn field_messages(err: &Error, known: &[String]) -> (BTreeMap<String, String>, Vec<String>) {
    let mut by_field: BTreeMap<String, String> = BTreeMap::new();
    let mut general = Vec::new();
    let placed: Vec<(String, String, Option<String>)> = err
        .field_errors()
        .into_iter()
        .map(|(field, message)| {
            let target = if field.is_empty() {
                mentioned_field(&message, known)
            } else {
                known
                    .iter()
                    .find(|k| k.eq_ignore_ascii_case(&field))
                    .cloned()
            };
            (field, message, target)
        })
        .collect();
    // Nothing about a field (a used-up allowance, an ended session, a server error): the error in
    // words a person can act on, not the org's bare message.
    if placed
        .iter()
        .all(|(field, _, target)| field.is_empty() && target.is_none())
    {
        return (by_field, vec![err.user_message()]);
    }
    for (field, message, target) in placed {
        match target {
            Some(name) => {
                by_field
                    .entry(name)
                    .and_modify(|m| {
                        m.push(' ');
                        m.push_str(&message);
                    })
                    .or_insert(message);
            }
            None => general.push(if field.is_empty() {
                message
            } else {
                format!("{field}: {message}")
            }),
        }
    }
    (by_field, general)
}

/// A field API name that appears as a whole word in `message`.
fn mentioned_field(message: &str, known: &[String]) -> Option<String> {
    let words: Vec<&str> = message
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    known.iter().find(|k| words.iter().any(|w| w == k)).cloned()
}

/// A response body for reading: JSON pretty-printed, anything else as it came.
pub fn pretty_body(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.to_string()),
        Err(_) => body.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe() -> SObjectDescribe {
        serde_json::from_value(serde_json::json!({
            "name": "Account",
            "fields": [
                {"name":"Id","label":"Account ID","type":"id","length":18,"createable":false,"updateable":false},
                {"name":"Name","label":"Account Name","type":"string","length":255,"nillable":false,"createable":true,"updateable":true,"nameField":true},
                {"name":"Type","label":"Account Type","type":"picklist","length":255,"nillable":true,"createable":true,"updateable":true,
                 "picklistValues":[{"value":"Prospect","active":true},{"value":"Old","active":false}]},
                {"name":"BillingCity","label":"Billing City","type":"string","length":40,"nillable":true,"createable":true,"updateable":true},
                {"name":"BillingAddress","label":"Billing Address","type":"address","nillable":true,"sortable":false},
                {"name":"OwnerId","label":"Owner ID","type":"reference","nillable":false,"createable":true,"updateable":true,
                 "defaultedOnCreate":true,"relationshipName":"Owner","referenceTo":["User"]},
                {"name":"AnnualRevenue","label":"Annual Revenue","type":"currency","precision":18,"scale":0,"nillable":true,"createable":true,"updateable":true},
                {"name":"NumberOfEmployees","label":"Employees","type":"int","digits":8,"nillable":true,"createable":true,"updateable":true},
                {"name":"CreatedDate","label":"Created Date","type":"datetime","nillable":false,"createable":false,"updateable":false},
                {"name":"External_Id__c","label":"External Id","type":"string","length":80,"nillable":true,"createable":true,"updateable":true,"externalId":true}
            ]
        }))
        .unwrap()
    }

    #[test]
    fn default_columns_keep_only_what_the_org_has_and_relationship_names_are_offered() {
        let d = describe();
        let cols: Vec<String> = columns_for(&d, None).into_iter().map(|c| c.path).collect();
        assert_eq!(cols, ["Name", "Type", "BillingCity", "Owner.Name"]);
        let saved = vec!["billingcity".to_string(), "Gone__c".to_string()];
        let cols: Vec<String> = columns_for(&d, Some(&saved))
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(cols, ["BillingCity"]);
        let choices = column_choices(&d);
        assert!(choices.iter().all(|c| c.path != "Id"));
        let owner = choices.iter().find(|c| c.path == "Owner.Name").unwrap();
        assert_eq!(owner.label, "Owner Name");
        assert!(
            !choices
                .iter()
                .find(|c| c.path == "BillingAddress")
                .unwrap()
                .sortable
        );
    }

    #[test]
    fn cells_follow_relationships_and_read_as_text() {
        let rec: Record = serde_json::from_value(serde_json::json!({
            "attributes": {"type": "Account"}, "Id": "001000000000001AAA",
            "Name": "<img src=x onerror=alert(1)>", "Owner": {"attributes": {}, "Name": "Devorg Admin"},
            "AnnualRevenue": 1200.5, "IsDeleted": false, "Type": null,
            "BillingAddress": {"street": "1 Main St", "city": "Austin", "state": "TX", "postalCode": "78701", "country": "US"}
        }))
        .unwrap();
        let cols: Vec<Column> = [
            "Name",
            "owner.name",
            "AnnualRevenue",
            "IsDeleted",
            "Type",
            "BillingAddress",
        ]
        .iter()
        .map(|p| Column {
            path: p.to_string(),
            label: String::new(),
            sortable: true,
        })
        .collect();
        let row = Row::from_record(&rec, &cols).unwrap();
        assert_eq!(row.id.as_str(), "001000000000001AAA");
        assert_eq!(
            row.cells,
            [
                "<img src=x onerror=alert(1)>",
                "Devorg Admin",
                "1200.5",
                "No",
                "",
                "1 Main St, Austin, TX 78701, US"
            ]
        );
    }

    #[test]
    fn the_list_query_searches_escaped_text_in_one_field_or_all_and_sorts() {
        let d = describe();
        let columns = columns_for(&d, None);
        let ask = |search_in: &str| ListAsk {
            search: "O'Reilly".into(),
            search_in: search_in.into(),
            where_raw: "Type = 'Prospect'".into(),
            sort: Some(("Name".into(), salesforce::soql::Direction::Asc)),
        };
        let one = list_query(&d, &columns, &ask("Name")).to_soql().unwrap();
        assert!(one.starts_with("SELECT Id, Name"), "{one}");
        assert!(one.contains(r"Name LIKE '%O\'Reilly%'"), "{one}");
        assert!(one.contains("(Type = 'Prospect')"), "{one}");
        assert!(one.contains("ORDER BY Name ASC"), "{one}");
        let all = list_query(&d, &columns, &ask(ALL_TEXT)).to_soql().unwrap();
        assert!(all.contains(r"BillingCity LIKE '%O\'Reilly%'"), "{all}");
    }

    #[test]
    fn rows_are_named_by_their_name_field_whatever_the_columns() {
        let rec: Record = serde_json::from_value(serde_json::json!({
            "Id": "001000000000001AAA", "Name": "Acme", "Industry": "Energy"
        }))
        .unwrap();
        let col = |p: &str| Column {
            path: p.to_string(),
            label: String::new(),
            sortable: true,
        };
        // Name moved to the end, or not shown at all: the row is still "Acme".
        for columns in [vec![col("Industry"), col("Name")], vec![col("Industry")]] {
            let row = Row::from_record(&rec, &columns).unwrap();
            assert_eq!(row.name, "Acme");
            let fields = list_fields(&columns);
            assert_eq!(fields[0], "Id");
            assert_eq!(
                fields.iter().filter(|f| *f == "Name").count(),
                1,
                "{fields:?}"
            );
        }
    }

    #[test]
    fn a_record_without_a_valid_id_has_no_row() {
        for id in [
            serde_json::json!(null),
            serde_json::json!("001"),
            serde_json::json!(7),
        ] {
            let rec: Record =
                serde_json::from_value(serde_json::json!({ "Id": id, "Name": "Acme" })).unwrap();
            assert_eq!(Row::from_record(&rec, &[]), None, "{id}");
        }
    }

    #[test]
    fn the_window_covers_the_viewport_with_overscan() {
        let at = |top: f64, n: usize| window_at(top, 600.0, n);
        assert_eq!(at(0.0, 100_000).rows, 0..WINDOW);
        let w = at(ROW_HEIGHT * 1000.0, 100_000);
        assert_eq!(w.rows.start, 1000 - OVERSCAN);
        assert_eq!(w.rows.len(), WINDOW);
        assert_eq!(w.above_px, (1000 - OVERSCAN) as f64 * ROW_HEIGHT);
        assert_eq!(
            w.above_px + WINDOW as f64 * ROW_HEIGHT + w.below_px,
            100_000.0 * ROW_HEIGHT
        );
        assert_eq!(at(ROW_HEIGHT * 99_990.0, 100_000).rows.end, 100_000);
        assert_eq!(at(500.0, 3).rows, 0..3);
        assert_eq!(at(0.0, 0).rows, 0..0);
    }

    /// 1,000,000 rows are taller than a browser lets an element be: the content stays under
    /// the cap, every row can be scrolled to, and the rows drawn cover the viewport.
    #[test]
    fn a_million_rows_scroll_to_the_last_within_what_a_browser_can_draw() {
        let (n, viewport) = (1_000_000, 600.0);
        let height = |w: &Window| w.above_px + w.rows.len() as f64 * ROW_HEIGHT + w.below_px;
        let covers = |top: f64, w: &Window| {
            w.above_px <= top + 0.5
                && w.above_px + w.rows.len() as f64 * ROW_HEIGHT >= top + viewport - 0.5
        };
        let mut last_first = 0;
        let max_top = MAX_SCROLL_PX - viewport;
        for step in 0..=1_000 {
            let top = max_top * step as f64 / 1_000.0;
            let w = window_at(top, viewport, n);
            assert!(height(&w) <= MAX_SCROLL_PX + 1.0, "{w:?}");
            assert!(covers(top, &w), "at {top}: {w:?}");
            assert!(w.rows.start >= last_first, "rows move one way");
            last_first = w.rows.start;
        }
        let bottom = window_at(max_top, viewport, n);
        assert_eq!(bottom.rows.end, n, "the last row is reached");
        assert!(
            (bottom.above_px + bottom.rows.len() as f64 * ROW_HEIGHT - (max_top + viewport)).abs()
                < 1.0,
            "and sits at the viewport's bottom: {bottom:?}"
        );
        let middle = window_at(max_top / 2.0, viewport, n);
        assert!(middle.rows.contains(&(n / 2)), "{middle:?}");
        // 100,000 rows fit: scrolled pixel for pixel, as before.
        let w = window_at(ROW_HEIGHT * 50_000.0, viewport, 100_000);
        assert_eq!(w.rows.start, 50_000 - OVERSCAN);
    }

    #[test]
    fn inputs_are_checked_by_type_and_length_before_sending() {
        let d = describe();
        let f = |n: &str| d.field(n).unwrap().clone();
        assert_eq!(
            parse_input(&f("Name"), "Acme"),
            Ok(Value::String("Acme".into()))
        );
        assert_eq!(
            parse_input(&f("BillingCity"), &"x".repeat(41)).unwrap_err(),
            "Use at most 40 characters (this is 41)."
        );
        assert_eq!(
            parse_input(&f("AnnualRevenue"), "12.5"),
            Ok(serde_json::json!(12.5))
        );
        assert_eq!(
            parse_input(&f("AnnualRevenue"), "lots").unwrap_err(),
            "Enter a number."
        );
        assert_eq!(
            parse_input(&f("NumberOfEmployees"), "1.5").unwrap_err(),
            "Enter a whole number."
        );
        assert!(parse_input(&f("NumberOfEmployees"), "123456789").is_err());
        assert_eq!(parse_input(&f("Type"), ""), Ok(Value::Null));
        assert_eq!(
            input_kind(&f("Type")),
            InputKind::Select(vec![("Prospect".into(), "Prospect".into())])
        );
        assert_eq!(
            input_kind(&f("AnnualRevenue")),
            InputKind::Number { scale: 0 }
        );
        assert_eq!(max_length(&f("BillingCity")), Some(40));
        assert_eq!(max_length(&f("AnnualRevenue")), None);
    }

    #[test]
    fn records_send_changed_fields_and_require_what_the_org_requires() {
        let d = describe();
        let fields = form_fields(&d, FormMode::Create);
        assert!(fields
            .iter()
            .all(|f| f.name != "CreatedDate" && f.name != "BillingAddress"));
        let mut values = BTreeMap::new();
        values.insert("Type".to_string(), "Prospect".to_string());
        let errors = build_record(&fields, &values, None, true).unwrap_err();
        assert_eq!(errors["Name"], "Account Name is required.");
        assert!(!errors.contains_key("OwnerId"), "defaulted on create");
        values.insert("Name".to_string(), "Acme".to_string());
        let rec = build_record(&fields, &values, None, true).unwrap();
        assert_eq!(
            Value::Object(rec),
            serde_json::json!({"Name": "Acme", "Type": "Prospect"})
        );

        let original = values.clone();
        values.insert("Type".to_string(), String::new());
        values.insert("BillingCity".to_string(), "Austin".to_string());
        let rec = build_record(&fields, &values, Some(&original), false).unwrap();
        assert_eq!(
            Value::Object(rec),
            serde_json::json!({"Type": null, "BillingCity": "Austin"})
        );
    }

    #[test]
    fn org_errors_land_beside_the_fields_they_name_or_mention() {
        let known: Vec<String> = ["Name", "AnnualRevenue", "External_Id__c"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let body = r#"[{"errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"Annual Revenue cannot be negative.","fields":["AnnualRevenue"]},
                      {"errorCode":"DUPLICATE_VALUE","message":"duplicate value found: External_Id__c duplicates value on record with id: 001","fields":[]},
                      {"errorCode":"UNKNOWN","message":"Something else.","fields":[]}]"#;
        let resp = salesforce::transport::HttpResponse {
            status: 400,
            headers: vec![],
            body: body.into(),
        };
        let err = salesforce::error::map_response("/x", resp).unwrap_err();
        let (by_field, general) = field_messages(&err, &known);
        assert_eq!(
            by_field["AnnualRevenue"],
            "Annual Revenue cannot be negative."
        );
        assert!(by_field["External_Id__c"].starts_with("duplicate value found"));
        assert_eq!(general, ["Something else."]);

        // Errors about no field are said in words a person can act on.
        let err = |status: u16, body: &str| {
            let resp = salesforce::transport::HttpResponse {
                status,
                headers: vec![],
                body: body.into(),
            };
            salesforce::error::map_response("/x", resp).unwrap_err()
        };
        let limit = err(
            403,
            r#"[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests Limit exceeded.","fields":[]}]"#,
        );
        let (by_field, general) = field_messages(&limit, &known);
        assert!(by_field.is_empty());
        assert!(general[0].contains("daily API allowance"), "{general:?}");
        // A validation rule that names no field keeps the org's own words, written for the person.
        let rule = err(
            400,
            r#"[{"errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","message":"Accounts in Ohio need a phone.","fields":[]}]"#,
        );
        assert_eq!(
            field_messages(&rule, &known).1,
            ["Accounts in Ohio need a phone."]
        );
    }

    #[test]
    fn small_helpers() {
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(pretty_body("{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_body("\"Success\""), "\"Success\"");
        assert_eq!(pretty_body("oops"), "oops");
    }
}
