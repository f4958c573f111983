//! Canonical expressions. The same function turns the user's expression AST and the catalog's
//! (`pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`, reparsed) into an [`Expr`]:
//!
//! - `sql`: names resolved (types canonical, sequence literals schema-qualified), deparsed;
//! - `key`: additionally stripped of what Postgres adds or rewrites on the way into the catalog:
//!   casts on literals and columns (`(0)::numeric`, `(status)::text`), `IN (...)` rewritten to
//!   `= ANY (ARRAY[...])`, `BETWEEN` expanded, `LIKE` as `~~`, constants compared by text, and
//!   literals of a few types folded the way their output functions print them.
//!
//! What the key erases is deliberately narrow: a change that only swaps an explicit cast on a
//! literal is not seen. Everything else that differs is a real difference.

use super::types::type_ref;
use super::walk::{rewrite, visit};
use super::Scope;
use crate::model::{Expr, ObjectRef, QualifiedName, TypeBase, TypeRef};
use pg_query::protobuf::a_const::Val;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, AExprKind, BoolExprType, Node};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// What an expression is evaluated against.
#[derive(Clone, Copy)]
pub struct ExprContext<'a> {
    pub scope: Scope<'a>,
    /// The table whose columns bare column references name (defaults, CHECKs, indexes).
    pub table: Option<&'a QualifiedName>,
    /// The type the expression's value is coerced to (a column's or domain's type), which
    /// decides how Postgres stores a literal default.
    pub target: Option<&'a TypeRef>,
}

pub fn expr(node: &Node, cx: &ExprContext) -> Result<Expr, String> {
    let columns = cx.table.and_then(|t| cx.scope.columns_of(t)).unwrap_or_default();
    expr_over(node, cx, &columns)
}

/// [`expr`] over the given columns of `cx.table` (with their types), for a table the scope
/// does not hold yet or holds in another state: the one a CHECK is being added to.
pub fn expr_over(node: &Node, cx: &ExprContext, columns: &[(String, Option<TypeRef>)]) -> Result<Expr, String> {
    let mut has_subquery = false;
    // A stored expression has no parameters (the server: "there is no parameter $1"), and the
    // deparser would print one as `?`.
    let mut parameter = None;
    visit(node, &mut |n| {
        has_subquery |= matches!(n.node, Some(N::SubLink(_)));
        if let Some(N::ParamRef(p)) = &n.node {
            parameter.get_or_insert(p.number);
        }
    });
    if let Some(n) = parameter {
        return Err(format!("there is no parameter ${n}"));
    }
    if has_subquery {
        // Subqueries name relations and correlate columns: the query normalizer's work.
        return super::query::expression(node, cx);
    }
    let mut resolved = node.clone();
    let mut refs = BTreeSet::new();
    resolve(&mut resolved, cx, &mut refs)?;
    let sql = deparse_expr(&resolved)?;
    canonicalize(&mut resolved, cx.target);
    fold_beside_columns(&mut resolved, columns);
    let key = deparse_expr(&resolved)?;
    Ok(Expr { sql, key, refs })
}

/// An untyped literal beside a column of the expression's table takes the column's type, and
/// the catalog prints it in that type's form: `c > '2000-01-01'` on a timestamp column comes
/// back as `c > '2000-01-01 00:00:00'::timestamp without time zone`. (The query analyzer does
/// the same for views.)
fn fold_beside_columns(node: &mut Node, columns: &[(String, Option<TypeRef>)]) {
    if columns.is_empty() {
        return;
    }
    let column_type = |side: &Option<Box<Node>>| -> Option<TypeRef> {
        let Some(N::ColumnRef(cr)) = side.as_deref().and_then(|n| n.node.as_ref()) else {
            return None;
        };
        if cr.fields.len() > 2 {
            return None;
        }
        let Some(N::String(name)) = cr.fields.last().and_then(|f| f.node.as_ref()) else {
            return None;
        };
        columns.iter().find(|(c, _)| *c == name.sval).and_then(|(_, ty)| ty.clone())
    };
    rewrite(node, &mut |n| {
        let Some(N::AExpr(e)) = n.node.as_mut() else {
            return;
        };
        if e.kind != AExprKind::AexprOp as i32 {
            return;
        }
        let (lt, rt) = (column_type(&e.lexpr), column_type(&e.rexpr));
        for (side, ty) in [(&mut e.lexpr, rt), (&mut e.rexpr, lt)] {
            if let (Some(N::AConst(c)), Some(ty)) = (side.as_deref_mut().and_then(|n| n.node.as_mut()), ty) {
                if matches!(c.val, Some(Val::Sval(_))) {
                    fold_literal(c, &ty);
                    // The server prints a boolean constant as a keyword.
                    if let Some(Val::Sval(text)) = &c.val {
                        if matches!(&ty.base, TypeBase::Builtin(b) if b == "boolean") && !ty.array {
                            if let Ok(boolval) = text.sval.parse::<bool>() {
                                c.val = Some(Val::Boolval(pb::Boolean { boolval }));
                            }
                        }
                    }
                }
            }
        }
    });
}

