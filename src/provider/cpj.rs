//! Find Companies / Find People ("cpj") tables (reference §12.3, §8.2): building the
//! `POST /v3/sources/create-cpj-table` body from a model source, and finding a cpj table's
//! `source` column afterwards.
//!
//! Owns: [`cpj_request`], the spec-name → Clay-input-name mapping below, and
//! [`source_field_id`]. Sending the request is `ClayClient::create_cpj_table` (`sources.rs`).
//! Must not know: HTTP, state, plans. It reads the validated model; it never sees spec syntax.
//!
//! # Spec names → Clay input names (`cpjConfig.typeSettings.inputs`)
//!
//! | spec (`find_companies`) | Clay input | note |
//! | --- | --- | --- |
//! | `industries` | `industries` | |
//! | `locations` | `locations` | free-text locations |
//! | `sizes` | `sizes` | written in Clay's comma form: `501-1000` → `501-1,000`, `10001+` → `10,001+` |
//! | `keywords` | `description_keywords` | |
//! | `limit` | `limit` | |
//!
//! | spec (`find_people`) | Clay input | note |
//! | --- | --- | --- |
//! | `job_titles` | `job_title_keywords` | |
//! | `seniorities` | `job_title_seniority_levels` | |
//! | `locations` | `locations` | |
//! | `company_table` | `company_table_id` | the company table's Clay id, passed by the caller |
//! | `limit` | `limit` | |
//!
//! `filters` pass through under their own names, except that they never replace `limit`,
//! `company_table_id`, or a mapped input the spec gave a non-empty value.
//!
//! # Decisions where the reference is silent
//!
//! - **Table name**: no source says where Clay takes it from (one sends `tableName` top-level);
//!   it is sent as `cpjConfig.tableName`. Callers read the table back and rename it with
//!   `PATCH /v3/tables/{t}` when Clay named it otherwise.
//! - **`hasEvaluatedInputs: false`** (the reference's example), `dedupeOnUniqueIds: true` (NM),
//!   `iconType` `Building` / `User`, `defaultPreviewText` `Profile` / `Clay Profile`.
//! - **`disableTriggerOnCreate`** is always written (`false` unless
//!   [`CpjTableRequest::with_disable_trigger`] says otherwise), so the body says what it means.

use serde_json::{Map, Value, json};
use thiserror::Error;

use super::translate::cpj_basic_field;
use super::wire::source::CpjTableRequest;
use super::wire::table::ClayTable;
use super::wire::workspace::WorkspaceId;
use crate::model::{FindCompanies, FindPeople, SourceKind, Table};

pub const FIND_COMPANIES_ACTION_KEY: &str = "find-lists-of-companies-with-mixrank-source";
pub const FIND_PEOPLE_ACTION_KEY: &str = "find-lists-of-people-with-mixrank-source";
/// The mixrank package shared by the find-lists sources and the mixrank enrichments (§8.2).
pub const MIXRANK_PACKAGE_ID: &str = "e251a70e-46d7-4f3a-b3ef-a211ad3d8bd2";
/// Clay imports at most this many rows per search (§12.3).
pub const MAXIMUM_IMPORTED_ROWS: u64 = 50_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CpjRequestError {
    #[error("a `{kind}` source is not a find companies or find people search")]
    NotASearchSource { kind: &'static str },
    #[error(
        "find people is scoped to company table `{company_table}`, whose Clay id is not known\n\nhint: create the company table first and pass its id"
    )]
    CompanyTableIdMissing { company_table: String },
    #[error("a search imports between 1 and {MAXIMUM_IMPORTED_ROWS} rows, not {limit}")]
    LimitOutOfRange { limit: u64 },
}

