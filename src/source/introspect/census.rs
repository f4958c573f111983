//! The census: how many user objects each system catalog holds, against how many the model
//! read, so that nothing a database holds is left out in silence. `queries/census.sql` counts
//! every user object by catalog and kind (with the other queries' scope: no system schemas,
//! no extension members); a kind tidemark does not model yet comes back with each object named
//! as the server describes it. A modeled kind whose count differs from the model's (objects
//! that could not be read aside) is a reading bug, named as such.
//!
//! [`SYSTEM_CATALOGS`] sorts every table of `pg_catalog` into "counted here" or "holds parts of
//! other objects, or nothing a schema diff covers"; a test over each server version keeps that
//! list complete, so a catalog a new release adds is a decision, not a blind spot.

use crate::model::{Catalog, Exclusions, ObjectRef, TypeKind, Unreadable};
use serde::Serialize;

/// One line of the census: a kind of object, in one catalog.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CensusRow {
    pub catalog: String,
    /// What the rows are (`tables`, `rules`, ...).
    pub what: String,
    /// How many the database holds.
    pub in_database: i64,
    /// How many the model holds; `None` for a kind tidemark does not model yet.
    pub modeled: Option<i64>,
    /// Each object of a kind not modeled: as the server describes it, and its identity
    /// (`schema.name`, what `exclude` patterns match).
    pub unmodeled: Vec<(String, String)>,
    /// Not compared: objects of this kind could not be read (they are named already).
    pub excused: bool,
}

/// The whole census, and what it found wrong.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Census {
    pub rows: Vec<CensusRow>,
}

impl Census {
    /// Every object the database holds that the model does not: each by description, with
    /// why (a kind not modeled yet, or a count that does not add up). Not the [`Census::not_compared`]
    /// ones.
    pub fn left_out(&self, exclude: &Exclusions) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rows {
            match r.modeled {
                None if NOT_COMPARED.contains(&r.catalog.as_str()) => {}
                None => out.extend(
                    r.unmodeled
                        .iter()
                        .filter(|(_, identity)| !exclude.text(identity))
                        .map(|(d, _)| format!("{d}: tidemark does not model {} yet", r.what)),
                ),
                Some(m) if m != r.in_database && !r.excused => out.push(format!(
                    "{} ({}): the database holds {}, tidemark read {m} (a tidemark bug; please report it)",
                    r.what, r.catalog, r.in_database
                )),
                Some(_) => {}
            }
        }
        out
    }

    /// What a run names in a warning and does not compare: settings of the database (by name,
    /// never value) and subscriptions.
    pub fn not_compared(&self, exclude: &Exclusions) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| r.modeled.is_none() && NOT_COMPARED.contains(&r.catalog.as_str()))
            .flat_map(|r| {
                r.unmodeled
                    .iter()
                    .filter(|(_, identity)| !exclude.text(identity))
                    .map(move |(d, _)| format!("{d}: {} are not compared", r.what))
            })
            .collect()
    }

    /// The census as a table, one line per row.
    pub fn table(&self) -> String {
        let mut s = format!("{:<24} {:<28} {:>11} {:>8}\n", "catalog", "objects", "in database", "modeled");
        for r in &self.rows {
            let modeled = r.modeled.map(|m| m.to_string()).unwrap_or_else(|| "-".into());
            s.push_str(&format!("{:<24} {:<28} {:>11} {:>8}\n", r.catalog, r.what, r.in_database, modeled));
        }
        s
    }
}

/// Catalogs of what a run names in a warning but does not compare, and does not count as left
/// out: a database's own settings (`ALTER DATABASE ... SET`, `ALTER ROLE ... IN DATABASE ...
/// SET`: not modeled yet, and often set by whoever provisions the database rather than by the
/// schema), and subscriptions (connections to another server: outside a schema diff).
const NOT_COMPARED: &[&str] = &["pg_db_role_setting", "pg_subscription"];

/// What the model holds of one census kind; `None` for a kind it does not model.
fn modeled_count(what: &str, cat: &Catalog) -> Option<i64> {
    let types = |f: fn(&TypeKind) -> bool| cat.types.values().filter(|t| f(&t.kind)).count();
    let n = match what {
        "schemas" => cat.schemas.len(),
        "extensions" => cat.extensions.len(),
        "tables" => cat.tables.len(),
        "views" => cat.views.len(),
        "sequences" => cat.sequences.len(),
        "indexes" => cat.indexes.len(),
        "composite types" => types(|k| matches!(k, TypeKind::Composite { .. })),
        "enum types" => types(|k| matches!(k, TypeKind::Enum { .. })),
        "domains" => types(|k| matches!(k, TypeKind::Domain(_))),
        "range types" => types(|k| matches!(k, TypeKind::Range(_))),
        "functions and procedures" => cat.functions.len(),
        "aggregates" => cat.aggregates.len(),
        "table constraints" => cat.tables.values().map(|t| t.constraints.len()).sum(),
        "column options" => cat.tables.values().flat_map(|t| &t.columns).filter(|c| !c.options.is_empty()).count(),
        "domain constraints" => cat
            .types
            .values()
            .map(|t| match &t.kind {
                TypeKind::Domain(d) => d.checks.len(),
                _ => 0,
            })
            .sum(),
        "triggers" => cat.triggers.len(),
        "policies" => cat.policies.len(),
        "rules" => cat.rules.len(),
        "casts" => cat.casts.len(),
        "text search dictionaries" => cat.text_search_dictionaries.len(),
        "statistics" => cat.statistics.len(),
        "collations" => cat.collations.len(),
        "text search configurations" => cat.text_search_configs.len(),
        "event triggers" => cat.event_triggers.len(),
        "default privileges" => cat.default_privileges.len(),
        _ => return None,
    };
    Some(n as i64)
}

