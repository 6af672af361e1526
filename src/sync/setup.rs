//! The choices before a preview: which source accounts, the key records are matched on, which
//! source field feeds each target field (with what the target would refuse, found before
//! anything runs), and owners.

use leptos::prelude::*;
use orgbridge_model::accounts as model;
use orgbridge_sync::fields::{constant, kind, type_name, Kind};
use orgbridge_sync::key::{KeyFrom, MatchKey, HOW_TO_ADD_A_KEY};
use orgbridge_sync::mapping::{readable, writable, From, Severity};
use orgbridge_sync::plan::{Scope, MARGIN_MINUTES};
use orgbridge_sync::record_types;
use orgbridge_sync::watermark::{LastSync, NeedsFull};
use serde_json::Value;

use super::state::{org_short, use_sync, SyncCtx, Which};
use crate::components::alert::ErrorAlert;

#[component]
pub fn Setup() -> impl IntoView {
    view! {
        <div class="ob-card ob-sync-setup">
            <WhichAccounts/>
            <KeyChoice/>
            <FieldMap/>
            <RecordTypesChoice/>
            <OwnersChoice/>
        </div>
    }
}

/// The source list's search and WHERE clause, as a filter (`Ok(None)`: it has none).
pub fn listed_filter(ctx: SyncCtx) -> Result<Option<String>, String> {
    let (sd, _) = ctx.described.get_value();
    let st = ctx.source.with_value(|s| s.accounts.list);
    let ask = model::ListAsk {
        search: st.search.get_untracked(),
        search_in: st.search_in.get_untracked(),
        where_raw: st.where_raw.get_untracked(),
        sort: None,
    };
    model::list_query(&sd, &[], &ask)
        .where_clause()
        .map_err(|e| e.user_message())
}

/// The scope a run reads, from the choice made (or the rows still to write of a run resumed too
/// late).
pub fn scope(ctx: SyncCtx) -> Result<Scope, String> {
    if let Some(ids) = ctx.rest_of.get_untracked() {
        return Ok(Scope::Ids(ids));
    }
    Ok(match ctx.which.get_untracked() {
        Which::All => Scope::All,
        Which::AsListed => listed_filter(ctx)?.map_or(Scope::All, Scope::Where),
        Which::Selected => {
            let ids = ctx
                .source
                .with_value(|s| s.accounts.list.selected.get_untracked());
            if ids.is_empty() {
                return Err("No rows are selected in the source's account list.".into());
            }
            let mut ids: Vec<_> = ids.into_iter().collect();
            ids.sort();
            Scope::Ids(ids)
        }
        Which::Changed => changed_since(ctx)
            .map_err(|why| format!("“Changed since the last sync” is {}.", why.message()))?,
    })
}

/// "Changed since the last sync" with the key and mapping chosen now, or why a full sync is
/// needed first.
pub fn changed_since(ctx: SyncCtx) -> Result<Scope, NeedsFull> {
    let key = ctx.key.get();
    ctx.saved.with(|s| {
        ctx.mapping
            .with(|m| LastSync::changed_since(s.last_sync.as_ref(), key.as_ref(), m))
    })
}

#[component]
fn WhichAccounts() -> impl IntoView {
    let ctx = use_sync();
    let source = ctx.source.get_value();
    let selected = move || source.accounts.list.selected.with(|s| s.len());
    let listed = listed_filter(ctx);
    let since = move || {
        changed_since(ctx).map(|s| match s {
            Scope::ChangedSince(mark) => mark,
            _ => String::new(),
        })
    };
    let option = move |which: Which, text: String, detail: Option<String>, enabled: bool| {
        let id = format!("ob-sync-which-{which:?}").to_lowercase();
        view! {
            <div class="ob-check">
                <input
                    type="radio"
                    name="ob-sync-which"
                    id=id.clone()
                    disabled=!enabled
                    prop:checked=move || ctx.which.get() == which
                    on:change=move |_| {
                        ctx.which.set(which);
                        ctx.changed();
                    }
                />
                <label for=id>{text}</label>
                {detail.map(|d| view! { <span class="ob-muted ob-small ob-mono">{d}</span> })}
            </div>
        }
    };
    view! {
        <fieldset class="ob-sync-group">
            <legend>"Which accounts"</legend>
            {option(Which::All, format!("All accounts in {}", org_short(&ctx.source.get_value())), None, true)}
            {
                let listed_text = "Those the source's account list shows now".to_string();
                match listed {
                    Ok(Some(filter)) => option(Which::AsListed, listed_text, Some(filter), true),
                    Ok(None) => option(Which::AsListed, listed_text, Some("no search or WHERE clause: all".into()), true),
                    Err(e) => option(Which::AsListed, listed_text, Some(format!("its search cannot be used: {e}")), false),
                }
            }
            {move || option(Which::Selected, format!("The {} rows selected in the source's account list", model::thousands(selected() as u64)), None, selected() > 0)}
            {move || match since() {
                Ok(mark) => option(Which::Changed, "Changed since the last sync".into(), Some(format!("since {} UTC, less {} minutes for changes still being saved then", mark.get(..16).unwrap_or(&mark).replace('T', " "), MARGIN_MINUTES)), true),
                Err(why) => option(Which::Changed, "Changed since the last sync".into(), Some(why.message().to_string()), false),
            }}
            <Deletions/>
        </fieldset>
    }
}

