//! Text search names, resolved as the server does: the default parser's token types, the
//! dictionaries of pg_catalog and of known extensions, and the built-in configurations that
//! `COPY = ...` starts from.

use super::builtin_text_search::{BUILTIN_CONFIGS, BUILTIN_DICTIONARIES, DEFAULT_PARSER_TOKENS};
use super::Scope;
use crate::model::QualifiedName;
use std::collections::BTreeMap;

/// The only parser a schema can name without writing C.
pub fn default_parser() -> QualifiedName {
    QualifiedName::new("pg_catalog", "default")
}

/// A parser named by a statement: only the built-in one is known.
pub fn parser(names: &[String]) -> Result<QualifiedName, String> {
    let is_default = match names {
        [n] => n == "default",
        [s, n] => s == "pg_catalog" && n == "default",
        _ => false,
    };
    if is_default {
        Ok(default_parser())
    } else {
        Err(format!("text search parser \"{}\" is not known (only pg_catalog.default is)", names.join(".")))
    }
}

pub fn is_token_type(name: &str) -> bool {
    DEFAULT_PARSER_TOKENS.contains(&name)
}

/// Token types in the parser's order (token id), for stable output.
pub fn token_order(name: &str) -> usize {
    DEFAULT_PARSER_TOKENS.iter().position(|t| *t == name).unwrap_or(usize::MAX)
}

/// The mappings of a built-in configuration (`pg_catalog.english`).
pub fn builtin_config(name: &str) -> Option<BTreeMap<String, Vec<QualifiedName>>> {
    BUILTIN_CONFIGS.iter().find(|(n, _)| *n == name).map(|(_, maps)| {
        maps.iter()
            .map(|(t, ds)| (t.to_string(), ds.iter().map(|d| QualifiedName::new("pg_catalog", *d)).collect()))
            .collect()
    })
}

/// A dictionary named by a statement: the schema's own, pg_catalog's, or in the schema of the
/// extension that provides it (`unaccent`), along the search path when unqualified.
pub fn dictionary(names: &[String], scope: &Scope) -> Result<QualifiedName, String> {
    let exists = |schema: &str, name: &str| {
        scope.catalog.text_search_dictionaries.contains_key(&QualifiedName::new(schema, name))
            || (schema == "pg_catalog" && BUILTIN_DICTIONARIES.contains(&name))
            || crate::model::KNOWN_EXTENSION_DICTIONARIES
                .iter()
                .any(|(d, ext)| *d == name && scope.catalog.extensions.get(*ext).is_some_and(|e| e.schema == schema))
    };
    resolve(names, scope, "dictionary", "the schema's own, pg_catalog's", exists)
}

/// A text search object by name, qualified or along the search path (pg_catalog first):
/// the one place dictionaries and templates are looked up.
fn resolve(
    names: &[String],
    scope: &Scope,
    kind: &str,
    known: &str,
    exists: impl Fn(&str, &str) -> bool,
) -> Result<QualifiedName, String> {
    let (schema, name) = match names {
        [n] => (None, n.as_str()),
        [s, n] => (Some(s.as_str()), n.as_str()),
        _ => return Err(format!("invalid {kind} name {}", names.join("."))),
    };
    let found = match schema {
        Some(s) => exists(s, name).then(|| QualifiedName::new(s, name)),
        None => std::iter::once("pg_catalog")
            .chain(scope.path())
            .find(|s| exists(s, name))
            .map(|s| QualifiedName::new(s, name)),
    };
    found.ok_or_else(|| {
        format!(
            "text search {kind} \"{}\" does not exist (known: {known} and those of unaccent, dict_int, dict_xsyn)",
            names.join(".")
        )
    })
}

/// The templates of pg_catalog.
const BUILTIN_TEMPLATES: &[&str] = &["ispell", "simple", "snowball", "synonym", "thesaurus"];

/// A text search template named by a statement: pg_catalog's, or a known extension's (in the
/// schema it was created in), along the search path when unqualified.
pub fn template(names: &[String], scope: &Scope) -> Result<QualifiedName, String> {
    let exists = |schema: &str, name: &str| {
        (schema == "pg_catalog" && BUILTIN_TEMPLATES.contains(&name))
            || crate::model::KNOWN_EXTENSION_TEMPLATES
                .iter()
                .any(|(t, ext)| *t == name && scope.catalog.extensions.get(*ext).is_some_and(|e| e.schema == schema))
    };
    resolve(names, scope, "template", "pg_catalog's", exists)
}
