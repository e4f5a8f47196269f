//! Benchmark baseline: parse every `*.yaml` in a folder with serde-saphyr alone (into a generic
//! value), no validation, so `bench/validate.sh` can compare `clayform validate` against it.
//!
//! Usage: `cargo run --release --example parse_only -- DIR`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: parse_only DIR")?;
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    let mut nodes = 0usize;
    for path in &paths {
        let text = std::fs::read_to_string(path)?;
        let value: serde_json::Value = serde_saphyr::from_str(&text)?;
        nodes += value["tables"].as_object().map_or(0, serde_json::Map::len);
    }
    eprintln!("parsed {} files ({nodes} tables)", paths.len());
    Ok(())
}
