//! Session statements (SET, `SELECT set_config(...)`), ownership and SET SCHEMA.

use super::{Interpreter, Session, R};
use crate::model::{ObjectRef, QualifiedName};
use crate::source::diagnostic::Severity;
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ObjectType, RoleSpecType, VariableSetKind};

/// Settings that only affect how a session runs, never the schema it builds.
const HARMLESS_SETTINGS: &[&str] = &[
    "client_encoding",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "check_function_bodies",
    "xmloption",
    "client_min_messages",
    "row_security",
    "default_tablespace",
    "default_table_access_method",
    "default_with_oids",
    "escape_string_warning",
    "synchronous_commit",
    "maintenance_work_mem",
    "work_mem",
    "timezone",
    "datestyle",
    "intervalstyle",
    "application_name",
    "transaction_timeout",
    "search_path",
    "standard_conforming_strings",
    "role",
    "session_authorization",
    "extra_float_digits",
    "bytea_output",
    "plpgsql.check_asserts",
    "jit",
    "lc_messages",
    "max_parallel_workers_per_gather",
];

/// `a, "B", c` → ["a", "B", "c"], as search_path parsing does.
fn split_search_path(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p.len() >= 2 && p.starts_with('"') && p.ends_with('"') {
                p[1..p.len() - 1].replace("\"\"", "\"")
            } else {
                p.to_lowercase()
            }
        })
        .collect()
}

impl Interpreter {
    pub(super) fn set_variable(&mut self, st: &pb::VariableSetStmt, s: &mut Session) -> R {
        let kind = VariableSetKind::try_from(st.kind).unwrap_or(VariableSetKind::Undefined);
        let values: Vec<String> = st.args.iter().filter_map(ast::text).collect();
        let reset =
            matches!(kind, VariableSetKind::VarSetDefault | VariableSetKind::VarReset | VariableSetKind::VarResetAll);
        if kind == VariableSetKind::VarResetAll {
            s.search_path = self.options.search_path.clone();
            s.standard_conforming_strings = true;
            return Ok(());
        }
        match st.name.as_str() {
            "search_path" => {
                s.search_path = if reset {
                    self.options.search_path.clone()
                } else {
                    values.iter().filter(|v| !v.is_empty()).cloned().collect()
                };
            }
            "standard_conforming_strings" => {
                s.standard_conforming_strings =
                    reset || matches!(values.first().map(|v| v.to_lowercase()).as_deref(), Some("on" | "true" | "1"));
            }
            "role" | "session_authorization" if !reset => {
                self.report(
                    Severity::Warning,
                    format!("SET {} is ignored: state ownership with ALTER ... OWNER TO", st.name),
                );
            }
            name if HARMLESS_SETTINGS.contains(&name) => {}
            name => self.report(Severity::Note, format!("setting {name} does not change the schema; ignored")),
        }
        Ok(())
    }

    /// Transaction blocks, as the server runs them: `ROLLBACK` undoes what the block did,
    /// `ROLLBACK TO SAVEPOINT` what followed the savepoint; `COMMIT` keeps it.
    pub(super) fn transaction(&mut self, st: &pb::TransactionStmt, s: &mut Session) -> R {
        use pb::TransactionStmtKind as K;
        match K::try_from(st.kind).unwrap_or(K::Undefined) {
            K::TransStmtBegin | K::TransStmtStart => {
                if s.transaction.is_empty() {
                    s.transaction.push((None, self.catalog.clone()));
                } else {
                    self.report(Severity::Warning, "there is already a transaction in progress");
                }
            }
            K::TransStmtCommit => s.transaction.clear(),
            K::TransStmtRollback => {
                let open = std::mem::take(&mut s.transaction);
                if let Some((_, at_begin)) = open.into_iter().next() {
                    self.catalog = at_begin;
                }
            }
            K::TransStmtSavepoint => {
                if s.transaction.is_empty() {
                    return Err("SAVEPOINT can only be used in transaction blocks".into());
                }
                s.transaction.push((Some(st.savepoint_name.clone()), self.catalog.clone()));
            }
            K::TransStmtRelease | K::TransStmtRollbackTo => {
                let found = s.transaction.iter().rposition(|(n, _)| n.as_deref() == Some(st.savepoint_name.as_str()));
                let Some(i) = found else {
                    return Err(format!("savepoint \"{}\" does not exist", st.savepoint_name).into());
                };
                if K::try_from(st.kind) == Ok(K::TransStmtRollbackTo) {
                    // The savepoint stays, as in the server.
                    self.catalog = s.transaction[i].1.clone();
                    s.transaction.truncate(i + 1);
                } else {
                    s.transaction.truncate(i);
                }
            }
            K::TransStmtPrepare | K::TransStmtCommitPrepared | K::TransStmtRollbackPrepared => {
                return Err(
                    "two-phase commit (PREPARE TRANSACTION, COMMIT PREPARED) is not supported in schema files".into()
                )
            }
            K::Undefined => {}
        }
        Ok(())
    }

