//! Translation between the validated model and Clay field JSON, both ways.
//!
//! Owns: the resolver traits ([`ClayNames`]: names → Clay ids, [`ClayIds`]: ids → names), the
//! action description the catalog hands in ([`ResolvedAction`]), the model → `POST /fields` body
//! ([`column_to_field`]), the live field → spec-level column ([`field_to_column`]), and formula
//! text handling ([`formula`]).
//! Must not know: HTTP, state, or how names were resolved (the caller's resolvers decide).
//!
//! Decisions:
//! - Binding values (enrichment inputs, prompts, URLs, bodies) are *templates*: text with
//!   `{{Column}}` chips, as in Clay's UI. One chip alone becomes `{{f_id}}`; text becomes a quoted
//!   literal; a mix becomes a concatenation `"text " + {{f_id}}`. A value with no chips that reads
//!   as a number or boolean (`60`, `true`) is sent bare, as Clay's own clients do.
//! - `formula` and `run_if` are expressions: only their references are rewritten.
//! - `formulaType` is always sent: `number` for number/percent/currency results, `text` for all
//!   others (Clay requires `text` for url/email).
//! - `from_source: path` becomes a formula over the table's source column,
//!   `{{f_source}}?.a?.b` (with `mappedResultPath` for nested paths); [`cpj_basic_field`] writes
//!   the `{{source}}.a.b` form used inside find-companies/people payloads.
//! - HTTP `body` is a template; references are not wrapped in `Clay.formatForJSON`.
//! - Reading back, a computed column's default data type (`text` for formulas, `json` for
//!   actions) reads as `None`, and an AI column's use case reads as `None` when it is the model's
//!   default, so an unchanged spec compares equal.

mod data_type;
pub mod formula;
mod from_clay;
mod to_clay;

use indexmap::IndexMap;

use crate::model::{Reference, Template};
use crate::source::Span;

pub use formula::normalize_formula;
pub use from_clay::{LiveColumn, field_to_column};
pub use to_clay::{column_to_field, cpj_basic_field};

use super::wire::table::ClayTable;

/// `use-ai` (Use AI and Claygent).
pub const USE_AI_ACTION_KEY: &str = "use-ai";
pub const USE_AI_PACKAGE_ID: &str = "67ba01e9-1898-4e7d-afe7-7ebe24819a57";
pub const HTTP_ACTION_KEY: &str = "http-api-v2";
pub const LOOKUP_ROW_ACTION_KEY: &str = "lookup-row-in-other-table";
pub const LOOKUP_ROWS_ACTION_KEY: &str = "lookup-multiple-rows-in-other-table";
/// The package shared by HTTP, lookups and other utility actions.
pub const UTILITY_PACKAGE_ID: &str = "4299091f-3cd3-4d68-b198-0143575f471d";
pub const ROUTE_ROW_ACTION_KEY: &str = "route-row";
pub const ROUTE_ROW_PACKAGE_ID: &str = "b1ab3d5d-b0db-4b30-9251-3f32d8b103c1";

/// An enrichment as the catalog resolved it: the real action and its full parameter list.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedAction {
    pub action_key: String,
    pub package_id: String,
    /// Every parameter of the action, in Clay's order; unset optional ones are sent bare.
    pub parameters: Vec<ActionParameter>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionParameter {
    /// Clay's input name (`company_domain`, `fields|targetColumn`).
    pub clay_name: String,
    /// The input name the spec uses (often the same).
    pub spec_name: String,
    pub optional: bool,
    /// Sent as a `formulaMap` (headers, rowData, inputs, ...).
    pub object_typed: bool,
}

/// Names → Clay ids, for building field bodies. A closure `Fn(&str) -> Option<String>` is a
/// resolver of same-table column names.
pub trait ClayNames {
    /// The field id of a column of the table being built.
    fn field_id(&self, column_name: &str) -> Option<String>;
    /// The id of another table (lookups, send-to).
    fn table_id(&self, _table_name: &str) -> Option<String> {
        None
    }
    /// The field id of a column of another table (a lookup's match column).
    fn table_field_id(&self, _table_name: &str, _column_name: &str) -> Option<String> {
        None
    }
    /// The table's source column (`from_source` columns read it).
    fn source_field_id(&self) -> Option<String> {
        None
    }
    /// The client's default AI model, for `ai` columns without `model`.
    fn default_ai_model(&self) -> Option<String> {
        None
    }
}

impl<F: Fn(&str) -> Option<String>> ClayNames for F {
    fn field_id(&self, column_name: &str) -> Option<String> {
        self(column_name)
    }
}