/// The opt-in to carry deletions over: off by default, only after a full sync (its watermark says
/// since when).
#[component]
fn Deletions() -> impl IntoView {
    let ctx = use_sync();
    let target = org_short(&ctx.target.get_value());
    let available = move || changed_since(ctx).is_ok();
    Effect::new(move |_| {
        if !available() && ctx.deletions.get_untracked() {
            ctx.deletions.set(false);
        }
    });
    view! {
        <div class="ob-check ob-sync-deletions">
            <input
                type="checkbox"
                id="ob-sync-deletions"
                disabled=move || !available()
                prop:checked=move || ctx.deletions.get()
                on:change=move |ev| {
                    ctx.deletions.set(event_target_checked(&ev));
                    ctx.changed();
                }
            />
            <label for="ob-sync-deletions">
                {format!("Also delete in {target} what was deleted in the source since the last sync")}
            </label>
            <span class="ob-muted ob-small">
                {move || if available() {
                    "Only accounts matched by the key to a deleted source account; each is shown as Delete in the preview first."
                } else {
                    "Available after a sync of all accounts."
                }}
            </span>
        </div>
    }
}

#[component]
fn KeyChoice() -> impl IntoView {
    let ctx = use_sync();
    let (sd, td) = ctx.described.get_value();
    let keys: Vec<(String, String)> = td
        .external_id_fields()
        .map(|f| {
            (
                f.name.clone(),
                format!(
                    "{} ({}) · {}{}",
                    f.label,
                    f.name,
                    type_name(f),
                    if f.unique { "" } else { " · not unique" }
                ),
            )
        })
        .collect();
    let sources: Vec<(String, String)> = readable(&sd)
        .iter()
        .map(|f| (f.name.clone(), format!("{} ({})", f.label, f.name)))
        .collect();
    let set = move |edit: &dyn Fn(&mut MatchKey)| {
        ctx.key.update(|k| {
            let mut key = k.clone().unwrap_or(MatchKey {
                target: String::new(),
                from: KeyFrom::SourceId,
            });
            edit(&mut key);
            *k = Some(key);
        });
        ctx.remember();
        ctx.changed();
    };
    let problem = {
        let (sd, td) = (sd.clone(), td.clone());
        move || {
            ctx.key.with(|k| match k {
                None => Some(HOW_TO_ADD_A_KEY.to_string()),
                Some(k) => k.problem(&sd, &td),
            })
        }
    };
    // Records the target holds keyed another way, which this key would not find.
    let shift = {
        let td = td.clone();
        move || {
            let facts = ctx.facts.get_value();
            ctx.key
                .with(|k| k.as_ref().and_then(|k| k.would_insert_again(&td, &facts)))
        }
    };
    if keys.is_empty() {
        return view! {
            <fieldset class="ob-sync-group">
                <legend>"Match records by"</legend>
                <ErrorAlert title="The target has no External ID field to match records on" message=HOW_TO_ADD_A_KEY/>
            </fieldset>
        }
        .into_any();
    }
    view! {
        <fieldset class="ob-sync-group">
            <legend>"Match records by"</legend>
            <p class="ob-muted ob-small">"The target field that identifies each copied record: one made to hold the source record's Id, or one both orgs fill with the same values (an ERP number, say). Each account is then written once, however often you run this."</p>
            <div class="ob-sync-key">
                <div class="ob-field">
                    <label for="ob-sync-key-field">"Target External ID field"</label>
                    <select
                        id="ob-sync-key-field"
                        class="ob-input"
                        prop:value=move || ctx.key.with(|k| k.as_ref().map(|k| k.target.clone()).unwrap_or_default())
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(&|k| k.target = v.clone());
                        }
                    >
                        <option value="">"Choose a field"</option>
                        {keys.into_iter().map(|(n, l)| {
                            let selected = ctx.key.with_untracked(|k| k.as_ref().is_some_and(|k| k.target == n));
                            view! { <option value=n selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="ob-field">
                    <label for="ob-sync-key-from">"It holds"</label>
                    <select
                        id="ob-sync-key-from"
                        class="ob-input"
                        prop:value=move || ctx.key.with(|k| match k.as_ref().map(|k| &k.from) {
                            Some(KeyFrom::Field(f)) => f.clone(),
                            _ => String::new(),
                        })
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(&|k| k.from = if v.is_empty() { KeyFrom::SourceId } else { KeyFrom::Field(v.clone()) });
                        }
                    >
                        <option value="">"The source record's Id"</option>
                        {sources.into_iter().map(|(n, l)| {
                            let selected = ctx.key.with_untracked(|k| k.as_ref().is_some_and(|k| k.from == KeyFrom::Field(n.clone())));
                            view! { <option value=n selected=selected>{format!("The source field {l}")}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            {move || problem().map(|p| view! { <p class="ob-field-error" role="alert">{p}</p> })}
            {move || shift().map(|s| view! { <p class="ob-sync-warn" role="status">{s}</p> })}
        </fieldset>
    }
    .into_any()
}

/// One row per target field a run may write: where its value comes from, both types, and what
/// the target would refuse.
#[component]
fn FieldMap() -> impl IntoView {
    let ctx = use_sync();
    let (sd, td) = ctx.described.get_value();
    let sources = readable(&sd);
    let concerns = {
        let (sd, td) = (sd.clone(), td.clone());
        Memo::new(move |_| ctx.mapping.with(|m| m.concerns(&sd, &td)))
    };
    let rows = {
        let td = td.clone();
        move || {
            let key = ctx.key.get().unwrap_or(MatchKey {
                target: String::new(),
                from: KeyFrom::SourceId,
            });
            writable(&td, &key)
                .into_iter()
                .map(|t| view! { <MapRow target=t sources=sources.clone() concerns=concerns/> })
                .collect_view()
        }
    };
    // Every concern above the table too, so none hides in its scrolled rows (a pair whose field
    // the target lacks has no row at all).
    let summary =
        move || {
            let list = concerns.get();
            (!list.is_empty()).then(|| {
            let stops = list.iter().filter(|c| c.severity == Severity::Stops).count();
            let title = match (stops, list.len()) {
                (1, _) => "1 field pair cannot be used as it is".to_string(),
                (0, 1) => "1 thing to know before running".to_string(),
                (0, n) => format!("{n} things to know before running"),
                (n, _) => format!("{n} field pairs cannot be used as they are"),
            };
            view! {
                <div class="ob-sync-concerns" role="status">
                    <p class="ob-sync-concerns-title">{title}</p>
                    <ul>
                        {list.into_iter().map(|c| view! {
                            <li class:ob-sync-stop=c.severity == Severity::Stops>{c.message}</li>
                        }).collect_view()}
                    </ul>
                </div>
            }
        })
        };
    view! {
        <fieldset class="ob-sync-group">
            <legend>"Fields"</legend>
            <p class="ob-muted ob-small">"Proposed by API name, then by label. Change any, leave one out, or set one value for every record."</p>
            {summary}
            <div class="ob-sync-map-wrap">
                <table class="ob-sync-map">
                    <caption class="ob-visually-hidden">"Field mapping"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Target field"</th>
                            <th scope="col">"From the source"</th>
                            <th scope="col">"Check"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </fieldset>
    }
}

#[component]
fn MapRow(
    target: salesforce::rest::FieldDescribe,
    sources: Vec<salesforce::rest::FieldDescribe>,
    concerns: Memo<Vec<orgbridge_sync::mapping::Concern>>,
) -> impl IntoView {
    let ctx = use_sync();
    let name = target.name.clone();
    let current = {
        let name = name.clone();
        move || ctx.mapping.with(|m| m.pair(&name).map(|p| p.from.clone()))
    };
    let choice = {
        let current = current.clone();
        move || match current() {
            None => String::new(),
            Some(From::Constant(_)) => "=".into(),
            Some(From::Field(f)) => format!("f:{f}"),
        }
    };
    let set = {
        let name = name.clone();
        move |from: Option<From>| {
            ctx.mapping.update(|m| m.set(&name, from));
            ctx.remember();
            ctx.changed();
        }
    };
    let constant_text = {
        let current = current.clone();
        move || match current() {
            Some(From::Constant(Value::String(s))) => Some(s),
            Some(From::Constant(Value::Null)) => Some(String::new()),
            Some(From::Constant(v)) => Some(v.to_string()),
            _ => None,
        }
    };
    let typed = target.clone();
    let own = {
        let name = name.clone();
        move || {
            concerns.with(|cs| {
                cs.iter()
                    .filter(|c| c.target.eq_ignore_ascii_case(&name))
                    .map(|c| (c.severity, c.message.clone()))
                    .collect::<Vec<_>>()
            })
        }
    };
    let label = target.label.clone();
    let type_text = type_name(&target);
    let options: Vec<(String, String)> = sources
        .iter()
        .map(|s| {
            (
                format!("f:{}", s.name),
                format!("{} ({}) · {}", s.label, s.name, type_name(s)),
            )
        })
        .collect();
    let set_choice = set.clone();
    view! {
        <tr>
            <th scope="row">
                <span class="ob-sync-field">{label.clone()}</span>
                <span class="ob-mono ob-muted ob-small">{format!("{name} · {type_text}")}</span>
            </th>
            <td>
                <select
                    class="ob-input"
                    aria-label=format!("Source for {label}")
                    prop:value=choice.clone()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_choice(match v.as_str() {
                            "" => None,
                            "=" => Some(From::Constant(constant(&typed, "").unwrap_or(Value::Null))),
                            f => f.strip_prefix("f:").map(|f| From::Field(f.to_string())),
                        });
                    }
                >
                    <option value="">"Leave out"</option>
                    <option value="=">"Set a value…"</option>
                    {options.into_iter().map(|(v, l)| {
                        let selected = choice() == v;
                        view! { <option value=v selected=selected>{l}</option> }
                    }).collect_view()}
                </select>
                {move || constant_text().map(|text| {
                    let set = set.clone();
                    let target = target.clone();
                    let field_kind = kind(&target);
                    // What the person typed is kept as typed when it does not fit the field, so
                    // the check beside it says what to type and nothing is lost.
                    let typed = move |text: String| {
                        set(Some(From::Constant(constant(&target, &text).unwrap_or(Value::String(text)))))
                    };
                    let aria = format!("Value for {label}");
                    match field_kind {
                        Kind::Boolean => view! {
                            <select class="ob-input ob-sync-constant" aria-label=aria prop:value=text on:change=move |ev| typed(event_target_value(&ev))>
                                <option value="true">"Checked"</option>
                                <option value="false">"Not checked"</option>
                            </select>
                        }.into_any(),
                        k => {
                            let kind_attr = match k {
                                Kind::Date => "date",
                                Kind::DateTime => "datetime-local",
                                _ => "text",
                            };
                            let mode = if k == Kind::Number { "decimal" } else { "text" };
                            // A datetime-local input shows local time without a zone.
                            let text = if k == Kind::DateTime { text.trim_end_matches('Z').to_string() } else { text };
                            view! {
                                <input
                                    type=kind_attr
                                    inputmode=mode
                                    class="ob-input ob-sync-constant"
                                    aria-label=aria
                                    prop:value=text
                                    on:change=move |ev| typed(event_target_value(&ev))
                                />
                            }.into_any()
                        }
                    }
                })}
            </td>
            <td class="ob-sync-check">
                {move || {
                    let list = own();
                    if list.is_empty() {
                        view! { <span class="ob-muted">"—"</span> }.into_any()
                    } else {
                        list.into_iter().map(|(sev, m)| view! {
                            <p class:ob-sync-stop=sev == Severity::Stops class:ob-sync-warn=sev == Severity::Warns>{m}</p>
                        }).collect_view().into_any()
                    }
                }}
            </td>
        </tr>
    }
}

/// Each source record type and the target record type of the same DeveloperName; one with no
/// active counterpart blocks its accounts unless the person picks one.
#[component]
fn RecordTypesChoice() -> impl IntoView {
    let ctx = use_sync();
    let (sd, td) = ctx.described.get_value();
    if !record_types::has_record_types(&td) {
        return ().into_any();
    }
    if record_types::of_source(&sd).is_empty() {
        // Said, not silently left to the org: every new account gets the target's default.
        let default = td
            .default_record_type()
            .map_or("its default".to_string(), |d| {
                format!("its default, {} ({})", d.name, d.developer_name)
            });
        return view! {
            <fieldset class="ob-sync-group">
                <legend>"Record types"</legend>
                <p class="ob-muted ob-small">{format!("The source has no record types: new accounts get the target's record type for you, {default}; existing ones keep theirs.")}</p>
            </fieldset>
        }
        .into_any();
    }
    let targets: Vec<(String, String)> = record_types::usable(&td)
        .into_iter()
        .map(|t| {
            (
                t.developer_name.clone(),
                format!("{} ({})", t.name, t.developer_name),
            )
        })
        .collect();
    let rows = record_types::of_source(&sd)
        .into_iter()
        .map(|s| {
            let dev = s.developer_name.clone();
            let same = targets
                .iter()
                .find(|(t, _)| t.eq_ignore_ascii_case(&dev))
                .map(|(_, l)| l.clone());
            let cell = match same {
                Some(label) => view! { <span>{format!("{label}: same name")}</span> }.into_any(),
                None => {
                    let chosen = {
                        let dev = dev.clone();
                        move || ctx.mapping.with(|m| m.record_types.get(&dev).cloned().unwrap_or_default())
                    };
                    let options = targets.clone();
                    let dev_set = dev.clone();
                    view! {
                        <select
                            class="ob-input"
                            aria-label=format!("Target record type for {}", s.name)
                            prop:value=chosen.clone()
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                ctx.mapping.update(|m| {
                                    if v.is_empty() {
                                        m.record_types.remove(&dev_set);
                                    } else {
                                        m.record_types.insert(dev_set.clone(), v.clone());
                                    }
                                });
                                ctx.remember();
                                ctx.changed();
                            }
                        >
                            <option value="">"None active of that name: its accounts are blocked"</option>
                            {options.into_iter().map(|(v, l)| {
                                let selected = chosen() == v;
                                view! { <option value=v selected=selected>{l}</option> }
                            }).collect_view()}
                        </select>
                    }
                    .into_any()
                }
            };
            view! {
                <tr>
                    <th scope="row">{format!("{} ({})", s.name, s.developer_name)}</th>
                    <td>{cell}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <fieldset class="ob-sync-group">
            <legend>"Record types"</legend>
            <p class="ob-muted ob-small">"Each account gets the active target record type with the same API name (labels may differ)."</p>
            <table class="ob-sync-map">
                <caption class="ob-visually-hidden">"Record types"</caption>
                <thead><tr><th scope="col">"In the source"</th><th scope="col">"In the target"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </fieldset>
    }
    .into_any()
}

#[component]
fn OwnersChoice() -> impl IntoView {
    let ctx = use_sync();
    let target = org_short(&ctx.target.get_value());
    view! {
        <fieldset class="ob-sync-group">
            <legend>"Owners"</legend>
            <div class="ob-check">
                <input
                    type="checkbox"
                    id="ob-sync-owners"
                    prop:checked=move || ctx.owners.get()
                    on:change=move |ev| {
                        ctx.owners.set(event_target_checked(&ev));
                        ctx.changed();
                    }
                />
                <label for="ob-sync-owners">
                    {format!("Give each account the active user in {target} with its owner's Username or Email; owners with no match get you")}
                </label>
            </div>
        </fieldset>
    }
}

/// Whether anything stops a preview, in words.
pub fn blocker(ctx: SyncCtx) -> Option<String> {
    let (sd, td) = ctx.described.get_value();
    let key = ctx.key.get();
    let Some(key) = key else {
        return Some("Choose the target field records are matched on.".into());
    };
    if let Some(p) = key.problem(&sd, &td) {
        return Some(p);
    }
    let stops = ctx.mapping.with(|m| {
        m.concerns(&sd, &td)
            .into_iter()
            .filter(|c| c.severity == Severity::Stops)
            .count()
    });
    match stops {
        0 => {}
        1 => return Some("1 field pair cannot be used as it is: see Fields.".into()),
        n => {
            return Some(format!(
                "{n} field pairs cannot be used as they are: see Fields."
            ))
        }
    }
    if ctx.mapping.with(|m| m.pairs.is_empty()) {
        return Some("Map at least one field.".into());
    }
    None
}
