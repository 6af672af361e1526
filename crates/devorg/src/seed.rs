//! Deterministic, realistic accounts to seed the org with: the same `N` gives the same names, cities,
//! phones and external ids (`EXT-000001` …) every run, so tests and demos can rely on them.
//! A few rows carry awkward text (an apostrophe, a percent sign, a backslash) for search tests.
//! Owners are spread over the active users (the awkward rows are the admin's); the admin creates all.
//! In an org with record types, accounts are spread over the active ones (the awkward rows have
//! the default).
//! An org file's declared fields get generic values of their kind (each field from its own
//! generator, so adding a field changes no other); unique and external id fields stay empty, as
//! a target org's sync key is before the first sync.

use serde_json::Value;

use crate::schema::{
    self, Field, FieldType, INDUSTRY_VALUES, RATING_VALUES, SOURCE_VALUES, TIER_VALUES, TYPE_VALUES,
};
use crate::store::Store;

const FIRST: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Cyberdyne",
    "Soylent",
    "Tyrell",
    "Wonka",
    "Vandelay",
    "Hooli",
    "Pied Piper",
    "Massive",
    "Aperture",
    "Black Mesa",
    "Oceanic",
    "Nakatomi",
    "Gringotts",
    "Sterling",
    "Blue Ridge",
    "Silver Lake",
    "Redwood",
    "Granite",
    "Summit",
    "Harbor",
    "Northstar",
    "Evergreen",
    "Pinnacle",
    "Keystone",
    "Lakeside",
    "Riverbend",
    "Ironwood",
    "Cedar",
    "Atlas",
    "Beacon",
];
const MIDDLE: &[&str] = &[
    "Northwind",
    "Pacific",
    "Atlantic",
    "Continental",
    "United",
    "Global",
    "Metro",
    "Coastal",
    "Prairie",
    "Mountain",
    "Valley",
    "Capital",
    "Pioneer",
    "Frontier",
    "Heritage",
    "Liberty",
    "Union",
    "Central",
    "Western",
    "Eastern",
    "Southern",
    "Northern",
    "Premier",
    "Advanced",
];
const LAST: &[&str] = &[
    "Logistics",
    "Industries",
    "Holdings",
    "Systems",
    "Solutions",
    "Partners",
    "Labs",
    "Manufacturing",
    "Foods",
    "Energy",
    "Health",
    "Media",
    "Consulting",
    "Financial",
    "Robotics",
    "Outfitters",
    "Supply",
    "Analytics",
    "Networks",
    "Pharmaceuticals",
    "Airlines",
    "Motors",
    "Textiles",
    "Ventures",
];
/// (city, state, postal code prefix, area code)
const CITIES: &[(&str, &str, &str, &str)] = &[
    ("San Francisco", "CA", "941", "415"),
    ("Los Angeles", "CA", "900", "213"),
    ("Seattle", "WA", "981", "206"),
    ("Portland", "OR", "972", "503"),
    ("Austin", "TX", "787", "512"),
    ("Dallas", "TX", "752", "214"),
    ("Chicago", "IL", "606", "312"),
    ("New York", "NY", "100", "212"),
    ("Boston", "MA", "021", "617"),
    ("Atlanta", "GA", "303", "404"),
    ("Denver", "CO", "802", "303"),
    ("Phoenix", "AZ", "850", "602"),
    ("Miami", "FL", "331", "305"),
    ("Minneapolis", "MN", "554", "612"),
    ("Nashville", "TN", "372", "615"),
    ("Columbus", "OH", "432", "614"),
    ("Raleigh", "NC", "276", "919"),
    ("Salt Lake City", "UT", "841", "801"),
];
const STREETS: &[&str] = &[
    "Main St",
    "Market St",
    "Oak Ave",
    "Pine St",
    "Maple Dr",
    "Cedar Ln",
    "Elm St",
    "Washington Blvd",
    "Lake Shore Dr",
    "Mission St",
    "Broadway",
    "Park Ave",
    "Sunset Blvd",
    "Commerce Way",
];

