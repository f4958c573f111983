//! Generic traversal of pg_query trees, on top of the generated child walker.

use pg_query::protobuf::Node;

/// Post-order rewrite: children first, then `f` on the node itself (which may replace it).
pub fn rewrite(node: &mut Node, f: &mut dyn FnMut(&mut Node)) {
    if let Some(inner) = node.node.as_mut() {
        super::walk_generated::children_mut(inner, &mut |child| rewrite(child, f));
    }
    f(node);
}

/// Pre-order visit of a node and all its descendants.
pub fn visit(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    if let Some(inner) = node.node.as_ref() {
        super::walk_generated::children_ref(inner, &mut |child| visit(child, f));
    }
}
