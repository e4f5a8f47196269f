//! Finding `clayform.yaml` and the spec files a command works on, and running the compiler
//! front end over them (parse → check) for any command that needs the model.
//!
//! Owns: file-system access for specs: the project file searched upward from the current folder
//! (or `--project`), the spec folder (`specs_dir`, default `specs/` beside it), `*.yaml`/`*.yml`
//! collected from PATH arguments (files or folders, sorted), bounded reads.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;

use super::args::GlobalArgs;
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, DiagnosticKind};
use crate::model::{Project, Workbook};
use crate::source::{FileId, SourceMap, Span};
use crate::spec;

/// The project file's name.
pub const PROJECT_FILE: &str = "clayform.yaml";

/// Everything the front end produced for a set of paths.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub project: Option<Project>,
    pub project_path: Option<PathBuf>,
    /// The catalog with the project's overrides merged in.
    pub catalog: Catalog,
    /// Workbooks of files that parsed, in file order (also when they have semantic errors).
    pub workbooks: Vec<Workbook>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many spec files were read.
    pub spec_files: usize,
}

impl Loaded {
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// Find the project file, collect the spec files, parse and check them all.
pub fn load(global: &GlobalArgs, paths: &[PathBuf]) -> anyhow::Result<Loaded> {
    let (mut sources, mut diagnostics, project_path, project) = read_project(global)?;
    let spec_paths = if paths.is_empty() {
        let folder = default_specs_dir(project_path.as_deref(), project.as_ref())?;
        collect(std::slice::from_ref(&folder))?
    } else {
        collect(paths)?
    };
    anyhow::ensure!(
        !spec_paths.is_empty(),
        "no spec files (`*.yaml`, `*.yml`) found"
    );
    let (catalog, catalog_diagnostics) = match &project {
        Some(project) => Catalog::builtin().with_overrides(&project.catalog),
        None => (Catalog::builtin(), Vec::new()),
    };
    diagnostics.extend(catalog_diagnostics);
    let files: Vec<FileId> = spec_paths
        .iter()
        .filter_map(|path| read_into(&mut sources, path, &mut diagnostics))
        .collect();
    let checked = parse_and_check(&sources, &files, project.as_ref(), &catalog);
    let mut workbooks = Vec::with_capacity(files.len());
    for (workbook, file_diagnostics) in checked {
        diagnostics.extend(file_diagnostics);
        workbooks.extend(workbook);
    }
    diagnostics.extend(crate::validate::check_across_workbooks(&workbooks));
    for workbook in &workbooks {
        diagnostics.extend(super::rows::check_csv_sources(&sources, workbook));
    }
    // File order, then position: reports read top to bottom like the files.
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start));
    Ok(Loaded {
        sources,
        project,
        project_path,
        catalog,
        workbooks,
        diagnostics,
        spec_files: spec_paths.len(),
    })
}

/// Only the project: `clayform.yaml` (if any) and the catalog with its overrides; no specs.
/// For commands that work from Clay rather than from specs (`import`).
pub fn load_project(global: &GlobalArgs) -> anyhow::Result<Loaded> {
    let (sources, mut diagnostics, project_path, project) = read_project(global)?;
    let (catalog, catalog_diagnostics) = match &project {
        Some(project) => Catalog::builtin().with_overrides(&project.catalog),
        None => (Catalog::builtin(), Vec::new()),
    };
    diagnostics.extend(catalog_diagnostics);
    Ok(Loaded {
        sources,
        project,
        project_path,
        catalog,
        workbooks: Vec::new(),
        diagnostics,
        spec_files: 0,
    })
}

type ProjectRead = (SourceMap, Vec<Diagnostic>, Option<PathBuf>, Option<Project>);

/// Find and read `clayform.yaml` (`--project`, or upward from the current folder).
fn read_project(global: &GlobalArgs) -> anyhow::Result<ProjectRead> {
    let mut sources = SourceMap::new();
    let mut diagnostics = Vec::new();
    let project_path = match &global.project {
        Some(path) => {
            anyhow::ensure!(
                path.is_file(),
                "project file `{}` does not exist",
                path.display()
            );
            Some(path.clone())
        }
        None => find_project_file(&std::env::current_dir().context("reading the current folder")?),
    };
    let mut project = None;
    if let Some(path) = &project_path {
        let file = read_into(&mut sources, path, &mut diagnostics);
        if let Some(file) = file {
            let (parsed, parse_diagnostics) = spec::parse_project(&sources, file);
            diagnostics.extend(parse_diagnostics);
            if let Some(parsed) = parsed {
                let (lowered, lower_diagnostics) = crate::validate::project::lower(&parsed);
                diagnostics.extend(lower_diagnostics);
                project = Some(lowered);
            }
        }
    }
    Ok((sources, diagnostics, project_path, project))
}

