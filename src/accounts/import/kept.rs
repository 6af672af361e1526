//! An import kept in IndexedDB (`crate::indexed`, in the records `orgbridge_sheet::import::kept`
//! defines) under `import:<org key>`: written as its run starts, before any call (the file
//! itself too: IndexedDB keeps a File), the calls in flight before they go, the results after
//! each wave. After a reload the import screen offers it again; a finished import is dropped.

use std::cell::RefCell;
use std::rc::Rc;

use orgbridge_sheet::import::kept::{
    check_head, chunk_of, chunk_text, chunks_of, names, read_chunk, Flight, Head, VERSION,
};
use orgbridge_sheet::import::lines::Lines;
use orgbridge_sheet::import::results::Written;
use orgbridge_sheet::import::Row;
use orgbridge_sync::preview::Counts;
use wasm_bindgen::{JsCast, JsValue};

use super::preview::Made;
use crate::indexed::{delete_all, get, get_value, put_all, put_values};

/// A kept import, and its results as last kept.
pub struct Kept {
    owner: String,
    head: Head,
    results: RefCell<Vec<Option<Written>>>,
}

/// What a reload finds.
pub struct Restored {
    pub kept: Rc<Kept>,
    pub made: Made,
    pub results: Vec<Option<Written>>,
    pub file: Option<web_sys::File>,
    pub name: String,
    pub flight: Option<Flight>,
}

fn owner(org_key: &str) -> String {
    format!("import:{org_key}")
}

/// Keeps a new run's import (its org's last one is replaced).
pub async fn keep_new(
    org_key: &str,
    made: &Made,
    file: Option<&web_sys::File>,
    name: &str,
    results: &[Option<Written>],
) -> Result<Rc<Kept>, String> {
    let owner = owner(org_key);
    delete_all(&owner).await;
    let head = Head {
        version: VERSION,
        id: format!(
            "{}-{}",
            js_sys::Date::now() as u64,
            (js_sys::Math::random() * 1e9) as u64
        ),
        file: name.to_string(),
        setup: made.setup.clone(),
        headers: made.headers.clone(),
        separator: made.separator,
        encoding: made.encoding,
        lines: made.rows.len(),
        calls: made.calls,
    };
    for n in 0..head.chunks() {
        put_all(
            &owner,
            &[
                (names::rows(n), chunk_text(&head.id, &made.rows.chunk(n), n)),
                (
                    names::results(n),
                    chunk_text(&head.id, chunk_of(results, n), n),
                ),
            ],
        )
        .await?;
    }
    if let Some(file) = file {
        // Not kept is no loss for the run: only the results file needs it.
        let _ = put_values(&owner, &[(&names::FILE.to_string(), file.clone().into())]).await;
    }
    let text = serde_json::to_string(&head).unwrap_or_default();
    put_all(&owner, &[(names::HEAD.to_string(), text)]).await?;
    Ok(Rc::new(Kept {
        owner,
        head,
        results: RefCell::new(results.to_vec()),
    }))
}

impl Kept {
    /// Keeps the calls about to go out (before they do).
    pub async fn flight(&self, flight: &Flight) {
        let text = serde_json::to_string(&Some(flight)).unwrap_or_default();
        let _ = put_all(&self.owner, &[(names::FLIGHT.to_string(), text)]).await;
    }

    /// Keeps what a wave settled, and that nothing is in flight, in one transaction.
    pub async fn settled(&self, wave: &[(usize, Written)]) {
        let touched = {
            let mut results = self.results.borrow_mut();
            for (n, w) in wave {
                if let Some(slot) = results.get_mut(*n) {
                    *slot = Some(w.clone());
                }
            }
            chunks_of(wave.iter().map(|(n, _)| *n))
        };
        let mut records: Vec<(String, String)> = {
            let results = self.results.borrow();
            touched
                .into_iter()
                .map(|c| {
                    (
                        names::results(c),
                        chunk_text(&self.head.id, chunk_of(&results, c), c),
                    )
                })
                .collect()
        };
        records.push((names::FLIGHT.to_string(), "null".into()));
        let _ = put_all(&self.owner, &records).await;
    }
}

/// The org's kept import, if there is one it can use; one it cannot is dropped, and `Err` says
/// why.
pub async fn restore(org_key: &str) -> Result<Option<Restored>, String> {
    let owner = owner(org_key);
    let at = |name: &str| format!("{owner}/{name}");
    let Some(text) = get(&at(names::HEAD)).await else {
        return Ok(None);
    };
    let restored = async {
        let head = check_head(&text)?;
        let mut rows = Lines::default();
        let mut results: Vec<Option<Written>> = Vec::with_capacity(head.lines);
        for n in 0..head.chunks() {
            let part = read_chunk::<Row>(&head, n, get(&at(&names::rows(n))).await.as_deref())?;
            for row in &part {
                rows.push(row);
            }
            results.extend(read_chunk::<Option<Written>>(
                &head,
                n,
                get(&at(&names::results(n))).await.as_deref(),
            )?);
        }
        let flight: Option<Flight> = get(&at(names::FLIGHT))
            .await
            .and_then(|t| serde_json::from_str(&t).ok())
            .flatten();
        let file = get_value(&at(names::FILE))
            .await
            .and_then(|v: JsValue| v.dyn_into::<web_sys::File>().ok());
        let counts = Counts::tally(rows.outcomes());
        let made = Made {
            setup: head.setup.clone(),
            headers: head.headers.clone(),
            separator: head.separator,
            encoding: head.encoding,
            rows,
            counts,
            calls: head.calls,
        };
        Ok::<_, String>(Restored {
            kept: Rc::new(Kept {
                owner: owner.clone(),
                head: head.clone(),
                results: RefCell::new(results.clone()),
            }),
            made,
            results,
            file,
            name: head.file.clone(),
            flight,
        })
    }
    .await;
    match restored {
        Ok(r) => Ok(Some(r)),
        Err(why) => {
            delete_all(&owner).await;
            Err(why)
        }
    }
}

/// Drops the org's kept import.
pub async fn forget(org_key: &str) {
    delete_all(&owner(org_key)).await;
}
