//! Lowering specs to the model: kinds, defaults, types and spans, as later stages consume them.

use clayform::catalog::Catalog;
use clayform::diagnostics::Diagnostic;
use clayform::model::{
    Backend, ColumnKind, DataType, InputValue, OutputType, SourceKind, TableType, UseCase, Workbook,
};
use clayform::source::SourceMap;
use clayform::{spec, validate};

fn check(text: &str) -> (SourceMap, Option<Workbook>, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let file = sources.add("spec.yaml", text.to_string());
    let (parsed, mut diagnostics) = spec::parse(&sources, file);
    let checked = validate::check(&sources, &Vec::from_iter(parsed), None, &Catalog::builtin());
    diagnostics.extend(checked.diagnostics);
    (sources, checked.workbooks.into_iter().next(), diagnostics)
}

#[test]
fn the_design_example_lowers_to_the_model() {
    let (sources, workbook, diagnostics) = check(include_str!("../specs/ca-saas-outreach.yaml"));
    let codes: Vec<_> = diagnostics.iter().map(Diagnostic::code).collect();
    assert_eq!(codes, ["CF308"], "only the missing project file");
    let workbook = workbook.expect("lowered");
    assert_eq!(workbook.name.text, "CA SaaS Outreach Q1 2026");
    assert_eq!(workbook.budget.max_credits, Some(2500.0));
    let table = &workbook.tables[0];
    assert_eq!(table.table_type, TableType::Company);
    assert!(!table.auto_run, "auto_run defaults to false");
    let Some(SourceKind::FindCompanies(find)) = table.source.as_ref().map(|s| &s.kind) else {
        panic!("find_companies source");
    };
    assert_eq!((find.limit, find.sizes.len()), (500, 2));
    let kinds: Vec<&str> = table.columns.iter().map(|c| c.kind.keyword()).collect();
    assert_eq!(
        kinds,
        ["from_source", "from_source", "enrichment", "ai", "formula"]
    );
    assert_eq!(table.columns[1].data_type, Some(DataType::Url));
    let ColumnKind::Enrichment(enrichment) = &table.columns[2].kind else {
        panic!("enrichment");
    };
    assert_eq!(enrichment.action.text, "email_finder");
    let inputs: Vec<_> = enrichment.inputs.keys().map(|k| k.text.as_str()).collect();
    assert_eq!(inputs, ["company_domain", "full_name"]);
    let InputValue::Template(domain) = &enrichment.inputs[0] else {
        panic!("template input");
    };
    assert_eq!(
        sources
            .get(domain.refs[0].span.file)
            .slice(domain.refs[0].span),
        "{{Domain}}"
    );
    let ColumnKind::Ai(ai) = &table.columns[3].kind else {
        panic!("ai");
    };
    assert_eq!(
        ai.model.as_ref().map(|m| m.text.as_str()),
        Some("clay-argon")
    );
    assert_eq!(ai.use_case, None);
    let refs: Vec<_> = ai.prompt.refs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(refs, ["Name", "Domain"]);
    let output = ai.output.as_ref().expect("output");
    assert_eq!(output.fields[0], OutputType::Number);
    let run_if = table.columns[3].run_if.as_ref().expect("run_if");
    assert_eq!(
        sources.get(run_if.span.file).slice(run_if.span),
        "\"!!{{Contact Email}}\""
    );
    assert_eq!(
        sources
            .get(table.columns[4].span.file)
            .slice(table.columns[4].span),
        "Qualified"
    );
}

