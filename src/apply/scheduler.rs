//! The DAG scheduler: runs steps as soon as everything they depend on has finished, at most
//! `parallelism` at a time. When a step fails, the steps that depend on it (transitively) are
//! skipped; independent branches run to the end.
//!
//! It knows nothing of Clay: a step is an index and a future. Starting each step the moment its
//! last dependency finishes (rather than level by level) keeps wall time close to the critical
//! path, which `BENCHMARKS.md` measures. When more steps are ready than may run, the ones with
//! the longest chain of steps still behind them go first (critical path first; ties in plan
//! order), so a long dependency chain never waits for a slot behind steps nothing waits on.
//!
//! A [`Gate`] may hold a ready step back without giving it a slot (the engine uses one so that two
//! new columns never race for the same place in a table); a held step is asked again whenever the
//! gate says it opened, and a step that is ready while nothing runs always starts.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::future::Future;
use std::time::Instant;

use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::Notify;

use super::hook::{ApplyEvent, ApplyHook};
use crate::plan::Action;
use crate::state::Address;

/// One unit of work: an object's change, and the steps (by index) it waits for.
#[derive(Debug, Clone)]
pub struct Step {
    pub address: Address,
    pub action: Action,
    pub depends_on: Vec<usize>,
}

/// How each step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepOutcome {
    Done,
    Failed(String),
    /// Skipped because the step at this index failed.
    Skipped {
        because: usize,
    },
}

/// Decides whether a ready step may start now.
pub trait Gate {
    /// Whether ready step `index` may start now. `alone` means no step is running, so nothing
    /// could open the gate later: the step starts whatever the answer.
    fn admit(&self, index: usize, alone: bool) -> bool;
    /// Notified (`notify_one`) when a running step changed what [`Gate::admit`] would answer.
    fn opened(&self) -> &Notify;
}

/// Admits every step.
pub struct Ungated(Notify);

impl Gate for Ungated {
    fn admit(&self, _: usize, _: bool) -> bool {
        true
    }
    fn opened(&self) -> &Notify {
        &self.0
    }
}

/// Run `steps` with `run_step(index)`; returns each step's outcome, by index.
///
/// Dependencies must point at valid indices; a dependency cycle would leave steps unstarted,
/// which is reported as skipped because of the step itself (the graph stage rules cycles out).
pub async fn execute<F, Fut>(
    steps: &[Step],
    parallelism: usize,
    run_step: F,
    hook: &dyn ApplyHook,
) -> Vec<StepOutcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    execute_gated(steps, parallelism, run_step, hook, &Ungated(Notify::new())).await
}

/// [`execute`], asking `gate` before starting each ready step.
pub async fn execute_gated<F, Fut>(
    steps: &[Step],
    parallelism: usize,
    run_step: F,
    hook: &dyn ApplyHook,
    gate: &dyn Gate,
) -> Vec<StepOutcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let parallelism = parallelism.max(1);
    let mut outcomes: Vec<Option<StepOutcome>> = vec![None; steps.len()];
    let mut waiting_on: Vec<usize> = steps.iter().map(|s| s.depends_on.len()).collect();
    let dependents = dependents_of(steps);
    let height = heights(&dependents);
    // Max-heap: the tallest ready step first; among equals, the lowest index.
    let mut ready: BinaryHeap<(usize, Reverse<usize>)> = (0..steps.len())
        .filter(|&i| waiting_on[i] == 0)
        .map(|i| (height[i], Reverse(i)))
        .collect();
    let mut running = FuturesUnordered::new();

    loop {
        let mut held = Vec::new();
        while running.len() < parallelism {
            let Some((height_of, Reverse(index))) = ready.pop() else {
                break;
            };
            if !gate.admit(index, running.is_empty()) && !running.is_empty() {
                held.push((height_of, Reverse(index)));
                continue;
            }
            let step = &steps[index];
            hook.event(&ApplyEvent::PreApply {
                address: step.address.clone(),
                action: step.action,
            });
            let started = Instant::now();
            let future = run_step(index);
            running.push(async move { (index, started, future.await) });
        }
        let any_held = !held.is_empty();
        ready.extend(held);
        let next = if any_held {
            tokio::select! {
                next = running.next() => next,
                () = gate.opened().notified() => continue,
            }
        } else {
            running.next().await
        };
        let Some((index, started, result)) = next else {
            break;
        };
        let step = &steps[index];
        match result {
            Ok(()) => {
                hook.event(&ApplyEvent::PostApply {
                    address: step.address.clone(),
                    action: step.action,
                    elapsed: started.elapsed(),
                });
                outcomes[index] = Some(StepOutcome::Done);
                for &dependent in &dependents[index] {
                    waiting_on[dependent] -= 1;
                    if waiting_on[dependent] == 0 && outcomes[dependent].is_none() {
                        ready.push((height[dependent], Reverse(dependent)));
                    }
                }
            }
            Err(error) => {
                hook.event(&ApplyEvent::Failed {
                    address: step.address.clone(),
                    action: step.action,
                    error: error.clone(),
                });
                outcomes[index] = Some(StepOutcome::Failed(error));
                skip_dependents(index, steps, &dependents, &mut outcomes, hook);
            }
        }
    }
    outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| outcome.unwrap_or(StepOutcome::Skipped { because: index }))
        .collect()
}

