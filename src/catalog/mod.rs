//! The catalog: enrichments (Clay actions) and AI models with their costs, as data files.
//!
//! Pure: the data files are compiled in; overrides come from the project model.
