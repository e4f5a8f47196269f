//! Spec text from a model: the inverse of lowering, for `clayform import` (and any tool that
//! writes specs). The output goes through the same compiler as hand-written specs before it is
//! used, so a mistake here shows up as diagnostics, never as a silently different workbook.
//!
//! Must not know: Clay, files on disk.

use serde_json::{Map, Value, json};

use crate::model::{
    Column, ColumnKind, DataType, InputValue, OutputType, SourceKind, Table, Template, Workbook,
};

/// The YAML text of `workbook`, after `header` (comment lines, each starting with `#`).
pub fn workbook_yaml(workbook: &Workbook, header: &str) -> String {
    let value = workbook_value(workbook);
    let body = serde_saphyr::to_string(&value).unwrap_or_default();
    format!("{header}{body}")
}

/// `workbook` in the shape of a spec file.
pub fn workbook_value(workbook: &Workbook) -> Value {
    let mut spec = Map::new();
    spec.insert("workbook".into(), workbook.name.as_str().into());
    if let Some(client) = &workbook.client {
        spec.insert("client".into(), client.as_str().into());
    }
    if let Some(description) = &workbook.description {
        spec.insert("description".into(), description.clone().into());
    }
    let mut budget = Map::new();
    insert_opt(
        &mut budget,
        "max_credits",
        workbook.budget.max_credits.map(Value::from),
    );
    insert_opt(
        &mut budget,
        "max_actions",
        workbook.budget.max_actions.map(Value::from),
    );
    if !budget.is_empty() {
        spec.insert("budget".into(), Value::Object(budget));
    }
    let tables: Map<String, Value> = workbook
        .tables
        .iter()
        .map(|t| (t.name.text.clone(), table_value(t)))
        .collect();
    spec.insert("tables".into(), Value::Object(tables));
    Value::Object(spec)
}

fn insert_opt(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_string(), value);
    }
}

fn table_value(table: &Table) -> Value {
    let mut spec = Map::new();
    spec.insert("type".into(), table.table_type.as_str().into());
    insert_opt(
        &mut spec,
        "description",
        table.description.clone().map(Value::from),
    );
    if table.auto_run {
        spec.insert("auto_run".into(), true.into());
    }
    if table.protect {
        spec.insert("protect".into(), true.into());
    }
    if let Some(source) = &table.source {
        spec.insert("source".into(), source_value(&source.kind));
    }
    let columns: Map<String, Value> = table
        .columns
        .iter()
        .map(|c| (c.name.text.clone(), column_value(c)))
        .collect();
    spec.insert("columns".into(), Value::Object(columns));
    Value::Object(spec)
}

fn strings(values: &[String]) -> Option<Value> {
    (!values.is_empty()).then(|| values.iter().cloned().collect())
}

fn source_value(kind: &SourceKind) -> Value {
    match kind {
        SourceKind::FindCompanies(find) => {
            let mut spec = Map::new();
            insert_opt(&mut spec, "industries", strings(&find.industries));
            insert_opt(&mut spec, "locations", strings(&find.locations));
            insert_opt(&mut spec, "sizes", strings(&find.sizes));
            insert_opt(&mut spec, "keywords", strings(&find.keywords));
            spec.insert("limit".into(), find.limit.into());
            spec.extend(find.filters.clone());
            json!({ "find_companies": spec })
        }
        SourceKind::FindPeople(find) => {
            let mut spec = Map::new();
            insert_opt(
                &mut spec,
                "company_table",
                find.company_table.as_ref().map(|t| Value::from(t.as_str())),
            );
            insert_opt(&mut spec, "job_titles", strings(&find.job_titles));
            insert_opt(&mut spec, "seniorities", strings(&find.seniorities));
            insert_opt(&mut spec, "locations", strings(&find.locations));
            spec.insert("limit".into(), find.limit.into());
            spec.extend(find.filters.clone());
            json!({ "find_people": spec })
        }
        SourceKind::Csv(csv) => {
            let mut spec = Map::new();
            spec.insert("path".into(), csv.path.as_str().into());
            insert_opt(
                &mut spec,
                "key",
                csv.key.as_ref().map(|k| Value::from(k.as_str())),
            );
            json!({ "csv": spec })
        }
        SourceKind::Webhook(webhook) => {
            let mut spec = Map::new();
            if webhook.auth_token {
                spec.insert("auth_token".into(), true.into());
            }
            json!({ "webhook": spec })
        }
        SourceKind::Rows(rows) => {
            let rows: Vec<Value> = rows
                .iter()
                .map(|row| {
                    Value::Object(
                        row.iter()
                            .map(|(k, v)| (k.text.clone(), v.clone()))
                            .collect(),
                    )
                })
                .collect();
            json!({ "rows": rows })
        }
    }
}

fn text(template: &Template) -> Value {
    Value::from(template.text.as_str())
}

