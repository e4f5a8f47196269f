//! Where each new column goes, so that columns created concurrently still end up in spec order
//! and the order pass after the apply has nothing to move.
//!
//! Clay can place a new column right after a given one (`viewSettings.{view}.afterFieldId`) or
//! at the end of the view; nothing else. A column is placed right after the nearest column
//! before it in the spec that Clay already has (its *anchor*). That keeps the managed columns in
//! spec order whatever order the creates arrive in, with one exception: two creates in flight
//! that sit between the same two existing columns (the same *gap*). Both would be placed right
//! after the same anchor, so the one that arrives last would come first. So a gap takes one
//! create at a time, except the last gap, which takes two: the earlier column after the anchor,
//! the later one at the end.
//!
//! The scheduler asks [`Placements`] (a [`Gate`]) before starting a create; one that would
//! share a gap waits without holding a parallelism slot and is asked again when a create in its
//! table lands. A create that must start while nothing else runs, or one whose place can't be
//! expressed (before the first column of the view), goes at the end: the order pass repairs it.
//!
//! A column counts as existing from the moment Clay answers its `POST` with an id (before the
//! read-back), so its neighbours can anchor on it as early as possible.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use tokio::sync::Notify;

use crate::apply::scheduler::{self, Gate, Step};
use crate::plan::{Action, ResourceChange};
use crate::provider::wire::table::ClayTable;
use crate::state::{Address, ObjectPath};

/// Where Clay is asked to put a new column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Right after this field in the default view.
    After(String),
    /// At the end of the view.
    End,
}

/// The columns of one table by spec position.
#[derive(Debug, Default)]
struct TablePlaces {
    /// Managed columns Clay has, by spec position: field id.
    present: BTreeMap<usize, String>,
    /// Creates sent and not answered yet, by spec position: where they were placed.
    in_flight: BTreeMap<usize, Placement>,
    /// The field right before the first managed column in the view (or the view's last field
    /// when it has none): where a column with no existing column before it goes.
    head: Option<String>,
}

impl TablePlaces {
    /// Where the column at `position` can go now, or `None` when it must wait for a create in
    /// its gap to land. Alone in the last gap it goes to the end, unless `leave_end`: another
    /// column further right is about to need the end.
    fn placement(&self, position: usize, leave_end: bool) -> Option<Placement> {
        let left = self.present.range(..position).next_back();
        let right = self.present.range(position + 1..).next();
        let anchor = left.map(|(_, id)| id.clone()).or_else(|| self.head.clone());
        let low = left.map_or(0, |(p, _)| p + 1);
        let high = right.map_or(usize::MAX, |(p, _)| *p);
        let in_gap: Vec<(&usize, &Placement)> = self.in_flight.range(low..high).collect();
        let last_gap = right.is_none();
        match in_gap.as_slice() {
            [] if last_gap && !leave_end => Some(Placement::End),
            [] => Some(anchor.map_or(Placement::End, Placement::After)),
            // The last gap takes a second create when the two can't swap: the earlier column
            // after the anchor, the later one at the end.
            [(other, Placement::After(_))] if last_gap && position > **other => {
                Some(Placement::End)
            }
            [(other, Placement::End)] if last_gap && position < **other => {
                anchor.map(Placement::After)
            }
            _ => None,
        }
    }
}

/// The placement of every column create of one apply; the scheduler's [`Gate`].
pub struct Placements {
    tables: Mutex<HashMap<String, TablePlaces>>,
    /// Per step index: the table and spec position of a column create.
    steps: Vec<Option<(String, usize)>>,
    /// Per step index: the steps it waits for, and the longest chain of steps from it.
    depends_on: Vec<Vec<usize>>,
    heights: Vec<usize>,
    /// Per step index: started yet. Locked before `tables`.
    started: Mutex<Vec<bool>>,
    /// Column creates by address: table, spec position.
    creates: HashMap<Address, (String, usize)>,
    /// The step indices of each table's column creates (at most a table's columns: admitting a
    /// create looks only at its own table's).
    creates_by_table: HashMap<String, Vec<usize>>,
    opened: Notify,
}