/// For each step, the steps that wait for it.
pub fn dependents_of(steps: &[Step]) -> Vec<Vec<usize>> {
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); steps.len()];
    for (index, step) in steps.iter().enumerate() {
        for &dependency in &step.depends_on {
            dependents[dependency].push(index);
        }
    }
    dependents
}

/// For each step, how many steps the longest chain starting at it has (itself included). A
/// cycle (which the graph stage rules out) is cut where it closes.
pub fn heights(dependents: &[Vec<usize>]) -> Vec<usize> {
    let mut height = vec![0usize; dependents.len()];
    // 0 = not visited, 1 = on the stack, 2 = done.
    let mut mark = vec![0u8; dependents.len()];
    for root in 0..dependents.len() {
        if mark[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        mark[root] = 1;
        while let Some((node, next)) = stack.pop() {
            if let Some(&child) = dependents[node].get(next) {
                stack.push((node, next + 1));
                if mark[child] == 0 {
                    mark[child] = 1;
                    stack.push((child, 0));
                }
            } else {
                height[node] = 1 + dependents[node]
                    .iter()
                    .filter(|&&child| mark[child] == 2)
                    .map(|&child| height[child])
                    .max()
                    .unwrap_or(0);
                mark[node] = 2;
            }
        }
    }
    height
}

fn skip_dependents(
    failed: usize,
    steps: &[Step],
    dependents: &[Vec<usize>],
    outcomes: &mut [Option<StepOutcome>],
    hook: &dyn ApplyHook,
) {
    let mut stack = dependents[failed].clone();
    while let Some(index) = stack.pop() {
        if outcomes[index].is_some() {
            continue;
        }
        hook.event(&ApplyEvent::Skipped {
            address: steps[index].address.clone(),
            action: steps[index].action,
            because: steps[failed].address.clone(),
        });
        outcomes[index] = Some(StepOutcome::Skipped { because: failed });
        stack.extend(dependents[index].iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;
    use crate::apply::hook::{NoHook, RecordingHook};
    use tokio::sync::Notify;

    fn step(name: &str, depends_on: &[usize]) -> Step {
        Step {
            address: Address::column("W", "T", name),
            action: Action::Create,
            depends_on: depends_on.to_vec(),
        }
    }

    #[tokio::test]
    async fn dependencies_finish_before_dependents_start() {
        // 0 → 1 → 3, 0 → 2 → 3
        let steps = vec![
            step("a", &[]),
            step("b", &[0]),
            step("c", &[0]),
            step("d", &[1, 2]),
        ];
        let order = Arc::new(Mutex::new(Vec::new()));
        let outcomes = execute(
            &steps,
            4,
            |index| {
                let order = order.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    order.lock().unwrap().push(index);
                    Ok(())
                }
            },
            &NoHook,
        )
        .await;
        assert!(outcomes.iter().all(|o| *o == StepOutcome::Done));
        let order = order.lock().unwrap().clone();
        let position = |i| order.iter().position(|&x| x == i).unwrap();
        assert!(position(0) < position(1) && position(0) < position(2));
        assert!(position(1) < position(3) && position(2) < position(3));
    }

    #[tokio::test(start_paused = true)]
    async fn parallelism_is_a_ceiling_and_is_reached() {
        let steps: Vec<Step> = (0..12).map(|i| step(&i.to_string(), &[])).collect();
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        execute(
            &steps,
            3,
            |_| {
                let (running, peak) = (running.clone(), peak.clone());
                async move {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                }
            },
            &NoHook,
        )
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_longest_chain_starts_first_and_ties_keep_plan_order() {
        // 0, 1, 2 are leaves nothing waits on; 3 → 4 → 5 is a chain; 6 → 7 a shorter one.
        let steps = vec![
            step("leaf a", &[]),
            step("leaf b", &[]),
            step("leaf c", &[]),
            step("chain 1", &[]),
            step("chain 2", &[3]),
            step("chain 3", &[4]),
            step("pair 1", &[]),
            step("pair 2", &[6]),
        ];
        let started = Arc::new(Mutex::new(Vec::new()));
        execute(
            &steps,
            1,
            |index| {
                started.lock().unwrap().push(index);
                async { Ok(()) }
            },
            &NoHook,
        )
        .await;
        // 3 (3 to go), then 4 and 6 (2 each, plan order), then everything with 1 in plan order.
        assert_eq!(*started.lock().unwrap(), [3, 4, 6, 0, 1, 2, 5, 7]);
    }

    /// Holds step 1 while step 0 runs (as if they shared a place), and opens when 0 says so.
    struct OneAtATime {
        running_zero: AtomicUsize,
        opened: Notify,
        asked: Mutex<Vec<(usize, bool)>>,
    }

    impl Gate for OneAtATime {
        fn admit(&self, index: usize, alone: bool) -> bool {
            self.asked.lock().unwrap().push((index, alone));
            match index {
                // Admitting zero takes the place (as `Placements` reserves a gap).
                0 => self.running_zero.store(1, Ordering::SeqCst),
                1 => return self.running_zero.load(Ordering::SeqCst) == 0,
                _ => {}
            }
            true
        }
        fn opened(&self) -> &Notify {
            &self.opened
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_step_waits_without_a_slot_and_starts_when_the_gate_opens() {
        // 0 and 1 are the tallest (each has a dependent), 2 and 3 are leaves; parallelism 2.
        let steps = vec![
            step("zero", &[]),
            step("one", &[]),
            step("leaf a", &[]),
            step("leaf b", &[]),
            step("after zero", &[0]),
            step("after one", &[1]),
        ];
        let gate = OneAtATime {
            running_zero: AtomicUsize::new(0),
            opened: Notify::new(),
            asked: Mutex::new(Vec::new()),
        };
        let started = Arc::new(Mutex::new(Vec::new()));
        let outcomes = execute_gated(
            &steps,
            2,
            |index| {
                let started = started.clone();
                let gate = &gate;
                async move {
                    started.lock().unwrap().push(index);
                    if index == 0 {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        // Zero's place is settled before it finishes: one may go now.
                        gate.running_zero.store(0, Ordering::SeqCst);
                        gate.opened.notify_one();
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    Ok(())
                }
            },
            &NoHook,
            &gate,
        )
        .await;
        assert!(outcomes.iter().all(|o| *o == StepOutcome::Done));
        let started = started.lock().unwrap().clone();
        // One is held while zero runs: its slot goes to a leaf. It starts when the gate opens
        // (zero still running, the leaf's slot freed at 20 ms), before the other leaf.
        assert_eq!(&started[..2], &[0, 2]);
        assert_eq!(started[2], 1, "{started:?}");
        assert!(gate.asked.lock().unwrap().contains(&(1, false)));
    }

    #[test]
    fn heights_count_the_longest_chain_behind_each_step() {
        // 0 → 1 → 3, 0 → 2, 4 alone.
        let dependents = vec![vec![1, 2], vec![3], vec![], vec![], vec![]];
        assert_eq!(heights(&dependents), [3, 2, 1, 1, 1]);
    }

    #[tokio::test]
    async fn a_failure_skips_dependents_and_independent_branches_finish() {
        // 0 fails; 1 depends on 0; 2 depends on 1; 3 is independent.
        let steps = vec![
            step("a", &[]),
            step("b", &[0]),
            step("c", &[1]),
            step("d", &[]),
        ];
        let hook = RecordingHook::default();
        let outcomes = execute(
            &steps,
            2,
            |index| async move {
                if index == 0 {
                    Err("boom".to_string())
                } else {
                    Ok(())
                }
            },
            &hook,
        )
        .await;
        assert_eq!(
            outcomes,
            vec![
                StepOutcome::Failed("boom".into()),
                StepOutcome::Skipped { because: 0 },
                StepOutcome::Skipped { because: 0 },
                StepOutcome::Done,
            ]
        );
        let skipped = hook
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| matches!(e, ApplyEvent::Skipped { .. }))
            .count();
        assert_eq!(skipped, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_step_starts_when_its_own_dependencies_finish_not_its_level() {
        // 0 is slow; 1 is fast; 2 depends only on 1 and must not wait for 0.
        let steps = vec![
            step("slow", &[]),
            step("fast", &[]),
            step("after-fast", &[1]),
        ];
        let finished = Arc::new(Mutex::new(Vec::new()));
        execute(
            &steps,
            4,
            |index| {
                let finished = finished.clone();
                async move {
                    let ms = if index == 0 { 60 } else { 5 };
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    finished.lock().unwrap().push(index);
                    Ok(())
                }
            },
            &NoHook,
        )
        .await;
        assert_eq!(*finished.lock().unwrap(), vec![1, 2, 0]);
    }
}
