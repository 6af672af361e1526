//! Checks a parsed query against the org's schema: canonical object and field names, fields that exist
//! and may be filtered or sorted, and literals that fit their field's type — with Salesforce's errors.

use super::ast::*;
use super::parser::located;
use super::{Catalog, SoqlError};

/// Canonicalises object and field names, checks fields exist and literals fit their field types.
pub fn resolve(mut query: Query, catalog: &impl Catalog) -> Result<Query, SoqlError> {
    let text = query.source.text.clone();
    let Some(object) = catalog.has_object(&query.object) else {
        return Err(SoqlError::InvalidType(located(
            &text,
            query.source.object_pos,
            &format!(
                "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to \
                 append the '__c' after the entity name. Please reference your WSDL or the describe call for \
                 the appropriate names.",
                query.object
            ),
        )));
    };
    query.object = object;
    let r = Resolver {
        catalog,
        object: &query.object,
        text: &text,
    };
    let mut seen: Vec<&FieldPath> = Vec::new();
    for (item, pos) in query.select.iter_mut().zip(&query.source.select_pos) {
        match item {
            SelectItem::Field(path) | SelectItem::Aggregate(Aggregate { field: path, .. }) => {
                let (canonical, _, _) = r.field(path, *pos)?;
                *path = canonical;
            }
            SelectItem::Count => {}
        }
    }
    for item in &query.select {
        if let SelectItem::Field(path) = item {
            // Documented: a field selected twice (in any spelling) is an error, without a position.
            if seen.contains(&path) {
                return Err(SoqlError::InvalidField(format!(
                    "duplicate field selected: {}",
                    path.dotted()
                )));
            }
            seen.push(path);
        }
    }
    if let Some(filter) = query.filter.as_mut() {
        r.expr(filter)?;
    }
    for order in &mut query.order_by {
        let (canonical, ty, sortable) = r.field(&order.field, order.pos)?;
        if !sortable {
            return Err(SoqlError::InvalidField(located(
                &text,
                order.pos,
                &format!(
                    "field '{}' can not be sorted in a query call",
                    canonical.dotted()
                ),
            )));
        }
        order.field = canonical;
        order.field_type = Some(ty);
    }
    Ok(query)
}

struct Resolver<'a, C> {
    catalog: &'a C,
    object: &'a str,
    text: &'a str,
}

impl<C: Catalog> Resolver<'_, C> {
    fn field(
        &self,
        path: &FieldPath,
        pos: usize,
    ) -> Result<(FieldPath, FieldType, bool), SoqlError> {
        if let Some((canonical, ty, ok)) = self.catalog.resolve(self.object, &path.0) {
            return Ok((FieldPath(canonical), ty, ok));
        }
        let last = path.0.last().map(String::as_str).unwrap_or_default();
        let message = if path.0.len() > 1 {
            let relationship = &path.0[..path.0.len() - 1];
            match self.catalog.relationship_object(self.object, relationship) {
                Some(entity) => no_such_column(last, &entity),
                None => format!(
                    "Didn't understand relationship '{}' in field path. If you are attempting to use a custom \
                     relationship, be sure to append the '__r' after the custom relationship name. Please \
                     reference your WSDL or the describe call for the appropriate names.",
                    relationship.join(".")
                ),
            }
        } else {
            no_such_column(last, self.object)
        };
        Err(SoqlError::InvalidField(located(self.text, pos, &message)))
    }

    fn expr(&self, expr: &mut Expr) -> Result<(), SoqlError> {
        match expr {
            Expr::And(terms) | Expr::Or(terms) => terms.iter_mut().try_for_each(|t| self.expr(t)),
            Expr::Not(inner) => self.expr(inner),
            Expr::Compare(c) => {
                let (canonical, ty) = self.filterable(&c.field, c.pos)?;
                c.field = canonical;
                c.field_type = Some(ty);
                self.check_operator(c.op, ty, &c.field, c.pos)?;
                self.check_literal(&c.value, ty, &c.field, c.value_pos)
            }
            Expr::In(list) => {
                let (canonical, ty) = self.filterable(&list.field, list.pos)?;
                list.field = canonical;
                list.field_type = Some(ty);
                for (value, pos) in list.values.iter().zip(&list.value_pos) {
                    self.check_literal(value, ty, &list.field, *pos)?;
                }
                Ok(())
            }
        }
    }

    fn filterable(
        &self,
        path: &FieldPath,
        pos: usize,
    ) -> Result<(FieldPath, FieldType), SoqlError> {
        let (canonical, ty, filterable) = self.field(path, pos)?;
        if !filterable {
            return Err(SoqlError::InvalidField(located(
                self.text,
                pos,
                &format!(
                    "field '{}' can not be filtered in a query call",
                    canonical.dotted()
                ),
            )));
        }
        Ok((canonical, ty))
    }

    fn check_operator(
        &self,
        op: CompareOp,
        ty: FieldType,
        field: &FieldPath,
        pos: usize,
    ) -> Result<(), SoqlError> {
        let ordering = matches!(
            op,
            CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge
        );
        let bad = match ty {
            FieldType::Text => false,
            FieldType::Boolean => ordering || op == CompareOp::Like,
            _ => op == CompareOp::Like,
        };
        if bad {
            return Err(SoqlError::InvalidQueryFilterOperator(located(
                self.text,
                pos,
                &format!(
                    "invalid operator on {} field: {}",
                    type_name(ty),
                    field.dotted()
                ),
            )));
        }
        Ok(())
    }

    fn check_literal(
        &self,
        value: &Literal,
        ty: FieldType,
        field: &FieldPath,
        pos: usize,
    ) -> Result<(), SoqlError> {
        let fits = match (ty, value) {
            (_, Literal::Null) => true,
            (FieldType::Text, Literal::String(_)) => true,
            (FieldType::Id, Literal::String(s)) => {
                if !is_record_id(s) {
                    return Err(SoqlError::InvalidQueryFilterOperator(located(
                        self.text,
                        pos,
                        &format!("invalid ID field: {s}"),
                    )));
                }
                true
            }
            (FieldType::Number, Literal::Number(_)) => true,
            (FieldType::Boolean, Literal::Boolean(_)) => true,
            (FieldType::Date, Literal::Date(_) | Literal::DateConst(_)) => true,
            (FieldType::DateTime, Literal::DateTime(_) | Literal::DateConst(_)) => true,
            _ => false,
        };
        if fits {
            return Ok(());
        }
        let quoting = if matches!(ty, FieldType::Text | FieldType::Id) {
            "should be enclosed in quotes"
        } else {
            "should not be enclosed in quotes"
        };
        Err(SoqlError::InvalidField(located(
            self.text,
            pos,
            &format!(
                "value of filter criterion for field '{}' must be of type {} and {quoting}",
                field.dotted(),
                type_name(ty)
            ),
        )))
    }
}

