//! Canonical forms, one code path for both sides: schema files and catalog text are parsed with
//! pg_query and their types, names and expressions are brought to the same canonical form here,
//! so that `diff` can compare with `==`. This module and `source::parse` are the only users of
//! pg_query types; the model stays plain data.

mod builtin_relations;
mod builtin_text_search;
mod builtin_types;
mod datetime;
pub mod expr;
mod scope;
pub mod types;
pub(crate) mod walk;
mod walk_generated;

pub use datetime::civil_from_days;
pub use expr::{expr, ExprContext};
pub use scope::Scope;
pub use types::type_ref;
pub use walk::{rewrite, visit};
pub mod colname;
pub mod query;
pub mod text_search;
