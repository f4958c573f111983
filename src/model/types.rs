//! Types: [`TypeRef`] is a reference to a type as a column, attribute or domain uses it,
//! canonicalized to what `format_type` prints; [`TypeDef`] is a user-defined type (enum, domain,
//! composite) the catalog holds.

use super::{Expr, QualifiedName};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What a type reference points at.
#[derive(Clone, Debug, Eq, Serialize)]
pub enum TypeBase {
    /// A built-in (pg_catalog) type, by the name `format_type` prints: `integer`,
    /// `character varying`, `timestamp with time zone`.
    Builtin(String),
    /// A type defined in this catalog (enum, domain, composite).
    User(QualifiedName),
    /// The row type of a table or view of this catalog (`RETURNS SETOF users`).
    Row(QualifiedName),
    /// A type the model does not define: an extension's type (`hstore`, `citext`, `geometry`).
    /// The schema is known when it was written or introspected, not always.
    External { schema: Option<String>, name: String },
}

impl PartialEq for TypeBase {
    fn eq(&self, other: &Self) -> bool {
        use TypeBase::*;
        match (self, other) {
            (Builtin(a), Builtin(b)) => a == b,
            (User(a), User(b)) | (Row(a), Row(b)) => a == b,
            // One side may not know which schema an extension put its type in, and an extension's
            // type name is unique in a database: the names decide.
            (External { name: a, .. }, External { name: b, .. }) => a == b,
            _ => false,
        }
    }
}

/// A type as used by a column: base, modifier (`(20)`, `(10,2)`, ` day to second(3)`), array.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypeRef {
    pub base: TypeBase,
    /// The modifier as `format_type` prints it, with its leading `(` or space; empty when none.
    pub modifier: String,
    /// Postgres does not enforce array dimensions: `int[][]` is `integer[]`.
    pub array: bool,
}

impl TypeRef {
    pub fn builtin(name: &str) -> TypeRef {
        TypeRef { base: TypeBase::Builtin(name.to_string()), modifier: String::new(), array: false }
    }

    /// The user-defined type this reference needs, if any.
    pub fn user_type(&self) -> Option<&QualifiedName> {
        match &self.base {
            TypeBase::User(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_builtin(&self, name: &str) -> bool {
        matches!(&self.base, TypeBase::Builtin(b) if b == name) && !self.array
    }
}

impl fmt::Display for TypeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.base {
            TypeBase::Builtin(name) => {
                // format_type writes the precision of time types before the zone clause.
                match name.split_once(" with") {
                    // bpchar without a length is unlimited; `character` alone means character(1).
                    _ if name == "character" && self.modifier.is_empty() => f.write_str("bpchar")?,
                    Some((head, zone)) if !self.modifier.is_empty() && (head == "timestamp" || head == "time") => {
                        write!(f, "{head}{} with{zone}", self.modifier)?
                    }
                    _ => write!(f, "{name}{}", self.modifier)?,
                }
            }
            TypeBase::User(n) | TypeBase::Row(n) => write!(f, "{n}{}", self.modifier)?,
            TypeBase::External { schema, name } => {
                if let Some(s) = schema {
                    write!(f, "{}.", super::quote_ident(s))?;
                }
                write!(f, "{}{}", super::quote_ident(name), self.modifier)?
            }
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypeDef {
    pub name: QualifiedName,
    pub kind: TypeKind,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: super::Acl,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum TypeKind {
    Enum { labels: Vec<String> },
    Domain(Box<Domain>),
    Composite { attributes: Vec<Attribute> },
    Range(Box<Range>),
}

impl TypeKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            TypeKind::Enum { .. } | TypeKind::Composite { .. } | TypeKind::Range(_) => "TYPE",
            TypeKind::Domain(_) => "DOMAIN",
        }
    }
}

/// `CREATE TYPE ... AS RANGE`: what pg_range keeps, each option only when it is not what the
/// server would choose without it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    pub subtype: TypeRef,
    /// `SUBTYPE_OPCLASS`, its name, when not the subtype's default b-tree class.
    pub opclass: Option<String>,
    /// `COLLATION`, when not the subtype's.
    pub collation: Option<QualifiedName>,
    /// `CANONICAL` and `SUBTYPE_DIFF`, qualified (`pg_catalog` for a built-in).
    pub canonical: Option<QualifiedName>,
    pub subtype_diff: Option<QualifiedName>,
    /// `MULTIRANGE_TYPE_NAME`, when not the default ([`default_multirange_name`]).
    pub multirange: Option<QualifiedName>,
}

/// The multirange type name the server chooses for a range type: the first `range` in the name
/// becomes `multirange`, else `_multirange` is appended; clipped to 63 bytes.
pub fn default_multirange_name(range: &str) -> String {
    let clip = |s: String| {
        let mut s = s;
        while s.len() > 63 {
            s.pop();
        }
        s
    };
    match range.find("range") {
        Some(i) => clip(format!("{}multi{}", &range[..i], &range[i..])),
        None => {
            let mut head = range.to_string();
            while head.len() > 63 - 12 {
                head.pop();
            }
            clip(format!("{head}_multirange"))
        }
    }
}

impl TypeDef {
    /// The multirange type of a range type.
    pub fn multirange(&self) -> Option<QualifiedName> {
        match &self.kind {
            TypeKind::Range(r) => Some(r.multirange.clone().unwrap_or_else(|| {
                QualifiedName::new(self.name.schema.clone(), default_multirange_name(&self.name.name))
            })),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Domain {
    pub base: TypeRef,
    pub collation: Option<QualifiedName>,
    pub default: Option<Expr>,
    pub not_null: bool,
    pub checks: BTreeMap<String, DomainCheck>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DomainCheck {
    pub expr: Expr,
    pub validated: bool,
    pub comment: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attribute {
    pub name: String,
    pub ty: TypeRef,
    pub collation: Option<QualifiedName>,
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::default_multirange_name;

    #[test]
    fn multirange_names_are_chosen_like_postgres() {
        assert_eq!(default_multirange_name("floatrange"), "floatmultirange");
        assert_eq!(default_multirange_name("range_of_x"), "multirange_of_x");
        assert_eq!(default_multirange_name("textrange_c"), "textmultirange_c");
        assert_eq!(default_multirange_name("span"), "span_multirange");
        let long = "a".repeat(63);
        assert_eq!(default_multirange_name(&long), format!("{}_multirange", "a".repeat(51)));
        assert_eq!(default_multirange_name(&format!("{}range", "b".repeat(58))).len(), 63);
    }
}
