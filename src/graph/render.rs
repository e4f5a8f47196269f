//! Text renderings of a [`Graph`]: Graphviz DOT and Mermaid.
//!
//! Owns: formatting only (strings in, strings out); the command-line layer prints them.

use std::fmt::Write;

use super::{EdgeKind, Graph, NodeId};

fn node_key(node: NodeId) -> String {
    match node {
        NodeId::Source(t) => format!("t{}_source", t.0),
        NodeId::Column(c) => format!("t{}_c{}", c.table.0, c.column),
    }
}

fn edge_label(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Reference => "",
        EdgeKind::FromSource => "from_source",
        EdgeKind::Lookup => "lookup",
        EdgeKind::SendTo => "send_to",
        EdgeKind::CompanyTable => "company_table",
    }
}

fn quote_dot(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn quote_mermaid(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "#quot;"))
}

fn nodes_of(graph: &Graph, table: usize) -> impl Iterator<Item = NodeId> + '_ {
    graph.nodes.iter().copied().filter(move |n| match n {
        NodeId::Source(t) => t.0 == table,
        NodeId::Column(c) => c.table.0 == table,
    })
}

fn label(graph: &Graph, node: NodeId) -> String {
    match node {
        NodeId::Source(_) => "source".to_string(),
        NodeId::Column(_) => graph.short_name(node),
    }
}

/// Graphviz DOT; edges point from a dependency to what uses it (data flow).
pub fn to_dot(graph: &Graph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote_dot(&graph.workbook));
    let _ = writeln!(out, "  rankdir=LR;");
    let _ = writeln!(out, "  node [shape=box];");
    for (t, table) in graph.tables.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_t{t} {{");
        let _ = writeln!(out, "    label={};", quote_dot(&table.name));
        for node in nodes_of(graph, t) {
            let shape = if matches!(node, NodeId::Source(_)) {
                ", shape=cylinder"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    {} [label={}{shape}];",
                node_key(node),
                quote_dot(&label(graph, node))
            );
        }
        let _ = writeln!(out, "  }}");
    }
    for edge in &graph.edges {
        let label = edge_label(edge.kind);
        let attributes = if label.is_empty() {
            String::new()
        } else {
            format!(" [label={}]", quote_dot(label))
        };
        let _ = writeln!(
            out,
            "  {} -> {}{attributes};",
            node_key(edge.to),
            node_key(edge.from)
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart; edges point from a dependency to what uses it (data flow).
pub fn to_mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (t, table) in graph.tables.iter().enumerate() {
        let _ = writeln!(out, "  subgraph t{t}[{}]", quote_mermaid(&table.name));
        for node in nodes_of(graph, t) {
            let text = quote_mermaid(&label(graph, node));
            let _ = match node {
                NodeId::Source(_) => writeln!(out, "    {}[({text})]", node_key(node)),
                NodeId::Column(_) => writeln!(out, "    {}[{text}]", node_key(node)),
            };
        }
        out.push_str("  end\n");
    }
    for edge in &graph.edges {
        let label = edge_label(edge.kind);
        let arrow = if label.is_empty() {
            "-->".to_string()
        } else {
            format!("-->|{label}|")
        };
        let _ = writeln!(
            out,
            "  {} {arrow} {}",
            node_key(edge.to),
            node_key(edge.from)
        );
    }
    out
}
