//! Builders from pg_query nodes to model objects, shared by the interpreter (the user's SQL) and
//! by introspection (the catalog's SQL text: `format_type`, `pg_get_expr`,
//! `pg_get_constraintdef`, `pg_get_indexdef`). One builder per construct keeps the two sides on
//! one code path; naming of unnamed objects is the interpreter's business, not theirs.

pub mod cast;
pub mod range;
pub mod routine;
pub mod rule;
pub mod statistics;
pub mod text_search;
pub mod trigger;
pub mod view;

use super::ast;
use crate::model::{
    Constraint, ConstraintKind, ExcludeConstraint, Expr, FkAction, ForeignKey, Index, IndexKey, IndexStorage,
    IndexTarget, KeyConstraint, QualifiedName, Table, TypeRef,
};
use crate::normalize::{self, ExprContext, Scope};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ConstrType, Node, SortByDir, SortByNulls};
use std::collections::BTreeMap;

pub type BuildResult<T> = Result<T, String>;

fn parse_one(sql: &str) -> BuildResult<pb::ParseResult> {
    pg_query::parse(sql, 0)
        .map(|r| r.protobuf)
        .map_err(|e| format!("cannot parse `{sql}`: {}", crate::source::parse::pg_error::describe(&e)))
}

fn first_stmt(tree: &pb::ParseResult) -> Option<&N> {
    tree.stmts.first()?.stmt.as_ref()?.node.as_ref()
}

