//! Model ⇄ Clay field JSON: every column kind goes to Clay and comes back unchanged, and the
//! bodies carry what Clay needs (formulaType, full bindings, double-encoded schemas, ids).

use indexmap::IndexMap;
use serde_json::{Value, json};

use clayform::model::{
    Ai, Column, ColumnKind, DataType, Enrichment, Http, InputValue, Lookup, Name, OutputSchema,
    OutputType, SendTo, Template, UseCase,
};
use clayform::provider::translate::{
    ActionParameter, LiveColumn, NameMap, ResolvedAction, TranslateError, column_to_field,
    cpj_basic_field, field_to_column, template_from_text,
};
use clayform::provider::wire::field::ClayField;
use clayform::source::Span;

fn n(text: &str) -> Name {
    Name::new(text, Span::default())
}

fn t(text: &str) -> Template {
    template_from_text(text)
}

fn column(name: &str, kind: ColumnKind) -> Column {
    Column {
        name: n(name),
        kind,
        data_type: None,
        description: None,
        run_if: None,
        run_as_button: false,
        renamed_from: Vec::new(),
        protect: false,
        span: Span::default(),
    }
}

fn names() -> NameMap {
    let mut map = NameMap::default();
    for (name, id) in [
        ("Name", "f_name"),
        ("Domain", "f_domain"),
        ("ICP Score", "f_score"),
        ("Contact Email", "f_email"),
    ] {
        map.fields.insert(name.into(), id.into());
    }
    map.tables.insert("Companies".into(), "t_companies".into());
    map.tables.insert("People".into(), "t_people".into());
    map.table_fields.insert(
        "Companies".into(),
        IndexMap::from([("Domain".to_owned(), "f_c_domain".to_owned())]),
    );
    map.source_field_id = Some("f_source".into());
    map
}

fn email_action() -> ResolvedAction {
    let parameter = |name: &str, optional: bool| ActionParameter {
        clay_name: name.into(),
        spec_name: name.into(),
        optional,
        object_typed: false,
    };
    ResolvedAction {
        action_key: "leadmagic-find-work-email".into(),
        package_id: "edb58209-a62d-42be-992a-e41b87eeacc2".into(),
        parameters: vec![
            parameter("name", false),
            parameter("domain", false),
            parameter("extra", true),
        ],
    }
}

/// Sends the column to Clay (as the create body) and reads the stored field back.
fn round_trip(column: &Column, action: Option<&ResolvedAction>) -> (Value, LiveColumn) {
    let map = names();
    let request = column_to_field(column, &map, action).expect("to Clay");
    let body = serde_json::to_value(&request).expect("json");
    let mut stored = body.clone();
    stored["id"] = json!("f_new");
    let field: ClayField = serde_json::from_value(stored).expect("field");
    let live = field_to_column(&field, &map, action).expect("from Clay");
    (body, live)
}

fn assert_same(column: &Column, live: &LiveColumn) {
    assert_eq!(live.name, column.name.text);
    assert_eq!(live.kind, column.kind);
    assert_eq!(live.data_type, column.data_type);
    assert_eq!(live.description, column.description);
    assert_eq!(live.run_if, column.run_if);
    assert_eq!(live.run_as_button, column.run_as_button);
}

#[test]
fn plain_columns_round_trip_with_data_type_settings() {
    for data_type in [
        DataType::Text,
        DataType::Url,
        DataType::Number,
        DataType::Select {
            options: vec!["Hot".into(), "Cold".into()],
        },
        DataType::Currency { code: "EUR".into() },
    ] {
        let mut plain = column("Notes", ColumnKind::Input);
        plain.data_type = Some(data_type);
        plain.description = Some("free text".into());
        let (body, live) = round_trip(&plain, None);
        assert!(
            body["typeSettings"]["dataTypeSettings"]["type"].is_string(),
            "{body}"
        );
        assert_same(&plain, &live);
    }
}

#[test]
fn formula_columns_always_carry_formula_type() {
    let mut qualified = column(
        "Qualified",
        ColumnKind::Formula {
            formula: t("{{ICP Score}}?.score >= 7"),
        },
    );
    qualified.data_type = Some(DataType::Boolean);
    let (body, live) = round_trip(&qualified, None);
    assert_eq!(body["type"], "formula");
    assert_eq!(
        body["typeSettings"]["formulaText"],
        "{{f_score}}?.score >= 7"
    );
    assert_eq!(body["typeSettings"]["formulaType"], "text");
    assert_same(&qualified, &live);

    let mut link = column(
        "Link",
        ColumnKind::Formula {
            formula: t("\"https://\" + {{Domain}}"),
        },
    );
    link.data_type = Some(DataType::Url);
    let (body, live) = round_trip(&link, None);
    assert_eq!(body["typeSettings"]["formulaType"], "text");
    assert_eq!(body["typeSettings"]["dataTypeSettings"]["type"], "url");
    assert_same(&link, &live);
}

