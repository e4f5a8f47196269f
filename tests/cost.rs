//! `cost`: rows × per-row prices, upper bounds, `send_to` rows, budgets at 89 %, 90 %, 101 %.

mod support;

use indexmap::IndexMap;

use clayform::catalog::Catalog;
use clayform::cost::{Amounts, BudgetState, CostReport, budget_diagnostics, estimate};
use clayform::model::{
    Budget, ClientBudgets, ColumnKind, CsvSource, FindCompanies, FindPeople, Http, InputValue,
    Lookup, SendTo, SourceKind, Template,
};

use support::{Text, ai, client, column, enrichment, project, table, workbook};

fn find_companies(limit: u64) -> SourceKind {
    SourceKind::FindCompanies(FindCompanies {
        limit,
        ..FindCompanies::default()
    })
}

fn email_column(t: &mut Text) -> clayform::model::Column {
    let inputs = vec![
        (
            t.name("full_name"),
            InputValue::Template(t.template("{{Name}}")),
        ),
        (
            t.name("company_domain"),
            InputValue::Template(t.template("{{Domain}}")),
        ),
    ];
    column(t.name("Email"), enrichment(t.name("email_finder"), inputs))
}

fn gated(mut column: clayform::model::Column, condition: Template) -> clayform::model::Column {
    column.run_if = Some(condition);
    column
}

#[test]
fn columns_cost_rows_times_their_price_and_gated_ones_are_upper_bounds() {
    let mut t = Text::default();
    let name = column(
        t.name("Name"),
        ColumnKind::FromSource {
            path: t.name("name"),
        },
    );
    let formula = column(
        t.name("F"),
        ColumnKind::Formula {
            formula: t.template("1"),
        },
    );
    let email = email_column(&mut t);
    let score = gated(
        column(
            t.name("Score"),
            ColumnKind::Ai(ai(Some(t.name("gpt-4.1-mini")), t.template("p"))),
        ),
        t.template("!!{{Email}}"),
    );
    let wb = workbook(
        t.name("wb"),
        None,
        vec![table(
            t.name("Companies"),
            Some(find_companies(500)),
            vec![name, formula, email, score],
        )],
    );
    let cost = estimate(&wb, &Catalog::builtin(), None);
    let companies = &cost.tables[0];
    assert_eq!(companies.rows.rows, 500);
    let by_name = |n: &str| companies.columns.iter().find(|c| c.column == n).unwrap();
    assert_eq!(by_name("Name").total, Amounts::ZERO);
    assert_eq!(by_name("F").total, Amounts::ZERO);
    assert_eq!(by_name("Email").total, Amounts::new(500.0, 1000.0, 1000.0));
    assert!(!by_name("Email").upper_bound);
    assert_eq!(by_name("Score").total, Amounts::new(500.0, 500.0, 500.0));
    assert!(by_name("Score").upper_bound);
    assert_eq!(by_name("Score").priced_as.as_deref(), Some("gpt-4.1-mini"));
    assert_eq!(companies.total, Amounts::new(1000.0, 1500.0, 1500.0));
    assert!(cost.upper_bound);
    assert_eq!(cost.total, companies.total);
}