impl Placements {
    /// `steps` are the changes the scheduler runs (by index) and `graph` their dependencies;
    /// `all` is the whole plan, no-ops included, whose columns tell which columns Clay already
    /// has; `order` gives each table's columns in spec order; `live` the tables as refreshed.
    pub fn new(
        steps: &[&ResourceChange],
        graph: &[Step],
        all: &[ResourceChange],
        order: impl Fn(&str) -> Vec<String>,
        live: &BTreeMap<String, ClayTable>,
    ) -> Placements {
        let mut tables: HashMap<String, TablePlaces> = HashMap::new();
        let mut orders: HashMap<String, Vec<String>> = HashMap::new();
        let mut position = |table: &str, column: &str| -> Option<usize> {
            orders
                .entry(table.to_string())
                .or_insert_with(|| order(table))
                .iter()
                .position(|c| c == column)
        };
        for change in all {
            let ObjectPath::Column { table, column } = &change.address.path else {
                continue;
            };
            let stays = matches!(change.action, Action::NoOp | Action::Update);
            if let (true, Some(id), Some(at)) = (stays, &change.clay_id, position(table, column)) {
                tables
                    .entry(table.clone())
                    .or_default()
                    .present
                    .insert(at, id.clone());
            }
        }
        let mut creates = HashMap::new();
        let steps: Vec<Option<(String, usize)>> = steps
            .iter()
            .map(|change| {
                let ObjectPath::Column { table, column } = &change.address.path else {
                    return None;
                };
                if !matches!(change.action, Action::Create | Action::Replace) {
                    return None;
                }
                let at = position(table, column)?;
                creates.insert(change.address.clone(), (table.clone(), at));
                Some((table.clone(), at))
            })
            .collect();
        let mut creates_by_table: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, create) in steps.iter().enumerate() {
            if let Some((table, _)) = create {
                creates_by_table
                    .entry(table.clone())
                    .or_default()
                    .push(index);
            }
        }
        for (name, table) in live {
            let places = tables.entry(name.clone()).or_default();
            let present: Vec<&String> = places.present.values().collect();
            places.head = head_of(table, &present);
        }
        Placements {
            tables: Mutex::new(tables),
            depends_on: graph.iter().map(|s| s.depends_on.clone()).collect(),
            heights: scheduler::heights(&scheduler::dependents_of(graph)),
            started: Mutex::new(vec![false; graph.len()]),
            steps,
            creates,
            creates_by_table,
            opened: Notify::new(),
        }
    }

    /// A table created by this apply: new columns with nothing before them go after its last
    /// field.
    pub fn table_created(&self, name: &str, table: &ClayTable) {
        let mut tables = self.tables.lock().expect("placements mutex");
        let places = tables.entry(name.to_string()).or_default();
        places.head = head_of(table, &[]);
    }

    /// Where the create of `address` was admitted to go. `None` for a step that isn't a
    /// column create (or was never admitted): such a column goes at the end.
    pub fn placement(&self, address: &Address) -> Option<Placement> {
        let (table, at) = self.creates.get(address)?;
        let tables = self.tables.lock().expect("placements mutex");
        tables.get(table)?.in_flight.get(at).cloned()
    }

    /// Clay answered the create of `address` with `field_id`: it now anchors its neighbours.
    pub fn landed(&self, address: &Address, field_id: &str) {
        self.settle(address, Some(field_id));
    }

    /// The create of `address` ended without an id (failed, or its outcome is unknown): its gap
    /// is free again.
    pub fn released(&self, address: &Address) {
        self.settle(address, None);
    }

    fn settle(&self, address: &Address, field_id: Option<&str>) {
        let Some((table, at)) = self.creates.get(address) else {
            return;
        };
        {
            let mut tables = self.tables.lock().expect("placements mutex");
            let Some(places) = tables.get_mut(table) else {
                return;
            };
            if places.in_flight.remove(at).is_none() && field_id.is_none() {
                return;
            }
            if let Some(id) = field_id {
                places.present.insert(*at, id.to_string());
            }
        }
        self.opened.notify_one();
    }
}

impl Placements {
    /// Whether a create of `table` at `position`, with `height` steps to go, should leave the end
    /// of its (last) gap to a column further right in the gap with at least as long a chain
    /// behind it that is ready or about to be (not started, everything it waits for started):
    /// three equally long chains of one table then take turns less often.
    fn leave_end(&self, table: &str, position: usize, height: usize, started: &[bool]) -> bool {
        self.creates_by_table
            .get(table)
            .into_iter()
            .flatten()
            .any(|&other| {
                self.steps[other]
                    .as_ref()
                    .is_some_and(|(_, at)| *at > position)
                    && !started[other]
                    && self.heights[other] >= height
                    && self.depends_on[other].iter().all(|&d| started[d])
            })
    }
}

impl Gate for Placements {
    fn admit(&self, index: usize, alone: bool) -> bool {
        let mut started = self.started.lock().expect("placements mutex");
        let Some(Some((table, at))) = self.steps.get(index) else {
            if let Some(flag) = started.get_mut(index) {
                *flag = true;
            }
            return true;
        };
        let leave_end = self.leave_end(table, *at, self.heights[index], &started);
        let mut tables = self.tables.lock().expect("placements mutex");
        let places = tables.entry(table.clone()).or_default();
        let placement = match places.placement(*at, leave_end) {
            Some(placement) => placement,
            None if alone => Placement::End,
            None => return false,
        };
        places.in_flight.insert(*at, placement);
        started[index] = true;
        true
    }

