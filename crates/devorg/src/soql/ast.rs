//! The parsed form of a SOQL query: what `parse` produces, `resolve` canonicalises and `run` evaluates.

use chrono::NaiveDate;

/// One parsed `SELECT ... FROM ...` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The object after `FROM`, as written until [`super::resolve`] canonicalises it.
    pub object: String,
    pub select: Vec<SelectItem>,
    pub filter: Option<Expr>,
    pub order_by: Vec<OrderBy>,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    /// Where things were written, so later errors (unknown field, wrong literal type) can point at them.
    pub source: Source,
}

/// The query text and the byte offsets of the parts `resolve` may complain about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    pub text: String,
    pub object_pos: usize,
    /// One offset per entry of `Query::select`.
    pub select_pos: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    Field(FieldPath),
    /// `COUNT()`: the response carries only `totalSize`.
    Count,
    /// `COUNT(field) [alias]`: one `AggregateResult` row.
    Aggregate(Aggregate),
}

/// An aggregate function over a field, e.g. `COUNT(Id) c`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// The function as Salesforce spells it (`COUNT`).
    pub function: &'static str,
    pub field: FieldPath,
    /// The alias written after it; without one the column is `expr0`, `expr1`, … .
    pub alias: Option<String>,
}

/// A dotted field path such as `["Owner", "Name"]`; as written until resolved, canonical after.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<String>);

impl FieldPath {
    /// The path joined with dots, as Salesforce prints it in messages.
    pub fn dotted(&self) -> String {
        self.0.join(".")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub field: FieldPath,
    pub descending: bool,
    pub nulls_last: bool,
    /// Byte offset of the field in the query text.
    pub pos: usize,
    /// Filled in by `resolve`; `None` means unknown (compare by the values' JSON kinds).
    pub field_type: Option<FieldType>,
}

/// Field types as far as filtering and sorting care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    Id,
    /// string, picklist, textarea, url, phone, email, reference names, …: compared case-insensitively.
    Text,
    Number,
    Boolean,
    Date,
    DateTime,
}

/// A WHERE condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    Compare(Comparison),
    In(InList),
}

/// `field op literal`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub field: FieldPath,
    pub op: CompareOp,
    pub value: Literal,
    pub pos: usize,
    pub value_pos: usize,
    pub field_type: Option<FieldType>,
}

/// `field [NOT] IN (literal, ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct InList {
    pub field: FieldPath,
    pub negated: bool,
    pub values: Vec<Literal>,
    pub pos: usize,
    pub value_pos: Vec<usize>,
    pub field_type: Option<FieldType>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
}

/// A value written in the query.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Boolean(bool),
    /// The number as written (kept to tell integers from decimals in type errors) and its value.
    Number(f64),
    /// A quoted string with its escapes decoded. For LIKE patterns, `\%` and `\_` are kept as
    /// [`LIKE_ESCAPED_PERCENT`]/[`LIKE_ESCAPED_UNDERSCORE`] markers so they match literally.
    String(String),
    Date(NaiveDate),
    /// A datetime literal as milliseconds since the Unix epoch, UTC.
    DateTime(i64),
    /// A relative date constant such as `TODAY` or `LAST_N_DAYS:7`.
    DateConst(DateConst),
}

/// Marks a `\%` in a string literal: a literal percent sign, not a LIKE wildcard.
pub const LIKE_ESCAPED_PERCENT: char = '\u{E000}';
/// Marks a `\_` in a string literal: a literal underscore, not a LIKE wildcard.
pub const LIKE_ESCAPED_UNDERSCORE: char = '\u{E001}';

/// The supported relative date constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateConst {
    Today,
    Yesterday,
    Tomorrow,
    LastNDays(u32),
    NextNDays(u32),
    NDaysAgo(u32),
    ThisWeek,
    LastWeek,
    NextWeek,
    ThisMonth,
    LastMonth,
    NextMonth,
    ThisYear,
    LastYear,
    NextYear,
}
