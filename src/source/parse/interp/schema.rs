//! CREATE SCHEMA (with its schema elements), CREATE / ALTER EXTENSION.

use super::{Interpreter, Session, R};
use crate::model::{Extension, Schema};
use crate::source::diagnostic::Severity;
use crate::source::parse::ast;
use pg_query::protobuf as pb;

/// Extensions whose control file pins their schema (they ignore the search_path).
const PINNED_EXTENSION_SCHEMAS: &[(&str, &str)] =
    &[("plpgsql", "pg_catalog"), ("plperl", "pg_catalog"), ("pltcl", "pg_catalog"), ("plpython3u", "pg_catalog")];

impl Interpreter {
    pub(super) fn create_schema(&mut self, st: &pb::CreateSchemaStmt, s: &mut Session) -> R {
        let owner = st.authrole.as_ref().and_then(|r| self.role_name(r));
        let name = if st.schemaname.is_empty() {
            owner.clone().ok_or("CREATE SCHEMA needs a name")?
        } else {
            st.schemaname.clone()
        };
        if self.catalog.schemas.contains_key(&name) {
            if st.if_not_exists {
                self.report(Severity::Note, format!("schema \"{name}\" already exists, skipping"));
                return Ok(());
            }
            return Err(format!("schema \"{name}\" already exists").into());
        }
        self.catalog.schemas.insert(name.clone(), Schema { name: name.clone(), owner, comment: None, acl: None });
        // Schema elements are created in the new schema.
        let mut inner = s.clone();
        inner.search_path = vec![name];
        for elt in &st.schema_elts {
            if let Some(node) = elt.node.as_ref() {
                self.apply(node, &mut inner)?;
            }
        }
        Ok(())
    }

    pub(super) fn create_extension(&mut self, st: &pb::CreateExtensionStmt, s: &mut Session) -> R {
        if self.catalog.extensions.contains_key(&st.extname) {
            if st.if_not_exists {
                return Ok(());
            }
            return Err(format!("extension \"{}\" already exists", st.extname).into());
        }
        let mut schema = None;
        let mut version = None;
        let mut cascade = false;
        for d in ast::def_elems(&st.options) {
            match d.defname.as_str() {
                "schema" => schema = d.arg.as_deref().and_then(ast::text),
                "new_version" => version = d.arg.as_deref().and_then(ast::text),
                "cascade" => cascade = true,
                _ => {}
            }
        }
        let required = crate::model::KNOWN_EXTENSION_REQUIRES.iter().filter(|(e, _)| *e == st.extname);
        for (_, needed) in required {
            if self.catalog.extensions.contains_key(*needed) {
                continue;
            }
            if !cascade {
                return Err(format!(
                    "required extension \"{needed}\" is not installed (create it first, or use CREATE EXTENSION ... CASCADE)"
                )
                .into());
            }
            let mut options = Vec::new();
            if let Some(sc) = &schema {
                options.push(pg_query::protobuf::Node {
                    node: Some(pg_query::protobuf::node::Node::DefElem(Box::new(pb::DefElem {
                        defname: "schema".into(),
                        arg: Some(Box::new(pg_query::protobuf::Node {
                            node: Some(pg_query::protobuf::node::Node::String(pb::String { sval: sc.clone() })),
                        })),
                        ..Default::default()
                    }))),
                });
            }
            let dependency = pb::CreateExtensionStmt { extname: needed.to_string(), if_not_exists: true, options };
            self.create_extension(&dependency, s)?;
        }
        let pinned = PINNED_EXTENSION_SCHEMAS.iter().find(|(e, _)| *e == st.extname).map(|(_, s)| s.to_string());
        let schema = match pinned.or(schema) {
            Some(sc) => {
                if sc != "pg_catalog" && !self.catalog.schemas.contains_key(&sc) {
                    return Err(format!("schema \"{sc}\" does not exist").into());
                }
                sc
            }
            None => self.scope(s).creation_schema().ok_or("no schema has been selected to create in")?.to_string(),
        };
        self.catalog
            .extensions
            .insert(st.extname.clone(), Extension { name: st.extname.clone(), schema, version, comment: None });
        Ok(())
    }

    pub(super) fn alter_extension(&mut self, st: &pb::AlterExtensionStmt) -> R {
        let ext = self
            .catalog
            .extensions
            .get_mut(&st.extname)
            .ok_or_else(|| format!("extension \"{}\" does not exist", st.extname))?;
        for d in ast::def_elems(&st.options) {
            if d.defname == "new_version" {
                ext.version = d.arg.as_deref().and_then(ast::text);
            }
        }
        Ok(())
    }
}
