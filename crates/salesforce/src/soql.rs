//! SOQL built from what a person typed: quoted-string and LIKE escaping, and a small builder for
//! the accounts list (fields, search, power-user WHERE, ORDER BY, LIMIT). User text only ever
//! enters a query inside an escaped literal, so it cannot break or widen it.

use crate::error::Error;
use crate::types::check_api_name;

/// Escapes text for use inside a SOQL single-quoted string (without the quotes), per SOQL's
/// quoted-string escape sequences: `\\ \' \" \n \r \t \b \f`.
///
/// ```
/// use salesforce::soql::escape_literal;
/// assert_eq!(escape_literal(r"O'Brien \ Co"), r"O\'Brien \\ Co");
/// ```
pub fn escape_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c => out.push(c),
        }
    }
    out
}

/// `'…'` with [`escape_literal`] applied.
pub fn quote(text: &str) -> String {
    format!("'{}'", escape_literal(text))
}

/// Escapes text for use inside a `LIKE` pattern: as [`escape_literal`], plus `%` and `_` so they
/// match themselves instead of acting as wildcards.
///
/// ```
/// use salesforce::soql::escape_like;
/// assert_eq!(escape_like("100%_off"), r"100\%\_off");
/// ```
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in escape_literal(text).chars() {
        match c {
            '%' => out.push_str("\\%"),
            '_' => out.push_str("\\_"),
            c => out.push(c),
        }
    }
    out
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Asc,
    Desc,
}

/// Checks a power user's WHERE text keeps its parentheses and quotes balanced, so wrapping it in
/// `( … )` really contains it (it cannot close the wrapper and OR its way past the search).
pub fn check_where_clause(text: &str) -> Result<(), Error> {
    let mut depth: i32 = 0;
    let mut in_quote = false;
    let mut chars = text.chars();
    let bad = |m: &str| Error::InvalidInput {
        what: "WHERE clause",
        message: format!("The WHERE clause {m}."),
    };
    while let Some(c) = chars.next() {
        match (in_quote, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '\'') => in_quote = false,
            (false, '\'') => in_quote = true,
            (false, '(') => depth += 1,
            (false, ')') => {
                depth -= 1;
                if depth < 0 {
                    return Err(bad("closes a parenthesis it never opened"));
                }
            }
            _ => {}
        }
    }
    if in_quote {
        return Err(bad("has a quote (') that is never closed"));
    }
    if depth != 0 {
        return Err(bad("opens a parenthesis it never closes"));
    }
    Ok(())
}

/// The accounts list's query.
///
/// ```
/// use salesforce::soql::{Direction, ListQuery};
/// let q = ListQuery::new("Account", ["Id", "Name"])
///     .search("O'Brien", ["Name", "Phone"])
///     .where_raw("AnnualRevenue > 1000")
///     .order_by("Name", Direction::Asc)
///     .limit(50);
/// assert_eq!(q.to_soql().unwrap(),
///     r"SELECT Id, Name FROM Account WHERE (Name LIKE '%O\'Brien%' OR Phone LIKE '%O\'Brien%') AND (AnnualRevenue > 1000) ORDER BY Name ASC NULLS LAST LIMIT 50");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    pub sobject: String,
    pub fields: Vec<String>,
    pub search_text: String,
    pub search_fields: Vec<String>,
    pub where_raw: String,
    pub order_by: Option<(String, Direction)>,
    pub limit: Option<u32>,
}