fn no_such_column(field: &str, entity: &str) -> String {
    format!(
        "No such column '{field}' on entity '{entity}'. If you are attempting to use a custom field, be sure to \
         append the '__c' after the custom field name. Please reference your WSDL or the describe call for the \
         appropriate names."
    )
}

/// The type names Salesforce uses in filter errors.
fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Id => "id",
        FieldType::Text => "string",
        FieldType::Number => "double",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date",
        FieldType::DateTime => "dateTime",
    }
}

/// A 15- or 18-character alphanumeric record id.
fn is_record_id(s: &str) -> bool {
    (s.len() == 15 || s.len() == 18) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// Account with a few fields and an Owner → User relationship.
    struct TestCatalog;

    impl Catalog for TestCatalog {
        fn has_object(&self, object: &str) -> Option<String> {
            ["Account", "User"]
                .into_iter()
                .find(|o| o.eq_ignore_ascii_case(object))
                .map(String::from)
        }

        fn resolve(&self, object: &str, path: &[String]) -> Option<(Vec<String>, FieldType, bool)> {
            let fields: &[(&str, FieldType, bool)] = match object {
                "Account" => &[
                    ("Id", FieldType::Id, true),
                    ("Name", FieldType::Text, true),
                    ("NumberOfEmployees", FieldType::Number, true),
                    ("IsDeleted", FieldType::Boolean, true),
                    ("LastActivityDate", FieldType::Date, true),
                    ("CreatedDate", FieldType::DateTime, true),
                    ("Description", FieldType::Text, false),
                ],
                _ => &[("Id", FieldType::Id, true), ("Name", FieldType::Text, true)],
            };
            match path {
                [rel, rest @ ..]
                    if !rest.is_empty()
                        && object == "Account"
                        && rel.eq_ignore_ascii_case("owner") =>
                {
                    let (mut p, ty, ok) = self.resolve("User", rest)?;
                    p.insert(0, "Owner".into());
                    Some((p, ty, ok))
                }
                [one] => fields
                    .iter()
                    .find(|(n, _, _)| n.eq_ignore_ascii_case(one))
                    .map(|(n, ty, ok)| (vec![n.to_string()], *ty, *ok)),
                _ => None,
            }
        }

        fn relationship_object(&self, object: &str, relationship: &[String]) -> Option<String> {
            (object == "Account"
                && relationship.len() == 1
                && relationship[0].eq_ignore_ascii_case("owner"))
            .then(|| "User".to_string())
        }
    }

    fn run(text: &str) -> Result<Query, SoqlError> {
        resolve(parse(text).unwrap(), &TestCatalog)
    }

    #[test]
    fn canonicalises_names_and_records_types() {
        let q = run(
            "select name, owner.name from ACCOUNT where numberofemployees > 5 order by createddate",
        )
        .unwrap();
        assert_eq!(q.object, "Account");
        assert_eq!(
            q.select,
            vec![
                SelectItem::Field(FieldPath(vec!["Name".into()])),
                SelectItem::Field(FieldPath(vec!["Owner".into(), "Name".into()])),
            ]
        );
        let Some(Expr::Compare(c)) = &q.filter else {
            panic!()
        };
        assert_eq!(
            (c.field.dotted().as_str(), c.field_type),
            ("NumberOfEmployees", Some(FieldType::Number))
        );
        assert_eq!(q.order_by[0].field.dotted(), "CreatedDate");
        assert_eq!(q.order_by[0].field_type, Some(FieldType::DateTime));
    }

    #[test]
    fn unknown_field_is_invalid_field_with_salesforce_text() {
        let e = run("SELECT Foo FROM Account").unwrap_err();
        assert_eq!(e.error_code(), "INVALID_FIELD");
        assert_eq!(
            e.message(),
            "\nSELECT Foo FROM Account\n       ^\nERROR at Row:1:Column:8\nNo such column 'Foo' on entity 'Account'. \
             If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. \
             Please reference your WSDL or the describe call for the appropriate names."
        );
        let e = run("SELECT Owner.Foo FROM Account").unwrap_err();
        assert!(
            e.message()
                .contains("No such column 'Foo' on entity 'User'"),
            "{}",
            e.message()
        );
        let e = run("SELECT Id FROM Account WHERE Boss.Name = 'x'").unwrap_err();
        assert!(
            e.message()
                .contains("ERROR at Row:1:Column:30\nDidn't understand relationship 'Boss'"),
            "{}",
            e.message()
        );
        let e = run("SELECT Id FROM Account ORDER BY Nope").unwrap_err();
        assert!(
            e.message().contains("Column:33\nNo such column 'Nope'"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn a_field_selected_twice_is_rejected() {
        let e = run("SELECT Id, Name, owner.name, NAME FROM Account").unwrap_err();
        assert_eq!(e.error_code(), "INVALID_FIELD");
        assert_eq!(e.message(), "duplicate field selected: Name");
        assert!(run("SELECT Name, Owner.Name FROM Account").is_ok());
    }

    #[test]
    fn unknown_object_is_invalid_type() {
        let e = run("SELECT Id FROM Contact123").unwrap_err();
        assert_eq!(e.error_code(), "INVALID_TYPE");
        assert!(e.message().starts_with("\nSELECT Id FROM Contact123\n               ^\nERROR at Row:1:Column:16\n\
                 sObject type 'Contact123' is not supported. If you are attempting to use a custom object"));
    }

    #[test]
    fn literals_must_fit_the_field_type() {
        let e = run("SELECT Id FROM Account WHERE CreatedDate > '2024-01-01'").unwrap_err();
        assert_eq!(e.error_code(), "INVALID_FIELD");
        assert!(e.message().ends_with(
            "Column:44\nvalue of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes"
        ), "{}", e.message());
        let e = run("SELECT Id FROM Account WHERE Name = 5").unwrap_err();
        assert!(e
            .message()
            .ends_with("must be of type string and should be enclosed in quotes"));
        let e = run("SELECT Id FROM Account WHERE LastActivityDate = 2024-01-01T00:00:00Z")
            .unwrap_err();
        assert!(e.message().contains("must be of type date"));
        let e = run("SELECT Id FROM Account WHERE NumberOfEmployees IN (1, '2')").unwrap_err();
        assert!(e.message().contains("Column:55\nvalue of filter criterion for field 'NumberOfEmployees' must be of type double"));
        let e = run("SELECT Id FROM Account WHERE Id = 'ZZZ'").unwrap_err();
        assert_eq!(e.error_code(), "INVALID_QUERY_FILTER_OPERATOR");
        assert_eq!(e.message(), "\nSELECT Id FROM Account WHERE Id = 'ZZZ'\n                                  ^\nERROR at Row:1:Column:35\ninvalid ID field: ZZZ");
        assert!(run("SELECT Id FROM Account WHERE IsDeleted = true AND CreatedDate = TODAY AND LastActivityDate < LAST_N_DAYS:3 AND Name = null").is_ok());
        let e = run("SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'").unwrap_err();
        assert_eq!(e.error_code(), "INVALID_QUERY_FILTER_OPERATOR");
    }

    #[test]
    fn unfilterable_and_unsortable_fields_are_rejected() {
        let e = run("SELECT Id FROM Account WHERE Description = 'x'").unwrap_err();
        assert!(e
            .message()
            .ends_with("field 'Description' can not be filtered in a query call"));
        let e = run("SELECT Id FROM Account ORDER BY Description").unwrap_err();
        assert!(e
            .message()
            .ends_with("field 'Description' can not be sorted in a query call"));
        assert!(run("SELECT Description FROM Account").is_ok());
    }
}
