//! Normalised configs: the one form in which desired objects (from the spec) and live objects
//! (Clay fields translated back by the provider) are compared and recorded in state.
//!
//! Both sides go through the same functions here, so what differs is a real difference:
//! - enrichment aliases resolve to Clay action keys and spec input names to Clay input names
//!   (the catalog), so `email_finder` and `prospeo-find-work-email-v2` compare equal;
//! - an AI column without `model` gets its client's default (what Clay would run);
//! - formulas and run conditions are normalised the way Clay minifies them on save.
//!
//! References stay by *name* (`{{Domain}}`): ids belong to the provider and to state.
//! Must not know: Clay's JSON, HTTP, the state file format.

use serde_json::{Map, Value, json};

use crate::catalog::{Catalog, effective_model};
use crate::model::{
    Client, Column, ColumnKind, DataType, InputValue, OutputType, Source, SourceKind, Table,
    Template, Workbook,
};
use crate::provider::translate::formula::normalize_formula;

/// Config paths whose change Clay can't make in place (the field's `type` or `actionKey`).
pub fn column_replace_paths(column: &Column) -> Vec<String> {
    let mut paths = vec![
        "/kind".to_string(),
        "/action_key".to_string(),
        "/multiple".to_string(),
    ];
    if matches!(column.kind, ColumnKind::Input) {
        // A plain column's data type is its Clay field `type` (text, number, url, ...).
        paths.push("/data_type/type".to_string());
    }
    paths
}

pub fn workbook_config(workbook: &Workbook) -> Value {
    let mut config = Map::new();
    insert_opt(
        &mut config,
        "description",
        workbook.description.as_deref().map(Value::from),
    );
    Value::Object(config)
}

pub fn table_config(table: &Table) -> Value {
    let mut config = Map::new();
    config.insert("name".into(), table.name.as_str().into());
    config.insert("type".into(), table.table_type.as_str().into());
    config.insert("auto_run".into(), table.auto_run.into());
    insert_opt(
        &mut config,
        "description",
        table.description.as_deref().map(Value::from),
    );
    // Clay's default view order. Apply creates columns in dependency order, then moves the ones
    // out of place (`engine::order`).
    config.insert(
        "column_order".into(),
        table
            .columns
            .iter()
            .map(|c| Value::from(c.name.as_str()))
            .collect(),
    );
    Value::Object(config)
}

pub fn source_config(source: &Source) -> Value {
    match &source.kind {
        SourceKind::FindCompanies(find) => json!({
            "kind": "find_companies",
            "industries": find.industries,
            "locations": find.locations,
            "sizes": find.sizes,
            "keywords": find.keywords,
            "limit": find.limit,
            "filters": find.filters,
        }),
        SourceKind::FindPeople(find) => json!({
            "kind": "find_people",
            "company_table": find.company_table.as_ref().map(|t| t.as_str()),
            "job_titles": find.job_titles,
            "seniorities": find.seniorities,
            "locations": find.locations,
            "limit": find.limit,
            "filters": find.filters,
        }),
        SourceKind::Csv(csv) => json!({
            "kind": "csv",
            "path": csv.path.as_str(),
            "key": csv.key.as_ref().map(|k| k.as_str()),
        }),
        SourceKind::Webhook(webhook) => {
            json!({ "kind": "webhook", "auth_token": webhook.auth_token })
        }
        // Inline rows are data, not schema: they are added, never diffed away.
        SourceKind::Rows(_) => json!({ "kind": "rows" }),
    }
}