impl ListQuery {
    /// Selects `fields` from `sobject`.
    pub fn new<S: Into<String>>(sobject: &str, fields: impl IntoIterator<Item = S>) -> Self {
        ListQuery {
            sobject: sobject.to_string(),
            fields: fields.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    /// Matches records where any of `fields` contains `text` (case-insensitive `LIKE '%text%'`).
    pub fn search<S: Into<String>>(
        mut self,
        text: &str,
        fields: impl IntoIterator<Item = S>,
    ) -> Self {
        self.search_text = text.to_string();
        self.search_fields = fields.into_iter().map(Into::into).collect();
        self
    }

    /// A raw condition from a power user, wrapped in parentheses.
    pub fn where_raw(mut self, condition: &str) -> Self {
        self.where_raw = condition.to_string();
        self
    }

    /// Sorts by a field, nulls last.
    pub fn order_by(mut self, field: &str, direction: Direction) -> Self {
        self.order_by = Some((field.to_string(), direction));
        self
    }

    /// At most `n` records.
    pub fn limit(mut self, n: u32) -> Self {
        self.limit = Some(n);
        self
    }

    fn conditions(&self) -> Result<Vec<String>, Error> {
        let mut conditions = Vec::new();
        let text = self.search_text.trim();
        if !text.is_empty() && !self.search_fields.is_empty() {
            let pattern = format!("'%{}%'", escape_like(text));
            let mut parts = Vec::new();
            for f in &self.search_fields {
                check_api_name("field name", f, true)?;
                parts.push(format!("{f} LIKE {pattern}"));
            }
            conditions.push(format!("({})", parts.join(" OR ")));
        }
        let raw = self.where_raw.trim();
        let raw = raw
            .strip_prefix("WHERE ")
            .or_else(|| raw.strip_prefix("where "))
            .unwrap_or(raw)
            .trim();
        if !raw.is_empty() {
            check_where_clause(raw)?;
            conditions.push(format!("({raw})"));
        }
        Ok(conditions)
    }

    fn source_and_filter(&self) -> Result<String, Error> {
        check_api_name("object name", &self.sobject, false)?;
        let mut soql = format!(" FROM {}", self.sobject);
        let conditions = self.conditions()?;
        if !conditions.is_empty() {
            soql.push_str(" WHERE ");
            soql.push_str(&conditions.join(" AND "));
        }
        Ok(soql)
    }

    /// The SOQL text, or an error naming the bad field or clause.
    pub fn to_soql(&self) -> Result<String, Error> {
        if self.fields.is_empty() {
            return Err(Error::InvalidInput {
                what: "field list",
                message: "Choose at least one column to show.".into(),
            });
        }
        for f in &self.fields {
            check_api_name("field name", f, true)?;
        }
        let mut soql = format!(
            "SELECT {}{}",
            self.fields.join(", "),
            self.source_and_filter()?
        );
        if let Some((field, dir)) = &self.order_by {
            check_api_name("field name", field, true)?;
            let dir = match dir {
                Direction::Asc => "ASC",
                Direction::Desc => "DESC",
            };
            soql.push_str(&format!(" ORDER BY {field} {dir} NULLS LAST"));
        }
        if let Some(n) = self.limit {
            soql.push_str(&format!(" LIMIT {n}"));
        }
        Ok(soql)
    }

    /// Its filters alone (search and raw WHERE, checked), as another query can reuse them:
    /// `None` when there are none.
    pub fn where_clause(&self) -> Result<Option<String>, Error> {
        let conditions = self.conditions()?;
        Ok((!conditions.is_empty()).then(|| conditions.join(" AND ")))
    }

    /// `SELECT COUNT() …` with the same filters.
    pub fn count_soql(&self) -> Result<String, Error> {
        Ok(format!("SELECT COUNT(){}", self.source_and_filter()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits SOQL into the parts outside string literals, honouring escapes: what a parser sees
    /// as syntax. User text must never show up here.
    fn outside_literals(soql: &str) -> String {
        let mut out = String::new();
        let mut in_quote = false;
        let mut chars = soql.chars();
        while let Some(c) = chars.next() {
            match (in_quote, c) {
                (true, '\\') => {
                    chars.next();
                }
                (true, '\'') => {
                    in_quote = false;
                    out.push('\'');
                }
                (true, _) => {}
                (false, '\'') => {
                    in_quote = true;
                    out.push('\'');
                }
                (false, c) => out.push(c),
            }
        }
        assert!(!in_quote, "unterminated literal in {soql}");
        out
    }

    #[test]
    fn literal_escapes_every_special_character() {
        assert_eq!(
            escape_literal("a'b\"c\\d\ne\rf\tg\u{8}h\u{c}i"),
            r#"a\'b\"c\\d\ne\rf\tg\bh\fi"#
        );
        assert_eq!(quote("it's"), r"'it\'s'");
    }

    #[test]
    fn quote_cannot_break_out_of_the_search() {
        for evil in [
            "x' OR Name != '",
            "x\\' OR Name != '",
            "\\",
            "'",
            "x\\",
            "a\\\\' OR Id != null OR Name LIKE '",
        ] {
            let q = ListQuery::new("Account", ["Id"])
                .search(evil, ["Name"])
                .to_soql()
                .unwrap();
            assert_eq!(
                outside_literals(&q),
                "SELECT Id FROM Account WHERE (Name LIKE '')",
                "{evil} → {q}"
            );
        }
    }

    #[test]
    fn the_filters_alone_are_reusable_and_checked() {
        let q = ListQuery::new("Account", ["Id"])
            .search("O'Reilly", ["Name"])
            .where_raw("Industry = 'Media'");
        assert_eq!(
            q.where_clause().unwrap().as_deref(),
            Some(r"(Name LIKE '%O\'Reilly%') AND (Industry = 'Media')")
        );
        assert_eq!(
            ListQuery::new("Account", ["Id"]).where_clause().unwrap(),
            None
        );
        assert!(ListQuery::new("Account", ["Id"])
            .where_raw("Name = 'x")
            .where_clause()
            .is_err());
    }

    #[test]
    fn wildcards_in_search_text_match_literally() {
        let q = ListQuery::new("Account", ["Id"])
            .search("100%_off", ["Name"])
            .to_soql()
            .unwrap();
        assert_eq!(
            q,
            r"SELECT Id FROM Account WHERE (Name LIKE '%100\%\_off%')"
        );
        // A search for "%" alone must not become LIKE '%%%' (everything).
        let q = ListQuery::new("Account", ["Id"])
            .search("%", ["Name"])
            .to_soql()
            .unwrap();
        assert!(q.ends_with(r"LIKE '%\%%')"), "{q}");
    }

    #[test]
    fn raw_where_is_wrapped_and_must_be_balanced() {
        let q = ListQuery::new("Account", ["Id"])
            .search("a", ["Name"])
            .where_raw("WHERE Industry = 'Energy' OR Industry = 'Oil (crude)'")
            .to_soql()
            .unwrap();
        assert_eq!(q, "SELECT Id FROM Account WHERE (Name LIKE '%a%') AND (Industry = 'Energy' OR Industry = 'Oil (crude)')");
        for bad in [
            "Name = 'x') OR (Id != null",
            "(Name = 'x'",
            "Name = 'x",
            "Name = 'it\\'",
        ] {
            let err = ListQuery::new("Account", ["Id"])
                .where_raw(bad)
                .to_soql()
                .unwrap_err();
            assert!(err.user_message().starts_with("The WHERE clause"), "{bad}");
        }
    }

    #[test]
    fn names_are_checked_and_order_and_limit_render() {
        let q = ListQuery::new("Account", ["Id", "Owner.Name"])
            .order_by("AnnualRevenue", Direction::Desc)
            .limit(10)
            .to_soql()
            .unwrap();
        assert_eq!(
            q,
            "SELECT Id, Owner.Name FROM Account ORDER BY AnnualRevenue DESC NULLS LAST LIMIT 10"
        );
        assert!(ListQuery::new("Account", ["Id, (SELECT Id FROM Contacts)"])
            .to_soql()
            .is_err());
        assert!(ListQuery::new("Account", ["Id"])
            .order_by("Name; DELETE", Direction::Asc)
            .to_soql()
            .is_err());
        assert!(ListQuery::new("Account", ["Id"])
            .search("x", ["Name) OR (Id"])
            .to_soql()
            .is_err());
        assert!(ListQuery::new("Account", Vec::<String>::new())
            .to_soql()
            .is_err());
        assert_eq!(
            ListQuery::new("Account", ["Id"])
                .search("  ", ["Name"])
                .count_soql()
                .unwrap(),
            "SELECT COUNT() FROM Account"
        );
    }
}
