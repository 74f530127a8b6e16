//! Stage 3: resolve `depends-on` entries and put the migrations in application order: the
//! topological sort of the dependency graph, ties broken by version.

use crate::assemble::Assembled;
use crate::directive::DependencyRef;
use crate::graph::topological_order;
use crate::model::MigrationDef;
use crate::names::Layout;
use crate::problem::Problem;
use crate::suggest::did_you_mean;

/// Migrations in application order, as far as it could be decided.
#[derive(Debug, Default)]
pub struct Ordered {
    /// The migrations in application order with their `depends_on` filled; `None` when a cycle
    /// leaves no order to decide.
    pub migrations: Option<Vec<MigrationDef>>,
    /// Unknown dependencies (with a did-you-mean), self dependencies and every dependency cycle.
    pub problems: Vec<Problem>,
    /// The versions of the migrations whose `depends-on` names something wrong: the order
    /// leaves those entries out.
    pub broken: Vec<i64>,
}

/// Orders `assembled` for application and fills each migration's `depends_on`. A dependency
/// that names no migration (or the migration itself) is a problem and left out of the order;
/// a cycle leaves no order at all.
pub fn order(mut assembled: Vec<Assembled>) -> Ordered {
    // Diesel orders its folders as text once dashes are removed; everything else numerically.
    let as_text = assembled.iter().any(|a| a.migration.layout == Layout::Folder);
    assembled.sort_by(|a, b| a.migration.version.order(&b.migration.version, as_text));

    let mut problems = Vec::new();
    let mut broken = Vec::new();
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(assembled.len());
    let mut edge_refs: Vec<Vec<(usize, DependencyRef)>> = Vec::with_capacity(assembled.len());
    for (index, item) in assembled.iter().enumerate() {
        let mut targets = Vec::new();
        let mut refs = Vec::new();
        let problems_before = problems.len();
        for reference in &item.dependencies {
            match resolve(reference, &assembled) {
                Ok(target) if target == index => problems.push(
                    Problem::in_file(
                        item.migration.up.file.clone(),
                        format!("migration `{}` depends on itself", item.migration.id),
                    )
                    .at(reference.position)
                    .help("remove it from `strata:depends-on`"),
                ),
                Ok(target) => {
                    if !targets.contains(&target) {
                        targets.push(target);
                        refs.push((target, reference.clone()));
                    }
                }
                Err(help) => problems.push(
                    Problem::in_file(
                        item.migration.up.file.clone(),
                        format!(
                            "`strata:depends-on` names `{}`, which is not a migration in this folder",
                            reference.text
                        ),
                    )
                    .at(reference.position)
                    .help(help),
                ),
            }
        }
        if problems.len() > problems_before {
            broken.push(item.migration.version.number);
        }
        edges.push(targets);
        edge_refs.push(refs);
    }
    let order = match topological_order(&edges) {
        Ok(order) => order,
        Err(cycles) => {
            problems.extend(cycles.iter().map(|cycle| cycle_problem(cycle, &assembled, &edge_refs)));
            return Ordered { migrations: None, problems, broken };
        }
    };
    let mut slots: Vec<Option<Assembled>> = assembled.into_iter().map(Some).collect();
    let versions: Vec<i64> = slots.iter().flatten().map(|a| a.migration.version.number).collect();
    let mut ordered = Vec::with_capacity(order.len());
    for index in order {
        if let Some(mut item) = slots[index].take() {
            item.migration.depends_on = edges[index].iter().map(|&target| versions[target]).collect();
            ordered.push(item.migration);
        }
    }
    Ordered { migrations: Some(ordered), problems, broken }
}

/// The index of the migration `reference` names, or a hint naming what it may have meant.
fn resolve(reference: &DependencyRef, assembled: &[Assembled]) -> Result<usize, String> {
    let found = assembled.iter().position(|a| {
        a.migration.version.number == reference.version
            && reference.name.as_ref().is_none_or(|name| *name == a.migration.name)
    });
    if let Some(index) = found {
        return Ok(index);
    }
    let ids: Vec<String> = assembled.iter().map(|a| a.migration.id.clone()).collect();
    let by_version = assembled.iter().find(|a| a.migration.version.number == reference.version);
    let suggestion = match by_version {
        Some(same_version) => Some(same_version.migration.id.clone()),
        None if reference.name.is_none() => {
            did_you_mean(&reference.text, assembled.iter().map(|a| a.migration.version.written.clone()))
        }
        None => did_you_mean(&reference.text, ids.iter().cloned()),
    };
    Err(match suggestion {
        Some(close) => format!("did you mean `{close}`?"),
        None => "name a migration by its version or `<version>_<name>`".to_owned(),
    })
}

