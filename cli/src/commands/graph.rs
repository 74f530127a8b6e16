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
            out.push_str(concat!(
                "digraph migrations {\n",
                "  graph [rankdir=TB, bgcolor=\"white\", pad=\"0.2\", nodesep=\"0.5\", ranksep=\"0.4\"];\n",
                "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=12, fillcolor=\"#ffffff\", ",
                "color=\"#607d8b\", penwidth=1.2, margin=\"0.18,0.08\"];\n",
                "  edge [fontname=\"Helvetica\", fontsize=10, arrowsize=0.7];\n",
            ));
            for migration in &set.migrations {
                let applied = if is_applied(&migration.id) { ", fillcolor=\"#c8e6c9\", color=\"#388e3c\"" } else { "" };
                let _ = writeln!(out, "  \"{}\" [label=\"{}\"{applied}];", migration.id, migration.id);
            }
            // The application order, dashed and straight; a dependency, solid blue, its arrow
            // at the migration depended on.
            for pair in set.migrations.windows(2) {
                let _ = writeln!(
                    out,
                    "  \"{}\" -> \"{}\" [style=dashed, color=\"#9e9e9e\", weight=10];",
                    pair[0].id, pair[1].id
                );
            }
            for migration in &set.migrations {
                for needed in migration.depends_on.iter().filter_map(|v| id_of.get(v)) {
                    let _ = writeln!(
                        out,
                        "  \"{needed}\" -> \"{}\" [dir=back, color=\"#1565c0\", penwidth=1.4];",
                        migration.id
                    );
                }
            }
            out.push_str("  legend [shape=plaintext, style=\"\", fontsize=10, fontcolor=\"#424242\", label=<\n");
            out.push_str("    <table border=\"1\" color=\"#bdbdbd\" style=\"rounded\" cellborder=\"0\" cellspacing=\"3\" cellpadding=\"1\">\n");
            if applied.is_some() {
                out.push_str("      <tr><td bgcolor=\"#c8e6c9\" width=\"16\" height=\"10\"></td><td align=\"left\">applied</td></tr>\n");
                out.push_str("      <tr><td bgcolor=\"#ffffff\" width=\"16\" height=\"10\"></td><td align=\"left\">pending</td></tr>\n");
            }
            out.push_str("      <tr><td><font color=\"#9e9e9e\">- - -\u{25b8}</font></td><td align=\"left\">runs before</td></tr>\n");
            out.push_str("      <tr><td><font color=\"#1565c0\">\u{25c2}\u{2500}\u{2500}\u{2500}</font></td><td align=\"left\">depends on</td></tr>\n");
            out.push_str("    </table>>];\n  { rank=sink; legend; }\n}\n");
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
                    let _ = writeln!(out, "  {} -->|depends on| {}", node(index), node(*needed));
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
