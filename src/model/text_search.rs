//! Text search configurations (`CREATE TEXT SEARCH CONFIGURATION`): which dictionaries each
//! token type of a parser goes through. Parsers, dictionaries and templates are named by
//! reference: the built-in ones and those of extensions (`unaccent`).

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
