//! Extended statistics (`CREATE STATISTICS`): planner statistics over several columns or
//! expressions of one table.

use super::{Expr, QualifiedName};
use serde::Serialize;
use std::collections::BTreeSet;

/// What a statistics object gathers, besides per-expression statistics (which the server
/// adds whenever there are expressions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum StatisticsKind {
    Ndistinct,
    Dependencies,
    Mcv,
}

impl StatisticsKind {
    pub const ALL: [StatisticsKind; 3] = [StatisticsKind::Ndistinct, StatisticsKind::Dependencies, StatisticsKind::Mcv];

    pub fn keyword(self) -> &'static str {
        match self {
            StatisticsKind::Ndistinct => "ndistinct",
            StatisticsKind::Dependencies => "dependencies",
            StatisticsKind::Mcv => "mcv",
        }
    }

    pub fn from_keyword(word: &str) -> Option<StatisticsKind> {
        StatisticsKind::ALL.into_iter().find(|k| k.keyword() == word)
    }

    /// `pg_statistic_ext.stxkind` letters.
    pub fn from_catalog_char(c: char) -> Option<StatisticsKind> {
        Some(match c {
            'd' => StatisticsKind::Ndistinct,
            'f' => StatisticsKind::Dependencies,
            'm' => StatisticsKind::Mcv,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statistics {
    pub name: QualifiedName,
    pub table: QualifiedName,
    /// Empty for statistics on one expression (the server then keeps only expression
    /// statistics); all three when the statement names none.
    pub kinds: BTreeSet<StatisticsKind>,
    /// Plain columns, in the table's column order (the catalog keeps them as a sorted
    /// `int2vector`, whatever order the statement gave).
    pub columns: Vec<String>,
    /// Expressions, in the statement's order.
    pub exprs: Vec<Expr>,
    /// `ALTER STATISTICS ... SET STATISTICS n`; `None` is the default.
    pub target: Option<i32>,
    pub owner: Option<String>,
    pub comment: Option<String>,
}
