//! Triggers, event triggers and policies from their CREATE statements (or
//! `pg_get_triggerdef` text).

use super::BuildResult;
use crate::model::{
    ConstraintTrigger, EventTrigger, Policy, PolicyCommand, QualifiedName, RoutineId, Trigger, TriggerEnabled,
    TriggerEvent, TriggerTiming,
};
use crate::normalize::{self, ExprContext, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, RoleSpecType};

// Trigger type bits (pg_trigger.h).
const TRIGGER_TYPE_BEFORE: i32 = 1 << 1;
const TRIGGER_TYPE_INSERT: i32 = 1 << 2;
const TRIGGER_TYPE_DELETE: i32 = 1 << 3;
const TRIGGER_TYPE_UPDATE: i32 = 1 << 4;
const TRIGGER_TYPE_TRUNCATE: i32 = 1 << 5;
const TRIGGER_TYPE_INSTEAD: i32 = 1 << 6;

/// The trigger function a name designates: a catalog function without arguments.
fn trigger_function(names: &[String], scope: &Scope) -> BuildResult<RoutineId> {
    let (schema, name) = ast::qualified_parts(names).ok_or("invalid function name")?;
    if let Some(id) = scope.find_function(schema.as_deref(), &name, Some(0)) {
        return Ok(id);
    }
    // Not the catalog's own: a built-in (`tsvector_update_trigger`) or an extension's function.
    Ok(RoutineId { name: QualifiedName::new(schema.unwrap_or_else(|| "pg_catalog".into()), name), args: String::new() })
}

pub fn trigger(st: &pb::CreateTrigStmt, table: QualifiedName, scope: &Scope) -> BuildResult<Trigger> {
    let timing = if st.timing & TRIGGER_TYPE_INSTEAD != 0 {
        TriggerTiming::InsteadOf
    } else if st.timing & TRIGGER_TYPE_BEFORE != 0 {
        TriggerTiming::Before
    } else {
        TriggerTiming::After
    };
    let mut events = Vec::new();
    for (bit, e) in [
        (TRIGGER_TYPE_INSERT, TriggerEvent::Insert),
        (TRIGGER_TYPE_UPDATE, TriggerEvent::Update),
        (TRIGGER_TYPE_DELETE, TriggerEvent::Delete),
        (TRIGGER_TYPE_TRUNCATE, TriggerEvent::Truncate),
    ] {
        if st.events & bit != 0 {
            events.push(e);
        }
    }
    let when = match st.when_clause.as_deref() {
        Some(w) => Some(normalize::expr(w, &ExprContext { scope: *scope, table: Some(&table), target: None })?),
        None => None,
    };
    let (mut old_table, mut new_table) = (None, None);
    for t in &st.transition_rels {
        if let Some(N::TriggerTransition(tt)) = t.node.as_ref() {
            if tt.is_new {
                new_table = Some(tt.name.clone());
            } else {
                old_table = Some(tt.name.clone());
            }
        }
    }
    // The server's rules for transition tables.
    if old_table.is_some() || new_table.is_some() {
        if timing != TriggerTiming::After {
            return Err("transition tables can only be specified for AFTER triggers".into());
        }
        if events.len() > 1 {
            return Err("transition tables cannot be specified for triggers with more than one event".into());
        }
        if !st.columns.is_empty() {
            return Err("transition tables cannot be specified for triggers with column lists".into());
        }
        if old_table.is_some() && events == [TriggerEvent::Insert] {
            return Err("OLD TABLE can only be specified for a DELETE or UPDATE trigger".into());
        }
        if new_table.is_some() && events == [TriggerEvent::Delete] {
            return Err("NEW TABLE can only be specified for an INSERT or UPDATE trigger".into());
        }
    }
    let constraint = if st.isconstraint {
        let from = match st.constrrel.as_ref() {
            Some(rv) => {
                let (schema, name) = ast::range_var_parts(rv);
                Some(
                    scope
                        .find_table(schema.as_deref(), &name)
                        .ok_or_else(|| format!("relation \"{name}\" does not exist"))?,
                )
            }
            None => None,
        };
        Some(ConstraintTrigger { deferrable: st.deferrable, initially_deferred: st.initdeferred, from })
    } else {
        None
    };
    Ok(Trigger {
        table,
        name: st.trigname.clone(),
        timing,
        events,
        columns: ast::names(&st.columns),
        for_each_row: st.row,
        when,
        function: trigger_function(&ast::names(&st.funcname), scope)?,
        args: st.args.iter().filter_map(ast::text).collect(),
        constraint,
        old_table,
        new_table,
        enabled: TriggerEnabled::Origin,
        comment: None,
    })
}

