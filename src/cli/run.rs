//! `clayform run` (not yet).
