//! The workbook spec as written: plain serde types, the single source of the JSON Schema.
//!
//! Owns: the shape of a workbook spec file (keys, types, defaults) and, through schemars, the
//! schema in `schemas/workbook.schema.json`.
//! Must not know: spans (they live in [`super::node::SpanIndex`], keyed by the same JSON
//! Pointers), Clay, the catalog, or what names refer to.
//!
//! Why no spans in these types: serde-saphyr loses spans through `flatten`, `untagged` and
//! internally tagged enums, and a column needs "exactly one of several optional keys". So each
//! column is a struct with one optional field per kind (checked by `validate`, CF104), and the
//! types are deserialized from the JSON projection of the spanned node tree after the schema
//! passed. Every position comes from the pointer index instead.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Clay workbook: its tables, their sources and columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "clayform workbook spec",
    extend("patternProperties" = { "^x-": {} })
)]
pub struct WorkbookSpec {
    /// Workbook name; its identity within the client's workspace.
    pub workbook: String,
    /// Client from `clayform.yaml` whose workspace, defaults and budgets apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Spend limits for the whole workbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<BudgetSpec>,
    /// Tables keyed by their Clay display name, in Clay order; the first is the CE table.
    #[schemars(extend("minProperties" = 1))]
    pub tables: IndexMap<String, TableSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetSpec {
    /// Most data credits one full run of the workbook may spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_credits: Option<f64>,
    /// Most actions (enrichment and AI runs) one full run may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_actions: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TableTypeSpec {
    Company,
    People,
    Spreadsheet,
    Jobs,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// `company` for the first (CE) table; `people`, `spreadsheet` or `jobs` otherwise.
    #[serde(rename = "type")]
    pub table_type: TableTypeSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Turn Clay's auto-run on (default off: nothing runs without `clayform run`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_run: Option<bool>,
    /// Refuse plans that destroy or replace this table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protect: Option<bool>,
    /// Former names, so a rename keeps the Clay table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<NamesSpec>,
    /// Where rows come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceSpec>,
    /// Columns keyed by their Clay display name, in Clay order.
    #[serde(default)]
    pub columns: IndexMap<String, ColumnSpec>,
}

/// One name or a list of names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum NamesSpec {
    One(String),
    Many(Vec<String>),
}

impl NamesSpec {
    /// The names with their index in the list (`None` for a single name).
    pub fn names(&self) -> Vec<(Option<usize>, &str)> {
        match self {
            NamesSpec::One(name) => vec![(None, name.as_str())],
            NamesSpec::Many(names) => names
                .iter()
                .enumerate()
                .map(|(i, n)| (Some(i), n.as_str()))
                .collect(),
        }
    }
}

/// Exactly one source kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1, "maxProperties" = 1))]
pub struct SourceSpec {
    /// Clay's "Find companies" search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find_companies: Option<FindCompaniesSpec>,
    /// Clay's "Find people" search, optionally for the companies of a company table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub find_people: Option<FindPeopleSpec>,
    /// Rows imported from a CSV file beside the spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvSpec>,
    /// Rows pushed to a Clay webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookSpec>,
    /// Inline rows: column name → value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<IndexMap<String, serde_json::Value>>>,
}

/// Find companies; keys other than those listed are passed to Clay as extra filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FindCompaniesSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub industries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    /// Employee-count bands such as `11-50`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Rows to import; also the row estimate for cost.
    #[schemars(range(min = 1))]
    pub limit: u64,
    /// Further Clay search filters, as written.
    #[serde(flatten)]
    pub filters: IndexMap<String, serde_json::Value>,
}

/// Find people; keys other than those listed are passed to Clay as extra filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FindPeopleSpec {
    /// A company table of this workbook whose companies to search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_table: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub job_titles: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seniorities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    #[schemars(range(min = 1))]
    pub limit: u64,
    /// Further Clay search filters, as written.
    #[serde(flatten)]
    pub filters: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsvSpec {
    /// Relative to the spec file's folder.
    pub path: String,
    /// The column whose value identifies a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// CSV header → column name, when they differ.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub mapping: IndexMap<String, String>,
    /// Expected row count, for cost estimates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_rows: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSpec {
    /// Ask Clay for an `x-clay-webhook-auth` token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<bool>,
    /// Expected row count, for cost estimates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_rows: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DataTypeSpec {
    Text,
    Number,
    Url,
    Email,
    Boolean,
    Date,
    Json,
    Select,
    Multiselect,
    Currency,
    Percent,
}

