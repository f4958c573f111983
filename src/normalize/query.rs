//! Canonical queries (views, materialized views, statements of `BEGIN ATOMIC` bodies). The
//! user's `SELECT * FROM products` and the catalog's `SELECT products.id, products.name FROM
//! public.products` must meet, so the normalizer does a small part of what the server's parse
//! analysis does:
//!
//! - relations in FROM are resolved (tables and views; CTE names are not relations) and
//!   qualified, functions and types as in expressions;
//! - in the comparison form only: `*` and `alias.*` are expanded from the catalog at the time of
//!   the statement (as the server expands them), every output column gets its explicit name,
//!   column qualifiers and plain relation aliases are dropped, ORDER BY / GROUP BY items that
//!   repeat an output column become its ordinal, `ELSE NULL` goes, and expressions are
//!   canonicalized like any other.
//!
//! It also reports the query's output columns (with types where simple) and its references:
//! relations, the columns it reads, functions, types.

use super::colname::figure_colname;
use super::expr::{self, ExprContext};
use super::walk::rewrite;
use super::Scope;
use crate::model::{ObjectRef, QualifiedName, Query, TypeRef};
use pg_query::protobuf::a_const::Val;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, Node, SetOperation};
use std::collections::{BTreeMap, BTreeSet};

/// A query's output column: its name and, where simple, its type.
pub type OutColumn = (String, Option<TypeRef>);

pub struct Analyzed {
    pub query: Query,
    pub columns: Vec<OutColumn>,
}

/// Normalize a query statement node (a `SelectStmt`, or a DML statement in a routine body).
pub fn query(node: &Node, scope: &Scope) -> Result<Analyzed, String> {
    query_named(node, scope, &[])
}

/// Like [`query`], with the first output columns renamed (a view's column list: the catalog
/// prints them as `AS name`).
pub fn query_named(node: &Node, scope: &Scope, names: &[String]) -> Result<Analyzed, String> {
    let mut refs = BTreeSet::new();
    let mut resolved = node.clone();
    qualify(&mut resolved, scope, &mut refs)?;
    let sql = deparse(&resolved)?;
    let mut key_tree = resolved;
    let columns = match key_tree.node.as_mut() {
        Some(N::SelectStmt(sel)) => {
            let mut cols = analyze_select(sel, scope, &Frame::root(), &BTreeMap::new(), &mut refs)?;
            if names.len() > cols.len() {
                return Err("more column names than columns".into());
            }
            for ((col, new), target) in cols.iter_mut().zip(names).zip(outermost_targets(sel)) {
                col.0 = new.clone();
                target.name = new.clone();
            }
            cols
        }
        _ => {
            analyze_any(&mut key_tree, scope, &Frame::root(), &BTreeMap::new(), &mut refs)?;
            Vec::new()
        }
    };
    canonicalize(&mut key_tree);
    let key = deparse(&key_tree)?;
    Ok(Analyzed { query: Query { sql, key, refs }, columns })
}

/// Deparse a statement node.
pub fn deparse(node: &Node) -> Result<String, String> {
    let tree = pb::ParseResult {
        version: pg_query_version(),
        stmts: vec![pb::RawStmt { stmt: Some(Box::new(node.clone())), stmt_location: 0, stmt_len: 0 }],
    };
    pg_query::deparse(&tree, Default::default()).map_err(|e| format!("cannot print query: {e}"))
}

fn pg_query_version() -> i32 {
    static VERSION: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
    *VERSION.get_or_init(|| pg_query::parse("SELECT 1", 0).map(|r| r.protobuf.version).unwrap_or(0))
}

/// Names of every CTE in the tree: FROM items with these names are not relations.
fn cte_names(node: &Node) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    super::visit(node, &mut |n| {
        if let Some(N::CommonTableExpr(c)) = n.node.as_ref() {
            out.insert(c.ctename.clone());
        }
    });
    out
}

