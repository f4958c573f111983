//! tidemark: a declarative schema-diff engine for PostgreSQL.
//!
//! The pipeline: sources (SQL files, migration histories, live databases) become a
//! [`model::Catalog`]; `diff` compares two catalogs into semantic changes; `plan` orders them
//! into steps with hazards; `render` writes SQL and reports. `model`, `normalize`, `diff` and
//! `plan` are pure; IO lives in `source`, `render`'s file writers and `cli`.

pub mod cli;
pub mod config;
pub mod diff;
pub mod hazard;
pub mod inspect;
pub mod migrations;
pub mod model;
pub mod normalize;
pub mod pgserver;
pub mod plan;
pub mod progress;
pub mod rename;
pub mod render;
pub mod review;
pub mod runner;
pub mod source;
pub mod verify;
