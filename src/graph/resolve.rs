//! Name resolution: model references (names) → graph edges (ids), or diagnostics.
//!
//! Owns: which templates of each column kind can reference columns, and the cross-table links.

use std::collections::{HashMap, HashSet};

use foldhash::fast::RandomState;

use super::{ColumnId, Edge, EdgeKind, Graph, NodeId, TableId, TableNames};
use crate::diagnostics::{Diagnostic, DiagnosticKind, did_you_mean};
use crate::model::{ColumnKind, Name, SourceKind, TableType, Template, Workbook};
use crate::source::Span;

/// Resolve every reference of `workbook`; order the nodes; report cycles.
pub fn resolve(workbook: &Workbook) -> (Graph, Vec<Diagnostic>) {
    let mut resolver = Resolver::new(workbook);
    resolver.run();
    let Resolver {
        mut graph,
        mut diagnostics,
        ..
    } = resolver;
    let (order, cycle_diagnostics) = super::cycles::order(&graph);
    graph.order = order;
    diagnostics.extend(cycle_diagnostics);
    (graph, diagnostics)
}

struct Resolver<'a> {
    workbook: &'a Workbook,
    /// First table with each name (duplicates are reported by the parser).
    tables: HashMap<&'a str, TableId, RandomState>,
    columns: Vec<HashMap<&'a str, usize, RandomState>>,
    graph: Graph,
    /// The edges already in `graph`, so adding one is not a scan of all of them (that scan was
    /// quadratic in the workbook's references). foldhash rather than SipHash in these maps:
    /// SipHash was a third of resolving in profiles.
    edge_ends: HashSet<(NodeId, NodeId), RandomState>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Resolver<'a> {
    fn new(workbook: &'a Workbook) -> Self {
        let mut tables = HashMap::default();
        let mut columns = Vec::new();
        let mut nodes = Vec::new();
        let mut names = Vec::new();
        let mut column_count = 0;
        for (t, table) in workbook.tables.iter().enumerate() {
            tables.entry(table.name.as_str()).or_insert(TableId(t));
            column_count += table.columns.len();
            let mut by_name =
                HashMap::with_capacity_and_hasher(table.columns.len(), RandomState::default());
            nodes.push(NodeId::Source(TableId(t)));
            for (c, column) in table.columns.iter().enumerate() {
                by_name.entry(column.name.as_str()).or_insert(c);
                nodes.push(NodeId::Column(ColumnId {
                    table: TableId(t),
                    column: c,
                }));
            }
            columns.push(by_name);
            names.push(TableNames {
                name: table.name.text.clone(),
                columns: table.columns.iter().map(|c| c.name.text.clone()).collect(),
            });
        }
        Resolver {
            workbook,
            tables,
            columns,
            graph: Graph {
                workbook: workbook.name.text.clone(),
                tables: names,
                nodes,
                edges: Vec::new(),
                order: Vec::new(),
            },
            // Most columns have a reference or two.
            edge_ends: HashSet::with_capacity_and_hasher(2 * column_count, RandomState::default()),
            diagnostics: Vec::new(),
        }
    }

    fn edge(&mut self, from: NodeId, to: NodeId, kind: EdgeKind, span: Span) {
        if self.edge_ends.insert((from, to)) {
            self.graph.edges.push(Edge {
                from,
                to,
                kind,
                span,
            });
        }
    }

    fn table(&mut self, name: &Name, what: &str) -> Option<TableId> {
        if let Some(id) = self.tables.get(name.as_str()) {
            return Some(*id);
        }
        let candidates = self.workbook.tables.iter().map(|t| t.name.as_str());
        let mut diagnostic = Diagnostic::new(
            DiagnosticKind::UnknownTable {
                reference: name.text.clone(),
            },
            name.span,
        )
        .with_primary_label(format!("no table of this workbook is named this ({what})"));
        if let Some(help) = did_you_mean(&name.text, candidates) {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
        None
    }

    fn run(&mut self) {
        for (t, table) in self.workbook.tables.iter().enumerate() {
            let table_id = TableId(t);
            if let Some(source) = &table.source
                && let SourceKind::FindPeople(find) = &source.kind
                && let Some(company_table) = &find.company_table
                && let Some(company) = self.table(company_table, "`find_people.company_table`")
            {
                let target = &self.workbook.tables[company.0];
                if target.table_type != TableType::Company {
                    self.diagnostics.push(
                        Diagnostic::new(
                            DiagnosticKind::WrongTableType {
                                table: company_table.text.clone(),
                                expected: "company".into(),
                            },
                            company_table.span,
                        )
                        .with_primary_label("not a company table")
                        .with_label(
                            target.name.span,
                            format!("declared as `type: {}`", target.table_type.as_str()),
                        )
                        .with_help("`find_people` searches the companies of a company table"),
                    );
                }
                self.edge(
                    NodeId::Source(table_id),
                    NodeId::Source(company),
                    EdgeKind::CompanyTable,
                    company_table.span,
                );
            }
            if let Some(source) = &table.source
                && let SourceKind::Csv(csv) = &source.kind
            {
                // The CSV key and mapping targets must be columns of the table.
                for name in csv.key.iter().chain(csv.mapping.values()) {
                    if !self.columns[t].contains_key(name.as_str()) {
                        self.unknown_column(table_id, name);
                    }
                }
            }
            for (c, column) in table.columns.iter().enumerate() {
                let node = NodeId::Column(ColumnId {
                    table: table_id,
                    column: c,
                });
                self.column_edges(table_id, node, &column.kind);
                if let Some(run_if) = &column.run_if {
                    self.references(table_id, node, run_if);
                }
            }
        }
    }

    fn column_edges(&mut self, table: TableId, node: NodeId, kind: &'a ColumnKind) {
        match kind {
            ColumnKind::Input => {}
            ColumnKind::FromSource { path } => {
                self.edge(node, NodeId::Source(table), EdgeKind::FromSource, path.span);
            }
            ColumnKind::Formula { formula } => self.references(table, node, formula),
            ColumnKind::Enrichment(enrichment) => {
                for value in enrichment.inputs.values() {
                    for template in value.templates() {
                        self.references(table, node, template);
                    }
                }
            }
            ColumnKind::Ai(ai) => {
                self.references(table, node, &ai.prompt);
                if let Some(system) = &ai.system_prompt {
                    self.references(table, node, system);
                }
            }
            ColumnKind::Lookup(lookup) => {
                self.references(table, node, &lookup.value);
                if let Some(other) = self.table(&lookup.table, "`lookup.table`") {
                    match self.columns[other.0].get(lookup.match_column.as_str()) {
                        Some(&column) => self.edge(
                            node,
                            NodeId::Column(ColumnId {
                                table: other,
                                column,
                            }),
                            EdgeKind::Lookup,
                            lookup.match_column.span,
                        ),
                        None => self.unknown_column(other, &lookup.match_column),
                    }
                }
            }
            ColumnKind::SendTo(send) => {
                for value in send.fields.values() {
                    self.references(table, node, value);
                }
                if let Some(target) = self.table(&send.table, "`send_to.table`") {
                    self.edge(
                        NodeId::Source(target),
                        node,
                        EdgeKind::SendTo,
                        send.table.span,
                    );
                }
            }
            ColumnKind::Http(http) => {
                self.references(table, node, &http.url);
                for template in http.headers.values().chain(http.query.values()) {
                    self.references(table, node, template);
                }
                if let Some(body) = &http.body {
                    self.references(table, node, body);
                }
            }
        }
    }

    fn references(&mut self, table: TableId, node: NodeId, template: &Template) {
        for reference in &template.refs {
            match self.columns[table.0].get(reference.name.as_str()) {
                Some(&column) => self.edge(
                    node,
                    NodeId::Column(ColumnId { table, column }),
                    EdgeKind::Reference,
                    reference.span,
                ),
                None => {
                    let name = Name::new(reference.name.clone(), reference.span);
                    if !self.cross_table(&name) {
                        self.unknown_column(table, &name);
                    }
                }
            }
        }
    }

    /// CF211 for `{{Table.Column}}` where `Table` is a table of this workbook.
    fn cross_table(&mut self, reference: &Name) -> bool {
        let Some((prefix, rest)) = reference.text.split_once('.') else {
            return false;
        };
        let Some(&other) = self.tables.get(prefix.trim()) else {
            return false;
        };
        let table = &self.workbook.tables[other.0].name.text;
        let help = format!(
            "add a `lookup` column on `{table}` and reference that column, e.g. \
             `lookup: {{table: {table}, match: {{column: ..., value: ...}}}}`, then `{{{{{rest}}}}}` \
             becomes a column of this table"
        );
        self.diagnostics.push(
            Diagnostic::new(
                DiagnosticKind::CrossTableReference {
                    reference: reference.text.clone(),
                },
                reference.span,
            )
            .with_primary_label("another table's column")
            .with_help(help),
        );
        true
    }

    fn unknown_column(&mut self, table: TableId, reference: &Name) {
        let names = &self.graph.tables[table.0];
        let mut diagnostic = Diagnostic::new(
            DiagnosticKind::UnknownColumn {
                table: names.name.clone(),
                reference: reference.text.clone(),
            },
            reference.span,
        )
        .with_primary_label("no column with this name");
        if let Some(help) = did_you_mean(&reference.text, names.columns.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(help);
        }
        self.diagnostics.push(diagnostic);
    }
}
