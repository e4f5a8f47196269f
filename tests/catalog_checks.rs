//! `validate::catalog_checks::check`: CF301–CF307 on hand-built workbooks, asserting code, span
//! and help.

mod support;

use indexmap::IndexMap;

use clayform::catalog::Catalog;
use clayform::diagnostics::Diagnostic;
use clayform::model::{
    ClientBudgets, ColumnKind, InputValue, Name, OutputSchema, OutputType, UseCase,
};
use clayform::source::SourceMap;
use clayform::validate::catalog_checks::check;

use support::{Text, ai, client, column, enrichment, project, table, workbook};

/// (code, spanned text, help) of each diagnostic.
fn summary(map: &SourceMap, diagnostics: &[Diagnostic]) -> Vec<(String, String, Option<String>)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d.code().to_string(),
                map.get(d.span.file).slice(d.span).to_string(),
                d.help.clone(),
            )
        })
        .collect()
}

fn template_input(text: &mut Text, name: &str, value: &str) -> (Name, InputValue) {
    (text.name(name), InputValue::Template(text.template(value)))
}

#[test]
fn valid_enrichments_and_models_pass() {
    let mut t = Text::default();
    let inputs = vec![
        template_input(&mut t, "full_name", "{{Name}}"),
        template_input(&mut t, "company_domain", "{{Domain}}"),
    ];
    let email = column(t.name("Email"), enrichment(t.name("email_finder"), inputs));
    let mut research = ai(Some(t.name("clay-argon")), t.template("research {{Name}}"));
    research.use_case = Some(UseCase::WebResearch);
    let score = column(t.name("Score"), ColumnKind::Ai(research));
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("Companies"), None, vec![email, score])],
    );
    assert_eq!(check(&wb, &Catalog::builtin(), None), []);
}

#[test]
fn cf301_unknown_enrichment_suggests_the_closest_name() {
    let mut t = Text::default();
    let near = column(t.name("A"), enrichment(t.name("emial_finder"), vec![]));
    let far = column(t.name("B"), enrichment(t.name("zzzzqqq"), vec![]));
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![near, far])],
    );
    let diagnostics = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "CF301");
    assert_eq!(found[0].1, "emial_finder");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `email_finder`?"));
    assert_eq!(found[1].1, "zzzzqqq");
    assert!(found[1].2.as_deref().unwrap().contains("docs/catalog.md"));
}

#[test]
fn cf302_missing_required_input_points_at_the_enrichment() {
    let mut t = Text::default();
    let inputs = vec![template_input(&mut t, "full_name", "{{Name}}")];
    let email = column(t.name("Email"), enrichment(t.name("email_finder"), inputs));
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![email])],
    );
    let diagnostics = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("CF302", "email_finder")
    );
    assert_eq!(
        diagnostics[0].message(),
        "enrichment `email_finder` needs input `company_domain`"
    );
    assert!(
        found[0]
            .2
            .as_deref()
            .unwrap()
            .starts_with("add `company_domain: ")
    );
}

#[test]
fn cf303_unknown_input_points_at_the_key_with_did_you_mean() {
    let mut t = Text::default();
    let inputs = vec![
        template_input(&mut t, "full_nme", "{{Name}}"),
        template_input(&mut t, "company_domain", "{{Domain}}"),
        template_input(&mut t, "full_name", "{{Name}}"),
    ];
    let email = column(t.name("Email"), enrichment(t.name("email_finder"), inputs));
    let linkedin_inputs = vec![template_input(&mut t, "person_identifier", "{{LinkedIn}}")];
    let person = column(
        t.name("Person"),
        enrichment(t.name("linkedin_profile"), linkedin_inputs),
    );
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![email, person])],
    );
    let diagnostics = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    let codes: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(codes, ["CF303", "CF303", "CF302"], "{found:#?}");
    assert_eq!(found[0].1, "full_nme");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `full_name`?"));
    // Clay's own input name gets a pointer to the spec name.
    assert_eq!(found[1].1, "person_identifier");
    assert_eq!(
        found[1].2.as_deref(),
        Some("write `linkedin_url`: `person_identifier` is Clay's name for this input")
    );
    assert_eq!(found[2].1, "linkedin_profile");
}

