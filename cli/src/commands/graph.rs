//! `strata graph`: the dependency graph in application order, as text, Graphviz or Mermaid.

use crate::args::GraphFormat;
use std::collections::HashMap;
use std::fmt::Write as _;
use strata_core::MigrationSet;

/// The graph of `set`; `applied` are the ids a database has applied, when one was given.
pub fn render(set: &MigrationSet, applied: Option<&[String]>, format: GraphFormat) -> String {
    let id_of: HashMap<i64, &str> = set.migrations.iter().map(|m| (m.version.number, m.id.as_str())).collect();
    let is_applied = |id: &str| applied.is_some_and(|applied| applied.iter().any(|a| a == id));
    let mut out = String::new();
    match format {
        GraphFormat::Text => {
            for (index, migration) in set.migrations.iter().enumerate() {
                let mark = match applied {
                    Some(_) if is_applied(&migration.id) => "[x] ",
                    Some(_) => "[ ] ",
                    None => "",
                };
                let _ = write!(out, "{mark}{:>3}. {}", index + 1, migration.id);
                let needs: Vec<&str> = migration.depends_on.iter().filter_map(|v| id_of.get(v).copied()).collect();
                if !needs.is_empty() {
                    let _ = write!(out, "  <- {}", needs.join(", "));
                }
                out.push('\n');
            }
        }
        GraphFormat::Dot => {
            out.push_str("digraph migrations {\n  rankdir=TB;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fillcolor=\"#ffffff\"];\n");
            for migration in &set.migrations {
                let fill = if is_applied(&migration.id) { ", fillcolor=\"#c8e6c9\"" } else { "" };
                let _ = writeln!(out, "  \"{}\" [label=\"{}\"{fill}];", migration.id, migration.id);
            }
            // The application order, dashed; the declared dependencies, solid.
            for pair in set.migrations.windows(2) {
                let _ = writeln!(out, "  \"{}\" -> \"{}\" [style=dashed, color=\"#9e9e9e\"];", pair[0].id, pair[1].id);
            }
            for migration in &set.migrations {
                for needed in migration.depends_on.iter().filter_map(|v| id_of.get(v)) {
                    let _ = writeln!(out, "  \"{needed}\" -> \"{}\" [label=\"depends-on\"];", migration.id);
                }
            }
            out.push_str("}\n");
        }
        GraphFormat::Mermaid => {
            out.push_str("flowchart TD\n");
            let node = |index: usize| format!("m{index}");
            let index_of: HashMap<&str, usize> =
                set.migrations.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
            for (index, migration) in set.migrations.iter().enumerate() {
                let _ = writeln!(out, "  {}[\"{}\"]", node(index), migration.id);
            }
            for index in 1..set.migrations.len() {
                let _ = writeln!(out, "  {} -.-> {}", node(index - 1), node(index));
            }
            for (index, migration) in set.migrations.iter().enumerate() {
                for needed in migration.depends_on.iter().filter_map(|v| id_of.get(v)).filter_map(|id| index_of.get(id))
                {
                    let _ = writeln!(out, "  {} -->|depends-on| {}", node(*needed), node(index));
                }
            }
            let applied: Vec<String> =
                set.migrations.iter().enumerate().filter(|(_, m)| is_applied(&m.id)).map(|(i, _)| node(i)).collect();
            if !applied.is_empty() {
                let _ = writeln!(out, "  classDef applied fill:#c8e6c9\n  class {} applied", applied.join(","));
            }
        }
    }
    out
}
