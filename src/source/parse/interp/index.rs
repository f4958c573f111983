//! CREATE INDEX, with the server's name choice for unnamed indexes.

use super::{err_at, Interpreter, Session, R};
use crate::model::QualifiedName;
use crate::source::diagnostic::Severity;
use crate::source::parse::{build, naming};
use pg_query::protobuf as pb;
use pg_query::protobuf::node::Node as N;

impl Interpreter {
    pub(super) fn create_index(&mut self, st: &pb::IndexStmt, s: &mut Session) -> R {
        let rv = st.relation.as_ref().ok_or("missing table")?;
        if self.on_temporary(s, rv) {
            return Ok(());
        }
        let (schema, relname) = crate::source::parse::ast::range_var_parts(rv);
        let scope = self.scope(s);
        let table = scope
            .find_table(schema.as_deref(), &relname)
            .or_else(|| scope.find_view(schema.as_deref(), &relname).filter(|v| self.catalog.views[v].materialized))
            .ok_or_else(|| err_at(format!("relation \"{relname}\" does not exist"), rv.location))?;
        if !st.table_space.is_empty() {
            self.report(
                Severity::Warning,
                format!("tablespace \"{}\" is not modeled; the index is compared without it", st.table_space),
            );
        }
        let name = if st.idxname.is_empty() {
            let mut keys: Vec<Option<String>> = st
                .index_params
                .iter()
                .map(|p| match p.node.as_ref() {
                    Some(N::IndexElem(e)) if !e.name.is_empty() => Some(e.name.clone()),
                    Some(N::IndexElem(e)) => e.expr.as_deref().and_then(naming::figure_colname),
                    _ => None,
                })
                .collect();
            keys.extend(st.index_including_params.iter().map(|p| match p.node.as_ref() {
                Some(N::IndexElem(e)) => Some(e.name.clone()),
                _ => None,
            }));
            let cols = naming::index_column_names(&keys.iter().map(|k| k.as_deref()).collect::<Vec<_>>());
            naming::choose_relation_name(
                &self.catalog,
                &table.schema,
                &table.name,
                Some(&naming::name_addition(&cols)),
                "idx",
                false,
                &[],
            )
        } else {
            st.idxname.clone()
        };
        let qn = QualifiedName::new(table.schema.clone(), name);
        if self.catalog.relation_name_taken(&qn.schema, &qn.name) {
            if st.if_not_exists {
                self.report(Severity::Note, format!("relation \"{}\" already exists, skipping", qn.name));
                return Ok(());
            }
            return Err(err_at(format!("relation \"{}\" already exists", qn.name), rv.location));
        }
        let index = build::index(st, qn.clone(), &table, &self.scope(s)).map_err(|e| err_at(e, rv.location))?;
        let columns: Vec<String> = match self.catalog.tables.get(&table) {
            Some(t) => t.columns.iter().map(|c| c.name.clone()).collect(),
            None => self.catalog.views[&table].columns.iter().map(|c| c.name.clone()).collect(),
        };
        for k in &index.keys {
            if let crate::model::IndexTarget::Column(c) = &k.target {
                if !columns.contains(c) {
                    return Err(err_at(format!("column \"{c}\" does not exist"), rv.location));
                }
            }
        }
        self.catalog.indexes.insert(qn, index);
        Ok(())
    }
}
