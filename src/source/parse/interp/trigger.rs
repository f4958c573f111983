//! CREATE TRIGGER, CREATE EVENT TRIGGER, CREATE / ALTER POLICY, CREATE RULE.

use super::{err_at, Interpreter, Session, R};
use crate::model::{Member, QualifiedName};
use crate::source::parse::ast;
use crate::source::parse::build::trigger as tb;
use pg_query::protobuf as pb;

impl Interpreter {
    /// A table or view a trigger or policy can be on.
    fn trigger_target(&self, rv: &pb::RangeVar, s: &Session) -> R<QualifiedName> {
        let (schema, name) = ast::range_var_parts(rv);
        self.scope(s)
            .find_queryable(schema.as_deref(), &name)
            .ok_or_else(|| err_at(format!("relation \"{name}\" does not exist"), rv.location))
    }

    pub(super) fn create_trigger(&mut self, st: &pb::CreateTrigStmt, s: &mut Session) -> R {
        let rv = st.relation.as_ref().ok_or("missing table")?;
        let table = self.trigger_target(rv, s)?;
        let t = tb::trigger(st, table.clone(), &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        let key = Member::new(&table, st.trigname.clone());
        if let Some(old) = self.catalog.triggers.get(&key) {
            if !st.replace {
                return Err(err_at(
                    format!("trigger \"{}\" for relation \"{}\" already exists", st.trigname, table.name),
                    rv.location,
                ));
            }
            let (enabled, comment) = (old.enabled, old.comment.clone());
            self.catalog.triggers.insert(key, crate::model::Trigger { enabled, comment, ..t });
            return Ok(());
        }
        self.catalog.triggers.insert(key, t);
        Ok(())
    }

    pub(super) fn create_rule(&mut self, st: &pb::RuleStmt, s: &mut Session) -> R {
        let rv = st.relation.as_ref().ok_or("missing table")?;
        let table = self.trigger_target(rv, s)?;
        let r = crate::source::parse::build::rule::rule(st, table.clone(), &self.scope(s))
            .map_err(|e| err_at(e, rv.location))?;
        let key = Member::new(&table, st.rulename.clone());
        if let Some(old) = self.catalog.rules.get(&key) {
            if !st.replace {
                return Err(err_at(
                    format!("rule \"{}\" for relation \"{}\" already exists", st.rulename, table.name),
                    rv.location,
                ));
            }
            let comment = old.comment.clone();
            self.catalog.rules.insert(key, crate::model::Rule { comment, ..r });
            return Ok(());
        }
        self.catalog.rules.insert(key, r);
        Ok(())
    }

    pub(super) fn create_event_trigger(&mut self, st: &pb::CreateEventTrigStmt, s: &mut Session) -> R {
        if self.catalog.event_triggers.contains_key(&st.trigname) {
            return Err(format!("event trigger \"{}\" already exists", st.trigname).into());
        }
        let t = tb::event_trigger(st, &self.scope(s))?;
        self.catalog.event_triggers.insert(st.trigname.clone(), t);
        Ok(())
    }

    pub(super) fn alter_event_trigger(&mut self, st: &pb::AlterEventTrigStmt) -> R {
        let t = self
            .catalog
            .event_triggers
            .get_mut(&st.trigname)
            .ok_or_else(|| format!("event trigger \"{}\" does not exist", st.trigname))?;
        t.enabled = tb::enabled_from_char(&st.tgenabled);
        Ok(())
    }

    pub(super) fn create_policy(&mut self, st: &pb::CreatePolicyStmt, s: &mut Session) -> R {
        let rv = st.table.as_ref().ok_or("missing table")?;
        let table = self.find_table_rv(s, rv)?;
        let p = tb::policy(st, table.clone(), &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        let key = Member::new(&table, st.policy_name.clone());
        if self.catalog.policies.contains_key(&key) {
            return Err(err_at(
                format!("policy \"{}\" for table \"{}\" already exists", st.policy_name, table.name),
                rv.location,
            ));
        }
        self.catalog.policies.insert(key, p);
        Ok(())
    }

    pub(super) fn alter_policy(&mut self, st: &pb::AlterPolicyStmt, s: &mut Session) -> R {
        let rv = st.table.as_ref().ok_or("missing table")?;
        let table = self.find_table_rv(s, rv)?;
        let key = Member::new(&table, st.policy_name.clone());
        let roles = if st.roles.is_empty() { None } else { Some(tb::policy_roles(&st.roles)?) };
        let cx = crate::normalize::ExprContext { scope: self.scope(s), table: Some(&table), target: None };
        let using = st.qual.as_deref().map(|q| crate::normalize::expr(q, &cx)).transpose()?;
        let with_check = st.with_check.as_deref().map(|q| crate::normalize::expr(q, &cx)).transpose()?;
        let p = self.catalog.policies.get_mut(&key).ok_or_else(|| {
            err_at(format!("policy \"{}\" for table \"{}\" does not exist", st.policy_name, table.name), rv.location)
        })?;
        if let Some(r) = roles {
            p.roles = r;
        }
        if using.is_some() {
            p.using = using;
        }
        if with_check.is_some() {
            p.with_check = with_check;
        }
        Ok(())
    }
}