/// Whether an expression is the NULL constant (possibly cast): Postgres stores no default then.
pub fn is_null_constant(e: &Expr) -> bool {
    e.key == "NULL"
}

fn resolve(node: &mut Node, cx: &ExprContext, refs: &mut BTreeSet<ObjectRef>) -> Result<(), String> {
    let mut error = None;
    rewrite(node, &mut |n| {
        if error.is_some() {
            return;
        }
        if let Err(e) = resolve_one(n, cx, refs) {
            error = Some(e);
        }
    });
    error.map_or(Ok(()), Err)
}

pub(crate) fn resolve_one(n: &mut Node, cx: &ExprContext, refs: &mut BTreeSet<ObjectRef>) -> Result<(), String> {
    match n.node.as_mut() {
        Some(N::TypeCast(tc)) => {
            let Some(tn) = tc.type_name.as_mut() else {
                return Ok(());
            };
            let ty = type_ref(tn, &cx.scope)?;
            if let Some(qn) = ty.user_type() {
                refs.insert(ObjectRef::Type(qn.clone()));
            }
            tn.names = canonical_type_names(&ty, tn);
            // A literal cast to a type is stored the way that type prints it.
            if let Some(N::AConst(c)) = tc.arg.as_mut().and_then(|a| a.node.as_mut()) {
                if tn.typmods.is_empty() {
                    fold_literal(c, &ty);
                }
            }
            // A literal cast to regclass names a relation: resolve it like Postgres would.
            if matches!(&ty.base, TypeBase::Builtin(b) if b == "regclass") && !ty.array {
                if let Some(arg) = tc.arg.as_mut() {
                    qualify_relation_literal(arg, cx, refs);
                }
            }
            if matches!(&ty.base, TypeBase::Builtin(b) if b == "regconfig") && !ty.array {
                if let Some(arg) = tc.arg.as_mut() {
                    qualify_config_literal(arg, cx, refs);
                }
            }
        }
        Some(N::FuncCall(fc)) => {
            let name = func_name(fc);
            if matches!(name.as_str(), "nextval" | "currval" | "setval") {
                if let Some(arg) = fc.args.first_mut() {
                    qualify_relation_literal(arg, cx, refs);
                }
            }
            if takes_config_first(&name, fc.args.len()) {
                if let Some(arg) = fc.args.first_mut() {
                    qualify_config_literal(arg, cx, refs);
                }
            }
            // A function of the catalog is named with its schema.
            let names: Vec<String> = fc
                .funcname
                .iter()
                .filter_map(|n| match n.node.as_ref() {
                    Some(N::String(s)) => Some(s.sval.clone()),
                    _ => None,
                })
                .collect();
            let (schema, fname) = match names.as_slice() {
                [f] => (None, f.as_str()),
                [s, f] => (Some(s.as_str()), f.as_str()),
                _ => return Ok(()),
            };
            if schema != Some("pg_catalog") {
                if let Some(id) = cx.scope.find_function(schema, fname, Some(fc.args.len())) {
                    fc.funcname = qualified_nodes(&id.name);
                    refs.insert(ObjectRef::Function(id));
                }
            }
        }
        Some(N::ColumnRef(cr)) => {
            if let Some((table, column)) = cx.table.zip(own_column(cr, cx.table)) {
                refs.insert(ObjectRef::Column(table.clone(), column.to_string()));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The `names` of a TypeName for the resolved type, keeping modifiers and array bounds.
fn canonical_type_names(ty: &TypeRef, original: &pb::TypeName) -> Vec<Node> {
    let s = |v: &str| Node { node: Some(N::String(pb::String { sval: v.to_string() })) };
    match &ty.base {
        TypeBase::Builtin(formatted) => {
            let internal = super::builtin_types::BUILTIN_TYPES
                .iter()
                .find(|(_, f, _)| f == formatted)
                .map_or(formatted.as_str(), |(i, _, _)| *i);
            vec![s("pg_catalog"), s(internal)]
        }
        TypeBase::User(qn) | TypeBase::Row(qn) => vec![s(&qn.schema), s(&qn.name)],
        TypeBase::External { .. } => original.names.clone(),
    }
}

fn func_name(fc: &pb::FuncCall) -> String {
    fc.funcname
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(N::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default()
        .to_string()
}

/// Whether a text search function called with `args` arguments takes a configuration
/// (`regconfig`) first: `to_tsvector('english', body)` but not `to_tsvector(body)`.
fn takes_config_first(name: &str, args: usize) -> bool {
    match name {
        "to_tsvector" | "to_tsquery" | "plainto_tsquery" | "phraseto_tsquery" | "websearch_to_tsquery" => args == 2,
        "json_to_tsvector" | "jsonb_to_tsvector" => args == 3,
        "ts_headline" => args == 4,
        _ => false,
    }
}

/// The string of `'text'` or `'text'::type`.
fn string_literal(arg: &mut Node) -> Option<&mut pb::String> {
    let konst = match arg.node.as_mut()? {
        N::AConst(c) => c,
        N::TypeCast(tc) => match tc.arg.as_mut()?.node.as_mut()? {
            N::AConst(c) => c,
            _ => return None,
        },
        _ => return None,
    };
    match konst.val.as_mut()? {
        Val::Sval(s) => Some(s),
        _ => None,
    }
}

/// `'mb_simple'` or `'mb_simple'::regconfig` → `'musicbrainz.mb_simple'` for a configuration
/// of the model, `'pg_catalog.english'` → `'english'` (as `regconfigout` prints them).
fn qualify_config_literal(arg: &mut Node, cx: &ExprContext, refs: &mut BTreeSet<ObjectRef>) {
    let Some(s) = string_literal(arg) else {
        return;
    };
    let Some((schema, name)) = split_relation_text(&s.sval) else {
        return;
    };
    if let Some(qn) = cx.scope.find_text_search_config(schema.as_deref(), &name) {
        s.sval = qn.to_string();
        refs.insert(ObjectRef::TextSearchConfig(qn));
    } else if schema.is_none() || schema.as_deref() == Some("pg_catalog") {
        // A built-in configuration, however it was quoted (`'"english"'` from a catalog
        // printed with quote_all_identifiers).
        s.sval = crate::model::quote_ident(&name);
    }
}

/// `'users_id_seq'` or `'users_id_seq'::regclass` → `'public.users_id_seq'`.
fn qualify_relation_literal(arg: &mut Node, cx: &ExprContext, refs: &mut BTreeSet<ObjectRef>) {
    let Some(s) = string_literal(arg) else {
        return;
    };
    let Some((schema, name)) = split_relation_text(&s.sval) else {
        return;
    };
    if let Some(qn) = cx.scope.find_sequence(schema.as_deref(), &name) {
        s.sval = qn.to_string();
        refs.insert(ObjectRef::Sequence(qn));
    } else if let Some(qn) = cx.scope.find_table(schema.as_deref(), &name) {
        s.sval = qn.to_string();
        refs.insert(ObjectRef::Table(qn));
    } else {
        // Not in the model: the same spelling whatever the quoting.
        let q = crate::model::quote_ident;
        s.sval = match &schema {
            Some(schema) => format!("{}.{}", q(schema), q(&name)),
            None => q(&name),
        };
    }
}

/// Split `schema.name` / `"Schema"."Name"` / `name` as regclass input does.
pub fn split_relation_text(text: &str) -> Option<(Option<String>, String)> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        let mut part = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next()? {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        part.push('"');
                    }
                    '"' => break,
                    c => part.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                part.push(c.to_ascii_lowercase());
                chars.next();
            }
        }
        parts.push(part);
        match chars.next() {
            Some('.') => continue,
            None => break,
            _ => return None,
        }
    }
    match parts.len() {
        1 => Some((None, parts.pop()?)),
        2 => {
            let name = parts.pop()?;
            Some((parts.pop(), name))
        }
        _ => None,
    }
}

/// Rewrite a resolved tree into its comparison form (see the module docs).
fn canonicalize(node: &mut Node, target: Option<&TypeRef>) {
    rewrite(node, &mut |n| canonicalize_one(n));
    // A literal coerced to the target type is stored the way that type prints it.
    if let (Some(t), Some(N::AConst(c))) = (target, node.node.as_mut()) {
        fold_literal(c, t);
    }
}

pub(crate) fn canonicalize_one(n: &mut Node) {
    let replacement = match n.node.as_mut() {
        Some(N::TypeCast(tc)) => {
            // Casts within the text family and within the numeric family are the ones the
            // server adds by itself (implicit coercions show in catalog text like explicit
            // ones); telling them apart would take the server's operator resolution.
            let implicit_family = tc.type_name.as_ref().is_some_and(|t| {
                t.array_bounds.is_empty()
                    && t.typmods.is_empty()
                    && matches!(
                        t.names.last().and_then(|n| n.node.as_ref()),
                        Some(N::String(s)) if matches!(
                            s.sval.as_str(),
                            "text" | "varchar" | "bpchar" | "name" | "int2" | "int4" | "int8" | "float4" | "float8" | "numeric"
                        )
                    )
            });
            let strip = implicit_family
                || matches!(
                    tc.arg.as_ref().and_then(|a| a.node.as_ref()),
                    Some(N::AConst(_) | N::ColumnRef(_) | N::AArrayExpr(_))
                );
            if strip {
                tc.arg.take().map(|b| *b)
            } else {
                // Casts that stay (on expressions) compare by type name alone, like functions.
                if let Some(t) = tc.type_name.as_mut() {
                    if t.names.len() > 1 {
                        t.names.drain(..t.names.len() - 1);
                    }
                    t.location = 0;
                }
                None
            }
        }
        Some(N::AConst(c)) => {
            match c.val.take() {
                Some(Val::Ival(i)) => c.val = Some(Val::Sval(pb::String { sval: i.ival.to_string() })),
                Some(Val::Fval(f)) => c.val = Some(Val::Sval(pb::String { sval: f.fval })),
                other => c.val = other,
            }
            c.location = 0;
            None
        }
        Some(N::AExpr(e)) => canonical_a_expr(e),
        Some(N::FuncCall(fc)) => {
            // Function names are compared without their schema: the catalog qualifies the ones
            // outside pg_catalog and the files may not (which function is meant is in `refs`).
            // `substring(x FROM 1)` and `"substring"(x, 1)` are one call.
            if fc.funcname.len() > 1 {
                fc.funcname.drain(..fc.funcname.len() - 1);
            }
            fc.funcformat = pb::CoercionForm::CoerceExplicitCall as i32;
            fc.location = 0;
            None
        }
        Some(N::RangeFunction(rf)) => {
            // `FROM f() x` and `FROM f() x(x)`: a scalar function's column takes the alias
            // name, and the catalog prints it.
            if let Some(a) = rf.alias.as_mut() {
                if let [only] = a.colnames.as_slice() {
                    if matches!(only.node.as_ref(), Some(N::String(s)) if s.sval == a.aliasname) {
                        a.colnames.clear();
                    }
                }
            }
            None
        }
        Some(N::CaseExpr(c)) => {
            // `CASE ... END` and `CASE ... ELSE NULL END` are the same; the catalog prints the
            // second.
            if matches!(c.defresult.as_deref().and_then(|d| d.node.as_ref()), Some(N::AConst(k)) if k.isnull) {
                c.defresult = None;
            }
            None
        }
        Some(N::BoolExpr(b)) => {
            // Flatten AND(AND(a, b), c) into AND(a, b, c), as the grammar does for source text.
            let op = b.boolop;
            if op != BoolExprType::NotExpr as i32 {
                let mut args = Vec::with_capacity(b.args.len());
                for a in b.args.drain(..) {
                    match a.node {
                        Some(N::BoolExpr(inner)) if inner.boolop == op => args.extend(inner.args),
                        other => args.push(Node { node: other }),
                    }
                }
                b.args = args;
            }
            None
        }
        _ => None,
    };
    if let Some(r) = replacement {
        *n = r;
    }
}

fn a_expr(kind: AExprKind, op: &str, l: Node, r: Node) -> Node {
    Node {
        node: Some(N::AExpr(Box::new(pb::AExpr {
            kind: kind as i32,
            name: vec![Node { node: Some(N::String(pb::String { sval: op.into() })) }],
            lexpr: Some(Box::new(l)),
            rexpr: Some(Box::new(r)),
            rexpr_list_start: 0,
            rexpr_list_end: 0,
            location: 0,
        }))),
    }
}

fn bool_expr(op: BoolExprType, args: Vec<Node>) -> Node {
    Node { node: Some(N::BoolExpr(Box::new(pb::BoolExpr { xpr: None, boolop: op as i32, args, location: 0 }))) }
}

fn op_name(e: &pb::AExpr) -> String {
    e.name
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(N::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default()
        .to_string()
}

fn canonical_a_expr(e: &mut pb::AExpr) -> Option<Node> {
    let kind = AExprKind::try_from(e.kind).ok()?;
    let op = op_name(e);
    match kind {
        AExprKind::AexprIn => {
            let list = match e.rexpr.as_ref()?.node.as_ref()? {
                N::List(l) => l.items.clone(),
                _ => return None,
            };
            let array = Node {
                node: Some(N::AArrayExpr(pb::AArrayExpr { elements: list, location: 0, list_start: 0, list_end: 0 })),
            };
            let (kind, op) = if op == "<>" { (AExprKind::AexprOpAll, "<>") } else { (AExprKind::AexprOpAny, "=") };
            Some(a_expr(kind, op, *e.lexpr.take()?, array))
        }
        AExprKind::AexprLike | AExprKind::AexprIlike => {
            e.kind = AExprKind::AexprOp as i32;
            None
        }
        AExprKind::AexprBetween | AExprKind::AexprNotBetween => {
            let bounds = match e.rexpr.as_ref()?.node.as_ref()? {
                N::List(l) if l.items.len() == 2 => l.items.clone(),
                _ => return None,
            };
            let l = *e.lexpr.take()?;
            let (lo, hi) = (bounds[0].clone(), bounds[1].clone());
            Some(if kind == AExprKind::AexprBetween {
                bool_expr(
                    BoolExprType::AndExpr,
                    vec![a_expr(AExprKind::AexprOp, ">=", l.clone(), lo), a_expr(AExprKind::AexprOp, "<=", l, hi)],
                )
            } else {
                bool_expr(
                    BoolExprType::OrExpr,
                    vec![a_expr(AExprKind::AexprOp, "<", l.clone(), lo), a_expr(AExprKind::AexprOp, ">", l, hi)],
                )
            })
        }
        _ => {
            e.location = 0;
            None
        }
    }
}

/// Fold a literal the way the target type's input and output functions would print it.
pub(crate) fn fold_literal(c: &mut pb::AConst, target: &TypeRef) {
    let TypeBase::Builtin(ty) = &target.base else {
        return;
    };
    if target.array {
        return;
    }
    let text = match c.val.as_ref() {
        Some(Val::Sval(s)) => s.sval.clone(),
        Some(Val::Boolval(b)) => b.boolval.to_string(),
        _ => return,
    };
    let folded = match ty.as_str() {
        "boolean" => match text.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "y" | "yes" | "on" | "1" => Some("true".to_string()),
            "f" | "false" | "n" | "no" | "off" | "0" => Some("false".to_string()),
            _ => None,
        },
        "jsonb" => serde_json::from_str::<serde_json::Value>(&text).ok().map(|v| jsonb_text(&v)),
        "smallint" | "integer" | "bigint" => text.trim().parse::<i64>().ok().map(|i| i.to_string()),
        "bytea" => Some(bytea_hex(&text)),
        other => super::datetime::fold(other, &text),
    };
    if let Some(f) = folded {
        c.val = Some(Val::Sval(pb::String { sval: f }));
    }
}

/// A bytea literal in hex output form (`''` → `\x`, `'abc'` → `\x616263`).
fn bytea_hex(text: &str) -> String {
    if let Some(hex) = text.strip_prefix("\\x") {
        return format!("\\x{}", hex.to_ascii_lowercase());
    }
    let mut out = String::from("\\x");
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // escape format: \\ is a backslash, \nnn an octal byte
        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] == b'\\' {
            out.push_str("5c");
            i += 2;
        } else if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 4]).unwrap_or("0"), 8).unwrap_or(0);
            out.push_str(&format!("{v:02x}"));
            i += 4;
        } else {
            out.push_str(&format!("{:02x}", bytes[i]));
            i += 1;
        }
    }
    out
}