/// Resolve and qualify relations, functions, types and literals in place (the executable form).
fn qualify(node: &mut Node, scope: &Scope, refs: &mut BTreeSet<ObjectRef>) -> Result<(), String> {
    let ctes = cte_names(node);
    let mut error = None;
    let cx = ExprContext { scope: *scope, table: None, target: None };
    rewrite(node, &mut |n| {
        if error.is_some() {
            return;
        }
        if let Some(N::RangeVar(rv)) = n.node.as_mut() {
            if rv.schemaname.is_empty() && ctes.contains(&rv.relname) {
                return;
            }
            let schema = (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone());
            match scope.find_queryable(schema.as_deref(), &rv.relname) {
                Some(qn) => {
                    rv.schemaname = qn.schema.clone();
                    rv.catalogname.clear();
                    refs.insert(relation_ref(scope, &qn));
                }
                None => error = Some(format!("relation \"{}\" does not exist", rv.relname)),
            }
            return;
        }
        if let Err(e) = expr::resolve_one(n, &cx, refs) {
            error = Some(e);
        }
    });
    error.map_or(Ok(()), Err)
}

fn relation_ref(scope: &Scope, qn: &QualifiedName) -> ObjectRef {
    if scope.catalog.views.contains_key(qn) {
        ObjectRef::View(qn.clone())
    } else {
        ObjectRef::Table(qn.clone())
    }
}

/// A FROM item as the rest of the query sees it.
#[derive(Clone)]
struct Rel {
    alias: String,
    relation: Option<QualifiedName>,
    /// `None`: unknown (a set-returning function without a column list).
    columns: Option<Vec<OutColumn>>,
}

/// The relations visible at one query level, and the levels around it (correlation).
struct Frame<'a> {
    rels: Vec<Rel>,
    /// What `*` expands to, in order: (qualifier, column, type); `None` when unknown.
    star: Option<Vec<(String, OutColumn)>>,
    parent: Option<&'a Frame<'a>>,
}

impl<'a> Frame<'a> {
    fn root() -> Frame<'static> {
        Frame { rels: Vec::new(), star: Some(Vec::new()), parent: None }
    }

    fn child(parent: &'a Frame<'a>) -> Frame<'a> {
        Frame { rels: Vec::new(), star: Some(Vec::new()), parent: Some(parent) }
    }

    /// The relation a column reference reads, and the column's type.
    fn lookup(&self, qualifier: Option<&str>, column: &str) -> Option<(Option<&QualifiedName>, Option<TypeRef>)> {
        for r in &self.rels {
            if qualifier.is_some_and(|q| q != r.alias) {
                continue;
            }
            if let Some(cols) = &r.columns {
                if let Some((_, ty)) = cols.iter().find(|(n, _)| n == column) {
                    return Some((r.relation.as_ref(), ty.clone()));
                }
            }
        }
        self.parent.and_then(|p| p.lookup(qualifier, column))
    }
}

type Ctes = BTreeMap<String, Vec<OutColumn>>;

