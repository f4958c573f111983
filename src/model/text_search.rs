//! Text search configurations (`CREATE TEXT SEARCH CONFIGURATION`): which dictionaries each
//! token type of a parser goes through; and dictionaries (`CREATE TEXT SEARCH DICTIONARY`): a
//! template and its options. Parsers and templates are named by reference: the built-in ones
//! and those of extensions (`unaccent`); dictionaries may be the model's own too.

use super::QualifiedName;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextSearchConfig {
    pub name: QualifiedName,
    pub parser: QualifiedName,
    /// Token type (`asciiword`) → its dictionaries, in the order they are consulted.
    pub mappings: BTreeMap<String, Vec<QualifiedName>>,
    pub owner: Option<String>,
    pub comment: Option<String>,
}

/// `CREATE TEXT SEARCH DICTIONARY name (TEMPLATE = t, option = value, ...)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TextSearchDictionary {
    pub name: QualifiedName,
    /// Qualified: `pg_catalog.snowball`, or an extension's (`public.unaccent`).
    pub template: QualifiedName,
    /// Option → value, as the server keeps them (`dictinitoption`: every value a string).
    pub options: BTreeMap<String, String>,
    pub owner: Option<String>,
    pub comment: Option<String>,
}
