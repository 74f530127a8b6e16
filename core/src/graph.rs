//! The dependency graph: application order and cycles.
//!
//! Nodes are indices into a list already in version order, so "ties broken by version" is
//! "smallest index first". An edge `a -> b` means `a` depends on `b`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Orders `dependencies.len()` nodes so that every node comes after the nodes it depends on,
/// ties broken by index.
///
/// # Errors
///
/// Every cycle, one per strongly connected component, as a path that starts and ends at the
/// component's smallest node, following "depends on" edges: `[0, 2, 0]`.
pub fn topological_order(dependencies: &[Vec<usize>]) -> Result<Vec<usize>, Vec<Vec<usize>>> {
    let count = dependencies.len();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut waiting_on = vec![0usize; count];
    for (node, deps) in dependencies.iter().enumerate() {
        for &dep in deps {
            dependents[dep].push(node);
            waiting_on[node] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = (0..count).filter(|&node| waiting_on[node] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(Reverse(node)) = ready.pop() {
        order.push(node);
        for &dependent in &dependents[node] {
            waiting_on[dependent] -= 1;
            if waiting_on[dependent] == 0 {
                ready.push(Reverse(dependent));
            }
        }
    }
    if order.len() == count {
        return Ok(order);
    }
    let blocked: Vec<bool> = waiting_on.iter().map(|&n| n > 0).collect();
    Err(find_cycles(dependencies, &dependents, &blocked))
}

/// One cycle per strongly connected component among the `blocked` nodes (those left after the
/// sort: members of cycles, and nodes that depend on them).
fn find_cycles(dependencies: &[Vec<usize>], dependents: &[Vec<usize>], blocked: &[bool]) -> Vec<Vec<usize>> {
    let mut covered = vec![false; blocked.len()];
    let mut cycles = Vec::new();
    for start in (0..blocked.len()).filter(|&n| blocked[n]) {
        if covered[start] {
            continue;
        }
        let Some(cycle) = shortest_cycle_through(start, dependencies, blocked) else { continue };
        let forward = reachable(start, dependencies, blocked);
        let backward = reachable(start, dependents, blocked);
        for node in 0..blocked.len() {
            covered[node] |= forward[node] && backward[node];
        }
        cycles.push(cycle);
    }
    cycles
}

fn reachable(start: usize, edges: &[Vec<usize>], allowed: &[bool]) -> Vec<bool> {
    let mut seen = vec![false; edges.len()];
    let mut queue = VecDeque::from([start]);
    seen[start] = true;
    while let Some(node) = queue.pop_front() {
        for &next in &edges[node] {
            if allowed[next] && !seen[next] {
                seen[next] = true;
                queue.push_back(next);
            }
        }
    }
    seen
}

/// The shortest path from `start` back to itself, visiting smaller nodes first.
fn shortest_cycle_through(start: usize, dependencies: &[Vec<usize>], allowed: &[bool]) -> Option<Vec<usize>> {
    let mut came_from: Vec<Option<usize>> = vec![None; dependencies.len()];
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        let mut next_nodes = dependencies[node].clone();
        next_nodes.sort_unstable();
        for next in next_nodes {
            if next == start {
                let mut path = vec![node];
                let mut at = node;
                while at != start {
                    at = came_from[at]?;
                    path.push(at);
                }
                path.reverse();
                path.push(start);
                return Some(path);
            }
            if allowed[next] && came_from[next].is_none() && next != start {
                came_from[next] = Some(node);
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_version_order_without_dependencies() {
        assert_eq!(topological_order(&[vec![], vec![], vec![]]), Ok(vec![0, 1, 2]));
    }

    #[test]
    fn a_dependency_on_a_higher_version_orders_after_it() {
        // 0 depends on 3, 1 depends on 0.
        assert_eq!(topological_order(&[vec![3], vec![0], vec![], vec![]]), Ok(vec![2, 3, 0, 1]));
    }

    #[test]
    fn cycles_are_paths_from_their_smallest_node() {
        assert_eq!(topological_order(&[vec![1], vec![2], vec![0]]), Err(vec![vec![0, 1, 2, 0]]));
        // Two separate cycles, and a node (4) that only depends on one: one path per cycle.
        let deps = [vec![1], vec![0], vec![3], vec![2], vec![0]];
        assert_eq!(topological_order(&deps), Err(vec![vec![0, 1, 0], vec![2, 3, 2]]));
    }

    #[test]
    fn one_cycle_reported_per_component() {
        // 0 -> 1 -> 0 and 1 -> 2 -> 1 share node 1: one component, one report.
        let deps = [vec![1], vec![0, 2], vec![1]];
        assert_eq!(topological_order(&deps), Err(vec![vec![0, 1, 0]]));
    }
}
