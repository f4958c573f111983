//! Canonical type references. A pg_query `TypeName` (from the user's `varchar(20)`, `int4`,
//! `timestamptz(3)`, `mood[]`, or from the catalog's `format_type` text) becomes a [`TypeRef`]
//! whose display is what `format_type` prints under an empty search_path.

use super::builtin_types::BUILTIN_TYPES;
use super::Scope;
use crate::model::{Storage, TypeBase, TypeRef};
use pg_query::protobuf::{node::Node as N, TypeName};

/// The `format_type` name of a pg_catalog type, by internal name (`int4` → `integer`).
pub fn builtin_name(internal: &str) -> Option<&'static str> {
    BUILTIN_TYPES.binary_search_by(|(n, _, _)| (*n).cmp(internal)).ok().map(|i| BUILTIN_TYPES[i].1)
}

/// The default storage of a built-in type, by its `format_type` name.
pub fn default_storage(ty: &TypeRef) -> Option<Storage> {
    if ty.array {
        return Some(Storage::Extended);
    }
    let TypeBase::Builtin(name) = &ty.base else {
        return None;
    };
    let (_, _, s) = BUILTIN_TYPES.iter().find(|(_, f, _)| f == name)?;
    storage_from_char(*s)
}

pub fn storage_from_char(c: char) -> Option<Storage> {
    match c {
        'p' => Some(Storage::Plain),
        'e' => Some(Storage::External),
        'x' => Some(Storage::Extended),
        'm' => Some(Storage::Main),
        _ => None,
    }
}

/// `interval` field masks as the grammar encodes them (1 << YEAR, ...), with their text.
const INTERVAL_FIELDS: &[(i64, &str)] = &[
    (1 << 2, "year"),
    (1 << 1, "month"),
    (1 << 3, "day"),
    (1 << 10, "hour"),
    (1 << 11, "minute"),
    (1 << 12, "second"),
    ((1 << 2) | (1 << 1), "year to month"),
    ((1 << 3) | (1 << 10), "day to hour"),
    ((1 << 3) | (1 << 10) | (1 << 11), "day to minute"),
    ((1 << 3) | (1 << 10) | (1 << 11) | (1 << 12), "day to second"),
    ((1 << 10) | (1 << 11), "hour to minute"),
    ((1 << 10) | (1 << 11) | (1 << 12), "hour to second"),
    ((1 << 11) | (1 << 12), "minute to second"),
];
const INTERVAL_FULL_RANGE: i64 = 0x7FFF;
const INTERVAL_FULL_PRECISION: i64 = 0xFFFF;

fn typmod_values(tn: &TypeName) -> Result<Vec<TypmodValue>, String> {
    tn.typmods
        .iter()
        .map(|m| match m.node.as_ref() {
            Some(N::AConst(c)) => match c.val.as_ref() {
                Some(pg_query::protobuf::a_const::Val::Ival(i)) => Ok(TypmodValue::Int(i.ival as i64)),
                Some(pg_query::protobuf::a_const::Val::Fval(f)) => Ok(TypmodValue::Text(f.fval.clone())),
                Some(pg_query::protobuf::a_const::Val::Sval(s)) => Ok(TypmodValue::Text(s.sval.clone())),
                _ => Err("unsupported type modifier".to_string()),
            },
            Some(N::ColumnRef(c)) => Ok(TypmodValue::Text(
                c.fields
                    .iter()
                    .filter_map(|f| match f.node.as_ref() {
                        Some(N::String(s)) => Some(s.sval.clone()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join("."),
            )),
            _ => Err("unsupported type modifier".to_string()),
        })
        .collect()
}

enum TypmodValue {
    Int(i64),
    Text(String),
}

impl std::fmt::Display for TypmodValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypmodValue::Int(i) => write!(f, "{i}"),
            TypmodValue::Text(t) => f.write_str(t),
        }
    }
}