/// A type as `format_type` prints it (or as a user writes it), resolved in `scope`.
pub fn type_from_text(text: &str, scope: &Scope) -> BuildResult<TypeRef> {
    let tree = parse_one(&format!("SELECT NULL::{text}"))?;
    let tn = match first_stmt(&tree) {
        Some(N::SelectStmt(s)) => match s.target_list.first().and_then(|t| t.node.as_ref()) {
            Some(N::ResTarget(rt)) => match rt.val.as_ref().and_then(|v| v.node.as_ref()) {
                Some(N::TypeCast(tc)) => tc.type_name.clone(),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    normalize::type_ref(&tn.ok_or_else(|| format!("not a type: {text}"))?, scope)
}

/// An expression's text (`pg_get_expr` output) as an [`Expr`].
pub fn expr_from_text(text: &str, cx: &ExprContext) -> BuildResult<Expr> {
    let tree = parse_one(&format!("SELECT {text}"))?;
    match first_stmt(&tree) {
        Some(N::SelectStmt(s)) => match s.target_list.first().and_then(|t| t.node.as_ref()) {
            Some(N::ResTarget(rt)) => normalize::expr(rt.val.as_deref().ok_or("empty expression")?, cx),
            _ => Err(format!("not an expression: {text}")),
        },
        _ => Err(format!("not an expression: {text}")),
    }
}

/// A collation name as the model stores it: qualified, `None` for the default collation.
pub fn collation(names: &[String], scope: &Scope) -> BuildResult<Option<QualifiedName>> {
    let (schema, name) = ast::qualified_parts(names).ok_or("invalid collation name")?;
    if schema.is_none() && name == "default" {
        return Ok(None);
    }
    if let Some(qn) = scope.find_collation(schema.as_deref(), &name) {
        return Ok(Some(qn));
    }
    Ok(Some(QualifiedName::new(schema.unwrap_or_else(|| "pg_catalog".into()), name)))
}

/// The storage clause of an index-backed constraint (`WITH (...)`, `USING INDEX TABLESPACE`).
fn index_storage(options: &[Node], tablespace: &str) -> IndexStorage {
    IndexStorage {
        options: reloption_map(options),
        tablespace: (!tablespace.is_empty()).then(|| tablespace.to_string()),
        comment: None,
    }
}

pub fn reloption_map(options: &[Node]) -> BTreeMap<String, String> {
    ast::reloptions(options).into_iter().map(|(k, v)| (k, v.unwrap_or_else(|| "true".into()))).collect()
}

fn column_list(list: &[Node]) -> Vec<String> {
    list.iter().filter_map(|n| ast::string(n).map(str::to_string)).collect()
}

fn fk_action(c: &str) -> FkAction {
    match c {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// The referenced columns of a foreign key that omits them: the referenced primary key.
pub type PrimaryKeyOf<'a> = &'a dyn Fn(&QualifiedName) -> Option<Vec<String>>;

/// A table constraint from its AST. `name` is already chosen. Index-backed constraints that
/// Postgres makes from `USING INDEX` are the caller's.
pub fn constraint(
    c: &pb::Constraint,
    name: String,
    table: &Table,
    scope: &Scope,
    primary_key_of: PrimaryKeyOf,
) -> BuildResult<Constraint> {
    let kind = ConstrType::try_from(c.contype).map_err(|_| "unknown constraint type")?;
    if c.fk_with_period != c.pk_with_period && !c.pk_attrs.is_empty() {
        return Err(format!("constraint \"{name}\": PERIOD must be given for both column lists of a foreign key"));
    }
    let cx = ExprContext { scope: *scope, table: Some(&table.name), target: None };
    let kind = match kind {
        ConstrType::ConstrPrimary | ConstrType::ConstrUnique => {
            let key = KeyConstraint {
                columns: column_list(&c.keys),
                without_overlaps: c.without_overlaps,
                include: column_list(&c.including),
                nulls_not_distinct: c.nulls_not_distinct,
                index: index_storage(&c.options, &c.indexspace),
            };
            if kind == ConstrType::ConstrPrimary {
                ConstraintKind::PrimaryKey(key)
            } else {
                ConstraintKind::Unique(key)
            }
        }
        ConstrType::ConstrCheck => ConstraintKind::Check {
            expr: normalize::expr::expr_over(
                c.raw_expr.as_deref().ok_or("CHECK without expression")?,
                &cx,
                &table.columns.iter().map(|c| (c.name.clone(), Some(c.ty.clone()))).collect::<Vec<_>>(),
            )?,
            no_inherit: c.is_no_inherit,
        },
        ConstrType::ConstrForeign => {
            let rv = c.pktable.as_ref().ok_or("FOREIGN KEY without referenced table")?;
            let (schema, relname) = ast::range_var_parts(rv);
            // A table referencing itself while it is being created is not in the catalog yet.
            let is_self = relname == table.name.name && schema.as_ref().is_none_or(|s| *s == table.name.schema);
            let ref_table = scope
                .find_table(schema.as_deref(), &relname)
                .or_else(|| is_self.then(|| table.name.clone()))
                .ok_or_else(|| format!("relation \"{relname}\" does not exist"))?;
            let mut ref_columns = column_list(&c.pk_attrs);
            if ref_columns.is_empty() {
                ref_columns = primary_key_of(&ref_table)
                    .ok_or_else(|| format!("there is no primary key for referenced table \"{relname}\""))?;
            }
            ConstraintKind::ForeignKey(ForeignKey {
                columns: column_list(&c.fk_attrs),
                ref_table,
                ref_columns,
                match_full: c.fk_matchtype == "f",
                on_update: fk_action(&c.fk_upd_action),
                on_delete: fk_action(&c.fk_del_action),
                on_delete_columns: column_list(&c.fk_del_set_cols),
                period: c.fk_with_period,
            })
        }
        ConstrType::ConstrExclusion => {
            let mut elements = Vec::new();
            for pair in &c.exclusions {
                let items = match pair.node.as_ref() {
                    Some(N::List(l)) => &l.items,
                    _ => return Err("malformed EXCLUDE element".into()),
                };
                let elem = match items.first().and_then(|n| n.node.as_ref()) {
                    Some(N::IndexElem(e)) => e,
                    _ => return Err("malformed EXCLUDE element".into()),
                };
                let op = items.get(1).map(ast::list_names).unwrap_or_default();
                elements.push((index_key(elem, &table.name, scope)?, op.last().cloned().unwrap_or_default()));
            }
            ConstraintKind::Exclude(ExcludeConstraint {
                method: if c.access_method.is_empty() { "btree".into() } else { c.access_method.clone() },
                elements,
                include: column_list(&c.including),
                predicate: c.where_clause.as_deref().map(|w| normalize::expr(w, &cx)).transpose()?,
                index: index_storage(&c.options, &c.indexspace),
            })
        }
        ConstrType::ConstrNotnull => {
            return Err(format!(
                "constraint \"{name}\": NOT NULL as a table constraint (PostgreSQL 18) is not supported by tidemark \
                 yet: write NOT NULL on the column"
            ))
        }
        other => return Err(format!("{other:?} is not a table constraint")),
    };
    // Only CHECK and FOREIGN KEY can be NOT ENFORCED (the tree leaves the flag unset on keys).
    let enforced = c.is_enforced || !matches!(kind, ConstraintKind::Check { .. } | ConstraintKind::ForeignKey(_));
    Ok(Constraint {
        name,
        kind,
        deferrable: c.deferrable,
        initially_deferred: c.initdeferred,
        // NOT ENFORCED implies NOT VALID, as the server stores it.
        validated: !c.skip_validation && enforced,
        enforced,
        comment: None,
    })
}

/// A constraint from `pg_get_constraintdef` text.
pub fn constraint_from_def(table: &Table, name: &str, def: &str, scope: &Scope) -> BuildResult<Constraint> {
    let sql = format!("ALTER TABLE {} ADD CONSTRAINT {} {def}", table.name, crate::model::quote_ident(name));
    let tree = parse_one(&sql)?;
    let Some(N::AlterTableStmt(at)) = first_stmt(&tree) else {
        return Err(format!("unexpected constraint text: {def}"));
    };
    let Some(N::AlterTableCmd(cmd)) = at.cmds.first().and_then(|n| n.node.as_ref()) else {
        return Err(format!("unexpected constraint text: {def}"));
    };
    let Some(N::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
        return Err(format!("unexpected constraint text: {def}"));
    };
    constraint(c, name.to_string(), table, scope, &|_| None)
}

/// What an index or partition key names: a column, or an expression (`((a))` is the column
/// a). `None` when the element has neither.
fn key_target(
    name: &str,
    expr: Option<&pb::Node>,
    table: &QualifiedName,
    scope: &Scope,
) -> Option<BuildResult<IndexTarget>> {
    if !name.is_empty() {
        return Some(Ok(IndexTarget::Column(name.to_string())));
    }
    let node = expr?;
    Some(match node.node.as_ref() {
        Some(N::ColumnRef(cr)) if cr.fields.len() == 1 => {
            Ok(IndexTarget::Column(ast::string(&cr.fields[0]).unwrap_or_default().to_string()))
        }
        _ => normalize::expr(node, &ExprContext { scope: *scope, table: Some(table), target: None })
            .map(IndexTarget::Expr),
    })
}

/// One key of an index or exclusion constraint.
pub fn index_key(e: &pb::IndexElem, table: &QualifiedName, scope: &Scope) -> BuildResult<IndexKey> {
    let target =
        key_target(&e.name, e.expr.as_deref(), table, scope).ok_or("index element without column or expression")??;
    let descending = SortByDir::try_from(e.ordering) == Ok(SortByDir::SortbyDesc);
    let nulls_first = match SortByNulls::try_from(e.nulls_ordering) {
        Ok(SortByNulls::SortbyNullsFirst) => true,
        Ok(SortByNulls::SortbyNullsLast) => false,
        _ => descending,
    };
    let opclass = ast::names(&e.opclass).last().cloned();
    Ok(IndexKey {
        target,
        collation: if e.collation.is_empty() { None } else { collation(&ast::names(&e.collation), scope)? },
        opclass,
        opclass_options: reloption_map(&e.opclassopts),
        descending,
        nulls_first,
    })
}

/// An index from its CREATE INDEX statement; the name and table are resolved by the caller.
pub fn index(stmt: &pb::IndexStmt, name: QualifiedName, table: &QualifiedName, scope: &Scope) -> BuildResult<Index> {
    let keys = stmt
        .index_params
        .iter()
        .map(|p| match p.node.as_ref() {
            Some(N::IndexElem(e)) => index_key(e, table, scope),
            _ => Err("malformed index element".to_string()),
        })
        .collect::<BuildResult<Vec<_>>>()?;
    let include = stmt
        .index_including_params
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(N::IndexElem(e)) => Some(e.name.clone()),
            _ => None,
        })
        .collect();
    let cx = ExprContext { scope: *scope, table: Some(table), target: None };
    Ok(Index {
        name,
        table: table.clone(),
        unique: stmt.unique,
        method: if stmt.access_method.is_empty() { "btree".into() } else { stmt.access_method.clone() },
        keys,
        include,
        nulls_not_distinct: stmt.nulls_not_distinct,
        predicate: stmt.where_clause.as_deref().map(|w| normalize::expr(w, &cx)).transpose()?,
        options: reloption_map(&stmt.options),
        tablespace: (!stmt.table_space.is_empty()).then(|| stmt.table_space.clone()),
        comment: None,
        invalid: false,
    })
}

/// An index from `pg_get_indexdef` text.
pub fn index_from_def(def: &str, scope: &Scope) -> BuildResult<Index> {
    let tree = parse_one(def)?;
    let Some(N::IndexStmt(stmt)) = first_stmt(&tree) else {
        return Err(format!("unexpected index text: {def}"));
    };
    let rv = stmt.relation.as_ref().ok_or("index without table")?;
    let (schema, relname) = ast::range_var_parts(rv);
    let table = QualifiedName::new(schema.unwrap_or_default(), relname);
    let name = QualifiedName::new(table.schema.clone(), stmt.idxname.clone());
    index(stmt, name, &table, scope)
}

/// `PARTITION BY RANGE (a, lower(b))`.
pub fn partition_key(
    spec: &pb::PartitionSpec,
    table: &QualifiedName,
    scope: &Scope,
) -> BuildResult<crate::model::PartitionKey> {
    use crate::model::PartitionStrategy as S;
    let strategy = match pb::PartitionStrategy::try_from(spec.strategy) {
        Ok(pb::PartitionStrategy::Range) => S::Range,
        Ok(pb::PartitionStrategy::List) => S::List,
        Ok(pb::PartitionStrategy::Hash) => S::Hash,
        _ => return Err("unknown partitioning strategy".into()),
    };
    let mut keys = Vec::new();
    for p in &spec.part_params {
        let Some(N::PartitionElem(e)) = p.node.as_ref() else { continue };
        let target = key_target(&e.name, e.expr.as_deref(), table, scope)
            .ok_or("partition key without column or expression")??;
        keys.push(IndexKey {
            target,
            collation: if e.collation.is_empty() { None } else { collation(&ast::names(&e.collation), scope)? },
            opclass: ast::names(&e.opclass).last().cloned(),
            opclass_options: BTreeMap::new(),
            descending: false,
            nulls_first: false,
        });
    }
    Ok(crate::model::PartitionKey { strategy, keys })
}

/// A partition's `FOR VALUES ...` / `DEFAULT`, its values canonical for the key's types.
pub fn partition_bound(
    spec: &pb::PartitionBoundSpec,
    key_types: &[Option<TypeRef>],
    scope: &Scope,
) -> BuildResult<Expr> {
    if spec.is_default {
        return Ok(Expr { sql: "DEFAULT".into(), key: "DEFAULT".into(), refs: Default::default() });
    }
    let datum = |n: &Node, i: usize| -> BuildResult<Expr> {
        let value = match n.node.as_ref() {
            Some(N::PartitionRangeDatum(d)) => d.value.as_deref().ok_or("empty bound")?,
            _ => n,
        };
        let target = key_types.get(i).and_then(|t| t.as_ref());
        normalize::expr(value, &ExprContext { scope: *scope, table: None, target })
    };
    let list = |nodes: &[Node], per_key: bool| -> BuildResult<(String, String)> {
        let exprs = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| datum(n, if per_key { i } else { 0 }))
            .collect::<BuildResult<Vec<_>>>()?;
        Ok((
            exprs.iter().map(|e| e.sql.clone()).collect::<Vec<_>>().join(", "),
            exprs.iter().map(|e| e.key.clone()).collect::<Vec<_>>().join(", "),
        ))
    };
    let (sql, key) = match spec.strategy.as_str() {
        "r" => {
            let (ls, lk) = list(&spec.lowerdatums, true)?;
            let (us, uk) = list(&spec.upperdatums, true)?;
            (format!("FOR VALUES FROM ({ls}) TO ({us})"), format!("FROM ({lk}) TO ({uk})"))
        }
        "l" => {
            let (s, k) = list(&spec.listdatums, false)?;
            (format!("FOR VALUES IN ({s})"), format!("IN ({k})"))
        }
        "h" => {
            let s = format!("FOR VALUES WITH (MODULUS {}, REMAINDER {})", spec.modulus, spec.remainder);
            (s.clone(), s)
        }
        other => return Err(format!("unknown partition bound strategy {other}")),
    };
    Ok(Expr { sql, key, refs: Default::default() })
}

/// The parsed pieces of `CREATE TABLE x PARTITION OF p <bound> [PARTITION BY ...]` text that
/// the catalog prints (`pg_get_expr(relpartbound)`, `pg_get_partkeydef`).
pub fn partition_texts(
    bound: Option<&str>,
    key: Option<&str>,
) -> BuildResult<(Option<pb::PartitionBoundSpec>, Option<pb::PartitionSpec>)> {
    let mut sql = String::from("CREATE TABLE x ");
    if let Some(b) = bound {
        sql.push_str(&format!("PARTITION OF y {b} "));
    } else {
        sql.push_str("() ");
    }
    if let Some(k) = key {
        sql.push_str(&format!("PARTITION BY {k}"));
    }
    let tree = parse_one(&sql)?;
    let Some(N::CreateStmt(cs)) = first_stmt(&tree) else { return Err(format!("unexpected partition text: {sql}")) };
    Ok((cs.partbound.clone(), cs.partspec.clone()))
}
