//! Recursive-descent parser from tokens to a [`Query`], with Salesforce's error texts and positions.
//!
//! Grammar (the subset devorg supports, in SOQL's clause order):
//! `SELECT (COUNT() | COUNT(path) [alias] {, ...} | path {, path}) FROM object [WHERE cond] [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST]
//! {, ...}] [LIMIT n] [OFFSET n]`, where `cond` is terms joined by only AND or only OR (SOQL demands
//! parentheses when mixing them), a term is `NOT term`, `( cond )`, `path op literal` or
//! `path [NOT] IN (literal, ...)`.

use super::ast::*;
use super::dates;
use super::lexer::{lex, Tok, Token};
use super::SoqlError;

/// Salesforce rejects OFFSET values above this.
pub const MAX_OFFSET: usize = 2000;

/// Salesforce's documented maximum length of a SOQL statement, in characters ("SOQL and SOSL Limits
/// for Search Queries": 100,000 by default).
pub const MAX_STATEMENT_CHARS: usize = 100_000;

/// How deep `NOT` and parentheses may nest in WHERE. Salesforce documents no figure; the parser,
/// `resolve`, evaluation and even dropping the tree recurse once per level, so an unbounded depth
/// would overflow the stack and abort the whole org. Real queries nest a handful of levels.
pub const MAX_NESTING: usize = 100;

/// What devorg supports, appended to every "not supported" message so the reader knows what to use.
const SUPPORTED: &str =
    "devorg supports SELECT with fields, parent fields (Owner.Name), COUNT() or COUNT(field) \
[alias], FROM one object, WHERE, ORDER BY, LIMIT and OFFSET";

/// Prefixes a message with Salesforce's position block: the query line, a caret under the offending
/// character, and `ERROR at Row:r:Column:c` (both 1-based).
pub(crate) fn located(text: &str, pos: usize, message: &str) -> String {
    let pos = pos.min(text.len());
    let line_start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    let row = text[..pos].matches('\n').count() + 1;
    let column = text[line_start..pos].chars().count() + 1;
    let line = &text[line_start..line_end];
    let caret = " ".repeat(column - 1);
    format!("\n{line}\n{caret}^\nERROR at Row:{row}:Column:{column}\n{message}")
}

/// Words that end a field path or start a clause; they cannot be field or object names.
const RESERVED: &[&str] = &[
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "LIMIT", "OFFSET",
    "NULL", "TRUE", "FALSE", "GROUP", "HAVING", "WITH", "USING", "FOR", "INCLUDES", "EXCLUDES",
    "NULLS", "ASC", "DESC", "BY",
];

