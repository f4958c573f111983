//! Rules from their CREATE RULE statements (the user's, or `pg_get_ruledef` output).

use super::{first_stmt, parse_one, BuildResult};
use crate::model::{QualifiedName, Rule, RuleEvent};
use crate::normalize::{self, query, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, CmdType};

/// `CREATE RULE`, on `table` (resolved by the caller). `ON SELECT` rules are views.
pub fn rule(st: &pb::RuleStmt, table: QualifiedName, scope: &Scope) -> BuildResult<Rule> {
    let event = match CmdType::try_from(st.event) {
        Ok(CmdType::CmdInsert) => RuleEvent::Insert,
        Ok(CmdType::CmdUpdate) => RuleEvent::Update,
        Ok(CmdType::CmdDelete) => RuleEvent::Delete,
        Ok(CmdType::CmdSelect) => {
            return Err("an ON SELECT rule makes a view; write CREATE VIEW instead".into());
        }
        _ => return Err("unrecognized rule event".into()),
    };
    let condition = st.where_clause.as_deref().map(|w| query::rule_condition(w, &table, scope)).transpose()?;
    if condition.is_some()
        && st.actions.iter().any(|a| {
            !matches!(a.node.as_ref(), Some(N::SelectStmt(_) | N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_)))
        })
    {
        return Err("rules with WHERE conditions can only have SELECT, INSERT, UPDATE, or DELETE actions".into());
    }
    let mut actions = Vec::new();
    for a in &st.actions {
        actions.push(query::rule_query(a, &table, scope)?.query);
    }
    Ok(Rule { table, name: st.rulename.clone(), event, instead: st.instead, condition, actions, comment: None })
}

/// A rule from `pg_get_ruledef` text.
pub fn rule_from_def(def: &str, scope: &Scope) -> BuildResult<Rule> {
    let tree = parse_one(def)?;
    let Some(N::RuleStmt(st)) = first_stmt(&tree) else {
        return Err(format!("unexpected rule definition: {def}"));
    };
    let rv = st.relation.as_ref().ok_or("rule without table")?;
    let (schema, name) = ast::range_var_parts(rv);
    rule(st, QualifiedName::new(schema.unwrap_or_default(), name), scope)
}

/// Normalize a rule again after `edit` of its SQL (a renamed relation, column or function it
/// names); the target of a data-modifying command is edited too.
pub fn renormalize(r: &Rule, edit: &mut dyn FnMut(&mut pb::Node), scope: &Scope) -> BuildResult<Rule> {
    let mut out = r.clone();
    if let Some(c) = &r.condition {
        let tree = parse_one(&format!("SELECT {}", c.sql))?;
        let Some(N::SelectStmt(sel)) = first_stmt(&tree) else { return Err("unreadable rule condition".into()) };
        let Some(N::ResTarget(rt)) = sel.target_list.first().and_then(|t| t.node.as_ref()) else {
            return Err("unreadable rule condition".into());
        };
        let mut node = rt.val.as_deref().ok_or("empty rule condition")?.clone();
        normalize::rewrite(&mut node, edit);
        out.condition = Some(query::rule_condition(&node, &r.table, scope)?);
    }
    out.actions.clear();
    for a in &r.actions {
        let tree = parse_one(&a.sql)?;
        let mut node = first_stmt(&tree).map(|n| pb::Node { node: Some(n.clone()) }).ok_or("empty rule command")?;
        normalize::rewrite(&mut node, edit);
        let target = match node.node.as_mut() {
            Some(N::InsertStmt(s)) => s.relation.as_mut(),
            Some(N::UpdateStmt(s)) => s.relation.as_mut(),
            Some(N::DeleteStmt(s)) => s.relation.as_mut(),
            _ => None,
        };
        if let Some(rv) = target {
            let mut wrapped = pb::Node { node: Some(N::RangeVar(rv.clone())) };
            edit(&mut wrapped);
            if let Some(N::RangeVar(edited)) = wrapped.node {
                *rv = edited;
            }
        }
        out.actions.push(query::rule_query(&node, &r.table, scope)?.query);
    }
    Ok(out)
}
