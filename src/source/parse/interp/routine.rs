//! CREATE / ALTER FUNCTION and PROCEDURE, CREATE AGGREGATE, and DO blocks.

use super::{Interpreter, Session, R};
use crate::model::{Function, ObjectRef, Parallel, QualifiedName, RoutineId, Volatility};
use crate::source::parse::{ast, build};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ObjectType};

/// Which routines a name may designate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RoutineKind {
    Function,
    Procedure,
    Aggregate,
    /// `ROUTINE`: a function or a procedure.
    Any,
}

impl RoutineKind {
    pub fn of(t: ObjectType) -> RoutineKind {
        match t {
            ObjectType::ObjectProcedure => RoutineKind::Procedure,
            ObjectType::ObjectAggregate => RoutineKind::Aggregate,
            ObjectType::ObjectRoutine => RoutineKind::Any,
            _ => RoutineKind::Function,
        }
    }
}

impl Interpreter {
    pub(super) fn create_function(&mut self, st: &pb::CreateFunctionStmt, s: &mut Session) -> R {
        let names = ast::names(&st.funcname);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid function name")?;
        let qn = self.creation_name(s, schema.as_deref(), &name, -1)?;
        let f = build::routine::function(st, qn, &self.scope(s))?;
        let id = f.id.clone();
        match self.catalog.functions.get(&id) {
            Some(old) if st.replace => {
                // CREATE OR REPLACE keeps owner, privileges and comment.
                let (owner, acl, comment) = (old.owner.clone(), old.acl.clone(), old.comment.clone());
                self.catalog.functions.insert(id, Function { owner, acl, comment, ..f });
            }
            Some(_) => return Err(format!("function {id} already exists with same argument types").into()),
            None => {
                self.catalog.functions.insert(id, f);
            }
        }
        Ok(())
    }

