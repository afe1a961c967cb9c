//! The steps of one playbook as a graph: unique ids, `needs` and `step:` anchors that name
//! real steps, no cycle in `needs`, and every condition decided by a gate the step waits for.

use std::collections::{BTreeMap, BTreeSet};

use super::super::problem::Problems;
use super::step::Node;

/// Checks how the steps refer to each other.
pub(super) fn check(p: &mut Problems, nodes: &[Node]) {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        let Some((id, span)) = &node.id else { continue };
        if index.contains_key(id.as_str()) {
            p.add(
                Some(span.clone()),
                format!("{}.id", node.field),
                format!("duplicate step id `{id}`; an earlier step has it"),
            );
        } else {
            index.insert(id, i);
        }
    }
    for node in nodes {
        references(p, node, &index);
    }
    let edges: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            n.needs
                .iter()
                .filter_map(|(need, _)| index.get(need.as_str()).copied())
                .collect()
        })
        .collect();
    cycles(p, nodes, &edges);
    for i in 0..nodes.len() {
        decided(p, nodes, &edges, i);
    }
}

/// `needs` and a `step:` anchor name steps of this playbook (and not the step itself).
fn references(p: &mut Problems, node: &Node, index: &BTreeMap<&str, usize>) {
    for (need, span) in &node.needs {
        if !index.contains_key(need.as_str()) {
            p.add(
                Some(span.clone()),
                format!("{}.needs", node.field),
                format!("no step `{need}` in this playbook"),
            );
        }
    }
    let Some((target, span)) = &node.due_step else {
        return;
    };
    let field = format!("{}.due", node.field);
    if node.id.as_ref().is_some_and(|(id, _)| id == target) {
        p.add(
            Some(span.clone()),
            field,
            "a step cannot be due relative to itself",
        );
    } else if !index.contains_key(target.as_str()) {
        p.add(
            Some(span.clone()),
            field,
            format!("no step `{target}` in this playbook"),
        );
    }
}

/// Reports each cycle in `needs` once, naming its steps in order.
fn cycles(p: &mut Problems, nodes: &[Node], edges: &[Vec<usize>]) {
    // 0: not seen, 1: on the current path, 2: done.
    let mut state = vec![0u8; nodes.len()];
    let mut path = Vec::new();
    for start in 0..nodes.len() {
        if state[start] == 0 {
            visit(p, nodes, edges, start, &mut state, &mut path);
        }
    }
}

/// Depth-first walk from `at`; a step met again on the path closes a cycle.
fn visit(
    p: &mut Problems,
    nodes: &[Node],
    edges: &[Vec<usize>],
    at: usize,
    state: &mut [u8],
    path: &mut Vec<usize>,
) {
    state[at] = 1;
    path.push(at);
    for &next in &edges[at] {
        match state[next] {
            0 => visit(p, nodes, edges, next, state, path),
            1 => {
                let from = path.iter().position(|&i| i == next).unwrap_or(0);
                let names: Vec<&str> = path[from..]
                    .iter()
                    .chain([&next])
                    .map(|&i| name(&nodes[i]))
                    .collect();
                let node = &nodes[next];
                let span = node
                    .id
                    .as_ref()
                    .map_or(node.span.clone(), |(_, s)| s.clone());
                p.add(
                    Some(span),
                    format!("{}.needs", node.field),
                    format!(
                        "the steps need each other in a cycle: {}",
                        names.join(" → ")
                    ),
                );
            }
            _ => {}
        }
    }
    path.pop();
    state[at] = 2;
}

/// A step's id, or its field when it has none.
fn name(node: &Node) -> &str {
    node.id
        .as_ref()
        .map_or(node.field.as_str(), |(id, _)| id.as_str())
}

/// A step's condition is decided by a gate among the steps it needs, directly or not.
fn decided(p: &mut Problems, nodes: &[Node], edges: &[Vec<usize>], at: usize) {
    let Some(((question, _), span)) = &nodes[at].condition else {
        return;
    };
    let mut seen = BTreeSet::new();
    let mut queue: Vec<usize> = edges[at].clone();
    while let Some(i) = queue.pop() {
        if !seen.insert(i) {
            continue;
        }
        if nodes[i].decides.as_deref() == Some(question.as_str()) {
            return;
        }
        queue.extend(&edges[i]);
    }
    p.add(
        Some(span.clone()),
        format!("{}.when", nodes[at].field),
        format!(
            "no gate among the steps this one needs decides `{question}`; \
             add the gate that decides it to `needs` (directly or through another step)"
        ),
    );
}
