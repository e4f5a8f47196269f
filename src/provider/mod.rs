//! The Clay provider: the only module that knows Clay's JSON and HTTP API (`/v3`).