#[test]
fn every_column_kind_lowers() {
    let text = r#"workbook: Kinds
tables:
  Companies:
    type: company
    source:
      rows:
        - { Name: Acme, Domain: acme.com }
    columns:
      Name: { type: text, protect: true, renamed_from: [Company] }
      Domain: { type: url }
      Tier: { type: select, options: [A, B] }
      Revenue: { type: currency, currency: EUR }
      Research:
        ai:
          prompt: "Research {{Name}}"
          use_case: web_research
          output: { tier: [A, B, C], count: integer }
        run_as_button: true
      Post:
        http:
          method: POST
          url: "https://example.com/{{Domain}}"
          headers: { X-Name: "{{Name}}" }
          body: '{"d": "{{Domain}}"}'
          field_paths: [data.id]
      Route:
        send_to: { table: People, fields: { Company: "{{Name}}" } }
  People:
    type: people
    columns:
      Company: { type: text }
      Account:
        lookup: { table: Companies, match: { column: Name, value: "{{Company}}", operator: CONTAINS }, multiple: true, limit: 3 }
"#;
    let (_, workbook, diagnostics) = check(text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let workbook = workbook.expect("lowered");
    let companies = &workbook.tables[0];
    assert!(companies.columns[0].protect);
    assert_eq!(companies.columns[0].renamed_from[0].text, "Company");
    assert_eq!(
        companies.columns[2].data_type,
        Some(DataType::Select {
            options: vec!["A".into(), "B".into()]
        })
    );
    assert_eq!(
        companies.columns[3].data_type,
        Some(DataType::Currency { code: "EUR".into() })
    );
    let ColumnKind::Ai(ai) = &companies.columns[4].kind else {
        panic!("ai")
    };
    assert_eq!(ai.use_case, Some(UseCase::WebResearch));
    assert_eq!(
        ai.output.as_ref().expect("output").fields[0],
        OutputType::Enum(vec!["A".into(), "B".into(), "C".into()])
    );
    assert!(companies.columns[4].run_as_button);
    let ColumnKind::Http(http) = &companies.columns[5].kind else {
        panic!("http")
    };
    assert_eq!(
        (http.method.as_str(), http.url.refs[0].name.as_str()),
        ("POST", "Domain")
    );
    assert_eq!(http.field_paths, ["data.id"]);
    let ColumnKind::SendTo(send) = &companies.columns[6].kind else {
        panic!("send_to")
    };
    assert_eq!(send.table.text, "People");
    let ColumnKind::Lookup(lookup) = &workbook.tables[1].columns[1].kind else {
        panic!("lookup")
    };
    assert_eq!(
        (lookup.operator.as_str(), lookup.multiple, lookup.limit),
        ("CONTAINS", true, Some(3))
    );
    let Some(SourceKind::Rows(rows)) = companies.source.as_ref().map(|s| &s.kind) else {
        panic!("rows")
    };
    assert_eq!(rows[0].len(), 2);
}

#[test]
fn all_schema_problems_of_a_file_are_reported_at_once() {
    let text = "workbook: W\nbudjet: {}\ntables:\n  T:\n    type: compny\n    columns:\n      A: { type: text, colour: red }\n      B: { ai: { model: x } }\n";
    let (_, workbook, diagnostics) = check(text);
    let codes: Vec<_> = diagnostics.iter().map(Diagnostic::code).collect();
    // Only the schema errors: the broken table type and columns cause nothing more.
    assert_eq!(codes, ["CF101", "CF102", "CF101", "CF103"]);
    // The rest is still lowered (issue 2): both columns exist, without their broken parts.
    let workbook = workbook.expect("lowered without its broken parts");
    let columns: Vec<_> = workbook.tables[0]
        .columns
        .iter()
        .map(|c| (c.name.text.as_str(), &c.kind))
        .collect();
    assert_eq!(
        columns,
        [("A", &ColumnKind::Input), ("B", &ColumnKind::Input)]
    );
}

#[test]
fn anchors_and_merge_keys_work() {
    let text = r#"workbook: Merge
defaults: &email
  enrichment: findymail-find-work-email
tables:
  T:
    type: company
    columns:
      Name: { type: text }
      Domain: { type: url }
      Email:
        <<: *email
        inputs: { full_name: "{{Name}}", company_domain: "{{Domain}}" }
"#;
    // `defaults` is not a workbook key: the anchor has to live somewhere the schema allows.
    let (_, _, diagnostics) = check(text);
    let codes: Vec<_> = diagnostics.iter().map(Diagnostic::code).collect();
    assert_eq!(codes, ["CF101"]);
    let text = text.replace(
        "defaults: &email\n  enrichment: findymail-find-work-email\n",
        "",
    );
    let text = text.replace(
        "      Email:\n        <<: *email\n",
        "      Base: &email { enrichment: findymail-find-work-email, inputs: { full_name: \"{{Name}}\", company_domain: \"{{Domain}}\" } }\n      Email:\n        <<: *email\n",
    );
    let (_, workbook, diagnostics) = check(&text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let email = &workbook.expect("lowered").tables[0].columns[3];
    assert_eq!(email.kind.keyword(), "enrichment");
}

#[test]
fn the_project_file_lowers() {
    let mut sources = SourceMap::new();
    let file = sources.add(
        "clayform.yaml",
        include_str!("../clayform.yaml").to_string(),
    );
    let (parsed, diagnostics) = spec::parse_project(&sources, file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (project, _) = validate::project::lower(&parsed.expect("parses"));
    let acme = project.clients.values().next().expect("acme");
    assert_eq!(acme.name.text, "acme");
    assert_eq!(acme.workspace_id, 1_080_480);
    assert_eq!(acme.budgets.max_credits_per_workbook, Some(6000.0));
    assert_eq!(project.backend, Backend::Local);
    let postgres = "backend: { postgres: { conn_str_env: DATABASE_URL, schema: cf } }\n";
    let file = sources.add("pg.yaml", postgres.to_string());
    let (parsed, diagnostics) = spec::parse_project(&sources, file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let (project, _) = validate::project::lower(&parsed.expect("parses"));
    assert_eq!(
        project.backend,
        Backend::Postgres {
            conn_str_env: "DATABASE_URL".into(),
            schema: Some("cf".into())
        }
    );
}
