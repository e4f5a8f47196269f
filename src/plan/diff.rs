//! The diff: desired objects against prior objects → a [`Plan`].
//!
//! Objects are matched by address, then by `renamed_from`. A matched object is compared with
//! what Clay has *now* (the refreshed live config), so drift is repaired; the last-applied config
//! tells whether a difference is a spec change or drift. Paths in an object's `replace_paths`
//! (Clay can't change `actionKey` or a field's `type`) turn an update into a replacement.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::model::{Action, Plan, PlanProblem, Reason, ResourceChange};
use crate::state::{Address, ObjectPath, ResourceKind};

/// An object the spec wants, with its normalised config.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredObject {
    pub address: Address,
    pub kind: ResourceKind,
    pub config: Value,
    pub depends_on: Vec<Address>,
    /// Earlier addresses of this object (`renamed_from`), most recent first.
    pub renamed_from: Vec<Address>,
    pub protect: bool,
    /// Config paths (`/kind`, `/action`) whose change Clay can't apply in place.
    pub replace_paths: Vec<String>,
}

/// An object in state, refreshed from Clay.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorObject {
    pub address: Address,
    pub kind: ResourceKind,
    pub clay_id: String,
    /// The desired config last applied.
    pub applied: Value,
    /// What Clay has now, in the same normalised form; `None` when a successful read showed the
    /// object is gone. (A failed read never gets here: it aborts the plan.)
    pub live: Option<Value>,
    /// `protect` as last applied: removing an object and its `protect` in one edit is refused.
    pub protect: bool,
    pub depends_on: Vec<Address>,
}

/// Compute the plan. `desired` must be in dependency order (as `graph::resolve` gives it); the
/// plan keeps that order for creates and updates and appends deletes in reverse order.
pub fn diff(desired: &[DesiredObject], prior: &[PriorObject]) -> Plan {
    let mut plan = Plan::default();
    let prior_by_address: HashMap<&Address, &PriorObject> =
        prior.iter().map(|p| (&p.address, p)).collect();
    let desired_addresses: HashSet<&Address> = desired.iter().map(|d| &d.address).collect();

    let renames = match_renames(desired, &prior_by_address, &desired_addresses, &mut plan);
    let mut consumed: HashSet<&Address> = HashSet::new();

    for object in desired {
        let matched = prior_by_address
            .get(&object.address)
            .map(|p| (*p, None))
            .or_else(|| {
                renames
                    .get(&object.address)
                    .map(|p| (*p, Some(p.address.clone())))
            });
        let change = match matched {
            None => create(object, Reason::NewInSpec),
            Some((prior_object, previous_address)) => {
                consumed.insert(&prior_object.address);
                if object.kind == ResourceKind::Table {
                    // Column order is about the columns on both sides: a column renamed by this
                    // plan keeps its place, new ones are placed by the same apply, and deleted
                    // ones go. Compare the order of the rest; show the whole desired order.
                    let renamed = renamed_live_order(prior_object, &renames);
                    let (desired_common, live_common) = common_column_order(object, &renamed);
                    let mut change =
                        compare(&desired_common, &live_common, previous_address, &mut plan);
                    change.after = Some(object.config.clone());
                    change
                } else {
                    compare(object, prior_object, previous_address, &mut plan)
                }
            }
        };
        plan.changes.push(change);
    }

    point_references_at_replacements(&mut plan);

    let deleted_tables: HashSet<&str> = prior
        .iter()
        .filter(|p| p.kind == ResourceKind::Table && !consumed.contains(&p.address))
        .filter_map(|p| p.address.table_name())
        .collect();
    let mut deletes: Vec<ResourceChange> = prior
        .iter()
        .filter(|p| !consumed.contains(&p.address))
        .map(|p| {
            let inside_deleted_table = p.kind != ResourceKind::Table
                && p.address
                    .table_name()
                    .is_some_and(|t| deleted_tables.contains(t));
            let reasons = if p.live.is_none() {
                vec![Reason::RemovedFromSpec, Reason::DeletedOutsideClayform]
            } else if inside_deleted_table {
                vec![Reason::RemovedFromSpec, Reason::DeletedWithTable]
            } else {
                vec![Reason::RemovedFromSpec]
            };
            if p.protect {
                plan.problems.push(PlanProblem::Protected {
                    address: p.address.clone(),
                    action: Action::Delete,
                });
            }
            ResourceChange {
                address: p.address.clone(),
                previous_address: None,
                kind: p.kind,
                action: Action::Delete,
                reasons,
                clay_id: Some(p.clay_id.clone()),
                before: p.live.clone(),
                after: None,
                changed_paths: Vec::new(),
                replace_paths: Vec::new(),
                depends_on: p.depends_on.clone(),
                cost: None,
            }
        })
        .collect();
    // Reverse dependency order: columns before their table, tables before their workbook.
    deletes.sort_by_key(|c| std::cmp::Reverse(depth(&c.address)));
    plan.changes.extend(deletes);
    plan
}