/// The `create-cpj-table` body for a find-companies or find-people source.
///
/// `basic_fields` are the `{name, dataType, formulaText: "{{source}}.x"}` entries of the
/// table's `from_source` columns (see [`basic_fields`]). `company_table_id` scopes a find-people
/// search to a company table; it is required when the model names one. The search starts when
/// the table is created; see [`CpjTableRequest::with_disable_trigger`].
pub fn cpj_request(
    workspace_id: WorkspaceId,
    workbook_name: &str,
    workbook_id: Option<&str>,
    table_name: &str,
    source: &SourceKind,
    company_table_id: Option<&str>,
    basic_fields: Vec<Value>,
) -> Result<CpjTableRequest, CpjRequestError> {
    let search = match source {
        SourceKind::FindCompanies(find) => {
            check_limit(find.limit)?;
            Search {
                config_type: "companies",
                table_type: "company",
                action_key: FIND_COMPANIES_ACTION_KEY,
                name: "Find companies",
                icon: "Building",
                default_preview_text: "Profile",
                records_path: "companies",
                id_path: "linkedin_company_id",
                inputs: company_inputs(find),
            }
        }
        SourceKind::FindPeople(find) => {
            check_limit(find.limit)?;
            if let (Some(company_table), None) = (&find.company_table, company_table_id) {
                return Err(CpjRequestError::CompanyTableIdMissing {
                    company_table: company_table.text.clone(),
                });
            }
            Search {
                config_type: "people",
                table_type: "people",
                action_key: FIND_PEOPLE_ACTION_KEY,
                name: "Find people",
                icon: "User",
                default_preview_text: "Clay Profile",
                records_path: "people",
                id_path: "profile_id",
                inputs: people_inputs(find, company_table_id),
            }
        }
        other => {
            return Err(CpjRequestError::NotASearchSource {
                kind: other.keyword(),
            });
        }
    };
    let cpj_config = json!({
        "type": search.config_type,
        "tableName": table_name,
        "typeSettings": {
            "name": search.name,
            "iconType": search.icon,
            "actionKey": search.action_key,
            "actionPackageId": MIXRANK_PACKAGE_ID,
            "previewTextPath": "name",
            "defaultPreviewText": search.default_preview_text,
            "recordsPath": search.records_path,
            "idPath": search.id_path,
            "scheduleConfig": { "runSettings": "once" },
            "dedupeOnUniqueIds": true,
            "hasEvaluatedInputs": false,
            "inputs": search.inputs,
            "previewActionKey": format!("{}-preview", search.action_key),
            "disableTriggerOnCreate": false,
        },
        // Singular, unlike `type` (§12.3).
        "clientSettings": { "tableType": search.table_type },
        "basicFields": basic_fields,
    });
    Ok(CpjTableRequest {
        workspace_id: workspace_id.to_string(),
        workbook_name: workbook_name.to_owned(),
        workbook_id: workbook_id.map(str::to_owned),
        cpj_config,
    })
}

impl CpjTableRequest {
    /// Whether Clay should wait instead of running the search when the table is created
    /// (`typeSettings.disableTriggerOnCreate`).
    #[must_use]
    pub fn with_disable_trigger(mut self, disable_trigger: bool) -> Self {
        if let Some(settings) = self
            .cpj_config
            .get_mut("typeSettings")
            .and_then(Value::as_object_mut)
        {
            settings.insert("disableTriggerOnCreate".into(), json!(disable_trigger));
        }
        self
    }
}

/// The `basicFields` for a table's `from_source` columns, in column order.
pub fn basic_fields(table: &Table) -> Vec<Value> {
    table.columns.iter().filter_map(cpj_basic_field).collect()
}

/// The id of a table's `source` column (the one a cpj or webhook source writes its records to):
/// the first `source` field bound to a source id, else the first `source` field.
pub fn source_field_id(table: &ClayTable) -> Option<String> {
    let source_fields = || {
        table
            .fields
            .iter()
            .filter(|field| field.field_type == "source")
    };
    source_fields()
        .find(|field| {
            field
                .type_settings
                .get("sourceIds")
                .and_then(Value::as_array)
                .is_some_and(|ids| !ids.is_empty())
        })
        .or_else(|| source_fields().next())
        .map(|field| field.id.clone())
}

struct Search {
    config_type: &'static str,
    table_type: &'static str,
    action_key: &'static str,
    name: &'static str,
    icon: &'static str,
    default_preview_text: &'static str,
    records_path: &'static str,
    id_path: &'static str,
    inputs: Map<String, Value>,
}

/// The `typeSettings.inputs` of a search source: what changes when a spec edits a search's
/// filters or limit (sent whole with `PATCH /v3/sources/{s}`, see `ClayClient::update_source`).
pub fn search_inputs(
    source: &SourceKind,
    company_table_id: Option<&str>,
) -> Result<Map<String, Value>, CpjRequestError> {
    match source {
        SourceKind::FindCompanies(find) => {
            check_limit(find.limit)?;
            Ok(company_inputs(find))
        }
        SourceKind::FindPeople(find) => {
            check_limit(find.limit)?;
            if let (Some(company_table), None) = (&find.company_table, company_table_id) {
                return Err(CpjRequestError::CompanyTableIdMissing {
                    company_table: company_table.text.clone(),
                });
            }
            Ok(people_inputs(find, company_table_id))
        }
        other => Err(CpjRequestError::NotASearchSource {
            kind: other.keyword(),
        }),
    }
}

fn check_limit(limit: u64) -> Result<(), CpjRequestError> {
    if (1..=MAXIMUM_IMPORTED_ROWS).contains(&limit) {
        Ok(())
    } else {
        Err(CpjRequestError::LimitOutOfRange { limit })
    }
}

fn company_inputs(find: &FindCompanies) -> Map<String, Value> {
    let sizes: Vec<String> = find
        .sizes
        .iter()
        .map(|size| clay_company_size(size))
        .collect();
    let mapped = [
        ("industries", find.industries.clone()),
        ("locations", find.locations.clone()),
        ("sizes", sizes),
        ("description_keywords", find.keywords.clone()),
    ];
    inputs_with_filters(find.limit, &mapped, &find.filters)
}

