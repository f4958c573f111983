//! Casts from their CREATE CAST statements: the user's, or the one introspection writes from
//! `pg_cast` (types by `format_type`, the function by its identity arguments).

use super::{first_stmt, parse_one, BuildResult};
use crate::model::{Cast, CastContext, CastMethod, QualifiedName, RoutineId};
use crate::normalize::{self, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, CoercionContext};

pub fn cast(st: &pb::CreateCastStmt, scope: &Scope) -> BuildResult<Cast> {
    let source = normalize::type_ref(st.sourcetype.as_ref().ok_or("cast without source type")?, scope)?;
    let target = normalize::type_ref(st.targettype.as_ref().ok_or("cast without target type")?, scope)?;
    let method = match (&st.func, st.inout) {
        (Some(owa), _) => CastMethod::Function(cast_function(owa, scope)?),
        (None, true) => CastMethod::InOut,
        (None, false) => CastMethod::Binary,
    };
    let context = match CoercionContext::try_from(st.context) {
        Ok(CoercionContext::CoercionImplicit) => CastContext::Implicit,
        Ok(CoercionContext::CoercionAssignment) => CastContext::Assignment,
        _ => CastContext::Explicit,
    };
    Ok(Cast { source, target, method, context, comment: None })
}

/// The cast function: the model's own (by name and argument types, on the search path), else
/// a built-in or an extension's, as named.
fn cast_function(owa: &pb::ObjectWithArgs, scope: &Scope) -> BuildResult<RoutineId> {
    let names = ast::names(&owa.objname);
    let (schema, name) = ast::qualified_parts(&names).ok_or("invalid function name")?;
    if owa.args_unspecified {
        return scope
            .find_function(schema.as_deref(), &name, None)
            .ok_or_else(|| format!("function {name} does not exist"));
    }
    let mut args = Vec::new();
    for a in &owa.objargs {
        let Some(N::TypeName(tn)) = a.node.as_ref() else { return Err("invalid function argument".into()) };
        args.push(normalize::type_ref(tn, scope)?.to_string());
    }
    let args = args.join(", ");
    let schemas: Vec<String> = match &schema {
        Some(s) => vec![s.clone()],
        None => scope.path().map(str::to_string).collect(),
    };
    for s in &schemas {
        let id = RoutineId { name: QualifiedName::new(s.clone(), name.clone()), args: args.clone() };
        if scope.catalog.functions.contains_key(&id) {
            return Ok(id);
        }
    }
    match schema {
        Some(s) if s != "pg_catalog" => Err(format!("function {s}.{name}({args}) does not exist")),
        _ => Ok(RoutineId { name: QualifiedName::new("pg_catalog", name), args }),
    }
}

/// A cast from the CREATE CAST text introspection writes.
pub fn cast_from_def(def: &str, scope: &Scope) -> BuildResult<Cast> {
    let tree = parse_one(def)?;
    let Some(N::CreateCastStmt(st)) = first_stmt(&tree) else {
        return Err(format!("unexpected cast definition: {def}"));
    };
    cast(st, scope)
}
