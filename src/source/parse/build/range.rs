//! Range types from their `CREATE TYPE ... AS RANGE` statements: the user's, or the one
//! introspection writes from `pg_range` (every option stated, the defaults dropped here).

use super::{first_stmt, parse_one, BuildResult};
use crate::model::{default_multirange_name, QualifiedName, Range};
use crate::normalize::{self, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb};

/// The names of an option's argument (`SUBTYPE_OPCLASS = float8_ops`, `CANONICAL = s.f`).
fn arg_names(d: &pb::DefElem) -> BuildResult<Vec<String>> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(N::TypeName(tn)) => Ok(ast::names(&tn.names)),
        Some(N::List(l)) => Ok(ast::names(&l.items)),
        _ => d.arg.as_deref().and_then(ast::text).map(|t| vec![t]).ok_or_else(|| format!("invalid {}", d.defname)),
    }
}

/// A function option, qualified: the model's own on the search path, else `pg_catalog`'s.
fn function(d: &pb::DefElem, nargs: usize, scope: &Scope) -> BuildResult<QualifiedName> {
    let names = arg_names(d)?;
    let (schema, name) = ast::qualified_parts(&names).ok_or("invalid function name")?;
    if let Some(id) = scope.find_function(schema.as_deref(), &name, Some(nargs)) {
        return Ok(id.name);
    }
    Ok(QualifiedName::new(schema.unwrap_or_else(|| "pg_catalog".into()), name))
}

/// `name` is the range type's (already resolved) name.
pub fn range(st: &pb::CreateRangeStmt, name: &QualifiedName, scope: &Scope) -> BuildResult<Range> {
    let mut subtype = None;
    let mut r = Range {
        subtype: crate::model::TypeRef::builtin("integer"),
        opclass: None,
        collation: None,
        canonical: None,
        subtype_diff: None,
        multirange: None,
    };
    for d in ast::def_elems(&st.params) {
        match d.defname.to_lowercase().as_str() {
            "subtype" => match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(N::TypeName(tn)) => subtype = Some(normalize::type_ref(tn, scope)?),
                _ => return Err("invalid SUBTYPE".into()),
            },
            "subtype_opclass" => r.opclass = arg_names(d)?.last().cloned(),
            "collation" => r.collation = super::collation(&arg_names(d)?, scope)?,
            "canonical" => r.canonical = Some(function(d, 1, scope)?),
            "subtype_diff" => r.subtype_diff = Some(function(d, 2, scope)?),
            "multirange_type_name" => {
                let names = arg_names(d)?;
                let (schema, m) = ast::qualified_parts(&names).ok_or("invalid multirange type name")?;
                let m = QualifiedName::new(schema.unwrap_or_else(|| name.schema.clone()), m);
                let default = QualifiedName::new(name.schema.clone(), default_multirange_name(&name.name));
                r.multirange = (m != default).then_some(m);
            }
            other => return Err(format!("type attribute \"{other}\" not recognized")),
        }
    }
    r.subtype = subtype.ok_or("type attribute \"subtype\" is required")?;
    // The subtype's default b-tree class, written out, is no option (the catalog omits it).
    if r.opclass.is_some() && r.opclass.as_deref() == default_opclass(&r.subtype) {
        r.opclass = None;
    }
    Ok(r)
}

/// The default b-tree operator class of the built-in subtypes ranges are usually made of.
fn default_opclass(subtype: &crate::model::TypeRef) -> Option<&'static str> {
    if subtype.array || !matches!(subtype.base, crate::model::TypeBase::Builtin(_)) {
        return None;
    }
    Some(match subtype.to_string().as_str() {
        "smallint" => "int2_ops",
        "integer" => "int4_ops",
        "bigint" => "int8_ops",
        "real" => "float4_ops",
        "double precision" => "float8_ops",
        "numeric" => "numeric_ops",
        "text" => "text_ops",
        "date" => "date_ops",
        "time without time zone" => "time_ops",
        "timestamp without time zone" => "timestamp_ops",
        "timestamp with time zone" => "timestamptz_ops",
        "interval" => "interval_ops",
        _ => return None,
    })
}

pub fn range_from_def(def: &str, name: &QualifiedName, scope: &Scope) -> BuildResult<Range> {
    let tree = parse_one(def)?;
    let Some(N::CreateRangeStmt(st)) = first_stmt(&tree) else {
        return Err(format!("unexpected range type definition: {def}"));
    };
    range(st, name, scope)
}
