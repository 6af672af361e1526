//! Which two signed-in orgs a copy may run between: never one org into itself, whichever of its
//! users each side is signed in as (two users of one org are two entries in the org bar).

/// One side of a copy: the org's id and the user signed in to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgUser<'a> {
    pub org_id: &'a str,
    pub username: &'a str,
}

/// Why `source` and `target` cannot be copied between, in words a person acts on; `None` when
/// they are two different orgs.
///
/// Org ids are compared on their first 15 characters, case-sensitively, as Salesforce ids are:
/// the 18-character form only adds a checksum of the case.
pub fn refusal(source: OrgUser<'_>, target: OrgUser<'_>) -> Option<String> {
    fn short(id: &str) -> &str {
        id.get(..15).unwrap_or(id)
    }
    if source.org_id.is_empty() || short(source.org_id) != short(target.org_id) {
        return None;
    }
    let who = if source.username == target.username {
        format!("signed in as the same user ({})", source.username)
    } else {
        format!(
            "signed in as two users ({} and {})",
            source.username, target.username
        )
    };
    Some(format!(
        "The source and the target are the same org ({}) {who}: copying would write its accounts into itself. Choose two different orgs.",
        source.org_id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(org_id: &'a str, username: &'a str) -> OrgUser<'a> {
        OrgUser { org_id, username }
    }

    #[test]
    fn two_users_of_one_org_are_refused_with_both_named() {
        let why = refusal(
            at("00D000000000001AAA", "ada@example.com"),
            at("00D000000000001AAA", "riley@example.com"),
        )
        .expect("refused");
        assert_eq!(
            why,
            "The source and the target are the same org (00D000000000001AAA) signed in as two users (ada@example.com and riley@example.com): copying would write its accounts into itself. Choose two different orgs."
        );
    }

    #[test]
    fn the_same_user_on_both_sides_is_refused() {
        let why = refusal(
            at("00D000000000001AAA", "ada@example.com"),
            at("00D000000000001AAA", "ada@example.com"),
        )
        .expect("refused");
        assert!(why.contains("the same user (ada@example.com)"), "{why}");
    }

    #[test]
    fn a_15_character_id_is_the_same_org_as_its_18_character_form() {
        assert!(refusal(
            at("00D000000000001", "ada@example.com"),
            at("00D000000000001AAA", "riley@example.com"),
        )
        .is_some());
    }

    #[test]
    fn two_orgs_are_allowed_even_with_one_username_and_ids_differing_only_in_case() {
        assert_eq!(
            refusal(
                at("00D000000000001AAA", "ada@example.com"),
                at("00D000000000002AAA", "ada@example.com"),
            ),
            None
        );
        // Salesforce ids are case-sensitive: 00D…a and 00D…A are two orgs.
        assert_eq!(
            refusal(
                at("00D00000000000aAAA", "ada@example.com"),
                at("00D00000000000AAAA", "ada@example.com"),
            ),
            None
        );
    }
}
