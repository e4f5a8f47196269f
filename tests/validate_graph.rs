//! The column dependency graph: references and cross-table links become edges, the order is
//! deterministic, and cycles are reported with their path and every edge.

use clayform::catalog::Catalog;
use clayform::graph::{self, EdgeKind, Graph, NodeId};
use clayform::model::Workbook;
use clayform::source::SourceMap;
use clayform::{spec, validate};

fn workbook(text: &str) -> (SourceMap, Workbook, Vec<clayform::diagnostics::Diagnostic>) {
    let mut sources = SourceMap::new();
    let file = sources.add("graph.yaml", text.to_string());
    let (parsed, diagnostics) = spec::parse(&sources, file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let parsed = parsed.expect("parses");
    let checked = validate::check(&sources, &[parsed], None, &Catalog::builtin());
    let workbook = checked.workbooks.into_iter().next().expect("a workbook");
    (sources, workbook, checked.diagnostics)
}

fn names(graph: &Graph, nodes: &[NodeId]) -> Vec<String> {
    nodes.iter().map(|n| graph.qualified_name(*n)).collect()
}

#[test]
fn the_outbound_example_orders_dependencies_first_across_tables() {
    let (_, workbook, diagnostics) = workbook(include_str!("../specs/outbound-two-tables.yaml"));
    let errors: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.code() != "CF307" && d.code() != "CF308")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let (graph, problems) = graph::resolve(&workbook);
    assert!(problems.is_empty(), "{problems:?}");
    let order = names(&graph, &graph.order);
    assert_eq!(order.len(), graph.nodes.len(), "every node is ordered");
    let at = |name: &str| {
        order
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert!(at("Companies (source)") < at("People (source)"));
    assert!(at("People.Prospeo Email") < at("People.Findymail Email"));
    assert!(at("People.Findymail Email") < at("People.LeadMagic Email"));
    assert!(at("People.LeadMagic Email") < at("People.Work Email"));
    assert!(at("People.Work Email") < at("People.First Line"));
    let company_edge = graph
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::CompanyTable)
        .expect("find_people.company_table is an edge");
    assert_eq!(graph.qualified_name(company_edge.from), "People (source)");
    assert_eq!(graph.qualified_name(company_edge.to), "Companies (source)");
}

#[test]
fn order_is_file_order_when_nothing_depends_on_anything() {
    let (_, workbook, _) = workbook(
        "workbook: W\ntables:\n  T:\n    type: company\n    columns:\n      B: {type: text}\n      A: {type: text}\n      C: {type: text}\n",
    );
    let (graph, _) = graph::resolve(&workbook);
    assert_eq!(
        names(&graph, &graph.order),
        ["T (source)", "T.B", "T.A", "T.C"]
    );
}

#[test]
fn lookup_and_send_to_are_cross_table_edges() {
    let text = r#"workbook: W
tables:
  Companies:
    type: company
    columns:
      Domain: { type: url }
      Send:
        send_to: { table: Leads, fields: { Domain: "{{Domain}}" } }
  Leads:
    type: spreadsheet
    columns:
      Company Domain: { type: url }
      Company:
        lookup: { table: Companies, match: { column: Domain, value: "{{Company Domain}}" } }
"#;
    let (_, workbook, diagnostics) = workbook(text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (graph, _) = graph::resolve(&workbook);
    let edges: Vec<(String, String, EdgeKind)> = graph
        .edges
        .iter()
        .map(|e| {
            (
                graph.qualified_name(e.from),
                graph.qualified_name(e.to),
                e.kind,
            )
        })
        .collect();
    assert!(edges.contains(&(
        "Leads (source)".into(),
        "Companies.Send".into(),
        EdgeKind::SendTo
    )));
    assert!(edges.contains(&(
        "Leads.Company".into(),
        "Companies.Domain".into(),
        EdgeKind::Lookup
    )));
    assert!(edges.contains(&(
        "Leads.Company".into(),
        "Leads.Company Domain".into(),
        EdgeKind::Reference
    )));
}

#[test]
fn a_cycle_names_its_path_and_labels_every_edge() {
    let text = r#"workbook: W
tables:
  T:
    type: company
    columns:
      A: { formula: "{{B}}" }
      B: { formula: "{{C}}" }
      C: { formula: "{{A}}" }
      D: { formula: "{{A}}" }
"#;
    let (sources, workbook, _) = workbook(text);
    let (graph, problems) = graph::resolve(&workbook);
    assert_eq!(problems.len(), 1, "one report per cycle: {problems:?}");
    let cycle = &problems[0];
    assert_eq!(cycle.code(), "CF204");
    assert_eq!(
        cycle.message(),
        "columns reference each other in a cycle: `A` → `B` → `C` → `A`"
    );
    assert_eq!(sources.get(cycle.span.file).slice(cycle.span), "{{B}}");
    let labelled: Vec<&str> = cycle
        .labels
        .iter()
        .map(|l| sources.get(l.span.file).slice(l.span))
        .collect();
    assert_eq!(labelled, ["{{C}}", "{{A}}"]);
    // Nodes on or behind the cycle are not ordered; the rest are.
    assert_eq!(names(&graph, &graph.order), ["T (source)"]);
}

#[test]
fn a_self_reference_is_a_cycle() {
    let (_, workbook, _) = workbook(
        "workbook: W\ntables:\n  T:\n    type: company\n    columns:\n      A: { formula: \"{{A}} + 1\" }\n",
    );
    let (_, problems) = graph::resolve(&workbook);
    assert_eq!(
        problems[0].message(),
        "columns reference each other in a cycle: `A` → `A`"
    );
}

#[test]
fn dot_and_mermaid_render_every_node_and_edge() {
    let (_, workbook, _) = workbook(include_str!("../specs/ca-saas-outreach.yaml"));
    let (graph, _) = graph::resolve(&workbook);
    insta::assert_snapshot!("ca_saas_dot", graph::to_dot(&graph));
    insta::assert_snapshot!("ca_saas_mermaid", graph::to_mermaid(&graph));
}

#[test]
fn a_csv_key_must_be_a_column_of_the_table() {
    let text = r#"workbook: W
tables:
  T:
    type: company
    source:
      csv: { path: leads.csv, key: Emial, mapping: { "E-mail": Email } }
    columns:
      Email: { type: email }
"#;
    let (sources, _, diagnostics) = workbook(text);
    let unknown: Vec<&str> = diagnostics
        .iter()
        .filter(|d| d.code() == "CF203")
        .map(|d| sources.get(d.span.file).slice(d.span))
        .collect();
    assert_eq!(unknown, ["Emial"]);
}
