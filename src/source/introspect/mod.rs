//! Live database → [`Catalog`]. One read-only REPEATABLE READ transaction, one batched query
//! per object kind (never one per table), system schemas and extension-owned objects left out.
//!
//! The catalog's own SQL text (`format_type`, `pg_get_expr`, `pg_get_constraintdef`,
//! `pg_get_indexdef`) is printed under an empty search_path, so every non-builtin name comes
//! qualified, and it goes through the same builders as the user's SQL (`source::parse::build`):
//! that is what makes the two sides comparable.

use crate::model::{
    parse_aclitem, Acl, Attribute, Catalog, Column, Domain, DomainCheck, Extension, Identity, ObjectRef, QualifiedName,
    ReplicaIdentity, Schema, Sequence, SequenceOptions, Table, TypeDef, TypeKind, TypeRef, Unreadable,
};
use crate::normalize::{expr::is_null_constant, types::storage_from_char, ExprContext, Scope};
use crate::source::parse::build;
use std::collections::{BTreeMap, HashMap};
use tokio_postgres::{Client, Row};

pub mod census;
mod routines;
mod rows;
pub mod version;

use rows::{build_catalog, Unreadables};
pub use version::ServerVersion;

#[derive(Debug, thiserror::Error)]
pub enum IntrospectError {
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("catalog query `{query}` failed: {message}")]
    Query { query: &'static str, message: String },
    #[error("cannot read {what}: {message}")]
    Model { what: String, message: String },
    #[error("{} object(s) could not be read:\n{}", .0.len(), .0.iter().map(|u| format!("  {u}")).collect::<Vec<_>>().join("\n"))]
    Unreadable(Vec<Unreadable>),
    #[error("{} object(s) are not modeled:\n{}", .0.len(), .0.iter().map(|u| format!("  {u}")).collect::<Vec<_>>().join("\n"))]
    LeftOut(Vec<String>),
    #[error("{0}")]
    Runtime(String),
}

pub use crate::source::connstr::connect;

/// The longest any one catalog query may run (`statement_timeout`, set on the introspection
/// transaction): a server too busy or too locked to answer is an error, not a hang.
pub const CATALOG_STATEMENT_TIMEOUT: &str = "5min";

/// The server's message, with its detail, rather than tokio-postgres' generic "db error".
pub fn error_text(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_string();
            if let Some(d) = db.detail() {
                s.push_str(&format!(" ({d})"));
            }
            s
        }
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(&format!(": {inner}"));
                src = inner.source();
            }
            s
        }
    }
}

/// What reading a database gave: the catalog of what could be read, what could not (left out
/// of the catalog, named with the reason), and the server's version.
#[derive(Debug)]
pub struct Introspected {
    pub catalog: Catalog,
    pub unreadable: Vec<Unreadable>,
    /// Every user object by catalog, against the model: what it names in `left_out` is in the
    /// database and not in `catalog`.
    pub census: census::Census,
    pub version: ServerVersion,
}

/// What a run leaves out of a database: objects that could not be read, and objects of kinds
/// tidemark does not model (by the server's description, from the census).
#[derive(Clone, Debug, Default)]
pub struct LeftOut {
    pub unreadable: Vec<Unreadable>,
    pub not_modeled: Vec<String>,
    /// Named in a warning, not compared, not an error (the database's settings, ...).
    pub not_compared: Vec<String>,
}

impl LeftOut {
    pub fn is_empty(&self) -> bool {
        self.unreadable.is_empty() && self.not_modeled.is_empty()
    }

    /// Add what `other` leaves out (each object once: both sides may be the same database).
    pub fn extend(&mut self, other: &LeftOut) {
        self.unreadable.extend(other.unreadable.iter().cloned());
        self.unreadable.sort();
        self.unreadable.dedup();
        self.not_modeled.extend(other.not_modeled.iter().cloned());
        self.not_modeled.sort();
        self.not_modeled.dedup();
        self.not_compared.extend(other.not_compared.iter().cloned());
        self.not_compared.sort();
        self.not_compared.dedup();
    }
}

impl Introspected {
    /// What the run leaves out, but for what `exclude` leaves out on purpose.
    pub fn left_out(&self, exclude: &crate::model::Exclusions) -> LeftOut {
        LeftOut {
            unreadable: self.unreadable.iter().filter(|u| !excluded(&u.object, exclude)).cloned().collect(),
            not_modeled: self.census.left_out(exclude),
            not_compared: self.census.not_compared(exclude),
        }
    }

    /// The catalog, or an error naming every object that could not be read or is not modeled.
    pub fn complete(self) -> Result<Catalog, IntrospectError> {
        let left_out = self.census.left_out(&crate::model::Exclusions::default());
        if !self.unreadable.is_empty() {
            Err(IntrospectError::Unreadable(self.unreadable))
        } else if !left_out.is_empty() {
            Err(IntrospectError::LeftOut(left_out))
        } else {
            Ok(self.catalog)
        }
    }
}

