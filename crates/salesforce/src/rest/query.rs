//! SOQL query resource (`GET /services/data/vXX.X/query?q=`) and its paging through
//! `nextRecordsUrl`, with the `Sforce-Query-Options: batchSize=N` header.

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Error;
use crate::rest::Record;
use crate::transport::{Method, Transport};
use crate::types::RecordId;

/// One page of query results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<R = Record> {
    /// How many records match in all (not just this page).
    pub total_size: u64,
    /// True on the last page.
    pub done: bool,
    /// Where the next page is, while `done` is false.
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<R>,
}

/// Salesforce's documented bounds for `batchSize`: values outside are clamped rather than refused.
fn batch_header(batch_size: Option<u32>) -> Option<String> {
    batch_size.map(|n| format!("batchSize={}", n.clamp(200, 2000)))
}

impl<T: Transport> Client<T> {
    /// The `Name` of each record, in the order of `ids` (empty for one the org did not return:
    /// deleted, or not visible to this user). For naming records a person picks between; ids
    /// alone mean little.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>, ids: Vec<salesforce::types::RecordId>) -> Result<(), salesforce::error::Error> {
    /// for (id, name) in client.names_of("Account", &ids).await? {
    ///     println!("{name} ({id})");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn names_of(
        &self,
        sobject: &str,
        ids: &[RecordId],
    ) -> Result<Vec<(RecordId, String)>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(|id| crate::soql::quote(id.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        let soql = crate::soql::ListQuery::new(sobject, ["Id", "Name"])
            .where_raw(&format!("Id IN ({list})"))
            .to_soql()?;
        let page = self.query(&soql, None).await?;
        // Keyed by the parsed id, so an id given with 15 characters finds the org's 18.
        let found: std::collections::HashMap<RecordId, String> = page
            .records
            .iter()
            .filter_map(|r| {
                let id = RecordId::parse(r.get("Id")?.as_str()?).ok()?;
                let name = r.get("Name").and_then(|v| v.as_str()).unwrap_or_default();
                Some((id, name.to_owned()))
            })
            .collect();
        Ok(ids
            .iter()
            .map(|id| (id.clone(), found.get(id).cloned().unwrap_or_default()))
            .collect())
    }

    /// Runs a SOQL query and returns its first page. `batch_size` (200–2000) asks for a page size;
    /// the org may return fewer.
    ///
    /// ```no_run
    /// # async fn demo<T: salesforce::transport::Transport>(client: salesforce::client::Client<T>) -> Result<(), salesforce::error::Error> {
    /// let mut page = client.query("SELECT Id, Name FROM Account", Some(2000)).await?;
    /// let mut all = page.records;
    /// while let Some(next) = page.next_records_url.clone() {
    ///     page = client.query_more(&next, Some(2000)).await?;
    ///     all.append(&mut page.records);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn query(&self, soql: &str, batch_size: Option<u32>) -> Result<QueryPage, Error> {
        let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        let path = self.data_path(&format!("/query?q={q}"));
        self.query_path(&path, batch_size).await
    }

    /// Runs a query through `/queryAll`, which also returns deleted records (in the Recycle Bin)
    /// and merged ones: how a sync learns what was deleted since it last looked.
    pub async fn query_with_deleted(
        &self,
        soql: &str,
        batch_size: Option<u32>,
    ) -> Result<QueryPage, Error> {
        let q: String = url::form_urlencoded::byte_serialize(soql.as_bytes()).collect();
        let path = self.data_path(&format!("/queryAll?q={q}"));
        self.query_path(&path, batch_size).await
    }

    /// Fetches the page at a `nextRecordsUrl`.
    pub async fn query_more(
        &self,
        next_records_url: &str,
        batch_size: Option<u32>,
    ) -> Result<QueryPage, Error> {
        self.query_path(next_records_url, batch_size).await
    }

    /// Runs a query and follows every `nextRecordsUrl`, returning all records (for small results
    /// and tests; the account list pages itself to show the rows as they come).
    pub async fn query_all_pages(&self, soql: &str) -> Result<Vec<Record>, Error> {
        Ok(self.query_all_pages_seen(soql, |_| {}).await?.0)
    }

    /// As [`Client::query_all_pages`], telling `seen` how many records have come after each page;
    /// also returns the calls made (one per page).
    pub async fn query_all_pages_seen(
        &self,
        soql: &str,
        mut seen: impl FnMut(usize),
    ) -> Result<(Vec<Record>, u64), Error> {
        let mut page = self.query(soql, None).await?;
        let mut calls = 1;
        let mut all = std::mem::take(&mut page.records);
        seen(all.len());
        while let (false, Some(next)) = (page.done, page.next_records_url.clone()) {
            page = self.query_more(&next, None).await?;
            calls += 1;
            all.append(&mut page.records);
            seen(all.len());
        }
        Ok((all, calls))
    }

    async fn query_path(&self, path: &str, batch_size: Option<u32>) -> Result<QueryPage, Error> {
        let header = batch_header(batch_size);
        let headers: Vec<(&str, &str)> = header
            .as_deref()
            .map(|h| vec![("Sforce-Query-Options", h)])
            .unwrap_or_default();
        let resp = self.send_checked(Method::Get, path, None, &headers).await?;
        crate::error::decode_json(&crate::client::path_only(path), &resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_decode_with_and_without_next_url() {
        let p: QueryPage = serde_json::from_str(r#"{"totalSize":3,"done":false,"nextRecordsUrl":"/services/data/v67.0/query/01gD-2","records":[{"attributes":{"type":"Account"},"Name":"A"}]}"#).unwrap();
        assert_eq!(
            p.next_records_url.as_deref(),
            Some("/services/data/v67.0/query/01gD-2")
        );
        assert_eq!(p.records[0]["Name"], "A");
        let last: QueryPage =
            serde_json::from_str(r#"{"totalSize":0,"done":true,"records":[]}"#).unwrap();
        assert!(last.done && last.next_records_url.is_none());
    }

    #[test]
    fn batch_size_is_clamped_to_documented_bounds() {
        assert_eq!(batch_header(Some(50)).unwrap(), "batchSize=200");
        assert_eq!(batch_header(Some(5000)).unwrap(), "batchSize=2000");
        assert_eq!(batch_header(None), None);
    }
}
