//! The org's records: Accounts in memory (keyed by 18-character id, with a case-insensitive index on
//! the unique external id `External_Id__c`), soft delete, system fields, and the one write
//! validation every write path shares (REST record, upsert, collections, Apex REST). A failing write
//! changes nothing; batches that must be all-or-nothing roll back through an undo log.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use parking_lot::Mutex;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::error::ApiError;
use crate::ids::{self, IdGen};
use crate::schema::{self, Field, FieldType, SObject, EXTERNAL_ID};
use crate::soql;
use crate::state::Org;
use crate::users::OrgUser;

/// A live account's place in the Name index: its name lowercased as SOQL's ORDER BY compares text
/// (`''` and null sort together, first), then its id. Deleted accounts are not indexed.
fn name_key(rec: &Record) -> Option<(String, String)> {
    if rec.deleted {
        return None;
    }
    let idx = schema::account_object().index_of("Name")?;
    let name = match rec.stored(idx) {
        Some(Value::String(s)) if s.is_ascii() => s.to_ascii_lowercase(),
        Some(Value::String(s)) => s.to_lowercase(),
        _ => String::new(),
    };
    Some((name, rec.id.clone()))
}

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
    /// Stored field values by index into Account's field list, sorted by index; null fields are absent.
    /// Sparse because most of Account's ~50 fields are empty and 100,000 rows must stay small.
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

    /// The external id, lower-cased for the index (Salesforce external id text is case-insensitive).
    fn ext_key(&self) -> Option<String> {
        let idx = ext_idx();
        self.stored(idx)
            .and_then(Value::as_str)
            .map(str::to_lowercase)
    }
}

fn ext_idx() -> usize {
    schema::account_object()
        .index_of(EXTERNAL_ID)
        .expect("Account has the external id field")
}

/// A write failure as Salesforce describes it, before it is wrapped for the REST (`errorCode`) or
/// collections (`statusCode`) shape.
#[derive(Debug, Clone, PartialEq)]
pub struct DmlError {
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<String>,
}

