//! `clayform emulate`: serve the local Clay API emulator until Ctrl-C.
//!
//! Resolves the command-line flags into an `EmulatorConfig`, prints the base URL on stdout
//! (data) and how to point clayform at it on stderr. Knows nothing about Clay's API itself.

use std::net::SocketAddr;

use anyhow::Context as _;

use super::args::EmulateArgs;
use crate::emulator::{EmulatorConfig, RunSpeed};

fn config_from(args: &EmulateArgs) -> EmulatorConfig {
    EmulatorConfig {
        latency_ms: args.latency_ms,
        jitter_ms: args.jitter_ms,
        request_log_size: args.request_log_size,
        fault_rate: args.fault_rate.clamp(0.0, 1.0),
        seed: args.seed,
        state_file: args.state.clone(),
        // People watch `clayform run` against this: progress should be visible.
        run_speed: RunSpeed::DEMO,
        ..EmulatorConfig::default()
    }
}

pub fn run(args: &EmulateArgs) -> anyhow::Result<u8> {
    let address: SocketAddr = format!("{}:{}", args.bind, args.port)
        .parse()
        .with_context(|| format!("`{}` is not an IP address to bind", args.bind))?;
    let config = config_from(args);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("could not listen on {address}"))?;
        let bound = listener.local_addr().context("could not read the bound address")?;
        println!("http://{bound}");
        eprintln!("clay emulator listening; point clayform at it with:");
        eprintln!("  CLAY_API_URL=http://{bound} CLAY_API_KEY=anything clayform plan");
        eprintln!("stats: http://{bound}/__emulator/stats — press Ctrl-C to stop");
        tokio::select! {
            served = crate::emulator::serve(listener, config) => served.context("emulator stopped")?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(0)
    })
}
