//! Diagnostics: every problem the compiler finds in a spec, with a stable code and a span.
//!
//! Owns: the one enum of diagnostic kinds ([`DiagnosticKind`]) and the one place for their
//! wording ([`std::fmt::Display`] for it), their codes and severities.
//! Must not know: how diagnostics are rendered (miette lives in the command-line layer), files on
//! disk, or YAML. Adding a kind means: a variant here, its code in [`DiagnosticKind::code`], its
//! sentence in `Display`, an entry in `docs/diagnostics.md`, and an invalid fixture under
//! `tests/fixtures/invalid/`.

use std::fmt;

use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A secondary location with its own message ("`Email` is defined here").
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in a spec or project file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    /// Where the problem is; for references, the `{{Name}}` token itself.
    pub span: Span,
    /// Text shown under the primary span; defaults to nothing.
    pub primary_label: Option<String>,
    pub labels: Vec<Label>,
    /// A likely fix ("did you mean `Company Domain`?").
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(kind: DiagnosticKind, span: Span) -> Self {
        Diagnostic {
            kind,
            span,
            primary_label: None,
            labels: Vec::new(),
            help: None,
        }
    }

    #[must_use]
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    #[must_use]
    pub fn with_primary_label(mut self, message: impl Into<String>) -> Self {
        self.primary_label = Some(message.into());
        self
    }

    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// `help:` text suggesting the closest of `candidates` to `wrong`, if one is close enough.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wrong_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Every kind of problem, with the facts needed to word it.
///
/// Codes are stable: scripts and editors match on them. Never reuse a retired code.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagnosticKind {
    // ---- CF0xx: reading and YAML ----
    /// The file is not valid YAML.
    YamlSyntax {
        message: String,
    },
    /// The document exceeds a size, depth, node or alias budget (alias bombs, huge files).
    InputTooLarge {
        limit: String,
    },
    /// The file is not UTF-8.
    NotUtf8,
    /// A mapping has the same key twice.
    DuplicateKey {
        key: String,
    },
    /// The file could not be read.
    ReadFailed {
        path: String,
        reason: String,
    },

    // ---- CF1xx: schema ----
    /// A key the schema does not know.
    UnknownKey {
        key: String,
        context: String,
    },
    /// A value of the wrong type or outside the allowed values.
    InvalidValue {
        path: String,
        message: String,
    },
    /// A required key is missing.
    MissingKey {
        key: String,
        context: String,
    },
    /// A column must have exactly one kind (`type` alone, `from_source`, `formula`, ...).
    ColumnKindCount {
        column: String,
        found: Vec<String>,
    },

    // ---- CF2xx: names, references, graph ----
    DuplicateTable {
        table: String,
    },
    DuplicateColumn {
        table: String,
        column: String,
    },
    UnknownColumn {
        table: String,
        reference: String,
    },
    ReferenceCycle {
        path: Vec<String>,
    },
    UnknownTable {
        reference: String,
    },
    /// The first table is the CE (company enrichment) table and must be `type: company`.
    FirstTableNotCompany {
        table: String,
        found: String,
    },
    TooManyColumns {
        table: String,
        count: usize,
        limit: usize,
    },
    /// A `renamed_from` name is still in use, or claimed twice.
    RenameConflict {
        column: String,
        old_name: String,
    },
    /// `from_source` on a table without a source, or a path the source does not produce.
    InvalidSourcePath {
        table: String,
        path: String,
    },
    /// Clay silently drops run conditions on formula columns.
    RunIfIgnored {
        column: String,
    },
    /// A reference to a column of another table written as `{{Table.Column}}` or similar.
    CrossTableReference {
        reference: String,
    },
    /// An empty `{{}}` or unbalanced braces.
    MalformedReference {
        text: String,
    },
    /// `find_people.company_table` (or a lookup) points at a table that is not a company table.
    WrongTableType {
        table: String,
        expected: String,
    },
    /// Something that must be unique across the workspace (a workbook name) appears twice.
    DuplicateWorkbook {
        workbook: String,
    },

    // ---- CF3xx: catalog ----
    UnknownEnrichment {
        name: String,
    },
    MissingInput {
        enrichment: String,
        input: String,
    },
    UnknownInput {
        enrichment: String,
        input: String,
    },
    UnknownModel {
        model: String,
    },
    /// e.g. `clay-argon` with `use_case: content`; Clay models only run as web research.
    ModelUseCaseMismatch {
        model: String,
        use_case: String,
    },
    InvalidOutputSchema {
        message: String,
    },
    UnknownClient {
        client: String,
    },
    /// A spec names a client but there is no `clayform.yaml`, or the catalog override is invalid.
    InvalidProjectFile {
        message: String,
    },
    /// The enrichment has no verified Clay action: it can be planned and costed, not applied.
    UnverifiedEnrichment {
        name: String,
    },

    // ---- CF4xx: cost ----
    BudgetExceeded {
        scope: String,
        estimated: f64,
        budget: f64,
        unit: String,
    },
    BudgetNearlyExceeded {
        scope: String,
        estimated: f64,
        budget: f64,
        unit: String,
    },

    // ---- CF5xx: files the specs point to (CSV sources; checked by the command-line layer) ----
    /// A CSV source's file can't be read, or has no header line.
    CsvUnreadable {
        path: String,
        reason: String,
    },
    /// `mapping:` maps from a header the CSV file does not have.
    CsvMissingHeader {
        header: String,
        path: String,
    },
    /// No header of the CSV file fills the `key` column, so no row could be identified.
    CsvKeyNotFilled {
        key: String,
        path: String,
    },
    /// Headers of the CSV file that fill no column of the table: their values are not loaded.
    CsvHeadersIgnored {
        headers: Vec<String>,
        path: String,
        table: String,
    },
}

