//! Engine benchmark project: writes `clayform.yaml` and one workbook of 3 tables and 120 columns
//! (`bench/engine.sh` applies and plans it against the emulator).
//!
//! The mix is what a real outbound workbook looks like: `from_source` columns under webhook
//! sources, plain inputs, formulas, enrichments, AI columns, lookups across tables and HTTP calls.
//! Each table repeats a block whose columns feed each other, so the longest dependency chain is
//! about eight columns deep (Domain → Clean Domain → Company Profile → Headcount → ICP Score →
//! Qualified → Pricing Page → Pricing Summary → Pitch), as in a hand-built Clay table.
//!
//! Usage: `cargo run --example gen_engine_workbook -- PROJECT_DIR [WORKBOOK_NAME]`

use std::path::PathBuf;

/// Columns per table: 40 + 45 + 35 = 120.
const COMPANY_COLUMNS: usize = 40;
const PEOPLE_COLUMNS: usize = 45;
const SIGNAL_COLUMNS: usize = 35;

/// The first columns of a table, then the block repeated (suffix " 2", " 3", ...) until `count`.
/// A block's columns only reference earlier columns, so cutting the last block short is safe.
fn table_columns(head: &[&str], block: &[&str], count: usize) -> Vec<String> {
    let mut columns: Vec<String> = head.iter().map(|c| (*c).to_string()).collect();
    let mut round = 1;
    while columns.len() < count {
        let suffix = if round == 1 {
            String::new()
        } else {
            format!(" {round}")
        };
        for template in block {
            if columns.len() == count {
                break;
            }
            columns.push(template.replace("$S", &suffix));
        }
        round += 1;
    }
    columns
}

const COMPANY_HEAD: &[&str] = &[
    "Name: { from_source: name }",
    "Domain: { from_source: domain, type: url }",
    "LinkedIn URL: { from_source: linkedin_url, type: url }",
    "Industry: { from_source: industry }",
    "City: { from_source: location.city }",
    "Tier: { type: select, options: [A, B, C] }",
    "Owner: { type: text, description: account owner }",
];

const COMPANY_BLOCK: &[&str] = &[
    "Clean Domain$S: { formula: \"{{Domain}} || ''\" }",
    "Company Profile$S:\n  enrichment: apollo_company\n  inputs: { domain: \"{{Clean Domain$S}}\" }\n  run_if: \"!!{{Clean Domain$S}}\"",
    "Headcount$S: { formula: \"{{Company Profile$S}}?.employee_count\", type: number }",
    "ICP Score$S:\n  ai:\n    model: gpt-4.1-mini\n    prompt: |\n      Score {{Name}} ({{Industry}}, {{Headcount$S}} people) from 1 to 10 for a B2B SaaS ICP.\n    output: { score: number, reasoning: string }\n  run_if: \"!!{{Headcount$S}}\"",
    "Qualified$S: { formula: \"{{ICP Score$S}}?.score >= 7\", type: boolean }",
    "Pricing Page$S:\n  ai:\n    model: clay-argon\n    prompt: \"Find the pricing page of {{Clean Domain$S}}\"\n    use_case: web_research\n  run_if: \"{{Qualified$S}}\"",
    "Pricing Summary$S: { formula: \"{{Pricing Page$S}} || ''\" }",
    "Pitch$S:\n  ai:\n    model: gpt-4.1-mini\n    use_case: content\n    prompt: \"One line on why {{Name}} would care, given {{Pricing Summary$S}}.\"\n  run_if: \"{{Qualified$S}}\"",
    "Site Check$S:\n  enrichment: check-url\n  inputs: { url: \"{{Domain}}\" }",
    "Website Text$S:\n  enrichment: scrape-website\n  inputs: { url: \"{{Domain}}\" }\n  run_if: \"!!{{Site Check$S}}\"",
    "API Signals$S:\n  http: { method: GET, url: \"https://api.example.com/v1/{{Clean Domain$S}}\", headers: { Accept: application/json } }",
];

const PEOPLE_HEAD: &[&str] = &[
    "Full Name: { from_source: name }",
    "Title: { from_source: title }",
    "Company Domain: { from_source: company_domain, type: url }",
    "LinkedIn: { from_source: linkedin_url, type: url }",
    "Stage: { type: select, options: [New, Contacted, Replied] }",
];

