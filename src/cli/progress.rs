//! Apply's progress on stderr, rendered from the executor's events (`apply::hook`): a bar on a
//! terminal (steps done of the plan's, the steps in flight, and a line per finished step printed
//! above it), plain lines otherwise, JSON lines with `--json`.
//! Must not know: what a step does; it only renders events.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::apply::hook::{ApplyEvent, ApplyHook};
use crate::plan::Action;

enum Mode {
    /// A bar drawn to this target once [`ApplyProgress::begin`] knows the number of steps.
    Bars(Mutex<Option<ProgressDrawTarget>>),
    Lines,
    Json,
}

pub struct ApplyProgress {
    mode: Mode,
    bar: Mutex<Option<ProgressBar>>,
    /// Steps started and not finished, by address, with when they started.
    in_flight: Mutex<BTreeMap<String, Instant>>,
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "creating",
        Action::Update | Action::NoOp => "updating",
        Action::Replace => "replacing",
        Action::Delete => "destroying",
    }
}

fn done(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update | Action::NoOp => "updated",
        Action::Replace => "replaced",
        Action::Delete => "destroyed",
    }
}

impl ApplyProgress {
    /// JSON lines with `json`; otherwise a bar when stderr is a terminal, plain lines when not.
    pub fn new(json: bool) -> ApplyProgress {
        let mode = if json {
            Mode::Json
        } else if std::io::stderr().is_terminal() {
            Mode::Bars(Mutex::new(Some(ProgressDrawTarget::stderr())))
        } else {
            Mode::Lines
        };
        ApplyProgress::with_mode(mode)
    }

    /// A bar drawn to `target` (tests draw to a recording terminal).
    #[cfg(test)]
    fn bars_to(target: ProgressDrawTarget) -> ApplyProgress {
        ApplyProgress::with_mode(Mode::Bars(Mutex::new(Some(target))))
    }

    fn with_mode(mode: Mode) -> ApplyProgress {
        ApplyProgress {
            mode,
            bar: Mutex::new(None),
            in_flight: Mutex::default(),
        }
    }