/// jsonb's output: keys ordered by length then bytes, `", "` and `": "` separators.
fn jsonb_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort_by(|a, b| a.len().cmp(&b.len()).then(a.as_bytes().cmp(b.as_bytes())));
            let items: Vec<String> =
                keys.iter().map(|k| format!("{}: {}", Value::String((*k).clone()), jsonb_text(&m[*k]))).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(a) => format!("[{}]", a.iter().map(jsonb_text).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// `sql` as written where the grammar takes a `b_expr` (a column's or a domain's `DEFAULT`):
/// parenthesized unless it reads the same there. `DEFAULT 1 = 1 AND true` is a syntax error
/// (AND, OR, NOT, IS NULL, IN, BETWEEN ... are `a_expr` only), and `DEFAULT e ? 'k' COLLATE
/// "C"` gives the column a collation; the deparser drops the parentheses that prevented both.
pub fn as_b_expr(sql: &str) -> String {
    let node_of = |text: String, column: bool| -> Option<Node> {
        let parsed = pg_query::parse(&text, 0).ok()?.protobuf;
        match parsed.stmts.first()?.stmt.as_ref()?.node.as_ref()? {
            N::SelectStmt(select) if !column && select.target_list.len() == 1 => {
                match select.target_list[0].node.as_ref()? {
                    N::ResTarget(t) => t.val.as_deref().cloned(),
                    _ => None,
                }
            }
            N::CreateStmt(create) if column && create.table_elts.len() == 1 => {
                match create.table_elts[0].node.as_ref()? {
                    N::ColumnDef(c) if c.coll_clause.is_none() && c.constraints.len() == 1 => {
                        match c.constraints[0].node.as_ref()? {
                            N::Constraint(k) if k.contype == pb::ConstrType::ConstrDefault as i32 => {
                                k.raw_expr.as_deref().cloned()
                            }
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    };
    let alone = node_of(format!("SELECT {sql}"), false);
    let as_default = node_of(format!("CREATE TABLE x (c int DEFAULT {sql})"), true);
    let same = match (alone, as_default) {
        (Some(a), Some(d)) => deparse_expr(&a).ok().is_some_and(|a| deparse_expr(&d).ok() == Some(a)),
        _ => false,
    };
    if same {
        sql.to_string()
    } else {
        format!("({sql})")
    }
}

/// Deparse an expression node by wrapping it in `SELECT <expr>`.
pub fn deparse_expr(node: &Node) -> Result<String, String> {
    static TEMPLATE: OnceLock<pb::ParseResult> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| pg_query::parse("SELECT 1", 0).expect("SELECT 1 parses").protobuf);
    let mut tree = template.clone();
    let Some(N::SelectStmt(select)) = tree.stmts[0].stmt.as_mut().and_then(|s| s.node.as_mut()) else {
        return Err("internal: template is not a SELECT".into());
    };
    let Some(N::ResTarget(target)) = select.target_list[0].node.as_mut() else {
        return Err("internal: template has no target".into());
    };
    target.val = Some(Box::new(node.clone()));
    let text = pg_query::deparse(&tree, Default::default()).map_err(|e| format!("cannot print expression: {e}"))?;
    Ok(text.strip_prefix("SELECT ").unwrap_or(&text).to_string())
}

/// Every column name a tree references (bare column references only), in order of appearance.
pub fn referenced_columns(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    visit(node, &mut |n| {
        if let Some(N::ColumnRef(cr)) = n.node.as_ref() {
            if let [field] = cr.fields.as_slice() {
                if let Some(N::String(s)) = field.node.as_ref() {
                    if !out.contains(&s.sval) {
                        out.push(s.sval.clone());
                    }
                }
            }
        }
    });
    out
}

/// A change of name that expressions must follow (Postgres stores references by OID, so the
/// catalog prints the new name; the model stores names and rewrites them).
pub enum Rename<'a> {
    /// A table or sequence named in a `regclass` literal or `nextval('...')`.
    Relation { old: &'a QualifiedName, new: &'a QualifiedName },
    /// A user type named in a cast.
    Type { old: &'a QualifiedName, new: &'a QualifiedName },
    /// A column of a table: the expression's own (bare, or qualified by the table's name or a
    /// trigger's NEW / OLD), or one a subquery reads (qualified by its name or alias).
    Column { table: &'a QualifiedName, old: &'a str, new: &'a str },
    /// A function the expression calls.
    Function { old: &'a QualifiedName, new: &'a QualifiedName },
    /// An enum label (`ALTER TYPE ... RENAME VALUE`): constants of the type, cast to it or
    /// standing for a value of it (a column default).
    EnumLabel { ty: &'a QualifiedName, old: &'a str, new: &'a str },
}

fn t_is_array(t: Option<&crate::model::TypeRef>) -> bool {
    t.is_some_and(|t| t.array)
}

/// The column of the expression's own table a reference names: bare (`a`), qualified by the
/// table's name (`t.a`, `public.t.a`), or by a trigger's `NEW` / `OLD`.
fn own_column<'a>(cr: &'a pb::ColumnRef, table: Option<&QualifiedName>) -> Option<&'a str> {
    let table = table?;
    match string_fields(&cr.fields)?.as_slice() {
        [column] => Some(column),
        [q, column] if *q == table.name || *q == "new" || *q == "old" => Some(column),
        [s, q, column] if *s == table.schema && *q == table.name => Some(column),
        _ => None,
    }
}

/// The strings of a name list (`ColumnRef` fields, a function's or type's name); `None` when
/// one is not a string (`t.*`).
fn string_fields(list: &[Node]) -> Option<Vec<&str>> {
    list.iter()
        .map(|f| match f.node.as_ref() {
            Some(N::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect()
}

/// `schema.name` as a name list.
fn qualified_nodes(q: &QualifiedName) -> Vec<Node> {
    let s = |v: &str| Node { node: Some(N::String(pb::String { sval: v.to_string() })) };
    vec![s(&q.schema), s(&q.name)]
}

/// Whether a FROM item names the relation `q` (qualified, or bare as it resolves).
pub fn range_var_is(rv: &pb::RangeVar, q: &QualifiedName) -> bool {
    rv.relname == q.name && (rv.schemaname.is_empty() || rv.schemaname == q.schema)
}

/// Point a FROM item naming `old` at `new`.
pub fn rename_range_var(rv: &mut pb::RangeVar, old: &QualifiedName, new: &QualifiedName) {
    if range_var_is(rv, old) {
        rv.schemaname = new.schema.clone();
        rv.relname = new.name.clone();
    }
}

/// The expression with a rename applied, normalized again in `cx`.
pub fn renamed(e: &Expr, rename: &Rename, cx: &ExprContext) -> Result<Expr, String> {
    let tree = pg_query::parse(&format!("SELECT {}", e.sql), 0).map_err(|err| err.to_string())?.protobuf;
    let mut node = match tree.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref()) {
        Some(N::SelectStmt(s)) => match s.target_list.first().and_then(|t| t.node.as_ref()) {
            Some(N::ResTarget(rt)) => rt.val.as_deref().cloned().ok_or("empty expression")?,
            _ => return Err("not an expression".into()),
        },
        _ => return Err("not an expression".into()),
    };
    let string_const = |n: &mut Node, old: &str, new: &str| {
        if let Some(N::AConst(c)) = n.node.as_mut() {
            if let Some(Val::Sval(s)) = c.val.as_mut() {
                if s.sval == old {
                    s.sval = new.to_string();
                }
            }
        }
    };
    if let Rename::EnumLabel { ty, old, new } = rename {
        if cx.target.and_then(|t| t.user_type()) == Some(*ty) && !t_is_array(cx.target) {
            string_const(&mut node, old, new);
        }
    }
    // The names a subquery gives the renamed column's table (`FROM users u`: `u`).
    let mut aliases = BTreeSet::new();
    if let Rename::Column { table, .. } = rename {
        visit(&node, &mut |n| {
            if let Some(N::RangeVar(rv)) = n.node.as_ref() {
                if range_var_is(rv, table) {
                    aliases.insert(rv.alias.as_ref().map_or(rv.relname.clone(), |a| a.aliasname.clone()));
                }
            }
        });
    }
    rewrite(&mut node, &mut |n| match (n.node.as_mut(), rename) {
        (Some(N::TypeCast(tc)), Rename::EnumLabel { ty, old, new }) => {
            let names: Vec<String> = tc
                .type_name
                .as_ref()
                .map(|t| {
                    t.names
                        .iter()
                        .filter_map(|x| match x.node.as_ref() {
                            Some(N::String(s)) => Some(s.sval.clone()),
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default();
            let scalar = tc.type_name.as_ref().is_some_and(|t| t.array_bounds.is_empty());
            if scalar && names == [ty.schema.clone(), ty.name.clone()] {
                if let Some(arg) = tc.arg.as_deref_mut() {
                    string_const(arg, old, new);
                }
            }
        }
        (Some(N::RangeVar(rv)), Rename::Relation { old, new }) => rename_range_var(rv, old, new),
        (Some(N::AConst(c)), Rename::Relation { old, new }) => {
            if let Some(Val::Sval(s)) = c.val.as_mut() {
                if s.sval == old.to_string() {
                    s.sval = new.to_string();
                }
            }
        }
        (Some(N::TypeCast(tc)), Rename::Type { old, new }) => {
            if let Some(tn) = tc.type_name.as_mut() {
                if string_fields(&tn.names) == Some(vec![old.schema.as_str(), old.name.as_str()]) {
                    tn.names = qualified_nodes(new);
                }
            }
        }
        (Some(N::FuncCall(fc)), Rename::Function { old, new })
            if string_fields(&fc.funcname) == Some(vec![old.schema.as_str(), old.name.as_str()]) =>
        {
            fc.funcname = qualified_nodes(new);
        }
        (Some(N::ColumnRef(cr)), Rename::Column { table, old, new }) => {
            let column = match string_fields(&cr.fields).as_deref() {
                Some([q, column]) if aliases.contains(*q) => Some(*column),
                _ if cx.table == Some(*table) => own_column(cr, cx.table),
                _ => None,
            };
            if column == Some(*old) {
                if let Some(N::String(s)) = cr.fields.last_mut().and_then(|f| f.node.as_mut()) {
                    s.sval = new.to_string();
                }
            }
        }
        _ => {}
    });
    expr(&node, cx)
}

#[cfg(test)]
mod tests {
    use super::bytea_hex;

    #[test]
    fn bytea_literals_fold_to_hex() {
        assert_eq!(bytea_hex(""), "\\x");
        assert_eq!(bytea_hex("abc"), "\\x616263");
        assert_eq!(bytea_hex("\\xDEAD"), "\\xdead");
        assert_eq!(bytea_hex("a\\\\b\\001"), "\\x615c6201");
    }
}
