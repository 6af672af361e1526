//! Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form
//! (the 3-character suffix encodes which of the first 15 characters are upper case).
//! Layout used here: key prefix (3) + org tag (3) + base-62 counter (9), so two orgs never share ids.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 3-character case-safe suffix of a 15-character id.
pub fn case_safe_suffix(id15: &str) -> String {
    id15.as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            SUFFIX[bits] as char
        })
        .collect()
}

/// Parses a 15- or 18-character id into its canonical 18-character form.
/// Returns `None` for anything else (wrong length, non-alphanumeric, or a suffix that does not match).
pub fn normalize(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        15 => Some(format!("{id}{}", case_safe_suffix(id))),
        // Salesforce accepts the suffix in any case; the first 15 characters carry the identity.
        18 if case_safe_suffix(&id[..15]).eq_ignore_ascii_case(&id[15..]) => {
            Some(format!("{}{}", &id[..15], case_safe_suffix(&id[..15])))
        }
        _ => None,
    }
}

/// Makes ids for one org: `prefix + org tag + counter`.
#[derive(Debug, Clone)]
pub struct IdGen {
    org_tag: String,
    next: u64,
}

impl IdGen {
    /// `org_tag` must be 3 base-62 characters unique to the org.
    pub fn new(org_tag: &str) -> Self {
        assert_eq!(org_tag.len(), 3, "org tag is 3 characters");
        IdGen {
            org_tag: org_tag.to_string(),
            next: 1,
        }
    }

    /// A new 18-character id with the given 3-character key prefix (`001` Account, `005` User, …).
    pub fn next_id(&mut self, prefix: &str) -> String {
        let n = self.next;
        self.next += 1;
        make_id(prefix, &self.org_tag, n)
    }
}

/// The 18-character id `prefix + org_tag + base62(n)` padded to 15, plus its suffix.
pub fn make_id(prefix: &str, org_tag: &str, mut n: u64) -> String {
    let mut digits = [b'0'; 9];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let id15 = format!(
        "{prefix}{org_tag}{}",
        std::str::from_utf8(&digits).expect("ascii")
    );
    let suffix = case_safe_suffix(&id15);
    id15 + &suffix
}

/// A random 3-character base-62 tag, so every devorg process is a different org.
pub fn random_org_tag() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..3)
        .map(|_| BASE62[rng.gen_range(0..62)] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_salesforce_suffix() {
        // Example from Salesforce's documentation of the 18-character id.
        assert_eq!(case_safe_suffix("001D000000IqhSL"), "IAZ");
        assert_eq!(
            normalize("001D000000IqhSL").as_deref(),
            Some("001D000000IqhSLIAZ")
        );
        assert_eq!(
            normalize("001D000000IqhSLiaz").as_deref(),
            Some("001D000000IqhSLIAZ")
        );
    }

    #[test]
    fn rejects_bad_ids() {
        assert_eq!(normalize("001D000000IqhSLXXX"), None);
        assert_eq!(normalize("001D00000"), None);
        assert_eq!(normalize("001D000000IqhS!"), None);
    }

    #[test]
    fn generated_ids_are_valid_and_distinct() {
        let mut ids = IdGen::new("a1B");
        let a = ids.next_id("001");
        let b = ids.next_id("001");
        assert_ne!(a, b);
        assert_eq!(a.len(), 18);
        assert!(a.starts_with("001a1B"));
        assert_eq!(normalize(&a[..15]).as_deref(), Some(a.as_str()));
    }
}