    /// `SELECT pg_catalog.set_config('search_path', '...', false)` (pg_dump's way) sets the
    /// path; `SELECT ... INTO t` creates a table, as `CREATE TABLE t AS SELECT ...`; any other
    /// SELECT is data and ignored.
    pub(super) fn select(&mut self, st: &pb::SelectStmt, s: &mut Session) -> R {
        if let Some(into) = &st.into_clause {
            let mut query = st.clone();
            query.into_clause = None;
            let ctas = pb::CreateTableAsStmt {
                query: Some(Box::new(pb::Node { node: Some(N::SelectStmt(Box::new(query))) })),
                into: Some(into.clone()),
                objtype: pb::ObjectType::ObjectTable as i32,
                is_select_into: true,
                if_not_exists: false,
            };
            return self.create_table_as(&ctas, s);
        }
        if let [target] = st.target_list.as_slice() {
            if let Some(N::ResTarget(rt)) = target.node.as_ref() {
                if let Some(N::FuncCall(fc)) = rt.val.as_ref().and_then(|v| v.node.as_ref()) {
                    let name = ast::names(&fc.funcname);
                    let args: Vec<Option<String>> = fc.args.iter().map(ast::text).collect();
                    if name.last().map(String::as_str) == Some("set_config") && st.from_clause.is_empty() {
                        if let [Some(setting), Some(value), _] = args.as_slice() {
                            if setting == "search_path" {
                                s.search_path = split_search_path(value);
                                return Ok(());
                            }
                            if HARMLESS_SETTINGS.contains(&setting.as_str()) {
                                return Ok(());
                            }
                        }
                    }
                }
            }
        }
        self.report(Severity::Note, "SELECT: not part of the schema, ignored");
        Ok(())
    }

    /// The role a RoleSpec names; `None` (with a warning) for CURRENT_USER and the like, whose
    /// value depends on who runs the files.
    pub(crate) fn role_name(&mut self, r: &pb::RoleSpec) -> Option<String> {
        match RoleSpecType::try_from(r.roletype) {
            Ok(RoleSpecType::RolespecCstring) => Some(r.rolename.clone()),
            Ok(RoleSpecType::RolespecPublic) => Some("public".into()),
            _ => {
                self.report(
                    Severity::Warning,
                    "CURRENT_USER / SESSION_USER depend on who runs the files; ownership left as is",
                );
                None
            }
        }
    }

    pub(super) fn alter_owner(&mut self, st: &pb::AlterOwnerStmt, s: &mut Session) -> R {
        let owner = st.newowner.as_ref().and_then(|r| self.role_name(r));
        let object = st.object.as_deref();
        match ObjectType::try_from(st.object_type).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectSchema => {
                let name = object.and_then(ast::string).ok_or("missing schema name")?.to_string();
                let schema =
                    self.catalog.schemas.get_mut(&name).ok_or_else(|| format!("schema \"{name}\" does not exist"))?;
                schema.owner = owner;
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let qn = self.type_from_object(object, s)?;
                self.catalog.types.get_mut(&qn).expect("found above").owner = owner;
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectAggregate => {
                let Some(N::ObjectWithArgs(owa)) = object.and_then(|o| o.node.as_ref()) else {
                    return Err("invalid routine".into());
                };
                let kind = super::routine::RoutineKind::of(
                    ObjectType::try_from(st.object_type).unwrap_or(ObjectType::ObjectFunction),
                );
                let id = self.routine_from(owa, kind, s)?.ok_or("function does not exist")?;
                if let Some(f) = self.catalog.functions.get_mut(&id) {
                    f.owner = owner;
                } else if let Some(a) = self.catalog.aggregates.get_mut(&id) {
                    a.owner = owner;
                }
            }
            ObjectType::ObjectCollation => {
                let names = object.map(ast::list_names).unwrap_or_default();
                let (schema, name) = ast::qualified_parts(&names).ok_or("invalid collation name")?;
                let c = self
                    .scope(s)
                    .find_collation(schema.as_deref(), &name)
                    .ok_or_else(|| format!("collation \"{name}\" does not exist"))?;
                self.catalog.collations.get_mut(&c).expect("collation").owner = owner;
            }
            ObjectType::ObjectStatisticExt => {
                let names = object.map(ast::list_names).unwrap_or_default();
                let q = self
                    .find_statistics(&names, s)?
                    .ok_or_else(|| format!("statistics object \"{}\" does not exist", names.join(".")))?;
                self.catalog.statistics.get_mut(&q).expect("statistics").owner = owner;
            }
            ObjectType::ObjectTsdictionary => {
                let names = object.map(ast::list_names).unwrap_or_default();
                let q = self
                    .find_text_search_dictionary(&names, s)?
                    .ok_or_else(|| format!("text search dictionary \"{}\" does not exist", names.join(".")))?;
                self.catalog.text_search_dictionaries.get_mut(&q).expect("dictionary").owner = owner;
            }
            ObjectType::ObjectTsconfiguration => {
                let names = object.map(ast::list_names).unwrap_or_default();
                let q = self
                    .find_text_search_config(&names, s)?
                    .ok_or_else(|| format!("text search configuration \"{}\" does not exist", names.join(".")))?;
                self.catalog.text_search_configs.get_mut(&q).expect("config").owner = owner;
            }
            ObjectType::ObjectEventTrigger => {
                let name = object.and_then(ast::string).ok_or("missing name")?.to_string();
                self.catalog
                    .event_triggers
                    .get_mut(&name)
                    .ok_or_else(|| format!("event trigger \"{name}\" does not exist"))?
                    .owner = owner;
            }
            ObjectType::ObjectLanguage | ObjectType::ObjectDatabase | ObjectType::ObjectTablespace => {
                self.report(
                    Severity::Warning,
                    "ownership of languages, databases and tablespaces is not part of the schema; ignored",
                );
            }
            other => {
                return Err(format!("ALTER {} OWNER is not supported yet", object_type_name(other)).into());
            }
        }
        Ok(())
    }

