//! Deterministic fake search results for the Find Companies / Find People sources (§12.3).
//!
//! Owns the word lists and the rules that turn a seed and a search's filters into company and
//! person records shaped like the mixrank source's (`name`, `domain`, `linkedin_url`, ...), each
//! consistent with the filters (an industry, location or size is always one of the requested
//! values when any were requested). The same seed and filters give the same records.
//! Must not know: HTTP, the store, or how records become rows (`routes/cpj.rs` does that).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::ids::SeededGenerator;

/// Clay's company size buckets (the comma form `create-cpj-table` expects).
const DEFAULT_SIZES: [&str; 7] = [
    "1-10",
    "11-50",
    "51-200",
    "201-500",
    "501-1,000",
    "1,001-5,000",
    "5,001-10,000",
];
const DEFAULT_INDUSTRIES: [&str; 8] = [
    "Software Development",
    "Financial Services",
    "Hospital & Health Care",
    "Retail",
    "Marketing & Advertising",
    "Logistics",
    "Education",
    "Manufacturing",
];
const DEFAULT_LOCATIONS: [&str; 8] = [
    "San Francisco, California, United States",
    "New York, New York, United States",
    "Austin, Texas, United States",
    "London, England, United Kingdom",
    "Berlin, Germany",
    "Toronto, Ontario, Canada",
    "Paris, France",
    "Sydney, Australia",
];
const NAME_STARTS: [&str; 16] = [
    "Bright", "North", "Blue", "Clear", "Swift", "Iron", "Silver", "Green", "Bold", "Prime",
    "Quiet", "Red", "Open", "True", "Deep", "High",
];
const NAME_ENDS: [&str; 16] = [
    "wave", "stack", "field", "path", "forge", "loop", "grid", "leaf", "stone", "bridge", "spark",
    "harbor", "line", "point", "craft", "peak",
];
const NAME_SUFFIXES: [&str; 6] = ["", " Labs", " Inc", " Systems", " Group", " Technologies"];
const TOP_LEVEL_DOMAINS: [&str; 4] = ["com", "io", "ai", "co"];
const FIRST_NAMES: [&str; 16] = [
    "Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Maya", "Lucas", "Nora", "Omar", "Priya",
    "Diego", "Hana", "Felix", "Ines", "Kofi",
];
const LAST_NAMES: [&str; 16] = [
    "Garcia", "Chen", "Okafor", "Schmidt", "Patel", "Nguyen", "Rossi", "Kim", "Silva", "Novak",
    "Dubois", "Haddad", "Larsen", "Tanaka", "Moreau", "Walsh",
];
const DEFAULT_TITLES: [&str; 8] = [
    "Head of Sales",
    "Marketing Manager",
    "Software Engineer",
    "VP of Operations",
    "Account Executive",
    "Chief Executive Officer",
    "Product Manager",
    "Head of Growth",
];
const DEFAULT_SENIORITIES: [&str; 5] = ["entry", "senior", "manager", "director", "vp"];

/// The company filters the fake search honours (Clay input names: `industries`, `locations`,
/// `sizes`, `description_keywords`). Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct CompanySearch {
    pub industries: Vec<String>,
    pub locations: Vec<String>,
    pub sizes: Vec<String>,
    pub description_keywords: Vec<String>,
}

/// The people filters the fake search honours (Clay input names: `job_title_keywords`,
/// `job_title_seniority_levels`, `locations`). Empty lists mean "any".
#[derive(Debug, Clone, Default)]
pub struct PeopleSearch {
    pub job_titles: Vec<String>,
    pub seniorities: Vec<String>,
    pub locations: Vec<String>,
}

/// A company people are generated for: from a company table row, or invented.
#[derive(Debug, Clone, PartialEq)]
pub struct CompanyIdentity {
    pub name: String,
    pub domain: String,
}

