//! Evaluates a resolved query over rows: filter, ORDER BY, OFFSET and LIMIT.
//!
//! The WHERE tree is compiled once per run (literals lowercased, date constants turned into ranges), and
//! ORDER BY keys are computed once per row, so 100,000 rows cost one `Row::value` call per field used.
//! Semantics follow SOQL rather than SQL: text compares case-insensitively, `!=` and `NOT IN` also match
//! nulls, a null boolean counts as false, and `''` counts as null for text.

use super::ast::*;
use super::dates::{self, Stamp};
use super::Row;
use chrono::NaiveDate;
use serde_json::Value;
use std::cmp::Ordering;

const MS_PER_DAY: i64 = 86_400_000;

/// Filter + ORDER BY + OFFSET/LIMIT over rows; `today` anchors relative date literals (UTC).
pub fn run<R: Row>(query: &Query, rows: Vec<R>, today: NaiveDate) -> Vec<R> {
    let kept = filtered(query, rows, today);
    let offset = query.offset.unwrap_or(0);
    let end = query.limit.map_or(usize::MAX, |l| offset.saturating_add(l));
    if query.order_by.is_empty() {
        return kept.into_iter().skip(offset).take(end - offset).collect();
    }
    let order = sorted_indices(&query.order_by, &kept, end);
    let mut slots: Vec<Option<R>> = kept.into_iter().map(Some).collect();
    order
        .into_iter()
        .skip(offset)
        .take(end - offset)
        .filter_map(|i| slots[i as usize].take())
        .collect()
}

/// The rows that satisfy the WHERE clause (no ORDER BY, OFFSET or LIMIT), compiled once.
pub(super) fn filtered<R: Row>(query: &Query, rows: Vec<R>, today: NaiveDate) -> Vec<R> {
    match &query.filter {
        Some(filter) => {
            let pred = compile(filter, today);
            rows.into_iter().filter(|row| pred.eval(row)).collect()
        }
        None => rows,
    }
}

/// Whether one row satisfies a WHERE condition.
pub fn matches(expr: &Expr, row: &impl Row, today: NaiveDate) -> bool {
    compile(expr, today).eval(row)
}

// ---------------------------------------------------------------------------------------------
// ORDER BY

/// A precomputed sort key for one row and one ORDER BY field.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Null,
    Bool(bool),
    Num(f64),
    /// Lowercased text, or text compared exactly (ids, dates, datetimes).
    Text(String),
}

fn sort_key(value: &Value, ty: Option<FieldType>) -> SortKey {
    match value {
        Value::Null => SortKey::Null,
        Value::Bool(b) => SortKey::Bool(*b),
        Value::Number(n) => SortKey::Num(n.as_f64().unwrap_or(0.0)),
        Value::String(s) if s.is_empty() => SortKey::Null,
        Value::String(s) => match ty {
            Some(FieldType::Number) => s
                .parse()
                .map_or_else(|_| SortKey::Text(s.clone()), SortKey::Num),
            // Dates and datetimes sort as instants (cheaper to compare than text, and offset-proof).
            Some(FieldType::Date | FieldType::DateTime) => match dates::parse_stamp(s) {
                Some(Stamp::Day(d)) => SortKey::Num((d * MS_PER_DAY) as f64),
                Some(Stamp::Millis(ms)) => SortKey::Num(ms as f64),
                None => SortKey::Text(s.clone()),
            },
            // Ids sort case-sensitively.
            Some(FieldType::Id) => SortKey::Text(s.clone()),
            _ if s.is_ascii() => SortKey::Text(s.to_ascii_lowercase()),
            _ => SortKey::Text(s.to_lowercase()),
        },
        other => SortKey::Text(other.to_string()),
    }
}

fn rank(k: &SortKey) -> u8 {
    match k {
        SortKey::Null => 0,
        SortKey::Bool(_) => 1,
        SortKey::Num(_) => 2,
        SortKey::Text(_) => 3,
    }
}