#[test]
fn from_source_columns_read_the_source_column() {
    let simple = column("Company", ColumnKind::FromSource { path: n("name") });
    let (body, live) = round_trip(&simple, None);
    assert_eq!(body["typeSettings"]["formulaText"], "{{f_source}}?.name");
    assert_same(&simple, &live);

    let mut nested = column(
        "City",
        ColumnKind::FromSource {
            path: n("location.0.city"),
        },
    );
    nested.data_type = Some(DataType::Url);
    let (body, live) = round_trip(&nested, None);
    assert_eq!(
        body["typeSettings"]["formulaText"],
        "{{f_source}}?.location?.[0]?.city"
    );
    assert_eq!(
        body["typeSettings"]["mappedResultPath"],
        json!(["location", "0", "city"])
    );
    assert_same(&nested, &live);

    assert_eq!(
        cpj_basic_field(&simple),
        Some(json!({"name": "Company", "dataType": "text", "formulaText": "{{source}}.name"}))
    );
}

#[test]
fn enrichments_bind_the_full_parameter_list() {
    let mut email = column(
        "Contact Email",
        ColumnKind::Enrichment(Enrichment {
            action: n("leadmagic-find-work-email"),
            inputs: IndexMap::from([
                (n("name"), InputValue::Template(t("{{Name}}"))),
                (n("domain"), InputValue::Template(t("{{Domain}}"))),
            ]),
            auth_account: Some("aa_123".into()),
        }),
    );
    email.run_if = Some(t("!!{{Domain}}"));
    email.run_as_button = true;
    let action = email_action();
    let (body, live) = round_trip(&email, Some(&action));
    let settings = &body["typeSettings"];
    assert_eq!(settings["actionKey"], "leadmagic-find-work-email");
    assert_eq!(
        settings["actionPackageId"],
        "edb58209-a62d-42be-992a-e41b87eeacc2"
    );
    assert_eq!(settings["authAccountId"], "aa_123");
    assert_eq!(settings["conditionalRunFormulaText"], "!!{{f_domain}}");
    assert_eq!(settings["runAsButton"], true);
    assert_eq!(
        settings["inputsBinding"],
        json!([{"name": "name", "formulaText": "{{f_name}}"},
               {"name": "domain", "formulaText": "{{f_domain}}"},
               {"name": "extra"}])
    );
    assert_same(&email, &live);
}

#[test]
fn literal_inputs_are_quoted_and_value_is_never_bound() {
    let mut action = email_action();
    action.parameters.push(ActionParameter {
        clay_name: "value".into(),
        spec_name: "value".into(),
        optional: true,
        object_typed: false,
    });
    let literal = column(
        "Email",
        ColumnKind::Enrichment(Enrichment {
            action: n("leadmagic-find-work-email"),
            inputs: IndexMap::from([
                (n("name"), InputValue::Template(t("Ada Lovelace"))),
                (
                    n("domain"),
                    InputValue::Template(t("https://{{Domain}}/about")),
                ),
                (n("extra"), InputValue::Template(t("60"))),
            ]),
            auth_account: None,
        }),
    );
    let (body, live) = round_trip(&literal, Some(&action));
    let bindings = body["typeSettings"]["inputsBinding"]
        .as_array()
        .expect("bindings");
    assert_eq!(bindings[0]["formulaText"], "\"Ada Lovelace\"");
    assert_eq!(
        bindings[1]["formulaText"],
        "\"https://\" + {{f_domain}} + \"/about\""
    );
    assert_eq!(bindings[2]["formulaText"], "60");
    assert!(bindings.iter().all(|binding| binding["name"] != "value"));
    assert_same(&literal, &live);
}

