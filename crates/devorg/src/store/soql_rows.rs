//! The store as SOQL sees it: the org's schema as a catalog, accounts, users and record types as
//! rows, and relationship paths (`Owner.Name`, `Parent.Parent.Name`, `RecordType.DeveloperName`)
//! followed through the store.

use serde_json::Value;

use super::{Record, Store};
use crate::record_types::RecordType;
use crate::schema::{FieldType, Schema};
use crate::soql;
use crate::users::OrgUser;

/// The org's schema as SOQL sees it.
pub struct SchemaCatalog<'a>(pub &'a Schema);

fn soql_type(t: FieldType) -> soql::FieldType {
    match t {
        FieldType::Id | FieldType::Reference => soql::FieldType::Id,
        FieldType::Boolean => soql::FieldType::Boolean,
        FieldType::Int | FieldType::Double | FieldType::Currency => soql::FieldType::Number,
        FieldType::Date => soql::FieldType::Date,
        FieldType::DateTime => soql::FieldType::DateTime,
        _ => soql::FieldType::Text,
    }
}

impl soql::Catalog for SchemaCatalog<'_> {
    fn has_object(&self, object: &str) -> Option<String> {
        self.0.object(object).map(|o| o.name.to_string())
    }

    fn resolve(
        &self,
        object: &str,
        path: &[String],
    ) -> Option<(Vec<String>, soql::FieldType, bool)> {
        let obj = self.0.object(object)?;
        let (canonical, field) = self.0.resolve_path(obj, path)?;
        Some((canonical, soql_type(field.ftype), field.sortable))
    }
}

/// An Account as a SOQL row; relationship paths are followed through the store.
pub struct AccountRow<'a> {
    pub rec: &'a Record,
    pub store: &'a Store,
}

impl soql::Row for AccountRow<'_> {
    fn value(&self, path: &[String]) -> Value {
        self.store.path_value(self.rec, path)
    }

    /// Lends stored values instead of cloning them: sorting 100,000 rows by Name stays cheap.
    fn with_value<T>(&self, path: &[String], f: impl FnOnce(&Value) -> T) -> T {
        if let [field] = path {
            if let Some(value) = self.store.stored_ref(self.rec, field) {
                return f(value);
            }
        }
        f(&self.value(path))
    }
}

/// A user as a SOQL row.
pub struct UserRow<'a> {
    pub user: &'a OrgUser,
}

impl soql::Row for UserRow<'_> {
    fn value(&self, path: &[String]) -> Value {
        match path {
            [field] => self.user.field_value(field),
            _ => Value::Null,
        }
    }
}

/// A record type as a SOQL row (`CreatedBy.Name` and the like lead to the admin, who made it).
pub struct RecordTypeRow<'a> {
    pub record_type: &'a RecordType,
    pub store: &'a Store,
}

impl soql::Row for RecordTypeRow<'_> {
    fn value(&self, path: &[String]) -> Value {
        self.store.record_type_value(self.record_type, path)
    }
}

/// The target of a relationship field.
pub enum Related<'a> {
    User(&'a OrgUser),
    Account(&'a Record),
    RecordType(&'a RecordType),
}

impl Store {
    /// The value at a (canonical) field path from an account, following `Owner`, `Parent`, … .
    pub fn path_value(&self, rec: &Record, path: &[String]) -> Value {
        match path {
            [] => Value::Null,
            [field] => self
                .schema
                .account
                .field(field)
                .map(|f| self.account_value(rec, f))
                .unwrap_or(Value::Null),
            [rel, rest @ ..] => match self.related(rec, rel) {
                Some(Related::User(user)) => match rest {
                    [field] => user.field_value(field),
                    _ => Value::Null,
                },
                Some(Related::Account(parent)) => self.path_value(parent, rest),
                Some(Related::RecordType(record_type)) => self.record_type_value(record_type, rest),
                None => Value::Null,
            },
        }
    }

    /// The value at a (canonical) field path from a record type: its own fields, or its
    /// creator's and last modifier's (the admin's).
    pub fn record_type_value(&self, record_type: &RecordType, path: &[String]) -> Value {
        let admin = &self.users[0];
        match path {
            [field] => record_type.field_value(field, &admin.id),
            [rel, field]
                if rel.eq_ignore_ascii_case("CreatedBy")
                    || rel.eq_ignore_ascii_case("LastModifiedBy") =>
            {
                admin.field_value(field)
            }
            _ => Value::Null,
        }
    }

    /// The record a relationship of `rec` points at (deleted parents read as absent).
    pub fn related<'a>(&'a self, rec: &'a Record, rel: &str) -> Option<Related<'a>> {
        let link = self.schema.account.relationship(rel)?;
        match link.name.as_str() {
            "CreatedById" => return Some(Related::User(&self.users[rec.created_by as usize])),
            "LastModifiedById" => {
                return Some(Related::User(&self.users[rec.modified_by as usize]))
            }
            _ => {}
        }
        let id = self.account_value(rec, link);
        let id = id.as_str()?;
        match link.reference_to[0] {
            "User" => self.users.iter().find(|u| u.id == id).map(Related::User),
            // Stored ids are already in their 18-character form.
            "RecordType" => self
                .schema
                .account
                .record_types
                .iter()
                .find(|t| t.id == id)
                .map(Related::RecordType),
            _ => self
                .accounts
                .get(id)
                .filter(|r| !r.deleted)
                .map(Related::Account),
        }
    }
}
