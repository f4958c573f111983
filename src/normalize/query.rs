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
use crate::model::{Expr, ObjectRef, QualifiedName, Query, TypeRef};
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
    analyze(node, scope, names, &Frame::root())
}

/// A statement of a routine's SQL-standard body: its parameters are visible by name (and by
/// the routine's name as qualifier, which is how the catalog prints them).
pub fn routine_query(
    node: &Node,
    function: &str,
    params: &[(String, Option<TypeRef>)],
    scope: &Scope,
) -> Result<Analyzed, String> {
    let mut frame = Frame::root();
    frame.rels.push(Rel { alias: function.to_string(), relation: None, columns: Some(params.to_vec()) });
    analyze(node, scope, &[], &frame)
}

/// A command of a rule on `table`: `new` and `old` are rows of the table. Their qualifiers
/// stay in the comparison form (`new.a` is not `old.a`).
pub fn rule_query(node: &Node, table: &QualifiedName, scope: &Scope) -> Result<Analyzed, String> {
    let frame = rule_frame(table, scope);
    analyze_with(node, scope, &[], &frame, true)
}

/// A rule's `WHERE` condition (it reads `new` and `old`, and may hold subqueries).
pub fn rule_condition(node: &Node, table: &QualifiedName, scope: &Scope) -> Result<Expr, String> {
    let mut refs = BTreeSet::new();
    let mut resolved = node.clone();
    qualify(&mut resolved, scope, &mut refs)?;
    let sql = expr::deparse_expr(&resolved)?;
    let frame = rule_frame(table, scope);
    let mut key_tree = resolved;
    walk_expr(&mut key_tree, scope, &frame, &BTreeMap::new(), &mut refs)?;
    keep_new_old(&mut key_tree);
    canonicalize(&mut key_tree);
    let key = expr::deparse_expr(&key_tree)?;
    Ok(Expr { sql, key, refs })
}

fn rule_frame(table: &QualifiedName, scope: &Scope) -> Frame<'static> {
    let mut frame = Frame::root();
    for alias in ["new", "old"] {
        frame.rels.push(Rel { alias: alias.into(), relation: Some(table.clone()), columns: scope.columns_of(table) });
    }
    frame
}

/// `new.a` becomes the one-part name `"new.a"`, so dropping qualifiers keeps it apart from
/// `old.a` and from a column `a` of a relation the command reads.
fn keep_new_old(node: &mut Node) {
    rewrite(node, &mut |n| {
        if let Some(N::ColumnRef(cr)) = n.node.as_mut() {
            let names = names_of(&cr.fields);
            if cr.fields.len() == 2 && names.len() == 2 && matches!(names[0].as_str(), "new" | "old") {
                cr.fields = vec![string_node(&format!("{}.{}", names[0], names[1]))];
            }
        }
    });
}

fn analyze(node: &Node, scope: &Scope, names: &[String], root: &Frame) -> Result<Analyzed, String> {
    analyze_with(node, scope, names, root, false)
}

fn analyze_with(node: &Node, scope: &Scope, names: &[String], root: &Frame, new_old: bool) -> Result<Analyzed, String> {
    let mut refs = BTreeSet::new();
    let mut resolved = node.clone();
    qualify(&mut resolved, scope, &mut refs)?;
    let sql = deparse(&resolved)?;
    let mut key_tree = resolved;
    let columns = match key_tree.node.as_mut() {
        Some(N::SelectStmt(sel)) => {
            let mut cols = analyze_select(sel, scope, root, &BTreeMap::new(), &mut refs)?;
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
            analyze_any(&mut key_tree, scope, root, &BTreeMap::new(), &mut refs)?;
            Vec::new()
        }
    };
    if new_old {
        keep_new_old(&mut key_tree);
    }
    canonicalize(&mut key_tree);
    let key = deparse(&key_tree)?;
    Ok(Analyzed { query: Query { sql, key, refs }, columns })
}

