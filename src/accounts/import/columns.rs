//! The columns table: each column of the file and the Account field it goes to, proposed and
//! fixable, with the columns that go nowhere listed and what stops the operation said.

use std::sync::Arc;

use leptos::prelude::*;
use orgbridge_sheet::columns::{ColumnMap, Target};
use orgbridge_sheet::read::column_letter;
use orgbridge_sheet::values::importable;
use salesforce::rest::SObjectDescribe;

/// A target as a `<select>` value.
fn value_of(target: &Option<Target>) -> String {
    match target {
        None => "none".into(),
        Some(Target::Id) => "id".into(),
        Some(Target::Field(f)) => format!("f:{f}"),
        Some(Target::ParentByKey { key, .. }) => format!("p:{key}"),
        Some(Target::RecordType) => "rt".into(),
        Some(Target::ReadOnly(what)) => format!("ro:{what}"),
    }
}

fn target_of(value: &str) -> Option<Target> {
    let (kind, rest) = value.split_once(':').unwrap_or((value, ""));
    match kind {
        "id" => Some(Target::Id),
        "f" => Some(Target::Field(rest.into())),
        "p" => Some(Target::ParentByKey {
            field: "ParentId".into(),
            relationship: "Parent".into(),
            key: rest.into(),
        }),
        "rt" => Some(Target::RecordType),
        "ro" => Some(Target::ReadOnly(rest.into())),
        _ => None,
    }
}

/// What a column may go to: the Id, every field a cell can write (by label), the parent by each
/// External ID, the record type by its API name.
fn choices(account: &SObjectDescribe) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = account
        .fields
        .iter()
        .filter(|f| f.name != "Id" && importable(f) && (f.createable || f.updateable))
        .map(|f| (format!("f:{}", f.name), format!("{} ({})", f.label, f.name)))
        .collect();
    fields.sort_by_key(|f| f.1.to_lowercase());
    let mut out = vec![
        ("none".to_string(), "— not imported —".to_string()),
        ("id".into(), "Account ID (Id)".into()),
    ];
    out.extend(fields);
    if account.field("ParentId").is_some() {
        out.extend(
            account
                .fields
                .iter()
                .filter(|f| f.external_id || (f.id_lookup && f.unique && f.name != "Id"))
                .map(|f| {
                    (
                        format!("p:{}", f.name),
                        format!("Parent Account by its {} (Parent.{})", f.label, f.name),
                    )
                }),
        );
    }
    if account.field("RecordTypeId").is_some() {
        out.push((
            "rt".into(),
            "Record Type by API name (RecordType.DeveloperName)".into(),
        ));
    }
    out
}

/// The table of columns.
#[component]
pub fn ColumnsTable(
    headers: Vec<String>,
    map: RwSignal<ColumnMap>,
    account: Arc<SObjectDescribe>,
) -> impl IntoView {
    let choices = Arc::new(choices(&account));
    let rows = headers
        .iter()
        .enumerate()
        .map(|(i, header)| {
            let id = format!("ob-import-col-{i}");
            let choices = choices.clone();
            let label = format!("{header} (column {})", column_letter(i + 1));
            let current = move || map.with(|m| value_of(m.targets.get(i).unwrap_or(&None)));
            let read_only = move || {
                map.with(|m| match m.targets.get(i) {
                    Some(Some(Target::ReadOnly(what))) => Some(what.clone()),
                    _ => None,
                })
            };
            view! {
                <tr>
                    <th scope="row"><label for=id.clone()>{label}</label></th>
                    <td>
                        <select
                            id=id
                            class="ob-input"
                            prop:value=current
                            on:change=move |ev| {
                                let chosen = target_of(&event_target_value(&ev));
                                map.update(|m| {
                                    if let Some(t) = m.targets.get_mut(i) {
                                        *t = chosen;
                                    }
                                });
                            }
                        >
                            {move || read_only().map(|what| view! {
                                <option value=format!("ro:{what}")>{format!("— read-only, not imported ({what}) —")}</option>
                            })}
                            {choices.iter().map(|(value, text)| view! {
                                <option value=value.clone()>{text.clone()}</option>
                            }).collect_view()}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="ob-acc-table ob-import-columns">
            <thead>
                <tr>
                    <th scope="col">"Column of the file"</th>
                    <th scope="col">"Account field"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
