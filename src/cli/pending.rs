//! Commands of the contract that are not built yet: they fail loudly instead of pretending.

/// Fail with a clear message naming the issue that builds `command`.
pub fn not_yet(command: &str, issue: u32) -> anyhow::Result<u8> {
    anyhow::bail!(
        "`clayform {command}` is not available in this build yet (tracked in issue {issue})"
    )
}