/// Rows with awkward text, placed at the start so small seeds contain them too.
const AWKWARD: &[&str] = &[
    "O'Reilly Media",
    "100% Organic Farms",
    "Back\\Slash Studios",
];

/// 2024-01-01T00:00:00Z: seeded CreatedDates count forward from here, one every 7 minutes.
const SEED_EPOCH_MS: i64 = 1_704_067_200_000;

/// 2026-01-01T00:00:00Z: no seeded record is stamped later. A real org holds no record changed
/// in the future, and a sync's watermark (the newest `SystemModstamp` read) past today would
/// hide every change made since; so a seed too large to fit from 2024 starts earlier.
const SEED_END_MS: i64 = 1_767_225_600_000;

const SEED_STEP_MS: i64 = 7 * 60_000;

/// When seeded account `i` of `n` was created (and last changed).
fn seed_time(i: usize, n: usize) -> i64 {
    let start = SEED_EPOCH_MS.min(SEED_END_MS - n.saturating_sub(1) as i64 * SEED_STEP_MS);
    start + i as i64 * SEED_STEP_MS
}

/// A small deterministic generator (SplitMix64): same seed, same org.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Adds `n` accounts to `store`; `seed` picks which (0: the accounts devorg always had). The
/// built-in fields' values are the same whatever the org file, for the fields the org has.
pub fn seed_accounts(store: &mut Store, n: usize, seed: u64) {
    let account = schema::account_object();
    let idx = |name: &str| account.index_of(name).expect("seeded field exists");
    let f = Fields {
        name: idx("Name"),
        typ: idx("Type"),
        industry: idx("Industry"),
        street: idx("BillingStreet"),
        city: idx("BillingCity"),
        state: idx("BillingState"),
        postal: idx("BillingPostalCode"),
        country: idx("BillingCountry"),
        phone: idx("Phone"),
        website: idx("Website"),
        revenue: idx("AnnualRevenue"),
        employees: idx("NumberOfEmployees"),
        rating: idx("Rating"),
        source: idx("AccountSource"),
        number: idx("AccountNumber"),
        ext: idx(schema::EXTERNAL_ID),
        tier: idx("Tier__c"),
        active: idx("Active__c"),
        sla: idx("SLA_Expiration__c"),
        locations: idx("NumberofLocations__c"),
        description: idx("Description"),
    };
    let mut rng = Rng(0x0D15_EA5E ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    // Owners come from their own generator, so the accounts' fields are the same whatever the users.
    let mut owners = Rng(0x0000_5EED_0F0E ^ seed.wrapping_mul(0xC2B2_AE3D_27D4_EB4F));
    let active: Vec<usize> = (0..store.users.len())
        .filter(|&u| store.users[u].active)
        .collect();
    // Record types too come from their own generator, and only orgs that have them draw from it.
    let mut kinds = Rng(0x0012_7E9E ^ seed.wrapping_mul(0x1656_67B1_9E37_79F9));
    let org_account = &store.schema.account;
    let record_type = org_account.index_of("RecordTypeId").and_then(|idx| {
        let usable: Vec<Value> = org_account
            .record_types
            .iter()
            .filter(|t| t.active)
            .map(|t| Value::String(t.id.clone()))
            .collect();
        let default = Value::String(org_account.default_record_type()?.id.clone());
        Some((idx, usable, default))
    });
    // The built-in values, as indexes of the org's fields: those the org lacks or declares anew
    // are left out (declared fields get generic values below).
    let to_org: Vec<Option<usize>> = account
        .fields
        .iter()
        .map(|b| {
            org_account
                .index_of(&b.name)
                .filter(|&i| !org_account.fields[i].declared)
        })
        .collect();
    let mut declared: Vec<(usize, Rng)> = org_account
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.declared && !f.unique && !f.external_id)
        .map(|(i, f)| (i, Rng(seed ^ fnv(&f.name))))
        .collect();
    for i in 0..n {
        let mut values: Vec<(usize, Value)> = account_values(&f, &mut rng, i)
            .into_iter()
            .filter_map(|(b, v)| to_org[b].map(|o| (o, v)))
            .collect();
        for (idx, rng) in &mut declared {
            if let Some(v) = generic_value(&store.schema.account.fields[*idx], rng, i) {
                values.push((*idx, v));
            }
        }
        if let Some((idx, usable, default)) = &record_type {
            let kind = if i < AWKWARD.len() {
                default.clone()
            } else {
                usable[kinds.below(usable.len())].clone()
            };
            values.push((*idx, kind));
        }
        // The awkward rows stay with the admin, so the first rows of the list have a known owner.
        let owner = if i < AWKWARD.len() {
            0
        } else {
            active[owners.below(active.len())]
        };
        store.put_seed(seed_time(i, n), owner, values);
    }
}