/// An expression holding subqueries (a policy's `USING (EXISTS (SELECT ...))`, a CHECK
/// calling a subquery-free function is the plain [`expr`] path): relations in its subqueries are
/// qualified, and its comparison form drops column qualifiers like a view's, with the
/// expression's table as the outermost level so correlated columns resolve.
pub fn expression(node: &Node, cx: &ExprContext) -> Result<Expr, String> {
    let scope = &cx.scope;
    let mut refs = BTreeSet::new();
    let mut resolved = node.clone();
    qualify(&mut resolved, scope, &mut refs)?;
    let sql = expr::deparse_expr(&resolved)?;
    let mut frame = Frame::root();
    if let Some(table) = cx.table {
        frame.rels.push(Rel {
            alias: table.name.clone(),
            relation: Some(table.clone()),
            columns: scope.columns_of(table),
        });
    }
    let mut key_tree = resolved;
    walk_expr(&mut key_tree, scope, &frame, &BTreeMap::new(), &mut refs)?;
    canonicalize(&mut key_tree);
    let key = expr::deparse_expr(&key_tree)?;
    Ok(Expr { sql, key, refs })
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
        let mut qualify_rv = |rv: &mut pb::RangeVar| {
            if rv.schemaname.is_empty() && ctes.contains(&rv.relname) {
                return;
            }
            let schema = (!rv.schemaname.is_empty()).then(|| rv.schemaname.clone());
            match scope.find_readable(schema.as_deref(), &rv.relname) {
                Some((qn, system)) => {
                    rv.schemaname = qn.schema.clone();
                    rv.catalogname.clear();
                    if !system {
                        refs.insert(relation_ref(scope, &qn));
                    }
                }
                None => error = Some(format!("relation \"{}\" does not exist", rv.relname)),
            }
        };
        // The target of a data-modifying command is not a child node of its statement.
        let target = match n.node.as_mut() {
            Some(N::InsertStmt(s)) => s.relation.as_mut(),
            Some(N::UpdateStmt(s)) => s.relation.as_mut(),
            Some(N::DeleteStmt(s)) => s.relation.as_mut(),
            _ => None,
        };
        if let Some(rv) = target {
            qualify_rv(rv);
        }
        if let Some(N::RangeVar(rv)) = n.node.as_mut() {
            qualify_rv(rv);
            return;
        }
        if error.is_some() {
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

    /// A relation visible by this alias, here or in an enclosing level.
    fn relation(&self, alias: &str) -> Option<&Rel> {
        self.rels.iter().find(|r| r.alias == alias).or_else(|| self.parent.and_then(|p| p.relation(alias)))
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
        let recursive = with.recursive;
        for c in &mut with.ctes {
            let Some(N::CommonTableExpr(cte)) = c.node.as_mut() else { continue };
            if recursive {
                // A recursive CTE's columns are those of its non-recursive term, which
                // the recursive term may already read.
                if let Some(N::SelectStmt(q)) = cte.ctequery.as_ref().and_then(|q| q.node.as_ref()) {
                    let mut seed = q.larg.as_deref().cloned().unwrap_or_else(|| (**q).clone());
                    let mut cols = analyze_select(&mut seed, scope, outer, &ctes, &mut BTreeSet::new())?;
                    for (c, n) in cols.iter_mut().zip(names_of(&cte.aliascolnames)) {
                        c.0 = n;
                    }
                    ctes.insert(cte.ctename.clone(), cols);
                }
            }
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
        let mut left = match sel.larg.as_mut() {
            Some(l) => analyze_select(l, scope, outer, &ctes, refs)?,
            None => Vec::new(),
        };
        if let Some(r) = sel.rarg.as_mut() {
            // A column the left arm leaves untyped (a NULL) takes the right arm's type.
            let right = analyze_select(r, scope, outer, &ctes, refs)?;
            // Only the left arm names the columns: the catalog's names for the others (`int4`
            // for a `NULL` it typed) mean nothing.
            for t in outermost_targets(r) {
                t.name.clear();
            }
            for (l, r) in left.iter_mut().zip(right) {
                if l.1.is_none() {
                    l.1 = r.1;
                }
            }
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
        // `(f(x)).*`: one column per field of the composite, `(f(x)).field AS field`.
        if let Some(fields) = composite_star(rt, scope, &frame) {
            let Some(N::AIndirection(ind)) = rt.val.as_deref().and_then(|v| v.node.as_ref()) else { unreachable!() };
            for (name, ty) in fields {
                let val = pb::AIndirection { arg: ind.arg.clone(), indirection: vec![string_node(&name)] };
                targets.push(Node {
                    node: Some(N::ResTarget(Box::new(pb::ResTarget {
                        name: name.clone(),
                        indirection: Vec::new(),
                        val: Some(Box::new(Node { node: Some(N::AIndirection(Box::new(val))) })),
                        location: 0,
                    }))),
                });
                columns.push((name, ty));
            }
            continue;
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

/// The fields of `(expr).*` when the expression's composite type is known.
fn composite_star(rt: &pb::ResTarget, scope: &Scope, frame: &Frame) -> Option<Vec<OutColumn>> {
    let Some(N::AIndirection(ind)) = rt.val.as_deref().and_then(|v| v.node.as_ref()) else { return None };
    if !matches!(ind.indirection.as_slice(), [only] if matches!(only.node.as_ref(), Some(N::AStar(_)))) {
        return None;
    }
    let ty = output_type(ind.arg.as_deref()?, scope, frame)?;
    if ty.array {
        return None;
    }
    match &ty.base {
        crate::model::TypeBase::Row(q) => scope.columns_of(q),
        crate::model::TypeBase::User(q) => match &scope.catalog.types.get(q)?.kind {
            crate::model::TypeKind::Composite { attributes } => {
                Some(attributes.iter().map(|a| (a.name.clone(), Some(a.ty.clone()))).collect())
            }
            _ => None,
        },
        _ => None,
    }
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

/// The type of an output column, when it can be told without the server's analysis:
/// columns, casts, literals, operators, common functions and aggregates, CASE, COALESCE.
fn output_type(v: &Node, scope: &Scope, frame: &Frame) -> Option<TypeRef> {
    let t = TypeRef::builtin;
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
            Val::Ival(_) => Some(t("integer")),
            Val::Fval(_) => Some(t("numeric")),
            Val::Boolval(_) => Some(t("boolean")),
            Val::Sval(_) => Some(t("text")),
            Val::Bsval(_) => Some(t("bit")),
        },
        N::AExpr(e) => {
            use pb::AExprKind as K;
            let op = names_of(&e.name).pop().unwrap_or_default();
            let kind = K::try_from(e.kind).ok()?;
            let side = |n: &Option<Box<Node>>| n.as_deref().and_then(|n| output_type(n, scope, frame));
            match kind {
                K::AexprOp
                    if matches!(
                        op.as_str(),
                        "=" | "<>"
                            | "<"
                            | ">"
                            | "<="
                            | ">="
                            | "~~"
                            | "!~~"
                            | "~~*"
                            | "!~~*"
                            | "~"
                            | "!~"
                            | "~*"
                            | "!~*"
                            | "@>"
                            | "<@"
                            | "&&"
                            | "?"
                            | "?|"
                            | "?&"
                    ) =>
                {
                    Some(t("boolean"))
                }
                K::AexprOp if op == "||" => side(&e.lexpr).filter(|l| l.array).or(Some(t("text"))),
                K::AexprOp if op == "->>" || op == "#>>" => Some(t("text")),
                K::AexprOp if op == "->" || op == "#>" => side(&e.lexpr),
                K::AexprOp => arithmetic(&op, side(&e.lexpr), side(&e.rexpr)),
                K::AexprNullif => side(&e.lexpr),
                _ => Some(t("boolean")),
            }
        }
        N::BoolExpr(_) | N::NullTest(_) | N::BooleanTest(_) => Some(t("boolean")),
        N::SubLink(sl)
            if sl.sub_link_type != pb::SubLinkType::ExprSublink as i32
                && sl.sub_link_type != pb::SubLinkType::ArraySublink as i32 =>
        {
            Some(t("boolean"))
        }
        N::CaseExpr(c) => c
            .args
            .iter()
            .filter_map(|w| match w.node.as_ref() {
                Some(N::CaseWhen(cw)) => cw.result.as_deref().and_then(|r| output_type(r, scope, frame)),
                _ => None,
            })
            .next()
            .or_else(|| c.defresult.as_deref().and_then(|d| output_type(d, scope, frame))),
        N::CoalesceExpr(c) => c.args.iter().find_map(|a| output_type(a, scope, frame)),
        N::MinMaxExpr(m) => m.args.iter().find_map(|a| output_type(a, scope, frame)),
        N::SqlvalueFunction(f) => {
            use pb::SqlValueFunctionOp as O;
            Some(t(match O::try_from(f.op).ok()? {
                O::SvfopCurrentDate => "date",
                O::SvfopCurrentTime | O::SvfopCurrentTimeN => "time with time zone",
                O::SvfopCurrentTimestamp | O::SvfopCurrentTimestampN => "timestamp with time zone",
                O::SvfopLocaltime | O::SvfopLocaltimeN => "time without time zone",
                O::SvfopLocaltimestamp | O::SvfopLocaltimestampN => "timestamp without time zone",
                _ => "name",
            }))
        }
        N::AArrayExpr(a) => a.elements.iter().find_map(|e| output_type(e, scope, frame)).map(|mut e| {
            e.array = true;
            e
        }),
        N::FuncCall(fc) => function_type(fc, scope, frame),
        _ => None,
    }
}

/// The result of `l op r` for arithmetic operators.
fn arithmetic(op: &str, l: Option<TypeRef>, r: Option<TypeRef>) -> Option<TypeRef> {
    let name = |t: &Option<TypeRef>| match t.as_ref().map(|t| &t.base) {
        Some(crate::model::TypeBase::Builtin(b)) if !t.as_ref().is_some_and(|t| t.array) => Some(b.clone()),
        _ => None,
    };
    let (ln, rn) = (name(&l), name(&r));
    let rank =
        |n: &str| ["smallint", "integer", "bigint", "numeric", "real", "double precision"].iter().position(|x| *x == n);
    match (ln.as_deref(), rn.as_deref()) {
        (Some(a), Some(b)) if a.starts_with("timestamp") && b.starts_with("timestamp") && op == "-" => {
            Some(TypeRef::builtin("interval"))
        }
        (Some("date"), Some("date")) if op == "-" => Some(TypeRef::builtin("integer")),
        (Some("date"), Some("interval")) => Some(TypeRef::builtin("timestamp without time zone")),
        (Some(a), Some(b)) => match (rank(a), rank(b)) {
            (Some(x), Some(y)) => Some(TypeRef::builtin(
                ["smallint", "integer", "bigint", "numeric", "real", "double precision"][x.max(y).max(1)],
            )),
            _ => l,
        },
        _ => l.or(r),
    }
}

/// The result type of common functions and aggregates, and of the catalog's own functions.
fn function_type(fc: &pb::FuncCall, scope: &Scope, frame: &Frame) -> Option<TypeRef> {
    let t = TypeRef::builtin;
    let names = names_of(&fc.funcname);
    let name = names.last()?.as_str();
    let arg = |i: usize| fc.args.get(i).and_then(|a| output_type(a, scope, frame));
    let is =
        |ty: &Option<TypeRef>, names: &[&str]| ty.as_ref().is_some_and(|ty| names.iter().any(|n| ty.is_builtin(n)));
    Some(match name {
        "count" | "row_number" | "rank" | "dense_rank" | "ntile" => t("bigint"),
        "sum" => {
            let a = arg(0);
            if is(&a, &["smallint", "integer"]) {
                t("bigint")
            } else if is(&a, &["bigint", "numeric"]) {
                t("numeric")
            } else {
                return a;
            }
        }
        "avg" => {
            let a = arg(0);
            if is(&a, &["real", "double precision"]) {
                t("double precision")
            } else if is(&a, &["interval"]) {
                t("interval")
            } else {
                t("numeric")
            }
        }
        "min" | "max" | "first_value" | "last_value" | "lag" | "lead" | "abs" => return arg(0),
        "date_trunc" => return arg(1),
        "bool_and" | "bool_or" | "every" | "isfinite" | "starts_with" => t("boolean"),
        "array_agg" => {
            let mut a = arg(0)?;
            a.array = true;
            a
        }
        "string_agg" | "lower" | "upper" | "concat" | "concat_ws" | "format" | "btrim" | "ltrim" | "rtrim" | "trim"
        | "replace" | "substring" | "substr" | "left" | "right" | "md5" | "repeat" | "initcap" | "translate"
        | "to_char" | "lpad" | "rpad" | "split_part" | "regexp_replace" | "quote_ident" | "quote_literal" => t("text"),
        "length" | "char_length" | "octet_length" | "num_nonnulls" | "num_nulls" | "position" | "strpos"
        | "array_length" | "cardinality" => t("integer"),
        "now" | "transaction_timestamp" | "statement_timestamp" | "clock_timestamp" | "to_timestamp" => {
            t("timestamp with time zone")
        }
        "extract" => t("numeric"),
        "date_part" | "random" => t("double precision"),
        "gen_random_uuid" | "uuid_generate_v4" => t("uuid"),
        "to_tsvector" => t("tsvector"),
        "to_tsquery" | "plainto_tsquery" | "websearch_to_tsquery" => t("tsquery"),
        "jsonb_build_object" | "jsonb_build_array" | "to_jsonb" | "jsonb_agg" | "jsonb_object_agg" | "jsonb_set"
        | "jsonb_strip_nulls" => t("jsonb"),
        "json_build_object" | "json_build_array" | "to_json" | "json_agg" | "json_object_agg" => t("json"),
        _ => {
            let (schema, fname) = match names.as_slice() {
                [f] => (None, f.as_str()),
                [s, f] => (Some(s.as_str()), f.as_str()),
                _ => return None,
            };
            let id = scope.find_function(schema, fname, Some(fc.args.len()))?;
            return match &scope.catalog.functions[&id].returns {
                Some(crate::model::Returns::Type { ty, setof: false }) => Some(ty.clone()),
                _ => None,
            };
        }
    })
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
                    let (qn, system) = scope
                        .find_readable(schema.as_deref(), &rv.relname)
                        .ok_or_else(|| format!("relation \"{}\" does not exist", rv.relname))?;
                    if !system {
                        refs.insert(relation_ref(scope, &qn));
                    }
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
        Some(N::AExpr(e)) if e.kind == pb::AExprKind::AexprOp as i32 => {
            // An untyped literal on one side of an operator takes the other side's type, and
            // the catalog prints it in that type's form (`'0 days'` → `'00:00:00'`).
            let other = |n: &Option<Box<Node>>| n.as_deref().and_then(|n| output_type(n, scope, frame));
            let (lt, rt) = (other(&e.lexpr), other(&e.rexpr));
            for (side, ty) in [(&mut e.lexpr, rt), (&mut e.rexpr, lt)] {
                if let (Some(N::AConst(c)), Some(ty)) = (side.as_deref_mut().and_then(|n| n.node.as_mut()), ty) {
                    if matches!(c.val, Some(Val::Sval(_))) {
                        super::expr::fold_literal(c, &ty);
                    }
                }
            }
            let mut result = Ok(());
            for side in [&mut e.lexpr, &mut e.rexpr].into_iter().flatten() {
                if result.is_ok() {
                    result = walk_expr(side, scope, frame, ctes, refs);
                }
            }
            result
        }
        Some(N::ColumnRef(cr)) => {
            let names = names_of(&cr.fields);
            // A relation's name alone is its whole row: the catalog prints `t.*`.
            if let ([rel], 1) = (names.as_slice(), cr.fields.len()) {
                // Only when the relation's columns are known (a function's may be named like it).
                if frame.lookup(None, rel).is_none() && frame.relation(rel).is_some_and(|r| r.columns.is_some()) {
                    cr.fields.push(Node { node: Some(N::AStar(pb::AStar {})) });
                    return Ok(());
                }
            }
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
    if let Some(N::InsertStmt(ins)) = node.node.as_mut() {
        insert_columns(ins, scope);
    }
    walk_expr(node, scope, &frame, ctes, refs)
}

/// `INSERT INTO t VALUES (...)` / `INSERT INTO t SELECT ...` names its target columns, as the
/// server prints it: the table's first columns, as many as the row has.
fn insert_columns(ins: &mut pb::InsertStmt, scope: &Scope) {
    if !ins.cols.is_empty() {
        return;
    }
    let Some(rv) = ins.relation.as_ref() else { return };
    let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
    let Some(columns) = scope.find_queryable(schema, &rv.relname).and_then(|qn| scope.columns_of(&qn)) else {
        return;
    };
    let width = match ins.select_stmt.as_deref().and_then(|n| n.node.as_ref()) {
        Some(N::SelectStmt(sel)) => match sel.values_lists.first().and_then(|v| v.node.as_ref()) {
            Some(N::List(l)) => l.items.len(),
            _ if sel.op == SetOperation::SetopNone as i32 && !sel.target_list.iter().any(has_star) => {
                sel.target_list.len()
            }
            _ => return,
        },
        _ => return,
    };
    if width > columns.len() {
        return;
    }
    ins.cols = columns[..width]
        .iter()
        .map(|(name, _)| Node {
            node: Some(N::ResTarget(Box::new(pb::ResTarget { name: name.clone(), ..Default::default() }))),
        })
        .collect();
}

fn has_star(n: &Node) -> bool {
    let mut star = false;
    super::visit(n, &mut |x| star |= matches!(x.node.as_ref(), Some(N::AStar(_))));
    star
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
