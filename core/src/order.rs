//! Stage 3: resolve `depends-on` entries and put the migrations in application order: the
//! topological sort of the dependency graph, ties broken by version.

use crate::assemble::Assembled;
use crate::directive::DependencyRef;
use crate::graph::topological_order;
use crate::model::MigrationDef;
use crate::problem::Problem;
use crate::suggest::did_you_mean;

/// Orders `assembled` for application and fills each migration's `depends_on`.
///
/// # Errors
///
/// Unknown dependencies (with a did-you-mean), self dependencies and every dependency cycle.
pub fn order(mut assembled: Vec<Assembled>) -> Result<Vec<MigrationDef>, Vec<Problem>> {
    // Diesel orders its folders as text once dashes are removed; everything else numerically.
    let as_text = assembled.iter().any(|a| a.migration.version.dashed);
    assembled.sort_by(|a, b| a.migration.version.order(&b.migration.version, as_text));

    let mut problems = Vec::new();
    let mut edges: Vec<Vec<usize>> = Vec::with_capacity(assembled.len());
    let mut edge_refs: Vec<Vec<(usize, DependencyRef)>> = Vec::with_capacity(assembled.len());
    for (index, item) in assembled.iter().enumerate() {
        let mut targets = Vec::new();
        let mut refs = Vec::new();
        for reference in &item.dependencies {
            match resolve(reference, &assembled) {
                Ok(target) if target == index => problems.push(
                    Problem::in_file(item.migration.up.file.clone(), format!("migration `{}` depends on itself", item.migration.id()))
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
                    Problem::in_file(item.migration.up.file.clone(), format!("`strata:depends-on` names `{}`, which is not a migration in this folder", reference.text))
                        .at(reference.position)
                        .help(help),
                ),
            }
        }
        edges.push(targets);
        edge_refs.push(refs);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let order = match topological_order(&edges) {
        Ok(order) => order,
        Err(cycles) => return Err(cycles.iter().map(|cycle| cycle_problem(cycle, &assembled, &edge_refs)).collect()),
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
    Ok(ordered)
}

/// The index of the migration `reference` names, or a hint naming what it may have meant.
fn resolve(reference: &DependencyRef, assembled: &[Assembled]) -> Result<usize, String> {
    let found = assembled.iter().position(|a| {
        a.migration.version.number == reference.version && reference.name.as_ref().is_none_or(|name| *name == a.migration.name)
    });
    if let Some(index) = found {
        return Ok(index);
    }
    let ids: Vec<String> = assembled.iter().map(|a| a.migration.id()).collect();
    let by_version = assembled.iter().find(|a| a.migration.version.number == reference.version);
    let suggestion = match by_version {
        Some(same_version) => Some(same_version.migration.id()),
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
    let path: Vec<String> = cycle.iter().map(|&index| assembled[index].migration.id()).collect();
    let first = &assembled[cycle[0]].migration;
    let mut problem = Problem::in_file(first.up.file.clone(), format!("dependency cycle: `{}`", path.join(" -> ")))
        .help("each arrow reads \"depends on\": remove one of these `strata:depends-on` entries");
    let next = cycle.get(1).copied();
    if let Some((_, reference)) = edge_refs[cycle[0]].iter().find(|(target, _)| Some(*target) == next) {
        problem = problem.at(reference.position);
    }
    problem
}