/// A replaced object gets a new Clay id, and Clay holds references by id (a field's formula,
/// inputs and run condition name `{{f_…}}`): an object that references it and is otherwise
/// unchanged is updated too, after the replacement, so it points at the new object.
fn point_references_at_replacements(plan: &mut Plan) {
    let replaced: HashSet<Address> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Replace)
        .map(|c| c.address.clone())
        .collect();
    for change in &mut plan.changes {
        if change.action != Action::NoOp {
            continue;
        }
        if let Some(address) = change.depends_on.iter().find(|d| replaced.contains(*d)) {
            change.action = Action::Update;
            change.reasons.push(Reason::ReferenceReplaced {
                address: address.clone(),
            });
        }
    }
}

/// `table` with its live `column_order` written with the new names of the columns this plan
/// renames (`renamed_from`).
fn renamed_live_order(
    table: &PriorObject,
    renames: &HashMap<Address, &PriorObject>,
) -> PriorObject {
    let mut table = table.clone();
    let Some(order) = table
        .live
        .as_mut()
        .and_then(|live| live.get_mut("column_order"))
        .and_then(Value::as_array_mut)
    else {
        return table;
    };
    for (new, old) in renames {
        let (
            ObjectPath::Column {
                table: new_table,
                column: new_name,
            },
            ObjectPath::Column {
                column: old_name, ..
            },
        ) = (&new.path, &old.address.path)
        else {
            continue;
        };
        if Some(new_table.as_str()) != table.address.table_name() {
            continue;
        }
        for name in order.iter_mut() {
            if name.as_str() == Some(old_name.as_str()) {
                *name = Value::from(new_name.as_str());
            }
        }
    }
    table
}