/// The census kinds an unreadable object counts in (it is missing from the model for a reason
/// already given).
fn kinds_of(object: &ObjectRef) -> &'static [&'static str] {
    match object {
        ObjectRef::Table(_) | ObjectRef::Column(..) | ObjectRef::ColumnDefault(..) => {
            &["tables", "table constraints", "indexes", "triggers", "policies", "rules", "statistics", "column options"]
        }
        ObjectRef::Type(_) => &["composite types", "enum types", "domains", "domain constraints", "range types"],
        ObjectRef::Sequence(_) => &["sequences"],
        ObjectRef::Constraint(..) => &["table constraints"],
        ObjectRef::Index(_) => &["indexes"],
        ObjectRef::View(_) => &["views", "indexes", "rules", "statistics"],
        ObjectRef::Function(_) => &["functions and procedures"],
        ObjectRef::Aggregate(_) => &["aggregates"],
        ObjectRef::Trigger(..) => &["triggers"],
        ObjectRef::Policy(..) => &["policies"],
        ObjectRef::Rule(..) => &["rules"],
        ObjectRef::Cast(_) => &["casts"],
        ObjectRef::TextSearchDictionary(_) => &["text search dictionaries"],
        ObjectRef::Statistics(_) => &["statistics"],
        ObjectRef::TextSearchConfig(_) => &["text search configurations"],
        ObjectRef::Schema(_) => &["schemas"],
        ObjectRef::Extension(_) => &["extensions"],
        ObjectRef::Collation(_) => &["collations"],
        ObjectRef::EventTrigger(_) => &["event triggers"],
        ObjectRef::DefaultPrivileges(_) => &["default privileges"],
    }
}

/// A row of `census.sql`: catalog, what, modeled, count, and (description, identity) of each
/// object of a kind not modeled.
pub type CountedRow = (String, String, bool, i64, Vec<(String, String)>);

/// The census of a database, from `census.sql`'s rows `(catalog, what, modeled, count,
/// objects)` and the catalog read from it. A kind with unreadable objects is not compared
/// (they are named already).
pub fn census(rows: Vec<CountedRow>, cat: &Catalog, unreadable: &[Unreadable]) -> Census {
    let rows = rows
        .into_iter()
        .map(|(catalog, what, modeled, in_database, objects)| {
            let model = if modeled { modeled_count(&what, cat) } else { None };
            let excused = unreadable.iter().any(|u| kinds_of(&u.object).contains(&what.as_str()));
            CensusRow {
                catalog,
                modeled: model,
                in_database,
                unmodeled: if model.is_none() { objects } else { Vec::new() },
                excused,
                what,
            }
        })
        .collect();
    Census { rows }
}

/// Every table of `pg_catalog`, sorted into the ones the census counts and the ones that hold
/// parts of other objects (columns, dependencies, comments, ...) or nothing a schema diff
/// covers (roles, databases, tablespaces: cluster-wide).
pub const SYSTEM_CATALOGS: &[(&str, bool)] = &[
    ("pg_aggregate", false), // part of a pg_proc aggregate
    ("pg_am", true),
    ("pg_amop", false), // part of an operator family
    ("pg_amproc", false),
    ("pg_attrdef", false), // a column default
    ("pg_attribute", true),
    ("pg_auth_members", false), // cluster-wide
    ("pg_authid", false),
    ("pg_cast", true),
    ("pg_class", true),
    ("pg_collation", true),
    ("pg_constraint", true),
    ("pg_conversion", true),
    ("pg_database", false),
    ("pg_db_role_setting", true),
    ("pg_default_acl", true),
    ("pg_depend", false),
    ("pg_description", false), // comments, part of each object
    ("pg_enum", false),        // labels of a pg_type enum
    ("pg_event_trigger", true),
    ("pg_extension", true),
    ("pg_foreign_data_wrapper", true),
    ("pg_foreign_server", true),
    ("pg_foreign_table", false), // part of a pg_class foreign table
    ("pg_index", false),         // part of a pg_class index
    ("pg_inherits", false),
    ("pg_init_privs", false),
    ("pg_language", true),
    ("pg_largeobject", false), // data, not schema
    ("pg_largeobject_metadata", false),
    ("pg_namespace", true),
    ("pg_opclass", true),
    ("pg_operator", true),
    ("pg_opfamily", true),
    ("pg_parameter_acl", false), // cluster-wide (15+)
    ("pg_partitioned_table", false),
    ("pg_policy", true),
    ("pg_proc", true),
    ("pg_publication", true),
    ("pg_publication_namespace", false), // part of a publication
    ("pg_publication_rel", false),
    ("pg_range", false), // part of a pg_type range
    ("pg_replication_origin", false),
    ("pg_rewrite", true),
    ("pg_seclabel", false), // security labels: providers are loaded modules
    ("pg_sequence", false), // part of a pg_class sequence
    ("pg_shdepend", false),
    ("pg_shdescription", false),
    ("pg_shseclabel", false),
    ("pg_statistic", false), // planner statistics (data)
    ("pg_statistic_ext", true),
    ("pg_statistic_ext_data", false),
    ("pg_subscription", true),
    ("pg_subscription_rel", false),
    ("pg_tablespace", false),
    ("pg_transform", true),
    ("pg_trigger", true),
    ("pg_ts_config", true),
    ("pg_ts_config_map", false), // part of a configuration
    ("pg_ts_dict", true),
    ("pg_ts_parser", true),
    ("pg_ts_template", true),
    ("pg_type", true),
    ("pg_user_mapping", true),
];