impl DmlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        DmlError {
            code,
            message: message.into(),
            fields: vec![],
        }
    }
    fn on(mut self, field: &str) -> Self {
        self.fields = vec![field.to_string()];
        self
    }
    pub fn not_found() -> Self {
        DmlError::new("NOT_FOUND", "The requested resource does not exist")
    }
    pub fn deleted() -> Self {
        DmlError::new("ENTITY_IS_DELETED", "entity is deleted")
    }

    /// The REST API error for a single-record call: 404 for missing or deleted records, else 400.
    pub fn to_api(&self) -> ApiError {
        let status = match self.code {
            "NOT_FOUND" | "ENTITY_IS_DELETED" => axum::http::StatusCode::NOT_FOUND,
            _ => axum::http::StatusCode::BAD_REQUEST,
        };
        ApiError::new(status, self.code, self.message.clone()).with_fields(self.fields.clone())
    }

    /// The per-item error object of sObject Collections: `{statusCode, message, fields}`.
    pub fn to_item(&self) -> Value {
        serde_json::json!({"statusCode": self.code, "message": self.message, "fields": self.fields})
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

/// All records of one org.
#[derive(Debug)]
pub struct Store {
    pub ids: IdGen,
    /// The org's users, admin first; records name them by position.
    pub users: Arc<[OrgUser]>,
    /// The 3 characters every id of this org carries after its key prefix.
    pub org_tag: String,
    accounts: BTreeMap<String, Record>,
    ext_index: HashMap<String, String>,
    /// Live accounts ordered as `ORDER BY Name` orders them: (lowercased name, id). The list's
    /// default query then pages 100,000 accounts without sorting them on every call.
    name_index: BTreeSet<(String, String)>,
    pub cursors: Mutex<Cursors>,
}

impl Store {
    /// An empty store for `org`'s users.
    pub fn new(org: &Org, ids: IdGen) -> Self {
        Store {
            ids,
            users: org.users.clone(),
            org_tag: org.org_id[3..6].to_string(),
            accounts: BTreeMap::new(),
            ext_index: HashMap::new(),
            name_index: BTreeSet::new(),
            cursors: Mutex::new(Cursors::default()),
        }
    }

    /// A store holding `config.accounts` deterministic accounts.
    pub fn seeded(config: &Config, org: &Org, ids: IdGen) -> Self {
        let mut store = Store::new(org, ids);
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

    /// Live accounts whose `field` (an external id field) equals `value`; the unique
    /// `External_Id__c` uses its index, other fields a scan. Text matching is case-insensitive.
    pub fn find_by_external(&self, field: &Field, value: &str) -> Vec<String> {
        if field.name == EXTERNAL_ID {
            return self
                .ext_index
                .get(&value.to_lowercase())
                .filter(|id| self.accounts.get(*id).is_some_and(|r| !r.deleted))
                .cloned()
                .into_iter()
                .collect();
        }
        let idx = schema::account_object()
            .index_of(field.name)
            .expect("field of Account");
        self.accounts
            .values()
            .filter(|r| !r.deleted)
            .filter(|r| {
                r.stored(idx)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(value))
            })
            .map(|r| r.id.clone())
            .collect()
    }

    /// The value of Account field `field` on `rec`, as the REST API prints it (system fields included).
    pub fn account_value(&self, rec: &Record, field: &Field) -> Value {
        match field.name {
            "Id" => Value::String(rec.id.clone()),
            "IsDeleted" => Value::Bool(rec.deleted),
            "CreatedDate" => Value::String(format_datetime(rec.created)),
            "LastModifiedDate" | "SystemModstamp" => Value::String(format_datetime(rec.modified)),
            "CreatedById" => Value::String(self.users[rec.created_by as usize].id.clone()),
            "LastModifiedById" => Value::String(self.users[rec.modified_by as usize].id.clone()),
            "BillingAddress" | "ShippingAddress" => {
                self.address(rec, &field.name[..field.name.len() - 7])
            }
            name => {
                let idx = schema::account_object()
                    .index_of(name)
                    .expect("field of Account");
                rec.stored(idx).cloned().unwrap_or(Value::Null)
            }
        }
    }

    /// The stored value of a plain (non-system, non-compound) field, borrowed; `None` for the
    /// fields [`Store::account_value`] computes.
    pub fn stored_ref<'a>(&self, rec: &'a Record, field: &str) -> Option<&'a Value> {
        static NULL: Value = Value::Null;
        let account = schema::account_object();
        let idx = account.index_of(field)?;
        let f = &account.fields[idx];
        if !f.createable && !f.updateable {
            return None;
        }
        Some(rec.stored(idx).unwrap_or(&NULL))
    }

    /// The compound address (read-only), or null when all its parts are empty.
    fn address(&self, rec: &Record, prefix: &str) -> Value {
        let a = schema::account_object();
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
        let owner = schema::account_object()
            .index_of("OwnerId")
            .expect("OwnerId");
        rec.set(owner, Value::String(self.users[by].id.clone()));
        for (idx, v) in values {
            rec.set(idx, v);
        }
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
        self.check_record(&rec)?;
        rec.modified = now.max(old.modified);
        rec.modified_by = by as u16;
        self.put(rec);
        Ok(Undo::Replaced(Box::new(old)))
    }

    /// Soft-deletes a live account (it stays visible to `queryAll`).
    pub fn delete(&mut self, by: usize, id: &str, now: i64) -> Result<Undo, DmlError> {
        let old = self.live_account(id)?.clone();
        let mut rec = old.clone();
        rec.deleted = true;
        rec.modified = now.max(old.modified);
        rec.modified_by = by as u16;
        self.put(rec);
        Ok(Undo::Replaced(Box::new(old)))
    }

    /// Upserts by external id `field` = `value`: update the one match, create when none
    /// (with the external id set), or report several matches.
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
                body.retain(|k, _| !k.eq_ignore_ascii_case(field.name));
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
                        if let Some(key) = rec.ext_key() {
                            self.ext_index.remove(&key);
                        }
                        if let Some(key) = name_key(&rec) {
                            self.name_index.remove(&key);
                        }
                    }
                }
                Undo::Replaced(rec) => self.put(*rec),
            }
        }
    }

    /// Stores `rec`, keeping the external id and Name indexes in step.
    fn put(&mut self, rec: Record) {
        if let Some(old) = self.accounts.get(&rec.id) {
            if let Some(old_key) = old.ext_key() {
                if self.ext_index.get(&old_key) == Some(&rec.id) {
                    self.ext_index.remove(&old_key);
                }
            }
            if let Some(old_key) = name_key(old) {
                self.name_index.remove(&old_key);
            }
        }
        if let Some(key) = rec.ext_key() {
            self.ext_index.insert(key, rec.id.clone());
        }
        if let Some(key) = name_key(&rec) {
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
    /// owned by user `owner`.
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
        let owner_idx = schema::account_object()
            .index_of("OwnerId")
            .expect("OwnerId");
        rec.set(owner_idx, Value::String(self.users[owner].id.clone()));
        for (idx, v) in values {
            rec.set(idx, v);
        }
        self.put(rec);
        id
    }

    /// Checks every key of a write body and converts its value to storage form.
    /// Order follows Salesforce: JSON shape errors, unknown fields, read-only fields, then values.
    fn check_fields(
        &self,
        body: &Map<String, Value>,
        creating: bool,
        self_id: Option<&str>,
    ) -> Result<Vec<(usize, Value)>, DmlError> {
        let account = schema::account_object();
        let mut out = Vec::with_capacity(body.len());
        let mut read_only = vec![];
        for (key, value) in body {
            if key == "attributes" || key.eq_ignore_ascii_case("Id") {
                continue;
            }
            let Some(idx) = account.index_of(key) else {
                return Err(DmlError::new(
                    "INVALID_FIELD",
                    format!("No such column '{key}' on sobject of type Account"),
                )
                .on(key));
            };
            let field = &account.fields[idx];
            if !field.is_writable(creating) {
                read_only.push(field.name.to_string());
                continue;
            }
            out.push((idx, self.convert(field, value, self_id)?));
        }
        if !read_only.is_empty() {
            return Err(DmlError {
                code: "INVALID_FIELD_FOR_INSERT_UPDATE",
                message: format!(
                    "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                    read_only.join(", ")
                ),
                fields: read_only,
            });
        }
        Ok(out)
    }

    /// Converts one JSON value for `field`, or says why it cannot be stored.
    fn convert(
        &self,
        field: &Field,
        value: &Value,
        self_id: Option<&str>,
    ) -> Result<Value, DmlError> {
        let kind = match value {
            Value::Null => return Ok(Value::Null),
            Value::String(_) => "VALUE_STRING",
            Value::Number(n) if n.is_f64() => "VALUE_NUMBER_FLOAT",
            Value::Number(_) => "VALUE_NUMBER_INT",
            Value::Bool(true) => "VALUE_TRUE",
            Value::Bool(false) => "VALUE_FALSE",
            Value::Array(_) => "START_ARRAY",
            Value::Object(_) => "START_OBJECT",
        };
        let shown = match value {
            Value::String(s) => s.clone(),
            Value::Array(_) => "[".into(),
            Value::Object(_) => "{".into(),
            other => other.to_string(),
        };
        // Salesforce's (Jackson's) wording, without its `at [line:1, column:N]` suffix.
        let parse_error = |type_name: &str| {
            DmlError::new(
                "JSON_PARSER_ERROR",
                format!(
                    "Cannot deserialize instance of {type_name} from {kind} value {shown} or request may be missing a required field"
                ),
            )
        };
        match field.ftype {
            t if t.is_text() => {
                let text = match value {
                    Value::String(s) => s.clone(),
                    // Scalars are coerced to text, as Salesforce's JSON reader does.
                    Value::Number(_) | Value::Bool(_) => value.to_string(),
                    _ => return Err(parse_error("string")),
                };
                // Salesforce stores an empty string as null.
                if text.is_empty() {
                    return Ok(Value::Null);
                }
                let chars = text.chars().count();
                if chars > field.length as usize {
                    return Err(DmlError::new(
                        "STRING_TOO_LONG",
                        format!(
                            "{}: data value too large: {} (max length={})",
                            field.label, text, field.length
                        ),
                    )
                    .on(field.name));
                }
                Ok(Value::String(text))
            }
            FieldType::Boolean => match value {
                Value::Bool(b) => Ok(Value::Bool(*b)),
                Value::String(s)
                    if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                {
                    Ok(Value::Bool(s.eq_ignore_ascii_case("true")))
                }
                _ => Err(parse_error("boolean")),
            },
            FieldType::Int | FieldType::Double | FieldType::Currency => {
                let type_name = match field.ftype {
                    FieldType::Int => "int",
                    _ => "double",
                };
                let n = match value {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
                    _ => None,
                };
                let Some(n) = n else {
                    return Err(parse_error(type_name));
                };
                if field.ftype == FieldType::Int {
                    if n.fract() != 0.0 && matches!(value, Value::String(_)) {
                        return Err(parse_error(type_name));
                    }
                    let i = n.trunc();
                    if i.abs() >= 10f64.powi(field.digits as i32) {
                        return Err(out_of_range(field, value));
                    }
                    return Ok(Value::from(i as i64));
                }
                let scale = 10f64.powi(field.scale as i32);
                let rounded = (n * scale).round() / scale;
                if rounded.abs() >= 10f64.powi((field.precision - field.scale) as i32) {
                    return Err(out_of_range(field, value));
                }
                Ok(serde_json::Number::from_f64(rounded)
                    .map(Value::Number)
                    .unwrap_or(Value::Null))
            }
            FieldType::Date => match value {
                Value::String(s) => {
                    let day = s.get(..10).unwrap_or(s);
                    NaiveDate::parse_from_str(day, "%Y-%m-%d")
                        .ok()
                        .filter(|_| s.len() == 10 || s.as_bytes().get(10) == Some(&b'T'))
                        .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                        .ok_or_else(|| parse_error("date"))
                }
                _ => Err(parse_error("date")),
            },
            FieldType::Reference => {
                let Value::String(s) = value else {
                    return Err(parse_error("reference"));
                };
                if s.is_empty() {
                    return Ok(Value::Null);
                }
                let wrong_type = |code| {
                    DmlError::new(
                        code,
                        format!("{}: id value of incorrect type: {s}", field.label),
                    )
                    .on(field.name)
                };
                let Some(id) = ids::normalize(s) else {
                    return Err(wrong_type("MALFORMED_ID"));
                };
                let target = schema::object(field.reference_to[0]).expect("known reference target");
                if !id.starts_with(target.key_prefix) {
                    return Err(wrong_type("FIELD_INTEGRITY_EXCEPTION"));
                }
                let exists = match target.name {
                    "User" => match self.user(&id) {
                        // Only active users can own records (unless the org grants "Update
                        // Records with Inactive Owners", which devorg's users do not have).
                        Some(u) if !u.active => {
                            return Err(DmlError::new(
                                "INACTIVE_OWNER_OR_USER",
                                format!(
                                    "operation performed with inactive user [{id}] as owner of [account]"
                                ),
                            ))
                        }
                        found => found.is_some(),
                    },
                    _ => self.accounts.get(&id).is_some_and(|r| !r.deleted),
                };
                if !exists {
                    return Err(DmlError::new(
                        "INVALID_CROSS_REFERENCE_KEY",
                        "invalid cross reference id",
                    )
                    .on(field.name));
                }
                if field.name == "ParentId" && self_id == Some(id.as_str()) {
                    return Err(DmlError::new(
                        "FIELD_INTEGRITY_EXCEPTION",
                        "Parent Account: id value of incorrect type: an account cannot be its own parent",
                    )
                    .on(field.name));
                }
                Ok(Value::String(id))
            }
            _ => Err(parse_error(field.ftype.name())),
        }
    }

    /// Whole-record rules: required fields, the org's validation rule, unique external id.
    fn check_record(&self, rec: &Record) -> Result<(), DmlError> {
        let account = schema::account_object();
        let name = account.index_of("Name").expect("Name");
        if rec.stored(name).is_none() {
            return Err(DmlError::new(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [Name]",
            )
            .on("Name"));
        }
        // The org's one validation rule (documented in the README), so FIELD_CUSTOM_VALIDATION_EXCEPTION
        // can be exercised: Annual Revenue must not be negative.
        let revenue = account.index_of("AnnualRevenue").expect("AnnualRevenue");
        if rec
            .stored(revenue)
            .and_then(Value::as_f64)
            .is_some_and(|r| r < 0.0)
        {
            return Err(DmlError::new(
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "Annual Revenue cannot be negative.",
            )
            .on("AnnualRevenue"));
        }
        if let Some(key) = rec.ext_key() {
            if let Some(other) = self.ext_index.get(&key) {
                if *other != rec.id && self.accounts.get(other).is_some_and(|r| !r.deleted) {
                    return Err(DmlError::new(
                        "DUPLICATE_VALUE",
                        format!("duplicate value found: {EXTERNAL_ID} duplicates value on record with id: {other}"),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn out_of_range(field: &Field, value: &Value) -> DmlError {
    DmlError::new(
        "NUMBER_OUTSIDE_VALID_RANGE",
        format!(
            "{}: value outside of valid range on numeric field: {value}",
            field.label
        ),
    )
    .on(field.name)
}

// ---- SOQL integration ----

/// The schema as SOQL sees it.
pub struct SchemaCatalog;

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

/// Resolves `path` on `object`, following relationship names; canonical names and the last field.
pub fn resolve_path(
    object: &'static SObject,
    path: &[String],
) -> Option<(Vec<String>, &'static Field)> {
    match path {
        [] => None,
        [field] => object.field(field).map(|f| (vec![f.name.to_string()], f)),
        [rel, rest @ ..] => {
            let link = object.relationship(rel)?;
            let target = schema::object(link.reference_to[0])?;
            let (mut tail, f) = resolve_path(target, rest)?;
            tail.insert(0, link.relationship_name?.to_string());
            Some((tail, f))
        }
    }
}

impl soql::Catalog for SchemaCatalog {
    fn has_object(&self, object: &str) -> Option<String> {
        schema::object(object).map(|o| o.name.to_string())
    }

    fn resolve(
        &self,
        object: &str,
        path: &[String],
    ) -> Option<(Vec<String>, soql::FieldType, bool)> {
        let obj = schema::object(object)?;
        let (canonical, field) = resolve_path(obj, path)?;
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

impl Store {
    /// The value at a (canonical) field path from an account, following `Owner`, `Parent`, … .
    pub fn path_value(&self, rec: &Record, path: &[String]) -> Value {
        let account = schema::account_object();
        match path {
            [] => Value::Null,
            [field] => account
                .field(field)
                .map(|f| self.account_value(rec, f))
                .unwrap_or(Value::Null),
            [rel, rest @ ..] => match self.related(rec, rel) {
                Some(Related::User(user)) => match rest {
                    [field] => user.field_value(field),
                    _ => Value::Null,
                },
                Some(Related::Account(parent)) => self.path_value(parent, rest),
                None => Value::Null,
            },
        }
    }

    /// The record a relationship of `rec` points at (deleted parents read as absent).
    pub fn related<'a>(&'a self, rec: &'a Record, rel: &str) -> Option<Related<'a>> {
        let link = schema::account_object().relationship(rel)?;
        let id = self.account_value(rec, link);
        let id = id.as_str()?;
        match link.reference_to[0] {
            "User" => self.users.iter().find(|u| u.id == id).map(Related::User),
            _ => self
                .accounts
                .get(id)
                .filter(|r| !r.deleted)
                .map(Related::Account),
        }
    }
}

/// The target of a relationship field.
pub enum Related<'a> {
    User(&'a OrgUser),
    Account(&'a Record),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> Store {
        let org = Org {
            org_id: "00Dxyz000000001AAA".into(),
            users: crate::users::build_users("admin@x.local", "pw", &[], &mut IdGen::new("xyz"))
                .unwrap()
                .into(),
        };
        Store::new(&org, IdGen::new("xyz"))
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
