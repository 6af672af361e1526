//! sObject Rows (`/sobjects/{SObject}/{id}`) and upsert by external ID
//! (`PATCH /sobjects/{SObject}/{ExternalIdField}/{value}`).

use serde::Deserialize;
use serde_json::Value;

use crate::client::{path_only, Client};
use crate::error::{decode_json, map_response, Error};
use crate::rest::Record;
use crate::transport::{Method, Transport};
use crate::types::{check_api_name, ExternalIdField, RecordId};

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// 201: no record had that value; one was created.
    Created { id: RecordId },
    /// 200 (or 204 before API 46): the matching record was updated.
    Updated { id: Option<RecordId> },
    /// 300: several records have that value; nothing was written. Their ids (from the record
    /// URLs the org sent).
    Multiple(Vec<RecordId>),
}

#[derive(Deserialize)]
struct SaveResult {
    id: RecordId,
}

fn encode_segment(value: &str) -> String {
    // Path segment: percent-encode everything but unreserved characters, so `/`, `?` or `#` in an
    // external ID value cannot change which resource is addressed.
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The body Salesforce expects: the fields, without `attributes`, `Id` (for updates it is in the URL).
fn writable(fields: &Record) -> Value {
    let mut body = fields.clone();
    body.remove("attributes");
    body.remove("Id");
    Value::Object(body)
}

impl<T: Transport> Client<T> {
    /// Reads one record, optionally only some fields.
    pub async fn get_record(
        &self,
        sobject: &str,
        id: &RecordId,
        fields: Option<&[&str]>,
    ) -> Result<Record, Error> {
        check_api_name("object name", sobject, false)?;
        let mut path = self.data_path(&format!("/sobjects/{sobject}/{id}"));
        if let Some(fields) = fields {
            for f in fields {
                check_api_name("field name", f, true)?;
            }
            path.push_str(&format!("?fields={}", fields.join(",")));
        }
        self.send_json(Method::Get, &path, None).await
    }

    /// Creates a record and returns its id (201).
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>) -> Result<(), salesforce::error::Error> {
    /// let mut fields = serde_json::Map::new();
    /// fields.insert("Name".into(), "Acme".into());
    /// let id = client.create_record("Account", &fields).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_record(&self, sobject: &str, fields: &Record) -> Result<RecordId, Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path(&format!("/sobjects/{sobject}/"));
        let r: SaveResult = self
            .send_json(Method::Post, &path, Some(&writable(fields)))
            .await?;
        Ok(r.id)
    }

    /// Updates fields of a record (204).
    pub async fn update_record(
        &self,
        sobject: &str,
        id: &RecordId,
        fields: &Record,
    ) -> Result<(), Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path(&format!("/sobjects/{sobject}/{id}"));
        self.send_checked(Method::Patch, &path, Some(&writable(fields)), &[])
            .await?;
        Ok(())
    }

    /// Deletes a record (204).
    pub async fn delete_record(&self, sobject: &str, id: &RecordId) -> Result<(), Error> {
        check_api_name("object name", sobject, false)?;
        let path = self.data_path(&format!("/sobjects/{sobject}/{id}"));
        self.send_checked(Method::Delete, &path, None, &[]).await?;
        Ok(())
    }

    /// Creates or updates the record whose `field` equals `value`.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>) -> Result<(), salesforce::error::Error> {
    /// use salesforce::{rest::UpsertOutcome, types::ExternalIdField};
    /// let field = ExternalIdField::parse("Ext_Id__c")?;
    /// let mut fields = serde_json::Map::new();
    /// fields.insert("Name".into(), "Acme".into());
    /// match client.upsert_by_external_id("Account", &field, "A-1", &fields).await? {
    ///     UpsertOutcome::Created { id } => println!("created {id}"),
    ///     UpsertOutcome::Updated { .. } => println!("updated"),
    ///     UpsertOutcome::Multiple(ids) => println!("{} records match", ids.len()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn upsert_by_external_id(
        &self,
        sobject: &str,
        field: &ExternalIdField,
        value: &str,
        fields: &Record,
    ) -> Result<UpsertOutcome, Error> {
        check_api_name("object name", sobject, false)?;
        if value.trim().is_empty() {
            return Err(Error::InvalidInput {
                what: "external ID value",
                message: format!("Enter a value for {field} to match records by."),
            });
        }
        // `.` and `..` are path steps in any spelling (a browser decodes `%2E` back to a dot), so
        // such a value cannot travel in the URL: it would address another resource.
        if matches!(value, "." | "..") {
            return Err(Error::InvalidInput {
                what: "external ID value",
                message: format!(
                    "An external ID value of “{value}” cannot be sent in a URL; give {field} another value."
                ),
            });
        }
        let path = self.data_path(&format!(
            "/sobjects/{sobject}/{field}/{}",
            encode_segment(value)
        ));
        let mut body = writable(fields);
        // The key travels in the URL; Salesforce rejects it repeated in the body.
        if let Value::Object(map) = &mut body {
            map.remove(field.as_str());
        }
        let resp = self
            .send_raw(Method::Patch, &path, Some(body.to_string()), &[])
            .await?;
        let p = path_only(&path);
        match resp.status {
            300 => {
                let urls: Vec<String> = decode_json(&p, &resp)?;
                let ids = urls
                    .iter()
                    .map(|url| {
                        let id = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
                        RecordId::parse(id).map_err(|_| {
                            Error::decode(&p, &resp, format!("{url} does not end in a record id"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(UpsertOutcome::Multiple(ids))
            }
            201 => {
                let r: SaveResult = decode_json(&p, &resp)?;
                Ok(UpsertOutcome::Created { id: r.id })
            }
            204 => Ok(UpsertOutcome::Updated { id: None }),
            _ => {
                let resp = map_response(&p, resp)?;
                #[derive(Deserialize)]
                struct R {
                    id: Option<RecordId>,
                    #[serde(default)]
                    created: bool,
                }
                let r: R = decode_json(&p, &resp)?;
                match (r.created, r.id) {
                    (true, Some(id)) => Ok(UpsertOutcome::Created { id }),
                    (_, id) => Ok(UpsertOutcome::Updated { id }),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_id_values_cannot_escape_their_path_segment() {
        assert_eq!(encode_segment("A-1_b.c~"), "A-1_b.c~");
        assert_eq!(encode_segment("../x?y#z"), "..%2Fx%3Fy%23z");
        assert_eq!(encode_segment("é"), "%C3%A9");
    }

    #[test]
    fn bodies_drop_attributes_and_id() {
        let rec: Record = serde_json::from_str(
            r#"{"attributes":{"type":"Account"},"Id":"001D000000IqhSLIAZ","Name":"A"}"#,
        )
        .unwrap();
        assert_eq!(writable(&rec), serde_json::json!({"Name":"A"}));
    }
}
