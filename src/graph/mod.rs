//! The column dependency graph: references resolved to typed ids, topological order, cycles.
//!
//! Owns: the third stage, [`resolve`]: every `{{Name}}` and cross-table link of a
//! [`Workbook`] becomes an [`Edge`] between [`NodeId`]s, or a diagnostic (CF203 unknown column,
//! CF205 unknown table, CF211 cross-table reference, CF213 wrong table type, CF204 cycle). A
//! [`Graph`] holds ids only, so it can't hold a dangling reference.
//! Pure: no I/O, no printing. Must not know: YAML, the catalog, Clay's field ids.

mod cycles;
mod render;
mod resolve;

pub use render::{to_dot, to_mermaid};
pub use resolve::resolve;

use crate::source::Span;

/// A table of the workbook, by position (file order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

/// A column, by table and position (file order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnId {
    pub table: TableId,
    pub column: usize,
}

/// A node of the graph: a table's source (rows arriving) or a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeId {
    Source(TableId),
    Column(ColumnId),
}

/// Why one node depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// `{{Column}}` in a formula, prompt, input, run condition, HTTP part or lookup value.
    Reference,
    /// `from_source`: the column reads the table's source record.
    FromSource,
    /// `lookup`: the lookup reads the other table's match column.
    Lookup,
    /// `send_to`: the target table's source is fed by the sending column.
    SendTo,
    /// `find_people.company_table`: the people search runs over the company table's rows.
    CompanyTable,
}

/// `from` depends on `to`; `span` is where the dependency is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: EdgeKind,
    pub span: Span,
}

/// Names of the graph's tables and columns, indexed by the ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    pub name: String,
    pub columns: Vec<String>,
}

/// The resolved dependency graph of one workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub workbook: String,
    pub tables: Vec<TableNames>,
    /// Every node in file order: each table's source, then its columns.
    pub nodes: Vec<NodeId>,
    /// Deduplicated, in the order references appear.
    pub edges: Vec<Edge>,
    /// Dependencies before dependents; ties broken by file order. Nodes on a cycle are left out.
    pub order: Vec<NodeId>,
}

impl Graph {
    /// `Companies.Domain`, or `Companies (source)`.
    pub fn qualified_name(&self, node: NodeId) -> String {
        match node {
            NodeId::Source(table) => format!("{} (source)", self.tables[table.0].name),
            NodeId::Column(column) => format!(
                "{}.{}",
                self.tables[column.table.0].name,
                self.tables[column.table.0].columns[column.column]
            ),
        }
    }

    /// The column's own name, or `Table (source)`.
    pub fn short_name(&self, node: NodeId) -> String {
        match node {
            NodeId::Source(_) => self.qualified_name(node),
            NodeId::Column(column) => self.tables[column.table.0].columns[column.column].clone(),
        }
    }

    /// What `node` depends on directly.
    pub fn dependencies(&self, node: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.edges
            .iter()
            .filter(move |e| e.from == node)
            .map(|e| e.to)
    }
}
