//! Engine benchmark helper: how many round trips deep a run of requests was.
//!
//! Reads the emulator's `/__emulator/stats` (its request log carries when each request arrived
//! and was answered, in µs) and prints the length of the longest chain of requests each sent
//! after the previous one was answered: the sequential round trips the run took, however many
//! requests ran beside them. `--before ROUTE` counts only requests that arrived before the first
//! request to ROUTE (e.g. `"PATCH /v3/tables/{tableId}"`), to split one step from the next.
//!
//! Usage: `request_depth STATS.json [--before "METHOD /route"]` → prints one number.

use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: request_depth STATS.json [--before ROUTE]")?;
    let before = match (args.next().as_deref(), args.next()) {
        (Some("--before"), Some(route)) => Some(route),
        (None, _) => None,
        _ => return Err("usage: request_depth STATS.json [--before ROUTE]".into()),
    };
    let stats: Value = serde_json::from_slice(&std::fs::read(&path)?)?;
    let log = stats["requestLog"].as_array().ok_or("no requestLog")?;
    let mut requests: Vec<(u64, u64, String)> = log
        .iter()
        .filter(|r| !r["path"].as_str().unwrap_or("").starts_with("/__emulator"))
        .map(|r| {
            let route = format!(
                "{} {}",
                r["method"].as_str().unwrap_or(""),
                r["route"].as_str().unwrap_or("")
            );
            (
                r["receivedUs"].as_u64().unwrap_or(0),
                r["answeredUs"].as_u64().unwrap_or(0),
                route,
            )
        })
        .collect();
    requests.sort();
    if let Some(route) = before
        && let Some(cut) = requests.iter().position(|(_, _, r)| *r == route)
    {
        requests.truncate(cut);
    }
    println!("{}", depth(&requests));
    Ok(())
}

/// The longest chain of requests in which each arrived after the one before it was answered.
fn depth(requests: &[(u64, u64, String)]) -> usize {
    let mut chain = vec![0usize; requests.len()];
    for (i, (received, _, _)) in requests.iter().enumerate() {
        chain[i] = 1
            + (0..i)
                .filter(|&j| requests[j].1 <= *received)
                .map(|j| chain[j])
                .max()
                .unwrap_or(0);
    }
    chain.into_iter().max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::depth;

    #[test]
    fn concurrent_requests_count_once_and_sequential_ones_add_up() {
        let r = |a, b| (a, b, String::new());
        // Two at once, then one after both, then two more in a row.
        let log = [r(0, 50), r(1, 52), r(53, 100), r(101, 150), r(151, 200)];
        assert_eq!(depth(&log), 4);
        assert_eq!(depth(&log[..2]), 1);
        assert_eq!(depth(&[]), 0);
    }
}