fn names_of(list: &[Node]) -> Vec<String> {
    list.iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(N::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

fn rename(columns: &mut [OutColumn], alias: Option<&pb::Alias>) {
    if let Some(a) = alias {
        for (c, n) in columns.iter_mut().zip(names_of(&a.colnames)) {
            c.0 = n;
        }
    }
}

fn analyze_select(
    sel: &mut pb::SelectStmt,
    scope: &Scope,
    outer: &Frame,
    ctes: &Ctes,
    refs: &mut BTreeSet<ObjectRef>,
) -> Result<Vec<OutColumn>, String> {
    let mut ctes = ctes.clone();
    if let Some(with) = sel.with_clause.as_mut() {
        for c in &mut with.ctes {
            let Some(N::CommonTableExpr(cte)) = c.node.as_mut() else { continue };
            let mut cols = match cte.ctequery.as_mut().and_then(|q| q.node.as_mut()) {
                Some(N::SelectStmt(q)) => analyze_select(q, scope, outer, &ctes, refs)?,
                Some(_) => {
                    let q = cte.ctequery.as_mut().expect("checked");
                    analyze_any(q, scope, outer, &ctes, refs)?;
                    Vec::new()
                }
                None => Vec::new(),
            };
            for (c, n) in cols.iter_mut().zip(names_of(&cte.aliascolnames)) {
                c.0 = n;
            }
            ctes.insert(cte.ctename.clone(), cols);
        }
    }
    if SetOperation::try_from(sel.op).is_ok_and(|op| op != SetOperation::SetopNone && op != SetOperation::Undefined) {
        let left = match sel.larg.as_mut() {
            Some(l) => analyze_select(l, scope, outer, &ctes, refs)?,
            None => Vec::new(),
        };
        if let Some(r) = sel.rarg.as_mut() {
            analyze_select(r, scope, outer, &ctes, refs)?;
        }
        for s in &mut sel.sort_clause {
            walk_expr(s, scope, outer, &ctes, refs)?;
        }
        return Ok(left);
    }
    if !sel.values_lists.is_empty() {
        let mut width = 0;
        for row in &mut sel.values_lists {
            if let Some(N::List(l)) = row.node.as_ref() {
                width = width.max(l.items.len());
            }
            walk_expr(row, scope, outer, &ctes, refs)?;
        }
        return Ok((1..=width).map(|i| (format!("column{i}"), None)).collect());
    }
    let mut frame = Frame::child(outer);
    for item in &mut sel.from_clause {
        let star = from_item(item, scope, &mut frame, &ctes, refs)?;
        frame.star = match (frame.star.take(), star) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
    }
    // Expressions (subqueries inside them see this frame).
    for n in sel.where_clause.iter_mut().map(|b| &mut **b).chain(sel.having_clause.iter_mut().map(|b| &mut **b)) {
        walk_expr(n, scope, &frame, &ctes, refs)?;
    }
    for n in sel
        .group_clause
        .iter_mut()
        .chain(sel.sort_clause.iter_mut())
        .chain(sel.window_clause.iter_mut())
        .chain(sel.distinct_clause.iter_mut())
    {
        walk_expr(n, scope, &frame, &ctes, refs)?;
    }
    for n in sel.limit_count.iter_mut().chain(sel.limit_offset.iter_mut()) {
        walk_expr(n, scope, &frame, &ctes, refs)?;
    }
    // The select list: stars expanded, every column named.
    let mut targets = Vec::with_capacity(sel.target_list.len());
    let mut columns = Vec::new();
    for mut t in std::mem::take(&mut sel.target_list) {
        let Some(N::ResTarget(rt)) = t.node.as_mut() else {
            targets.push(t);
            continue;
        };
        if let Some(expansion) = expand_star(rt, &frame) {
            for (qualifier, (name, ty)) in expansion {
                let fields = vec![string_node(&qualifier), string_node(&name)];
                let val = Node { node: Some(N::ColumnRef(pb::ColumnRef { fields, location: 0 })) };
                if let Some((Some(rel), _)) = frame.lookup(Some(&qualifier), &name) {
                    refs.insert(ObjectRef::Column(rel.clone(), name.clone()));
                }
                targets.push(Node {
                    node: Some(N::ResTarget(Box::new(pb::ResTarget {
                        name: name.clone(),
                        indirection: Vec::new(),
                        val: Some(Box::new(val)),
                        location: 0,
                    }))),
                });
                columns.push((name, ty));
            }
            continue;
        }
        if let Some(v) = rt.val.as_mut() {
            walk_expr(v, scope, &frame, &ctes, refs)?;
        }
        let name = if rt.name.is_empty() {
            rt.val.as_deref().and_then(figure_colname).unwrap_or_else(|| "?column?".into())
        } else {
            rt.name.clone()
        };
        let ty = rt.val.as_deref().and_then(|v| output_type(v, scope, &frame));
        rt.name = name.clone();
        columns.push((name, ty));
        targets.push(t);
    }
    sel.target_list = targets;
    Ok(columns)
}

/// The result columns of the outermost query (the left-most arm of a set operation).
fn outermost_targets(sel: &mut pb::SelectStmt) -> Vec<&mut pb::ResTarget> {
    if let Some(l) = sel.larg.as_deref_mut() {
        if sel.op != SetOperation::SetopNone as i32 {
            return outermost_targets(l);
        }
    }
    sel.target_list
        .iter_mut()
        .filter_map(|t| match t.node.as_mut() {
            Some(N::ResTarget(rt)) => Some(&mut **rt),
            _ => None,
        })
        .collect()
}

fn string_node(s: &str) -> Node {
    Node { node: Some(N::String(pb::String { sval: s.to_string() })) }
}

/// `*` or `alias.*` as a list of (qualifier, column), when every relation's columns are known.
fn expand_star(rt: &pb::ResTarget, frame: &Frame) -> Option<Vec<(String, OutColumn)>> {
    let Some(N::ColumnRef(cr)) = rt.val.as_ref().and_then(|v| v.node.as_ref()) else { return None };
    if !matches!(cr.fields.last().and_then(|f| f.node.as_ref()), Some(N::AStar(_))) {
        return None;
    }
    let quals = names_of(&cr.fields);
    match quals.last() {
        None => frame.star.clone(),
        Some(alias) => {
            let rel = frame.rels.iter().find(|r| r.alias == *alias)?;
            Some(rel.columns.clone()?.into_iter().map(|c| (alias.clone(), c)).collect())
        }
    }
}

/// The type of an output column, when it is simple to tell.
fn output_type(v: &Node, scope: &Scope, frame: &Frame) -> Option<TypeRef> {
    match v.node.as_ref()? {
        N::ColumnRef(cr) => {
            let names = names_of(&cr.fields);
            let (col, qual) = match names.as_slice() {
                [c] => (c.as_str(), None),
                [.., q, c] => (c.as_str(), Some(q.as_str())),
                [] => return None,
            };
            frame.lookup(qual, col).and_then(|(_, ty)| ty)
        }
        N::TypeCast(tc) => tc.type_name.as_ref().and_then(|t| super::type_ref(t, scope).ok()),
        N::AConst(c) => match c.val.as_ref()? {
            Val::Ival(_) => Some(TypeRef::builtin("integer")),
            Val::Fval(_) => Some(TypeRef::builtin("numeric")),
            Val::Boolval(_) => Some(TypeRef::builtin("boolean")),
            Val::Sval(_) => Some(TypeRef::builtin("text")),
            Val::Bsval(_) => None,
        },
        _ => None,
    }
}

/// One FROM item: adds its relations to the frame, returns what `*` expands to for it.
fn from_item(
    item: &mut Node,
    scope: &Scope,
    frame: &mut Frame,
    ctes: &Ctes,
    refs: &mut BTreeSet<ObjectRef>,
) -> Result<Option<Vec<(String, OutColumn)>>, String> {
    let star_of = |alias: &str, cols: &Option<Vec<OutColumn>>| {
        cols.as_ref().map(|c| c.iter().map(|c| (alias.to_string(), c.clone())).collect::<Vec<_>>())
    };
    match item.node.as_mut() {
        Some(N::RangeVar(rv)) => {
            let alias = rv.alias.as_ref().map_or(rv.relname.clone(), |a| a.aliasname.clone());
            let (relation, mut columns) = match ctes.get(&rv.relname).filter(|_| rv.schemaname.is_empty()) {
                Some(cols) => (None, Some(cols.clone())),
                None => {
                    let schema = (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone());
                    let qn = scope
                        .find_queryable(schema.as_deref(), &rv.relname)
                        .ok_or_else(|| format!("relation \"{}\" does not exist", rv.relname))?;
                    refs.insert(relation_ref(scope, &qn));
                    let cols = scope.columns_of(&qn);
                    (Some(qn), cols)
                }
            };
            if let Some(c) = columns.as_mut() {
                rename(c, rv.alias.as_ref());
            }
            let star = star_of(&alias, &columns);
            frame.rels.push(Rel { alias, relation, columns });
            Ok(star)
        }
        Some(N::RangeSubselect(rs)) => {
            let mut columns = match rs.subquery.as_mut().and_then(|q| q.node.as_mut()) {
                // The frame so far is visible to it: right for LATERAL, and harmless otherwise (it
                // only widens where column dependencies are looked for).
                Some(N::SelectStmt(q)) => analyze_select(q, scope, frame, ctes, refs)?,
                _ => Vec::new(),
            };
            rename(&mut columns, rs.alias.as_ref());
            let alias = rs.alias.as_ref().map(|a| a.aliasname.clone()).unwrap_or_default();
            let columns = Some(columns);
            let star = star_of(&alias, &columns);
            frame.rels.push(Rel { alias, relation: None, columns });
            Ok(star)
        }
        Some(N::JoinExpr(j)) => {
            let left = match j.larg.as_mut() {
                Some(l) => from_item(l, scope, frame, ctes, refs)?,
                None => Some(Vec::new()),
            };
            let right = match j.rarg.as_mut() {
                Some(r) => from_item(r, scope, frame, ctes, refs)?,
                None => Some(Vec::new()),
            };
            if let Some(q) = j.quals.as_mut() {
                walk_expr(q, scope, frame, ctes, refs)?;
            }
            let (Some(left), Some(right)) = (left, right) else { return Ok(None) };
            // USING / NATURAL: the join columns once, first, then the others of each side.
            let mut using = names_of(&j.using_clause);
            if j.is_natural {
                using = left
                    .iter()
                    .filter(|(_, (n, _))| right.iter().any(|(_, (m, _))| m == n))
                    .map(|(_, (n, _))| n.clone())
                    .collect();
            }
            let star = if using.is_empty() {
                left.into_iter().chain(right).collect()
            } else {
                let mut out: Vec<(String, OutColumn)> =
                    using.iter().filter_map(|u| left.iter().find(|(_, (n, _))| n == u).cloned()).collect();
                out.extend(left.into_iter().filter(|(_, (n, _))| !using.contains(n)));
                out.extend(right.into_iter().filter(|(_, (n, _))| !using.contains(n)));
                out
            };
            if let Some(a) = j.alias.as_ref() {
                let cols: Vec<OutColumn> = star.iter().map(|(_, c)| c.clone()).collect();
                frame.rels.push(Rel { alias: a.aliasname.clone(), relation: None, columns: Some(cols) });
                return Ok(Some(star.into_iter().map(|(_, c)| (a.aliasname.clone(), c)).collect()));
            }
            Ok(Some(star))
        }
        Some(N::RangeFunction(rf)) => {
            for f in &mut rf.functions {
                walk_expr(f, scope, frame, ctes, refs)?;
            }
            let alias = rf.alias.as_ref().map(|a| a.aliasname.clone()).unwrap_or_default();
            let cols = rf.alias.as_ref().map(|a| names_of(&a.colnames)).filter(|c| !c.is_empty());
            let columns = cols.map(|c| c.into_iter().map(|n| (n, None)).collect::<Vec<_>>());
            let star = star_of(&alias, &columns);
            frame.rels.push(Rel { alias, relation: None, columns });
            Ok(star)
        }
        Some(_) => {
            walk_expr(item, scope, frame, ctes, refs)?;
            Ok(None)
        }
        None => Ok(Some(Vec::new())),
    }
}

/// Walk an expression: column references become dependencies, subqueries are analyzed with
/// this frame as their outer level.
fn walk_expr(
    node: &mut Node,
    scope: &Scope,
    frame: &Frame,
    ctes: &Ctes,
    refs: &mut BTreeSet<ObjectRef>,
) -> Result<(), String> {
    match node.node.as_mut() {
        Some(N::SubLink(sl)) => {
            if let Some(t) = sl.testexpr.as_mut() {
                walk_expr(t, scope, frame, ctes, refs)?;
            }
            if let Some(N::SelectStmt(q)) = sl.subselect.as_mut().and_then(|s| s.node.as_mut()) {
                analyze_select(q, scope, frame, ctes, refs)?;
            }
            Ok(())
        }
        Some(N::SelectStmt(q)) => analyze_select(q, scope, frame, ctes, refs).map(|_| ()),
        Some(N::ColumnRef(cr)) => {
            let names = names_of(&cr.fields);
            let found = match names.as_slice() {
                [c] => frame.lookup(None, c).map(|(r, _)| (r.cloned(), c.clone())),
                [.., q, c] => frame.lookup(Some(q), c).map(|(r, _)| (r.cloned(), c.clone())),
                [] => None,
            };
            if let Some((Some(rel), col)) = found {
                refs.insert(ObjectRef::Column(rel, col));
            }
            Ok(())
        }
        Some(inner) => {
            let mut result = Ok(());
            super::walk_generated::children_mut(inner, &mut |child| {
                if result.is_ok() {
                    result = walk_expr(child, scope, frame, ctes, refs);
                }
            });
            result
        }
        None => Ok(()),
    }
}

/// DML statements of routine bodies (INSERT / UPDATE / DELETE): their relation and expressions.
fn analyze_any(
    node: &mut Node,
    scope: &Scope,
    outer: &Frame,
    ctes: &Ctes,
    refs: &mut BTreeSet<ObjectRef>,
) -> Result<(), String> {
    let mut frame = Frame::child(outer);
    let relation = match node.node.as_ref() {
        Some(N::InsertStmt(s)) => s.relation.clone(),
        Some(N::UpdateStmt(s)) => s.relation.clone(),
        Some(N::DeleteStmt(s)) => s.relation.clone(),
        _ => None,
    };
    if let Some(rv) = relation {
        let mut item = Node { node: Some(N::RangeVar(rv)) };
        from_item(&mut item, scope, &mut frame, ctes, refs)?;
    }
    walk_expr(node, scope, &frame, ctes, refs)
}

/// The comparison form: see the module docs.
fn canonicalize(node: &mut Node) {
    rewrite(node, &mut |n| {
        match n.node.as_mut() {
            Some(N::ColumnRef(cr)) => {
                let star = matches!(cr.fields.last().and_then(|f| f.node.as_ref()), Some(N::AStar(_)));
                if !star && cr.fields.len() > 1 {
                    cr.fields.drain(..cr.fields.len() - 1);
                }
            }
            Some(N::RangeVar(rv)) => {
                if rv.alias.as_ref().is_some_and(|a| a.colnames.is_empty()) {
                    rv.alias = None;
                }
                rv.location = 0;
            }
            Some(N::SelectStmt(sel)) => ordinals(sel),
            _ => {}
        }
        expr::canonicalize_one(n);
    });
}

/// ORDER BY / GROUP BY items equal to an output column become its ordinal; an ORDER BY item
/// naming an output column by its name too.
fn ordinals(sel: &mut pb::SelectStmt) {
    let outputs: Vec<(String, String)> = sel
        .target_list
        .iter()
        .filter_map(|t| match t.node.as_ref() {
            Some(N::ResTarget(rt)) => {
                Some((rt.name.clone(), rt.val.as_deref().and_then(|v| expr::deparse_expr(v).ok()).unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    let ordinal_of = |n: &Node, by_name: bool| -> Option<usize> {
        let text = expr::deparse_expr(n).ok()?;
        let name = match n.node.as_ref() {
            Some(N::ColumnRef(cr)) if cr.fields.len() == 1 => names_of(&cr.fields).pop(),
            _ => None,
        };
        outputs
            .iter()
            .position(|(o_name, o_text)| *o_text == text || (by_name && name.as_deref() == Some(o_name.as_str())))
            .map(|i| i + 1)
    };
    let as_const = |i: usize| Node {
        node: Some(N::AConst(pb::AConst {
            isnull: false,
            location: 0,
            val: Some(Val::Sval(pb::String { sval: i.to_string() })),
        })),
    };
    for s in &mut sel.sort_clause {
        if let Some(N::SortBy(sb)) = s.node.as_mut() {
            if let Some(i) = sb.node.as_deref().and_then(|n| ordinal_of(n, true)) {
                sb.node = Some(Box::new(as_const(i)));
            }
        }
    }
    for g in &mut sel.group_clause {
        if let Some(i) = ordinal_of(g, false) {
            *g = as_const(i);
        }
    }
}
