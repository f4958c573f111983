//! Ordering: one dependency graph over actions, sorted topologically with a deterministic
//! tie-break. Edges, for every object X:
//!
//! - an action that provides X runs before every action that requires X;
//! - an action that releases X runs before the action that removes X (dependents go first);
//! - an action that removes X runs before an action that provides X again (drop, then create).
//!
//! A cycle is an error that names the actions in it.

use super::actions::Action;
use crate::model::ObjectRef;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

#[derive(Debug, thiserror::Error)]
#[error("the changes depend on each other in a cycle: {}", .actions.join(" -> "))]
pub struct CycleError {
    pub actions: Vec<String>,
}

/// A sorted graph: the order in which to run the actions (indexes), and its edges (action `a`
/// before action `b`).
pub struct Ordered {
    pub order: Vec<usize>,
    pub edges: Vec<(usize, usize)>,
}

/// The order in which to run `actions`.
pub fn order(actions: &[Action]) -> Result<Ordered, CycleError> {
    let mut g: DiGraph<usize, ()> = DiGraph::with_capacity(actions.len(), actions.len() * 2);
    let nodes: Vec<NodeIndex> = (0..actions.len()).map(|i| g.add_node(i)).collect();
    let mut providers: BTreeMap<&ObjectRef, Vec<usize>> = BTreeMap::new();
    let mut removers: BTreeMap<&ObjectRef, Vec<usize>> = BTreeMap::new();
    for (i, a) in actions.iter().enumerate() {
        for p in &a.provides {
            providers.entry(p).or_default().push(i);
        }
        for r in &a.removes {
            removers.entry(r).or_default().push(i);
        }
    }
    let edge = |g: &mut DiGraph<usize, ()>, from: usize, to: usize| {
        if from != to {
            g.update_edge(nodes[from], nodes[to], ());
        }
    };
    for (i, a) in actions.iter().enumerate() {
        for r in &a.requires {
            for &p in providers.get(r).into_iter().flatten() {
                edge(&mut g, p, i);
            }
        }
        for r in &a.releases {
            for &m in removers.get(r).into_iter().flatten() {
                edge(&mut g, i, m);
            }
        }
        for p in &a.provides {
            for &m in removers.get(p).into_iter().flatten() {
                edge(&mut g, m, i);
            }
        }
    }
    // Kahn's algorithm, always taking the smallest-ranked ready action.
    let mut indegree: Vec<usize> = nodes.iter().map(|n| g.neighbors_directed(*n, petgraph::Incoming).count()).collect();
    type Ready<'a> = BinaryHeap<Reverse<(&'a (u8, u8, String), usize)>>;
    let mut ready: Ready =
        (0..actions.len()).filter(|i| indegree[*i] == 0).map(|i| Reverse((&actions[i].rank, i))).collect();
    let mut out = Vec::with_capacity(actions.len());
    while let Some(Reverse((_, i))) = ready.pop() {
        out.push(i);
        for n in g.neighbors_directed(nodes[i], petgraph::Outgoing) {
            let j = g[n];
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(Reverse((&actions[j].rank, j)));
            }
        }
    }
    if out.len() < actions.len() {
        let cycle = tarjan_scc(&g)
            .into_iter()
            .find(|scc| scc.len() > 1)
            .unwrap_or_default()
            .into_iter()
            .map(|n| actions[g[n]].steps.first().map_or_else(|| "(empty action)".to_string(), |s| s.summary.clone()))
            .collect();
        return Err(CycleError { actions: cycle });
    }
    let edges = g.edge_indices().filter_map(|e| g.edge_endpoints(e)).map(|(a, b)| (g[a], g[b])).collect();
    Ok(Ordered { order: out, edges })
}