#[test]
fn lookup_http_and_send_to_cost_one_action_and_no_credits() {
    let mut t = Text::default();
    let lookup = column(
        t.name("L"),
        ColumnKind::Lookup(Lookup {
            table: t.name("People"),
            match_column: t.name("Domain"),
            value: t.template("{{Domain}}"),
            operator: "EQUAL".into(),
            multiple: false,
            limit: None,
        }),
    );
    let http = column(
        t.name("H"),
        ColumnKind::Http(Http {
            method: "GET".into(),
            url: t.template("https://example.com"),
            headers: IndexMap::new(),
            query: IndexMap::new(),
            body: None,
            field_paths: Vec::new(),
        }),
    );
    let send = column(
        t.name("S"),
        ColumnKind::SendTo(SendTo {
            table: t.name("People"),
            fields: IndexMap::new(),
        }),
    );
    let wb = workbook(
        t.name("wb"),
        None,
        vec![
            table(
                t.name("Companies"),
                Some(find_companies(10)),
                vec![lookup, http, send],
            ),
            table(t.name("People"), None, vec![]),
        ],
    );
    let cost = estimate(&wb, &Catalog::builtin(), None);
    for column in &cost.tables[0].columns {
        assert_eq!(
            column.total,
            Amounts::new(10.0, 0.0, 0.0),
            "{}",
            column.column
        );
    }
    // The ungated send_to gives People exactly Companies' rows.
    assert_eq!(cost.tables[1].rows.rows, 10);
    assert!(!cost.tables[1].rows.upper_bound);
}

#[test]
fn send_to_adds_rows_to_the_target_and_gating_makes_them_an_upper_bound() {
    let mut t = Text::default();
    let push = gated(
        column(
            t.name("Push"),
            ColumnKind::SendTo(SendTo {
                table: t.name("People"),
                fields: IndexMap::new(),
            }),
        ),
        t.template("{{Score}} > 5"),
    );
    let email = email_column(&mut t);
    let people_source = SourceKind::FindPeople(FindPeople {
        limit: 50,
        ..FindPeople::default()
    });
    let wb = workbook(
        t.name("wb"),
        None,
        vec![
            table(t.name("Companies"), Some(find_companies(100)), vec![push]),
            table(t.name("People"), Some(people_source), vec![email]),
        ],
    );
    let cost = estimate(&wb, &Catalog::builtin(), None);
    let people = &cost.tables[1];
    assert_eq!(people.rows.rows, 150);
    assert!(people.rows.upper_bound);
    let origins: Vec<&str> = people
        .rows
        .basis
        .iter()
        .map(|b| b.origin.as_str())
        .collect();
    assert_eq!(
        origins,
        ["find_people.limit", "send_to from `Companies`.`Push`"]
    );
    assert_eq!(people.columns[0].total, Amounts::new(150.0, 300.0, 300.0));
    assert!(
        people.columns[0].upper_bound,
        "rows sent by a gated send_to are a ceiling"
    );
}

#[test]
fn unknown_row_counts_are_zero_with_a_note_and_cycles_terminate() {
    let mut t = Text::default();
    let csv = SourceKind::Csv(CsvSource {
        path: t.name("leads.csv"),
        key: None,
        mapping: IndexMap::new(),
        expected_rows: None,
    });
    let inline = SourceKind::Rows(vec![IndexMap::new(), IndexMap::new(), IndexMap::new()]);
    let to_b = column(
        t.name("ToB"),
        ColumnKind::SendTo(SendTo {
            table: t.name("B"),
            fields: IndexMap::new(),
        }),
    );
    let to_a = column(
        t.name("ToA"),
        ColumnKind::SendTo(SendTo {
            table: t.name("A"),
            fields: IndexMap::new(),
        }),
    );
    let wb = workbook(
        t.name("wb"),
        None,
        vec![
            table(t.name("Csv"), Some(csv), vec![email_column(&mut t)]),
            table(t.name("A"), Some(inline), vec![to_b]),
            table(t.name("B"), None, vec![to_a]),
            table(t.name("Empty"), None, vec![]),
        ],
    );
    let cost = estimate(&wb, &Catalog::builtin(), None);
    assert_eq!(cost.tables[0].rows.rows, 0);
    assert!(cost.tables[0].rows.notes[0].contains("`leads.csv`"));
    assert_eq!(cost.tables[0].total, Amounts::ZERO);
    assert_eq!(cost.tables[1].rows.rows, 3);
    assert_eq!(cost.tables[2].rows.rows, 3);
    assert!(
        cost.tables[2]
            .rows
            .notes
            .iter()
            .any(|n| n.contains("cycle"))
    );
    assert!(cost.tables[3].rows.notes[0].contains("0 rows assumed"));
}