/// Clay ids → names, for reading live fields back.
pub trait ClayIds {
    fn field_name(&self, field_id: &str) -> Option<String>;
    fn table_name(&self, _table_id: &str) -> Option<String> {
        None
    }
    fn table_field_name(&self, _table_id: &str, _field_id: &str) -> Option<String> {
        None
    }
    /// Whether a field is the table's source column.
    fn is_source_field(&self, _field_id: &str) -> bool {
        false
    }
}

/// A two-way map of names and ids for one table (and the tables it links to).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameMap {
    /// Column name → field id, this table.
    pub fields: IndexMap<String, String>,
    /// Table name → table id.
    pub tables: IndexMap<String, String>,
    /// Table name → (column name → field id), other tables.
    pub table_fields: IndexMap<String, IndexMap<String, String>>,
    pub source_field_id: Option<String>,
    pub default_ai_model: Option<String>,
}

impl NameMap {
    /// The fields of a live table; its source column is its first field of type `source`.
    pub fn from_table(table: &ClayTable) -> NameMap {
        NameMap {
            fields: table
                .fields
                .iter()
                .map(|field| (field.name.clone(), field.id.clone()))
                .collect(),
            source_field_id: table
                .fields
                .iter()
                .find(|field| field.field_type == "source")
                .map(|field| field.id.clone()),
            ..NameMap::default()
        }
    }
}

impl ClayNames for NameMap {
    fn field_id(&self, column_name: &str) -> Option<String> {
        self.fields.get(column_name).cloned()
    }
    fn table_id(&self, table_name: &str) -> Option<String> {
        self.tables.get(table_name).cloned()
    }
    fn table_field_id(&self, table_name: &str, column_name: &str) -> Option<String> {
        self.table_fields.get(table_name)?.get(column_name).cloned()
    }
    fn source_field_id(&self) -> Option<String> {
        self.source_field_id.clone()
    }
    fn default_ai_model(&self) -> Option<String> {
        self.default_ai_model.clone()
    }
}

impl ClayIds for NameMap {
    fn field_name(&self, field_id: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(_, id)| id.as_str() == field_id)
            .map(|(name, _)| name.clone())
    }
    fn table_name(&self, table_id: &str) -> Option<String> {
        self.tables
            .iter()
            .find(|(_, id)| id.as_str() == table_id)
            .map(|(name, _)| name.clone())
    }
    fn table_field_name(&self, table_id: &str, field_id: &str) -> Option<String> {
        let table_name = self.table_name(table_id)?;
        self.table_fields
            .get(&table_name)?
            .iter()
            .find(|(_, id)| id.as_str() == field_id)
            .map(|(name, _)| name.clone())
    }
    fn is_source_field(&self, field_id: &str) -> bool {
        self.source_field_id.as_deref() == Some(field_id)
    }
}

/// Why a column could not be translated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    #[error("column `{column}` references `{{{{{name}}}}}`, which has no Clay field yet")]
    UnresolvedColumn { column: String, name: String },
    #[error("column `{column}` references table `{table}`, which has no Clay id yet")]
    UnresolvedTable { column: String, table: String },
    #[error("column `{column}` matches on `{table}.{target}`, which has no Clay field yet")]
    UnresolvedTableColumn {
        column: String,
        table: String,
        target: String,
    },
    #[error("column `{column}` reads from the source, but the table has no source column")]
    MissingSourceField { column: String },
    #[error("enrichment column `{column}` needs its resolved action from the catalog")]
    MissingResolvedAction { column: String },
    #[error("enrichment column `{column}` sets input `{input}`, which `{action}` does not take")]
    UnknownInput {
        column: String,
        input: String,
        action: String,
    },
    #[error(
        "column `{column}`: `run_if` only works on enrichment, AI, lookup, send-to and HTTP columns"
    )]
    RunIfNeedsAction { column: String },
    #[error("field `{field}` references field id `{field_id}`, which is not in the table")]
    UnknownFieldId { field: String, field_id: String },
    #[error("field `{field}`: {problem}")]
    Unreadable { field: String, problem: String },
}

/// A model template from text (references parsed, spans empty): what read-back produces.
pub fn template_from_text(text: &str) -> Template {
    Template {
        text: text.to_owned(),
        span: Span::default(),
        refs: formula::referenced_names(text)
            .into_iter()
            .map(|name| Reference {
                name,
                span: Span::default(),
            })
            .collect(),
    }
}

impl From<&crate::catalog::ResolvedActionInfo> for ResolvedAction {
    fn from(info: &crate::catalog::ResolvedActionInfo) -> ResolvedAction {
        ResolvedAction {
            action_key: info.action_key.clone(),
            package_id: info.package_id.clone(),
            parameters: info
                .parameters
                .iter()
                .map(|p| ActionParameter {
                    clay_name: p.clay_name.clone(),
                    spec_name: p.spec_name.clone(),
                    optional: !p.required,
                    object_typed: p.object,
                })
                .collect(),
        }
    }
}
