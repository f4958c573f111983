//! `CREATE STATISTICS` → [`Statistics`], from the user's statement or from the catalog's
//! `pg_get_statisticsobjdef_columns` text put back into one.

use super::{first_stmt, parse_one, BuildResult};
use crate::model::{QualifiedName, Statistics, StatisticsKind, Table};
use crate::normalize::{self, ExprContext, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb};
use std::collections::BTreeSet;

/// The statement's columns (by name) and expressions, in its order: what a default name is
/// made of.
pub fn element_names(st: &pb::CreateStatsStmt) -> Vec<Option<String>> {
    st.exprs
        .iter()
        .filter_map(|e| match e.node.as_ref() {
            Some(N::StatsElem(s)) => Some(column_of(s)),
            _ => None,
        })
        .collect()
}

/// A plain column: `a` or `(a)`.
fn column_of(s: &pb::StatsElem) -> Option<String> {
    if !s.name.is_empty() {
        return Some(s.name.clone());
    }
    match s.expr.as_deref().and_then(|e| e.node.as_ref()) {
        Some(N::ColumnRef(cr)) if cr.fields.len() == 1 => cr.fields.first().and_then(ast::string).map(str::to_string),
        _ => None,
    }
}

pub fn statistics(
    st: &pb::CreateStatsStmt,
    name: QualifiedName,
    table: &Table,
    scope: &Scope,
) -> BuildResult<Statistics> {
    let mut columns = Vec::new();
    let mut exprs = Vec::new();
    for e in &st.exprs {
        let Some(N::StatsElem(s)) = e.node.as_ref() else { continue };
        match column_of(s) {
            Some(c) => {
                if table.column(&c).is_none() {
                    return Err(format!("column \"{c}\" does not exist"));
                }
                if columns.contains(&c) {
                    return Err("duplicate column name in statistics definition".into());
                }
                columns.push(c);
            }
            None => {
                let node = s.expr.as_deref().ok_or("statistics element without column or expression")?;
                let cx = ExprContext { scope: *scope, table: Some(&table.name), target: None };
                exprs.push(normalize::expr(node, &cx)?);
            }
        }
    }
    if columns.len() + exprs.len() < 2 && exprs.len() != 1 {
        return Err("extended statistics require at least 2 columns".into());
    }
    let order = |c: &String| table.columns.iter().position(|x| &x.name == c);
    columns.sort_by_key(order);
    let mut kinds = BTreeSet::new();
    for t in &st.stat_types {
        let word = ast::string(t).unwrap_or_default();
        kinds.insert(
            StatisticsKind::from_keyword(word).ok_or_else(|| format!("unrecognized statistics kind \"{word}\""))?,
        );
    }
    let single_expression = columns.is_empty() && exprs.len() == 1;
    if single_expression && !kinds.is_empty() {
        return Err("when building statistics on a single expression, statistics kinds may not be specified".into());
    }
    if kinds.is_empty() && !single_expression {
        kinds = StatisticsKind::ALL.into_iter().collect();
    }
    Ok(Statistics { name, table: table.name.clone(), kinds, columns, exprs, target: None, owner: None, comment: None })
}

/// The catalog's text: `columns` as `pg_get_statisticsobjdef_columns` prints them.
pub fn statistics_from_catalog(
    name: QualifiedName,
    table: &Table,
    columns: &str,
    kinds: &str,
    scope: &Scope,
) -> BuildResult<Statistics> {
    let sql = format!("CREATE STATISTICS x ON {columns} FROM {}", table.name);
    let tree = parse_one(&sql)?;
    let Some(N::CreateStatsStmt(st)) = first_stmt(&tree) else {
        return Err(format!("unexpected statistics text: {sql}"));
    };
    let mut s = statistics(st, name, table, scope)?;
    s.kinds = kinds.chars().filter_map(StatisticsKind::from_catalog_char).collect();
    Ok(s)
}
