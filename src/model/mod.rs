//! The validated workbook model: what a spec means, independent of how it was written.
//!
//! Owns: the types every later stage consumes (graph, cost, provider translation, plan).
//! `validate::check` produces a [`Workbook`] only from a spec whose structure is sound; every name
//! keeps its [`Span`] so later stages can still point at the file.
//! Must not know: YAML, serde-saphyr, JSON Schema, Clay's JSON or field ids. References here are
//! still *names* ([`Reference`]); `graph::resolve` turns them into column ids, and a resolved
//! graph can't hold a dangling reference.

use indexmap::IndexMap;

use crate::source::{FileId, Span};

/// A user-chosen name and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

impl Name {
    pub fn new(text: impl Into<String>, span: Span) -> Self {
        Name {
            text: text.into(),
            span,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// One `{{Column Name}}` inside a template, with the span of the whole `{{...}}` token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub name: String,
    pub span: Span,
}

/// A string that may contain `{{Column}}` references: a formula, a prompt, a binding, a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The text as written (after YAML unescaping).
    pub text: String,
    /// The span of the whole scalar in the file.
    pub span: Span,
    /// References in order of appearance.
    pub refs: Vec<Reference>,
}

/// A whole workbook spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Workbook {
    pub name: Name,
    pub client: Option<Name>,
    pub description: Option<String>,
    pub budget: Budget,
    /// In file order; the first is the CE (company) table.
    pub tables: Vec<Table>,
    pub file: FileId,
}

impl Workbook {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name.text == name)
    }
}

/// Spend limits. Unset fields are unlimited.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Budget {
    /// Data credits (and legacy credits when the catalog bills that way).
    pub max_credits: Option<f64>,
    /// Actions (2026 billing: one per enrichment or AI run).
    pub max_actions: Option<f64>,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableType {
    Company,
    People,
    Spreadsheet,
    Jobs,
}

impl TableType {
    /// The value Clay uses for `type` on `POST /v3/tables`.
    pub fn as_str(self) -> &'static str {
        match self {
            TableType::Company => "company",
            TableType::People => "people",
            TableType::Spreadsheet => "spreadsheet",
            TableType::Jobs => "jobs",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: Name,
    pub table_type: TableType,
    pub description: Option<String>,
    pub source: Option<Source>,
    /// In file order, which is column order in Clay.
    pub columns: Vec<Column>,
    /// Clay's auto-run; clayform creates tables with it off unless the spec says otherwise.
    pub auto_run: bool,
    pub protect: bool,
    pub renamed_from: Vec<Name>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name.text == name)
    }
}

/// Where rows come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub kind: SourceKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceKind {
    FindCompanies(FindCompanies),
    FindPeople(FindPeople),
    Csv(CsvSource),
    Webhook(WebhookSource),
    /// Inline rows: each maps a column name to a literal value.
    Rows(Vec<IndexMap<Name, serde_json::Value>>),
}

impl SourceKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            SourceKind::FindCompanies(_) => "find_companies",
            SourceKind::FindPeople(_) => "find_people",
            SourceKind::Csv(_) => "csv",
            SourceKind::Webhook(_) => "webhook",
            SourceKind::Rows(_) => "rows",
        }
    }
}

impl std::hash::Hash for Name {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

/// Clay's "Find companies" search (`find-lists-of-companies-with-mixrank-source`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindCompanies {
    pub industries: Vec<String>,
    pub locations: Vec<String>,
    pub sizes: Vec<String>,
    pub keywords: Vec<String>,
    /// Rows to import; also the row estimate for cost.
    pub limit: u64,
    /// Any further Clay filter inputs, passed through as written.
    pub filters: IndexMap<String, serde_json::Value>,
}