    /// The routine an `ObjectWithArgs` names (DROP, COMMENT, GRANT, ALTER ... OWNER, RENAME).
    pub(crate) fn routine_from(
        &self,
        owa: &pb::ObjectWithArgs,
        kind: RoutineKind,
        s: &Session,
    ) -> R<Option<RoutineId>> {
        let names = ast::names(&owa.objname);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid function name")?;
        let scope = self.scope(s);
        let schemas: Vec<String> = match &schema {
            Some(sc) => vec![sc.clone()],
            None => scope.path().map(str::to_string).collect(),
        };
        let candidates = |sc: &str| -> Vec<RoutineId> {
            let mut ids: Vec<RoutineId> = Vec::new();
            if kind != RoutineKind::Aggregate {
                ids.extend(
                    self.catalog
                        .functions
                        .values()
                        .filter(|f| f.id.name.schema == sc && f.id.name.name == name)
                        .filter(|f| match kind {
                            RoutineKind::Function => !f.procedure,
                            RoutineKind::Procedure => f.procedure,
                            _ => true,
                        })
                        .map(|f| f.id.clone()),
                );
            }
            if matches!(kind, RoutineKind::Aggregate | RoutineKind::Function | RoutineKind::Any) {
                ids.extend(
                    self.catalog.aggregates.keys().filter(|a| a.name.schema == sc && a.name.name == name).cloned(),
                );
            }
            ids
        };
        for sc in schemas {
            let ids = candidates(&sc);
            if ids.is_empty() {
                continue;
            }
            if owa.args_unspecified {
                return match ids.len() {
                    1 => Ok(ids.into_iter().next()),
                    _ => Err(format!("function name \"{name}\" is not unique; give its argument types").into()),
                };
            }
            // Argument types: from objfuncargs (modes known: OUT does not count) or objargs.
            let mut types = Vec::new();
            if !owa.objfuncargs.is_empty() {
                for p in &owa.objfuncargs {
                    let Some(N::FunctionParameter(fp)) = p.node.as_ref() else { continue };
                    if fp.mode == pb::FunctionParameterMode::FuncParamOut as i32 {
                        continue;
                    }
                    let tn = fp.arg_type.as_ref().ok_or("argument without type")?;
                    types.push(crate::normalize::type_ref(tn, &scope)?.to_string());
                }
            } else {
                for a in &owa.objargs {
                    if let Some(N::TypeName(tn)) = a.node.as_ref() {
                        types.push(crate::normalize::type_ref(tn, &scope)?.to_string());
                    }
                }
            }
            let id = RoutineId { name: QualifiedName::new(sc.clone(), name.clone()), args: types.join(", ") };
            if ids.contains(&id) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    pub(crate) fn routine_object(&self, id: &RoutineId) -> ObjectRef {
        if self.catalog.aggregates.contains_key(id) {
            ObjectRef::Aggregate(id.clone())
        } else {
            ObjectRef::Function(id.clone())
        }
    }

    pub(super) fn alter_function(&mut self, st: &pb::AlterFunctionStmt, s: &mut Session) -> R {
        let owa = st.func.as_ref().ok_or("missing function")?;
        let kind = RoutineKind::of(ObjectType::try_from(st.objtype).unwrap_or(ObjectType::ObjectFunction));
        let id = self.routine_from(owa, kind, s)?.ok_or("function does not exist")?;
        let support = ast::def_elems(&st.actions)
            .find(|d| d.defname == "support")
            .map(|d| {
                build::routine::support_function(d.arg.as_deref().ok_or("SUPPORT without a function")?, &self.scope(s))
            })
            .transpose()?;
        let f = self.catalog.functions.get_mut(&id).ok_or("aggregates cannot be altered this way")?;
        for d in ast::def_elems(&st.actions) {
            let arg = d.arg.as_deref();
            let flag = || arg.and_then(ast::text).is_none_or(|t| t == "true");
            match d.defname.as_str() {
                "volatility" => {
                    f.volatility = match arg.and_then(ast::text).as_deref() {
                        Some("immutable") => Volatility::Immutable,
                        Some("stable") => Volatility::Stable,
                        _ => Volatility::Volatile,
                    }
                }
                "strict" => f.strict = flag(),
                "security" => f.security_definer = flag(),
                "leakproof" => f.leakproof = flag(),
                "parallel" => {
                    f.parallel = match arg.and_then(ast::text).as_deref() {
                        Some("safe") => Parallel::Safe,
                        Some("restricted") => Parallel::Restricted,
                        _ => Parallel::Unsafe,
                    }
                }
                "cost" => f.cost = arg.and_then(ast::text).unwrap_or_default(),
                "rows" => f.rows = arg.and_then(ast::text).unwrap_or_default(),
                "set" => {
                    let Some(N::VariableSetStmt(vs)) = arg.and_then(|a| a.node.as_ref()) else { continue };
                    let reset = matches!(
                        pb::VariableSetKind::try_from(vs.kind),
                        Ok(pb::VariableSetKind::VarReset | pb::VariableSetKind::VarResetAll)
                    );
                    if vs.kind == pb::VariableSetKind::VarResetAll as i32 {
                        f.config.clear();
                        continue;
                    }
                    let name = vs.name.to_lowercase();
                    f.config.retain(|(k, _)| *k != name);
                    if !reset {
                        let values: Vec<String> = vs.args.iter().filter_map(ast::text).collect();
                        f.config.push((name, values.join(", ")));
                    }
                }
                "support" => f.support = support.clone(),
                other => return Err(format!("ALTER FUNCTION {other} is not supported").into()),
            }
        }
        Ok(())
    }

    pub(super) fn create_aggregate(&mut self, st: &pb::DefineStmt, s: &mut Session) -> R {
        let names = ast::names(&st.defnames);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid aggregate name")?;
        let qn = self.creation_name(s, schema.as_deref(), &name, -1)?;
        let a = build::routine::aggregate(st, qn, &self.scope(s))?;
        if self.catalog.aggregates.contains_key(&a.id) && !st.replace {
            return Err(format!("function {} already exists with same argument types", a.id).into());
        }
        self.catalog.aggregates.insert(a.id.clone(), a);
        Ok(())
    }
}