/// Environment variable: how many threads parse and check spec files (default: one per core).
pub const THREADS_ENV: &str = "CLAYFORM_THREADS";

/// Parse and check each file, in parallel across cores; results in file order.
///
/// Each worker parses then checks one file at a time and drops the parsed file once it is
/// lowered, so only the (much smaller) model of every workbook stays alive. Workers are spawned
/// with the YAML reader's stack, so files are read in place rather than on a thread each.
fn parse_and_check(
    sources: &SourceMap,
    files: &[FileId],
    project: Option<&Project>,
    catalog: &Catalog,
) -> Vec<(Option<Workbook>, Vec<Diagnostic>)> {
    let one = |file: FileId| {
        let (parsed, mut diagnostics) = spec::parse_in_place(sources, file);
        let workbook = parsed.map(|parsed| {
            let (workbook, check_diagnostics) =
                crate::validate::check_workbook(sources, &parsed, project, catalog);
            diagnostics.extend(check_diagnostics);
            workbook
        });
        (workbook, diagnostics)
    };
    let threads = worker_count(files.len());
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<(Option<Workbook>, Vec<Diagnostic>)>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("clayform-check".into())
                    .stack_size(spec::node::READ_STACK_BYTES)
                    .spawn_scoped(scope, || {
                        let mut done = Vec::new();
                        loop {
                            let index = next.fetch_add(1, Ordering::Relaxed);
                            let Some(&file) = files.get(index) else {
                                return done;
                            };
                            done.push((index, one(file)));
                        }
                    })
                    .ok()
            })
            .collect();
        for worker in workers {
            // A worker that panicked leaves its files unchecked; they are redone below.
            for (index, result) in worker.join().unwrap_or_default() {
                results[index] = Some(result);
            }
        }
    });
    results
        .into_iter()
        .zip(files)
        .map(|(result, &file)| {
            result.unwrap_or_else(|| {
                let (parsed, diagnostics) = spec::parse(sources, file);
                match parsed {
                    Some(parsed) => {
                        let (workbook, mut more) =
                            crate::validate::check_workbook(sources, &parsed, project, catalog);
                        let mut all = diagnostics;
                        all.append(&mut more);
                        (Some(workbook), all)
                    }
                    None => (None, diagnostics),
                }
            })
        })
        .collect()
}

/// Threads for `files` files: `CLAYFORM_THREADS` if set, else one per core; never more than
/// there are files.
fn worker_count(files: usize) -> usize {
    let configured = std::env::var(THREADS_ENV)
        .ok()
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&n| n > 0);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    configured.unwrap_or(cores).min(files).max(1)
}

/// `clayform.yaml` in `start` or the nearest folder above it.
pub fn find_project_file(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|folder| folder.join(PROJECT_FILE))
        .find(|candidate| candidate.is_file())
}

fn default_specs_dir(
    project_path: Option<&Path>,
    project: Option<&Project>,
) -> anyhow::Result<PathBuf> {
    let base = match project_path.and_then(Path::parent) {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
        Some(_) => PathBuf::from("."),
        None => anyhow::bail!(
            "no PATH given and no `{PROJECT_FILE}` found in this folder or above\n\nhint: pass spec \
             files or folders, or create `{PROJECT_FILE}`"
        ),
    };
    let dir = project
        .and_then(|p| p.specs_dir.as_deref())
        .unwrap_or("specs");
    Ok(base.join(dir))
}

/// Spec files under `paths`: files as given, folders' `*.yaml`/`*.yml` (not recursive), sorted
/// within each folder. Missing paths are errors.
pub fn collect(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("reading folder `{}`", path.display()))?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                        && p.file_name().is_some_and(|n| n != PROJECT_FILE)
                })
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            anyhow::bail!("`{}` does not exist", path.display());
        }
    }
    Ok(files)
}

/// Read at most the size limit (plus one byte, to know it was exceeded) into `sources`.
fn read_into(
    sources: &mut SourceMap,
    path: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    let limit = u64::try_from(spec::limits::MAX_INPUT_BYTES).unwrap_or(u64::MAX) + 1;
    let mut bytes = Vec::new();
    let result =
        std::fs::File::open(path).and_then(|file| file.take(limit).read_to_end(&mut bytes));
    match result {
        Ok(_) => {
            let (file, diagnostic) = spec::limits::decode(sources, path, bytes);
            match diagnostic {
                Some(diagnostic) => {
                    diagnostics.push(diagnostic);
                    None
                }
                None => Some(file),
            }
        }
        Err(error) => {
            let file = sources.add(path, String::new());
            diagnostics.push(Diagnostic::new(
                DiagnosticKind::ReadFailed {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                },
                Span::file_start(file),
            ));
            None
        }
    }
}