/// A workbook whose only cost is `email_finder` (2 data credits, 1 action) on `rows` rows, with
/// `budget.max_credits: 1000`.
fn budgeted(rows: u64) -> (Text, clayform::model::Workbook) {
    let mut t = Text::default();
    let email = email_column(&mut t);
    let mut wb = workbook(
        t.name("wb"),
        None,
        vec![table(
            t.name("Companies"),
            Some(find_companies(rows)),
            vec![email],
        )],
    );
    wb.budget = Budget {
        max_credits: Some(1000.0),
        max_actions: None,
        span: Some(t.span("budget: { max_credits: 1000 }")),
    };
    (t, wb)
}

#[test]
fn budgets_warn_at_ninety_percent_and_fail_above_the_limit() {
    let catalog = Catalog::builtin();
    // 445 rows × 2 = 890 credits: 89 %, fine.
    let (_, wb) = budgeted(445);
    assert_eq!(budget_diagnostics(&wb, &catalog, None), []);
    assert_eq!(
        estimate(&wb, &catalog, None).budgets[0].state,
        BudgetState::Ok
    );

    // 450 rows: 900 credits, exactly 90 %: CF402.
    let (t, wb) = budgeted(450);
    let diagnostics = budget_diagnostics(&wb, &catalog, None);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code(), "CF402");
    assert!(!diagnostics[0].is_error());
    let map = t.into_map();
    assert_eq!(
        map.get(diagnostics[0].span.file).slice(diagnostics[0].span),
        "budget: { max_credits: 1000 }"
    );

    // 505 rows: 1010 credits, 101 %: CF401.
    let (_, wb) = budgeted(505);
    let diagnostics = budget_diagnostics(&wb, &catalog, None);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code(), "CF401");
    assert_eq!(
        diagnostics[0].message(),
        "workbook `wb` is estimated at 1010.0 data credits, over its budget of 1000.0"
    );
    assert_eq!(
        diagnostics[0].primary_label.as_deref(),
        Some("`budget.max_credits` is 1000 data credits")
    );
    assert!(
        diagnostics[0]
            .help
            .as_deref()
            .unwrap()
            .contains("raise `budget.max_credits`")
    );
    let report = CostReport::new(vec![estimate(&wb, &catalog, None)]);
    assert!(report.over_budget);
}

#[test]
fn client_budgets_point_at_the_workbook_or_table_with_a_label_at_the_setting() {
    let mut t = Text::default();
    let email = email_column(&mut t);
    let client_name = t.name("acme");
    let budgets_span = t.span("max_credits_per_table: 100");
    let acme = client(
        t.name("acme"),
        None,
        ClientBudgets {
            max_credits_per_table: Some(100.0),
            max_actions_per_workbook: Some(60.0),
            span: Some(budgets_span),
            ..ClientBudgets::default()
        },
    );
    let wb = workbook(
        t.name("Outreach"),
        Some(client_name),
        vec![table(
            t.name("Companies"),
            Some(find_companies(55)),
            vec![email],
        )],
    );
    let project = project(vec![acme]);
    let diagnostics = budget_diagnostics(&wb, &Catalog::builtin(), Some(&project));
    let map = t.into_map();
    let found: Vec<(&str, &str)> = diagnostics
        .iter()
        .map(|d| (d.code(), map.get(d.span.file).slice(d.span)))
        .collect();
    // 55 actions of 60 is 91.7 %: a warning on the workbook; 110 credits of 100: over, on the table.
    assert_eq!(found, [("CF402", "Outreach"), ("CF401", "Companies")]);
    for diagnostic in &diagnostics {
        assert_eq!(diagnostic.labels[0].span, budgets_span);
    }
    assert_eq!(
        diagnostics[1].message(),
        "table `Companies` is estimated at 110.0 data credits, over its budget of 100.0"
    );
}
