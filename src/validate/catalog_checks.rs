//! Checks against the catalog: enrichments, their inputs, AI models and use cases, output
//! schemas, and the workbook's client.
//!
//! Owns: CF301–CF307 (and CF102 for an input bound with the wrong shape). Every diagnostic points
//! at the exact name that is wrong (the enrichment, the input key, the model, the output field,
//! the client) and carries a `help:` where a fix is likely.
//! Must not know: YAML, how the workbook was parsed, Clay's JSON. Pure.

use std::collections::HashMap;

use crate::catalog::{
    CLAY_OWNED_OUTPUT_KEYS, Catalog, EnrichmentEntry, clay_output_key, is_identifier,
};
use crate::diagnostics::{Diagnostic, DiagnosticKind, did_you_mean};
use crate::model::{
    Ai, Client, Column, ColumnKind, Enrichment, InputValue, Name, OutputSchema, OutputType,
    Project, UseCase, Workbook,
};

/// Every catalog problem in `workbook`.
pub fn check(workbook: &Workbook, catalog: &Catalog, project: Option<&Project>) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let client = check_client(workbook, project, &mut diagnostics);
    let mut default_model_reported = false;
    for table in &workbook.tables {
        for column in &table.columns {
            match &column.kind {
                ColumnKind::Enrichment(enrichment) => {
                    check_enrichment(enrichment, catalog, &mut diagnostics);
                }
                ColumnKind::Ai(ai) => {
                    check_model(
                        column,
                        ai,
                        client,
                        catalog,
                        &mut default_model_reported,
                        &mut diagnostics,
                    );
                    if let Some(output) = &ai.output {
                        check_output_schema(output, &mut diagnostics);
                    }
                }
                _ => {}
            }
        }
    }
    diagnostics
}

/// CF307; returns the workbook's client when it exists.
fn check_client<'p>(
    workbook: &Workbook,
    project: Option<&'p Project>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'p Client> {
    let name = workbook.client.as_ref()?;
    let unknown = || {
        Diagnostic::new(
            DiagnosticKind::UnknownClient {
                client: name.text.clone(),
            },
            name.span,
        )
    };
    let Some(project) = project else {
        diagnostics.push(
            Diagnostic::new(
                DiagnosticKind::InvalidProjectFile {
                    message: format!(
                        "the spec names client `{}` but no `clayform.yaml` was found",
                        name.text
                    ),
                },
                name.span,
            )
            .with_help(format!(
                "create `clayform.yaml` beside your specs with \
                 `clients: {{ {}: {{ workspace_id: ... }} }}`, pass `--project FILE`, or remove \
                 `client:`",
                name.text
            )),
        );
        return None;
    };
    if let Some((_, client)) = project.clients.iter().find(|(n, _)| n.text == name.text) {
        return Some(client);
    }
    let known: Vec<&str> = project.clients.keys().map(Name::as_str).collect();
    let help = did_you_mean(&name.text, known.iter().copied()).unwrap_or_else(|| {
        if known.is_empty() {
            "`clayform.yaml` defines no clients; add one under `clients:`".to_string()
        } else {
            format!("clients in `clayform.yaml`: {}", backticked(&known))
        }
    });
    diagnostics.push(
        unknown()
            .with_primary_label("not a client in `clayform.yaml`")
            .with_help(help),
    );
    None
}

