//! What each PostgreSQL major version added to the statements tidemark models, in one place:
//! [`Feature`] names a piece of syntax and the version that first runs it, [`required`] finds
//! the features a statement uses, and [`check`] refuses a statement the target version cannot
//! run, naming both versions. The interpreter asks before it applies a statement, so a schema
//! written for 18 and planned for 17 fails at the statement that would fail on the server,
//! with its file, line and column, instead of producing a migration the server rejects.
//!
//! Catalog text (introspection) is never checked: a server only prints what it runs.

use crate::normalize::walk;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ConstrType};

/// A piece of syntax newer than the oldest version tidemark reads (14).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    /// `UNIQUE NULLS NOT DISTINCT` (constraints and indexes).
    NullsNotDistinct,
    /// `ON DELETE SET NULL (columns)` / `SET DEFAULT (columns)`.
    FkSetColumns,
    /// The `security_invoker` view option.
    SecurityInvokerView,
    /// `STORAGE` in a column definition of CREATE TABLE.
    ColumnStorageInCreate,
    /// The MAINTAIN privilege (`m` in an aclitem).
    MaintainPrivilege,
    /// `ALTER COLUMN ... SET EXPRESSION AS (...)` on a generated column.
    SetExpression,
    /// The ICU-free `builtin` collation provider.
    BuiltinCollationProvider,
    /// `GENERATED ALWAYS AS (expr) VIRTUAL`, the default when STORED is not written.
    VirtualGeneratedColumn,
    /// `CHECK (...) NOT ENFORCED`, `FOREIGN KEY ... NOT ENFORCED`.
    NotEnforcedConstraint,
    /// `ALTER CONSTRAINT ... [NOT] ENFORCED`.
    AlterConstraintEnforceability,
    /// `ALTER CONSTRAINT ... [NO] INHERIT`.
    AlterConstraintInheritability,
    /// NOT NULL as a table constraint (`CONSTRAINT n NOT NULL col`, `ADD CONSTRAINT ... NOT NULL`).
    NotNullTableConstraint,
    /// `NOT NULL ... NOT VALID`.
    NotNullNotValid,
    /// `NOT NULL ... NO INHERIT`.
    NotNullNoInherit,
    /// `PRIMARY KEY / UNIQUE (..., col WITHOUT OVERLAPS)`.
    WithoutOverlaps,
    /// `FOREIGN KEY (..., PERIOD col) REFERENCES t (..., PERIOD col)`.
    ForeignKeyPeriod,
}

impl Feature {
    /// The first major version that runs it.
    pub fn since(self) -> u32 {
        use Feature::*;
        match self {
            NullsNotDistinct | FkSetColumns | SecurityInvokerView => 15,
            ColumnStorageInCreate => 16,
            MaintainPrivilege | SetExpression | BuiltinCollationProvider => 17,
            VirtualGeneratedColumn
            | NotEnforcedConstraint
            | AlterConstraintEnforceability
            | AlterConstraintInheritability
            | NotNullTableConstraint
            | NotNullNotValid
            | NotNullNoInherit
            | WithoutOverlaps
            | ForeignKeyPeriod => 18,
        }
    }

    /// How the error names it.
    pub fn describe(self) -> &'static str {
        use Feature::*;
        match self {
            NullsNotDistinct => "NULLS NOT DISTINCT",
            FkSetColumns => "ON DELETE SET NULL / SET DEFAULT with a column list",
            SecurityInvokerView => "the view option security_invoker",
            ColumnStorageInCreate => "STORAGE in a column definition",
            MaintainPrivilege => "the MAINTAIN privilege",
            SetExpression => "ALTER COLUMN ... SET EXPRESSION",
            BuiltinCollationProvider => "the builtin collation provider",
            VirtualGeneratedColumn => {
                "a virtual generated column (GENERATED ALWAYS AS (...) without STORED; write STORED for older servers)"
            }
            NotEnforcedConstraint => "NOT ENFORCED constraints",
            AlterConstraintEnforceability => "ALTER CONSTRAINT ... [NOT] ENFORCED",
            AlterConstraintInheritability => "ALTER CONSTRAINT ... [NO] INHERIT",
            NotNullTableConstraint => "NOT NULL as a table constraint",
            NotNullNotValid => "NOT NULL ... NOT VALID",
            NotNullNoInherit => "NOT NULL ... NO INHERIT",
            WithoutOverlaps => "WITHOUT OVERLAPS (temporal keys)",
            ForeignKeyPeriod => "PERIOD in a foreign key (temporal foreign keys)",
        }
    }
}