const PEOPLE_BLOCK: &[&str] = &[
    "Company$S:\n  lookup: { table: Companies, match: { column: Domain, value: \"{{Company Domain}}\" } }",
    "Permutations$S:\n  enrichment: generate-email-permutations\n  inputs: { full_name: \"{{Full Name}}\", company_domain: \"{{Company Domain}}\" }",
    "Person Profile$S:\n  enrichment: linkedin_profile\n  inputs: { linkedin_url: \"{{LinkedIn}}\" }",
    "Work Email$S: { formula: \"{{Person Profile$S}}?.email || {{Permutations$S}}\", type: email }",
    "Email Parts$S:\n  enrichment: extract-email-components\n  inputs: { email: \"{{Work Email$S}}\" }\n  run_if: \"!!{{Work Email$S}}\"",
    "Seniority$S:\n  ai:\n    model: gpt-4.1-mini\n    prompt: \"How senior is a {{Title}} at {{Company$S}}?\"\n    output: { level: [ic, manager, director, vp, c_suite] }",
    "Decision Maker$S: { formula: \"{{Seniority$S}}?.level == 'vp' || {{Seniority$S}}?.level == 'c_suite'\", type: boolean }",
    "First Line$S:\n  ai:\n    model: gpt-4.1-mini\n    use_case: content\n    prompt: |\n      Write one opening line for {{Full Name}}, {{Title}} at {{Company Domain}}. No greeting.\n  run_if: \"{{Decision Maker$S}} && !!{{Work Email$S}}\"",
    "Line Length$S: { formula: \"({{First Line$S}} || '').length\", type: number }",
    "Profile Call$S:\n  http: { method: GET, url: \"https://api.example.com/people?email={{Work Email$S}}\" }\n  run_if: \"!!{{Work Email$S}}\"",
];

const SIGNAL_HEAD: &[&str] = &[
    "Signal URL: { type: url }",
    "Company Name: { type: text }",
    "Signal Type: { type: select, options: [funding, hiring, launch] }",
    "Detected On: { type: date }",
    "Amount: { type: currency, currency: USD }",
];

const SIGNAL_BLOCK: &[&str] = &[
    "Normalized Name$S:\n  enrichment: normalize-company-name\n  inputs: { companyName: \"{{Company Name}}\" }",
    "Account$S:\n  lookup: { table: Companies, match: { column: Name, value: \"{{Normalized Name$S}}\" } }",
    "Is Account$S: { formula: \"!!{{Account$S}}\", type: boolean }",
    "Signal Page$S:\n  enrichment: scrape-website\n  inputs: { url: \"{{Signal URL}}\" }",
    "Signal Summary$S:\n  ai:\n    model: gpt-4.1-mini\n    prompt: \"Summarise this {{Signal Type}} news in one sentence: {{Signal Page$S}}\"\n  run_if: \"{{Is Account$S}}\"",
    "Priority$S:\n  ai:\n    model: gpt-4.1-mini\n    prompt: \"Rate the urgency of {{Signal Summary$S}} ({{Amount}})\"\n    output: { priority: [low, medium, high] }\n  run_if: \"!!{{Signal Summary$S}}\"",
    "Hot$S: { formula: \"{{Priority$S}}?.priority == 'high'\", type: boolean }",
    "Alert Text$S:\n  ai:\n    model: gpt-4.1-mini\n    use_case: content\n    prompt: \"Write a two-line Slack alert about {{Company Name}}: {{Signal Summary$S}}\"\n  run_if: \"{{Hot$S}}\"",
    "Alert Length$S: { formula: \"({{Alert Text$S}} || '').length\", type: number }",
    "Notify$S:\n  http: { method: POST, url: \"https://hooks.example.com/alerts\", body: '{\"text\": \"{{Alert Text$S}}\"}' }\n  run_if: \"{{Hot$S}}\"",
];

fn push_table(out: &mut String, header: &str, columns: &[String]) {
    out.push_str(header);
    out.push_str("    columns:\n");
    for column in columns {
        for line in column.lines() {
            out.push_str("      ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

fn workbook(name: &str) -> String {
    let mut out = format!(
        "workbook: {name}\nclient: bench\ndescription: engine benchmark, 3 tables and 120 columns\ntables:\n"
    );
    push_table(
        &mut out,
        "  Companies:\n    type: company\n    source:\n      webhook: { expected_rows: 50 }\n",
        &table_columns(COMPANY_HEAD, COMPANY_BLOCK, COMPANY_COLUMNS),
    );
    push_table(
        &mut out,
        "  People:\n    type: people\n    source:\n      webhook: { expected_rows: 100 }\n",
        &table_columns(PEOPLE_HEAD, PEOPLE_BLOCK, PEOPLE_COLUMNS),
    );
    push_table(
        &mut out,
        "  Signals:\n    type: spreadsheet\n",
        &table_columns(SIGNAL_HEAD, SIGNAL_BLOCK, SIGNAL_COLUMNS),
    );
    out
}

/// The emulator's workspace; budgets high enough that nothing is refused.
const PROJECT: &str = "clients:\n  bench:\n    workspace_id: 1080480\n    default_model: gpt-4.1-mini\nbackend: local\nspecs_dir: specs\n";

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let project_dir = PathBuf::from(args.next().unwrap_or_else(|| "bench-engine".to_string()));
    let name = args.next().unwrap_or_else(|| "Engine Bench".to_string());
    std::fs::create_dir_all(project_dir.join("specs"))?;
    std::fs::write(project_dir.join("clayform.yaml"), PROJECT)?;
    std::fs::write(
        project_dir.join("specs").join("bench.yaml"),
        workbook(&name),
    )?;
    eprintln!(
        "wrote `{name}` (3 tables, {} columns) to {}",
        COMPANY_COLUMNS + PEOPLE_COLUMNS + SIGNAL_COLUMNS,
        project_dir.display()
    );
    Ok(())
}
