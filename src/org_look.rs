//! How a person tells their orgs apart: a short label ("Sales", "Support") and a colour per org,
//! remembered in this browser by org id (not secrets), so two orgs on screen are never confused.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::storage::{self, Key};

/// The colours an org can be given, named as the colour picker shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgColour {
    Blue,
    Green,
    Orange,
    Purple,
    Red,
    Teal,
}

impl OrgColour {
    pub const ALL: [OrgColour; 6] = [
        OrgColour::Blue,
        OrgColour::Orange,
        OrgColour::Purple,
        OrgColour::Green,
        OrgColour::Teal,
        OrgColour::Red,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OrgColour::Blue => "Blue",
            OrgColour::Green => "Green",
            OrgColour::Orange => "Orange",
            OrgColour::Purple => "Purple",
            OrgColour::Red => "Red",
            OrgColour::Teal => "Teal",
        }
    }

    /// The CSS class that paints an org's marks in this colour (style/main.css).
    pub fn class(self) -> &'static str {
        match self {
            OrgColour::Blue => "ob-org-c-blue",
            OrgColour::Green => "ob-org-c-green",
            OrgColour::Orange => "ob-org-c-orange",
            OrgColour::Purple => "ob-org-c-purple",
            OrgColour::Red => "ob-org-c-red",
            OrgColour::Teal => "ob-org-c-teal",
        }
    }

    pub fn parse(name: &str) -> Option<OrgColour> {
        OrgColour::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One org's label and colour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLook {
    /// Empty until the person gives one.
    pub label: String,
    pub colour: OrgColour,
}

/// Labels longer than this are cut: they sit on buttons and headings.
pub const MAX_LABEL: usize = 30;

/// The look remembered for `org_id`, or, for an org never seen, no label and the `nth` colour
/// (the first org blue, the second orange…), so two orgs differ from the start.
pub fn load(org_id: &str, nth: usize) -> OrgLook {
    let all: BTreeMap<String, OrgLook> = storage::get_json(Key::OrgLooks).unwrap_or_default();
    all.get(org_id).cloned().unwrap_or(OrgLook {
        label: String::new(),
        colour: OrgColour::ALL[nth % OrgColour::ALL.len()],
    })
}

/// Remembers `look` for `org_id` (label trimmed and cut to [`MAX_LABEL`] characters).
pub fn save(org_id: &str, look: &OrgLook) {
    let mut all: BTreeMap<String, OrgLook> = storage::get_json(Key::OrgLooks).unwrap_or_default();
    let label: String = look.label.trim().chars().take(MAX_LABEL).collect();
    all.insert(
        org_id.to_owned(),
        OrgLook {
            label,
            colour: look.colour,
        },
    );
    storage::set_json(Key::OrgLooks, &all);
}