/// CF301 unknown enrichment, CF309 unverified enrichment, CF303 unknown input, CF102 input
/// shape, CF302 missing input.
fn check_enrichment(enrichment: &Enrichment, catalog: &Catalog, diagnostics: &mut Vec<Diagnostic>) {
    let action = &enrichment.action;
    let Some(entry) = catalog.enrichment(&action.text) else {
        let help = did_you_mean(&action.text, catalog.enrichment_names()).unwrap_or_else(|| {
            "see `docs/catalog.md` for the enrichments clayform knows, or add this one under \
             `catalog.enrichments` in `clayform.yaml`"
                .to_string()
        });
        diagnostics.push(
            Diagnostic::new(
                DiagnosticKind::UnknownEnrichment {
                    name: action.text.clone(),
                },
                action.span,
            )
            .with_primary_label("not in the catalog")
            .with_help(help),
        );
        return;
    };
    if entry.action_key.is_none() || !entry.verified {
        let alternatives: Vec<&str> = catalog
            .enrichments_in(entry.category)
            .filter(|e| e.verified && e.action_key.is_some())
            .map(|e| e.key.as_str())
            .take(3)
            .collect();
        let help = if alternatives.is_empty() {
            "map it to a real Clay action under `catalog.enrichments` in `clayform.yaml`"
                .to_string()
        } else {
            format!(
                "use an enrichment with a known Clay action, such as {}, or map this one under \
                 `catalog.enrichments` in `clayform.yaml`",
                alternatives
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        diagnostics.push(
            Diagnostic::new(
                DiagnosticKind::UnverifiedEnrichment {
                    name: action.text.clone(),
                },
                action.span,
            )
            .with_primary_label("no known Clay action")
            .with_help(help),
        );
    }

    for (input_name, value) in &enrichment.inputs {
        match entry.input(&input_name.text) {
            Some(spec) => {
                let given_map = matches!(value, InputValue::Map(_));
                if spec.object != given_map {
                    let message = if spec.object {
                        format!(
                            "`{}` is an object input: give a mapping of keys to values",
                            spec.name
                        )
                    } else {
                        format!("`{}` takes one value, not a mapping", spec.name)
                    };
                    diagnostics.push(
                        Diagnostic::new(
                            DiagnosticKind::InvalidValue {
                                path: format!("inputs.{}", spec.name),
                                message,
                            },
                            input_name.span,
                        )
                        .with_primary_label(if spec.object {
                            "expects a mapping"
                        } else {
                            "expects a single value"
                        }),
                    );
                }
            }
            None if entry.open_inputs => {}
            None => diagnostics.push(unknown_input(entry, input_name)),
        }
    }

    for required in entry.required_inputs() {
        let bound = enrichment
            .inputs
            .keys()
            .any(|name| name.text == required.name);
        if !bound {
            let example = if required.object {
                format!("`{}: {{ key: \"{{{{Column}}}}\" }}`", required.name)
            } else {
                format!("`{}: \"{{{{Column}}}}\"`", required.name)
            };
            let mut diagnostic = Diagnostic::new(
                DiagnosticKind::MissingInput {
                    enrichment: action.text.clone(),
                    input: required.name.clone(),
                },
                action.span,
            )
            .with_primary_label(format!("needs `{}`", required.name));
            diagnostic = diagnostic.with_help(if required.description.is_empty() {
                format!("add {example} under `inputs:`")
            } else {
                format!("add {example} under `inputs:` ({})", required.description)
            });
            diagnostics.push(diagnostic);
        }
    }
}

fn unknown_input(entry: &EnrichmentEntry, input_name: &Name) -> Diagnostic {
    let by_clay_name = entry
        .inputs
        .iter()
        .find(|i| i.clay_name.is_some() && i.clay_name() == input_name.text);
    let names: Vec<&str> = entry.inputs.iter().map(|i| i.name.as_str()).collect();
    let help = match by_clay_name {
        Some(spec) => Some(format!(
            "write `{}`: `{}` is Clay's name for this input",
            spec.name, input_name.text
        )),
        None => did_you_mean(&input_name.text, names.iter().copied()),
    }
    .unwrap_or_else(|| {
        if names.is_empty() {
            format!("`{}` takes no inputs", entry.key)
        } else {
            format!("`{}` takes {}", entry.key, backticked(&names))
        }
    });
    Diagnostic::new(
        DiagnosticKind::UnknownInput {
            enrichment: entry.key.clone(),
            input: input_name.text.clone(),
        },
        input_name.span,
    )
    .with_primary_label("not an input of this enrichment")
    .with_help(help)
}

/// CF304 unknown model, CF305 model vs use case.
fn check_model(
    column: &Column,
    ai: &Ai,
    client: Option<&Client>,
    catalog: &Catalog,
    default_model_reported: &mut bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let from_client = ai.model.is_none();
    let Some(model_name) = ai
        .model
        .as_ref()
        .or_else(|| client.and_then(|c| c.default_model.as_ref()))
    else {
        // Neither names a model: clayform uses `catalog::FALLBACK_MODEL`, which always exists.
        return;
    };
    let with_origin = |diagnostic: Diagnostic| {
        if from_client {
            diagnostic.with_label(
                column.name.span,
                format!("`{}` uses its client's `default_model`", column.name.text),
            )
        } else {
            diagnostic
        }
    };

    let Some(model) = catalog.model(&model_name.text) else {
        // A bad client default would otherwise be reported once per AI column.
        if from_client && std::mem::replace(default_model_reported, true) {
            return;
        }
        let help = did_you_mean(&model_name.text, catalog.model_names()).unwrap_or_else(|| {
            "see `docs/catalog.md` for the models clayform knows, or add this one under \
             `catalog.models` in `clayform.yaml`"
                .to_string()
        });
        diagnostics.push(with_origin(
            Diagnostic::new(
                DiagnosticKind::UnknownModel {
                    model: model_name.text.clone(),
                },
                model_name.span,
            )
            .with_primary_label("not in the catalog")
            .with_help(help),
        ));
        return;
    };

    let Some(use_case) = ai.use_case else {
        // No use case named: the model decides (Clay models run as web research).
        return;
    };
    if model.supports(use_case) {
        return;
    }
    let served: Vec<&str> = model.use_cases.iter().map(|u| u.keyword()).collect();
    let help = if use_case == UseCase::Content && model.name.starts_with("clay-") {
        "Clay's own models only run as web research (Claygent): write `use_case: web_research`, \
         or pick a model such as `gpt-4.1-mini` for `content`"
            .to_string()
    } else {
        format!(
            "`{}` serves {}; change `use_case` or pick another model",
            model.name,
            backticked(&served)
        )
    };
    diagnostics.push(with_origin(
        Diagnostic::new(
            DiagnosticKind::ModelUseCaseMismatch {
                model: model.name.clone(),
                use_case: use_case.keyword().to_string(),
            },
            model_name.span,
        )
        .with_primary_label(format!("only runs as {}", backticked(&served)))
        .with_help(help),
    ));
}

/// CF306: problems Clay would hit with the structured output.
fn check_output_schema(output: &OutputSchema, diagnostics: &mut Vec<Diagnostic>) {
    let invalid = |message: String, name: &Name| {
        Diagnostic::new(DiagnosticKind::InvalidOutputSchema { message }, name.span)
    };
    if output.fields.is_empty() {
        diagnostics.push(
            Diagnostic::new(
                DiagnosticKind::InvalidOutputSchema {
                    message: "the schema has no fields".to_string(),
                },
                output.span,
            )
            .with_help(
                "add a field such as `output: { score: number }`, or remove `output` for free text",
            ),
        );
        return;
    }

    let mut keys: HashMap<String, &Name> = HashMap::new();
    for (name, output_type) in &output.fields {
        if let OutputType::Enum(values) = output_type {
            if values.is_empty() {
                diagnostics.push(
                    invalid(format!("enum field `{}` has no values", name.text), name)
                        .with_help("list the allowed values, e.g. `enum: [low, medium, high]`"),
                );
            }
            let mut seen = std::collections::HashSet::new();
            for value in values {
                if !seen.insert(value.as_str()) {
                    diagnostics.push(
                        invalid(
                            format!("enum field `{}` lists `{value}` twice", name.text),
                            name,
                        )
                        .with_help(format!("remove the second `{value}`")),
                    );
                }
            }
        }

        let key = clay_output_key(&name.text);
        if key.is_empty() {
            diagnostics.push(
                invalid(
                    format!(
                        "field `{}` has no letters or digits for Clay to name it by",
                        name.text
                    ),
                    name,
                )
                .with_help("give the field a name made of words, e.g. `score`"),
            );
            continue;
        }
        if !is_identifier(&key) {
            diagnostics.push(
                invalid(
                    format!(
                        "field `{}` becomes `{key}` in Clay, which formulas can't read as `?.{key}`",
                        name.text
                    ),
                    name,
                )
                .with_help("start the name with a letter"),
            );
        }
        if let Some(owned) = CLAY_OWNED_OUTPUT_KEYS.iter().find(|k| **k == key) {
            diagnostics.push(
                invalid(
                    format!(
                        "field `{}` collides with Clay's own output key `{owned}`",
                        name.text
                    ),
                    name,
                )
                .with_primary_label("Clay adds this key to every AI result")
                .with_help(format!("rename it, e.g. `my_{}`", name.text)),
            );
        }
        let shared_conflict = match key.as_str() {
            "reasoning" => !matches!(output_type, OutputType::String),
            "confidence" => matches!(
                output_type,
                OutputType::Array | OutputType::Object | OutputType::Boolean
            ),
            _ => false,
        };
        if shared_conflict {
            diagnostics.push(
                invalid(
                    format!(
                        "field `{}` is `{}`, but Clay fills `{key}` itself with {}",
                        name.text,
                        output_type.keyword(),
                        if key == "reasoning" {
                            "text"
                        } else {
                            "a score or a label"
                        }
                    ),
                    name,
                )
                .with_help(format!(
                    "make it {} or rename it",
                    if key == "reasoning" {
                        "a `string`"
                    } else {
                        "a `number` or `string`"
                    }
                )),
            );
        }
        if let Some(first) = keys.get(&key) {
            diagnostics.push(
                invalid(
                    format!(
                        "fields `{}` and `{}` both become `{key}` in Clay",
                        first.text, name.text
                    ),
                    name,
                )
                .with_label(first.span, format!("`{}` is here", first.text))
                .with_help("rename one of them"),
            );
        } else {
            keys.insert(key, name);
        }
    }
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