#[test]
fn object_inputs_must_be_mappings() {
    let mut t = Text::default();
    let headers_as_text = (t.name("headers"), InputValue::Template(t.template("{}")));
    let inputs = vec![
        template_input(&mut t, "method", "GET"),
        template_input(&mut t, "url", "https://x"),
        headers_as_text,
    ];
    let api = column(t.name("Api"), enrichment(t.name("custom_api"), inputs));
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![api])],
    );
    let diagnostics = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("CF102", "headers")
    );
}

#[test]
fn cf304_unknown_model_on_the_column_or_the_client_default() {
    let mut t = Text::default();
    let own = column(
        t.name("A"),
        ColumnKind::Ai(ai(Some(t.name("gpt-4.1-mni")), t.template("p"))),
    );
    let first_default = column(t.name("B"), ColumnKind::Ai(ai(None, t.template("p"))));
    let second_default = column(t.name("C"), ColumnKind::Ai(ai(None, t.template("p"))));
    let client_name = t.name("acme");
    let acme = client(
        t.name("acme"),
        Some(t.name("gpt-9")),
        ClientBudgets::default(),
    );
    let wb = workbook(
        t.name("wb"),
        Some(client_name),
        vec![table(
            t.name("T"),
            None,
            vec![own, first_default, second_default],
        )],
    );
    let project = project(vec![acme]);
    let diagnostics = check(&wb, &Catalog::builtin(), Some(&project));
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    // The bad client default is reported once, not once per column.
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "CF304");
    assert_eq!(found[0].1, "gpt-4.1-mni");
    assert_eq!(found[0].2.as_deref(), Some("did you mean `gpt-4.1-mini`?"));
    assert_eq!(found[1].0, "CF304");
    assert_eq!(found[1].1, "gpt-9");
    let label = &diagnostics[1].labels[0];
    assert_eq!(map.get(label.span.file).slice(label.span), "B");
}

#[test]
fn cf305_clay_models_only_run_web_research() {
    let mut t = Text::default();
    let mut content = ai(Some(t.name("clay-argon")), t.template("write"));
    content.use_case = Some(UseCase::Content);
    let named = column(t.name("A"), ColumnKind::Ai(content));
    // No use case: the model decides, no error.
    let unnamed = column(
        t.name("B"),
        ColumnKind::Ai(ai(Some(t.name("clay-neon")), t.template("p"))),
    );
    let mut gpt = ai(Some(t.name("gpt-4.1-mini")), t.template("p"));
    gpt.use_case = Some(UseCase::Content);
    let fine = column(t.name("C"), ColumnKind::Ai(gpt));
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![named, unnamed, fine])],
    );
    let diagnostics = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("CF305", "clay-argon")
    );
    assert_eq!(
        diagnostics[0].message(),
        "model `clay-argon` cannot run the `content` use case"
    );
    assert!(
        found[0]
            .2
            .as_deref()
            .unwrap()
            .contains("use_case: web_research")
    );
}

fn schema_column(t: &mut Text, fields: Vec<(&str, OutputType)>) -> clayform::model::Column {
    let mut spec = ai(Some(t.name("gpt-4.1-mini")), t.template("p"));
    let mut map = IndexMap::new();
    for (name, ty) in fields {
        map.insert(t.name(name), ty);
    }
    spec.output = Some(OutputSchema {
        fields: map,
        span: t.span("output"),
    });
    column(t.name("Scored"), ColumnKind::Ai(spec))
}

