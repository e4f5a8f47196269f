//! The built-in catalog data and its lookups, and merging `clayform.yaml` overrides.

use std::collections::HashSet;

use clayform::catalog::{
    AuthRequirement, Catalog, Category, ENRICHMENTS_YAML, MODELS_YAML, PricingKind, is_uuid,
    parse_enrichments, parse_models,
};
use clayform::model::{CatalogOverrides, UseCase};
use clayform::source::{FileId, Span};
use serde_json::json;

#[test]
fn every_data_entry_parses_and_is_sound() {
    let enrichments = parse_enrichments("enrichments.yaml", ENRICHMENTS_YAML).unwrap();
    let models = parse_models("models.yaml", MODELS_YAML).unwrap();
    assert!(enrichments.len() >= 45, "{} enrichments", enrichments.len());
    assert!(models.len() >= 15, "{} models", models.len());
    for entry in enrichments.values() {
        assert_eq!(entry.problems(), Vec::<String>::new(), "{}", entry.key);
    }
    for entry in models.values() {
        assert_eq!(entry.problems(), Vec::<String>::new(), "{}", entry.name);
    }
}

#[test]
fn every_package_id_is_a_uuid_or_the_entry_is_unverified() {
    let catalog = Catalog::builtin();
    for entry in catalog.enrichments() {
        match &entry.package_id {
            Some(id) => assert!(is_uuid(id), "`{}` has package id `{id}`", entry.key),
            None => assert!(
                !entry.verified,
                "`{}` is verified without a package id",
                entry.key
            ),
        }
        if entry.verified {
            assert!(entry.action_key.is_some(), "{}", entry.key);
        }
    }
}

#[test]
fn keys_and_aliases_are_unique() {
    let catalog = Catalog::builtin();
    let names: Vec<&str> = catalog.enrichment_names().collect();
    let unique: HashSet<&str> = names.iter().copied().collect();
    assert_eq!(names.len(), unique.len());
    assert_eq!(
        catalog.enrichment("hunter_email_finder").unwrap().key,
        "find-email-v2"
    );
}

#[test]
fn the_nine_seed_types_exist() {
    let catalog = Catalog::builtin();
    for seed in [
        "apollo_person",
        "apollo_company",
        "clearbit_person",
        "clearbit_company",
        "email_finder",
        "linkedin_profile",
        "phone_finder",
        "company_search",
        "custom_api",
    ] {
        assert!(catalog.enrichment(seed).is_some(), "{seed}");
    }
    let email = catalog.enrichment("email_finder").unwrap();
    assert_eq!(
        email.action_key.as_deref(),
        Some("prospeo-find-work-email-v2")
    );
    assert_eq!(email.category, Category::WorkEmail);
    assert_eq!(email.auth, AuthRequirement::Required);
    assert_eq!(email.cost.actions, 1.0);
    assert_eq!(email.cost.legacy_credits, 2.0);
    // Seeds with no known Clay action say so instead of inventing one.
    for unverified in ["clearbit_person", "phone_finder"] {
        let entry = catalog.enrichment(unverified).unwrap();
        assert!(
            !entry.verified && entry.package_id.is_none(),
            "{unverified}"
        );
        assert!(catalog.resolved_action(unverified).is_none());
    }
}

#[test]
fn every_real_action_of_the_reference_is_listed_under_its_key() {
    let catalog = Catalog::builtin();
    for key in [
        "use-ai",
        "http-api-v2",
        "lookup-row-in-other-table",
        "route-row",
        "normalize-company-name",
        "scrape-website",
        "leadmagic-find-work-email",
        "findymail-find-work-email",
        "find-email-v2",
        "wiza-find-work-email",
        "validate-email",
        "icypeas-find-email-v2",
        "datagma-find-work-email-v3",
        "dropcontact-enrich-person",
        "apollo-oauth-enrich-person",
        "social-posts-get-post-activity-posts-and-shares",
    ] {
        let entry = catalog.enrichment(key).unwrap_or_else(|| panic!("{key}"));
        assert_eq!(entry.action_key.as_deref(), Some(key));
    }
}

#[test]
fn resolved_action_gives_the_full_ordered_parameter_list() {
    let catalog = Catalog::builtin();
    let linkedin = catalog.resolved_action("linkedin_profile").unwrap();
    assert_eq!(linkedin.action_key, "enrich-person-with-mixrank-v2");
    assert_eq!(linkedin.package_id, "e251a70e-46d7-4f3a-b3ef-a211ad3d8bd2");
    let clay_names: Vec<&str> = linkedin
        .parameters
        .iter()
        .map(|p| p.clay_name.as_str())
        .collect();
    assert_eq!(clay_names, ["person_identifier", "email"]);
    assert_eq!(
        linkedin.parameter("linkedin_url").unwrap().clay_name,
        "person_identifier"
    );

    let http = catalog.resolved_action("custom_api").unwrap();
    assert_eq!(http.parameters.len(), 15);
    assert!(http.parameter("headers").unwrap().object);
    assert!(!http.parameter("url").unwrap().object);
    assert_eq!(
        http.parameter("max_redirects").unwrap().clay_name,
        "followRedirectsOptions|maxRedirects"
    );
    assert!(catalog.resolved_action("no-such-action").is_none());
}