    fn opened(&self) -> &Notify {
        &self.opened
    }
}

/// The field right before the first of `managed` in `table`'s default view, or the view's last
/// field when none of `managed` is in it.
fn head_of(table: &ClayTable, managed: &[&String]) -> Option<String> {
    let view = super::order::view_order(table);
    match view.iter().position(|id| managed.contains(&id)) {
        Some(first) => first.checked_sub(1).map(|before| view[before].clone()),
        None => view.last().cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places(present: &[(usize, &str)], head: Option<&str>) -> TablePlaces {
        TablePlaces {
            present: present
                .iter()
                .map(|(at, id)| (*at, (*id).to_string()))
                .collect(),
            in_flight: BTreeMap::new(),
            head: head.map(str::to_owned),
        }
    }

    fn after(id: &str) -> Option<Placement> {
        Some(Placement::After(id.to_string()))
    }

    #[test]
    fn a_column_goes_after_the_nearest_existing_column_before_it() {
        let table = places(&[(0, "f_a"), (3, "f_d")], Some("f_head"));
        assert_eq!(table.placement(1, true), after("f_a"));
        assert_eq!(table.placement(2, true), after("f_a"));
        assert_eq!(table.placement(5, true), after("f_d"));
    }

    #[test]
    fn a_column_before_every_existing_one_goes_after_the_head_or_at_the_end() {
        assert_eq!(
            places(&[(2, "f_c")], Some("f_head")).placement(0, true),
            after("f_head")
        );
        assert_eq!(places(&[], None).placement(0, true), Some(Placement::End));
    }

    #[test]
    fn a_gap_takes_one_create_at_a_time_except_the_last_which_takes_two() {
        let mut table = places(&[(0, "f_a"), (4, "f_e")], None);
        // Between a and e: the first create goes, the second waits.
        table.in_flight.insert(2, Placement::After("f_a".into()));
        assert_eq!(table.placement(1, true), None);
        assert_eq!(table.placement(3, true), None);
        // After e (the last gap): a create placed after e lets a later one go to the end ...
        table.in_flight.insert(6, Placement::After("f_e".into()));
        assert_eq!(table.placement(8, true), Some(Placement::End));
        assert_eq!(table.placement(5, true), None);
        // ... and a create at the end lets an earlier one go after e, but no third.
        table.in_flight.remove(&6);
        table.in_flight.insert(7, Placement::End);
        assert_eq!(table.placement(5, true), after("f_e"));
        assert_eq!(table.placement(9, true), None);
        table.in_flight.insert(5, Placement::After("f_e".into()));
        assert_eq!(table.placement(6, true), None);
    }

    /// Whatever order concurrent creates land in, the view ends up in spec order, when every
    /// create is placed by the rules above at the moment it starts.
    #[test]
    fn any_landing_order_of_admitted_creates_keeps_spec_order() {
        // 12 columns; the view starts with a system field; columns start in a fixed pseudo-random
        // order and land in another, a few in flight at a time.
        for seed in 0..200u64 {
            let mut rng = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut next = |n: usize| {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((rng >> 33) as usize) % n
            };
            let mut view: Vec<String> = vec!["f_sys".into()];
            let mut table = places(&[], Some("f_sys"));
            let mut waiting: Vec<usize> = (0..12).collect();
            let mut flying: Vec<usize> = Vec::new();
            while !waiting.is_empty() || !flying.is_empty() {
                // Start what may start (in a random order of tries), up to 4 in flight.
                let mut tries = waiting.clone();
                while !tries.is_empty() && flying.len() < 4 {
                    let pick = tries.remove(next(tries.len()));
                    if let Some(placement) = table.placement(pick, next(2) == 0) {
                        table.in_flight.insert(pick, placement);
                        waiting.retain(|&w| w != pick);
                        flying.push(pick);
                    }
                }
                // One of the creates in flight lands (Clay applies it now).
                let landing = flying.remove(next(flying.len()));
                let id = format!("f_{landing}");
                match table.in_flight.remove(&landing).unwrap() {
                    Placement::After(anchor) => {
                        let at = view.iter().position(|v| *v == anchor).unwrap();
                        view.insert(at + 1, id.clone());
                    }
                    Placement::End => view.push(id.clone()),
                }
                table.present.insert(landing, id);
            }
            let expected: Vec<String> = std::iter::once("f_sys".to_string())
                .chain((0..12).map(|i| format!("f_{i}")))
                .collect();
            assert_eq!(view, expected, "seed {seed}");
        }
    }
}