/// A column: exactly one kind key (`type` alone, `from_source`, `formula`, `enrichment`, `ai`,
/// `lookup`, `send_to`, `http`) plus common keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Cell type; alone, a plain input column; with a kind, the type of the result.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<DataTypeSpec>,
    /// Choices of a `select` or `multiselect` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// ISO currency code of a `currency` column (default `USD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// A field of the table's source record, e.g. `name` or `location.city`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_source: Option<String>,
    /// A Clay formula over `{{Column}}` references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// A catalog alias (`email_finder`) or a Clay action key (`prospeo-find-work-email-v2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrichment: Option<String>,
    /// Enrichment inputs: a template string, or a map of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<IndexMap<String, InputSpec>>,
    /// Clay auth account (`aa_...`) to run the enrichment with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_account: Option<String>,
    /// An AI column (Use AI / Claygent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai: Option<AiSpec>,
    /// Look up rows of another table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<LookupSpec>,
    /// Send this row to another table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_to: Option<SendToSpec>,
    /// Call an HTTP API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Only run when this formula is truthy, e.g. `"!!{{Email}}"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_if: Option<String>,
    /// Run only when a user clicks the cell's button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_button: Option<bool>,
    /// Former names, so a rename keeps the Clay column and its cells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<NamesSpec>,
    /// Refuse plans that destroy or replace this column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protect: Option<bool>,
}

/// An enrichment input: a template (`"{{Domain}}"`), a literal, or a map of templates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum InputSpec {
    Text(String),
    Number(serde_json::Number),
    Bool(bool),
    Map(IndexMap<String, String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UseCaseSpec {
    /// "Create content": no web access.
    Content,
    /// Claygent web research.
    WebResearch,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AiSpec {
    /// Model (default: the client's `default_model`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub prompt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// `content` or `web_research` (default: the model decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_case: Option<UseCaseSpec>,
    /// Structured output: field → type, or a list of allowed values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<IndexMap<String, OutputTypeSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 2))]
    pub temperature: Option<f64>,
    /// Stop a run once it has cost this many cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_cost_cents: Option<f64>,
}

/// An output field's type, or the list of values it may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OutputTypeSpec {
    Type(OutputTypeName),
    Enum(#[schemars(length(min = 1))] Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputTypeName {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupSpec {
    /// The table to search.
    pub table: String,
    #[serde(rename = "match")]
    pub match_: LookupMatchSpec,
    /// Return every matching row instead of the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiple: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub limit: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupMatchSpec {
    /// The column of the other table to match on.
    pub column: String,
    /// The value to match, from this row, e.g. `"{{Domain}}"`.
    pub value: String,
    /// Clay's filter operator (default `EQUAL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<LookupOperatorSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LookupOperatorSpec {
    Equal,
    NotEqual,
    Contains,
    NotContains,
}

impl LookupOperatorSpec {
    pub fn as_str(self) -> &'static str {
        match self {
            LookupOperatorSpec::Equal => "EQUAL",
            LookupOperatorSpec::NotEqual => "NOT_EQUAL",
            LookupOperatorSpec::Contains => "CONTAINS",
            LookupOperatorSpec::NotContains => "NOT_CONTAINS",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SendToSpec {
    /// The table that receives the rows.
    pub table: String,
    /// Target column → value from this row.
    #[schemars(extend("minProperties" = 1))]
    pub fields: IndexMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethodSpec {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethodSpec {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethodSpec::Get => "GET",
            HttpMethodSpec::Post => "POST",
            HttpMethodSpec::Put => "PUT",
            HttpMethodSpec::Patch => "PATCH",
            HttpMethodSpec::Delete => "DELETE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    /// Default `GET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<HttpMethodSpec>,
    pub url: String,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub query: IndexMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Response paths to keep, e.g. `data.email`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_paths: Vec<String>,
}
