//! Lowering one parsed workbook spec to the model, with the checks that need only one column.
//!
//! Owns: AST → [`crate::model::Workbook`], spans looked up by JSON Pointer, CF104 (exactly one
//! kind per column), keys that don't fit the column's kind (CF102/CF103), CF209 (`from_source`
//! without a source), CF210 (`run_if` on a formula), and template scanning (CF212).
//! Must not know: other columns or tables (name checks are in `tables`, resolution in `graph`),
//! the catalog, files on disk.

use indexmap::IndexMap;

use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::model::{
    Ai, Budget, Column, ColumnKind, CsvSource, DataType, Enrichment, FindCompanies, FindPeople,
    Http, InputValue, Lookup, Name, OutputSchema, OutputType, SendTo, Source, SourceKind, Table,
    TableType, Template, UseCase, WebhookSource, Workbook,
};
use crate::source::{SourceMap, Span};
use crate::spec::ParsedWorkbook;
use crate::spec::ast::{
    AiSpec, ColumnSpec, DataTypeSpec, InputSpec, NamesSpec, OutputTypeName, OutputTypeSpec,
    SourceSpec, TableSpec, TableTypeSpec, UseCaseSpec,
};
use crate::spec::node::{SpanIndex, escape_cow};
use crate::spec::recover::BrokenParts;

/// Lower `parsed` to the model. Problems become diagnostics; the workbook is always produced.
pub fn lower(sources: &SourceMap, parsed: &ParsedWorkbook) -> (Workbook, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        sources,
        spans: &parsed.spans,
        broken: &parsed.broken,
        diagnostics: Vec::new(),
    };
    let workbook = lowerer.workbook(parsed);
    (workbook, lowerer.diagnostics)
}

struct Lowerer<'a> {
    sources: &'a SourceMap,
    spans: &'a SpanIndex,
    /// Parts with schema errors: they exist, but nothing more is said about them.
    broken: &'a BrokenParts,
    diagnostics: Vec<Diagnostic>,
}

/// A JSON Pointer under construction.
#[derive(Clone)]
struct Path(String);

impl Path {
    fn root() -> Path {
        Path(String::new())
    }
    fn at(&self, segment: &str) -> Path {
        // Built by hand: `format!` here was a tenth of `validate`'s time in profiles.
        let segment = escape_cow(segment);
        let mut pointer = String::with_capacity(self.0.len() + 1 + segment.len());
        pointer.push_str(&self.0);
        pointer.push('/');
        pointer.push_str(&segment);
        Path(pointer)
    }
    fn index(&self, index: usize) -> Path {
        self.at(&index.to_string())
    }
}

