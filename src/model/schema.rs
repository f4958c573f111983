//! Schemas and extensions.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Schema {
    pub name: String,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: super::Acl,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub name: String,
    pub schema: String,
    /// `None`: whatever version the server installs by default.
    pub version: Option<String>,
    /// `None`: the comment the extension's script sets; only an explicit `COMMENT ON EXTENSION`
    /// is converged.
    pub comment: Option<String>,
}
