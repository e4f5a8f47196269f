//! Benchmark baseline: parse every `*.yaml` in a folder with serde-saphyr alone (into a generic
//! value), no validation, so `bench/validate.sh` can compare `clayform validate` against it.
//!
//! Usage: `cargo run --release --example parse_only -- DIR [THREADS]` (default 1 thread). With
//! more threads, files are shared out the same way `clayform validate` shares them (each thread
//! takes the next file), so parallel runs compare like with like.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn parse(path: &PathBuf) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(value["tables"].as_object().map_or(0, serde_json::Map::len))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: parse_only DIR [THREADS]")?;
    let threads: usize = args.next().map_or(Ok(1), |n| n.parse())?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    let next = AtomicUsize::new(0);
    let tables = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut tables = 0usize;
                    while let Some(path) = paths.get(next.fetch_add(1, Ordering::Relaxed)) {
                        tables += parse(path)?;
                    }
                    Ok::<usize, String>(tables)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .map_err(|_| "a parser thread panicked".to_string())?
            })
            .sum::<Result<usize, String>>()
    })?;
    eprintln!("parsed {} files ({tables} tables)", paths.len());
    Ok(())
}
