//! Small readers for pg_query nodes: strings, name lists, numbers, DefElem options.

use pg_query::protobuf::a_const::Val;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, Node};

pub fn string(n: &Node) -> Option<&str> {
    match n.node.as_ref()? {
        N::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// A list of String nodes (a qualified name) as strings.
pub fn names(list: &[Node]) -> Vec<String> {
    list.iter().filter_map(|n| string(n).map(str::to_string)).collect()
}

/// The strings of a `List` node (`COMMENT ON TABLE a.b`: the object is a List).
pub fn list_names(n: &Node) -> Vec<String> {
    match n.node.as_ref() {
        Some(N::List(l)) => names(&l.items),
        Some(N::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    }
}

/// An integer constant (`A_Const`, `Integer`, or a `Float` holding an integer: `bigint` literals).
pub fn int(n: &Node) -> Option<i64> {
    match n.node.as_ref()? {
        N::Integer(i) => Some(i.ival as i64),
        N::Float(f) => f.fval.parse().ok(),
        N::AConst(c) => match c.val.as_ref()? {
            Val::Ival(i) => Some(i.ival as i64),
            Val::Fval(f) => f.fval.parse().ok(),
            Val::Sval(s) => s.sval.parse().ok(),
            _ => None,
        },
        N::TypeCast(tc) => int(tc.arg.as_deref()?),
        _ => None,
    }
}

/// A constant as text (strings, numbers, booleans, bare words).
pub fn text(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        N::String(s) => Some(s.sval.clone()),
        N::Integer(i) => Some(i.ival.to_string()),
        N::Float(f) => Some(f.fval.clone()),
        N::Boolean(b) => Some(b.boolval.to_string()),
        N::TypeName(t) => t.names.last().and_then(string).map(str::to_string),
        N::AConst(c) => match c.val.as_ref()? {
            Val::Ival(i) => Some(i.ival.to_string()),
            Val::Fval(f) => Some(f.fval.clone()),
            Val::Sval(s) => Some(s.sval.clone()),
            Val::Boolval(b) => Some(b.boolval.to_string()),
            Val::Bsval(b) => Some(b.bsval.clone()),
        },
        N::TypeCast(tc) => text(tc.arg.as_deref()?),
        _ => None,
    }
}

/// The DefElems of an option list.
pub fn def_elems(list: &[Node]) -> impl Iterator<Item = &pb::DefElem> {
    list.iter().filter_map(|n| match n.node.as_ref() {
        Some(N::DefElem(d)) => Some(&**d),
        _ => None,
    })
}

/// A storage-parameter list (`WITH (fillfactor = 70, autovacuum_enabled = false)`) as the
/// catalog stores it: `name=value`, values printed as text, namespaced names `toast.x`.
pub fn reloptions(list: &[Node]) -> Vec<(String, Option<String>)> {
    def_elems(list)
        .map(|d| {
            let name =
                if d.defnamespace.is_empty() { d.defname.clone() } else { format!("{}.{}", d.defnamespace, d.defname) };
            (name, d.arg.as_deref().and_then(text))
        })
        .collect()
}

pub fn range_var_parts(rv: &pb::RangeVar) -> (Option<String>, String) {
    let schema = (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone());
    (schema, rv.relname.clone())
}

/// `[schema.]name` from a list of names.
pub fn qualified_parts(names: &[String]) -> Option<(Option<String>, String)> {
    match names {
        [n] => Some((None, n.clone())),
        [s, n] => Some((Some(s.clone()), n.clone())),
        [_, s, n] => Some((Some(s.clone()), n.clone())),
        _ => None,
    }
}