impl DiagnosticKind {
    pub fn code(&self) -> &'static str {
        use DiagnosticKind as K;
        match self {
            K::YamlSyntax { .. } => "CF001",
            K::InputTooLarge { .. } => "CF002",
            K::NotUtf8 => "CF003",
            K::DuplicateKey { .. } => "CF004",
            K::ReadFailed { .. } => "CF005",
            K::UnknownKey { .. } => "CF101",
            K::InvalidValue { .. } => "CF102",
            K::MissingKey { .. } => "CF103",
            K::ColumnKindCount { .. } => "CF104",
            K::DuplicateTable { .. } => "CF201",
            K::DuplicateColumn { .. } => "CF202",
            K::UnknownColumn { .. } => "CF203",
            K::ReferenceCycle { .. } => "CF204",
            K::UnknownTable { .. } => "CF205",
            K::FirstTableNotCompany { .. } => "CF206",
            K::TooManyColumns { .. } => "CF207",
            K::RenameConflict { .. } => "CF208",
            K::InvalidSourcePath { .. } => "CF209",
            K::RunIfIgnored { .. } => "CF210",
            K::CrossTableReference { .. } => "CF211",
            K::MalformedReference { .. } => "CF212",
            K::WrongTableType { .. } => "CF213",
            K::DuplicateWorkbook { .. } => "CF214",
            K::UnknownEnrichment { .. } => "CF301",
            K::MissingInput { .. } => "CF302",
            K::UnknownInput { .. } => "CF303",
            K::UnknownModel { .. } => "CF304",
            K::ModelUseCaseMismatch { .. } => "CF305",
            K::InvalidOutputSchema { .. } => "CF306",
            K::UnknownClient { .. } => "CF307",
            K::InvalidProjectFile { .. } => "CF308",
            K::UnverifiedEnrichment { .. } => "CF309",
            K::BudgetExceeded { .. } => "CF401",
            K::BudgetNearlyExceeded { .. } => "CF402",
            K::CsvUnreadable { .. } => "CF501",
            K::CsvMissingHeader { .. } => "CF502",
            K::CsvKeyNotFilled { .. } => "CF503",
            K::CsvHeadersIgnored { .. } => "CF504",
        }
    }

    pub fn severity(&self) -> Severity {
        match self {
            DiagnosticKind::RunIfIgnored { .. }
            | DiagnosticKind::BudgetNearlyExceeded { .. }
            | DiagnosticKind::UnverifiedEnrichment { .. }
            | DiagnosticKind::CsvHeadersIgnored { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DiagnosticKind as K;
        match self {
            K::YamlSyntax { message } => write!(f, "invalid YAML: {message}"),
            K::InputTooLarge { limit } => write!(f, "the file exceeds a parser limit: {limit}"),
            K::NotUtf8 => write!(f, "the file is not valid UTF-8"),
            K::DuplicateKey { key } => write!(f, "duplicate key `{key}`"),
            K::ReadFailed { path, reason } => write!(f, "cannot read `{path}`: {reason}"),
            K::UnknownKey { key, context } => write!(f, "unknown key `{key}` in {context}"),
            K::InvalidValue { path, message } => write!(f, "invalid value at `{path}`: {message}"),
            K::MissingKey { key, context } => {
                write!(f, "missing required key `{key}` in {context}")
            }
            K::ColumnKindCount { column, found } if found.is_empty() => write!(
                f,
                "column `{column}` has no kind: give it `type`, `from_source`, `formula`, \
                 `enrichment`, `ai`, `lookup`, `send_to` or `http`"
            ),
            K::ColumnKindCount { column, found } => write!(
                f,
                "column `{column}` has more than one kind: {}",
                found
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            K::DuplicateTable { table } => write!(f, "duplicate table name `{table}`"),
            K::DuplicateColumn { table, column } => {
                write!(f, "duplicate column name `{column}` in table `{table}`")
            }
            K::UnknownColumn { table, reference } => {
                write!(f, "unknown column `{reference}` in table `{table}`")
            }
            K::ReferenceCycle { path } => write!(
                f,
                "columns reference each other in a cycle: {}",
                path.iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
            K::UnknownTable { reference } => write!(f, "unknown table `{reference}`"),
            K::FirstTableNotCompany { table, found } => write!(
                f,
                "the first table `{table}` must be the company enrichment table \
                 (`type: company`), found `{found}`"
            ),
            K::TooManyColumns {
                table,
                count,
                limit,
            } => {
                write!(
                    f,
                    "table `{table}` has {count} columns; Clay allows at most {limit}"
                )
            }
            K::RenameConflict { column, old_name } => write!(
                f,
                "column `{column}` is renamed from `{old_name}`, but that name is still in use \
                 or claimed by another column"
            ),
            K::InvalidSourcePath { table, path } => {
                write!(
                    f,
                    "`from_source: {path}` in table `{table}` has no source field to read"
                )
            }
            K::RunIfIgnored { column } => write!(
                f,
                "`run_if` on formula column `{column}` has no effect: Clay only gates \
                 enrichment and AI columns"
            ),
            K::CrossTableReference { reference } => write!(
                f,
                "`{{{{{reference}}}}}` looks like a reference into another table; \
                 `{{{{...}}}}` only names columns of the same table"
            ),
            K::MalformedReference { text } => write!(f, "malformed column reference `{text}`"),
            K::WrongTableType { table, expected } => {
                write!(f, "table `{table}` must be a `{expected}` table here")
            }
            K::DuplicateWorkbook { workbook } => write!(f, "duplicate workbook name `{workbook}`"),
            K::UnknownEnrichment { name } => write!(f, "unknown enrichment `{name}`"),
            K::MissingInput { enrichment, input } => {
                write!(f, "enrichment `{enrichment}` needs input `{input}`")
            }
            K::UnknownInput { enrichment, input } => {
                write!(f, "enrichment `{enrichment}` has no input `{input}`")
            }
            K::UnknownModel { model } => write!(f, "unknown AI model `{model}`"),
            K::ModelUseCaseMismatch { model, use_case } => {
                write!(f, "model `{model}` cannot run the `{use_case}` use case")
            }
            K::InvalidOutputSchema { message } => write!(f, "invalid AI output schema: {message}"),
            K::UnknownClient { client } => write!(f, "unknown client `{client}`"),
            K::InvalidProjectFile { message } => write!(f, "invalid project file: {message}"),
            K::UnverifiedEnrichment { name } => write!(
                f,
                "enrichment `{name}` has no verified Clay action: it is planned and costed, but \
                 apply can't create it"
            ),
            K::BudgetExceeded {
                scope,
                estimated,
                budget,
                unit,
            } => write!(
                f,
                "{scope} is estimated at {estimated:.1} {unit}, over its budget of {budget:.1}"
            ),
            K::BudgetNearlyExceeded {
                scope,
                estimated,
                budget,
                unit,
            } => write!(
                f,
                "{scope} is estimated at {estimated:.1} {unit}, within 10% of its budget of \
                 {budget:.1}"
            ),
            K::CsvUnreadable { path, reason } => {
                write!(f, "cannot read CSV file `{path}`: {reason}")
            }
            K::CsvMissingHeader { header, path } => {
                write!(f, "`{path}` has no header `{header}`")
            }
            K::CsvKeyNotFilled { key, path } => {
                write!(f, "no header of `{path}` fills the key column `{key}`")
            }
            K::CsvHeadersIgnored {
                headers,
                path,
                table,
            } => {
                let list: Vec<String> = headers.iter().map(|h| format!("`{h}`")).collect();
                let (noun, verb, whose) = if headers.len() == 1 {
                    ("header", "matches", "its")
                } else {
                    ("headers", "match", "their")
                };
                write!(
                    f,
                    "{noun} {} of `{path}` {verb} no column of table `{table}`; {whose} values \
                     are not loaded",
                    list.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_picks_the_closest_name() {
        let help = did_you_mean("Compnay Domain", ["Name", "Company Domain", "Email"]);
        assert_eq!(help.as_deref(), Some("did you mean `Company Domain`?"));
        assert_eq!(did_you_mean("zzzz", ["Name"]), None);
    }

    #[test]
    fn cycle_message_names_the_path() {
        let kind = DiagnosticKind::ReferenceCycle {
            path: vec!["A".into(), "B".into(), "A".into()],
        };
        assert_eq!(
            kind.to_string(),
            "columns reference each other in a cycle: `A` → `B` → `A`"
        );
        assert_eq!(kind.code(), "CF204");
    }
}
