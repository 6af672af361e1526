//! Where the app is, as the URL fragment says: `#/`, `#/setup`, `#/sync`, or one signed-in org's Accounts
//! screen (`#/org/<org id>/<user id>/accounts/<record id>/edit`…), so Back, Forward, a reload and
//! a link all land on the same screen. A route only picks among what is already there (a
//! signed-in org, a screen); nothing in it is trusted to do anything.

use salesforce::types::RecordId;
use serde::{Deserialize, Serialize};

/// Which Accounts screen an org shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Screen {
    List,
    /// One account, by id.
    View(RecordId),
    New,
    /// The edit form of one account, by id.
    Edit(RecordId),
    Upsert,
    Console,
    /// The list (or its selected rows) downloaded as CSV.
    Export,
    /// A CSV file imported, with a preview first.
    Import,
}

/// A place in the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Home,
    Setup,
    /// Copying accounts from one signed-in org to another.
    Sync,
    /// One signed-in org (`<org id>/<user id>`) and its screen.
    Org {
        key: String,
        screen: Screen,
    },
}

/// An org or user id in a route: letters and digits only (Salesforce ids are 15 or 18 of them).
fn is_id(text: &str) -> bool {
    (15..=18).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Route {
    /// Reads a route from `location.hash` (with or without `#`); anything else is [`Route::Home`].
    ///
    /// ```
    /// use orgbridge_model::route::{Route, Screen};
    /// let r = Route::parse("#/org/00D000000000001AAA/005000000000001AAA/accounts/001000000000001AAA/edit");
    /// assert_eq!(r, Route::Org { key: "00D000000000001AAA/005000000000001AAA".into(), screen: Screen::Edit("001000000000001AAA".parse().unwrap()) });
    /// assert_eq!(Route::parse(&r.href()), r);
    /// ```
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["setup"] => Route::Setup,
            ["sync"] => Route::Sync,
            ["org", org, user, rest @ ..] if is_id(org) && is_id(user) => {
                let record = |id: &str| RecordId::parse(id).ok();
                let screen = match rest {
                    [] | ["accounts"] => Some(Screen::List),
                    ["accounts", "new"] => Some(Screen::New),
                    ["accounts", "upsert"] => Some(Screen::Upsert),
                    ["accounts", "export"] => Some(Screen::Export),
                    ["accounts", "import"] => Some(Screen::Import),
                    ["apex"] => Some(Screen::Console),
                    ["accounts", id] => record(id).map(Screen::View),
                    ["accounts", id, "edit"] => record(id).map(Screen::Edit),
                    _ => None,
                };
                match screen {
                    Some(screen) => Route::Org {
                        key: format!("{org}/{user}"),
                        screen,
                    },
                    None => Route::Home,
                }
            }
            _ => Route::Home,
        }
    }

    /// The fragment of one account's screen in an org (`#/org/<key>/accounts/<id>`).
    pub fn account_href(key: &str, id: &RecordId) -> String {
        Route::Org {
            key: key.to_string(),
            screen: Screen::View(id.clone()),
        }
        .href()
    }

    /// The fragment that leads here (`#/…`).
    pub fn href(&self) -> String {
        match self {
            Route::Home => "#/".into(),
            Route::Setup => "#/setup".into(),
            Route::Sync => "#/sync".into(),
            Route::Org { key, screen } => {
                let tail = match screen {
                    Screen::List => "accounts".to_string(),
                    Screen::New => "accounts/new".into(),
                    Screen::Upsert => "accounts/upsert".into(),
                    Screen::Export => "accounts/export".into(),
                    Screen::Import => "accounts/import".into(),
                    Screen::Console => "apex".into(),
                    Screen::View(id) => format!("accounts/{id}"),
                    Screen::Edit(id) => format!("accounts/{id}/edit"),
                };
                format!("#/org/{key}/{tail}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "00D000000000001AAA/005000000000001AAA";

    #[test]
    fn every_screen_round_trips_through_its_fragment() {
        let id: RecordId = "001000000000001AAA".parse().unwrap();
        for screen in [
            Screen::List,
            Screen::New,
            Screen::Upsert,
            Screen::Console,
            Screen::Export,
            Screen::Import,
            Screen::View(id.clone()),
            Screen::Edit(id),
        ] {
            let route = Route::Org {
                key: KEY.into(),
                screen,
            };
            assert_eq!(Route::parse(&route.href()), route, "{}", route.href());
        }
        assert_eq!(Route::parse("#/setup"), Route::Setup);
        assert_eq!(Route::parse(&Route::Sync.href()), Route::Sync);
        assert_eq!(Route::parse(""), Route::Home);
    }

    #[test]
    fn anything_else_is_home() {
        for hash in [
            "#/org/00D000000000001AAA/005000000000001AAA/accounts/javascript:alert(1)",
            "#/org/evil/005000000000001AAA/accounts",
            "#/org/00D000000000001AAA/../accounts",
            "#/org/00D000000000001AAA/005000000000001AAA/accounts/001000000000001AAA/delete",
            "#account-001000000000001AAA",
            "#/setup/extra",
        ] {
            assert_eq!(Route::parse(hash), Route::Home, "{hash}");
        }
    }
}