/// The normalised config of a column. `client` supplies the default AI model.
pub fn column_config(column: &Column, catalog: &Catalog, client: Option<&Client>) -> Value {
    let mut config = Map::new();
    let kind = match column.kind {
        // In a spec a plain column is written as `type:` alone; its kind is `input`.
        ColumnKind::Input => "input",
        ref other => other.keyword(),
    };
    // The name is compared too: a column renamed in Clay's UI is drift, and `renamed_from` is an
    // update of the name that keeps the Clay field.
    config.insert("name".into(), column.name.as_str().into());
    config.insert("kind".into(), kind.into());
    match &column.kind {
        ColumnKind::Input => {}
        ColumnKind::FromSource { path } => {
            config.insert("path".into(), path.as_str().into());
        }
        ColumnKind::Formula { formula } => {
            config.insert("formula".into(), normalize_formula(&formula.text).into());
        }
        ColumnKind::Enrichment(enrichment) => {
            let resolved = catalog.resolved_action(enrichment.action.as_str());
            let action_key = resolved
                .as_ref()
                .map_or(enrichment.action.as_str(), |r| r.action_key.as_str());
            config.insert("action_key".into(), action_key.into());
            let mut inputs = Map::new();
            for (name, value) in &enrichment.inputs {
                let clay_name = resolved
                    .as_ref()
                    .and_then(|r| r.parameters.iter().find(|p| p.spec_name == name.text))
                    .map_or(name.as_str(), |p| p.clay_name.as_str());
                inputs.insert(clay_name.to_string(), input_value(value));
            }
            config.insert("inputs".into(), sorted(inputs));
            insert_opt(
                &mut config,
                "auth_account",
                enrichment.auth_account.as_deref().map(Value::from),
            );
        }
        ColumnKind::Ai(ai) => {
            let model = effective_model(ai, client);
            let use_case = ai
                .use_case
                .or_else(|| catalog.model(model).map(|m| m.default_use_case()))
                .map(|u| u.keyword());
            config.insert("model".into(), model.into());
            insert_opt(&mut config, "use_case", use_case.map(Value::from));
            config.insert("prompt".into(), template_text(&ai.prompt));
            insert_opt(
                &mut config,
                "system_prompt",
                ai.system_prompt.as_ref().map(template_text),
            );
            if let Some(output) = &ai.output {
                let fields: Map<String, Value> = output
                    .fields
                    .iter()
                    .map(|(name, kind)| (name.text.clone(), output_type(kind)))
                    .collect();
                config.insert("output".into(), Value::Object(fields));
            }
            insert_opt(&mut config, "temperature", ai.temperature.map(Value::from));
            insert_opt(
                &mut config,
                "max_cost_cents",
                ai.max_cost_cents.map(Value::from),
            );
        }
        ColumnKind::Lookup(lookup) => {
            config.insert("table".into(), lookup.table.as_str().into());
            config.insert("match_column".into(), lookup.match_column.as_str().into());
            config.insert("value".into(), template_text(&lookup.value));
            config.insert("operator".into(), lookup.operator.clone().into());
            config.insert("multiple".into(), lookup.multiple.into());
            insert_opt(&mut config, "limit", lookup.limit.map(Value::from));
        }
        ColumnKind::SendTo(send_to) => {
            config.insert("table".into(), send_to.table.as_str().into());
            let fields: Map<String, Value> = send_to
                .fields
                .iter()
                .map(|(name, value)| (name.text.clone(), template_text(value)))
                .collect();
            config.insert("fields".into(), Value::Object(fields));
        }
        ColumnKind::Http(http) => {
            config.insert("method".into(), http.method.to_uppercase().into());
            config.insert("url".into(), template_text(&http.url));
            config.insert("headers".into(), template_map(http.headers.iter()));
            config.insert("query".into(), template_map(http.query.iter()));
            insert_opt(&mut config, "body", http.body.as_ref().map(template_text));
            if !http.field_paths.is_empty() {
                config.insert("field_paths".into(), http.field_paths.clone().into());
            }
        }
    }
    // A computed column's default result type (text for formulas, json for actions) is what
    // Clay reports when none was set, so writing it in the spec is no difference.
    let default_type = match column.kind {
        ColumnKind::Input => None,
        ColumnKind::FromSource { .. } | ColumnKind::Formula { .. } => Some(DataType::Text),
        _ => Some(DataType::Json),
    };
    let declared = column
        .data_type
        .as_ref()
        .filter(|t| Some(*t) != default_type.as_ref());
    insert_opt(&mut config, "data_type", declared.map(data_type));
    insert_opt(
        &mut config,
        "description",
        column.description.as_deref().map(Value::from),
    );
    insert_opt(
        &mut config,
        "run_if",
        column
            .run_if
            .as_ref()
            .map(|t| Value::from(normalize_formula(&t.text))),
    );
    if column.run_as_button {
        config.insert("run_as_button".into(), true.into());
    }
    Value::Object(config)
}

fn insert_opt(config: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        config.insert(key.to_string(), value);
    }
}

fn template_text(template: &Template) -> Value {
    Value::from(template.text.as_str())
}

fn template_map<'a>(entries: impl Iterator<Item = (&'a String, &'a Template)>) -> Value {
    sorted(
        entries
            .map(|(k, v)| (k.clone(), template_text(v)))
            .collect(),
    )
}

fn input_value(value: &InputValue) -> Value {
    match value {
        InputValue::Template(template) => template_text(template),
        InputValue::Map(map) => template_map(map.iter()),
    }
}

/// Maps whose order carries no meaning in Clay are sorted, so order never shows as a change.
fn sorted(map: Map<String, Value>) -> Value {
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Object(entries.into_iter().collect())
}

fn output_type(kind: &OutputType) -> Value {
    match kind {
        OutputType::Enum(values) => json!({ "enum": values }),
        other => other.keyword().into(),
    }
}