fn compare_keys(a: &SortKey, b: &SortKey, descending: bool, nulls_last: bool) -> Ordering {
    let null_side = if nulls_last {
        Ordering::Greater
    } else {
        Ordering::Less
    };
    let o = match (a, b) {
        (SortKey::Null, SortKey::Null) => return Ordering::Equal,
        (SortKey::Null, _) => return null_side,
        (_, SortKey::Null) => return null_side.reverse(),
        (SortKey::Bool(x), SortKey::Bool(y)) => x.cmp(y),
        (SortKey::Num(x), SortKey::Num(y)) => x.total_cmp(y),
        (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    };
    if descending {
        o.reverse()
    } else {
        o
    }
}

/// Row indices in ORDER BY order; only the first `needed` are guaranteed sorted (the rest are dropped).
/// Ties keep the rows' original order, so paging through results is stable.
fn sorted_indices<R: Row>(order_by: &[OrderBy], rows: &[R], needed: usize) -> Vec<u32> {
    let keys: Vec<Vec<SortKey>> = order_by
        .iter()
        .map(|o| {
            rows.iter()
                .map(|r| r.with_value(&o.field.0, |v| sort_key(v, o.field_type)))
                .collect()
        })
        .collect();
    let cmp = |a: &u32, b: &u32| {
        for (o, k) in order_by.iter().zip(&keys) {
            let ord = compare_keys(&k[*a as usize], &k[*b as usize], o.descending, o.nulls_last);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        a.cmp(b)
    };
    let mut idx: Vec<u32> = (0..rows.len() as u32).collect();
    // A page of a large result only needs its first `needed` rows ordered: select them, then sort those.
    if needed > 0 && needed < idx.len() / 2 {
        idx.select_nth_unstable_by(needed - 1, cmp);
        idx.truncate(needed);
    }
    idx.sort_unstable_by(cmp);
    idx
}

// ---------------------------------------------------------------------------------------------
// WHERE

enum Pred<'q> {
    And(Vec<Pred<'q>>),
    Or(Vec<Pred<'q>>),
    Not(Box<Pred<'q>>),
    Cmp {
        path: &'q [String],
        op: CompareOp,
        lit: CLit,
        ty: Option<FieldType>,
    },
    In {
        path: &'q [String],
        negated: bool,
        lits: Vec<CLit>,
        ty: Option<FieldType>,
    },
}

/// A literal prepared for fast comparison.
enum CLit {
    Null,
    Bool(bool),
    Num(f64),
    /// `lower` for case-insensitive text, `exact` for ids.
    Text {
        lower: String,
        exact: String,
    },
    Like(Like),
    /// A half-open range of days since the epoch (a date literal or a relative constant).
    Days(i64, i64),
    /// A datetime literal, in milliseconds since the epoch.
    Instant(i64),
}

fn compile(expr: &Expr, today: NaiveDate) -> Pred<'_> {
    match expr {
        Expr::And(terms) => Pred::And(terms.iter().map(|t| compile(t, today)).collect()),
        Expr::Or(terms) => Pred::Or(terms.iter().map(|t| compile(t, today)).collect()),
        Expr::Not(inner) => Pred::Not(Box::new(compile(inner, today))),
        Expr::Compare(c) => Pred::Cmp {
            path: &c.field.0,
            op: c.op,
            lit: compile_literal(&c.value, c.op == CompareOp::Like, today),
            ty: c.field_type,
        },
        Expr::In(l) => Pred::In {
            path: &l.field.0,
            negated: l.negated,
            lits: l
                .values
                .iter()
                .map(|v| compile_literal(v, false, today))
                .collect(),
            ty: l.field_type,
        },
    }
}

fn compile_literal(lit: &Literal, like: bool, today: NaiveDate) -> CLit {
    match lit {
        Literal::Null => CLit::Null,
        Literal::Boolean(b) => CLit::Bool(*b),
        Literal::Number(n) => CLit::Num(*n),
        Literal::String(s) if like => CLit::Like(Like::new(s)),
        Literal::String(s) => {
            // Outside LIKE, an escaped % or _ is just that character.
            let exact: String = s
                .chars()
                .map(|c| match c {
                    LIKE_ESCAPED_PERCENT => '%',
                    LIKE_ESCAPED_UNDERSCORE => '_',
                    c => c,
                })
                .collect();
            CLit::Text {
                lower: exact.to_lowercase(),
                exact,
            }
        }
        Literal::Date(d) => {
            let day = dates::day_number(*d);
            CLit::Days(day, day + 1)
        }
        Literal::DateTime(ms) => CLit::Instant(*ms),
        Literal::DateConst(c) => {
            let (start, end) = dates::const_range(*c, today);
            CLit::Days(dates::day_number(start), dates::day_number(end))
        }
    }
}

impl Pred<'_> {
    fn eval(&self, row: &impl Row) -> bool {
        match self {
            Pred::And(terms) => terms.iter().all(|t| t.eval(row)),
            Pred::Or(terms) => terms.iter().any(|t| t.eval(row)),
            Pred::Not(inner) => !inner.eval(row),
            Pred::Cmp { path, op, lit, ty } => row.with_value(path, |v| compare(v, *op, lit, *ty)),
            Pred::In {
                path,
                negated,
                lits,
                ty,
            } => {
                let hit = row.with_value(path, |v| {
                    lits.iter().any(|l| compare(v, CompareOp::Eq, l, *ty))
                });
                hit != *negated
            }
        }
    }
}

fn is_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        // Salesforce stores an empty text value as null.
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn compare(v: &Value, op: CompareOp, lit: &CLit, ty: Option<FieldType>) -> bool {
    let boolean = ty == Some(FieldType::Boolean) || matches!(lit, CLit::Bool(_));
    if let CLit::Null = lit {
        // Documented: on a boolean field, null matches false.
        let null = is_null(v) || (boolean && *v == Value::Bool(false));
        return match op {
            CompareOp::Eq => null,
            CompareOp::Ne => !null,
            _ => false,
        };
    }
    let falsy = Value::Bool(false);
    let v = if is_null(v) {
        if boolean {
            &falsy
        } else {
            return op == CompareOp::Ne;
        }
    } else {
        v
    };
    let ordering = match (lit, v) {
        (CLit::Like(pattern), Value::String(s)) => {
            return op == CompareOp::Like && pattern.matches(s)
        }
        (CLit::Text { exact, .. }, Value::String(s)) if ty == Some(FieldType::Id) => {
            id_prefix(s).cmp(id_prefix(exact))
        }
        (CLit::Text { lower, .. }, Value::String(s)) => cmp_ignore_case(s, lower),
        (CLit::Num(n), Value::Number(x)) => x.as_f64().unwrap_or(f64::NAN).total_cmp(n),
        (CLit::Num(n), Value::String(s)) => match s.parse::<f64>() {
            Ok(x) => x.total_cmp(n),
            Err(_) => return op == CompareOp::Ne,
        },
        (CLit::Bool(b), Value::Bool(x)) => x.cmp(b),
        (CLit::Days(lo, hi), Value::String(s)) => {
            return match dates::parse_stamp(s) {
                Some(Stamp::Day(d)) => in_range(op, d, *lo, *hi),
                Some(Stamp::Millis(ms)) => in_range(op, ms, lo * MS_PER_DAY, hi * MS_PER_DAY),
                None => op == CompareOp::Ne,
            }
        }
        (CLit::Instant(t), Value::String(s)) => {
            let at = match dates::parse_stamp(s) {
                Some(Stamp::Day(d)) => d * MS_PER_DAY,
                Some(Stamp::Millis(ms)) => ms,
                None => return op == CompareOp::Ne,
            };
            return in_range(op, at, *t, t + 1);
        }
        _ => return op == CompareOp::Ne,
    };
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Like => false,
    }
}

/// A value against a half-open range `[lo, hi)`: `=` means inside, `<` before it, `>` after it.
fn in_range(op: CompareOp, v: i64, lo: i64, hi: i64) -> bool {
    match op {
        CompareOp::Eq => lo <= v && v < hi,
        CompareOp::Ne => !(lo <= v && v < hi),
        CompareOp::Lt => v < lo,
        CompareOp::Le => v < hi,
        CompareOp::Gt => v >= hi,
        CompareOp::Ge => v >= lo,
        CompareOp::Like => false,
    }
}

/// The case-sensitive 15-character form of a record id: 18-character ids only add a case checksum.
fn id_prefix(id: &str) -> &str {
    if id.len() == 18 && id.is_ascii() {
        &id[..15]
    } else {
        id
    }
}

/// Compares `s` case-insensitively with an already-lowercased `lower`, without allocating.
fn cmp_ignore_case(s: &str, lower: &str) -> Ordering {
    if s.is_ascii() && lower.is_ascii() {
        s.bytes().map(|b| b.to_ascii_lowercase()).cmp(lower.bytes())
    } else {
        s.chars().flat_map(char::to_lowercase).cmp(lower.chars())
    }
}

/// A compiled LIKE pattern: `%` any run, `_` any one character, case-insensitive.
#[derive(Debug)]
enum Like {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    General(Vec<LikeTok>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum LikeTok {
    Char(char),
    One,
    Many,
}

impl Like {
    fn new(pattern: &str) -> Like {
        let mut toks = Vec::new();
        for c in pattern.chars() {
            match c {
                '%' if toks.last() == Some(&LikeTok::Many) => {}
                '%' => toks.push(LikeTok::Many),
                '_' => toks.push(LikeTok::One),
                LIKE_ESCAPED_PERCENT => toks.push(LikeTok::Char('%')),
                LIKE_ESCAPED_UNDERSCORE => toks.push(LikeTok::Char('_')),
                c => toks.extend(c.to_lowercase().map(LikeTok::Char)),
            }
        }
        let literal = |t: &[LikeTok]| -> Option<String> {
            t.iter()
                .map(|t| {
                    if let LikeTok::Char(c) = t {
                        Some(*c)
                    } else {
                        None
                    }
                })
                .collect()
        };
        let n = toks.len();
        let starts = toks.first() == Some(&LikeTok::Many);
        let ends = n > 0 && toks.last() == Some(&LikeTok::Many);
        let inner = &toks[usize::from(starts)..n - usize::from(ends && (n > 1 || !starts))];
        match (starts, ends, literal(inner)) {
            (false, false, Some(s)) => Like::Exact(s),
            (false, true, Some(s)) => Like::Prefix(s),
            (true, false, Some(s)) => Like::Suffix(s),
            (true, true, Some(s)) => Like::Contains(s),
            _ => Like::General(toks),
        }
    }

    fn matches(&self, value: &str) -> bool {
        let lower = if value.is_ascii() {
            value.to_ascii_lowercase()
        } else {
            value.to_lowercase()
        };
        match self {
            Like::Exact(s) => lower == *s,
            Like::Prefix(s) => lower.starts_with(s.as_str()),
            Like::Suffix(s) => lower.ends_with(s.as_str()),
            Like::Contains(s) => lower.contains(s.as_str()),
            Like::General(toks) => {
                let chars: Vec<char> = lower.chars().collect();
                wildcard(toks, &chars)
            }
        }
    }
}

/// Classic linear-backtracking wildcard match (one backtrack point per `%`).
fn wildcard(pattern: &[LikeTok], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(LikeTok::Many) => {
                star = Some((p, t));
                p += 1;
            }
            Some(LikeTok::One) => {
                p += 1;
                t += 1;
            }
            Some(LikeTok::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|t| *t == LikeTok::Many)
}

#[cfg(test)]
mod tests {
    use super::super::{parse, resolve, Catalog};
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    /// A row backed by a JSON object; dotted paths walk into nested objects.
    #[derive(Debug, Clone)]
    struct JsonRow(Value);

    impl Row for JsonRow {
        fn value(&self, path: &[String]) -> Value {
            let mut v = &self.0;
            for p in path {
                v = match v.get(p) {
                    Some(x) => x,
                    None => return Value::Null,
                };
            }
            v.clone()
        }
    }

    /// Rows that lend their values must give the same answers as rows that clone them.
    #[derive(Debug, Clone)]
    struct LendingRow(Value);

    impl Row for LendingRow {
        fn value(&self, path: &[String]) -> Value {
            JsonRow(self.0.clone()).value(path)
        }

        fn with_value<T>(&self, path: &[String], f: impl FnOnce(&Value) -> T) -> T {
            let mut v = &self.0;
            for p in path {
                v = v.get(p).unwrap_or(&Value::Null);
            }
            f(v)
        }
    }

    struct TestCatalog;

    impl Catalog for TestCatalog {
        fn has_object(&self, object: &str) -> Option<String> {
            object
                .eq_ignore_ascii_case("Account")
                .then(|| "Account".to_string())
        }

        fn resolve(
            &self,
            _object: &str,
            path: &[String],
        ) -> Option<(Vec<String>, FieldType, bool)> {
            let fields: HashMap<&str, FieldType> = [
                ("Id", FieldType::Id),
                ("Name", FieldType::Text),
                ("Industry", FieldType::Text),
                ("Employees", FieldType::Number),
                ("Active", FieldType::Boolean),
                ("Since", FieldType::Date),
                ("Created", FieldType::DateTime),
                ("Owner.Name", FieldType::Text),
            ]
            .into_iter()
            .collect();
            let dotted = path.join(".").to_ascii_lowercase();
            let (name, ty) = fields
                .iter()
                .find(|(k, _)| k.to_ascii_lowercase() == dotted)?;
            Some((name.split('.').map(String::from).collect(), *ty, true))
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, 13).unwrap()
    }

    fn rows() -> Vec<JsonRow> {
        [
            json!({"Id": "001000000000001AAA", "Name": "Acme", "Industry": "Energy", "Employees": 50,
                   "Active": true, "Since": "2024-03-13", "Created": "2024-03-13T08:00:00.000+0000",
                   "Owner": {"Name": "Ada"}}),
            json!({"Id": "001000000000002AAA", "Name": "beta 50% off", "Industry": null, "Employees": 5,
                   "Active": false, "Since": "2024-03-12", "Created": "2024-03-12T23:59:59.000+0000",
                   "Owner": {"Name": "bob"}}),
            json!({"Id": "001000000000003AAA", "Name": "O'Brien \\ Sons", "Industry": "energy", "Employees": null,
                   "Active": null, "Since": null, "Created": "2024-01-15T00:00:00.000+0000", "Owner": null}),
            json!({"Id": "001000000000004AAA", "Name": "Zed_Co", "Industry": "Banking", "Employees": 500,
                   "Active": true, "Since": "2023-12-31", "Created": "2023-06-01T12:00:00.000+0000",
                   "Owner": {"Name": "Cy"}}),
        ]
        .into_iter()
        .map(JsonRow)
        .collect()
    }

    /// Names of the rows a query returns, in order.
    fn names(text: &str) -> Vec<String> {
        let q = resolve(parse(text).unwrap(), &TestCatalog)
            .unwrap_or_else(|e| panic!("{}", e.message()));
        run(&q, rows(), today())
            .into_iter()
            .map(|r| r.0["Name"].as_str().unwrap().to_string())
            .collect()
    }

    fn w(condition: &str) -> Vec<String> {
        names(&format!("SELECT Name FROM Account WHERE {condition}"))
    }

    #[test]
    fn text_comparisons_ignore_case_and_null_counts_for_not_equal() {
        assert_eq!(w("Industry = 'ENERGY'"), ["Acme", "O'Brien \\ Sons"]);
        // SOQL's != keeps records whose value is null, unlike SQL.
        assert_eq!(w("Industry != 'energy'"), ["beta 50% off", "Zed_Co"]);
        assert_eq!(w("Industry = null"), ["beta 50% off"]);
        assert_eq!(w("Industry != null"), ["Acme", "O'Brien \\ Sons", "Zed_Co"]);
        assert_eq!(
            w("Name > 'b'"),
            ["beta 50% off", "O'Brien \\ Sons", "Zed_Co"]
        );
        assert_eq!(w(r"Name = 'o\'brien \\ sons'"), ["O'Brien \\ Sons"]);
        assert_eq!(w("Owner.Name = 'BOB'"), ["beta 50% off"]);
        assert_eq!(w("Owner.Name = null"), ["O'Brien \\ Sons"]);
    }

    #[test]
    fn like_wildcards_and_escapes() {
        assert_eq!(w("Name LIKE 'a%'"), ["Acme"]);
        assert_eq!(w("Name LIKE '%CO'"), ["Zed_Co"]);
        assert_eq!(
            w("Name LIKE '%e%'"),
            ["Acme", "beta 50% off", "O'Brien \\ Sons", "Zed_Co"]
        );
        assert_eq!(w("Name LIKE 'ac_e'"), ["Acme"]);
        assert_eq!(w("Name LIKE '_e%a%'"), ["beta 50% off"]);
        // Escaped % and _ match only themselves.
        assert_eq!(w(r"Name LIKE '%50\%%'"), ["beta 50% off"]);
        assert_eq!(w(r"Name LIKE '%0\%'"), Vec::<String>::new());
        assert_eq!(w(r"Name LIKE 'zed\_co'"), ["Zed_Co"]);
        assert_eq!(w(r"Name LIKE 'zed\_%'"), ["Zed_Co"]);
        assert_eq!(w(r"Name LIKE 'zedx%'"), Vec::<String>::new());
        // An escaped quote and backslash inside LIKE are literal characters.
        assert_eq!(w(r"Name LIKE 'o\'brien \\%'"), ["O'Brien \\ Sons"]);
        assert_eq!(w("NOT Name LIKE '%e%'"), Vec::<String>::new());
        assert_eq!(
            w("Industry LIKE '%'"),
            ["Acme", "O'Brien \\ Sons", "Zed_Co"]
        );
    }

    #[test]
    fn numbers_booleans_in_and_logic() {
        assert_eq!(w("Employees >= 50"), ["Acme", "Zed_Co"]);
        assert_eq!(w("Employees < 50"), ["beta 50% off"]);
        assert_eq!(w("Employees = null"), ["O'Brien \\ Sons"]);
        assert_eq!(w("Active = true"), ["Acme", "Zed_Co"]);
        // Documented: a null boolean matches false.
        assert_eq!(w("Active = false"), ["beta 50% off", "O'Brien \\ Sons"]);
        assert_eq!(w("Active = null"), ["beta 50% off", "O'Brien \\ Sons"]);
        assert_eq!(
            w("Industry IN ('banking', 'ENERGY')"),
            ["Acme", "O'Brien \\ Sons", "Zed_Co"]
        );
        assert_eq!(w("Industry NOT IN ('banking', 'ENERGY')"), ["beta 50% off"]);
        assert_eq!(w("Industry IN (null)"), ["beta 50% off"]);
        assert_eq!(w("Employees IN (5, 500)"), ["beta 50% off", "Zed_Co"]);
        assert_eq!(
            w("(Employees > 10 OR Active = false) AND NOT Industry = 'energy'"),
            ["beta 50% off", "Zed_Co"]
        );
        assert_eq!(
            w("Industry = 'energy' OR Industry = 'banking' OR Employees = 5"),
            ["Acme", "beta 50% off", "O'Brien \\ Sons", "Zed_Co"]
        );
    }

    #[test]
    fn ids_compare_by_their_15_character_form() {
        assert_eq!(w("Id = '001000000000002AAA'"), ["beta 50% off"]);
        assert_eq!(w("Id = '001000000000002'"), ["beta 50% off"]);
        assert_eq!(
            w("Id IN ('001000000000001', '001000000000004AAA')"),
            ["Acme", "Zed_Co"]
        );
    }

    #[test]
    fn dates_datetimes_and_relative_constants() {
        // today() is Wednesday 2024-03-13.
        assert_eq!(w("Since = 2024-03-12"), ["beta 50% off"]);
        assert_eq!(w("Since > 2024-01-01"), ["Acme", "beta 50% off"]);
        assert_eq!(w("Since = TODAY"), ["Acme"]);
        assert_eq!(w("Since = YESTERDAY"), ["beta 50% off"]);
        assert_eq!(w("Since < TODAY"), ["beta 50% off", "Zed_Co"]);
        assert_eq!(w("Since >= THIS_MONTH"), ["Acme", "beta 50% off"]);
        assert_eq!(w("Since = LAST_YEAR"), ["Zed_Co"]);
        assert_eq!(w("Created = TODAY"), ["Acme"]);
        assert_eq!(w("Created = LAST_N_DAYS:1"), ["Acme", "beta 50% off"]);
        assert_eq!(
            w("Created = THIS_YEAR"),
            ["Acme", "beta 50% off", "O'Brien \\ Sons"]
        );
        assert_eq!(w("Created > TODAY"), Vec::<String>::new());
        assert_eq!(
            w("Created <= TODAY"),
            ["Acme", "beta 50% off", "O'Brien \\ Sons", "Zed_Co"]
        );
        assert_eq!(w("Created = THIS_WEEK"), ["Acme", "beta 50% off"]);
        assert_eq!(w("Created = LAST_MONTH"), Vec::<String>::new());
        assert_eq!(w("Created = NEXT_N_DAYS:5"), Vec::<String>::new());
        assert_eq!(
            w("Created > 2024-03-12T23:59:58Z"),
            ["Acme", "beta 50% off"]
        );
        assert_eq!(w("Created = 2024-03-13T09:00:00+01:00"), ["Acme"]);
        assert_eq!(w("Created < 2024-01-15T00:00:00Z"), ["Zed_Co"]);
        assert_eq!(
            w("Created <= 2024-01-15T00:00:00Z"),
            ["O'Brien \\ Sons", "Zed_Co"]
        );
    }

    #[test]
    fn order_by_with_nulls_and_paging() {
        let all = "SELECT Name FROM Account ORDER BY";
        assert_eq!(
            names(&format!("{all} Name")),
            ["Acme", "beta 50% off", "O'Brien \\ Sons", "Zed_Co"]
        );
        assert_eq!(
            names(&format!("{all} Name DESC")),
            ["Zed_Co", "O'Brien \\ Sons", "beta 50% off", "Acme"]
        );
        // ASC puts nulls first, DESC last, unless told otherwise.
        assert_eq!(
            names(&format!("{all} Employees")),
            ["O'Brien \\ Sons", "beta 50% off", "Acme", "Zed_Co"]
        );
        assert_eq!(
            names(&format!("{all} Employees DESC")),
            ["Zed_Co", "Acme", "beta 50% off", "O'Brien \\ Sons"]
        );
        assert_eq!(
            names(&format!("{all} Employees NULLS LAST")),
            ["beta 50% off", "Acme", "Zed_Co", "O'Brien \\ Sons"]
        );
        assert_eq!(
            names(&format!("{all} Employees DESC NULLS FIRST")),
            ["O'Brien \\ Sons", "Zed_Co", "Acme", "beta 50% off"]
        );
        assert_eq!(
            names(&format!("{all} Industry, Name DESC")),
            ["beta 50% off", "Zed_Co", "O'Brien \\ Sons", "Acme"]
        );
        assert_eq!(
            names(&format!("{all} Created")),
            ["Zed_Co", "O'Brien \\ Sons", "beta 50% off", "Acme"]
        );
        assert_eq!(
            names(&format!("{all} Since DESC")),
            ["Acme", "beta 50% off", "Zed_Co", "O'Brien \\ Sons"]
        );
        assert_eq!(
            names(&format!("{all} Owner.Name")),
            ["O'Brien \\ Sons", "Acme", "beta 50% off", "Zed_Co"]
        );
        // A null boolean sorts as a null, ahead of false.
        assert_eq!(
            names(&format!("{all} Active, Name")),
            ["O'Brien \\ Sons", "beta 50% off", "Acme", "Zed_Co"]
        );
        assert_eq!(
            names(&format!("{all} Name LIMIT 2")),
            ["Acme", "beta 50% off"]
        );
        assert_eq!(
            names(&format!("{all} Name LIMIT 2 OFFSET 1")),
            ["beta 50% off", "O'Brien \\ Sons"]
        );
        assert_eq!(names(&format!("{all} Name OFFSET 3")), ["Zed_Co"]);
        assert_eq!(names(&format!("{all} Name LIMIT 0")), Vec::<String>::new());
        assert_eq!(
            names("SELECT Name FROM Account LIMIT 1 OFFSET 1"),
            ["beta 50% off"]
        );
        assert_eq!(
            names("SELECT Name FROM Account WHERE Employees > 1 ORDER BY Employees DESC LIMIT 1"),
            ["Zed_Co"]
        );
    }

    #[test]
    fn matches_evaluates_one_row() {
        let q = resolve(
            parse("SELECT Id FROM Account WHERE Name LIKE 'ac%' AND Active = true").unwrap(),
            &TestCatalog,
        )
        .unwrap();
        let rows = rows();
        assert!(matches(q.filter.as_ref().unwrap(), &rows[0], today()));
        assert!(!matches(q.filter.as_ref().unwrap(), &rows[1], today()));
    }

    #[test]
    fn lending_rows_give_the_same_results() {
        let text = "SELECT Name FROM Account WHERE Industry IN ('energy', 'banking') OR Since = LAST_N_DAYS:2 \
                    ORDER BY Owner.Name DESC NULLS LAST";
        let q = resolve(parse(text).unwrap(), &TestCatalog).unwrap();
        let cloned: Vec<Value> = run(&q, rows(), today()).into_iter().map(|r| r.0).collect();
        let lent: Vec<Value> = run(
            &q,
            rows().into_iter().map(|r| LendingRow(r.0)).collect(),
            today(),
        )
        .into_iter()
        .map(|r| r.0)
        .collect();
        assert_eq!(cloned.len(), 4);
        assert_eq!(cloned, lent);
        assert_eq!(cloned[3]["Name"], "O'Brien \\ Sons");
    }

    #[test]
    fn unresolved_queries_compare_by_the_values_kinds() {
        let q = parse(
            "SELECT Name FROM Account WHERE Employees > 10 AND Name LIKE '%e%' ORDER BY Name DESC",
        )
        .unwrap();
        let got: Vec<_> = run(&q, rows(), today())
            .into_iter()
            .map(|r| r.0["Name"].clone())
            .collect();
        assert_eq!(got, [json!("Zed_Co"), json!("Acme")]);
    }

    /// 100,000 rows: a filtered, sorted page is correct (speed is measured by the bench, not here).
    #[test]
    fn filters_and_sorts_at_scale() {
        let rows: Vec<JsonRow> = (0..100_000u32)
            .map(|i| {
                let name = format!("{} Account {i:06}", ["alpha", "Beta", "gamma", "Delta"][(i % 4) as usize]);
                JsonRow(json!({"Id": format!("001{i:015}"), "Name": name, "Employees": (i * 7919) % 1000,
                               "Industry": if i % 10 == 0 { Value::Null } else { json!("Energy") }}))
            })
            .collect();
        let text = "SELECT Name FROM Account WHERE Industry != null AND Name LIKE 'b%' \
                    ORDER BY Employees DESC, Name LIMIT 2000 OFFSET 100";
        let q = resolve(parse(text).unwrap(), &TestCatalog).unwrap();
        let page = run(&q, rows.clone(), today());
        assert_eq!(page.len(), 2000);
        // Reference: the same filter and order computed the plain way.
        let mut expected: Vec<&JsonRow> = rows
            .iter()
            .filter(|r| {
                !r.0["Industry"].is_null() && r.0["Name"].as_str().unwrap().starts_with("Beta")
            })
            .collect();
        expected.sort_by(|a, b| {
            let (ea, eb) = (
                a.0["Employees"].as_u64().unwrap(),
                b.0["Employees"].as_u64().unwrap(),
            );
            eb.cmp(&ea).then_with(|| {
                a.0["Name"]
                    .as_str()
                    .unwrap()
                    .cmp(b.0["Name"].as_str().unwrap())
            })
        });
        let expected: Vec<&Value> = expected[100..2100].iter().map(|r| &r.0["Name"]).collect();
        let got: Vec<&Value> = page.iter().map(|r| &r.0["Name"]).collect();
        assert_eq!(got, expected);
    }
}
