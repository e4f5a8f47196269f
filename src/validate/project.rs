//! Lowering `clayform.yaml` to [`crate::model::Project`].
//!
//! Owns: AST → model for the project file, with spans. Must not know: files on disk, the
//! catalog's entry format (overrides stay JSON for the catalog to check).

use crate::diagnostics::Diagnostic;
use crate::model::{Backend, CatalogOverrides, Client, ClientBudgets, Name, Project};
use crate::spec::ParsedProject;
use crate::spec::node::{escape, pointer};
use crate::spec::project_ast::BackendSpec;

/// Lower a parsed project file. It has no semantic checks of its own yet, so the diagnostics
/// are empty; the signature keeps room for them.
pub fn lower(parsed: &ParsedProject) -> (Project, Vec<Diagnostic>) {
    let spec = &parsed.ast;
    let spans = &parsed.spans;
    let clients = spec
        .clients
        .iter()
        .map(|(name, client)| {
            let base = pointer(["clients", name.as_str()]);
            let name = Name::new(name, spans.key(&base));
            let budgets = client
                .budgets
                .as_ref()
                .map_or_else(ClientBudgets::default, |b| ClientBudgets {
                    max_credits_per_table: b.max_credits_per_table,
                    max_credits_per_workbook: b.max_credits_per_workbook,
                    max_actions_per_table: b.max_actions_per_table,
                    max_actions_per_workbook: b.max_actions_per_workbook,
                    span: Some(spans.key(&format!("{base}/budgets"))),
                });
            let preferred = client
                .preferred_enrichments
                .iter()
                .map(|(category, names)| {
                    let at = format!("{base}/preferred_enrichments/{}", escape(category));
                    let names = names
                        .iter()
                        .enumerate()
                        .map(|(i, n)| Name::new(n, spans.value(&format!("{at}/{i}"))))
                        .collect();
                    (category.clone(), names)
                })
                .collect();
            let lowered = Client {
                name: name.clone(),
                workspace_id: client.workspace_id,
                default_model: client
                    .default_model
                    .as_ref()
                    .map(|m| Name::new(m, spans.value(&format!("{base}/default_model")))),
                budgets,
                preferred_enrichments: preferred,
            };
            (name, lowered)
        })
        .collect();
    let backend = match &spec.backend {
        None | Some(BackendSpec::Named(_)) => Backend::Local,
        Some(BackendSpec::Local { local }) => match &local.path {
            Some(path) => Backend::LocalPath(path.clone()),
            None => Backend::Local,
        },
        Some(BackendSpec::Postgres { postgres }) => Backend::Postgres {
            conn_str_env: postgres.conn_str_env.clone(),
            schema: postgres.schema.clone(),
        },
    };
    let catalog = spec
        .catalog
        .as_ref()
        .map_or_else(CatalogOverrides::default, |c| CatalogOverrides {
            enrichments: c
                .enrichments
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::Object(v.clone())))
                .collect(),
            models: c
                .models
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::Object(v.clone())))
                .collect(),
            span: Some(spans.key("/catalog")),
        });
    let project = Project {
        clients,
        backend,
        specs_dir: spec.specs_dir.clone(),
        catalog,
    };
    (project, Vec::new())
}