    /// The apply starts with `steps` steps: show the bar (nothing before, so the plan and the
    /// approval prompt are not drawn over).
    pub fn begin(&self, steps: u64) {
        let Mode::Bars(target) = &self.mode else {
            return;
        };
        let Some(target) = target.lock().expect("progress mutex").take() else {
            return;
        };
        let bar = ProgressBar::with_draw_target(Some(steps), target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} applying [{bar:30}] {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        *self.bar.lock().expect("progress mutex") = Some(bar);
    }

    /// The apply ended: remove the bar (the summary follows as plain text).
    pub fn finish(&self) {
        if let Some(bar) = self.bar.lock().expect("progress mutex").take() {
            bar.finish_and_clear();
        }
    }

    /// A line above the bar, or on stderr.
    fn line(&self, text: String) {
        match &*self.bar.lock().expect("progress mutex") {
            Some(bar) => bar.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Count a finished step and say what is still in flight.
    fn step_finished(&self, address: &str) {
        let mut in_flight = self.in_flight.lock().expect("progress mutex");
        in_flight.remove(address);
        if let Some(bar) = &*self.bar.lock().expect("progress mutex") {
            if bar.length().is_some_and(|length| bar.position() >= length) {
                bar.inc_length(1);
            }
            bar.inc(1);
            bar.set_message(in_flight_message(&in_flight));
        }
    }
}

/// "3 in flight: the longest running one (4.2s)".
fn in_flight_message(in_flight: &BTreeMap<String, Instant>) -> String {
    let Some((address, since)) = in_flight.iter().min_by_key(|(_, since)| **since) else {
        return String::new();
    };
    format!(
        "{} in flight, longest: {address} ({:.1}s)",
        in_flight.len(),
        since.elapsed().as_secs_f64()
    )
}

impl ApplyHook for ApplyProgress {
    fn event(&self, event: &ApplyEvent) {
        if let Mode::Json = self.mode {
            if let Ok(line) = serde_json::to_string(event) {
                eprintln!("{line}");
            }
            return;
        }
        let bars = self.bar.lock().expect("progress mutex").is_some();
        match event {
            ApplyEvent::PreApply { address, action } => {
                if bars {
                    let mut in_flight = self.in_flight.lock().expect("progress mutex");
                    in_flight.insert(address.to_string(), Instant::now());
                    if let Some(bar) = &*self.bar.lock().expect("progress mutex") {
                        bar.set_message(in_flight_message(&in_flight));
                    }
                } else {
                    eprintln!("{address}: {}...", verb(*action));
                }
            }
            ApplyEvent::PostApply {
                address,
                action,
                elapsed,
            } => {
                let text = if bars {
                    format!(
                        "{address}: {} after {:.1}s",
                        done(*action),
                        elapsed.as_secs_f64()
                    )
                } else {
                    format!("{address}: done after {:.1}s", elapsed.as_secs_f64())
                };
                self.line(text);
                self.step_finished(&address.to_string());
            }
            ApplyEvent::Failed { address, error, .. } => {
                self.line(format!("{address}: failed: {error}"));
                self.step_finished(&address.to_string());
            }
            ApplyEvent::Skipped {
                address, because, ..
            } => {
                self.line(format!("{address}: skipped because `{because}` failed"));
                self.step_finished(&address.to_string());
            }
            ApplyEvent::PostStateUpdate { .. } => {}
        }
    }
}

/// Rows added to one table: a bar on a terminal, else a line per insert call; nothing for a
/// load that fits in one call.
pub struct RowsProgress {
    table: String,
    bar: Option<ProgressBar>,
    shown: bool,
}

impl RowsProgress {
    pub fn new(table: &str) -> RowsProgress {
        RowsProgress {
            table: table.to_string(),
            bar: None,
            shown: false,
        }
    }

    /// `done` of `total` new rows are in Clay.
    pub fn update(&mut self, done: usize, total: usize) {
        if total <= crate::engine::rows::INSERT_CHUNK {
            return;
        }
        if !self.shown {
            self.shown = true;
            if std::io::stderr().is_terminal() {
                let bar =
                    ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "rows: table `{prefix}` [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar.set_prefix(self.table.clone());
                self.bar = Some(bar);
            }
        }
        match &self.bar {
            Some(bar) => bar.set_position(done as u64),
            None => eprintln!("table `{}`: {done} of {total} new rows added", self.table),
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use indicatif::TermLike;

    use super::*;
    use crate::state::Address;

    /// A terminal that keeps what is written to it.
    #[derive(Debug, Default, Clone)]
    struct Recorder(Arc<Mutex<String>>);

    impl TermLike for Recorder {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _n: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            let mut text = self.0.lock().unwrap();
            text.push_str(s);
            text.push('\n');
            Ok(())
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str(s);
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.lock().unwrap().push_str("<clear>");
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_bar_counts_steps_and_prints_a_line_per_finished_step() {
        let terminal = Recorder::default();
        let progress =
            ApplyProgress::bars_to(ProgressDrawTarget::term_like(Box::new(terminal.clone())));
        let column = |name: &str| Address::column("Leads", "Companies", name);
        progress.event(&ApplyEvent::PreApply {
            address: column("Email"),
            action: Action::Create,
        });
        assert!(
            terminal.0.lock().unwrap().is_empty(),
            "nothing is drawn before `begin`"
        );
        progress.begin(3);
        progress.event(&ApplyEvent::PreApply {
            address: column("Score"),
            action: Action::Update,
        });
        progress.event(&ApplyEvent::PostApply {
            address: column("Email"),
            action: Action::Create,
            elapsed: Duration::from_millis(300),
        });
        progress.event(&ApplyEvent::Failed {
            address: column("Score"),
            action: Action::Update,
            error: "Clay said no".into(),
        });
        progress.event(&ApplyEvent::Skipped {
            address: column("Summary"),
            action: Action::Create,
            because: column("Score"),
        });
        {
            let bar = progress.bar.lock().unwrap();
            let bar = bar.as_ref().expect("a bar after begin");
            assert_eq!((bar.position(), bar.length()), (3, Some(3)));
        }
        progress.finish();
        let text = terminal.0.lock().unwrap().clone();
        for expected in [
            "column[\"Email\"]: created after 0.3s",
            "column[\"Score\"]: failed: Clay said no",
            "column[\"Summary\"]: skipped because `workbook[\"Leads\"].table[\"Companies\"].column[\"Score\"]` failed",
            "applying [",
        ] {
            assert!(text.contains(expected), "no `{expected}` in:\n{text}");
        }
        assert!(
            progress.bar.lock().unwrap().is_none(),
            "finish removes the bar"
        );
    }

    #[test]
    fn more_steps_than_announced_grow_the_bar() {
        let progress = ApplyProgress::bars_to(ProgressDrawTarget::hidden());
        progress.begin(1);
        for name in ["A", "B"] {
            progress.event(&ApplyEvent::PostApply {
                address: Address::column("W", "T", name),
                action: Action::Create,
                elapsed: Duration::ZERO,
            });
        }
        let bar = progress.bar.lock().unwrap();
        let bar = bar.as_ref().unwrap();
        assert_eq!((bar.position(), bar.length()), (2, Some(2)));
    }
}