/// Parses one SOQL statement.
pub fn parse(text: &str) -> Result<Query, SoqlError> {
    // Checked before lexing, so an oversized statement costs one pass over its characters.
    if text.len() > MAX_STATEMENT_CHARS && text.chars().count() > MAX_STATEMENT_CHARS {
        return Err(SoqlError::Malformed(format!(
            "SOQL statements cannot be longer than 100,000 characters (this one has {})",
            text.chars().count()
        )));
    }
    let tokens = lex(text)?;
    if tokens.len() == 1 {
        return Err(SoqlError::Malformed(
            "SOQL statements cannot be empty or null".into(),
        ));
    }
    let mut p = Parser {
        text,
        tokens,
        i: 0,
        depth: 0,
    };
    p.query()
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    i: usize,
    /// How many `NOT`s and parentheses enclose the term being parsed.
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.i.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.i + ahead).min(self.tokens.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.tokens.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.is_kw(kw);
        if hit {
            self.bump();
        }
        hit
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let hit = &self.peek().tok == tok;
        if hit {
            self.bump();
        }
        hit
    }

    fn unexpected_at(&self, t: &Token) -> SoqlError {
        if t.tok == Tok::Eof {
            // Salesforce reports a query that stops too early without a position block.
            return SoqlError::Malformed("unexpected token: '<EOF>'".into());
        }
        let shown = &self.text[t.start..t.end];
        SoqlError::Malformed(located(
            self.text,
            t.start,
            &format!("unexpected token: '{shown}'"),
        ))
    }

    fn unexpected(&self) -> SoqlError {
        self.unexpected_at(self.peek())
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), SoqlError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn expect(&mut self, tok: &Tok) -> Result<(), SoqlError> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn unsupported(&self, at: usize, what: &str) -> SoqlError {
        SoqlError::Malformed(located(
            self.text,
            at,
            &format!("devorg does not support {what} in SOQL queries ({SUPPORTED})."),
        ))
    }

    fn query(&mut self) -> Result<Query, SoqlError> {
        self.expect_kw("SELECT")?;
        let (select, select_pos) = self.select_list()?;
        self.expect_kw("FROM")?;
        let object_tok = self.peek().clone();
        let object = self.name()?;
        if let Tok::Ident(word) = &self.peek().tok {
            let upper = word.to_ascii_uppercase();
            if !RESERVED.contains(&upper.as_str()) && upper != "UPDATE" {
                return Err(self.unsupported(self.peek().start, "object aliases after FROM"));
            }
        }
        if self.is_kw("USING") {
            return Err(self.unsupported(self.peek().start, "USING SCOPE"));
        }
        let filter = if self.eat_kw("WHERE") {
            Some(self.condition()?)
        } else {
            None
        };
        if self.is_kw("WITH") {
            return Err(self.unsupported(
                self.peek().start,
                "WITH clauses (SECURITY_ENFORCED, USER_MODE, DATA CATEGORY)",
            ));
        }
        if self.is_kw("GROUP") {
            return Err(self.unsupported(self.peek().start, "GROUP BY (aggregate queries)"));
        }
        if self.is_kw("HAVING") {
            return Err(self.unsupported(self.peek().start, "HAVING (aggregate queries)"));
        }
        let mut order_by = Vec::new();
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                order_by.push(self.order_item()?);
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
        }
        let limit = if self.eat_kw("LIMIT") {
            Some(self.count_value()?)
        } else {
            None
        };
        let offset = if self.eat_kw("OFFSET") {
            let n = self.count_value()?;
            if n > MAX_OFFSET {
                return Err(SoqlError::NumberOutsideValidRange(format!(
                    "Maximum SOQL offset allowed is {MAX_OFFSET}"
                )));
            }
            Some(n)
        } else {
            None
        };
        if self.is_kw("FOR") {
            return Err(
                self.unsupported(self.peek().start, "FOR VIEW, FOR REFERENCE or FOR UPDATE")
            );
        }
        if self.is_kw("UPDATE") {
            return Err(self.unsupported(self.peek().start, "UPDATE TRACKING or UPDATE VIEWSTAT"));
        }
        if self.peek().tok != Tok::Eof {
            return Err(self.unexpected());
        }
        self.check_aggregates(&select, &select_pos, &order_by)?;
        Ok(Query {
            object,
            select,
            filter,
            order_by,
            limit,
            offset,
            source: Source {
                text: self.text.to_string(),
                object_pos: object_tok.start,
                select_pos,
            },
        })
    }

    fn select_list(&mut self) -> Result<(Vec<SelectItem>, Vec<usize>), SoqlError> {
        let mut items = Vec::new();
        let mut positions = Vec::new();
        loop {
            let t = self.peek().clone();
            match &t.tok {
                Tok::LParen => {
                    return Err(self
                        .unsupported(t.start, "subqueries (parent-to-child relationship queries)"))
                }
                Tok::Ident(word) if word.eq_ignore_ascii_case("TYPEOF") => {
                    return Err(self.unsupported(t.start, "TYPEOF"))
                }
                Tok::Ident(word) if self.peek_at(1).tok == Tok::LParen => {
                    if !word.eq_ignore_ascii_case("COUNT") {
                        let name = word.to_ascii_uppercase();
                        return Err(self.unsupported(t.start, &format!("the function {name}()")));
                    }
                    if self.peek_at(2).tok == Tok::RParen {
                        self.i += 3;
                        items.push(SelectItem::Count);
                    } else {
                        self.i += 2;
                        let field = self.path()?;
                        self.expect(&Tok::RParen)?;
                        let alias = self.alias()?;
                        items.push(SelectItem::Aggregate(Aggregate {
                            function: "COUNT",
                            field,
                            alias,
                        }));
                    }
                }
                _ => items.push(SelectItem::Field(self.path()?)),
            }
            positions.push(t.start);
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        // COUNT() stands alone: it returns no records, only totalSize.
        if items.len() > 1 {
            if let Some(k) = items.iter().position(|i| *i == SelectItem::Count) {
                return Err(SoqlError::Malformed(located(
                    self.text,
                    positions[k],
                    "COUNT() must be the only element in the SELECT list.",
                )));
            }
        }
        Ok((items, positions))
    }

    /// Without GROUP BY (which devorg refuses), a query with an aggregate may select and sort by
    /// nothing else; Salesforce's words for it. Aliases must differ.
    fn check_aggregates(
        &self,
        select: &[SelectItem],
        positions: &[usize],
        order_by: &[OrderBy],
    ) -> Result<(), SoqlError> {
        if !select.iter().any(|s| matches!(s, SelectItem::Aggregate(_))) {
            return Ok(());
        }
        for (item, pos) in select.iter().zip(positions) {
            if let SelectItem::Field(path) = item {
                return Err(SoqlError::Malformed(located(
                    self.text,
                    *pos,
                    &format!("Field must be grouped or aggregated: {}", path.dotted()),
                )));
            }
        }
        if let Some(order) = order_by.first() {
            return Err(SoqlError::Malformed(located(
                self.text,
                order.pos,
                &format!(
                    "Ordered field must be grouped or aggregated: {}",
                    order.field.dotted()
                ),
            )));
        }
        let mut seen: Vec<String> = vec![];
        for item in select {
            if let SelectItem::Aggregate(Aggregate {
                alias: Some(alias), ..
            }) = item
            {
                let lower = alias.to_ascii_lowercase();
                if seen.contains(&lower) {
                    return Err(SoqlError::Malformed(format!("duplicate alias: {alias}")));
                }
                seen.push(lower);
            }
        }
        Ok(())
    }

    /// The alias after an aggregate (`COUNT(Id) total`), if one is written.
    fn alias(&mut self) -> Result<Option<String>, SoqlError> {
        match &self.peek().tok {
            Tok::Ident(s) if !RESERVED.contains(&s.to_ascii_uppercase().as_str()) => {
                self.name().map(Some)
            }
            _ => Ok(None),
        }
    }

    /// An identifier that is not a reserved word.
    fn name(&mut self) -> Result<String, SoqlError> {
        match &self.peek().tok {
            Tok::Ident(s) if !RESERVED.contains(&s.to_ascii_uppercase().as_str()) => {
                let s = s.clone();
                self.bump();
                Ok(s)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn path(&mut self) -> Result<FieldPath, SoqlError> {
        let mut parts = vec![self.name()?];
        while self.peek().tok == Tok::Dot {
            self.bump();
            parts.push(self.name()?);
        }
        Ok(FieldPath(parts))
    }

    fn order_item(&mut self) -> Result<OrderBy, SoqlError> {
        let pos = self.peek().start;
        if matches!(self.peek().tok, Tok::Ident(_)) && self.peek_at(1).tok == Tok::LParen {
            return Err(self.unsupported(pos, "functions in ORDER BY"));
        }
        let field = self.path()?;
        let descending = if self.eat_kw("DESC") {
            true
        } else {
            self.eat_kw("ASC");
            false
        };
        // Documented defaults: ascending puts nulls first, descending puts them last.
        let mut nulls_last = descending;
        if self.eat_kw("NULLS") {
            if self.eat_kw("LAST") {
                nulls_last = true;
            } else if self.eat_kw("FIRST") {
                nulls_last = false;
            } else {
                return Err(self.unexpected());
            }
        }
        Ok(OrderBy {
            field,
            descending,
            nulls_last,
            pos,
            field_type: None,
        })
    }

    /// A non-negative integer for LIMIT or OFFSET.
    fn count_value(&mut self) -> Result<usize, SoqlError> {
        let t = self.peek().clone();
        if let Tok::Number(n) = &t.tok {
            if let Ok(v) = n.parse::<usize>() {
                self.bump();
                return Ok(v);
            }
        }
        if t.tok == Tok::Colon {
            return Err(self.bind_variable(t.start));
        }
        Err(self.unexpected_at(&t))
    }

    fn bind_variable(&self, at: usize) -> SoqlError {
        SoqlError::Malformed(located(
            self.text,
            at,
            "Bind variables only allowed in Apex code",
        ))
    }

    fn condition(&mut self) -> Result<Expr, SoqlError> {
        let first = self.term()?;
        let joiner = if self.is_kw("AND") {
            "AND"
        } else if self.is_kw("OR") {
            "OR"
        } else {
            return Ok(first);
        };
        let other = if joiner == "AND" { "OR" } else { "AND" };
        let mut terms = vec![first];
        while self.eat_kw(joiner) {
            terms.push(self.term()?);
        }
        // SOQL has no precedence between AND and OR: mixing them needs parentheses.
        if self.is_kw(other) {
            return Err(self.unexpected());
        }
        Ok(if joiner == "AND" {
            Expr::And(terms)
        } else {
            Expr::Or(terms)
        })
    }

    fn term(&mut self) -> Result<Expr, SoqlError> {
        let nests = self.is_kw("NOT") || self.peek().tok == Tok::LParen;
        if !nests {
            return self.simple();
        }
        if self.depth == MAX_NESTING {
            return Err(SoqlError::Malformed(located(
                self.text,
                self.peek().start,
                &format!("devorg does not support conditions nested more than {MAX_NESTING} deep (NOT or parentheses)"),
            )));
        }
        self.depth += 1;
        let term = self.nested_term();
        self.depth -= 1;
        term
    }

    /// `NOT term` or `( cond )`; `term` has counted the level.
    fn nested_term(&mut self) -> Result<Expr, SoqlError> {
        if self.eat_kw("NOT") {
            return Ok(Expr::Not(Box::new(self.term()?)));
        }
        self.expect(&Tok::LParen)?;
        if self.is_kw("SELECT") {
            return Err(self.unsupported(self.peek().start, "subqueries"));
        }
        let inner = self.condition()?;
        self.expect(&Tok::RParen)?;
        Ok(inner)
    }

    fn simple(&mut self) -> Result<Expr, SoqlError> {
        let pos = self.peek().start;
        if matches!(self.peek().tok, Tok::Ident(_)) && self.peek_at(1).tok == Tok::LParen {
            return Err(self.unsupported(pos, "functions in WHERE"));
        }
        let field = self.path()?;
        let op_tok = self.peek().clone();
        let op = match &op_tok.tok {
            Tok::Eq => CompareOp::Eq,
            Tok::Ne => CompareOp::Ne,
            Tok::Lt => CompareOp::Lt,
            Tok::Le => CompareOp::Le,
            Tok::Gt => CompareOp::Gt,
            Tok::Ge => CompareOp::Ge,
            Tok::Ident(w) if w.eq_ignore_ascii_case("LIKE") => CompareOp::Like,
            Tok::Ident(w) if w.eq_ignore_ascii_case("IN") => {
                self.bump();
                return self.in_list(field, pos, false);
            }
            Tok::Ident(w) if w.eq_ignore_ascii_case("NOT") && self.peek_at(1).is_kw_tok("IN") => {
                self.bump();
                self.bump();
                return self.in_list(field, pos, true);
            }
            Tok::Ident(w)
                if w.eq_ignore_ascii_case("INCLUDES") || w.eq_ignore_ascii_case("EXCLUDES") =>
            {
                return Err(
                    self.unsupported(op_tok.start, "INCLUDES/EXCLUDES (multi-select picklists)")
                )
            }
            _ => return Err(self.unexpected()),
        };
        self.bump();
        let value_pos = self.peek().start;
        let value = self.literal()?;
        Ok(Expr::Compare(Comparison {
            field,
            op,
            value,
            pos,
            value_pos,
            field_type: None,
        }))
    }

    fn in_list(&mut self, field: FieldPath, pos: usize, negated: bool) -> Result<Expr, SoqlError> {
        if self.peek().tok == Tok::Colon {
            return Err(self.bind_variable(self.peek().start));
        }
        self.expect(&Tok::LParen)?;
        if self.is_kw("SELECT") {
            return Err(
                self.unsupported(self.peek().start, "semi-join subqueries (IN (SELECT ...))")
            );
        }
        let mut values = Vec::new();
        let mut value_pos = Vec::new();
        loop {
            value_pos.push(self.peek().start);
            values.push(self.literal()?);
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        self.expect(&Tok::RParen)?;
        Ok(Expr::In(InList {
            field,
            negated,
            values,
            pos,
            value_pos,
            field_type: None,
        }))
    }

    fn literal(&mut self) -> Result<Literal, SoqlError> {
        let t = self.peek().clone();
        let lit = match &t.tok {
            Tok::Str(s) => Literal::String(s.clone()),
            Tok::Number(n) => match n.parse::<f64>() {
                Ok(v) if v.is_finite() => Literal::Number(v),
                _ => return Err(self.unexpected_at(&t)),
            },
            Tok::DateTime(s) if s.len() == 10 => match dates::parse_date(s) {
                Some(d) => Literal::Date(d),
                None => return Err(self.unexpected_at(&t)),
            },
            Tok::DateTime(s) => match dates::parse_datetime_literal(s) {
                Some(ms) => Literal::DateTime(ms),
                None => return Err(self.unexpected_at(&t)),
            },
            Tok::Colon => return Err(self.bind_variable(t.start)),
            Tok::Ident(w) if w.eq_ignore_ascii_case("NULL") => Literal::Null,
            Tok::Ident(w) if w.eq_ignore_ascii_case("TRUE") => Literal::Boolean(true),
            Tok::Ident(w) if w.eq_ignore_ascii_case("FALSE") => Literal::Boolean(false),
            Tok::Ident(w) => {
                let w = w.clone();
                self.bump();
                let n = if self.peek().tok == Tok::Colon {
                    self.bump();
                    let nt = self.peek().clone();
                    match &nt.tok {
                        Tok::Number(n) => match n.parse::<u32>() {
                            Ok(v) => {
                                self.bump();
                                Some(v)
                            }
                            Err(_) => return Err(self.unexpected_at(&nt)),
                        },
                        _ => return Err(self.unexpected_at(&nt)),
                    }
                } else {
                    None
                };
                return match dates::date_const(&w, n) {
                    Ok(Some(c)) => Ok(Literal::DateConst(c)),
                    Ok(None) => Err(self.unexpected_at(&t)),
                    Err(name) => {
                        Err(self.unsupported(t.start, &format!("the date literal {name}")))
                    }
                };
            }
            _ => return Err(self.unexpected_at(&t)),
        };
        self.bump();
        Ok(lit)
    }
}

impl Token {
    fn is_kw_tok(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn p(text: &str) -> Query {
        parse(text).unwrap_or_else(|e| panic!("{text}: {}", e.message()))
    }

    fn err(text: &str) -> SoqlError {
        parse(text).expect_err(text)
    }

    fn path(s: &str) -> FieldPath {
        FieldPath(s.split('.').map(String::from).collect())
    }

    fn cmp(q: &Query) -> &Comparison {
        match q.filter.as_ref().unwrap() {
            Expr::Compare(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parses_fields_relationships_and_clauses() {
        let q = p("select Id, Name, Owner.Name, Parent.Name from account \
                   where Name != null order by Name desc nulls first, Id limit 10 offset 20");
        assert_eq!(q.object, "account");
        assert_eq!(
            q.select,
            vec![
                SelectItem::Field(path("Id")),
                SelectItem::Field(path("Name")),
                SelectItem::Field(path("Owner.Name")),
                SelectItem::Field(path("Parent.Name")),
            ]
        );
        assert_eq!(q.source.select_pos, vec![7, 11, 17, 29]);
        assert_eq!(q.source.object_pos, 46);
        assert_eq!(q.order_by.len(), 2);
        assert!(q.order_by[0].descending && !q.order_by[0].nulls_last);
        assert!(!q.order_by[1].descending && !q.order_by[1].nulls_last);
        assert_eq!((q.limit, q.offset), (Some(10), Some(20)));
        assert_eq!(cmp(&q).op, CompareOp::Ne);
        assert_eq!(cmp(&q).value, Literal::Null);
    }

    #[test]
    fn order_by_defaults_follow_the_docs() {
        let q = p("SELECT Id FROM Account ORDER BY Name DESC, Id ASC, Phone NULLS LAST, Site DESC NULLS FIRST");
        let flags: Vec<_> = q
            .order_by
            .iter()
            .map(|o| (o.descending, o.nulls_last))
            .collect();
        assert_eq!(
            flags,
            vec![(true, true), (false, false), (false, true), (true, false)]
        );
    }

    #[test]
    fn parses_count() {
        let q = p("SELECT COUNT() FROM Account WHERE Industry = 'Energy'");
        assert_eq!(q.select, vec![SelectItem::Count]);
        let e = err("SELECT COUNT(), Name FROM Account");
        assert_eq!(e.error_code(), "MALFORMED_QUERY");
    }

    #[test]
    fn parses_count_of_a_field_with_or_without_alias() {
        let q = p("SELECT COUNT(Id) c, count(Owner.Name) FROM Account WHERE Name != null");
        assert_eq!(
            q.select,
            vec![
                SelectItem::Aggregate(Aggregate {
                    function: "COUNT",
                    field: path("Id"),
                    alias: Some("c".into())
                }),
                SelectItem::Aggregate(Aggregate {
                    function: "COUNT",
                    field: path("Owner.Name"),
                    alias: None
                }),
            ]
        );
        let e = err("SELECT Name, COUNT(Id) FROM Account");
        assert_eq!(e.error_code(), "MALFORMED_QUERY");
        assert_eq!(
            e.message(),
            "\nSELECT Name, COUNT(Id) FROM Account\n       ^\nERROR at Row:1:Column:8\nField must be grouped or aggregated: Name"
        );
        assert!(err("SELECT COUNT(Id) FROM Account ORDER BY Name")
            .message()
            .ends_with("Ordered field must be grouped or aggregated: Name"));
        assert_eq!(
            err("SELECT COUNT(Id) a, COUNT(Name) A FROM Account").message(),
            "duplicate alias: A"
        );
        assert_eq!(
            err("SELECT COUNT(Id FROM Account").error_code(),
            "MALFORMED_QUERY"
        );
    }

    #[test]
    fn parses_every_operator_and_literal() {
        let ops = [
            ("=", CompareOp::Eq),
            ("!=", CompareOp::Ne),
            ("<>", CompareOp::Ne),
            ("<", CompareOp::Lt),
            ("<=", CompareOp::Le),
            (">", CompareOp::Gt),
            (">=", CompareOp::Ge),
            ("like", CompareOp::Like),
        ];
        for (text, op) in ops {
            let q = p(&format!("SELECT Id FROM Account WHERE Name {text} 'x'"));
            assert_eq!(cmp(&q).op, op, "{text}");
        }
        let lit = |v: &str| {
            cmp(&p(&format!("SELECT Id FROM Account WHERE F = {v}")))
                .value
                .clone()
        };
        assert_eq!(lit("-12.5"), Literal::Number(-12.5));
        assert_eq!(lit("TRUE"), Literal::Boolean(true));
        assert_eq!(lit("false"), Literal::Boolean(false));
        assert_eq!(lit("Null"), Literal::Null);
        assert_eq!(
            lit("2024-01-31"),
            Literal::Date(NaiveDate::from_ymd_opt(2024, 1, 31).unwrap())
        );
        assert_eq!(lit("1970-01-01T00:00:01Z"), Literal::DateTime(1000));
        assert_eq!(lit("1970-01-01T02:00:00+02:00"), Literal::DateTime(0));
        assert_eq!(lit("today"), Literal::DateConst(DateConst::Today));
        assert_eq!(
            lit("LAST_N_DAYS:30"),
            Literal::DateConst(DateConst::LastNDays(30))
        );
        assert_eq!(
            lit("next_n_days : 3"),
            Literal::DateConst(DateConst::NextNDays(3))
        );
        assert_eq!(
            lit(r"'O\'Brien \\ x'"),
            Literal::String("O'Brien \\ x".into())
        );
    }

    #[test]
    fn parses_in_not_in_and_boolean_structure() {
        let q = p(
            "SELECT Id FROM Account WHERE (Industry IN ('A','B') OR Industry NOT IN ('C')) \
                   AND NOT Name LIKE 'x%' AND Rating = 'Hot'",
        );
        let Some(Expr::And(terms)) = &q.filter else {
            panic!("{:?}", q.filter)
        };
        assert_eq!(terms.len(), 3);
        let Expr::Or(alts) = &terms[0] else { panic!() };
        assert!(matches!(&alts[0], Expr::In(l) if !l.negated && l.values.len() == 2));
        assert!(
            matches!(&alts[1], Expr::In(l) if l.negated && l.values == vec![Literal::String("C".into())])
        );
        assert!(matches!(&terms[1], Expr::Not(inner) if matches!(**inner, Expr::Compare(_))));
        let q = p("SELECT Id FROM Account WHERE NOT (A = 1 OR B = 2)");
        assert!(matches!(q.filter, Some(Expr::Not(_))));
    }

    #[test]
    fn mixing_and_with_or_needs_parentheses() {
        let text = "SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3";
        let e = err(text);
        assert_eq!(e.error_code(), "MALFORMED_QUERY");
        assert_eq!(
            e.message(),
            format!(
                "\n{text}\n{}^\nERROR at Row:1:Column:46\nunexpected token: 'OR'",
                " ".repeat(45)
            )
        );
        assert!(parse("SELECT Id FROM Contact WHERE A = 1 OR B = 2 OR C = 3").is_ok());
    }

    #[test]
    fn syntax_errors_carry_salesforce_positions() {
        let e = err("SELECT Id, FROM Account");
        assert_eq!(e.message(), "\nSELECT Id, FROM Account\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'");
        assert_eq!(
            err("SELECT Id FROM Account WHERE").message(),
            "unexpected token: '<EOF>'"
        );
        let e = err("SELECT Id\nFROM Account\nWHERE Name = 'a' Name");
        assert!(
            e.message().starts_with(
                "\nWHERE Name = 'a' Name\n                 ^\nERROR at Row:3:Column:18\n"
            ),
            "{}",
            e.message()
        );
        assert_eq!(err("").message(), "SOQL statements cannot be empty or null");
        assert_eq!(
            err("SELECT Id FROM Account LIMIT x").error_code(),
            "MALFORMED_QUERY"
        );
        assert_eq!(
            err("SELECT Id FROM Account WHERE Name = foo")
                .message()
                .lines()
                .last(),
            Some("unexpected token: 'foo'")
        );
        assert_eq!(
            err("SELECT Id FROM Account WHERE Name").message(),
            "unexpected token: '<EOF>'"
        );
        assert!(err("SELECT Id FROM Account FROM")
            .message()
            .ends_with("Column:24\nunexpected token: 'FROM'"));
        assert!(err("SELECT Id FROM Account, Contact")
            .message()
            .ends_with("Column:23\nunexpected token: ','"));
        assert!(
            err("SELECT Id FROM Account ORDER BY Name LIMIT 5 WHERE Name = 'a'")
                .message()
                .ends_with("unexpected token: 'WHERE'")
        );
    }

    #[test]
    fn nesting_is_bounded_at_max_nesting() {
        let nested = |n: usize| {
            format!(
                "SELECT Id FROM Account WHERE {}A = 1{}",
                "(NOT ".repeat(n / 2) + &"NOT ".repeat(n % 2),
                ")".repeat(n / 2)
            )
        };
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        let e = err(&nested(MAX_NESTING + 1));
        assert_eq!(e.error_code(), "MALFORMED_QUERY");
        assert!(e
            .message()
            .ends_with("nested more than 100 deep (NOT or parentheses)"));
    }

    #[test]
    fn offset_above_2000_is_out_of_range() {
        assert_eq!(p("SELECT Id FROM Account OFFSET 2000").offset, Some(2000));
        let e = err("SELECT Id FROM Account LIMIT 10 OFFSET 2001");
        assert_eq!(e.error_code(), "NUMBER_OUTSIDE_VALID_RANGE");
        assert_eq!(e.message(), "Maximum SOQL offset allowed is 2000");
    }

    #[test]
    fn unsupported_features_say_so() {
        for (text, what) in [
            (
                "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry",
                "GROUP BY",
            ),
            ("SELECT SUM(AnnualRevenue) FROM Account", "SUM()"),
            ("SELECT Industry FROM Account GROUP BY Industry", "GROUP BY"),
            (
                "SELECT Id, (SELECT Id FROM Contacts) FROM Account",
                "subqueries",
            ),
            (
                "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)",
                "semi-join",
            ),
            ("SELECT FIELDS(ALL) FROM Account LIMIT 200", "FIELDS()"),
            (
                "SELECT Id FROM Account WHERE CreatedDate = THIS_QUARTER",
                "THIS_QUARTER",
            ),
            ("SELECT Id FROM Account a", "aliases"),
            ("SELECT Id FROM Account WITH SECURITY_ENFORCED", "WITH"),
            ("SELECT Id FROM Account FOR UPDATE", "FOR UPDATE"),
            ("SELECT Id FROM Account USING SCOPE mine", "USING SCOPE"),
            (
                "SELECT TYPEOF What WHEN Account THEN Name END FROM Event",
                "TYPEOF",
            ),
            (
                "SELECT Id FROM Account WHERE Tags__c INCLUDES ('a')",
                "INCLUDES",
            ),
            ("SELECT Id FROM Account ORDER BY MAX(Name)", "functions"),
        ] {
            let e = err(text);
            assert_eq!(e.error_code(), "MALFORMED_QUERY", "{text}");
            assert!(
                e.message().contains("devorg does not support") && e.message().contains(what),
                "{text}: {}",
                e.message()
            );
        }
        let e = err("SELECT Id FROM Account WHERE Id IN :ids");
        assert!(
            e.message()
                .ends_with("Bind variables only allowed in Apex code"),
            "{}",
            e.message()
        );
    }
}