fn cycle_problem(cycle: &[usize], assembled: &[Assembled], edge_refs: &[Vec<(usize, DependencyRef)>]) -> Problem {
    let path: Vec<String> = cycle.iter().map(|&index| assembled[index].migration.id.clone()).collect();
    let first = &assembled[cycle[0]].migration;
    let mut problem = Problem::in_file(first.up.file.clone(), format!("dependency cycle: `{}`", path.join(" -> ")))
        .help("each arrow reads \"depends on\": remove one of these `strata:depends-on` entries");
    let next = cycle.get(1).copied();
    if let Some((_, reference)) = edge_refs[cycle[0]].iter().find(|(target, _)| Some(*target) == next) {
        problem = problem.at(reference.position);
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checksum::checksum;
    use crate::model::ScriptFile;
    use crate::names::Version;
    use crate::problem::Position;

    fn item(version: i64, dashed: Option<&str>, depends_on: &[&str]) -> Assembled {
        let written = dashed.map_or_else(|| format!("{version:04}"), str::to_owned);
        let migration = MigrationDef {
            version: Version { number: version, digits: written.replace('-', ""), written },
            name: format!("m{version}"),
            id: format!("{version:04}_m{version}"),
            layout: if dashed.is_some() { Layout::Folder } else { Layout::Flat },
            up: ScriptFile { file: format!("{version}.sql"), text: String::new(), statements: Vec::new() },
            down: None,
            checksum: checksum(""),
            foreign: crate::ForeignChecksums::of("", version, ""),
            depends_on: Vec::new(),
            kind: crate::flags::Kind::Versioned,
            flags: crate::flags::Flags::empty(),
        };
        let dependencies = depends_on
            .iter()
            .map(|text| {
                let (version, name) = text.split_once('_').map_or((*text, None), |(v, n)| (v, Some(n.to_owned())));
                DependencyRef {
                    version: version.parse().unwrap_or(-1),
                    name,
                    text: (*text).to_owned(),
                    position: Position::new(1, 1),
                }
            })
            .collect();
        Assembled { migration, dependencies }
    }

    fn versions(ordered: Ordered) -> Vec<i64> {
        assert_eq!(ordered.problems, []);
        ordered.migrations.expect("orders").iter().map(|m| m.version.number).collect()
    }

    #[test]
    fn version_order_is_numeric_except_in_diesel_folders() {
        assert_eq!(versions(order(vec![item(10, None, &[]), item(2, None, &[]), item(1, None, &[])])), [1, 2, 10]);
        let diesel =
            vec![item(20170102131034, None, &[]), item(201701010000000000, Some("2017-01-01-000000-0000"), &[])];
        assert_eq!(versions(order(diesel)), [201701010000000000, 20170102131034]);
    }

    #[test]
    fn dependencies_resolve_by_version_and_by_name() {
        let ordered = order(vec![item(1, None, &["3"]), item(2, None, &["0001_m1"]), item(3, None, &[])])
            .migrations
            .expect("orders");
        let pairs: Vec<(i64, Vec<i64>)> = ordered.iter().map(|m| (m.version.number, m.depends_on.clone())).collect();
        assert_eq!(pairs, [(3, vec![]), (1, vec![3]), (2, vec![1])]);
    }

    #[test]
    fn unknown_self_and_cyclic_dependencies_are_problems() {
        let ordered = order(vec![item(1, None, &["0002_m3"]), item(2, None, &["2"])]);
        // The order is still decided, without the wrong entries.
        assert_eq!(ordered.migrations.map(|m| m.len()), Some(2));
        assert_eq!(ordered.broken, [1, 2]);
        let problems = ordered.problems;
        let messages: Vec<(String, Option<String>)> =
            problems.iter().map(|p| (p.message.clone(), p.help.clone())).collect();
        assert_eq!(
            messages,
            [
                (
                    "`strata:depends-on` names `0002_m3`, which is not a migration in this folder".to_owned(),
                    Some("did you mean `0002_m2`?".to_owned())
                ),
                (
                    "migration `0002_m2` depends on itself".to_owned(),
                    Some("remove it from `strata:depends-on`".to_owned())
                ),
            ]
        );
        let cycle = order(vec![item(1, None, &["2"]), item(2, None, &["1"])]);
        assert!(cycle.migrations.is_none());
        assert_eq!(cycle.problems[0].message, "dependency cycle: `0001_m1 -> 0002_m2 -> 0001_m1`");
    }
}
