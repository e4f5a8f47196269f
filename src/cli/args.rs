//! Command-line arguments: plain data, no behaviour. Each command turns its args into settings.
//!
//! Names, flags and environment variables here are a contract (DESIGN §3): add, never rename.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "clayform",
    version,
    about = "Terraform for Clay workbooks",
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Path to `clayform.yaml` (default: searched upward from the current folder)
    #[arg(long, global = true, value_name = "FILE")]
    pub project: Option<PathBuf>,
    /// Disable colour (also: the NO_COLOR environment variable)
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs: schema and semantic checks, all diagnostics at once
    Validate(ValidateArgs),
    /// Print the column dependency graph
    Graph(GraphArgs),
    /// Estimate actions and data credits per column, table and workbook, against budgets
    Cost(CostArgs),
    /// Read live Clay, diff against the specs, and show what would change
    Plan(PlanArgs),
    /// Apply a saved plan, or plan and apply after approval
    Apply(ApplyArgs),
    /// Destroy managed workbooks in reverse dependency order, honouring `protect`
    Destroy(DestroyArgs),
    /// Import a live workbook into a spec and state
    Import(ImportArgs),
    /// Run enrichment and AI columns on rows, with live progress
    Run(RunArgs),
    /// Workbooks, tables, rows and run status per column
    Status(StatusArgs),
    /// Draft or edit a spec with Claude; never applies
    Draft(DraftArgs),
    /// State surgery
    #[command(subcommand)]
    State(StateCommand),
    /// Release a stuck state lock by its id
    ForceUnlock(ForceUnlockArgs),
    /// Run a local Clay API emulator
    Emulate(EmulateArgs),
    /// Print the JSON Schema of spec files (or of `clayform.yaml`)
    Schema(SchemaArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum PlanFormat {
    #[default]
    Human,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GraphFormat {
    #[default]
    Dot,
    Mermaid,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Spec files or folders (default: `specs/` beside `clayform.yaml`)
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: GraphFormat,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    pub paths: Vec<PathBuf>,
    /// Save the plan to FILE for `clayform apply FILE`
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: PlanFormat,
    /// Exit 0 for no changes, 2 for changes, 1 for errors
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Read live Clay before diffing (default true)
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    pub refresh: bool,
    /// Limit the plan to these addresses (and what they depend on)
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    /// Also delete unmanaged columns found in managed tables
    #[arg(long)]
    pub prune: bool,
}

/// `--parallelism` unless told otherwise. Terraform uses 10 for cloud APIs whose operations
/// take seconds and whose rate limits bite; a Clay step is two or three requests of ~50 ms and
/// Clay's `/v3` showed no rate limit (reference §5; a 429 switches the client to paced requests,
/// `provider::pacing`). At 10, a 120-column workbook is bound by the slots, not its dependency
/// chain; at 16 it reaches the chain (BENCHMARKS.md, engine).
pub const DEFAULT_PARALLELISM: usize = 16;

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A saved plan file, or spec files and folders
    pub paths: Vec<PathBuf>,
    #[arg(long)]
    pub auto_approve: bool,
    /// Steps in flight at once (each is two or three requests to Clay, one after another)
    #[arg(long, default_value_t = DEFAULT_PARALLELISM)]
    pub parallelism: usize,
    /// Run new and changed enrichment columns after apply
    #[arg(long)]
    pub run: bool,
    /// Emit progress as JSON lines on stderr
    #[arg(long)]
    pub json: bool,
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    pub path: PathBuf,
    #[arg(long)]
    pub auto_approve: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Clay workbook id (`wb_...`)
    #[arg(long)]
    pub workbook: String,
    /// Where to write the spec (default: stdout)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Client from `clayform.yaml` to import under
    #[arg(long)]
    pub client: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    pub path: PathBuf,
    #[arg(long)]
    pub table: Option<String>,
    /// Comma-separated column names
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    #[arg(long, conflicts_with = "all")]
    pub rows: Option<u64>,
    #[arg(long)]
    pub all: bool,
    /// Re-run cells that already succeeded
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub allow_over_budget: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    pub path: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct DraftArgs {
    /// What the workbook should do, in a sentence
    pub request: String,
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Ask for changes to this existing spec
    #[arg(long, value_name = "FILE")]
    pub edit: Option<PathBuf>,
    #[arg(long)]
    pub client: Option<String>,
    /// Claude model (default `claude-opus-4-5`; env CLAYFORM_DRAFT_MODEL)
    #[arg(long, env = "CLAYFORM_DRAFT_MODEL")]
    pub model: Option<String>,
    #[arg(long, default_value_t = 3)]
    pub max_rounds: u32,
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List managed objects
    List { path: Option<PathBuf> },
    /// Show one managed object
    Show { address: String },
    /// Forget an object (Clay is not touched)
    Rm { address: String },
    /// Move an object to a new address
    Mv { from: String, to: String },
}

#[derive(Debug, Args)]
pub struct ForceUnlockArgs {
    pub lock_id: String,
}

#[derive(Debug, Args)]
pub struct EmulateArgs {
    #[arg(long, default_value_t = 4600)]
    pub port: u16,
    /// Address to bind (loopback unless told otherwise)
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Added latency per request, in milliseconds
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Up to this many more milliseconds per request, drawn at random (seeded), so concurrent
    /// requests can arrive out of order
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// How many recent requests `/__emulator/stats` lists (with arrival and answer times)
    #[arg(long, default_value_t = 200)]
    pub request_log_size: usize,
    /// Probability (0..1) that a request fails with an injected fault
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Seed for ids and fault injection
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Persist the emulator's data to FILE so it survives restarts
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: the workbook spec or the project file
    #[arg(long, value_enum, default_value_t)]
    pub kind: SchemaKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SchemaKind {
    #[default]
    Workbook,
    Project,
}