/// Introspect on a private single-threaded runtime (for callers that are not async); an
/// object that cannot be read is an error.
pub fn introspect_blocking(url: &str) -> Result<Catalog, IntrospectError> {
    read_blocking_with(url, &mut |_| {})?.complete()
}

/// Read a database on a private single-threaded runtime, telling `progress` what it is
/// reading. Objects that cannot be read are returned beside the catalog, not an error.
pub fn read_blocking_with(url: &str, progress: &mut dyn FnMut(&str)) -> Result<Introspected, IntrospectError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| IntrospectError::Runtime(e.to_string()))?;
    rt.block_on(async {
        progress("connecting");
        let client = connect(url).await?;
        read_with(&client, progress).await
    })
}

struct Queries {
    schemas: Vec<Row>,
    extensions: Vec<Row>,
    types: Vec<Row>,
    collations: Vec<Row>,
    type_attributes: Vec<Row>,
    domain_constraints: Vec<Row>,
    sequences: Vec<Row>,
    tables: Vec<Row>,
    columns: Vec<Row>,
    constraints: Vec<Row>,
    indexes: Vec<Row>,
    views: Vec<Row>,
    functions: Vec<Row>,
    aggregates: Vec<Row>,
    triggers: Vec<Row>,
    event_triggers: Vec<Row>,
    policies: Vec<Row>,
    rules: Vec<Row>,
    casts: Vec<Row>,
    default_privileges: Vec<Row>,
    statistics: Vec<Row>,
    text_search_configs: Vec<Row>,
    text_search_dictionaries: Vec<Row>,
    census: Vec<Row>,
    read_as: String,
}

/// Every catalog query, by name (`queries/<name>.sql`), written against the newest catalog.
pub(crate) const QUERIES: &[(&str, &str)] = &[
    ("schemas", include_str!("queries/schemas.sql")),
    ("extensions", include_str!("queries/extensions.sql")),
    ("types", include_str!("queries/types.sql")),
    ("collations", include_str!("queries/collations.sql")),
    ("type_attributes", include_str!("queries/type_attributes.sql")),
    ("domain_constraints", include_str!("queries/domain_constraints.sql")),
    ("sequences", include_str!("queries/sequences.sql")),
    ("tables", include_str!("queries/tables.sql")),
    ("columns", include_str!("queries/columns.sql")),
    ("constraints", include_str!("queries/constraints.sql")),
    ("indexes", include_str!("queries/indexes.sql")),
    ("views", include_str!("queries/views.sql")),
    ("functions", include_str!("queries/functions.sql")),
    ("aggregates", include_str!("queries/aggregates.sql")),
    ("triggers", include_str!("queries/triggers.sql")),
    ("event_triggers", include_str!("queries/event_triggers.sql")),
    ("policies", include_str!("queries/policies.sql")),
    ("rules", include_str!("queries/rules.sql")),
    ("casts", include_str!("queries/casts.sql")),
    ("default_privileges", include_str!("queries/default_privileges.sql")),
    ("statistics", include_str!("queries/statistics.sql")),
    ("text_search_dictionaries", include_str!("queries/text_search_dictionaries.sql")),
    ("text_search_configs", include_str!("queries/text_search_configs.sql")),
    ("census", include_str!("queries/census.sql")),
];

async fn run(
    client: &Client,
    version: ServerVersion,
    name: &'static str,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Row>, IntrospectError> {
    progress(&format!("reading the catalog: {}", name.replace('_', " ")));
    let sql = QUERIES.iter().find(|(n, _)| *n == name).map(|(_, sql)| *sql).expect("a known query");
    let sql = version::adapt(sql, version).map_err(|message| IntrospectError::Query { query: name, message })?;
    client.query(sql.as_ref(), &[]).await.map_err(|e| IntrospectError::Query { query: name, message: error_text(&e) })
}

/// The server's version, or a clear error when tidemark does not read it.
pub async fn server_version(client: &Client) -> Result<ServerVersion, IntrospectError> {
    let row = client
        .query_one("SELECT current_setting('server_version_num')::int", &[])
        .await
        .map_err(|e| IntrospectError::Query { query: "server_version_num", message: error_text(&e) })?;
    let num: i32 = row.get(0);
    ServerVersion::supported(num.max(0) as u32).map_err(IntrospectError::Runtime)
}

/// Read the catalog of the database `client` is connected to; an object that cannot be read
/// is an error.
pub async fn introspect(client: &Client) -> Result<Catalog, IntrospectError> {
    read_with(client, &mut |_| {}).await?.complete()
}

