//! Stand-alone sequences (identity sequences belong to their column, see [`super::Identity`]).

use super::{QualifiedName, SequenceOptions};
use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sequence {
    pub name: QualifiedName,
    pub options: SequenceOptions,
    /// `OWNED BY table.column`: the sequence goes when the column goes.
    pub owned_by: Option<(QualifiedName, String)>,
    pub owner: Option<String>,
    pub comment: Option<String>,
    pub acl: super::Acl,
}
