//! A local emulator of Clay's internal v3 API, quirks included, for tests, demos and benchmarks.
//!
//! Must not share wire types with `provider`: it follows `clay-api.md`, not our client.