/// The refusal of a feature the target version lacks, or `Ok`.
pub fn check(feature: Feature, target: u32) -> Result<(), String> {
    if target >= feature.since() {
        return Ok(());
    }
    Err(format!(
        "{} needs PostgreSQL {}; the target is {target} (postgres = {target} in tidemark.toml or --postgres)",
        feature.describe(),
        feature.since()
    ))
}

/// The features a statement uses, each with the location (byte offset in the statement's text,
/// -1 when the tree has none) of the node that uses it, in tree order.
pub fn required(stmt: &N) -> Vec<(Feature, i32)> {
    let mut out = Vec::new();
    let root = pb::Node { node: Some(stmt.clone()) };
    walk::visit(&root, &mut |n| {
        let Some(node) = n.node.as_ref() else { return };
        match node {
            N::Constraint(c) => constraint(c, &mut out),
            N::IndexStmt(i) if i.nulls_not_distinct => out.push((Feature::NullsNotDistinct, -1)),
            N::AccessPriv(p) if p.priv_name.eq_ignore_ascii_case("maintain") => {
                out.push((Feature::MaintainPrivilege, -1))
            }
            N::DefElem(d) if d.defname == "security_invoker" => out.push((Feature::SecurityInvokerView, d.location)),
            N::ColumnDef(cd) if !cd.storage_name.is_empty() => out.push((Feature::ColumnStorageInCreate, cd.location)),
            N::AlterTableCmd(cmd) if cmd.subtype == pb::AlterTableType::AtSetExpression as i32 => {
                out.push((Feature::SetExpression, -1))
            }
            N::AtalterConstraint(c) => {
                if c.alter_enforceability {
                    out.push((Feature::AlterConstraintEnforceability, -1));
                }
                if c.alter_inheritability {
                    out.push((Feature::AlterConstraintInheritability, -1));
                }
            }
            N::DefineStmt(d) if d.kind == pb::ObjectType::ObjectCollation as i32 => {
                for e in super::ast::def_elems(&d.definition) {
                    let v = e.arg.as_deref().and_then(super::ast::text);
                    if e.defname == "provider" && v.is_some_and(|v| v.eq_ignore_ascii_case("builtin")) {
                        out.push((Feature::BuiltinCollationProvider, e.location));
                    }
                }
            }
            _ => {}
        }
    });
    out
}