    /// An existing user type named by a DROP / COMMENT / OWNER object node (a TypeName or a
    /// name list).
    pub(crate) fn type_from_object(&self, object: Option<&pb::Node>, s: &Session) -> R<QualifiedName> {
        let names = match object.and_then(|o| o.node.as_ref()) {
            Some(N::TypeName(tn)) => ast::names(&tn.names),
            Some(N::List(l)) => ast::names(&l.items),
            Some(N::String(st)) => vec![st.sval.clone()],
            _ => return Err("missing type name".into()),
        };
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid type name")?;
        if let Some(qn) = self.scope(s).find_type(schema.as_deref(), &name) {
            return Ok(qn);
        }
        self.multirange_refused(schema.as_deref(), &name, s)?;
        Err(format!("type \"{name}\" does not exist").into())
    }

    /// A multirange type is part of its range type: an error naming both when `name` is one.
    pub(crate) fn multirange_refused(&self, schema: Option<&str>, name: &str, s: &Session) -> R {
        let scope = self.scope(s);
        if let Some(range) =
            scope.find_type_or_multirange(schema, name).and_then(|m| self.catalog.range_of_multirange(&m))
        {
            return Err(format!(
                "\"{name}\" is the multirange type of range type {range}: alter or drop the range type (its \
                 multirange type's own comment, owner and grants are not modeled)"
            )
            .into());
        }
        Ok(())
    }

    /// The type an ALTER TYPE ... RENAME names, which may be a multirange type.
    pub(crate) fn type_or_multirange_from_object(&self, object: Option<&pb::Node>, s: &Session) -> R<QualifiedName> {
        let names = match object.and_then(|o| o.node.as_ref()) {
            Some(N::TypeName(tn)) => ast::names(&tn.names),
            Some(N::List(l)) => ast::names(&l.items),
            Some(N::String(st)) => vec![st.sval.clone()],
            _ => return Err("missing type name".into()),
        };
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid type name")?;
        self.scope(s)
            .find_type_or_multirange(schema.as_deref(), &name)
            .ok_or_else(|| format!("type \"{name}\" does not exist").into())
    }

    pub(super) fn alter_object_schema(&mut self, st: &pb::AlterObjectSchemaStmt, s: &mut Session) -> R {
        if !self.catalog.schemas.contains_key(&st.newschema) {
            return Err(format!("schema \"{}\" does not exist", st.newschema).into());
        }
        let (old, object) = match ObjectType::try_from(st.object_type).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectTable => {
                let rv = st.relation.as_ref().ok_or("missing table")?;
                let qn = self.find_table_rv(s, rv)?;
                (qn.clone(), ObjectRef::Table(qn))
            }
            ObjectType::ObjectSequence => {
                let rv = st.relation.as_ref().ok_or("missing sequence")?;
                let (schema, name) = ast::range_var_parts(rv);
                let qn = self
                    .scope(s)
                    .find_sequence(schema.as_deref(), &name)
                    .ok_or_else(|| format!("relation \"{name}\" does not exist"))?;
                (qn.clone(), ObjectRef::Sequence(qn))
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let qn = self.type_from_object(st.object.as_deref(), s)?;
                (qn.clone(), ObjectRef::Type(qn))
            }
            ObjectType::ObjectStatisticExt => {
                let names = st.object.as_deref().map(ast::list_names).unwrap_or_default();
                let qn = self
                    .find_statistics(&names, s)?
                    .ok_or_else(|| format!("statistics object \"{}\" does not exist", names.join(".")))?;
                (qn.clone(), ObjectRef::Statistics(qn))
            }
            ObjectType::ObjectTsconfiguration => {
                let names = st.object.as_deref().map(ast::list_names).unwrap_or_default();
                let qn = self
                    .find_text_search_config(&names, s)?
                    .ok_or_else(|| format!("text search configuration \"{}\" does not exist", names.join(".")))?;
                (qn.clone(), ObjectRef::TextSearchConfig(qn))
            }
            other => return Err(format!("ALTER {} SET SCHEMA is not supported yet", object_type_name(other)).into()),
        };
        let new = QualifiedName::new(st.newschema.clone(), old.name.clone());
        self.move_object(&object, &new, s)
    }
}

pub fn object_type_name(t: ObjectType) -> String {
    let debug = format!("{t:?}");
    debug.strip_prefix("Object").unwrap_or(&debug).to_uppercase()
}
