//! Views and materialized views from their CREATE statements (or `pg_get_viewdef` text).

use super::{reloption_map, BuildResult};
use crate::model::{Derived, QualifiedName, View, ViewColumn};
use crate::normalize::{self, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, Node, ViewCheckOption};

fn build(
    name: QualifiedName,
    query: &Node,
    aliases: &[String],
    materialized: bool,
    options: std::collections::BTreeMap<String, String>,
    scope: &Scope,
) -> BuildResult<View> {
    let analyzed = normalize::query::query_named(query, scope, aliases).map_err(|e| {
        if e.starts_with("more column names") {
            "CREATE VIEW specifies more column names than columns".into()
        } else {
            e
        }
    })?;
    let columns: Vec<ViewColumn> = analyzed
        .columns
        .into_iter()
        .map(|(name, ty)| ViewColumn { name, ty: Derived(ty), comment: None, default: None, acl: None })
        .collect();
    Ok(View {
        name,
        materialized,
        columns,
        query: analyzed.query,
        options,
        populated: true,
        owner: None,
        comment: None,
        acl: None,
    })
}

pub fn view(st: &pb::ViewStmt, name: QualifiedName, scope: &Scope) -> BuildResult<View> {
    let mut options = reloption_map(&st.options);
    match ViewCheckOption::try_from(st.with_check_option) {
        Ok(ViewCheckOption::LocalCheckOption) => {
            options.insert("check_option".into(), "local".into());
        }
        Ok(ViewCheckOption::CascadedCheckOption) => {
            options.insert("check_option".into(), "cascaded".into());
        }
        _ => {}
    }
    let query = st.query.as_deref().ok_or("view without query")?;
    build(name, query, &ast::names(&st.aliases), false, options, scope)
}

/// `CREATE MATERIALIZED VIEW name [(cols)] [WITH (...)] AS query [WITH [NO] DATA]`.
pub fn materialized_view(st: &pb::CreateTableAsStmt, name: QualifiedName, scope: &Scope) -> BuildResult<View> {
    let into = st.into.as_ref().ok_or("materialized view without name")?;
    let query = st.query.as_deref().ok_or("materialized view without query")?;
    let mut v = build(name, query, &ast::names(&into.col_names), true, reloption_map(&into.options), scope)?;
    v.populated = !into.skip_data;
    Ok(v)
}

/// A view from `pg_get_viewdef` output.
pub fn view_from_def(name: QualifiedName, def: &str, materialized: bool, scope: &Scope) -> BuildResult<View> {
    let tree = pg_query::parse(def, 0)
        .map_err(|e| {
            format!("cannot parse the definition of {name}: {}", crate::source::parse::pg_error::describe(&e))
        })?
        .protobuf;
    let query =
        tree.stmts.first().and_then(|s| s.stmt.as_deref()).ok_or_else(|| format!("empty definition of {name}"))?;
    if !matches!(query.node, Some(N::SelectStmt(_))) {
        return Err(format!("unexpected definition of {name}"));
    }
    build(name, query, &[], materialized, Default::default(), scope)
}

/// The view again, normalized from its SQL (rewritten by `edit`) with the current catalog and
/// its current column names: after a rename of something it reads, or of one of its columns.
pub fn renormalize(view: &View, edit: &mut dyn FnMut(&mut Node), scope: &Scope) -> BuildResult<View> {
    let tree = pg_query::parse(&view.query.sql, 0).map_err(|e| crate::source::parse::pg_error::describe(&e))?.protobuf;
    let mut query = tree.stmts.first().and_then(|s| s.stmt.as_deref()).ok_or("empty view")?.clone();
    normalize::rewrite(&mut query, edit);
    let query = &query;
    let names: Vec<String> = view.columns.iter().map(|c| c.name.clone()).collect();
    let analyzed = normalize::query::query_named(query, scope, &names)?;
    let mut v = view.clone();
    v.query = analyzed.query;
    for (c, (_, ty)) in v.columns.iter_mut().zip(analyzed.columns) {
        c.ty = Derived(ty);
    }
    Ok(v)
}