/// Clay's "Find people" search, optionally scoped to the companies of a company table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FindPeople {
    pub company_table: Option<Name>,
    pub job_titles: Vec<String>,
    pub seniorities: Vec<String>,
    pub locations: Vec<String>,
    pub limit: u64,
    pub filters: IndexMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CsvSource {
    /// As written, relative to the spec file's folder.
    pub path: Name,
    /// The column whose value identifies a row (record ids derive from it).
    pub key: Option<Name>,
    /// CSV header → column name, when they differ. Unmapped headers map to same-named columns.
    pub mapping: IndexMap<String, Name>,
    /// Expected row count for cost, when the file can't be read by the pure core.
    pub expected_rows: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookSource {
    /// Ask Clay for an `x-clay-webhook-auth` token.
    pub auth_token: bool,
    /// Expected row count for cost estimates.
    pub expected_rows: Option<u64>,
}

/// Cell data types (Clay's `dataTypeSettings.type`).
#[derive(Debug, Clone, PartialEq)]
pub enum DataType {
    Text,
    Number,
    Url,
    Email,
    Boolean,
    Date,
    Json,
    Select { options: Vec<String> },
    MultiSelect { options: Vec<String> },
    Currency { code: String },
    Percent,
}

impl DataType {
    pub fn keyword(&self) -> &'static str {
        match self {
            DataType::Text => "text",
            DataType::Number => "number",
            DataType::Url => "url",
            DataType::Email => "email",
            DataType::Boolean => "boolean",
            DataType::Date => "date",
            DataType::Json => "json",
            DataType::Select { .. } => "select",
            DataType::MultiSelect { .. } => "multiselect",
            DataType::Currency { .. } => "currency",
            DataType::Percent => "percent",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: Name,
    pub kind: ColumnKind,
    /// `type:`; for computed columns the type of the result.
    pub data_type: Option<DataType>,
    pub description: Option<String>,
    /// Clay's run condition (`conditionalRunFormulaText`), a formula over same-table columns.
    pub run_if: Option<Template>,
    pub run_as_button: bool,
    pub renamed_from: Vec<Name>,
    pub protect: bool,
    /// The span of the column's key in its table.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ColumnKind {
    /// `type` alone: a plain input column.
    Input,
    /// A field of the table's source record (`{{source}}.domain`), e.g. `name` or `location.city`.
    FromSource {
        path: Name,
    },
    Formula {
        formula: Template,
    },
    Enrichment(Enrichment),
    Ai(Ai),
    Lookup(Lookup),
    SendTo(SendTo),
    Http(Http),
}

impl ColumnKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            ColumnKind::Input => "type",
            ColumnKind::FromSource { .. } => "from_source",
            ColumnKind::Formula { .. } => "formula",
            ColumnKind::Enrichment(_) => "enrichment",
            ColumnKind::Ai(_) => "ai",
            ColumnKind::Lookup(_) => "lookup",
            ColumnKind::SendTo(_) => "send_to",
            ColumnKind::Http(_) => "http",
        }
    }

    /// Columns that run an action in Clay (and so cost Actions and maybe Data Credits).
    pub fn is_action(&self) -> bool {
        matches!(
            self,
            ColumnKind::Enrichment(_)
                | ColumnKind::Ai(_)
                | ColumnKind::Lookup(_)
                | ColumnKind::SendTo(_)
                | ColumnKind::Http(_)
        )
    }
}

/// An input binding: a template (`"{{Domain}}"`, a literal) or a map of them (headers, rowData).
#[derive(Debug, Clone, PartialEq)]
pub enum InputValue {
    Template(Template),
    Map(IndexMap<String, Template>),
}

