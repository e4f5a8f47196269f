//! Lock information: who holds a state's lock, for what, since when.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Plan,
    Apply,
    Destroy,
    Import,
    Run,
    StateEdit,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Operation::Plan => "plan",
            Operation::Apply => "apply",
            Operation::Destroy => "destroy",
            Operation::Import => "import",
            Operation::Run => "run",
            Operation::StateEdit => "state edit",
        };
        f.write_str(name)
    }
}

/// Written into the lock so a waiting user can see who holds it, and pass `id` to
/// `clayform force-unlock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub id: String,
    pub operation: Operation,
    /// `user@host`.
    pub who: String,
    /// clayform version of the holder.
    pub version: String,
    /// RFC 3339, UTC.
    pub created: String,
    /// Where the lock lives (a file path, or a database key).
    pub path: String,
    /// Process id of the holder, for local locks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
}

impl LockInfo {
    pub fn new(operation: Operation, path: impl Into<String>) -> LockInfo {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_default();
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .unwrap_or_else(|_| "localhost".to_string());
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation,
            who: format!("{}@{host}", if user.is_empty() { "unknown" } else { &user }),
            version: env!("CARGO_PKG_VERSION").to_string(),
            created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            path: path.into(),
            pid: Some(std::process::id()),
        }
    }
}

impl fmt::Display for LockInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Lock Info:")?;
        writeln!(f, "  ID:        {}", self.id)?;
        writeln!(f, "  Path:      {}", self.path)?;
        writeln!(f, "  Operation: {}", self.operation)?;
        writeln!(f, "  Who:       {}", self.who)?;
        writeln!(f, "  Version:   {}", self.version)?;
        write!(f, "  Created:   {}", self.created)?;
        if let Some(pid) = self.pid {
            write!(f, "\n  PID:       {pid}")?;
        }
        Ok(())
    }
}
