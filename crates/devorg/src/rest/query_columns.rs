//! `GET /query?q=…&columns=true`: the query's column metadata instead of its records, which
//! `sf data query` asks for to lay out its table (plugin-data `retrieveColumns` reads
//! `columnMetadata[].columnName`, `joinColumns` and `aggregate`, and `displayName` of aggregates).
//! Salesforce does not document this parameter; the shape follows what the sf CLI reads:
//! `{"columnMetadata": [...], "entityName", "groupBy", "idSelected", "keyPrefix"}`, one column per
//! selected field, a relationship (`Owner.Name`) as the column `Owner` whose `joinColumns` hold
//! its fields, an aggregate as `aggregate: true` named by its alias or `expr0`.
//! <https://github.com/salesforcecli/plugin-data/blob/main/src/commands/data/query.ts>

use serde_json::{json, Map, Value};

use crate::schema::{Field, FieldType, SObject, Schema};
use crate::soql::{self, Query, SelectItem};

/// The `columns=true` body for a resolved query on `obj`.
pub fn column_metadata(schema: &Schema, obj: &SObject, query: &Query) -> Value {
    let mut columns: Vec<Value> = vec![];
    let aggregates = soql::aggregate_columns(query);
    let mut next_aggregate = aggregates.iter();
    for item in &query.select {
        match item {
            SelectItem::Field(path) => add_path(schema, obj, &path.0, &mut columns),
            SelectItem::Aggregate(_) => {
                if let Some((name, agg)) = next_aggregate.next() {
                    columns.push(aggregate_column(name, agg));
                }
            }
            SelectItem::Count => {}
        }
    }
    let id_selected = query
        .select
        .iter()
        .any(|s| matches!(s, SelectItem::Field(p) if p.0.len() == 1 && p.0[0] == "Id"));
    json!({
        "columnMetadata": columns,
        "entityName": obj.name,
        "groupBy": false,
        "idSelected": id_selected,
        "keyPrefix": obj.key_prefix,
    })
}

/// Adds a (canonical) path: a plain field as its own column, a relationship path into the
/// column of its relationship (created once, shared by every path under it).
fn add_path(schema: &Schema, obj: &SObject, path: &[String], columns: &mut Vec<Value>) {
    match path {
        [] => {}
        [field] => {
            if let Some(f) = obj.field(field) {
                columns.push(field_column(f));
            }
        }
        [rel, rest @ ..] => {
            let Some(target) = obj
                .relationship(rel)
                .and_then(|link| schema.object(link.reference_to[0]))
            else {
                return;
            };
            // No plain field is named like a relationship (`Owner` vs `OwnerId`).
            let at = match columns
                .iter()
                .position(|c| c["columnName"] == rel.as_str() && c["apexType"] == target.name)
            {
                Some(at) => at,
                None => {
                    columns.push(relationship_column(rel, target));
                    columns.len() - 1
                }
            };
            let mut joins: Vec<Value> = match columns[at]["joinColumns"].take() {
                Value::Array(joins) => joins,
                _ => vec![],
            };
            add_path(schema, target, rest, &mut joins);
            columns[at]["joinColumns"] = Value::Array(joins);
        }
    }
}

/// The Apex type of a field's values, as the column's `apexType`.
fn apex_type(t: FieldType) -> &'static str {
    match t {
        FieldType::Id | FieldType::Reference => "Id",
        FieldType::Boolean => "Boolean",
        FieldType::Int => "Integer",
        FieldType::Double => "Double",
        FieldType::Currency => "Decimal",
        FieldType::Date => "Date",
        FieldType::DateTime => "Datetime",
        FieldType::Address => "Address",
        _ => "String",
    }
}

fn column(name: &str, display: &str, apex: &str, flags: [bool; 6], joins: Vec<Value>) -> Value {
    let [aggregate, boolean, custom, insertable, number, text] = flags;
    let mut c = Map::new();
    c.insert("aggregate".into(), aggregate.into());
    c.insert("apexType".into(), apex.into());
    c.insert("booleanType".into(), boolean.into());
    c.insert("columnName".into(), name.into());
    c.insert("custom".into(), custom.into());
    c.insert("displayName".into(), display.into());
    c.insert("foreignKeyName".into(), Value::Null);
    c.insert("insertable".into(), insertable.into());
    c.insert("joinColumns".into(), Value::Array(joins));
    c.insert("numberType".into(), number.into());
    c.insert("textType".into(), text.into());
    c.insert("updatable".into(), Value::Bool(false));
    Value::Object(c)
}

fn field_column(f: &Field) -> Value {
    let number = matches!(
        f.ftype,
        FieldType::Int | FieldType::Double | FieldType::Currency
    );
    let mut c = column(
        &f.name,
        &f.name,
        apex_type(f.ftype),
        [
            false,
            f.ftype == FieldType::Boolean,
            f.custom,
            f.createable,
            number,
            f.ftype.is_text(),
        ],
        vec![],
    );
    c["updatable"] = f.updateable.into();
    c
}

/// The column of a relationship (`Owner`): typed by the object it leads to (UNCONFIRMED), its
/// fields in `joinColumns`.
fn relationship_column(rel: &str, target: &SObject) -> Value {
    column(rel, rel, target.name, [false; 6], vec![])
}

/// An aggregate's column: its alias or `exprN`, displayed as the function over its field.
fn aggregate_column(name: &str, agg: &soql::Aggregate) -> Value {
    let display = format!("{}({})", agg.function, agg.field.dotted());
    column(
        name,
        &display,
        "Integer",
        [true, false, false, false, true, false],
        vec![],
    )
}