#[test]
fn ai_columns_double_encode_the_output_schema_and_keep_utf8() {
    let mut score = column(
        "ICP Score",
        ColumnKind::Ai(Ai {
            model: Some(n("clay-argon")),
            prompt: t("Score {{Name}} ({{Domain}}) — café fit from 1 to 10."),
            system_prompt: None,
            use_case: None,
            output: Some(OutputSchema {
                fields: IndexMap::from([
                    (n("score"), OutputType::Number),
                    (n("reasoning"), OutputType::String),
                    (n("tier"), OutputType::Enum(vec!["A".into(), "B".into()])),
                ]),
                span: Span::default(),
            }),
            temperature: Some(0.2),
            max_cost_cents: None,
        }),
    );
    score.run_if = Some(t("!!{{Contact Email}}"));
    let (body, live) = round_trip(&score, None);
    let settings = &body["typeSettings"];
    assert_eq!(settings["actionKey"], "use-ai");
    let bindings = settings["inputsBinding"].as_array().expect("bindings");
    let binding = |name: &str| {
        bindings
            .iter()
            .find(|binding| binding["name"] == name)
            .cloned()
            .expect(name)
    };
    assert_eq!(binding("useCase")["formulaText"], "\"claygent\"");
    assert_eq!(binding("model")["formulaText"], "\"clay-argon\"");
    let prompt = binding("prompt")["formulaText"]
        .as_str()
        .expect("prompt")
        .to_owned();
    assert!(prompt.contains("{{f_name}}") && prompt.contains("café") && !prompt.contains("\\u"));
    let schema = &binding("answerSchemaType")["formulaMap"];
    assert_eq!(schema["type"], "\"json\"");
    assert_eq!(schema["jsonType"], "\"JSONSchema\"");
    let once: String =
        serde_json::from_str(schema["jsonSchema"].as_str().expect("str")).expect("literal");
    let decoded: Value = serde_json::from_str(&once).expect("schema");
    assert_eq!(decoded["properties"]["score"]["type"], "number");
    assert_eq!(decoded["properties"]["tier"]["enum"], json!(["A", "B"]));
    assert_eq!(binding("maxTokens"), json!({"name": "maxTokens"}));
    assert!(serde_json::to_string(&body).expect("json").contains("café"));
    assert_same(&score, &live);

    let content = column(
        "Summary",
        ColumnKind::Ai(Ai {
            model: Some(n("gpt-4.1-mini")),
            prompt: t("Summarise {{Name}}"),
            system_prompt: Some(t("You are terse.")),
            use_case: Some(UseCase::WebResearch),
            output: None,
            temperature: None,
            max_cost_cents: Some(5.0),
        }),
    );
    let (_, live) = round_trip(&content, None);
    assert_same(&content, &live);
}

#[test]
fn lookups_send_to_and_http_round_trip() {
    let lookup = column(
        "Company Row",
        ColumnKind::Lookup(Lookup {
            table: n("Companies"),
            match_column: n("Domain"),
            value: t("{{Domain}}"),
            operator: "EQUAL".into(),
            multiple: false,
            limit: Some(1),
        }),
    );
    let (body, live) = round_trip(&lookup, None);
    assert_eq!(
        body["typeSettings"]["actionKey"],
        "lookup-row-in-other-table"
    );
    assert_eq!(
        body["typeSettings"]["inputsBinding"][0]["formulaText"],
        "\"t_companies\""
    );
    assert_eq!(
        body["typeSettings"]["inputsBinding"][1]["formulaText"],
        "\"f_c_domain\""
    );
    assert_same(&lookup, &live);

    let send = column(
        "To People",
        ColumnKind::SendTo(SendTo {
            table: n("People"),
            fields: IndexMap::from([
                (n("Company"), t("{{Name}}")),
                (n("Note"), t("Hello {{Name}}")),
            ]),
        }),
    );
    let (body, live) = round_trip(&send, None);
    assert_eq!(body["typeSettings"]["actionKey"], "route-row");
    assert_eq!(
        body["typeSettings"]["inputsBinding"][0]["formulaText"],
        "\"t_people\""
    );
    assert_eq!(
        body["typeSettings"]["inputsBinding"][1]["formulaMap"]["Company"],
        "{{f_name}}"
    );
    assert_same(&send, &live);

    let http = column(
        "Call",
        ColumnKind::Http(Http {
            method: "POST".into(),
            url: t("https://api.example.com/{{Domain}}"),
            headers: IndexMap::from([("Authorization".to_owned(), t("Token abc"))]),
            query: IndexMap::from([("q".to_owned(), t("{{Name}}"))]),
            body: Some(t("{\"domain\": \"{{Domain}}\"}")),
            field_paths: vec!["data.id".into()],
        }),
    );
    let (body, live) = round_trip(&http, None);
    let bindings = &body["typeSettings"]["inputsBinding"];
    assert_eq!(
        bindings[0],
        json!({"name": "method", "formulaText": "\"POST\""})
    );
    assert_eq!(bindings[4]["formulaMap"]["Authorization"], "\"Token abc\"");
    assert_same(&http, &live);
}

#[test]
fn unresolvable_references_are_errors_not_panics() {
    let broken = column(
        "Broken",
        ColumnKind::Formula {
            formula: t("{{Missing}} + 1"),
        },
    );
    assert_eq!(
        column_to_field(&broken, &names(), None).err(),
        Some(TranslateError::UnresolvedColumn {
            column: "Broken".into(),
            name: "Missing".into()
        })
    );
    let resolver = |name: &str| (name == "Name").then(|| "f_name".to_owned());
    let ok = column(
        "Upper",
        ColumnKind::Formula {
            formula: t("UPPER({{Name}})"),
        },
    );
    assert!(column_to_field(&ok, &resolver, None).is_ok());
    let enrichment = column(
        "E",
        ColumnKind::Enrichment(Enrichment {
            action: n("x"),
            inputs: IndexMap::new(),
            auth_account: None,
        }),
    );
    assert!(matches!(
        column_to_field(&enrichment, &names(), None),
        Err(TranslateError::MissingResolvedAction { .. })
    ));
}
