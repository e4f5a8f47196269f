//! Request counters for `/__emulator/stats`: per route template, totals, faults, a short log.
//!
//! Owns what is recorded about requests. Never records header values (no credentials), request
//! bodies or query strings: only method, path, route template, status and fault.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

#[derive(Debug, Default)]
pub struct Stats {
    pub total_requests: u64,
    pub faults_injected: u64,
    pub faults_by_kind: BTreeMap<String, u64>,
    /// `"PATCH /v3/tables/{tableId}/run"` -> count
    pub by_route: BTreeMap<String, u64>,
    pub log: VecDeque<Value>,
    /// Failures to write `--state FILE` (the request itself still succeeded in memory).
    pub persistence_errors: Vec<String>,
}

pub struct RequestRecord<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub route: &'a str,
    /// `None` when the connection was dropped without an answer.
    pub status: Option<u16>,
    pub fault: Option<&'static str>,
    /// When the request arrived and when it was answered, in µs since the emulator started
    /// (for timelines: which calls overlapped, where an apply waited).
    pub received_us: u64,
    pub answered_us: u64,
}

impl Stats {
    pub fn record(&mut self, request: &RequestRecord<'_>, log_size: usize) {
        self.total_requests += 1;
        *self
            .by_route
            .entry(format!("{} {}", request.method, request.route))
            .or_default() += 1;
        if let Some(fault) = request.fault {
            self.faults_injected += 1;
            *self.faults_by_kind.entry(fault.to_string()).or_default() += 1;
        }
        self.log.push_back(json!({
            "method": request.method,
            "path": request.path,
            "route": request.route,
            "status": request.status,
            "fault": request.fault,
            "receivedUs": request.received_us,
            "answeredUs": request.answered_us,
        }));
        while self.log.len() > log_size {
            self.log.pop_front();
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "totalRequests": self.total_requests,
            "faultsInjected": self.faults_injected,
            "faultsByKind": self.faults_by_kind,
            "byRoute": self.by_route,
            "requestLog": self.log,
            "persistenceErrors": self.persistence_errors,
        })
    }
}
