//! Finding `clayform.yaml` and the spec files a command works on.
