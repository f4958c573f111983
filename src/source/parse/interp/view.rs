//! CREATE VIEW, CREATE MATERIALIZED VIEW, REFRESH MATERIALIZED VIEW, CREATE TABLE AS.

use super::{err_at, Interpreter, Session, R};
use crate::model::View;
use crate::source::diagnostic::Severity;
use crate::source::parse::{ast, build};
use pg_query::protobuf::{self as pb, ObjectType};

impl Interpreter {
    pub(super) fn create_view(&mut self, st: &pb::ViewStmt, s: &mut Session) -> R {
        let rv = st.view.as_ref().ok_or("missing view name")?;
        if rv.relpersistence == "t" {
            return Err(err_at("temporary views are not part of a schema", rv.location));
        }
        let name = self.create_name_from_rv(s, rv)?;
        let view = build::view::view(st, name.clone(), &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        self.put_view(view, st.replace, rv.location)
    }

    fn put_view(&mut self, view: View, replace: bool, location: i32) -> R {
        let name = view.name.clone();
        if let Some(old) = self.catalog.views.get(&name) {
            if !replace || old.materialized != view.materialized {
                return Err(err_at(format!("relation \"{}\" already exists", name.name), location));
            }
            // CREATE OR REPLACE keeps owner, privileges, comments; columns may only be added.
            let kept = old.columns.iter().zip(&view.columns).all(|(a, b)| a.name == b.name);
            if !kept || view.columns.len() < old.columns.len() {
                return Err(err_at("cannot drop or rename columns of a view with CREATE OR REPLACE", location));
            }
            let mut view = view;
            for (new, old) in view.columns.iter_mut().zip(&old.columns) {
                new.comment = old.comment.clone();
            }
            view.owner = old.owner.clone();
            view.acl = old.acl.clone();
            view.comment = old.comment.clone();
            self.catalog.views.insert(name, view);
            return Ok(());
        }
        if self.catalog.relation_name_taken(&name.schema, &name.name) {
            return Err(err_at(format!("relation \"{}\" already exists", name.name), location));
        }
        self.catalog.views.insert(name, view);
        Ok(())
    }

    /// `CREATE MATERIALIZED VIEW ... AS`, and `CREATE TABLE ... AS` / `SELECT INTO` (rejected:
    /// the table's column types come from the query, which tidemark does not type).
    pub(super) fn create_table_as(&mut self, st: &pb::CreateTableAsStmt, s: &mut Session) -> R {
        let into = st.into.as_ref().ok_or("missing name")?;
        let rv = into.rel.as_ref().ok_or("missing name")?;
        if ObjectType::try_from(st.objtype) != Ok(ObjectType::ObjectMatview) {
            return Err(err_at(
                "CREATE TABLE ... AS takes its column types from a query, which tidemark cannot type; write the table's columns with CREATE TABLE and fill it with INSERT ... SELECT",
                rv.location,
            ));
        }
        let name = self.create_name_from_rv(s, rv)?;
        if self.catalog.views.contains_key(&name) && st.if_not_exists {
            self.report(Severity::Note, format!("relation \"{}\" already exists, skipping", name.name));
            return Ok(());
        }
        let view = build::view::materialized_view(st, name, &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        self.put_view(view, false, rv.location)
    }

    pub(super) fn refresh_matview(&mut self, st: &pb::RefreshMatViewStmt, s: &mut Session) -> R {
        let rv = st.relation.as_ref().ok_or("missing name")?;
        let (schema, name) = ast::range_var_parts(rv);
        let qn = self
            .scope(s)
            .find_view(schema.as_deref(), &name)
            .ok_or_else(|| err_at(format!("relation \"{name}\" does not exist"), rv.location))?;
        // Refreshing is data, but it changes whether the view is populated.
        self.catalog.views.get_mut(&qn).expect("view").populated = !st.skip_data;
        Ok(())
    }
}
