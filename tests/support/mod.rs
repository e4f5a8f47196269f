//! Building `model::Workbook` values by hand, with real spans into a small `SourceMap`.
//!
//! Every name is appended to one text as it is created, so each span slices back to the name.

#![allow(dead_code, reason = "each test file uses a different part")]

use indexmap::IndexMap;

use clayform::model::{
    Ai, Budget, Client, ClientBudgets, Column, ColumnKind, Enrichment, InputValue, Name, Project,
    Source, SourceKind, Table, TableType, Template, Workbook,
};
use clayform::source::{FileId, SourceMap, Span};

/// A growing spec text; names and templates created here point into it.
#[derive(Default)]
pub struct Text {
    pub text: String,
}

impl Text {
    pub fn name(&mut self, s: &str) -> Name {
        let start = self.text.len();
        self.text.push_str(s);
        let span = Span::new(FileId(0), start, self.text.len());
        self.text.push('\n');
        Name::new(s, span)
    }

    pub fn template(&mut self, s: &str) -> Template {
        let name = self.name(s);
        Template {
            text: name.text,
            span: name.span,
            refs: Vec::new(),
        }
    }

    pub fn span(&mut self, s: &str) -> Span {
        self.name(s).span
    }

    pub fn into_map(self) -> SourceMap {
        let mut map = SourceMap::new();
        map.add("spec.yaml", self.text);
        map
    }
}

pub fn column(name: Name, kind: ColumnKind) -> Column {
    Column {
        span: name.span,
        name,
        kind,
        data_type: None,
        description: None,
        run_if: None,
        run_as_button: false,
        renamed_from: Vec::new(),
        protect: false,
    }
}

pub fn table(name: Name, source: Option<SourceKind>, columns: Vec<Column>) -> Table {
    let span = name.span;
    Table {
        name,
        table_type: TableType::Company,
        description: None,
        source: source.map(|kind| Source { kind, span }),
        columns,
        auto_run: false,
        protect: false,
        renamed_from: Vec::new(),
    }
}

pub fn workbook(name: Name, client: Option<Name>, tables: Vec<Table>) -> Workbook {
    Workbook {
        name,
        client,
        description: None,
        budget: Budget::default(),
        tables,
        file: FileId(0),
    }
}

pub fn enrichment(action: Name, inputs: Vec<(Name, InputValue)>) -> ColumnKind {
    ColumnKind::Enrichment(Enrichment {
        action,
        inputs: inputs.into_iter().collect(),
        auth_account: None,
    })
}

pub fn ai(model: Option<Name>, prompt: Template) -> Ai {
    Ai {
        model,
        prompt,
        system_prompt: None,
        use_case: None,
        output: None,
        temperature: None,
        max_cost_cents: None,
    }
}

pub fn client(name: Name, default_model: Option<Name>, budgets: ClientBudgets) -> Client {
    Client {
        name,
        workspace_id: 1,
        default_model,
        budgets,
        preferred_enrichments: IndexMap::new(),
    }
}

pub fn project(clients: Vec<Client>) -> Project {
    Project {
        clients: clients.into_iter().map(|c| (c.name.clone(), c)).collect(),
        ..Project::default()
    }
}