fn data_type(data_type: &DataType) -> Value {
    match data_type {
        DataType::Select { options } | DataType::MultiSelect { options } => {
            json!({ "type": data_type.keyword(), "options": options })
        }
        DataType::Currency { code } => json!({ "type": "currency", "code": code }),
        other => json!({ "type": other.keyword() }),
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;
    use crate::model::{Ai, Enrichment, Name, OutputSchema};
    use crate::source::Span;

    fn name(text: &str) -> Name {
        Name::new(text, Span::default())
    }

    fn template(text: &str) -> Template {
        Template {
            text: text.into(),
            span: Span::default(),
            refs: Vec::new(),
        }
    }

    fn column(kind: ColumnKind) -> Column {
        Column {
            name: name("C"),
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

    #[test]
    fn an_alias_and_its_action_key_compare_equal() {
        let catalog = Catalog::builtin();
        let resolved = catalog
            .resolved_action("email_finder")
            .expect("email_finder resolves");
        let enrichment = |action: &str, inputs: Vec<(String, String)>| {
            column(ColumnKind::Enrichment(Enrichment {
                action: name(action),
                inputs: inputs
                    .into_iter()
                    .map(|(k, v)| (name(&k), InputValue::Template(template(&v))))
                    .collect(),
                auth_account: None,
            }))
        };
        let required = resolved.parameters.iter().filter(|p| p.required);
        // The spec names inputs as the catalog does; Clay reads back its own input names.
        let spec = enrichment(
            "email_finder",
            required
                .clone()
                .map(|p| (p.spec_name.clone(), format!("{{{{{}}}}}", p.spec_name)))
                .collect(),
        );
        let live = enrichment(
            &resolved.action_key,
            required
                .map(|p| (p.clay_name.clone(), format!("{{{{{}}}}}", p.spec_name)))
                .collect(),
        );
        let config = column_config(&spec, &catalog, None);
        assert_eq!(config, column_config(&live, &catalog, None));
        assert_eq!(config["action_key"], resolved.action_key.as_str());
    }

    #[test]
    fn minified_formulas_compare_equal() {
        let catalog = Catalog::builtin();
        let sent = column(ColumnKind::Formula {
            formula: template("{{ICP Score}}?.score >= 7 + \"\""),
        });
        let stored = column(ColumnKind::Formula {
            formula: template("{{ICP Score}}?.score>=7"),
        });
        assert_eq!(
            column_config(&sent, &catalog, None),
            column_config(&stored, &catalog, None)
        );
    }

    #[test]
    fn ai_columns_without_a_model_use_the_clients_default() {
        let catalog = Catalog::builtin();
        let ai = |model: Option<&str>| {
            column(ColumnKind::Ai(Ai {
                model: model.map(name),
                prompt: template("Score {{Name}}"),
                system_prompt: None,
                use_case: None,
                output: Some(OutputSchema {
                    fields: IndexMap::from([(name("score"), OutputType::Number)]),
                    span: Span::default(),
                }),
                temperature: None,
                max_cost_cents: None,
            }))
        };
        let client = Client {
            name: name("acme"),
            workspace_id: 1,
            default_model: Some(name("clay-argon")),
            budgets: Default::default(),
            preferred_enrichments: IndexMap::new(),
        };
        let implicit = column_config(&ai(None), &catalog, Some(&client));
        assert_eq!(
            implicit,
            column_config(&ai(Some("clay-argon")), &catalog, None)
        );
        assert_eq!(
            implicit["use_case"], "web_research",
            "clay models run as web research"
        );
        assert_eq!(implicit["output"], json!({"score": "number"}));
    }

    #[test]
    fn a_computed_columns_default_type_is_no_difference_but_its_name_is() {
        let catalog = Catalog::builtin();
        let mut written = column(ColumnKind::Formula {
            formula: template("1"),
        });
        written.data_type = Some(DataType::Text);
        let read_back = column(ColumnKind::Formula {
            formula: template("1"),
        });
        assert_eq!(
            column_config(&written, &catalog, None),
            column_config(&read_back, &catalog, None)
        );
        let mut renamed = read_back.clone();
        renamed.name = name("Renamed");
        assert_ne!(
            column_config(&renamed, &catalog, None),
            column_config(&read_back, &catalog, None)
        );
        let plain = column(ColumnKind::Input);
        assert_eq!(column_config(&plain, &catalog, None)["kind"], "input");
    }

    #[test]
    fn plain_columns_replace_on_type_change_computed_ones_do_not() {
        let plain = column(ColumnKind::Input);
        assert!(column_replace_paths(&plain).contains(&"/data_type/type".to_string()));
        let formula = column(ColumnKind::Formula {
            formula: template("1"),
        });
        assert!(!column_replace_paths(&formula).contains(&"/data_type/type".to_string()));
    }
}
