//! Making an import's preview: the file read through once (each line asked, the same key twice
//! blocked), the org's records for the Ids or keys it names read in a few queries, each line
//! settled against its record (`orgbridge_sheet::import`). Nothing is written.

use std::collections::{HashMap, HashSet};

use orgbridge_sheet::import::lines::{Lines, Packed};
use orgbridge_sheet::import::{ask, reads, settle, Asked, Duplicates, Setup};
use orgbridge_sheet::read::Encoding;
use orgbridge_sync::preview::Counts;
use salesforce::rest::{Record, SObjectDescribe};

use super::file::read;
use crate::accounts::context::Accounts;
use crate::error::AppError;

/// A preview, and what it was made from.
pub struct Made {
    pub setup: Setup,
    pub headers: Vec<String>,
    pub separator: u8,
    pub encoding: Encoding,
    pub rows: Lines,
    pub counts: Counts,
    /// Calls it took to read the org.
    pub calls: u64,
}

/// Reads `file` and the org and settles every line; `seen` hears the bytes read so far.
pub async fn make(
    ctx: Accounts,
    file: &web_sys::File,
    encoding: Encoding,
    setup: Setup,
    account: &SObjectDescribe,
    seen: impl Fn(u64),
) -> Result<Made, String> {
    // Packed as they come (a million lines are never a million structs); what a later line
    // says of an earlier one (the same key) is held aside and added when it is settled.
    let mut asked: Packed<Asked> = Packed::default();
    let mut later: HashMap<usize, Vec<String>> = HashMap::new();
    let mut dups = Duplicates::default();
    // The Ids or keys the lines name, each once, folded as the org compares them.
    let mut finders: Vec<String> = Vec::new();
    let mut wanted = HashSet::new();
    let (headers, separator) = read(file, encoding, |headers, lines, bytes| {
        for line in lines {
            let mut one = ask(&setup, headers, account, &line);
            let index = asked.len();
            if let Some((first, why)) = dups.check(&setup, account, index, &mut one) {
                later.entry(first).or_default().push(why);
            }
            if one.problems.is_empty() && !one.done_before {
                if let Some(f) = &one.finder {
                    if wanted.insert(reads::fold(&setup, account, f)) {
                        finders.push(f.clone());
                    }
                }
            }
            asked.push(&one);
        }
        seen(bytes);
        true
    })
    .await
    .map_err(|e| e.message())?;
    drop(dups);

    let mut found: HashMap<String, Record> = HashMap::new();
    let mut calls = 0;
    let client = ctx.client();
    let lists = reads::queries(&setup, account, &finders);
    // A file naming much of the org reads every record with a key instead, in pages, keeping
    // those a line names.
    let mut queries = lists;
    if queries.len() > 2 {
        if let Some(count) = reads::count_soql(&setup) {
            calls += 1;
            let keyed = client
                .query(&count, None)
                .await
                .map_err(|e| AppError::from(e).message())?
                .total_size;
            if reads::read_all(keyed, queries.len()) {
                queries = reads::all_soql(&setup, account).into_iter().collect();
            }
        }
    }
    for soql in queries {
        let mut page = client.query(&soql, Some(2_000)).await;
        loop {
            calls += 1;
            let p = page.map_err(|e| AppError::from(e).message())?;
            for record in p.records {
                if let Some(finder) = reads::finder_of(&setup, account, &record) {
                    if wanted.contains(&finder) {
                        found.insert(finder, record);
                    }
                }
            }
            match p.next_records_url.filter(|_| !p.done) {
                Some(next) => page = client.query_more(&next, Some(2_000)).await,
                None => break,
            }
        }
    }
    drop(wanted);
    drop(finders);
    let rows: Lines = asked
        .iter()
        .enumerate()
        .map(|(n, mut a)| {
            if let Some(more) = later.remove(&n) {
                a.problems.extend(more);
            }
            let record = a
                .finder
                .as_ref()
                .and_then(|f| found.get(&reads::fold(&setup, account, f)));
            settle(&setup, account, a, record)
        })
        .collect();
    let counts = Counts::tally(rows.outcomes());
    Ok(Made {
        setup,
        headers,
        separator,
        encoding,
        rows,
        counts,
        calls,
    })
}