/// A trigger from `pg_get_triggerdef` output.
pub fn trigger_from_def(def: &str, scope: &Scope) -> BuildResult<Trigger> {
    let tree = pg_query::parse(def, 0)
        .map_err(|e| format!("cannot parse `{def}`: {}", crate::source::parse::pg_error::describe(&e)))?
        .protobuf;
    let Some(N::CreateTrigStmt(st)) = tree.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref())
    else {
        return Err(format!("unexpected trigger definition: {def}"));
    };
    let rv = st.relation.as_ref().ok_or("trigger without table")?;
    let (schema, name) = ast::range_var_parts(rv);
    let table = QualifiedName::new(schema.unwrap_or_default(), name);
    trigger(st, table, scope)
}

pub fn enabled_from_char(c: &str) -> TriggerEnabled {
    match c {
        "D" => TriggerEnabled::Disabled,
        "R" => TriggerEnabled::Replica,
        "A" => TriggerEnabled::Always,
        _ => TriggerEnabled::Origin,
    }
}

pub fn event_trigger(st: &pb::CreateEventTrigStmt, scope: &Scope) -> BuildResult<EventTrigger> {
    let mut tags = Vec::new();
    for w in ast::def_elems(&st.whenclause) {
        if w.defname.eq_ignore_ascii_case("tag") {
            tags.extend(
                w.arg.as_deref().map(ast::list_names).unwrap_or_default().into_iter().map(|t| t.to_uppercase()),
            );
        } else {
            return Err(format!("event trigger filter {} is not supported", w.defname));
        }
    }
    tags.sort();
    Ok(EventTrigger {
        name: st.trigname.clone(),
        event: st.eventname.to_lowercase(),
        tags,
        function: trigger_function(&ast::names(&st.funcname), scope)?,
        enabled: TriggerEnabled::Origin,
        owner: None,
        comment: None,
    })
}

pub fn policy_command(word: &str) -> PolicyCommand {
    match word.to_ascii_lowercase().as_str() {
        "select" | "r" => PolicyCommand::Select,
        "insert" | "a" => PolicyCommand::Insert,
        "update" | "w" => PolicyCommand::Update,
        "delete" | "d" => PolicyCommand::Delete,
        _ => PolicyCommand::All,
    }
}

/// Role names of a policy (`public` for PUBLIC), sorted.
pub fn policy_roles(roles: &[pb::Node]) -> BuildResult<Vec<String>> {
    let mut out = Vec::new();
    for r in roles {
        let Some(N::RoleSpec(spec)) = r.node.as_ref() else { continue };
        match RoleSpecType::try_from(spec.roletype) {
            Ok(RoleSpecType::RolespecCstring) => out.push(spec.rolename.clone()),
            Ok(RoleSpecType::RolespecPublic) => out.push("public".into()),
            _ => {
                return Err(
                    "policies for CURRENT_USER / SESSION_USER depend on who runs the files; name the role".into()
                )
            }
        }
    }
    if out.is_empty() {
        out.push("public".into());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub fn policy(st: &pb::CreatePolicyStmt, table: QualifiedName, scope: &Scope) -> BuildResult<Policy> {
    let cx = ExprContext { scope: *scope, table: Some(&table), target: None };
    Ok(Policy {
        name: st.policy_name.clone(),
        permissive: st.permissive,
        command: policy_command(&st.cmd_name),
        roles: policy_roles(&st.roles)?,
        using: st.qual.as_deref().map(|q| normalize::expr(q, &cx)).transpose()?,
        with_check: st.with_check.as_deref().map(|q| normalize::expr(q, &cx)).transpose()?,
        comment: None,
        table,
    })
}