/// Read the catalog of the database `client` is connected to, telling `progress` what it is
/// reading: one object that cannot be read does not stop the rest.
pub async fn read_with(client: &Client, progress: &mut dyn FnMut(&str)) -> Result<Introspected, IntrospectError> {
    let version = server_version(client).await?;
    let q = |e: tokio_postgres::Error| IntrospectError::Query { query: "BEGIN", message: error_text(&e) };
    client
        .batch_execute(&format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path = ''; \
             SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres'; \
             SET LOCAL extra_float_digits = 3; SET LOCAL quote_all_identifiers = on; SET LOCAL statement_timeout = '{CATALOG_STATEMENT_TIMEOUT}'",
        ))
        .await
        .map_err(q)?;
    let queries = Queries {
        schemas: run(client, version, "schemas", progress).await?,
        extensions: run(client, version, "extensions", progress).await?,
        types: run(client, version, "types", progress).await?,
        collations: run(client, version, "collations", progress).await?,
        type_attributes: run(client, version, "type_attributes", progress).await?,
        domain_constraints: run(client, version, "domain_constraints", progress).await?,
        sequences: run(client, version, "sequences", progress).await?,
        tables: run(client, version, "tables", progress).await?,
        columns: run(client, version, "columns", progress).await?,
        constraints: run(client, version, "constraints", progress).await?,
        indexes: run(client, version, "indexes", progress).await?,
        views: run(client, version, "views", progress).await?,
        functions: run(client, version, "functions", progress).await?,
        aggregates: run(client, version, "aggregates", progress).await?,
        triggers: run(client, version, "triggers", progress).await?,
        event_triggers: run(client, version, "event_triggers", progress).await?,
        policies: run(client, version, "policies", progress).await?,
        rules: run(client, version, "rules", progress).await?,
        casts: run(client, version, "casts", progress).await?,
        default_privileges: run(client, version, "default_privileges", progress).await?,
        statistics: run(client, version, "statistics", progress).await?,
        text_search_dictionaries: run(client, version, "text_search_dictionaries", progress).await?,
        text_search_configs: run(client, version, "text_search_configs", progress).await?,
        // Last: the census names objects for people to read, not for the parser.
        census: {
            client.batch_execute("SET LOCAL quote_all_identifiers = off").await.map_err(q)?;
            run(client, version, "census", progress).await?
        },
        read_as: client
            .query_one("SELECT current_user::text", &[])
            .await
            .map_err(|e| IntrospectError::Query { query: "current_user", message: error_text(&e) })?
            .get(0),
    };
    client.batch_execute("COMMIT").await.map_err(q)?;
    progress(&format!("building the model of {} tables", queries.tables.len()));
    let mut unreadable = Unreadables::default();
    let catalog = build_catalog(&queries, &mut unreadable);
    let mut unreadable = unreadable.0;
    unreadable.sort();
    unreadable.dedup();
    let rows = queries
        .census
        .iter()
        .map(|r| {
            let objects: Vec<String> = r.get("objects");
            let identities: Vec<String> = r.get("identities");
            (
                r.get("catalog"),
                r.get("what"),
                r.get("modeled"),
                r.get("count"),
                objects.into_iter().zip(identities).collect(),
            )
        })
        .collect();
    let census = census::census(rows, &catalog, &unreadable);
    Ok(Introspected { catalog, unreadable, census, version })
}

/// Whether `exclude` names an object (a member by its table).
fn excluded(object: &ObjectRef, exclude: &crate::model::Exclusions) -> bool {
    match object {
        ObjectRef::Schema(s) => exclude.text(&format!("{s}.*")),
        ObjectRef::Extension(n) | ObjectRef::EventTrigger(n) => exclude.text(n),
        ObjectRef::Type(n)
        | ObjectRef::Collation(n)
        | ObjectRef::Sequence(n)
        | ObjectRef::Table(n)
        | ObjectRef::Index(n)
        | ObjectRef::View(n)
        | ObjectRef::Statistics(n)
        | ObjectRef::TextSearchConfig(n)
        | ObjectRef::TextSearchDictionary(n) => exclude.qualified(n),
        ObjectRef::Rule(t, _)
        | ObjectRef::Column(t, _)
        | ObjectRef::ColumnDefault(t, _)
        | ObjectRef::Constraint(t, _)
        | ObjectRef::Trigger(t, _)
        | ObjectRef::Policy(t, _) => exclude.qualified(t),
        ObjectRef::Function(r) | ObjectRef::Aggregate(r) => exclude.qualified(&r.name),
        ObjectRef::Cast(c) => exclude.text(&c.to_string()),
        ObjectRef::DefaultPrivileges(_) => false,
    }
}