/// The names of a `TypeName` as (schema, name); `serial` and friends are left to the caller.
pub fn type_name_parts(tn: &TypeName) -> Result<(Option<String>, String), String> {
    let parts: Vec<&str> = tn
        .names
        .iter()
        .filter_map(|n| match n.node.as_ref() {
            Some(N::String(s)) => Some(s.sval.as_str()),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        [name] => Ok((None, name.to_string())),
        [schema, name] => Ok((Some(schema.to_string()), name.to_string())),
        [_db, schema, name] => Ok((Some(schema.to_string()), name.to_string())),
        _ => Err("invalid type name".to_string()),
    }
}

/// The schema an unqualified extension type lives in: its extension's, when the extension is
/// known to provide it, or else the one schema of the search path that holds extensions.
fn extension_type_schema(name: &str, scope: &Scope) -> Option<String> {
    let extensions = &scope.catalog.extensions;
    if let Some(ext) = crate::model::extension_providing_type(name) {
        if let Some(e) = extensions.get(ext) {
            return Some(e.schema.clone());
        }
    }
    let mut candidates = scope.path().filter(|s| extensions.values().any(|e| e.schema == *s && e.name != "plpgsql"));
    match (candidates.next(), candidates.next()) {
        (Some(only), None) => Some(only.to_string()),
        _ => None,
    }
}

/// Resolve and canonicalize a type name.
pub fn type_ref(tn: &TypeName, scope: &Scope) -> Result<TypeRef, String> {
    if tn.pct_type {
        return Err("%TYPE references are not supported here".into());
    }
    let (schema, name) = type_name_parts(tn)?;
    let mods = typmod_values(tn)?;
    let array = !tn.array_bounds.is_empty();
    let builtin = match schema.as_deref() {
        Some("pg_catalog") => builtin_name(&name).or(Some("")),
        // pg_catalog is searched before the path (unless the path names it, which schema files
        // do not do to shadow built-in types).
        None => builtin_name(&name),
        _ => None,
    };
    let base = match builtin {
        Some("") => TypeBase::Builtin(name.clone()), // an unlisted pg_catalog type, kept as written
        Some(b) => TypeBase::Builtin(b.to_string()),
        None => match scope.find_type_or_multirange(schema.as_deref(), &name) {
            Some(qn) => TypeBase::User(qn),
            None => match scope.find_queryable(schema.as_deref(), &name) {
                Some(qn) => TypeBase::Row(qn),
                None => TypeBase::External {
                    schema: schema.or_else(|| extension_type_schema(&name, scope)),
                    name: name.clone(),
                },
            },
        },
    };
    let modifier = match &base {
        TypeBase::Builtin(b) => builtin_modifier(b, &mods)?,
        _ if mods.is_empty() => String::new(),
        _ => format!("({})", mods.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(",")),
    };
    Ok(TypeRef { base, modifier, array })
}

fn builtin_modifier(name: &str, mods: &[TypmodValue]) -> Result<String, String> {
    let ints: Vec<i64> = mods
        .iter()
        .map(|m| match m {
            TypmodValue::Int(i) => Ok(*i),
            TypmodValue::Text(t) => t.parse::<i64>().map_err(|_| format!("invalid type modifier for {name}: {t}")),
        })
        .collect::<Result<_, _>>()?;
    Ok(match (name, ints.as_slice()) {
        (_, []) => String::new(),
        ("interval", [range, rest @ ..]) => {
            let fields = if *range == INTERVAL_FULL_RANGE {
                String::new()
            } else {
                let (_, text) = INTERVAL_FIELDS
                    .iter()
                    .find(|(mask, _)| mask == range)
                    .ok_or_else(|| format!("invalid interval fields {range}"))?;
                format!(" {text}")
            };
            match rest {
                [p] if *p != INTERVAL_FULL_PRECISION => format!("{fields}({p})"),
                _ => fields,
            }
        }
        // numeric(p) is numeric(p,0)
        ("numeric", [p]) => format!("({p},0)"),
        (_, values) => format!("({})", values.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")),
    })
}
