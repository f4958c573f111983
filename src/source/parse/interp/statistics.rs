//! CREATE STATISTICS and ALTER STATISTICS ... SET STATISTICS.

use super::{err_at, Interpreter, Session, R};
use crate::source::parse::{ast, build, naming};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb};

impl Interpreter {
    pub(super) fn create_statistics(&mut self, st: &pb::CreateStatsStmt, s: &mut Session) -> R {
        let [rel] = st.relations.as_slice() else {
            return Err("only a single relation is allowed in CREATE STATISTICS".into());
        };
        let Some(N::RangeVar(rv)) = rel.node.as_ref() else {
            return Err("CREATE STATISTICS only supports relation names in the FROM clause".into());
        };
        if self.on_temporary(s, rv) {
            return Ok(());
        }
        let table_name = self.find_table_rv(s, rv)?;
        let names = ast::names(&st.defnames);
        let name = if names.is_empty() {
            // ChooseExtendedStatisticName: table, then columns (`expr` for expressions), `stat`.
            let parts: Vec<String> =
                build::statistics::element_names(st).into_iter().map(|n| n.unwrap_or_else(|| "expr".into())).collect();
            let addition = naming::name_addition(&parts);
            let schema = table_name.schema.clone();
            let mut pass = 0;
            loop {
                let label = if pass == 0 { "stat".to_string() } else { format!("stat{pass}") };
                let candidate = naming::make_object_name(&table_name.name, Some(&addition), Some(&label));
                let qn = crate::model::QualifiedName::new(schema.clone(), candidate);
                if !self.catalog.statistics.contains_key(&qn) {
                    break qn;
                }
                pass += 1;
            }
        } else {
            let (schema, n) = ast::qualified_parts(&names).ok_or("invalid statistics name")?;
            let schema = schema.unwrap_or_else(|| table_name.schema.clone());
            crate::model::QualifiedName::new(schema, n)
        };
        if !self.catalog.schemas.contains_key(&name.schema) {
            return Err(format!("schema \"{}\" does not exist", name.schema).into());
        }
        if self.catalog.statistics.contains_key(&name) {
            if st.if_not_exists {
                self.report(
                    crate::source::diagnostic::Severity::Note,
                    format!("statistics object \"{}\" already exists, skipping", name.name),
                );
                return Ok(());
            }
            return Err(format!("statistics object \"{}\" already exists", name.name).into());
        }
        let table = &self.catalog.tables[&table_name];
        let mut stats = build::statistics::statistics(st, name.clone(), table, &self.scope(s))
            .map_err(|e| err_at(e, rv.location))?;
        if !st.stxcomment.is_empty() {
            stats.comment = Some(st.stxcomment.clone());
        }
        self.catalog.statistics.insert(name, stats);
        Ok(())
    }

    pub(super) fn alter_statistics(&mut self, st: &pb::AlterStatsStmt, s: &mut Session) -> R {
        let names = ast::names(&st.defnames);
        let Some(name) = self.find_statistics(&names, s)? else {
            if st.missing_ok {
                return Ok(());
            }
            return Err(format!("statistics object \"{}\" does not exist", names.join(".")).into());
        };
        let target = match st.stxstattarget.as_deref() {
            None => None,
            Some(n) => match ast::int(n) {
                Some(-1) | None => None,
                Some(v) if (0..=10000).contains(&v) => Some(v as i32),
                Some(v) => return Err(format!("statistics target {v} is out of range (0 to 10000, or -1)").into()),
            },
        };
        self.catalog.statistics.get_mut(&name).expect("statistics").target = target;
        Ok(())
    }

    /// A statistics object named by a statement, along the search path when unqualified.
    pub(crate) fn find_statistics(&self, names: &[String], s: &Session) -> R<Option<crate::model::QualifiedName>> {
        let (schema, name) = ast::qualified_parts(names).ok_or("invalid statistics name")?;
        let scope = self.scope(s);
        Ok(match schema {
            Some(sch) => {
                let qn = crate::model::QualifiedName::new(sch, name);
                self.catalog.statistics.contains_key(&qn).then_some(qn)
            }
            None => scope
                .path()
                .map(|p| crate::model::QualifiedName::new(p, name.clone()))
                .find(|qn| self.catalog.statistics.contains_key(qn)),
        })
    }
}