impl InputValue {
    pub fn templates(&self) -> Vec<&Template> {
        match self {
            InputValue::Template(t) => vec![t],
            InputValue::Map(m) => m.values().collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Enrichment {
    /// As written: a catalog alias (`email_finder`) or a real Clay action key.
    pub action: Name,
    /// Input name → binding, in file order.
    pub inputs: IndexMap<Name, InputValue>,
    /// Clay auth account (`aa_...`) to run with, when not the workspace default.
    pub auth_account: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UseCase {
    /// "Create content": no web access (`useCase: "use-ai"`).
    Content,
    /// Claygent web research (`useCase: "claygent"`).
    WebResearch,
}

impl UseCase {
    pub fn keyword(self) -> &'static str {
        match self {
            UseCase::Content => "content",
            UseCase::WebResearch => "web_research",
        }
    }

    /// The literal Clay expects in the `useCase` binding.
    pub fn clay_value(self) -> &'static str {
        match self {
            UseCase::Content => "use-ai",
            UseCase::WebResearch => "claygent",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ai {
    /// `None`: the client's default model.
    pub model: Option<Name>,
    pub prompt: Template,
    pub system_prompt: Option<Template>,
    /// `None`: the model decides (Clay models: web research; others: content).
    pub use_case: Option<UseCase>,
    /// Structured output; `None` means free text.
    pub output: Option<OutputSchema>,
    pub temperature: Option<f64>,
    pub max_cost_cents: Option<f64>,
}

/// The structured output of an AI column.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputSchema {
    /// Field name → type. Types: `string`, `number`, `integer`, `boolean`, `array`, `object`,
    /// or `enum` with values.
    pub fields: IndexMap<Name, OutputType>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OutputType {
    String,
    Number,
    Integer,
    Boolean,
    Array,
    Object,
    Enum(Vec<String>),
}

impl OutputType {
    pub fn keyword(&self) -> &'static str {
        match self {
            OutputType::String => "string",
            OutputType::Number => "number",
            OutputType::Integer => "integer",
            OutputType::Boolean => "boolean",
            OutputType::Array => "array",
            OutputType::Object => "object",
            OutputType::Enum(_) => "enum",
        }
    }
}

/// Look up rows of another table (`lookup-row-in-other-table`).
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    pub table: Name,
    /// The column of the other table to match on.
    pub match_column: Name,
    /// The value to match, from this table's row.
    pub value: Template,
    /// Clay's filter operator (`EQUAL`, `CONTAINS`, ...).
    pub operator: String,
    /// `lookup-multiple-rows-in-other-table` instead of a single row.
    pub multiple: bool,
    pub limit: Option<u64>,
}

/// Send this row to another table (`route-row`). Clay then creates, on the target, a source,
/// a source column and one formula column per key of `fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct SendTo {
    pub table: Name,
    /// Target column name → value from this row.
    pub fields: IndexMap<Name, Template>,
}

/// Call an HTTP API (`http-api-v2`).
#[derive(Debug, Clone, PartialEq)]
pub struct Http {
    pub method: String,
    pub url: Template,
    pub headers: IndexMap<String, Template>,
    pub query: IndexMap<String, Template>,
    pub body: Option<Template>,
    /// Response paths to keep (`fieldPaths`).
    pub field_paths: Vec<String>,
}

/// `clayform.yaml`: clients, state backend, catalog overrides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Project {
    pub clients: IndexMap<Name, Client>,
    pub backend: Backend,
    /// Folder of specs relative to `clayform.yaml`; default `specs`.
    pub specs_dir: Option<String>,
    pub catalog: CatalogOverrides,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub name: Name,
    /// Clay workspace id (a number); `CLAY_WORKSPACE_ID` overrides it.
    pub workspace_id: u64,
    pub default_model: Option<Name>,
    pub budgets: ClientBudgets,
    /// Category (e.g. `work_email`) → enrichments to prefer, in order.
    pub preferred_enrichments: IndexMap<String, Vec<Name>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClientBudgets {
    pub max_credits_per_table: Option<f64>,
    pub max_credits_per_workbook: Option<f64>,
    pub max_actions_per_table: Option<f64>,
    pub max_actions_per_workbook: Option<f64>,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Backend {
    /// State files under a folder (default `.clayform/state`).
    #[default]
    Local,
    LocalPath(String),
    /// A Postgres (Supabase-compatible) database; the connection string comes from the
    /// environment variable named here, never from the file.
    Postgres {
        conn_str_env: String,
        schema: Option<String>,
    },
}

/// Catalog entries added or changed by the project; the `catalog` module merges them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CatalogOverrides {
    /// Parsed as the catalog's own data-file format, kept as JSON until merged.
    pub enrichments: IndexMap<String, serde_json::Value>,
    pub models: IndexMap<String, serde_json::Value>,
    pub span: Option<Span>,
}
