//! Topological order (Kahn, ties broken by file order) and cycle reports (CF204).
//!
//! Owns: ordering and cycle detection over a resolved [`Graph`]. Every cycle is reported once,
//! with its path in the message and each edge labelled where its reference is written.

use std::collections::{BTreeSet, HashMap, VecDeque};

use foldhash::fast::RandomState;

use super::{Edge, Graph, NodeId};
use crate::diagnostics::{Diagnostic, DiagnosticKind};

/// Each node's index in [`Graph::nodes`].
type Positions = HashMap<NodeId, usize, RandomState>;

/// Nodes in dependency order, plus a diagnostic per cycle (cycle nodes are left out).
pub fn order(graph: &Graph) -> (Vec<NodeId>, Vec<Diagnostic>) {
    // foldhash: SipHash was half of ordering in profiles.
    let position: Positions = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i))
        .collect();
    let count = graph.nodes.len();
    let mut waiting_on = vec![0usize; count];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    for edge in &graph.edges {
        let (Some(&from), Some(&to)) = (position.get(&edge.from), position.get(&edge.to)) else {
            continue;
        };
        waiting_on[from] += 1;
        dependents[to].push(from);
    }
    let mut ready: BTreeSet<usize> = (0..count).filter(|&i| waiting_on[i] == 0).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(next) = ready.pop_first() {
        order.push(graph.nodes[next]);
        for &dependent in &dependents[next] {
            waiting_on[dependent] -= 1;
            if waiting_on[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    let stuck: BTreeSet<usize> = (0..count).filter(|&i| waiting_on[i] > 0).collect();
    let diagnostics = cycles(graph, &position, &stuck);
    (order, diagnostics)
}

/// One diagnostic per strongly connected component with a cycle, among `stuck` nodes.
fn cycles(graph: &Graph, position: &Positions, stuck: &BTreeSet<usize>) -> Vec<Diagnostic> {
    let mut out_edges: HashMap<usize, Vec<&Edge>> = HashMap::new();
    for edge in &graph.edges {
        if let (Some(&from), Some(&to)) = (position.get(&edge.from), position.get(&edge.to))
            && stuck.contains(&from)
            && stuck.contains(&to)
        {
            out_edges.entry(from).or_default().push(edge);
        }
    }
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    let mut diagnostics = Vec::new();
    for &start in stuck {
        if reported.contains(&start) {
            continue;
        }
        let Some(path) = shortest_cycle(start, position, &out_edges) else {
            // Stuck only because it depends on a cycle elsewhere.
            continue;
        };
        let members: Vec<usize> = path.iter().map(|e| position[&e.from]).collect();
        // Everything in this node's component is covered by this report.
        for member in component(start, position, &out_edges) {
            reported.insert(member);
        }
        reported.extend(members);
        diagnostics.push(report(graph, &path));
    }
    diagnostics
}

/// The shortest cycle through `start`, as its edges, by breadth-first search.
fn shortest_cycle<'g>(
    start: usize,
    position: &Positions,
    out_edges: &HashMap<usize, Vec<&'g Edge>>,
) -> Option<Vec<&'g Edge>> {
    let mut came_by: HashMap<usize, &Edge> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for edge in out_edges.get(&node).into_iter().flatten() {
            let to = position[&edge.to];
            if to == start {
                let mut path = vec![*edge];
                let mut at = node;
                while at != start {
                    let edge = came_by[&at];
                    path.push(edge);
                    at = position[&edge.from];
                }
                path.reverse();
                return Some(path);
            }
            if let std::collections::hash_map::Entry::Vacant(entry) = came_by.entry(to) {
                entry.insert(edge);
                queue.push_back(to);
            }
        }
    }
    None
}

/// Nodes reachable from `start` that can also reach it (its strongly connected component).
fn component(
    start: usize,
    position: &Positions,
    out_edges: &HashMap<usize, Vec<&Edge>>,
) -> BTreeSet<usize> {
    let reach = |forward: bool| {
        let mut seen = BTreeSet::from([start]);
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            for (from, edges) in out_edges {
                for edge in edges {
                    let (a, b) = (*from, position[&edge.to]);
                    let (here, next) = if forward { (a, b) } else { (b, a) };
                    if here == node && seen.insert(next) {
                        stack.push(next);
                    }
                }
            }
        }
        seen
    };
    let forward = reach(true);
    let backward = reach(false);
    forward.intersection(&backward).copied().collect()
}

fn report(graph: &Graph, path: &[&Edge]) -> Diagnostic {
    let same_table = path
        .iter()
        .all(|e| table_of(e.from) == table_of(path[0].from));
    let name = |node: NodeId| {
        if same_table {
            graph.short_name(node)
        } else {
            graph.qualified_name(node)
        }
    };
    let mut names: Vec<String> = path.iter().map(|e| name(e.from)).collect();
    names.push(name(path[0].from));
    let mut diagnostic = Diagnostic::new(
        DiagnosticKind::ReferenceCycle {
            path: names.clone(),
        },
        path[0].span,
    )
    .with_primary_label(format!("`{}` depends on `{}` here", names[0], names[1]));
    for (i, edge) in path.iter().enumerate().skip(1) {
        diagnostic = diagnostic.with_label(
            edge.span,
            format!("`{}` depends on `{}` here", names[i], names[i + 1]),
        );
    }
    diagnostic.with_help("break the cycle: one of these columns must not reference the other")
}

fn table_of(node: NodeId) -> usize {
    match node {
        NodeId::Source(t) => t.0,
        NodeId::Column(c) => c.table.0,
    }
}