/// FNV-1a of a field name: a stable seed per declared field.
fn fnv(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

const WORDS: &[&str] = &[
    "north", "harbor", "granite", "summit", "cedar", "delta", "orbit", "pioneer", "atlas",
    "beacon", "keystone", "vertex", "prairie", "lumen", "quartz", "meridian",
];

/// A value of `field`'s kind for row `i`, or none (a third of the rows leave it empty).
fn generic_value(field: &Field, rng: &mut Rng, i: usize) -> Option<Value> {
    if field.ftype != FieldType::Boolean && rng.below(3) == 0 {
        return None;
    }
    let text = |rng: &mut Rng, max: usize| {
        let mut out = String::new();
        let target = 3 + rng.below(max.clamp(4, 60) - 2);
        while out.len() < target {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(rng.pick(WORDS));
        }
        let cut: String = out.chars().take(max).collect();
        cut.trim_end().to_string()
    };
    let value = match field.ftype {
        FieldType::Picklist => {
            Value::String(field.picklist[rng.below(field.picklist.len())].clone())
        }
        FieldType::Boolean => Value::Bool(rng.below(3) == 0),
        FieldType::Date => Value::String(format!(
            "{}-{:02}-{:02}",
            2015 + rng.below(12),
            1 + rng.below(12),
            1 + rng.below(28)
        )),
        FieldType::Email => {
            Value::String(format!("contact{}@{}.example.com", i + 1, rng.pick(WORDS)))
        }
        FieldType::Phone => Value::String(format!(
            "(555) 01{}-{:04}",
            rng.below(10),
            rng.below(10_000)
        )),
        FieldType::Url => {
            Value::String(format!("https://{}.example.com/{}", rng.pick(WORDS), i + 1))
        }
        FieldType::Double => {
            let digits = (field.precision - field.scale).min(6) as i32;
            let scale = 10u64.pow(field.scale.min(6));
            let whole = rng.below(10usize.pow(digits as u32)) as f64;
            let fraction = rng.below(scale as usize) as f64;
            // One division, so the value is the nearest double to its decimal (57.3, not 57.29…).
            Value::from((whole * scale as f64 + fraction) / scale as f64)
        }
        FieldType::TextArea => {
            let words = text(rng, field.length.min(200) as usize);
            Value::String(format!("{} {words}.", capitalised(rng.pick(WORDS))))
        }
        _ => Value::String(capitalised(&text(rng, field.length as usize))),
    };
    // Generated text never exceeds the field (the TextArea sentence adds a word and a period).
    match value {
        Value::String(s) if s.chars().count() > field.length as usize && field.length > 0 => Some(
            Value::String(s.chars().take(field.length as usize).collect()),
        ),
        v => Some(v),
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

struct Fields {
    name: usize,
    typ: usize,
    industry: usize,
    street: usize,
    city: usize,
    state: usize,
    postal: usize,
    country: usize,
    phone: usize,
    website: usize,
    revenue: usize,
    employees: usize,
    rating: usize,
    source: usize,
    number: usize,
    ext: usize,
    tier: usize,
    active: usize,
    sla: usize,
    locations: usize,
    description: usize,
}

fn account_values(f: &Fields, rng: &mut Rng, i: usize) -> Vec<(usize, Value)> {
    let s = |v: String| Value::String(v);
    let name = match AWKWARD.get(i) {
        Some(name) => name.to_string(),
        None => format!(
            "{} {} {}",
            rng.pick(FIRST),
            rng.pick(MIDDLE),
            rng.pick(LAST)
        ),
    };
    let (city, state, zip, area) = CITIES[rng.below(CITIES.len())];
    let domain: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    let employees = 5 + rng.below(50_000) as i64;
    let revenue = (employees * (40_000 + rng.below(200_000) as i64) / 1000) * 1000;
    let mut out = vec![
        (f.name, s(name)),
        (f.typ, s(rng.pick(TYPE_VALUES).into())),
        (f.industry, s(rng.pick(INDUSTRY_VALUES).into())),
        (
            f.street,
            s(format!("{} {}", 100 + rng.below(9800), rng.pick(STREETS))),
        ),
        (f.city, s(city.into())),
        (f.state, s(state.into())),
        (f.postal, s(format!("{zip}{:02}", rng.below(100)))),
        (f.country, s("USA".into())),
        (f.phone, s(format!("({area}) 555-{:04}", rng.below(10_000)))),
        (f.website, s(format!("https://www.{domain}.example.com"))),
        (f.revenue, Value::from(revenue as f64)),
        (f.employees, Value::from(employees)),
        (f.rating, s(rng.pick(RATING_VALUES).into())),
        (f.source, s(rng.pick(SOURCE_VALUES).into())),
        (f.number, s(format!("CD{:06}", i + 1))),
        (f.ext, s(format!("EXT-{:06}", i + 1))),
        (f.tier, s(rng.pick(TIER_VALUES).into())),
        (
            f.active,
            s(if rng.below(5) == 0 { "No" } else { "Yes" }.into()),
        ),
        (f.locations, Value::from((1 + rng.below(40)) as f64)),
    ];
    if rng.below(3) == 0 {
        let day = 1 + rng.below(28);
        let month = 1 + rng.below(12);
        out.push((f.sla, s(format!("2027-{month:02}-{day:02}"))));
    }
    if rng.below(4) == 0 {
        out.push((
            f.description,
            s(format!(
                "Key account in {city}; renewal discussions ongoing."
            )),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::IdGen;
    use crate::state::Org;

    fn org() -> Org {
        Org {
            org_id: "00Dabc000000001AAA".into(),
            users: crate::users::build_users("admin@x.local", "pw", &[], &mut IdGen::new("abc"))
                .unwrap()
                .into(),
        }
    }

    fn names(n: usize) -> Vec<String> {
        names_seeded(n, 0)
    }

    fn names_seeded(n: usize, seed: u64) -> Vec<String> {
        let schema = std::sync::Arc::new(crate::schema::Schema::builtin());
        let mut store = Store::new(&org(), schema, IdGen::new("abc"));
        seed_accounts(&mut store, n, seed);
        let name = schema::account_object().field("Name").unwrap();
        store
            .accounts()
            .map(|r| store.account_value(r, name).as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn no_seeded_account_is_stamped_after_2025() {
        assert_eq!(
            seed_time(0, 100),
            SEED_EPOCH_MS,
            "small seeds as they always were"
        );
        assert_eq!(seed_time(1, 100), SEED_EPOCH_MS + SEED_STEP_MS);
        for n in [150_000, 1_000_000] {
            assert!(seed_time(n - 1, n) <= SEED_END_MS, "{n}");
            assert!(seed_time(0, n) <= SEED_EPOCH_MS, "{n}");
        }
    }

    #[test]
    fn seeding_is_deterministic_and_includes_awkward_names() {
        let a = names(50);
        assert_eq!(a, names(50));
        assert_eq!(a[0], "O'Reilly Media");
        assert!(a.iter().any(|n| n.contains('%')));
        assert!(a.iter().any(|n| n.contains('\\')));
        assert_eq!(a.len(), 50);
    }

    #[test]
    fn another_seed_gives_another_org_with_the_same_awkward_names_first() {
        let (a, b) = (names(50), names_seeded(50, 2));
        assert_eq!(a[..3], b[..3], "the awkward names are in every org");
        assert_ne!(a, b);
        assert_eq!(b, names_seeded(50, 2));
    }
}