impl Lowerer<'_> {
    fn key_span(&self, path: &Path) -> Span {
        self.spans.key(&path.0)
    }

    fn value_span(&self, path: &Path) -> Span {
        self.spans.value(&path.0)
    }

    /// A name written as a value (`client: acme`).
    fn value_name(&self, path: &Path, text: &str) -> Name {
        Name::new(text, self.value_span(path))
    }

    /// A name written as a key (`Companies:`).
    fn key_name(&self, path: &Path, text: &str) -> Name {
        Name::new(text, self.key_span(path))
    }

    fn template(&mut self, path: &Path, text: &str) -> Template {
        let span = self.value_span(path);
        let raw = self.sources.get(span.file).slice(span);
        let (template, diagnostics) = super::template::scan(text, span, raw);
        self.diagnostics.extend(diagnostics);
        template
    }

    fn names(&self, path: &Path, names: Option<&NamesSpec>) -> Vec<Name> {
        names.map_or_else(Vec::new, |names| {
            names
                .names()
                .into_iter()
                .map(|(index, name)| match index {
                    Some(i) => self.value_name(&path.index(i), name),
                    None => self.value_name(path, name),
                })
                .collect()
        })
    }

    fn workbook(&mut self, parsed: &ParsedWorkbook) -> Workbook {
        let spec = &parsed.ast;
        let root = Path::root();
        let tables_path = root.at("tables");
        let tables = spec
            .tables
            .iter()
            .map(|(name, table)| self.table(&tables_path.at(name), name, table))
            .collect();
        Workbook {
            name: self.value_name(&root.at("workbook"), &spec.workbook),
            client: spec
                .client
                .as_ref()
                .map(|c| self.value_name(&root.at("client"), c)),
            description: spec.description.clone(),
            budget: spec
                .budget
                .as_ref()
                .map_or_else(Budget::default, |b| Budget {
                    max_credits: b.max_credits,
                    max_actions: b.max_actions,
                    span: Some(self.key_span(&root.at("budget"))),
                }),
            tables,
            file: parsed.file,
        }
    }

    fn table(&mut self, path: &Path, name: &str, spec: &TableSpec) -> Table {
        let source = spec
            .source
            .as_ref()
            .and_then(|s| self.source(&path.at("source"), s));
        // A source dropped for schema errors still counts, so `from_source` columns don't also
        // report CF209.
        let table_has_source = source.is_some() || self.broken.source(&path.at("source").0);
        let columns_path = path.at("columns");
        let columns = spec
            .columns
            .iter()
            .map(|(column_name, column)| {
                self.column(
                    &columns_path.at(column_name),
                    name,
                    column_name,
                    column,
                    table_has_source,
                )
            })
            .collect();
        Table {
            name: self.key_name(path, name),
            table_type: match spec.table_type {
                TableTypeSpec::Company => TableType::Company,
                TableTypeSpec::People => TableType::People,
                TableTypeSpec::Spreadsheet => TableType::Spreadsheet,
                TableTypeSpec::Jobs => TableType::Jobs,
            },
            description: spec.description.clone(),
            source,
            columns,
            auto_run: spec.auto_run.unwrap_or(false),
            protect: spec.protect.unwrap_or(false),
            renamed_from: self.names(&path.at("renamed_from"), spec.renamed_from.as_ref()),
        }
    }

    fn source(&mut self, path: &Path, spec: &SourceSpec) -> Option<Source> {
        let (keyword, kind) = if let Some(find) = &spec.find_companies {
            let kind = SourceKind::FindCompanies(FindCompanies {
                industries: find.industries.clone(),
                locations: find.locations.clone(),
                sizes: find.sizes.clone(),
                keywords: find.keywords.clone(),
                limit: find.limit,
                filters: find.filters.clone(),
            });
            ("find_companies", kind)
        } else if let Some(find) = &spec.find_people {
            let at = path.at("find_people");
            let kind = SourceKind::FindPeople(FindPeople {
                company_table: find
                    .company_table
                    .as_ref()
                    .map(|t| self.value_name(&at.at("company_table"), t)),
                job_titles: find.job_titles.clone(),
                seniorities: find.seniorities.clone(),
                locations: find.locations.clone(),
                limit: find.limit,
                filters: find.filters.clone(),
            });
            ("find_people", kind)
        } else if let Some(csv) = &spec.csv {
            let at = path.at("csv");
            let mapping_path = at.at("mapping");
            let kind = SourceKind::Csv(CsvSource {
                path: self.value_name(&at.at("path"), &csv.path),
                key: csv.key.as_ref().map(|k| self.value_name(&at.at("key"), k)),
                mapping: csv
                    .mapping
                    .iter()
                    .map(|(header, column)| {
                        (
                            header.clone(),
                            self.value_name(&mapping_path.at(header), column),
                        )
                    })
                    .collect(),
                expected_rows: csv.expected_rows,
            });
            ("csv", kind)
        } else if let Some(webhook) = &spec.webhook {
            let kind = SourceKind::Webhook(WebhookSource {
                auth_token: webhook.auth_token.unwrap_or(false),
                expected_rows: webhook.expected_rows,
            });
            ("webhook", kind)
        } else if let Some(rows) = &spec.rows {
            let at = path.at("rows");
            let rows = rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let row_path = at.index(i);
                    row.iter()
                        .map(|(column, value)| {
                            (self.key_name(&row_path.at(column), column), value.clone())
                        })
                        .collect::<IndexMap<_, _>>()
                })
                .collect();
            ("rows", SourceKind::Rows(rows))
        } else {
            return None;
        };
        Some(Source {
            kind,
            span: self.key_span(&path.at(keyword)),
        })
    }

    /// The kind keys present on a column, in the order the spec language lists them.
    fn kind_keys(spec: &ColumnSpec) -> Vec<&'static str> {
        [
            ("from_source", spec.from_source.is_some()),
            ("formula", spec.formula.is_some()),
            ("enrichment", spec.enrichment.is_some()),
            ("ai", spec.ai.is_some()),
            ("lookup", spec.lookup.is_some()),
            ("send_to", spec.send_to.is_some()),
            ("http", spec.http.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, present)| present.then_some(key))
        .collect()
    }

    fn column(
        &mut self,
        path: &Path,
        table: &str,
        name: &str,
        spec: &ColumnSpec,
        table_has_source: bool,
    ) -> Column {
        let key_span = self.key_span(path);
        if self.broken.column(&path.0) {
            return Self::broken_column(name, key_span);
        }
        let kinds = Self::kind_keys(spec);
        let kind = if kinds.len() > 1 || (kinds.is_empty() && spec.data_type.is_none()) {
            let mut diagnostic = Diagnostic::new(
                DiagnosticKind::ColumnKindCount {
                    column: name.to_string(),
                    found: kinds.iter().map(ToString::to_string).collect(),
                },
                key_span,
            )
            .with_help(if kinds.is_empty() {
                "a plain input column needs at least `type: text`"
            } else {
                "split it into one column per kind"
            });
            for key in &kinds {
                diagnostic = diagnostic.with_label(self.key_span(&path.at(key)), "a kind");
            }
            self.diagnostics.push(diagnostic);
            ColumnKind::Input
        } else {
            self.column_kind(
                path,
                name,
                spec,
                kinds.first().copied(),
                table_has_source,
                table,
            )
        };
        self.kind_specific_keys(path, spec, &kind);
        let run_if = spec
            .run_if
            .as_ref()
            .map(|r| self.template(&path.at("run_if"), r));
        if run_if.is_some() && matches!(kind, ColumnKind::Formula { .. }) {
            self.diagnostics.push(
                Diagnostic::new(
                    DiagnosticKind::RunIfIgnored {
                        column: name.to_string(),
                    },
                    self.key_span(&path.at("run_if")),
                )
                .with_primary_label("ignored by Clay")
                .with_help("fold the condition into the formula, e.g. `cond ? value : \"\"`"),
            );
        }
        Column {
            name: Name::new(name, key_span),
            kind,
            data_type: self.data_type(path, spec),
            description: spec.description.clone(),
            run_if,
            run_as_button: spec.run_as_button.unwrap_or(false),
            renamed_from: self.names(&path.at("renamed_from"), spec.renamed_from.as_ref()),
            protect: spec.protect.unwrap_or(false),
            span: key_span,
        }
    }

    /// A column whose schema errors were reported: it exists (references to it resolve), as a
    /// plain input with no type, so no later check says anything more about it.
    fn broken_column(name: &str, key_span: Span) -> Column {
        Column {
            name: Name::new(name, key_span),
            kind: ColumnKind::Input,
            data_type: None,
            description: None,
            run_if: None,
            run_as_button: false,
            renamed_from: Vec::new(),
            protect: false,
            span: key_span,
        }
    }

    fn column_kind(
        &mut self,
        path: &Path,
        name: &str,
        spec: &ColumnSpec,
        kind: Option<&str>,
        table_has_source: bool,
        table: &str,
    ) -> ColumnKind {
        match kind {
            Some("from_source") => {
                let source_path = spec.from_source.clone().unwrap_or_default();
                let at = path.at("from_source");
                if !table_has_source {
                    self.diagnostics.push(
                        Diagnostic::new(
                            DiagnosticKind::InvalidSourcePath {
                                table: table.to_string(),
                                path: source_path.clone(),
                            },
                            self.value_span(&at),
                        )
                        .with_primary_label("no source to read from")
                        .with_help(format!(
                            "give table `{table}` a `source:`, or make `{name}` a plain \
                             input column (`type: text`)"
                        )),
                    );
                }
                ColumnKind::FromSource {
                    path: self.value_name(&at, &source_path),
                }
            }
            Some("formula") => ColumnKind::Formula {
                formula: self.template(&path.at("formula"), spec.formula.as_deref().unwrap_or("")),
            },
            Some("enrichment") => {
                let inputs_path = path.at("inputs");
                let mut inputs = IndexMap::new();
                for (input, value) in spec.inputs.iter().flatten() {
                    let at = inputs_path.at(input);
                    let value = match value {
                        InputSpec::Text(text) => InputValue::Template(self.template(&at, text)),
                        InputSpec::Number(number) => {
                            InputValue::Template(self.template(&at, &number.to_string()))
                        }
                        InputSpec::Bool(flag) => {
                            InputValue::Template(self.template(&at, &flag.to_string()))
                        }
                        InputSpec::Map(map) => InputValue::Map(
                            map.iter()
                                .map(|(k, v)| (k.clone(), self.template(&at.at(k), v)))
                                .collect(),
                        ),
                    };
                    inputs.insert(self.key_name(&at, input), value);
                }
                ColumnKind::Enrichment(Enrichment {
                    action: self.value_name(
                        &path.at("enrichment"),
                        spec.enrichment.as_deref().unwrap_or(""),
                    ),
                    inputs,
                    auth_account: spec.auth_account.clone(),
                })
            }
            Some("ai") => match &spec.ai {
                Some(ai) => ColumnKind::Ai(self.ai(&path.at("ai"), ai)),
                None => ColumnKind::Input,
            },
            Some("lookup") => match &spec.lookup {
                Some(lookup) => {
                    let at = path.at("lookup");
                    let match_path = at.at("match");
                    ColumnKind::Lookup(Lookup {
                        table: self.value_name(&at.at("table"), &lookup.table),
                        match_column: self
                            .value_name(&match_path.at("column"), &lookup.match_.column),
                        value: self.template(&match_path.at("value"), &lookup.match_.value),
                        operator: lookup
                            .match_
                            .operator
                            .map_or("EQUAL", |o| o.as_str())
                            .to_string(),
                        multiple: lookup.multiple.unwrap_or(false),
                        limit: lookup.limit,
                    })
                }
                None => ColumnKind::Input,
            },
            Some("send_to") => match &spec.send_to {
                Some(send) => {
                    let at = path.at("send_to");
                    let fields_path = at.at("fields");
                    let fields = send
                        .fields
                        .iter()
                        .map(|(target, value)| {
                            let field = fields_path.at(target);
                            (self.key_name(&field, target), self.template(&field, value))
                        })
                        .collect();
                    ColumnKind::SendTo(SendTo {
                        table: self.value_name(&at.at("table"), &send.table),
                        fields,
                    })
                }
                None => ColumnKind::Input,
            },
            Some("http") => match &spec.http {
                Some(http) => {
                    let at = path.at("http");
                    let map = |this: &mut Self, key: &str, values: &IndexMap<String, String>| {
                        let base = at.at(key);
                        values
                            .iter()
                            .map(|(k, v)| (k.clone(), this.template(&base.at(k), v)))
                            .collect::<IndexMap<_, _>>()
                    };
                    let headers = map(self, "headers", &http.headers);
                    let query = map(self, "query", &http.query);
                    ColumnKind::Http(Http {
                        method: http.method.map_or("GET", |m| m.as_str()).to_string(),
                        url: self.template(&at.at("url"), &http.url),
                        headers,
                        query,
                        body: http.body.as_ref().map(|b| self.template(&at.at("body"), b)),
                        field_paths: http.field_paths.clone(),
                    })
                }
                None => ColumnKind::Input,
            },
            _ => ColumnKind::Input,
        }
    }

    fn ai(&mut self, path: &Path, spec: &AiSpec) -> Ai {
        let output = spec.output.as_ref().map(|fields| {
            let output_path = path.at("output");
            OutputSchema {
                fields: fields
                    .iter()
                    .map(|(field, output_type)| {
                        let output_type = match output_type {
                            OutputTypeSpec::Type(name) => match name {
                                OutputTypeName::String => OutputType::String,
                                OutputTypeName::Number => OutputType::Number,
                                OutputTypeName::Integer => OutputType::Integer,
                                OutputTypeName::Boolean => OutputType::Boolean,
                                OutputTypeName::Array => OutputType::Array,
                                OutputTypeName::Object => OutputType::Object,
                            },
                            OutputTypeSpec::Enum(values) => OutputType::Enum(values.clone()),
                        };
                        (self.key_name(&output_path.at(field), field), output_type)
                    })
                    .collect(),
                span: self.key_span(&output_path),
            }
        });
        Ai {
            model: spec
                .model
                .as_ref()
                .map(|m| self.value_name(&path.at("model"), m)),
            prompt: self.template(&path.at("prompt"), &spec.prompt),
            system_prompt: spec
                .system_prompt
                .as_ref()
                .map(|p| self.template(&path.at("system_prompt"), p)),
            use_case: spec.use_case.map(|u| match u {
                UseCaseSpec::Content => UseCase::Content,
                UseCaseSpec::WebResearch => UseCase::WebResearch,
            }),
            output,
            temperature: spec.temperature,
            max_cost_cents: spec.max_cost_cents,
        }
    }

    /// `inputs` without `enrichment`, `options` without a select type, and the like.
    fn kind_specific_keys(&mut self, path: &Path, spec: &ColumnSpec, kind: &ColumnKind) {
        let enrichment = matches!(kind, ColumnKind::Enrichment(_));
        let select = matches!(
            spec.data_type,
            Some(DataTypeSpec::Select | DataTypeSpec::Multiselect)
        );
        let misplaced = [
            (
                "inputs",
                spec.inputs.is_some() && !enrichment,
                "`enrichment` columns",
            ),
            (
                "auth_account",
                spec.auth_account.is_some() && !enrichment,
                "`enrichment` columns",
            ),
            (
                "options",
                spec.options.is_some() && !select,
                "`select` and `multiselect` columns",
            ),
            (
                "currency",
                spec.currency.is_some() && spec.data_type != Some(DataTypeSpec::Currency),
                "`currency` columns",
            ),
        ];
        for (key, wrong, applies_to) in misplaced {
            if wrong {
                let at = path.at(key);
                self.diagnostics.push(
                    Diagnostic::new(
                        DiagnosticKind::InvalidValue {
                            path: dotted(&at),
                            message: format!("`{key}` only applies to {applies_to}"),
                        },
                        self.key_span(&at),
                    )
                    .with_primary_label("not used by this column"),
                );
            }
        }
        if select && spec.options.as_ref().is_none_or(Vec::is_empty) {
            let column = path.0.rsplit('/').next().unwrap_or_default().to_string();
            self.diagnostics.push(
                Diagnostic::new(
                    DiagnosticKind::MissingKey {
                        key: "options".into(),
                        context: format!("column `{}`", unescape(&column)),
                    },
                    self.value_span(&path.at("type")),
                )
                .with_help("list the choices: `options: [Hot, Warm, Cold]`"),
            );
        }
    }

    fn data_type(&self, _path: &Path, spec: &ColumnSpec) -> Option<DataType> {
        let options = spec.options.clone().unwrap_or_default();
        spec.data_type.map(|t| match t {
            DataTypeSpec::Text => DataType::Text,
            DataTypeSpec::Number => DataType::Number,
            DataTypeSpec::Url => DataType::Url,
            DataTypeSpec::Email => DataType::Email,
            DataTypeSpec::Boolean => DataType::Boolean,
            DataTypeSpec::Date => DataType::Date,
            DataTypeSpec::Json => DataType::Json,
            DataTypeSpec::Select => DataType::Select { options },
            DataTypeSpec::Multiselect => DataType::MultiSelect { options },
            DataTypeSpec::Currency => DataType::Currency {
                code: spec.currency.clone().unwrap_or_else(|| "USD".into()),
            },
            DataTypeSpec::Percent => DataType::Percent,
        })
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn dotted(path: &Path) -> String {
    path.0
        .split('/')
        .skip(1)
        .map(unescape)
        .collect::<Vec<_>>()
        .join(".")
}