#[test]
fn models_serve_valid_use_cases_and_clay_models_only_web_research() {
    let catalog = Catalog::builtin();
    for model in catalog.models() {
        assert!(!model.use_cases.is_empty(), "{}", model.name);
        if model.name.starts_with("clay-") {
            assert_eq!(model.use_cases, [UseCase::WebResearch], "{}", model.name);
            assert_eq!(model.default_use_case(), UseCase::WebResearch);
        } else {
            assert!(model.supports(UseCase::Content), "{}", model.name);
        }
        assert_eq!(model.actions, 1.0, "{}", model.name);
    }
    for (name, credits) in [
        ("gpt-4.1-mini", 1.0),
        ("gpt-4.1-nano", 0.5),
        ("gpt-5-nano", 0.5),
        ("gpt-4.1", 9.7),
        ("o4-mini", 2.9),
    ] {
        assert_eq!(
            catalog.model(name).unwrap().pricing.data_credits,
            credits,
            "{name}"
        );
    }
    assert_eq!(
        catalog.model("o4-mini").unwrap().pricing.kind,
        PricingKind::Variable
    );
    for seed in [
        "clay-argon",
        "gpt-4o-mini",
        "gpt-4o",
        "gpt-4.1",
        "gpt-5-reasoning",
    ] {
        assert!(catalog.model(seed).is_some(), "{seed}");
    }
    // Clay answers "No model found" for it (clay-api.md §8.3).
    assert!(catalog.model("gemini-2.0-flash").is_none());
}

fn overrides_span() -> Span {
    Span::new(FileId(0), 10, 17)
}

fn overrides(enrichments: serde_json::Value, models: serde_json::Value) -> CatalogOverrides {
    let to_map = |value: serde_json::Value| match value {
        serde_json::Value::Object(map) => map.into_iter().collect(),
        _ => unreachable!("test overrides are objects"),
    };
    CatalogOverrides {
        enrichments: to_map(enrichments),
        models: to_map(models),
        span: Some(overrides_span()),
    }
}

#[test]
fn overrides_add_entries_and_patch_existing_ones() {
    let (catalog, diagnostics) = Catalog::builtin().with_overrides(&overrides(
        json!({
            "email_finder": { "cost": { "data_credits": 3.5 } },
            "acme_enricher": {
                "aliases": ["acme"],
                "display_name": "Acme",
                "action_key": null, "package_id": null, "verified": false,
                "category": "company_data", "auth": "none",
                "inputs": [{ "name": "domain" }],
                "cost": { "actions": 1, "data_credits": 0, "legacy_credits": 0, "source": "own" },
                "source": "in-house"
            }
        }),
        json!({ "gpt-4.1-mini": { "pricing": { "data_credits": 1.5 } } }),
    ));
    assert_eq!(diagnostics, []);
    let email = catalog.enrichment("email_finder").unwrap();
    assert_eq!(email.cost.data_credits, 3.5);
    // Untouched fields keep their built-in values.
    assert_eq!(email.cost.legacy_credits, 2.0);
    assert_eq!(email.inputs.len(), 2);
    assert_eq!(catalog.enrichment("acme").unwrap().key, "acme_enricher");
    assert_eq!(
        catalog.model("gpt-4.1-mini").unwrap().pricing.data_credits,
        1.5
    );
    assert_eq!(
        catalog.model("gpt-4.1-mini").unwrap().pricing.kind,
        PricingKind::Fixed
    );
}

#[test]
fn invalid_overrides_are_cf308_at_the_override_span() {
    let (catalog, diagnostics) = Catalog::builtin().with_overrides(&overrides(
        json!({
            "email_finder": { "cost": { "data_credits": -1 } },
            "half_entry": { "display_name": "missing everything else" },
            "bad_id": {
                "display_name": "x", "action_key": "x", "package_id": "4299091f-...",
                "verified": true, "category": "web", "auth": "none", "inputs": [],
                "cost": { "actions": 1, "data_credits": 0, "legacy_credits": 0, "source": "s" },
                "source": "s"
            },
            "clash": {
                "aliases": ["email_finder"],
                "display_name": "x", "action_key": null, "package_id": null,
                "verified": false, "category": "web", "auth": "none", "inputs": [],
                "cost": { "actions": 1, "data_credits": 0, "legacy_credits": 0, "source": "s" },
                "source": "s"
            }
        }),
        json!({ "clay-argon": { "use_cases": ["content", "web_research"] },
                "my-model": { "use_cases": ["chat"] } }),
    ));
    let messages: Vec<String> = diagnostics.iter().map(|d| d.message()).collect();
    assert_eq!(diagnostics.len(), 6, "{messages:#?}");
    for diagnostic in &diagnostics {
        assert_eq!(diagnostic.code(), "CF308");
        assert_eq!(diagnostic.span, overrides_span());
        assert!(diagnostic.help.is_some());
    }
    assert!(
        messages[0].contains("`enrichments.email_finder`"),
        "{}",
        messages[0]
    );
    assert!(messages[0].contains("cost.data_credits"), "{}", messages[0]);
    assert!(messages[1].contains("missing field"), "{}", messages[1]);
    assert!(messages[2].contains("not a UUID"), "{}", messages[2]);
    assert!(
        messages[3].contains("alias `email_finder`"),
        "{}",
        messages[3]
    );
    assert!(messages[4].contains("web_research"), "{}", messages[4]);
    assert!(
        messages[5].contains("unknown use case `chat`"),
        "{}",
        messages[5]
    );
    // Refused overrides leave the built-in entries as they were.
    assert_eq!(
        catalog
            .enrichment("email_finder")
            .unwrap()
            .cost
            .data_credits,
        2.0
    );
    assert!(catalog.enrichment("clash").is_none());
    assert!(catalog.model("my-model").is_none());
}
