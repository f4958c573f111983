//! CREATE VIEW, CREATE MATERIALIZED VIEW, REFRESH MATERIALIZED VIEW, CREATE TABLE AS.

use super::{err_at, Interpreter, Session, R};
use crate::model::View;
use crate::source::diagnostic::Severity;
use crate::source::parse::{ast, build};
use pg_query::protobuf::{self as pb, ObjectType};

impl Interpreter {
    pub(super) fn create_view(&mut self, st: &pb::ViewStmt, s: &mut Session) -> R {
        let rv = st.view.as_ref().ok_or("missing view name")?;
        if self.temporary(s, rv, "view") {
            return Ok(());
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

    /// `CREATE MATERIALIZED VIEW ... AS`, and `CREATE TABLE ... AS` / `SELECT INTO`, whose
    /// columns take the query's names and types (inferred; a column whose type cannot be told
    /// is an error that names it).
    pub(super) fn create_table_as(&mut self, st: &pb::CreateTableAsStmt, s: &mut Session) -> R {
        let into = st.into.as_ref().ok_or("missing name")?;
        let rv = into.rel.as_ref().ok_or("missing name")?;
        if self.temporary(s, rv, "table") {
            return Ok(());
        }
        if ObjectType::try_from(st.objtype) != Ok(ObjectType::ObjectMatview) {
            return self.create_table_from_query(st, into, rv, s);
        }
        let name = self.create_name_from_rv(s, rv)?;
        if self.catalog.views.contains_key(&name) && st.if_not_exists {
            self.report(Severity::Note, format!("relation \"{}\" already exists, skipping", name.name));
            return Ok(());
        }
        let view = build::view::materialized_view(st, name, &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        self.put_view(view, false, rv.location)
    }

    fn create_table_from_query(
        &mut self,
        st: &pb::CreateTableAsStmt,
        into: &pb::IntoClause,
        rv: &pb::RangeVar,
        s: &mut Session,
    ) -> R {
        let name = self.create_name_from_rv(s, rv)?;
        if self.catalog.relation_name_taken(&name.schema, &name.name) {
            if st.if_not_exists {
                return Ok(());
            }
            return Err(err_at(format!("relation \"{}\" already exists", name.name), rv.location));
        }
        let query = st.query.as_deref().ok_or("CREATE TABLE AS without query")?;
        let analyzed = crate::normalize::query::query(query, &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        let names = ast::names(&into.col_names);
        let mut table = crate::model::Table::new(name);
        table.unlogged = rv.relpersistence == "u";
        table.options = build::reloption_map(&into.options);
        for (i, (col, ty)) in analyzed.columns.into_iter().enumerate() {
            let col = names.get(i).cloned().unwrap_or(col);
            let ty = ty.ok_or_else(|| {
                err_at(format!("cannot tell the type of column \"{col}\" of CREATE TABLE ... AS; add a cast (expression::type)"), rv.location)
            })?;
            table.columns.push(crate::model::Column::new(col, ty));
        }
        self.catalog.tables.insert(table.name.clone(), table);
        Ok(())
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
