//! Desired objects: a validated workbook and its graph turned into the objects apply manages,
//! each with its normalised config, its dependencies (as state addresses) and its rename history.
//!
//! Order: the workbook, its tables in file order, then sources and columns in the graph's
//! topological order, so a column is created only after everything it references.

use super::config::{
    column_config, column_replace_paths, source_config, table_config, workbook_config,
};
use super::diff::DesiredObject;
use crate::catalog::Catalog;
use crate::graph::{Graph, NodeId};
use crate::model::{Client, ColumnKind, SourceKind, Workbook};
use crate::state::{Address, ResourceKind};

/// Every object `workbook` asks for. `graph` must be the workbook's resolved, acyclic graph.
pub fn desired_objects(
    workbook: &Workbook,
    graph: &Graph,
    catalog: &Catalog,
    client: Option<&Client>,
) -> Vec<DesiredObject> {
    let wb = workbook.name.as_str();
    let workbook_address = Address::workbook(wb);
    let mut objects = vec![DesiredObject {
        address: workbook_address.clone(),
        kind: ResourceKind::Workbook,
        config: workbook_config(workbook),
        depends_on: Vec::new(),
        renamed_from: Vec::new(),
        protect: false,
        replace_paths: Vec::new(),
    }];
    for table in &workbook.tables {
        let mut depends_on = vec![workbook_address.clone()];
        // A people search scoped to a company table is created with that table's id, and Clay
        // refuses it while the company table has no rows: it waits for the table and its search.
        if let Some(SourceKind::FindPeople(find)) = table.source.as_ref().map(|s| &s.kind)
            && let Some(company) = find.company_table.as_ref()
        {
            depends_on.push(Address::table(wb, company.as_str()));
            if workbook
                .table(company.as_str())
                .is_some_and(|t| t.source.is_some())
            {
                depends_on.push(Address::source(wb, company.as_str()));
            }
        }
        objects.push(DesiredObject {
            address: Address::table(wb, table.name.as_str()),
            kind: ResourceKind::Table,
            config: table_config(table),
            depends_on,
            renamed_from: table
                .renamed_from
                .iter()
                .map(|old| Address::table(wb, old.as_str()))
                .collect(),
            protect: table.protect,
            replace_paths: vec!["/type".to_string()],
        });
    }

    let node_address = |node: NodeId| match node {
        NodeId::Source(table) => {
            let table = &workbook.tables[table.0];
            if table.source.is_some() {
                Address::source(wb, table.name.as_str())
            } else {
                Address::table(wb, table.name.as_str())
            }
        }
        NodeId::Column(column) => {
            let table = &workbook.tables[column.table.0];
            Address::column(
                wb,
                table.name.as_str(),
                table.columns[column.column].name.as_str(),
            )
        }
    };

    for &node in &graph.order {
        let mut depends_on: Vec<Address> = graph.dependencies(node).map(node_address).collect();
        match node {
            NodeId::Source(table_id) => {
                let table = &workbook.tables[table_id.0];
                let Some(source) = &table.source else {
                    continue;
                };
                depends_on.push(Address::table(wb, table.name.as_str()));
                objects.push(DesiredObject {
                    address: Address::source(wb, table.name.as_str()),
                    kind: ResourceKind::Source,
                    config: source_config(source),
                    depends_on: dedup(depends_on),
                    renamed_from: Vec::new(),
                    protect: table.protect,
                    // No call is known to remove a webhook's token: adding or dropping one
                    // makes a new source (and a new URL), which the plan says.
                    replace_paths: vec!["/kind".to_string(), "/auth_token".to_string()],
                });
            }
            NodeId::Column(column_id) => {
                let table = &workbook.tables[column_id.table.0];
                let column = &table.columns[column_id.column];
                depends_on.push(Address::table(wb, table.name.as_str()));
                // `send_to` and `lookup` name the other table by id: it must exist first.
                match &column.kind {
                    ColumnKind::SendTo(send_to) => {
                        depends_on.push(Address::table(wb, send_to.table.as_str()))
                    }
                    ColumnKind::Lookup(lookup) => {
                        depends_on.push(Address::table(wb, lookup.table.as_str()))
                    }
                    _ => {}
                }
                let config = column_config(column, catalog, client);
                objects.push(DesiredObject {
                    address: Address::column(wb, table.name.as_str(), column.name.as_str()),
                    kind: ResourceKind::Column,
                    config,
                    depends_on: dedup(depends_on),
                    renamed_from: column
                        .renamed_from
                        .iter()
                        .map(|old| Address::column(wb, table.name.as_str(), old.as_str()))
                        .collect(),
                    protect: column.protect || table.protect,
                    replace_paths: column_replace_paths(column),
                });
            }
        }
    }
    objects
}