/// `desired` and `live` with their `column_order` cut to the names both have.
fn common_column_order(
    desired: &DesiredObject,
    live: &PriorObject,
) -> (DesiredObject, PriorObject) {
    let names = |config: Option<&Value>| -> Vec<String> {
        config
            .and_then(|c| c.get("column_order"))
            .and_then(Value::as_array)
            .map(|order| {
                order
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let desired_names = names(Some(&desired.config));
    let live_names = names(live.live.as_ref());
    let keep = |config: &mut Value, other: &[String]| {
        if let Some(order) = config.get_mut("column_order").and_then(Value::as_array_mut) {
            order.retain(|name| name.as_str().is_some_and(|n| other.iter().any(|o| o == n)));
        }
    };
    let mut desired = desired.clone();
    let mut live = live.clone();
    keep(&mut desired.config, &live_names);
    if let Some(config) = live.live.as_mut() {
        keep(config, &desired_names);
    }
    (desired, live)
}

fn depth(address: &Address) -> u8 {
    match address.path {
        ObjectPath::Workbook => 0,
        ObjectPath::Table { .. } => 1,
        ObjectPath::Source { .. } | ObjectPath::Column { .. } => 2,
    }
}

/// Desired address → the prior object it takes over through `renamed_from`.
fn match_renames<'a>(
    desired: &[DesiredObject],
    prior_by_address: &HashMap<&Address, &'a PriorObject>,
    desired_addresses: &HashSet<&Address>,
    plan: &mut Plan,
) -> HashMap<Address, &'a PriorObject> {
    let mut claims: HashMap<&Address, Vec<&Address>> = HashMap::new();
    for object in desired
        .iter()
        .filter(|o| !prior_by_address.contains_key(&o.address))
    {
        // An old name still used by a desired object is not free to be taken over.
        if let Some(old) = object
            .renamed_from
            .iter()
            .find(|old| prior_by_address.contains_key(old) && !desired_addresses.contains(old))
        {
            claims.entry(old).or_default().push(&object.address);
        }
    }
    let mut renames = HashMap::new();
    let mut claims: Vec<_> = claims.into_iter().collect();
    claims.sort_by(|a, b| a.0.cmp(b.0));
    for (old, claimants) in claims {
        if claimants.len() > 1 {
            plan.problems.push(PlanProblem::AmbiguousRename {
                from: old.clone(),
                claimed_by: claimants.into_iter().cloned().collect(),
            });
        } else if let Some(prior_object) = prior_by_address.get(old) {
            renames.insert(claimants[0].clone(), *prior_object);
        }
    }
    renames
}

fn create(object: &DesiredObject, reason: Reason) -> ResourceChange {
    ResourceChange {
        address: object.address.clone(),
        previous_address: None,
        kind: object.kind,
        action: Action::Create,
        reasons: vec![reason],
        clay_id: None,
        before: None,
        after: Some(object.config.clone()),
        changed_paths: Vec::new(),
        replace_paths: Vec::new(),
        depends_on: object.depends_on.clone(),
        cost: None,
    }
}

fn compare(
    object: &DesiredObject,
    prior: &PriorObject,
    previous_address: Option<Address>,
    plan: &mut Plan,
) -> ResourceChange {
    let Some(live) = &prior.live else {
        return create(object, Reason::DeletedOutsideClayform);
    };
    let mut changed_paths = Vec::new();
    changed_paths_between(live, &object.config, String::new(), &mut changed_paths);
    let replace_paths: Vec<String> = changed_paths
        .iter()
        .filter(|path| object.replace_paths.iter().any(|r| path_is_within(path, r)))
        .cloned()
        .collect();

    let mut reasons = Vec::new();
    if let Some(from) = &previous_address {
        reasons.push(Reason::Renamed { from: from.clone() });
    }
    let action = if !replace_paths.is_empty() {
        reasons.extend(
            replace_paths
                .iter()
                .map(|p| Reason::CannotUpdateInPlace { path: p.clone() }),
        );
        if object.protect || prior.protect {
            plan.problems.push(PlanProblem::Protected {
                address: object.address.clone(),
                action: Action::Replace,
            });
        }
        Action::Replace
    } else if !changed_paths.is_empty() || previous_address.is_some() {
        Action::Update
    } else {
        Action::NoOp
    };
    if !changed_paths.is_empty() {
        reasons.push(if prior.applied == object.config {
            Reason::Drift
        } else {
            Reason::SpecChanged
        });
    }
    ResourceChange {
        address: object.address.clone(),
        previous_address,
        kind: object.kind,
        action,
        reasons,
        clay_id: Some(prior.clay_id.clone()),
        before: Some(live.clone()),
        after: Some(object.config.clone()),
        changed_paths,
        replace_paths,
        depends_on: object.depends_on.clone(),
        cost: None,
    }
}

fn path_is_within(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Leaf paths where `before` and `after` differ. Objects recurse by key; arrays and scalars
/// compare whole (column order is an array: any reordering is one change).
fn changed_paths_between(before: &Value, after: &Value, path: String, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let child = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => changed_paths_between(x, y, child, out),
                    (None, Some(Value::Null)) | (Some(Value::Null), None) => {}
                    _ => out.push(child),
                }
            }
        }
        _ if before == after => {}
        _ => out.push(if path.is_empty() {
            "/".to_string()
        } else {
            path
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn column(name: &str, config: Value) -> DesiredObject {
        DesiredObject {
            address: Address::column("W", "T", name),
            kind: ResourceKind::Column,
            config,
            depends_on: vec![Address::table("W", "T")],
            renamed_from: Vec::new(),
            protect: false,
            replace_paths: vec!["/kind".into(), "/action".into()],
        }
    }

    fn prior(name: &str, applied: Value, live: Option<Value>) -> PriorObject {
        PriorObject {
            address: Address::column("W", "T", name),
            kind: ResourceKind::Column,
            clay_id: format!("f_{name}"),
            applied,
            live,
            protect: false,
            depends_on: vec![Address::table("W", "T")],
        }
    }

    fn table(order: &[&str]) -> (DesiredObject, PriorObject) {
        let config = json!({"name": "T", "column_order": order});
        (
            DesiredObject {
                address: Address::table("W", "T"),
                kind: ResourceKind::Table,
                config: config.clone(),
                depends_on: vec![],
                renamed_from: vec![],
                protect: false,
                replace_paths: vec![],
            },
            PriorObject {
                address: Address::table("W", "T"),
                kind: ResourceKind::Table,
                clay_id: "t_1".into(),
                applied: config.clone(),
                live: Some(config),
                protect: false,
                depends_on: vec![],
            },
        )
    }

    #[test]
    fn column_order_counts_only_columns_on_both_sides_and_follows_renames() {
        // A reorder of existing columns is a change.
        let (desired, _) = table(&["B", "A"]);
        let (_, live) = table(&["A", "B"]);
        assert_eq!(diff(&[desired], &[live]).changes[0].action, Action::Update);
        // A new column and a deleted one are not (apply places new columns itself).
        let (desired, _) = table(&["A", "New", "B"]);
        let (_, live) = table(&["A", "Gone", "B"]);
        assert_eq!(diff(&[desired], &[live]).changes[0].action, Action::NoOp);
        // A column renamed by the plan keeps its place.
        let (desired, _) = table(&["A", "Renamed"]);
        let (_, live) = table(&["A", "Old"]);
        let mut renamed = column("Renamed", json!({"kind": "input"}));
        renamed.address = Address::column("W", "T", "Renamed");
        renamed.renamed_from = vec![Address::column("W", "T", "Old")];
        let mut old = prior(
            "Old",
            json!({"kind": "input"}),
            Some(json!({"kind": "input"})),
        );
        old.address = Address::column("W", "T", "Old");
        let plan = diff(&[desired, renamed], &[live, old]);
        assert_eq!(plan.changes[0].action, Action::NoOp, "{plan:#?}");
    }

    #[test]
    fn unchanged_objects_are_no_ops() {
        let config = json!({"kind": "formula", "formula": "{{A}}"});
        let plan = diff(
            &[column("B", config.clone())],
            &[prior("B", config.clone(), Some(config))],
        );
        assert_eq!(plan.changes[0].action, Action::NoOp);
        assert!(!plan.has_changes());
    }

    #[test]
    fn new_objects_are_created_and_removed_ones_deleted_columns_first() {
        let table = PriorObject {
            address: Address::table("W", "Gone"),
            kind: ResourceKind::Table,
            clay_id: "t_1".into(),
            applied: json!({}),
            live: Some(json!({})),
            protect: false,
            depends_on: vec![],
        };
        let mut gone_column = prior("X", json!({}), Some(json!({})));
        gone_column.address = Address::column("W", "Gone", "X");
        let plan = diff(
            &[column("New", json!({"kind": "input"}))],
            &[table, gone_column],
        );
        let actions: Vec<_> = plan
            .changes
            .iter()
            .map(|c| (c.address.to_string(), c.action))
            .collect();
        assert_eq!(actions[0].1, Action::Create);
        assert_eq!(
            actions[1],
            (
                Address::column("W", "Gone", "X").to_string(),
                Action::Delete
            )
        );
        assert_eq!(
            actions[2],
            (Address::table("W", "Gone").to_string(), Action::Delete)
        );
        assert!(plan.changes[1].reasons.contains(&Reason::DeletedWithTable));
        assert_eq!(plan.summary_counts(), (1, 0, 2));
    }

    #[test]
    fn spec_change_is_an_update_with_paths() {
        let old = json!({"kind": "ai", "prompt": "old", "model": "gpt-4o"});
        let new = json!({"kind": "ai", "prompt": "new", "model": "gpt-4o"});
        let plan = diff(&[column("S", new)], &[prior("S", old.clone(), Some(old))]);
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.changed_paths, vec!["/prompt"]);
        assert_eq!(change.reasons, vec![Reason::SpecChanged]);
    }

    #[test]
    fn live_difference_with_unchanged_spec_is_drift() {
        let config = json!({"kind": "formula", "formula": "{{A}}"});
        let live = json!({"kind": "formula", "formula": "{{B}}"});
        let plan = diff(
            &[column("F", config.clone())],
            &[prior("F", config, Some(live))],
        );
        assert_eq!(plan.changes[0].action, Action::Update);
        assert_eq!(plan.changes[0].reasons, vec![Reason::Drift]);
    }

    #[test]
    fn action_key_change_is_a_replacement_and_protect_refuses_it() {
        let old = json!({"kind": "enrichment", "action": "find-email-v2"});
        let new = json!({"kind": "enrichment", "action": "prospeo-find-work-email-v2"});
        let mut desired = column("E", new);
        desired.protect = true;
        let plan = diff(&[desired], &[prior("E", old.clone(), Some(old))]);
        assert_eq!(plan.changes[0].action, Action::Replace);
        assert_eq!(plan.changes[0].replace_paths, vec!["/action"]);
        assert_eq!(
            plan.problems,
            vec![PlanProblem::Protected {
                address: Address::column("W", "T", "E"),
                action: Action::Replace
            }]
        );
        assert_eq!(plan.summary_counts(), (1, 0, 1));
    }

    #[test]
    fn removing_a_protected_object_is_refused() {
        let mut protected = prior("P", json!({}), Some(json!({})));
        protected.protect = true;
        let plan = diff(&[], &[protected]);
        assert_eq!(plan.problems.len(), 1);
    }

    #[test]
    fn renamed_from_keeps_the_clay_object() {
        let config = json!({"kind": "input"});
        let mut renamed = column("Work Email", config.clone());
        renamed.renamed_from = vec![Address::column("W", "T", "Email")];
        let plan = diff(&[renamed], &[prior("Email", config.clone(), Some(config))]);
        assert_eq!(plan.changes.len(), 1, "{plan:#?}");
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.clay_id.as_deref(), Some("f_Email"));
        assert_eq!(
            change.previous_address,
            Some(Address::column("W", "T", "Email"))
        );
    }

    #[test]
    fn two_claims_on_one_old_name_are_a_problem_and_nothing_is_renamed() {
        let config = json!({"kind": "input"});
        let mut a = column("A", config.clone());
        a.renamed_from = vec![Address::column("W", "T", "Old")];
        let mut b = column("B", config.clone());
        b.renamed_from = vec![Address::column("W", "T", "Old")];
        let plan = diff(&[a, b], &[prior("Old", config.clone(), Some(config))]);
        assert!(matches!(
            plan.problems[0],
            PlanProblem::AmbiguousRename { .. }
        ));
        assert_eq!(plan.count(Action::Create), 2);
        assert_eq!(plan.count(Action::Delete), 1);
    }

    #[test]
    fn an_object_deleted_in_clay_is_created_again() {
        let config = json!({"kind": "input"});
        let plan = diff(&[column("C", config.clone())], &[prior("C", config, None)]);
        assert_eq!(plan.changes[0].action, Action::Create);
        assert_eq!(
            plan.changes[0].reasons,
            vec![Reason::DeletedOutsideClayform]
        );
    }

    #[test]
    fn null_and_missing_keys_are_equal() {
        let mut paths = Vec::new();
        changed_paths_between(
            &json!({"a": null, "b": 1}),
            &json!({"b": 1}),
            String::new(),
            &mut paths,
        );
        assert!(paths.is_empty());
        changed_paths_between(
            &json!({"a/b": 1}),
            &json!({"a/b": 2}),
            String::new(),
            &mut paths,
        );
        assert_eq!(paths, vec!["/a~1b"]);
    }
}