fn constraint(c: &pb::Constraint, out: &mut Vec<(Feature, i32)>) {
    let at = c.location;
    let kind = ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined);
    match kind {
        ConstrType::ConstrGenerated if c.generated_kind == "v" => out.push((Feature::VirtualGeneratedColumn, at)),
        ConstrType::ConstrAttrNotEnforced => out.push((Feature::NotEnforcedConstraint, at)),
        ConstrType::ConstrCheck | ConstrType::ConstrForeign if !c.is_enforced => {
            out.push((Feature::NotEnforcedConstraint, at))
        }
        ConstrType::ConstrNotnull => {
            if !c.keys.is_empty() {
                out.push((Feature::NotNullTableConstraint, at));
            }
            if c.skip_validation {
                out.push((Feature::NotNullNotValid, at));
            }
            if c.is_no_inherit {
                out.push((Feature::NotNullNoInherit, at));
            }
        }
        _ => {}
    }
    if c.nulls_not_distinct {
        out.push((Feature::NullsNotDistinct, at));
    }
    if c.without_overlaps {
        out.push((Feature::WithoutOverlaps, at));
    }
    if c.fk_with_period || c.pk_with_period {
        out.push((Feature::ForeignKeyPeriod, at));
    }
    if !c.fk_del_set_cols.is_empty() {
        out.push((Feature::FkSetColumns, at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(sql: &str) -> Vec<Feature> {
        let tree = pg_query::parse(sql, 0).unwrap();
        let stmt = tree.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap();
        let mut v: Vec<Feature> = required(stmt).into_iter().map(|(f, _)| f).collect();
        v.dedup();
        v
    }

    #[test]
    fn statements_name_what_they_need() {
        use Feature::*;
        assert_eq!(features("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a) STORED)"), vec![]);
        assert_eq!(features("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a))"), vec![VirtualGeneratedColumn]);
        assert_eq!(
            features("CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a) VIRTUAL)"),
            vec![VirtualGeneratedColumn]
        );
        assert_eq!(
            features("CREATE TABLE t (a int CHECK (a > 0), b int REFERENCES u, c int, FOREIGN KEY (c) REFERENCES u)"),
            vec![]
        );
        assert_eq!(features("CREATE TABLE t (a int CHECK (a > 0) NOT ENFORCED)"), vec![NotEnforcedConstraint]);
        assert_eq!(features("CREATE TABLE t (a int REFERENCES u NOT ENFORCED)"), vec![NotEnforcedConstraint]);
        assert_eq!(
            features("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u NOT ENFORCED"),
            vec![NotEnforcedConstraint]
        );
        assert_eq!(features("CREATE TABLE t (a int CONSTRAINT n NOT NULL, b int NOT NULL)"), vec![]);
        assert_eq!(features("CREATE TABLE t (a int, CONSTRAINT n NOT NULL a)"), vec![NotNullTableConstraint]);
        assert_eq!(
            features("ALTER TABLE t ADD CONSTRAINT n NOT NULL a NOT VALID"),
            vec![NotNullTableConstraint, NotNullNotValid]
        );
        assert_eq!(features("CREATE TABLE t (a int NOT NULL NO INHERIT)"), vec![NotNullNoInherit]);
        assert_eq!(features("CREATE TABLE t (a int4range, PRIMARY KEY (a WITHOUT OVERLAPS))"), vec![WithoutOverlaps]);
        assert_eq!(
            features("CREATE TABLE t (a int, p int4range, FOREIGN KEY (a, PERIOD p) REFERENCES u (a, PERIOD p))"),
            vec![ForeignKeyPeriod]
        );
        assert_eq!(features("GRANT MAINTAIN ON t TO r"), vec![MaintainPrivilege]);
        assert_eq!(features("ALTER DEFAULT PRIVILEGES GRANT MAINTAIN ON TABLES TO r"), vec![MaintainPrivilege]);
        assert_eq!(features("GRANT SELECT ON t TO r"), vec![]);
        assert_eq!(features("CREATE TABLE t (a int, UNIQUE NULLS NOT DISTINCT (a))"), vec![NullsNotDistinct]);
        assert_eq!(features("CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT"), vec![NullsNotDistinct]);
        assert_eq!(features("CREATE VIEW v WITH (security_invoker) AS SELECT 1"), vec![SecurityInvokerView]);
        assert_eq!(
            features("CREATE COLLATION c (provider = builtin, locale = 'C.UTF-8')"),
            vec![BuiltinCollationProvider]
        );
        assert_eq!(features("CREATE COLLATION c (provider = icu, locale = 'und')"), vec![]);
        assert_eq!(features("ALTER TABLE t ALTER CONSTRAINT f NOT ENFORCED"), vec![AlterConstraintEnforceability]);
        assert_eq!(features("ALTER TABLE t ALTER COLUMN b SET EXPRESSION AS (a + 1)"), vec![SetExpression]);
        assert_eq!(features("CREATE TABLE t (a text STORAGE external)"), vec![ColumnStorageInCreate]);
        assert_eq!(features("CREATE TABLE t (a int, b int REFERENCES u ON DELETE SET NULL (b))"), vec![FkSetColumns]);
    }

    #[test]
    fn the_refusal_names_both_versions() {
        assert_eq!(check(Feature::MaintainPrivilege, 17), Ok(()));
        let e = check(Feature::VirtualGeneratedColumn, 17).unwrap_err();
        assert!(
            e.contains("needs PostgreSQL 18; the target is 17 (postgres = 17 in tidemark.toml or --postgres)"),
            "{e}"
        );
    }

    /// Schema files for a target that cannot run them: the error names the file, line and
    /// column of the clause, the feature, both versions, and shows the statement.
    #[test]
    fn files_for_an_older_target_are_refused_where_the_clause_is() {
        use crate::source::parse::{parse_files, ParseOptions, SqlFile};
        let cases: &[(u32, &str, &str, &str)] = &[
            (
                17,
                "CREATE TABLE t (a int,\n  b int GENERATED ALWAYS AS (a * 2));",
                "s.sql:2:9",
                "virtual generated column",
            ),
            (
                17,
                "CREATE TABLE t (a int,\n  b int GENERATED ALWAYS AS (a * 2) VIRTUAL);",
                "s.sql:2:9",
                "virtual generated",
            ),
            (
                17,
                "CREATE TABLE u (id int PRIMARY KEY);\nCREATE TABLE t (a int REFERENCES u NOT ENFORCED);",
                "s.sql:2:",
                "NOT ENFORCED",
            ),
            (17, "CREATE TABLE t (a int, CONSTRAINT c CHECK (a > 0) NOT ENFORCED);", "s.sql:1:24", "NOT ENFORCED"),
            (
                17,
                "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT n NOT NULL a;",
                "s.sql:2:",
                "NOT NULL as a table constraint",
            ),
            (17, "CREATE TABLE t (a int4range, PRIMARY KEY (a WITHOUT OVERLAPS));", "s.sql:1:30", "WITHOUT OVERLAPS"),
            (16, "CREATE TABLE t (a int);\nGRANT MAINTAIN ON t TO PUBLIC;", "s.sql:2:1", "MAINTAIN"),
            (14, "CREATE TABLE t (a int, UNIQUE NULLS NOT DISTINCT (a));", "s.sql:1:24", "NULLS NOT DISTINCT"),
            (14, "CREATE VIEW v WITH (security_invoker) AS SELECT 1 AS x;", "s.sql:1:", "security_invoker"),
            (16, "CREATE COLLATION c (provider = builtin, locale = 'C.UTF-8');", "s.sql:1:", "builtin collation"),
        ];
        for (target, sql, at, feature) in cases {
            let options = ParseOptions { postgres: *target, ..ParseOptions::default() };
            let files = [SqlFile { name: "s.sql".into(), text: sql.to_string() }];
            let errors = parse_files(&files, &options).expect_err(sql);
            let e = errors[0].to_string();
            assert!(e.starts_with(at), "{sql}: {e}");
            assert!(
                e.contains(feature)
                    && e.contains(&format!(
                        "the target is {target} (postgres = {target} in tidemark.toml or --postgres)"
                    )),
                "{e}"
            );
            assert!(e.contains("needs PostgreSQL 1") && e.contains("\n    | "), "{e}");
        }
        // The same files on 18 are fine (table-level NOT NULL aside: not modelled, refused by
        // name; the temporal key cases need two columns, as the server does).
        for (_, sql, _, feature) in cases {
            let files = [SqlFile { name: "s.sql".into(), text: sql.to_string() }];
            let parsed = parse_files(&files, &ParseOptions { postgres: 18, ..ParseOptions::default() });
            match parsed {
                Ok(_) => assert!(!feature.contains("NOT NULL"), "{sql}"),
                Err(e) => assert!(
                    feature.contains("NOT NULL")
                        && e[0].to_string().contains(feature)
                        && e[0].to_string().contains("not supported"),
                    "{sql}: {}",
                    e[0]
                ),
            }
        }
    }

    /// On 18 a NOT NULL is a named constraint: the default name is the plain flag; a name of
    /// the user's, NOT VALID and NO INHERIT are refused by name (not modelled yet), never dropped.
    #[test]
    fn named_not_null_on_18() {
        use crate::source::parse::{parse_files, ParseOptions, SqlFile};
        let parse = |sql: &str, target: u32| {
            let files = [SqlFile { name: "s.sql".into(), text: sql.to_string() }];
            parse_files(&files, &ParseOptions { postgres: target, ..ParseOptions::default() })
        };
        let plain = parse("CREATE TABLE t (a int NOT NULL);", 18).unwrap().catalog;
        let named = parse("CREATE TABLE t (a int CONSTRAINT t_a_not_null NOT NULL);", 18).unwrap().catalog;
        assert_eq!(plain, named);
        // Before 18 the server ignores the name, and so do we.
        assert!(parse("CREATE TABLE t (a int CONSTRAINT mine NOT NULL);", 17).is_ok());
        let e = parse("CREATE TABLE t (a int CONSTRAINT mine NOT NULL);", 18).unwrap_err()[0].to_string();
        assert!(e.contains("named \"mine\"") && e.contains("not supported"), "{e}");
        let e = parse("CREATE TABLE t (a int NOT NULL NO INHERIT);", 18).unwrap_err()[0].to_string();
        assert!(e.contains("NO INHERIT") && e.contains("not supported"), "{e}");
    }
}