fn dedup(mut addresses: Vec<Address>) -> Vec<Address> {
    let mut seen = std::collections::HashSet::new();
    addresses.retain(|a| seen.insert(a.clone()));
    addresses
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, PriorObject, diff};
    use crate::source::SourceMap;

    fn compile(text: &str) -> Vec<DesiredObject> {
        let mut sources = SourceMap::new();
        let file = sources.add("spec.yaml", text.to_string());
        let (parsed, diagnostics) = crate::spec::parse(&sources, file);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let catalog = Catalog::builtin();
        let checked = crate::validate::check(&sources, &[parsed.unwrap()], None, &catalog);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let workbook = &checked.workbooks[0];
        let (graph, _) = crate::graph::resolve(workbook);
        desired_objects(workbook, &graph, &catalog, None)
    }

    const SPEC: &str = r#"
workbook: Q1
tables:
  Companies:
    type: company
    source: { find_companies: { industries: [Software], limit: 10 } }
    columns:
      Qualified: { formula: "{{Score}}?.score >= 7", type: boolean }
      Name: { from_source: name }
      Domain: { from_source: domain, type: url }
      Score:
        ai: { model: gpt-4o-mini, prompt: "Score {{Name}} at {{Domain}}", output: { score: number } }
        renamed_from: [ICP Score]
  People:
    type: people
    source: { find_people: { company_table: Companies, limit: 5 } }
    columns:
      Company: { lookup: { table: Companies, match: { column: Domain, value: "{{Domain}}" } } }
      Domain: { type: url }
"#;

    #[test]
    fn objects_come_in_dependency_order_with_their_dependencies() {
        let objects = compile(SPEC);
        let position = |address: &Address| {
            objects
                .iter()
                .position(|o| &o.address == address)
                .unwrap_or_else(|| panic!("{address} missing"))
        };
        let score = Address::column("Q1", "Companies", "Score");
        let qualified = Address::column("Q1", "Companies", "Qualified");
        assert!(position(&Address::table("Q1", "People")) < position(&score));
        assert!(position(&Address::column("Q1", "Companies", "Name")) < position(&score));
        assert!(
            position(&score) < position(&qualified),
            "Qualified reads Score"
        );

        let score_object = &objects[position(&score)];
        assert!(
            score_object
                .depends_on
                .contains(&Address::column("Q1", "Companies", "Domain"))
        );
        assert_eq!(
            score_object.renamed_from,
            vec![Address::column("Q1", "Companies", "ICP Score")]
        );

        let lookup = &objects[position(&Address::column("Q1", "People", "Company"))];
        assert!(
            lookup
                .depends_on
                .contains(&Address::column("Q1", "Companies", "Domain"))
        );
        assert!(
            lookup
                .depends_on
                .contains(&Address::table("Q1", "Companies"))
        );

        let people_source = &objects[position(&Address::source("Q1", "People"))];
        assert!(
            people_source
                .depends_on
                .contains(&Address::table("Q1", "People"))
        );
    }

    #[test]
    fn planning_against_what_was_applied_shows_no_changes() {
        let objects = compile(SPEC);
        assert_eq!(diff(&objects, &[]).count(Action::Create), objects.len());
        let prior: Vec<PriorObject> = objects
            .iter()
            .enumerate()
            .map(|(i, o)| PriorObject {
                address: o.address.clone(),
                kind: o.kind,
                clay_id: format!("id_{i}"),
                applied: o.config.clone(),
                live: Some(o.config.clone()),
                protect: o.protect,
                depends_on: o.depends_on.clone(),
            })
            .collect();
        let plan = diff(&compile(SPEC), &prior);
        assert!(!plan.has_changes(), "{plan:#?}");
    }
}
