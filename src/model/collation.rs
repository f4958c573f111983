//! Collations (`CREATE COLLATION`).

use super::QualifiedName;
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Collation {
    pub name: QualifiedName,
    /// `icu` or `libc`.
    pub provider: String,
    /// ICU: the locale.
    pub icu_locale: Option<String>,
    /// libc: LC_COLLATE and LC_CTYPE.
    pub lc_collate: Option<String>,
    pub lc_ctype: Option<String>,
    pub deterministic: bool,
    pub owner: Option<String>,
    pub comment: Option<String>,
}
