//! The org's records: Accounts in memory (keyed by 18-character id, with an index on each unique
//! field and one on Name), soft delete, system fields, and who created and last changed each one.
//! Values are checked against the org's own schema (`validate`). A failing write changes nothing;
//! batches that must be all-or-nothing roll back through an undo log.

mod dml_error;
mod references;
mod soql_rows;
mod validate;

pub use dml_error::DmlError;
pub use soql_rows::{AccountRow, RecordTypeRow, Related, SchemaCatalog, UserRow};
pub use validate::unique_key as external_key;

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::ids::{self, IdGen};
use crate::schema::{Field, FieldType, Schema};
use crate::state::Org;
use crate::users::OrgUser;
use validate::unique_key;

/// A Salesforce datetime as the REST API prints it: `2024-01-15T10:30:00.000+0000`.
pub fn format_datetime(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f%z")
        .to_string()
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// One Account.
#[derive(Debug, Clone)]
pub struct Record {
    /// 18-character id.
    pub id: String,
    pub deleted: bool,
    pub created: i64,
    pub modified: i64,
    /// Who created it and who last changed it: positions in the org's user list.
    pub created_by: u16,
    pub modified_by: u16,
    /// Stored field values by index into the org's Account field list, sorted by index; null
    /// fields are absent. Sparse because most of Account's ~50 fields are empty and 100,000 rows
    /// must stay small.
    values: Vec<(u16, Value)>,
}

impl Record {
    /// The stored value of field `idx`, if not null.
    fn stored(&self, idx: usize) -> Option<&Value> {
        self.values
            .binary_search_by_key(&(idx as u16), |(i, _)| *i)
            .ok()
            .map(|at| &self.values[at].1)
    }

    fn set(&mut self, idx: usize, value: Value) {
        let key = idx as u16;
        match self.values.binary_search_by_key(&key, |(i, _)| *i) {
            Ok(at) if value.is_null() => {
                self.values.remove(at);
            }
            Ok(at) => self.values[at].1 = value,
            Err(_) if value.is_null() => {}
            Err(at) => self.values.insert(at, (key, value)),
        }
    }
}

/// Undoes one applied write; see [`Store::rollback`].
#[derive(Debug)]
pub enum Undo {
    Inserted(String),
    Replaced(Box<Record>),
}

/// What an upsert did.
#[derive(Debug, Clone, PartialEq)]
pub enum Upserted {
    Created(String),
    Updated(String),
    /// The external id matched several records (HTTP 300): their ids.
    Multiple(Vec<String>),
}

/// A query's ordered result ids kept for `nextRecordsUrl` paging.
#[derive(Debug)]
pub struct Cursor {
    /// Inline 18-byte ids: one allocation per query instead of one per row (100,000 rows).
    pub ids: Vec<[u8; 18]>,
    /// The SELECT list (canonical paths) and object to project each page with.
    pub object: String,
    pub paths: Arc<Vec<Vec<String>>>,
    pub batch: usize,
}

/// Open query locators, least recently used first; at most [`Cursors::CAP`] are kept.
#[derive(Debug, Default)]
pub struct Cursors {
    next: u64,
    open: VecDeque<(String, Arc<Cursor>)>,
}

impl Cursors {
    /// How many query locators the org keeps (Salesforce keeps a per-user limit too; older ones expire).
    pub const CAP: usize = 50;

    /// Stores a cursor and returns its locator id (`01g…`).
    pub fn open(&mut self, org_tag: &str, cursor: Cursor) -> String {
        self.next += 1;
        let id = ids::make_id("01g", org_tag, self.next);
        if self.open.len() >= Self::CAP {
            self.open.pop_front();
        }
        self.open.push_back((id.clone(), Arc::new(cursor)));
        id
    }

    /// The cursor behind a locator id, marked as recently used.
    pub fn get(&mut self, id: &str) -> Option<Arc<Cursor>> {
        let at = self.open.iter().position(|(k, _)| k == id)?;
        let entry = self.open.remove(at)?;
        let cursor = entry.1.clone();
        self.open.push_back(entry);
        Some(cursor)
    }
}

/// Values of one unique field (as [`unique_key`] compares them) → the account holding it.
type UniqueIndex = HashMap<String, String>;

/// All records of one org.
#[derive(Debug)]
pub struct Store {
    pub ids: IdGen,
    /// The org's objects: the Account fields writes are checked against.
    pub schema: Arc<Schema>,
    /// The org's users, admin first; records name them by position.
    pub users: Arc<[OrgUser]>,
    /// The 3 characters every id of this org carries after its key prefix.
    pub org_tag: String,
    accounts: BTreeMap<String, Record>,
    /// One index per unique Account field (by field position): what DUPLICATE_VALUE and upsert
    /// by a unique external id look up.
    unique: Vec<(usize, UniqueIndex)>,
    /// Live accounts ordered as `ORDER BY Name` orders them: (lowercased name, id). The list's
    /// default query then pages 100,000 accounts without sorting them on every call.
    name_index: BTreeSet<(String, String)>,
    /// Where Name sits in the org's Account field list.
    name_field: usize,
    pub cursors: Mutex<Cursors>,
}

impl Store {
    /// An empty store for `org`'s users and `schema`'s Account.
    pub fn new(org: &Org, schema: Arc<Schema>, ids: IdGen) -> Self {
        let account = &schema.account;
        let unique = account
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.unique)
            .map(|(i, _)| (i, UniqueIndex::new()))
            .collect();
        let name_field = account.index_of("Name").expect("Account has Name");
        Store {
            ids,
            users: org.users.clone(),
            org_tag: org.org_id[3..6].to_string(),
            accounts: BTreeMap::new(),
            unique,
            name_index: BTreeSet::new(),
            name_field,
            cursors: Mutex::new(Cursors::default()),
            schema,
        }
    }

    /// A store holding `config.accounts` deterministic accounts.
    pub fn seeded(config: &Config, org: &Org, schema: Arc<Schema>, ids: IdGen) -> Self {
        let mut store = Store::new(org, schema, ids);
        crate::seed::seed_accounts(&mut store, config.accounts, config.seed);
        store
    }

    /// Number of accounts, deleted ones included.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Every account in id (creation) order, deleted ones included.
    pub fn accounts(&self) -> impl DoubleEndedIterator<Item = &Record> {
        self.accounts.values()
    }

    /// The account with this 15- or 18-character id, deleted or not.
    pub fn account(&self, id: &str) -> Option<&Record> {
        if let Some(rec) = self.accounts.get(id) {
            return Some(rec);
        }
        let id = ids::normalize(id)?;
        self.accounts.get(&id)
    }

    /// The live (not deleted) account, or NOT_FOUND / ENTITY_IS_DELETED.
    pub fn live_account(&self, id: &str) -> Result<&Record, DmlError> {
        match self.account(id) {
            None => Err(DmlError::not_found()),
            Some(r) if r.deleted => Err(DmlError::deleted()),
            Some(r) => Ok(r),
        }
    }

    /// Live accounts whose `field` (an external id field of the org's Account) equals `value`:
    /// text without case unless the field is case sensitive, numbers by value. A unique field
    /// reads its index; others are scanned.
    pub fn find_by_external(&self, field: &Field, value: &str) -> Vec<String> {
        let Some(idx) = self.schema.account.index_of(&field.name) else {
            return vec![];
        };
        let field = &self.schema.account.fields[idx];
        let Some(key) = unique_key(field, &Value::String(value.to_string())) else {
            return vec![];
        };
        if let Some((_, index)) = self.unique.iter().find(|(i, _)| *i == idx) {
            return index
                .get(&key)
                .filter(|id| self.accounts.get(*id).is_some_and(|r| !r.deleted))
                .cloned()
                .into_iter()
                .collect();
        }
        self.accounts
            .values()
            .filter(|r| !r.deleted)
            .filter(|r| {
                r.stored(idx)
                    .and_then(|v| unique_key(field, v))
                    .is_some_and(|k| k == key)
            })
            .map(|r| r.id.clone())
            .collect()
    }

    /// The value of Account field `field` (found by name in the org's Account) on `rec`, as the
    /// REST API prints it, system fields included; a checkbox is never null.
    pub fn account_value(&self, rec: &Record, field: &Field) -> Value {
        match field.name.as_str() {
            "Id" => Value::String(rec.id.clone()),
            "IsDeleted" => Value::Bool(rec.deleted),
            "CreatedDate" => Value::String(format_datetime(rec.created)),
            "LastModifiedDate" | "SystemModstamp" => Value::String(format_datetime(rec.modified)),
            "CreatedById" => Value::String(self.users[rec.created_by as usize].id.clone()),
            "LastModifiedById" => Value::String(self.users[rec.modified_by as usize].id.clone()),
            "BillingAddress" | "ShippingAddress" => {
                self.address(rec, &field.name[..field.name.len() - 7])
            }
            name => match self.schema.account.index_of(name) {
                Some(idx) => match rec.stored(idx) {
                    Some(v) => v.clone(),
                    None if field.ftype == FieldType::Boolean => Value::Bool(false),
                    None => Value::Null,
                },
                None => Value::Null,
            },
        }
    }

    /// The stored value of a plain (non-system, non-compound) field, borrowed; `None` for the
    /// fields [`Store::account_value`] computes.
    pub fn stored_ref<'a>(&self, rec: &'a Record, field: &str) -> Option<&'a Value> {
        static NULL: Value = Value::Null;
        static FALSE: Value = Value::Bool(false);
        let account = &self.schema.account;
        let idx = account.index_of(field)?;
        let f = &account.fields[idx];
        if !f.createable && !f.updateable {
            return None;
        }
        let absent = if f.ftype == FieldType::Boolean {
            &FALSE
        } else {
            &NULL
        };
        Some(rec.stored(idx).unwrap_or(absent))
    }

    /// The compound address (read-only), or null when all its parts are empty.
    fn address(&self, rec: &Record, prefix: &str) -> Value {
        let a = &self.schema.account;
        let part = |suffix: &str| {
            a.index_of(&format!("{prefix}{suffix}"))
                .and_then(|i| rec.stored(i).cloned())
                .unwrap_or(Value::Null)
        };
        let parts = [
            ("street", part("Street")),
            ("city", part("City")),
            ("state", part("State")),
            ("postalCode", part("PostalCode")),
            ("country", part("Country")),
            ("latitude", part("Latitude")),
            ("longitude", part("Longitude")),
        ];
        if parts.iter().all(|(_, v)| v.is_null()) {
            return Value::Null;
        }
        let mut obj: Map<String, Value> =
            parts.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        obj.insert("geocodeAccuracy".into(), Value::Null);
        obj.insert("countryCode".into(), Value::Null);
        obj.insert("stateCode".into(), Value::Null);
        Value::Object(obj)
    }

    /// The position of the user with this id in the org's list (a session's user); the admin's
    /// when there is none, which a valid session cannot have.
    pub fn user_index(&self, user_id: &str) -> usize {
        self.users.iter().position(|u| u.id == user_id).unwrap_or(0)
    }

    /// The user with this (15- or 18-character) id.
    pub fn user(&self, id: &str) -> Option<&OrgUser> {
        let id = ids::normalize(id)?;
        self.users.iter().find(|u| u.id == id)
    }

    // ---- writes ----

    /// Creates an account as the org's admin (as someone in Setup would); returns its id.
    pub fn insert(
        &mut self,
        body: &Map<String, Value>,
        now: i64,
    ) -> Result<(String, Undo), DmlError> {
        self.insert_by(0, body, now)
    }

    /// Creates an account from a JSON body (already parsed) as user `by` (a position in the
    /// user list, see [`Store::user_index`]), who owns it unless the body names an owner.
    pub fn insert_by(
        &mut self,
        by: usize,
        body: &Map<String, Value>,
        now: i64,
    ) -> Result<(String, Undo), DmlError> {
        if body.keys().any(|k| k.eq_ignore_ascii_case("Id")) {
            return Err(DmlError::new(
                "INVALID_FIELD",
                "The Id field should not be specified in the sobject data.",
            ));
        }
        let values = self.check_fields(body, true, None)?;
        let mut rec = Record {
            id: String::new(),
            deleted: false,
            created: now,
            modified: now,
            created_by: by as u16,
            modified_by: by as u16,
            values: vec![],
        };
        let account = &self.schema.account;
        let owner = account.index_of("OwnerId").expect("OwnerId");
        rec.set(owner, Value::String(self.users[by].id.clone()));
        for (idx, field) in account.fields.iter().enumerate() {
            if let Some(default) = &field.default_value {
                rec.set(idx, default.clone());
            }
        }
        for (idx, v) in values {
            // A null for a field defaulted on create (OwnerId) keeps the default: only an update
            // can clear it, and is refused (UNCONFIRMED for create; see the README).
            if v.is_null() && account.fields[idx].defaulted_on_create {
                continue;
            }
            rec.set(idx, v);
        }
        self.default_record_type(&mut rec);
        self.check_record(&rec)?;
        rec.id = self.ids.next_id("001");
        let id = rec.id.clone();
        self.put(rec);
        Ok((id.clone(), Undo::Inserted(id)))
    }

    /// Updates a live account with the fields of `body`, as user `by`.
    pub fn update(
        &mut self,
        by: usize,
        id: &str,
        body: &Map<String, Value>,
        now: i64,
    ) -> Result<Undo, DmlError> {
        let old = self.live_account(id)?.clone();
        if let Some((_, v)) = body.iter().find(|(k, _)| k.eq_ignore_ascii_case("Id")) {
            // Salesforce tolerates the record's own id in an update body (collections need it), nothing else.
            if v.as_str().and_then(ids::normalize).as_deref() != Some(old.id.as_str()) {
                return Err(DmlError::new(
                    "INVALID_FIELD",
                    "The Id field should not be specified in the sobject data.",
                ));
            }
        }
        let values = self.check_fields(body, false, Some(&old.id))?;
        let mut rec = old.clone();
        for (idx, v) in values {
            rec.set(idx, v);
        }
        self.default_record_type(&mut rec);
        self.check_record(&rec)?;
        rec.modified = now.max(old.modified);
        rec.modified_by = by as u16;
        self.put(rec);
        Ok(Undo::Replaced(Box::new(old)))
    }

    /// Gives `rec` the org's default record type when it has none (created without one, or
    /// cleared with null); an org without record types has no `RecordTypeId` to fill.
    fn default_record_type(&self, rec: &mut Record) {
        let account = &self.schema.account;
        let (Some(idx), Some(default)) = (
            account.index_of("RecordTypeId"),
            account.default_record_type(),
        ) else {
            return;
        };
        if rec.stored(idx).is_none() {
            rec.set(idx, Value::String(default.id.clone()));
        }
    }

    /// Soft-deletes a live account (it stays visible to `queryAll`), as user `by`.
    pub fn delete(&mut self, by: usize, id: &str, now: i64) -> Result<Undo, DmlError> {
        let old = self.live_account(id)?.clone();
        let mut rec = old.clone();
        rec.deleted = true;
        rec.modified = now.max(old.modified);
        rec.modified_by = by as u16;
        self.put(rec);
        Ok(Undo::Replaced(Box::new(old)))
    }

    /// Removes a live account for good (Bulk API `hardDelete`): it skips the Recycle Bin, so not
    /// even `queryAll` sees it afterwards.
    pub fn hard_delete(&mut self, id: &str) -> Result<(), DmlError> {
        let id = self.live_account(id)?.id.clone();
        if let Some(rec) = self.accounts.remove(&id) {
            self.unindex(&rec);
        }
        Ok(())
    }

    /// Upserts by external id `field` = `value` as user `by`: update the one match, create when
    /// none (with the external id set), or report several matches.
    pub fn upsert(
        &mut self,
        by: usize,
        field: &Field,
        value: &str,
        body: &Map<String, Value>,
        now: i64,
    ) -> Result<(Upserted, Option<Undo>), DmlError> {
        let matches = self.find_by_external(field, value);
        match matches.as_slice() {
            [] => {
                let mut body = body.clone();
                body.retain(|k, _| !k.eq_ignore_ascii_case(&field.name));
                body.insert(field.name.to_string(), Value::String(value.to_string()));
                let (id, undo) = self.insert_by(by, &body, now)?;
                Ok((Upserted::Created(id), Some(undo)))
            }
            [one] => {
                let one = one.clone();
                let undo = self.update(by, &one, body, now)?;
                Ok((Upserted::Updated(one), Some(undo)))
            }
            many => Ok((Upserted::Multiple(many.to_vec()), None)),
        }
    }

    /// Reverts applied writes, newest first.
    pub fn rollback(&mut self, mut log: Vec<Undo>) {
        while let Some(undo) = log.pop() {
            match undo {
                Undo::Inserted(id) => {
                    if let Some(rec) = self.accounts.remove(&id) {
                        self.unindex(&rec);
                    }
                }
                Undo::Replaced(rec) => self.put(*rec),
            }
        }
    }

    /// A live account's place in the Name index: its name lowercased as SOQL's ORDER BY compares
    /// text (`''` and null sort together, first), then its id. Deleted accounts are not indexed.
    fn name_key(&self, rec: &Record) -> Option<(String, String)> {
        if rec.deleted {
            return None;
        }
        let name = match rec.stored(self.name_field) {
            Some(Value::String(s)) if s.is_ascii() => s.to_ascii_lowercase(),
            Some(Value::String(s)) => s.to_lowercase(),
            _ => String::new(),
        };
        Some((name, rec.id.clone()))
    }

    /// Takes `rec` out of the unique and Name indexes (where the entries are its own).
    fn unindex(&mut self, rec: &Record) {
        let account = &self.schema.account;
        for (idx, index) in &mut self.unique {
            if let Some(key) = rec
                .stored(*idx)
                .and_then(|v| unique_key(&account.fields[*idx], v))
            {
                if index.get(&key) == Some(&rec.id) {
                    index.remove(&key);
                }
            }
        }
        if let Some(key) = self.name_key(rec) {
            self.name_index.remove(&key);
        }
    }

    /// Stores `rec`, keeping the unique and Name indexes in step.
    fn put(&mut self, rec: Record) {
        if let Some(old) = self.accounts.remove(&rec.id) {
            self.unindex(&old);
        }
        let account = &self.schema.account;
        for (idx, index) in &mut self.unique {
            if let Some(key) = rec
                .stored(*idx)
                .and_then(|v| unique_key(&account.fields[*idx], v))
            {
                index.insert(key, rec.id.clone());
            }
        }
        if let Some(key) = self.name_key(&rec) {
            self.name_index.insert(key);
        }
        self.accounts.insert(rec.id.clone(), rec);
    }

    /// Ids of the live accounts in `ORDER BY Name [DESC] [NULLS FIRST|LAST]` order. Equal names
    /// keep id order either way, as the general sort does; null (empty) names are one such run.
    pub fn ids_by_name(&self, descending: bool, nulls_last: bool) -> Vec<&str> {
        let nulls = self
            .name_index
            .iter()
            .take_while(|(name, _)| name.is_empty())
            .count();
        let named = self.name_index.iter().skip(nulls);
        let mut out: Vec<&str> = Vec::with_capacity(self.name_index.len());
        if !nulls_last {
            out.extend(
                self.name_index
                    .iter()
                    .take(nulls)
                    .map(|(_, id)| id.as_str()),
            );
        }
        if descending {
            let mut entries = named.rev().peekable();
            while let Some((name, id)) = entries.next() {
                // A run of equal names comes out in descending id order: put it back in id order.
                let start = out.len();
                out.push(id);
                while let Some((_, id)) = entries.next_if(|(next, _)| next == name) {
                    out.push(id);
                }
                out[start..].reverse();
            }
        } else {
            out.extend(named.map(|(_, id)| id.as_str()));
        }
        if nulls_last {
            out.extend(
                self.name_index
                    .iter()
                    .take(nulls)
                    .map(|(_, id)| id.as_str()),
            );
        }
        out
    }

    /// Adds a record built by the seeder (trusted: no validation), created by the admin and
    /// owned by user `owner`; `values` index the org's Account fields.
    pub(crate) fn put_seed(
        &mut self,
        created: i64,
        owner: usize,
        values: Vec<(usize, Value)>,
    ) -> String {
        let id = self.ids.next_id("001");
        let mut rec = Record {
            id: id.clone(),
            deleted: false,
            created,
            modified: created,
            created_by: 0,
            modified_by: 0,
            values: Vec::with_capacity(values.len() + 1),
        };
        let owner_idx = self.schema.account.index_of("OwnerId").expect("OwnerId");
        rec.set(owner_idx, Value::String(self.users[owner].id.clone()));
        for (idx, v) in values {
            rec.set(idx, v);
        }
        self.put(rec);
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{self, EXTERNAL_ID};
    use serde_json::json;

    pub(super) fn store() -> Store {
        let org = Org {
            org_id: "00Dxyz000000001AAA".into(),
            users: crate::users::build_users("admin@x.local", "pw", &[], &mut IdGen::new("xyz"))
                .unwrap()
                .into(),
        };
        Store::new(&org, Arc::new(Schema::builtin()), IdGen::new("xyz"))
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_name_index_places_equal_and_null_names_as_order_by_does() {
        let mut s = store();
        let name = schema::account_object().index_of("Name").unwrap();
        let mut seed = |n: Option<&str>| {
            let values = n.map(|n| vec![(name, json!(n))]).unwrap_or_default();
            s.put_seed(0, 0, values)
        };
        let (b1, none1, a, b2, none2) = (
            seed(Some("b")),
            seed(None),
            seed(Some("A")),
            seed(Some("B")),
            seed(Some("")),
        );
        let s = s;
        let ids = |desc, nulls_last| -> Vec<String> {
            s.ids_by_name(desc, nulls_last)
                .into_iter()
                .map(String::from)
                .collect()
        };
        // Text compares case-insensitively; equal names and the nulls keep creation order.
        assert_eq!(ids(false, false), [&*none1, &none2, &a, &b1, &b2]);
        assert_eq!(ids(false, true), [&*a, &b1, &b2, &none1, &none2]);
        assert_eq!(ids(true, true), [&*b1, &b2, &a, &none1, &none2]);
        assert_eq!(ids(true, false), [&*none1, &none2, &b1, &b2, &a]);
    }

    #[test]
    fn insert_validates_and_indexes_external_ids_case_insensitively() {
        let mut s = store();
        let (id, _) = s
            .insert(&obj(json!({"Name": "Acme", "External_Id__c": "EXT-1"})), 1)
            .unwrap();
        assert!(id.starts_with("001xyz"));
        let field = schema::account_object().field(EXTERNAL_ID).unwrap();
        assert_eq!(s.find_by_external(field, "ext-1"), vec![id.clone()]);
        let dup = s
            .insert(&obj(json!({"Name": "B", "External_Id__c": "ext-1"})), 1)
            .unwrap_err();
        assert_eq!(dup.code, "DUPLICATE_VALUE");
        assert!(dup.message.ends_with(&id));
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn write_errors_carry_salesforce_codes() {
        let mut s = store();
        let code = |s: &mut Store, v: Value| s.insert(&obj(v), 1).unwrap_err().code;
        assert_eq!(code(&mut s, json!({"Nmae": "x"})), "INVALID_FIELD");
        assert_eq!(
            code(&mut s, json!({"Name": "x", "CreatedDate": "x"})),
            "INVALID_FIELD_FOR_INSERT_UPDATE"
        );
        assert_eq!(
            code(&mut s, json!({"Phone": "1"})),
            "REQUIRED_FIELD_MISSING"
        );
        assert_eq!(
            code(&mut s, json!({"Name": "x".repeat(256)})),
            "STRING_TOO_LONG"
        );
        assert_eq!(
            code(&mut s, json!({"Name": "x", "NumberOfEmployees": "many"})),
            "JSON_PARSER_ERROR"
        );
        assert_eq!(
            code(
                &mut s,
                json!({"Name": "x", "SLA_Expiration__c": "2024-13-01"})
            ),
            "JSON_PARSER_ERROR"
        );
        assert_eq!(
            code(&mut s, json!({"Name": "x", "ParentId": "nope"})),
            "MALFORMED_ID"
        );
        assert_eq!(
            code(&mut s, json!({"Name": "x", "AnnualRevenue": -1})),
            "FIELD_CUSTOM_VALIDATION_EXCEPTION"
        );
        assert_eq!(
            code(&mut s, json!({"Name": "x", "Id": "001"})),
            "INVALID_FIELD"
        );
        assert_eq!(
            code(&mut s, json!({"Name": "x", "NumberOfEmployees": 123456789})),
            "NUMBER_OUTSIDE_VALID_RANGE"
        );
        assert!(s.is_empty());
    }

    #[test]
    fn rollback_restores_records_and_index() {
        let mut s = store();
        let (a, _) = s
            .insert(&obj(json!({"Name": "A", "External_Id__c": "K1"})), 1)
            .unwrap();
        let mut log = vec![];
        log.push(
            s.update(0, &a, &obj(json!({"External_Id__c": "K2"})), 2)
                .unwrap(),
        );
        log.push(
            s.insert(&obj(json!({"Name": "B", "External_Id__c": "K1"})), 2)
                .unwrap()
                .1,
        );
        log.push(s.delete(0, &a, 3).unwrap());
        s.rollback(log);
        let field = schema::account_object().field(EXTERNAL_ID).unwrap();
        assert_eq!(s.find_by_external(field, "k1"), vec![a.clone()]);
        assert!(s.find_by_external(field, "k2").is_empty());
        assert_eq!(s.len(), 1);
        assert!(!s.account(&a).unwrap().deleted);
    }
}