fn people_inputs(find: &FindPeople, company_table_id: Option<&str>) -> Map<String, Value> {
    let mapped = [
        ("job_title_keywords", find.job_titles.clone()),
        ("job_title_seniority_levels", find.seniorities.clone()),
        ("locations", find.locations.clone()),
    ];
    let mut inputs = inputs_with_filters(find.limit, &mapped, &find.filters);
    match company_table_id {
        Some(table_id) => inputs.insert("company_table_id".into(), json!(table_id)),
        None => inputs.remove("company_table_id"),
    };
    inputs
}

/// `limit`, every mapped list (empty ones too, as Clay's UI sends them), then the filters that do
/// not collide with a non-empty mapped list.
fn inputs_with_filters(
    limit: u64,
    mapped: &[(&str, Vec<String>)],
    filters: &indexmap::IndexMap<String, Value>,
) -> Map<String, Value> {
    let mut inputs = Map::new();
    inputs.insert("limit".into(), json!(limit));
    for (name, values) in mapped {
        inputs.insert((*name).to_owned(), json!(values));
    }
    for (name, value) in filters {
        let mapped_and_set = mapped
            .iter()
            .any(|(mapped_name, values)| mapped_name == name && !values.is_empty());
        if name == "limit" || mapped_and_set {
            continue;
        }
        inputs.insert(name.clone(), value.clone());
    }
    inputs
}

/// A company size in the comma form `create-cpj-table` expects: every number of four or more
/// digits gets thousands separators (`1001-5000` → `1,001-5,000`); other text is kept.
pub fn clay_company_size(size: &str) -> String {
    let mut written = String::with_capacity(size.len() + 4);
    let mut digits = String::new();
    let flush = |digits: &mut String, written: &mut String| {
        let count = digits.len();
        for (index, digit) in digits.chars().enumerate() {
            if index > 0 && (count - index).is_multiple_of(3) {
                written.push(',');
            }
            written.push(digit);
        }
        digits.clear();
    };
    for character in size.trim().chars() {
        if character.is_ascii_digit() {
            digits.push(character);
        } else if character == ',' && !digits.is_empty() {
            // Already separated: keep collecting the number.
        } else {
            flush(&mut digits, &mut written);
            written.push(character);
        }
    }
    flush(&mut digits, &mut written);
    written
}

/// The model source a live search source stands for: the inverse of [`cpj_request`]'s mapping,
/// for `clayform import`. `table_name` turns a company table id into its name. `None` when the
/// source is not a find-companies/people search or its inputs can't be read.
pub fn search_from_source(
    source: &crate::provider::wire::source::ClaySource,
    table_name: &dyn Fn(&str) -> Option<String>,
) -> Option<SourceKind> {
    let inputs = source.type_settings.get("inputs")?.as_object()?;
    let list = |key: &str| -> Vec<String> {
        inputs
            .get(key)
            .and_then(Value::as_array)
            .map(|values| {
                values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let limit = inputs.get("limit").and_then(Value::as_u64).unwrap_or(1);
    let mapped = |keys: &[&str]| -> indexmap::IndexMap<String, Value> {
        inputs
            .iter()
            .filter(|(key, value)| {
                !keys.contains(&key.as_str())
                    && !value.is_null()
                    && value != &&Value::Array(Vec::new())
            })
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect()
    };
    match source.source_type.as_deref()? {
        "companies" => Some(SourceKind::FindCompanies(crate::model::FindCompanies {
            industries: list("industries"),
            locations: list("locations"),
            // Clay writes sizes with thousands separators; the spec writes them plain.
            sizes: list("sizes")
                .into_iter()
                .map(|s| s.replace(',', ""))
                .collect(),
            keywords: list("description_keywords"),
            limit,
            filters: mapped(&[
                "industries",
                "locations",
                "sizes",
                "description_keywords",
                "limit",
            ]),
        })),
        "people" => Some(SourceKind::FindPeople(crate::model::FindPeople {
            company_table: inputs
                .get("company_table_id")
                .and_then(Value::as_str)
                .and_then(table_name)
                .map(|name| crate::model::Name::new(name, crate::source::Span::default())),
            job_titles: list("job_title_keywords"),
            seniorities: list("job_title_seniority_levels"),
            locations: list("locations"),
            limit,
            filters: mapped(&[
                "job_title_keywords",
                "job_title_seniority_levels",
                "locations",
                "limit",
                "company_table_id",
            ]),
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_sizes_get_thousands_separators() {
        assert_eq!(clay_company_size("11-50"), "11-50");
        assert_eq!(clay_company_size("501-1000"), "501-1,000");
        assert_eq!(clay_company_size("1,001-5,000"), "1,001-5,000");
        assert_eq!(clay_company_size("10001+"), "10,001+");
        assert_eq!(clay_company_size("1000000+"), "1,000,000+");
    }
}
