//! The name Postgres gives an unnamed output column or index key (`FigureColname`):
//! `lower(x)` → `lower`, `x::text` → `x`, `a + 1` → none (`?column?` in a select list, `expr`
//! in an index name).

fn string(n: &pg_query::protobuf::Node) -> Option<&str> {
    match n.node.as_ref()? {
        pg_query::protobuf::node::Node::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// The name an expression contributes, when it has one.
pub fn figure_colname(node: &pg_query::protobuf::Node) -> Option<String> {
    figure(node).filter(|(_, strength)| *strength > 0).map(|(n, _)| n)
}

fn figure(node: &pg_query::protobuf::Node) -> Option<(String, u8)> {
    use pg_query::protobuf::node::Node as N;
    use pg_query::protobuf::{AExprKind, MinMaxOp, SqlValueFunctionOp as Op};
    let last_string = |list: &[pg_query::protobuf::Node]| list.iter().rev().find_map(|n| string(n).map(str::to_string));
    match node.node.as_ref()? {
        N::ColumnRef(c) => last_string(&c.fields).map(|n| (n, 2)),
        N::AIndirection(i) => match last_string(&i.indirection) {
            Some(n) => Some((n, 2)),
            None => figure(i.arg.as_deref()?),
        },
        N::FuncCall(f) => last_string(&f.funcname).map(|n| (n, 2)),
        N::AExpr(e) if e.kind == AExprKind::AexprNullif as i32 => Some(("nullif".into(), 2)),
        N::TypeCast(tc) => {
            let inner = tc.arg.as_deref().and_then(figure);
            match inner {
                Some((n, 2)) => Some((n, 2)),
                _ => tc.type_name.as_ref().and_then(|t| last_string(&t.names)).map(|n| (n, 1)).or(inner),
            }
        }
        N::CollateClause(c) => figure(c.arg.as_deref()?),
        N::GroupingFunc(_) => Some(("grouping".into(), 2)),
        N::CaseExpr(c) => match c.defresult.as_deref().and_then(figure) {
            Some((n, 2)) => Some((n, 2)),
            _ => Some(("case".into(), 1)),
        },
        N::AArrayExpr(_) => Some(("array".into(), 2)),
        N::RowExpr(_) => Some(("row".into(), 2)),
        N::CoalesceExpr(_) => Some(("coalesce".into(), 2)),
        N::MinMaxExpr(m) => Some((if m.op == MinMaxOp::IsGreatest as i32 { "greatest" } else { "least" }.into(), 2)),
        N::SqlvalueFunction(f) => {
            let name = match Op::try_from(f.op).ok()? {
                Op::SvfopCurrentDate => "current_date",
                Op::SvfopCurrentTime | Op::SvfopCurrentTimeN => "current_time",
                Op::SvfopCurrentTimestamp | Op::SvfopCurrentTimestampN => "current_timestamp",
                Op::SvfopLocaltime | Op::SvfopLocaltimeN => "localtime",
                Op::SvfopLocaltimestamp | Op::SvfopLocaltimestampN => "localtimestamp",
                Op::SvfopCurrentRole => "current_role",
                Op::SvfopCurrentUser => "current_user",
                Op::SvfopUser => "user",
                Op::SvfopSessionUser => "session_user",
                Op::SvfopCurrentCatalog => "current_catalog",
                Op::SvfopCurrentSchema => "current_schema",
                _ => return None,
            };
            Some((name.into(), 2))
        }
        _ => None,
    }
}