fn column_value(column: &Column) -> Value {
    let mut spec = Map::new();
    if let Some(data_type) = &column.data_type {
        spec.insert("type".into(), data_type.keyword().into());
        match data_type {
            DataType::Select { options } | DataType::MultiSelect { options } => {
                spec.insert("options".into(), options.clone().into());
            }
            DataType::Currency { code } => {
                spec.insert("currency".into(), code.clone().into());
            }
            _ => {}
        }
    } else if matches!(column.kind, ColumnKind::Input) {
        spec.insert("type".into(), "text".into());
    }
    match &column.kind {
        ColumnKind::Input => {}
        ColumnKind::FromSource { path } => {
            spec.insert("from_source".into(), path.as_str().into());
        }
        ColumnKind::Formula { formula } => {
            spec.insert("formula".into(), text(formula));
        }
        ColumnKind::Enrichment(enrichment) => {
            spec.insert("enrichment".into(), enrichment.action.as_str().into());
            let inputs: Map<String, Value> = enrichment
                .inputs
                .iter()
                .map(|(name, value)| {
                    let value = match value {
                        InputValue::Template(t) => text(t),
                        InputValue::Map(map) => {
                            Value::Object(map.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                        }
                    };
                    (name.text.clone(), value)
                })
                .collect();
            if !inputs.is_empty() {
                spec.insert("inputs".into(), Value::Object(inputs));
            }
            insert_opt(
                &mut spec,
                "auth_account",
                enrichment.auth_account.clone().map(Value::from),
            );
        }
        ColumnKind::Ai(ai) => {
            let mut body = Map::new();
            insert_opt(
                &mut body,
                "model",
                ai.model.as_ref().map(|m| Value::from(m.as_str())),
            );
            body.insert("prompt".into(), text(&ai.prompt));
            insert_opt(
                &mut body,
                "system_prompt",
                ai.system_prompt.as_ref().map(text),
            );
            insert_opt(
                &mut body,
                "use_case",
                ai.use_case.map(|u| Value::from(u.keyword())),
            );
            if let Some(output) = &ai.output {
                let fields: Map<String, Value> = output
                    .fields
                    .iter()
                    .map(|(name, kind)| {
                        let kind = match kind {
                            OutputType::Enum(values) => values.clone().into(),
                            other => other.keyword().into(),
                        };
                        (name.text.clone(), kind)
                    })
                    .collect();
                body.insert("output".into(), Value::Object(fields));
            }
            insert_opt(&mut body, "temperature", ai.temperature.map(Value::from));
            insert_opt(
                &mut body,
                "max_cost_cents",
                ai.max_cost_cents.map(Value::from),
            );
            spec.insert("ai".into(), Value::Object(body));
        }
        ColumnKind::Lookup(lookup) => {
            let mut body = Map::new();
            body.insert("table".into(), lookup.table.as_str().into());
            body.insert(
                "match".into(),
                json!({
                    "column": lookup.match_column.as_str(),
                    "value": lookup.value.text,
                    "operator": lookup.operator,
                }),
            );
            if lookup.multiple {
                body.insert("multiple".into(), true.into());
            }
            insert_opt(&mut body, "limit", lookup.limit.map(Value::from));
            spec.insert("lookup".into(), Value::Object(body));
        }
        ColumnKind::SendTo(send_to) => {
            let fields: Map<String, Value> = send_to
                .fields
                .iter()
                .map(|(name, value)| (name.text.clone(), text(value)))
                .collect();
            spec.insert(
                "send_to".into(),
                json!({ "table": send_to.table.as_str(), "fields": fields }),
            );
        }
        ColumnKind::Http(http) => {
            let mut body = Map::new();
            body.insert("method".into(), http.method.to_uppercase().into());
            body.insert("url".into(), text(&http.url));
            let headers: Map<String, Value> = http
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect();
            if !headers.is_empty() {
                body.insert("headers".into(), Value::Object(headers));
            }
            let query: Map<String, Value> = http
                .query
                .iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect();
            if !query.is_empty() {
                body.insert("query".into(), Value::Object(query));
            }
            insert_opt(&mut body, "body", http.body.as_ref().map(text));
            if !http.field_paths.is_empty() {
                body.insert("field_paths".into(), http.field_paths.clone().into());
            }
            spec.insert("http".into(), Value::Object(body));
        }
    }
    insert_opt(
        &mut spec,
        "description",
        column.description.clone().map(Value::from),
    );
    insert_opt(&mut spec, "run_if", column.run_if.as_ref().map(text));
    if column.run_as_button {
        spec.insert("run_as_button".into(), true.into());
    }
    Value::Object(spec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::source::SourceMap;

    /// Lower a spec, emit it, lower the emitted text: the model is the same.
    #[test]
    fn emitted_specs_compile_to_the_same_model() {
        let catalog = Catalog::builtin();
        let lower = |text: &str| {
            let mut sources = SourceMap::new();
            let file = sources.add("spec.yaml", text.to_string());
            let (parsed, diagnostics) = crate::spec::parse(&sources, file);
            assert!(diagnostics.is_empty(), "{diagnostics:?}\n{text}");
            let checked = crate::validate::check(&sources, &[parsed.unwrap()], None, &catalog);
            assert!(!checked.has_errors(), "{:?}\n{text}", checked.diagnostics);
            checked.workbooks.into_iter().next().unwrap()
        };
        for example in [
            include_str!("../../specs/outbound-two-tables.yaml"),
            include_str!("../../specs/csv-leads.yaml"),
        ] {
            // The examples name a client; without a project file that is CF308, so drop it.
            let example: String = example
                .lines()
                .filter(|l| !l.starts_with("client:"))
                .collect::<Vec<_>>()
                .join("\n");
            let first = lower(&example);
            let emitted = workbook_yaml(&first, "# emitted\n");
            let second = lower(&emitted);
            let strip = |w: &Workbook| crate::plan::config::workbook_config(w);
            assert_eq!(strip(&first), strip(&second));
            for (a, b) in first.tables.iter().zip(&second.tables) {
                assert_eq!(a.name.text, b.name.text);
                assert_eq!(
                    crate::plan::config::table_config(a),
                    crate::plan::config::table_config(b)
                );
                let configs = |t: &Table| -> Vec<Value> {
                    t.columns
                        .iter()
                        .map(|c| crate::plan::config::column_config(c, &catalog, None))
                        .collect()
                };
                assert_eq!(configs(a), configs(b), "table {}", a.name.text);
            }
        }
    }
}