/// A seed for one search: the emulator's seed mixed with a canonical rendering of the search's
/// inputs, so key order in the request does not matter but every value does.
pub fn search_seed(emulator_seed: u64, search_type: &str, inputs: &Value) -> u64 {
    let mut text = String::from(search_type);
    text.push('\n');
    write_canonical(inputs, &mut text);
    // FNV-1a: tiny, stable across Rust versions (unlike `DefaultHasher`).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ emulator_seed.rotate_left(17)
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for key in keys {
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
                out.push(',');
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for item in items {
                write_canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn pick<'a>(random: &mut SeededGenerator, choices: &'a [&'a str]) -> &'a str {
    let index = usize::try_from(random.next_u64() % choices.len() as u64).unwrap_or(0);
    choices[index]
}

/// One of the requested values, or of the defaults when none were requested.
fn pick_requested(random: &mut SeededGenerator, requested: &[String], defaults: &[&str]) -> String {
    if requested.is_empty() {
        pick(random, defaults).to_string()
    } else {
        let index = usize::try_from(random.next_u64() % requested.len() as u64).unwrap_or(0);
        requested[index].clone()
    }
}

fn slug(text: &str) -> String {
    let lowered: String = text
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    lowered
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// `count` distinct companies matching `search`. Names, domains and `linkedin_company_id`s are
/// unique within the result.
pub fn fake_companies(seed: u64, search: &CompanySearch, count: usize) -> Vec<Value> {
    let mut random = SeededGenerator::new(seed);
    let mut used_names = HashSet::new();
    let mut used_ids = HashSet::new();
    let mut companies = Vec::with_capacity(count);
    for index in 0..count {
        let base_name = format!(
            "{}{}{}",
            pick(&mut random, &NAME_STARTS),
            pick(&mut random, &NAME_ENDS),
            pick(&mut random, &NAME_SUFFIXES)
        );
        // The word lists give ~1,500 names; beyond a collision, number the name.
        let name = if used_names.contains(&base_name) {
            format!("{base_name} {}", index + 1)
        } else {
            base_name
        };
        used_names.insert(name.clone());
        let name_slug = slug(&name);
        let domain = format!(
            "{}.{}",
            name_slug.replace('-', ""),
            pick(&mut random, &TOP_LEVEL_DOMAINS)
        );
        let mut linkedin_company_id = 1_000_000 + random.next_u64() % 90_000_000;
        while !used_ids.insert(linkedin_company_id) {
            linkedin_company_id += 1;
        }
        let industry = pick_requested(&mut random, &search.industries, &DEFAULT_INDUSTRIES);
        let location = pick_requested(&mut random, &search.locations, &DEFAULT_LOCATIONS);
        let size = pick_requested(&mut random, &search.sizes, &DEFAULT_SIZES);
        let description = match search.description_keywords.as_slice() {
            [] => format!("{name} builds {} products.", industry.to_lowercase()),
            keywords => format!(
                "{name} is known for {}.",
                pick_requested(&mut random, keywords, &[])
            ),
        };
        companies.push(json!({
            "name": name,
            "domain": domain,
            "website": format!("https://{domain}"),
            "linkedin_url": format!("https://www.linkedin.com/company/{name_slug}"),
            "linkedin_company_id": linkedin_company_id.to_string(),
            "industry": industry,
            "location": location,
            "size": size,
            "description": description,
        }));
    }
    companies
}

/// People for a search: `per_company` for each of `companies` (in order) until `limit` people
/// exist, or — without companies — `limit` people at invented companies.
pub fn fake_people(
    seed: u64,
    search: &PeopleSearch,
    companies: &[CompanyIdentity],
    per_company: usize,
    limit: usize,
) -> Vec<Value> {
    let mut random = SeededGenerator::new(seed);
    let invented;
    let (companies, per_company) = if companies.is_empty() {
        invented = fake_companies(
            seed.rotate_left(7),
            &CompanySearch::default(),
            limit.min(500),
        )
        .iter()
        .map(|company| CompanyIdentity {
            name: text_of(company, "name"),
            domain: text_of(company, "domain"),
        })
        .collect::<Vec<_>>();
        (invented.as_slice(), limit.div_ceil(invented.len().max(1)))
    } else {
        (companies, per_company.max(1))
    };
    let mut used_profile_ids = HashSet::new();
    let mut people = Vec::with_capacity(limit);
    'companies: for company in companies {
        for _ in 0..per_company {
            if people.len() >= limit {
                break 'companies;
            }
            people.push(fake_person(
                &mut random,
                search,
                company,
                &mut used_profile_ids,
            ));
        }
    }
    people
}

fn fake_person(
    random: &mut SeededGenerator,
    search: &PeopleSearch,
    company: &CompanyIdentity,
    used_profile_ids: &mut HashSet<u64>,
) -> Value {
    let first_name = pick(random, &FIRST_NAMES);
    let last_name = pick(random, &LAST_NAMES);
    let full_name = format!("{first_name} {last_name}");
    let title = pick_requested(random, &search.job_titles, &DEFAULT_TITLES);
    let seniority = pick_requested(random, &search.seniorities, &DEFAULT_SENIORITIES);
    let location = pick_requested(random, &search.locations, &DEFAULT_LOCATIONS);
    let mut profile_id = 10_000_000 + random.next_u64() % 900_000_000;
    while !used_profile_ids.insert(profile_id) {
        profile_id += 1;
    }
    let mut person = Map::new();
    person.insert("name".into(), json!(full_name));
    person.insert("full_name".into(), json!(full_name));
    person.insert("first_name".into(), json!(first_name));
    person.insert("last_name".into(), json!(last_name));
    person.insert("title".into(), json!(title));
    person.insert("seniority".into(), json!(seniority));
    person.insert("company_name".into(), json!(company.name));
    person.insert("company_domain".into(), json!(company.domain));
    person.insert(
        "linkedin_url".into(),
        json!(format!(
            "https://www.linkedin.com/in/{}-{}-{profile_id:x}",
            slug(first_name),
            slug(last_name)
        )),
    );
    person.insert("location".into(), json!(location));
    person.insert("profile_id".into(), json!(profile_id.to_string()));
    Value::Object(person)
}

fn text_of(record: &Value, key: &str) -> String {
    record
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn companies_are_deterministic_distinct_and_within_the_filters() {
        let search = CompanySearch {
            industries: vec!["SaaS".into()],
            locations: vec!["California".into(), "Oregon".into()],
            sizes: vec!["11-50".into()],
            description_keywords: vec![],
        };
        let first = fake_companies(42, &search, 300);
        assert_eq!(first, fake_companies(42, &search, 300));
        assert_ne!(first, fake_companies(43, &search, 300));
        let domains: HashSet<&str> = first.iter().filter_map(|c| c["domain"].as_str()).collect();
        assert_eq!(domains.len(), 300);
        for company in &first {
            assert_eq!(company["industry"], "SaaS");
            assert_eq!(company["size"], "11-50");
            assert!(["California", "Oregon"].contains(&company["location"].as_str().unwrap_or("")));
        }
    }

    #[test]
    fn people_fill_each_company_in_turn_up_to_the_limit() {
        let companies = vec![
            CompanyIdentity {
                name: "Acme".into(),
                domain: "acme.com".into(),
            },
            CompanyIdentity {
                name: "Globex".into(),
                domain: "globex.io".into(),
            },
        ];
        let search = PeopleSearch {
            job_titles: vec!["CTO".into()],
            ..PeopleSearch::default()
        };
        let people = fake_people(7, &search, &companies, 3, 5);
        let domains: Vec<&str> = people
            .iter()
            .filter_map(|p| p["company_domain"].as_str())
            .collect();
        assert_eq!(
            domains,
            ["acme.com", "acme.com", "acme.com", "globex.io", "globex.io"]
        );
        assert!(people.iter().all(|p| p["title"] == "CTO"));
        assert_eq!(fake_people(0, &search, &[], 3, 120).len(), 120);
    }

    #[test]
    fn the_search_seed_ignores_key_order_but_not_values() {
        let one = search_seed(1, "companies", &json!({"limit": 5, "sizes": ["11-50"]}));
        let same = search_seed(1, "companies", &json!({"sizes": ["11-50"], "limit": 5}));
        let other = search_seed(1, "companies", &json!({"sizes": ["11-50"], "limit": 6}));
        assert_eq!(one, same);
        assert_ne!(one, other);
        assert_ne!(
            one,
            search_seed(2, "companies", &json!({"limit": 5, "sizes": ["11-50"]}))
        );
    }
}