#[test]
fn cf306_output_schema_problems_point_at_the_field() {
    let mut t = Text::default();
    let empty = schema_column(&mut t, vec![]);
    let bad = schema_column(
        &mut t,
        vec![
            ("score", OutputType::Number),
            ("reasoning", OutputType::String),
            ("tier", OutputType::Enum(vec![])),
            (
                "band",
                OutputType::Enum(vec!["a".into(), "b".into(), "a".into()]),
            ),
            ("steps_taken", OutputType::Integer),
            ("arr_band", OutputType::String),
            ("arrBand", OutputType::String),
            ("1st choice", OutputType::String),
            ("confidence", OutputType::Object),
            ("---", OutputType::String),
        ],
    );
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![empty, bad])],
    );
    let diagnostics = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &diagnostics);
    let spans: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(
        spans,
        [
            "output",
            "tier",
            "band",
            "steps_taken",
            "arrBand",
            "1st choice",
            "confidence",
            "---"
        ],
        "{found:#?}"
    );
    assert!(found.iter().all(|f| f.0 == "CF306" && f.2.is_some()));
    let messages: Vec<String> = diagnostics.iter().map(Diagnostic::message).collect();
    assert_eq!(
        messages[0],
        "invalid AI output schema: the schema has no fields"
    );
    assert!(messages[2].contains("lists `a` twice"));
    assert!(messages[3].contains("Clay's own output key `stepsTaken`"));
    assert!(messages[4].contains("`arr_band` and `arrBand` both become `arrBand`"));
    assert_eq!(
        map.get(diagnostics[4].labels[0].span.file)
            .slice(diagnostics[4].labels[0].span),
        "arr_band"
    );
    assert!(messages[5].contains("becomes `1stChoice`"));
}

#[test]
fn cf307_unknown_client_and_cf308_without_a_project() {
    let mut t = Text::default();
    let acme = client(t.name("acme"), None, ClientBudgets::default());
    let typo = t.name("acmee");
    let wb = workbook(
        t.name("wb"),
        Some(typo),
        vec![table(t.name("T"), None, vec![])],
    );
    let project = project(vec![acme]);
    let with_project = check(&wb, &Catalog::builtin(), Some(&project));
    let without_project = check(&wb, &Catalog::builtin(), None);
    let map = t.into_map();
    let found = summary(&map, &with_project);
    assert_eq!(
        found,
        [(
            "CF307".into(),
            "acmee".into(),
            Some("did you mean `acme`?".into())
        )]
    );
    let found = summary(&map, &without_project);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("CF308", "acmee")
    );
    assert!(
        found[0]
            .2
            .as_deref()
            .unwrap()
            .contains("create `clayform.yaml`")
    );
}

#[test]
fn overridden_entries_are_checked_like_builtin_ones() {
    let mut t = Text::default();
    let inputs = vec![template_input(&mut t, "domain", "{{Domain}}")];
    let col = column(t.name("Acme"), enrichment(t.name("acme"), inputs));
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(t.name("T"), None, vec![col])],
    );
    assert_eq!(check(&wb, &Catalog::builtin(), None).len(), 1);
    let overrides = clayform::model::CatalogOverrides {
        enrichments: [(
            "acme".to_string(),
            serde_json::json!({
                "display_name": "Acme", "action_key": null, "package_id": null,
                "verified": false, "category": "company_data", "auth": "none",
                "inputs": [{ "name": "domain" }],
                "cost": { "actions": 1, "data_credits": 0, "legacy_credits": 0, "source": "s" },
                "source": "in-house"
            }),
        )]
        .into_iter()
        .collect(),
        ..Default::default()
    };
    let (catalog, problems) = Catalog::builtin().with_overrides(&overrides);
    assert_eq!(problems, []);
    // Known now; with no Clay action behind it, only the CF309 warning remains.
    let found = check(&wb, &catalog, None);
    let codes: Vec<(&str, bool)> = found.iter().map(|d| (d.code(), d.is_error())).collect();
    assert_eq!(codes, [("CF309", false)]);
}
