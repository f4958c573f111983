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
pub mod version;
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

/// What could not be read, collected while the catalog is built.
#[derive(Default)]
struct Unreadables(Vec<Unreadable>);

impl Unreadables {
    /// The value, or `None` with `object` noted as unreadable for the reason `result` gives.
    fn note<T>(&mut self, object: impl FnOnce() -> ObjectRef, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(reason) => {
                self.0.push(Unreadable { object: object(), reason });
                None
            }
        }
    }

    fn add(&mut self, object: ObjectRef, reason: impl Into<String>) {
        self.0.push(Unreadable { object, reason: reason.into() });
    }
}

fn qn(row: &Row, schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(row.get::<_, String>(schema), row.get::<_, String>(name))
}

/// `reloptions` (`{fillfactor=70}`) as a map.
fn reloptions(items: Vec<String>) -> std::collections::BTreeMap<String, String> {
    items
        .into_iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (o, String::new()),
        })
        .collect()
}

/// An ACL column (`aclitem[]` as text), relative to the object's owner.
fn acl(row: &Row, owner: &str) -> Acl {
    row.get::<_, Option<Vec<String>>>("acl").map(|items| items.iter().flat_map(|i| parse_aclitem(i, owner)).collect())
}

/// The parts of a dotted name as the catalog prints it, quoted parts unquoted (`""` is `"`).
fn split_quoted(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                parts.last_mut().expect("a part").push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c => parts.last_mut().expect("a part").push(c),
        }
    }
    parts
}

/// A dotted name, each part quoted only where `quote_ident` would.
fn requoted(text: &str) -> String {
    split_quoted(text).iter().map(|p| crate::model::quote_ident(p)).collect::<Vec<_>>().join(".")
}

fn split_qualified(text: &str) -> QualifiedName {
    let (s, n) = text.split_once('.').unwrap_or(("pg_catalog", text));
    QualifiedName::new(s, n)
}

/// Types are printed the same way many times: parse each text once.
#[derive(Default)]
struct TypeCache(HashMap<String, TypeRef>);

impl TypeCache {
    fn get(&mut self, text: &str, scope: &Scope) -> Result<TypeRef, String> {
        if let Some(t) = self.0.get(text) {
            return Ok(t.clone());
        }
        let t = build::type_from_text(text, scope)?;
        self.0.insert(text.to_string(), t.clone());
        Ok(t)
    }
}

fn build_catalog(q: &Queries, bad: &mut Unreadables) -> Catalog {
    let mut cat = Catalog::default();
    let empty_path: Vec<String> = Vec::new();
    for r in &q.schemas {
        let name: String = r.get("name");
        let owner: String = r.get("owner");
        cat.schemas
            .insert(name.clone(), Schema { name, acl: acl(r, &owner), owner: Some(owner), comment: r.get("comment") });
    }
    for r in &q.extensions {
        let name: String = r.get("name");
        cat.extensions.insert(
            name.clone(),
            Extension { name, schema: r.get("schema"), version: r.get("version"), comment: r.get("comment") },
        );
    }
    for r in &q.collations {
        let name = qn(r, "schema", "name");
        cat.collations.insert(
            name.clone(),
            crate::model::Collation {
                name,
                provider: r.get("provider"),
                icu_locale: r.get("icu_locale"),
                lc_collate: r.get("lc_collate"),
                lc_ctype: r.get("lc_ctype"),
                deterministic: r.get("deterministic"),
                owner: Some(r.get("owner")),
                comment: r.get("comment"),
            },
        );
    }
    text_search_dictionaries(q, &mut cat, bad);
    text_search_configs(q, &mut cat, bad);
    // Types: names first (they reference each other), then what they are made of.
    for r in &q.types {
        let name = qn(r, "schema", "name");
        let kind = match r.get::<_, String>("kind").as_str() {
            "e" => TypeKind::Enum { labels: r.get("labels") },
            "c" => TypeKind::Composite { attributes: Vec::new() },
            _ => TypeKind::Enum { labels: Vec::new() }, // a domain or a range, filled in below
        };
        let owner: String = r.get("owner");
        cat.types.insert(
            name.clone(),
            TypeDef { name, kind, acl: acl(r, &owner), owner: Some(owner), comment: r.get("comment") },
        );
    }
    let mut types = TypeCache::default();
    // Range types before domains: a domain over a multirange names it through its range.
    for r in q.types.iter().filter(|r| r.get::<_, String>("kind") == "r") {
        let name = qn(r, "schema", "name");
        let snapshot = cat.clone();
        let scope = Scope::new(&snapshot, &empty_path);
        let range = build::range::range_from_def(&r.get::<_, String>("range_def"), &name, &scope);
        match bad.note(|| ObjectRef::Type(name.clone()), range) {
            Some(range) => cat.types.get_mut(&name).expect("inserted").kind = TypeKind::Range(Box::new(range)),
            None => {
                cat.types.remove(&name);
            }
        }
    }
    for r in q.types.iter().filter(|r| r.get::<_, String>("kind") == "d") {
        let name = qn(r, "schema", "name");
        let domain = domain(q, r, &name, &cat, &mut types);
        match bad.note(|| ObjectRef::Type(name.clone()), domain) {
            Some(domain) => cat.types.get_mut(&name).expect("inserted").kind = TypeKind::Domain(Box::new(domain)),
            None => {
                cat.types.remove(&name);
            }
        }
    }
    let mut unread_types = std::collections::BTreeSet::new();
    for r in &q.type_attributes {
        let name = qn(r, "schema", "type_name");
        if unread_types.contains(&name) {
            continue;
        }
        let scope = Scope::new(&cat, &empty_path);
        let ty = types.get(&r.get::<_, String>("type"), &scope).map_err(|e| format!("attribute {}: {e}", quote(r)));
        let Some(ty) = bad.note(|| ObjectRef::Type(name.clone()), ty) else {
            cat.types.remove(&name);
            unread_types.insert(name);
            continue;
        };
        let attr = Attribute {
            name: r.get("name"),
            ty,
            collation: r.get::<_, Option<String>>("collation").map(|c| split_qualified(&c)),
            comment: r.get("comment"),
        };
        if let Some(TypeKind::Composite { attributes }) = cat.types.get_mut(&name).map(|t| &mut t.kind) {
            attributes.push(attr);
        }
    }
    for r in &q.sequences {
        let name = qn(r, "schema", "name");
        let scope = Scope::new(&cat, &empty_path);
        let data_type = types.get(&r.get::<_, String>("data_type"), &scope);
        let Some(data_type) = bad.note(|| ObjectRef::Sequence(name.clone()), data_type) else { continue };
        let owned_by = match (
            r.get::<_, Option<String>>("owned_by_schema"),
            r.get::<_, Option<String>>("owned_by_table"),
            r.get::<_, Option<String>>("owned_by_column"),
        ) {
            (Some(s), Some(t), Some(c)) => Some((QualifiedName::new(s, t), c)),
            _ => None,
        };
        let options = SequenceOptions {
            data_type,
            start: r.get("start"),
            increment: r.get("increment"),
            min: r.get("min"),
            max: r.get("max"),
            cache: r.get("cache"),
            cycle: r.get("cycle"),
        };
        let owner: String = r.get("owner");
        cat.sequences.insert(
            name.clone(),
            Sequence { name, options, owned_by, acl: acl(r, &owner), owner: Some(owner), comment: r.get("comment") },
        );
    }
    for r in &q.tables {
        let name = qn(r, "schema", "name");
        let mut t = Table::new(name.clone());
        t.unlogged = r.get::<_, String>("persistence") == "u";
        t.options = reloptions(r.get("options"));
        t.replica_identity = match r.get::<_, String>("replica_identity").as_str() {
            "f" => ReplicaIdentity::Full,
            "n" => ReplicaIdentity::Nothing,
            "i" => ReplicaIdentity::Index(r.get::<_, Option<String>>("replica_index").unwrap_or_default()),
            _ => ReplicaIdentity::Default,
        };
        t.cluster_on = r.get("cluster_on");
        t.rls_enabled = r.get("rls_enabled");
        t.rls_forced = r.get("rls_forced");
        let owner: String = r.get("owner");
        t.acl = acl(r, &owner);
        t.owner = Some(owner);
        t.comment = r.get("comment");
        cat.tables.insert(name, t);
    }
    // Columns, without their expressions (which need every table's columns to resolve). A
    // column whose type cannot be read makes its whole table unreadable: a table missing a
    // column would plan an ADD or a DROP of it.
    let mut exprs = Vec::new();
    let mut unread_tables = std::collections::BTreeSet::new();
    for r in &q.columns {
        let table = qn(r, "schema", "table_name");
        if unread_tables.contains(&table) {
            continue;
        }
        match column(r, &table, &cat, &mut types) {
            Ok(col) => {
                exprs.push((
                    table.clone(),
                    col.name.clone(),
                    r.get::<_, Option<String>>("default_expr"),
                    r.get::<_, Option<String>>("generated_expr"),
                    crate::model::GeneratedKind::from_char(&r.get::<_, String>("generated_kind")),
                ));
                match cat.tables.get_mut(&table) {
                    Some(t) => t.columns.push(col),
                    None => bad.add(ObjectRef::Table(table), "columns of a table the catalog did not list"),
                }
            }
            Err(reason) => {
                bad.add(ObjectRef::Table(table.clone()), reason);
                cat.tables.remove(&table);
                unread_tables.insert(table);
            }
        }
    }
    partitions(q, &mut cat, bad);
    // Routines before expressions: a default or CHECK that calls a function depends on it.
    routines_and_views(q, &mut cat, &mut types, bad);
    // Domains again, now that the routines their checks and defaults call are known (read
    // before them, the calls resolved to no routine, and the plan could not order them).
    for r in q.types.iter().filter(|r| r.get::<_, String>("kind") == "d") {
        let name = qn(r, "schema", "name");
        if !cat.types.contains_key(&name) {
            continue;
        }
        let snapshot = cat.clone();
        if let Ok(domain) = domain(q, r, &name, &snapshot, &mut types) {
            cat.types.get_mut(&name).expect("read").kind = TypeKind::Domain(Box::new(domain));
        }
    }
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for (table, column, default, generated, kind) in exprs {
        let Some(ty) = snapshot.tables.get(&table).and_then(|t| t.column(&column)).map(|c| c.ty.clone()) else {
            continue; // its table could not be read
        };
        let cx = ExprContext { scope, table: Some(&table), target: Some(&ty) };
        let default = default.map(|d| build::expr_from_text(&d, &cx)).transpose();
        let generated = generated.map(|d| build::expr_from_text(&d, &cx)).transpose();
        let Some(t) = cat.tables.get_mut(&table) else { continue };
        let Some(generated) = bad.note(|| ObjectRef::Column(table.clone(), column.clone()), generated) else {
            t.columns.retain(|c| c.name != column);
            continue;
        };
        let default = bad.note(|| ObjectRef::ColumnDefault(table.clone(), column.clone()), default).flatten();
        let col = t.column_mut(&column).expect("column");
        col.default = default.filter(|d| !is_null_constant(d));
        col.generated = generated.map(|expr| crate::model::Generated { expr, kind });
    }
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.constraints {
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let def: String = r.get("definition");
        let Some(t) = snapshot.tables.get(&table) else {
            if !unread_tables.contains(&table) {
                bad.add(ObjectRef::Constraint(table, name), "a constraint of a table the catalog did not list");
            }
            continue;
        };
        let built = build::constraint_from_def(t, &name, &def, &scope);
        let Some(mut c) = bad.note(|| ObjectRef::Constraint(table.clone(), name.clone()), built) else { continue };
        c.deferrable = r.get("deferrable");
        c.initially_deferred = r.get("deferred");
        c.validated = r.get("validated");
        c.comment = r.get("comment");
        let options = reloptions(r.get("index_options"));
        let index_comment: Option<String> = r.get("index_comment");
        match &mut c.kind {
            crate::model::ConstraintKind::PrimaryKey(k) | crate::model::ConstraintKind::Unique(k) => {
                k.index.options = options;
                k.index.comment = index_comment;
            }
            crate::model::ConstraintKind::Exclude(x) => {
                x.index.options = options;
                x.index.comment = index_comment;
            }
            _ => {}
        }
        cat.tables.get_mut(&table).expect("table").constraints.insert(name, c);
    }
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.indexes {
        let name = qn(r, "schema", "name");
        let def: String = r.get("definition");
        let Some(mut index) = bad.note(|| ObjectRef::Index(name.clone()), build::index_from_def(&def, &scope)) else {
            continue;
        };
        if unread_tables.contains(&index.table) {
            continue;
        }
        index.comment = r.get("comment");
        index.invalid = r.get("invalid");
        cat.indexes.insert(name, index);
    }
    triggers_and_policies(q, &mut cat, bad);
    statistics(q, &mut cat, bad);
    for r in &q.default_privileges {
        let role: String = r.get("role");
        let object =
            r.get::<_, String>("object").chars().next().and_then(crate::model::DefaultAclObject::from_catalog_char);
        let Some(object) = object else { continue };
        let key = crate::model::DefaultAclKey { role: Some(role.clone()), schema: r.get("schema"), object };
        cat.default_privileges.insert(key, acl(r, &role).unwrap_or_default());
    }
    cat.read_as = crate::model::Derived(Some(q.read_as.clone()));
    cat
}

/// A row's `name` column, quoted, for reasons.
fn quote(r: &Row) -> String {
    crate::model::quote_ident(&r.get::<_, String>("name"))
}

/// A domain's base type, default and checks.
fn domain(q: &Queries, r: &Row, name: &QualifiedName, cat: &Catalog, types: &mut TypeCache) -> Result<Domain, String> {
    let empty_path: Vec<String> = Vec::new();
    let scope = Scope::new(cat, &empty_path);
    let base = types.get(&r.get::<_, String>("base"), &scope)?;
    let default = match r.get::<_, Option<String>>("default_expr") {
        Some(text) => {
            let cx = ExprContext { scope, table: None, target: Some(&base) };
            Some(build::expr_from_text(&text, &cx).map_err(|e| format!("its default: {e}"))?)
        }
        None => None,
    };
    let mut checks = std::collections::BTreeMap::new();
    for c in q.domain_constraints.iter().filter(|c| qn(c, "schema", "type_name") == *name) {
        let def: String = c.get("definition");
        let text = def.strip_prefix("CHECK ").unwrap_or(&def);
        let cx = ExprContext { scope, table: None, target: Some(&base) };
        let expr = build::expr_from_text(text.trim_end_matches(" NOT VALID"), &cx)
            .map_err(|e| format!("constraint {}: {e}", quote(c)))?;
        checks.insert(
            c.get::<_, String>("name"),
            DomainCheck { expr, validated: c.get("validated"), comment: c.get("comment") },
        );
    }
    Ok(Domain {
        base,
        collation: r.get::<_, Option<String>>("collation").map(|c| split_qualified(&c)),
        default: default.filter(|d| !is_null_constant(d)),
        not_null: r.get("not_null"),
        checks,
    })
}

/// A column of `table`, without its default and generation expression.
fn column(r: &Row, table: &QualifiedName, cat: &Catalog, types: &mut TypeCache) -> Result<Column, String> {
    let empty_path: Vec<String> = Vec::new();
    let scope = Scope::new(cat, &empty_path);
    let ty = types.get(&r.get::<_, String>("type"), &scope).map_err(|e| format!("column {}: {e}", quote(r)))?;
    let mut col = Column::new(r.get::<_, String>("name"), ty);
    col.not_null = r.get("not_null");
    if let Some(what) = r.get::<_, Option<String>>("not_null_unmodelled") {
        return Err(format!("column {}: {what} (PostgreSQL 18) is not supported by tidemark yet", quote(r)));
    }
    col.inherited = r.get("inherited");
    col.local = r.get("local");
    col.collation = r.get::<_, Option<String>>("collation").map(|c| split_qualified(&c));
    col.statistics = r.get::<_, Option<i32>>("statistics").filter(|s| *s != -1);
    col.options = reloptions(r.get("options"));
    col.storage = r.get::<_, Option<String>>("storage").and_then(|s| s.chars().next()).and_then(storage_from_char);
    col.compression = r.get("compression");
    col.comment = r.get("comment");
    col.acl = acl(r, &r.get::<_, String>("table_owner"));
    let identity: String = r.get("identity");
    if !identity.is_empty() {
        let data_type = types
            .get(&r.get::<_, Option<String>>("identity_type").unwrap_or_else(|| "bigint".into()), &scope)
            .map_err(|e| format!("identity of {table}.{}: {e}", quote(r)))?;
        col.identity = Some(Identity {
            always: identity == "a",
            sequence: QualifiedName::new(
                r.get::<_, Option<String>>("identity_seq_schema").unwrap_or_default(),
                r.get::<_, Option<String>>("identity_seq_name").unwrap_or_default(),
            ),
            options: SequenceOptions {
                data_type,
                start: r.get::<_, Option<i64>>("identity_start").unwrap_or(1),
                increment: r.get::<_, Option<i64>>("identity_increment").unwrap_or(1),
                min: r.get::<_, Option<i64>>("identity_min").unwrap_or(1),
                max: r.get::<_, Option<i64>>("identity_max").unwrap_or(i64::MAX),
                cache: r.get::<_, Option<i64>>("identity_cache").unwrap_or(1),
                cycle: r.get::<_, Option<bool>>("identity_cycle").unwrap_or(false),
            },
        });
    }
    Ok(col)
}

/// Text search configurations: before anything that reads expressions (a `regconfig`
/// literal names one).
fn text_search_dictionaries(q: &Queries, cat: &mut Catalog, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.text_search_dictionaries {
        let name = qn(r, "schema", "name");
        let built = build::text_search::dictionary_from_def(&r.get::<_, String>("definition"), &scope);
        let Some(mut d) = bad.note(|| ObjectRef::TextSearchDictionary(name.clone()), built) else { continue };
        d.owner = Some(r.get("owner"));
        d.comment = r.get("comment");
        cat.text_search_dictionaries.insert(name, d);
    }
}

fn text_search_configs(q: &Queries, cat: &mut Catalog, bad: &mut Unreadables) {
    let split = |text: &str| {
        crate::normalize::expr::split_relation_text(text)
            .map(|(s, n)| QualifiedName::new(s.unwrap_or_else(|| "pg_catalog".into()), n))
            .ok_or_else(|| format!("invalid dictionary name {text}"))
    };
    for r in &q.text_search_configs {
        let name = qn(r, "schema", "name");
        let mappings = || -> Result<BTreeMap<String, Vec<QualifiedName>>, String> {
            let mut mappings = BTreeMap::new();
            for m in r.get::<_, Vec<String>>("mappings") {
                let (token, dicts) = m.split_once('=').unwrap_or((&m, ""));
                // Dictionary names are quoted identifiers: split on commas outside quotes.
                let mut names = Vec::new();
                let (mut start, mut quoted) = (0, false);
                for (i, c) in dicts.char_indices() {
                    match c {
                        '"' => quoted = !quoted,
                        ',' if !quoted => {
                            names.push(split(&dicts[start..i])?);
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
                names.push(split(&dicts[start..])?);
                mappings.insert(token.to_string(), names);
            }
            Ok(mappings)
        };
        let Some(mappings) = bad.note(|| ObjectRef::TextSearchConfig(name.clone()), mappings()) else { continue };
        let config = crate::model::TextSearchConfig {
            name: name.clone(),
            parser: qn(r, "parser_schema", "parser_name"),
            mappings,
            owner: Some(r.get("owner")),
            comment: r.get("comment"),
        };
        cat.text_search_configs.insert(name, config);
    }
}

fn statistics(q: &Queries, cat: &mut Catalog, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.statistics {
        let name = qn(r, "schema", "name");
        let table = qn(r, "table_schema", "table_name");
        let built = snapshot
            .tables
            .get(&table)
            .ok_or_else(|| format!("statistics on {table}, which is not a table tidemark read"))
            .and_then(|t| {
                let columns: String = r.get("columns");
                let kinds: String = r.get("kinds");
                build::statistics::statistics_from_catalog(name.clone(), t, &columns, &kinds, &scope)
            });
        let Some(mut s) = bad.note(|| ObjectRef::Statistics(name.clone()), built) else { continue };
        s.target = r.get("target");
        s.owner = Some(r.get("owner"));
        s.comment = r.get("comment");
        cat.statistics.insert(name, s);
    }
}

/// Parents, partition keys and bounds (after every table has its columns: a bound is read
/// with its parent's key types). A table whose key or bound cannot be read is unreadable.
fn partitions(q: &Queries, cat: &mut Catalog, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    // Keys first: bounds are read with their parent's key types.
    for r in &q.tables {
        let name = qn(r, "schema", "name");
        if !cat.tables.contains_key(&name) {
            continue;
        }
        let key: Option<String> = r.get("partition_key");
        let snapshot = cat.clone();
        let scope = Scope::new(&snapshot, &empty_path);
        let built = build::partition_texts(None, key.as_deref())
            .and_then(|(_, spec)| spec.map(|spec| build::partition_key(&spec, &name, &scope)).transpose());
        match bad.note(|| ObjectRef::Table(name.clone()), built) {
            Some(key) => cat.tables.get_mut(&name).expect("table").partition_key = key,
            None => {
                cat.tables.remove(&name);
            }
        }
    }
    for r in &q.tables {
        let name = qn(r, "schema", "name");
        if !cat.tables.contains_key(&name) {
            continue;
        }
        let parents: Vec<QualifiedName> = r
            .get::<_, Vec<String>>("parent_schemas")
            .into_iter()
            .zip(r.get::<_, Vec<String>>("parent_names"))
            .map(|(s, n)| QualifiedName::new(s, n))
            .collect();
        let bound: Option<String> = r.get("partition_bound");
        let Some(bound) = bound else {
            cat.tables.get_mut(&name).expect("table").inherits = parents;
            continue;
        };
        let snapshot = cat.clone();
        let built = partition_of(&snapshot, &bound, parents);
        match bad.note(|| ObjectRef::Table(name.clone()), built) {
            Some(p) => cat.tables.get_mut(&name).expect("table").partition_of = Some(p),
            None => {
                cat.tables.remove(&name);
            }
        }
    }
}

/// A partition's parent and bound, read with the parent's key types.
fn partition_of(cat: &Catalog, bound: &str, parents: Vec<QualifiedName>) -> Result<crate::model::PartitionOf, String> {
    let empty_path: Vec<String> = Vec::new();
    let (spec, _) = build::partition_texts(Some(bound), None)?;
    let spec = spec.ok_or("unreadable bound")?;
    let parent = parents.first().cloned().ok_or("a partition without a parent")?;
    let scope = Scope::new(cat, &empty_path);
    let p = cat.tables.get(&parent).ok_or_else(|| format!("its parent {parent} could not be read"))?;
    let types: Vec<Option<TypeRef>> = p
        .partition_key
        .as_ref()
        .map(|k| {
            k.keys
                .iter()
                .map(|k| match &k.target {
                    crate::model::IndexTarget::Column(c) => p.column(c).map(|c| c.ty.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let bound = build::partition_bound(&spec, &types, &scope)?;
    Ok(crate::model::PartitionOf { parent, bound })
}

/// Functions, aggregates and views. Views may call functions and `BEGIN ATOMIC` functions may
/// read views, so: functions first (an atomic body that reads a view is read again after the
/// views), then views (columns from pg_attribute, query from pg_get_viewdef), then the rest.
fn routines_and_views(q: &Queries, cat: &mut Catalog, types: &mut TypeCache, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    let mut retry = Vec::new();
    let parse_function = |def: &str, scope: &Scope| -> Result<crate::model::Function, String> {
        let tree = pg_query::parse(def, 0).map_err(|e| e.to_string())?.protobuf;
        let Some(pg_query::protobuf::node::Node::CreateFunctionStmt(st)) =
            tree.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref())
        else {
            return Err("unexpected function definition".into());
        };
        let names = crate::source::parse::ast::names(&st.funcname);
        let (schema, name) = crate::source::parse::ast::qualified_parts(&names).ok_or("invalid function name")?;
        build::routine::function(st, QualifiedName::new(schema.unwrap_or_default(), name), scope)
    };
    for r in &q.functions {
        let def: String = r.get("definition");
        let snapshot = cat.clone();
        let scope = Scope::new(&snapshot, &empty_path);

        let mut f = match parse_function(&def, &scope) {
            Ok(f) => f,
            // A body that reads views (or functions read later) is read again at the end; a
            // second failure makes it unreadable.
            Err(_) => {
                retry.push((def.clone(), r));
                continue;
            }
        };
        let owner: String = r.get("owner");
        f.acl = acl(r, &owner);
        f.owner = Some(owner);
        f.comment = r.get("comment");
        cat.functions.insert(f.id.clone(), f);
    }
    for r in &q.aggregates {
        let name = qn(r, "schema", "name");
        let by_name = || ObjectRef::Aggregate(crate::model::RoutineId { name: name.clone(), args: String::new() });
        let scope = Scope::new(cat, &empty_path);
        let args = r.get::<_, Vec<String>>("args").iter().map(|t| types.get(t, &scope)).collect::<Result<Vec<_>, _>>();
        let Some(args) = bad.note(by_name, args) else { continue };
        let mut options = std::collections::BTreeMap::new();
        let mut unreadable = None;
        for key in ["sfunc", "stype", "finalfunc", "combinefunc", "initcond", "sortop", "parallel"] {
            if let Some(v) = r.get::<_, Option<String>>(key) {
                // Names come quoted (quote_all_identifiers): written back as the files write them.
                let v = match key {
                    "sfunc" | "finalfunc" | "combinefunc" => requoted(&v),
                    "sortop" => match split_quoted(&v).as_slice() {
                        [schema, op] => format!("{}.{op}", crate::model::quote_ident(schema)),
                        _ => v,
                    },
                    "stype" => match types.get(&v, &scope) {
                        Ok(t) => t.to_string(),
                        Err(e) => {
                            unreadable = Some(format!("its state type: {e}"));
                            break;
                        }
                    },
                    _ => v,
                };
                options.insert(key.to_string(), v);
            }
        }
        if let Some(reason) = unreadable {
            bad.add(by_name(), reason);
            continue;
        }
        let owner: String = r.get("owner");
        let id =
            crate::model::RoutineId { name, args: args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ") };
        cat.aggregates.insert(
            id.clone(),
            crate::model::Aggregate {
                id,
                args,
                options,
                acl: acl(r, &owner),
                owner: Some(owner),
                comment: r.get("comment"),
            },
        );
    }
    // Views: names and columns first, so views reading views resolve.
    for r in &q.views {
        let name = qn(r, "schema", "name");
        let scope = Scope::new(cat, &empty_path);
        let view = view_shell(r, &name, &scope, types);
        if let Some(view) = bad.note(|| ObjectRef::View(name.clone()), view) {
            cat.views.insert(name, view);
        }
    }
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.views {
        let name = qn(r, "schema", "name");
        let Some(existing) = snapshot.views.get(&name) else { continue };
        let def: String = r.get("definition");
        let built = build::view::view_from_def(name.clone(), &def, existing.materialized, &scope).and_then(|v| {
            // pg_attribute's names are authoritative (a renamed view column).
            let named = crate::model::View { columns: existing.columns.clone(), query: v.query, ..existing.clone() };
            build::view::renormalize(&named, &mut |_| {}, &scope)
        });
        match bad.note(|| ObjectRef::View(name.clone()), built) {
            Some(built) => cat.views.get_mut(&name).expect("inserted").query = built.query,
            None => {
                cat.views.remove(&name);
            }
        }
    }
    for (def, r) in retry {
        let snapshot = cat.clone();
        let scope = Scope::new(&snapshot, &empty_path);
        let name = qn(r, "schema", "name");
        let by_name = || ObjectRef::Function(crate::model::RoutineId { name: name.clone(), args: String::new() });
        let Some(mut f) = bad.note(by_name, parse_function(&def, &scope)) else { continue };
        let owner: String = r.get("owner");
        f.acl = acl(r, &owner);
        f.owner = Some(owner);
        f.comment = r.get("comment");
        cat.functions.insert(f.id.clone(), f);
    }
}

/// A view's name, columns, options and privileges, before its query is read.
fn view_shell(
    r: &Row,
    name: &QualifiedName,
    scope: &Scope,
    types: &mut TypeCache,
) -> Result<crate::model::View, String> {
    let names: Vec<String> = r.get("column_names");
    let tys: Vec<String> = r.get("column_types");
    let comments: Vec<String> = r.get("column_comments");
    let mut columns = Vec::new();
    let defaults: Vec<Option<String>> = r.get("column_defaults");
    let acls: Vec<Option<String>> = r.get("column_acls");
    let owner: String = r.get("owner");
    for ((((n, t), c), d), a) in names.into_iter().zip(tys).zip(comments).zip(defaults).zip(acls) {
        let ty = types.get(&t, scope).map_err(|e| format!("column {}: {e}", crate::model::quote_ident(&n)))?;
        let default = match d {
            Some(text) => {
                let cx = ExprContext { scope: *scope, table: Some(name), target: Some(&ty) };
                Some(build::expr_from_text(&text, &cx)?)
            }
            None => None,
        };
        let acl = a.map(|items| items.split('\n').flat_map(|i| parse_aclitem(i, &owner)).collect());
        columns.push(crate::model::ViewColumn {
            name: n,
            ty: crate::model::Derived(Some(ty)),
            comment: (!c.is_empty()).then_some(c),
            default,
            acl,
        });
    }
    Ok(crate::model::View {
        name: name.clone(),
        materialized: r.get::<_, String>("kind") == "m",
        columns,
        query: crate::model::Query { sql: String::new(), key: String::new(), refs: Default::default() },
        options: reloptions(r.get("options")),
        populated: r.get("populated"),
        acl: acl(r, &owner),
        owner: Some(owner),
        comment: r.get("comment"),
    })
}

fn triggers_and_policies(q: &Queries, cat: &mut Catalog, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.triggers {
        let def: String = r.get("definition");
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let built = build::trigger::trigger_from_def(&def, &scope);
        let Some(mut t) = bad.note(|| ObjectRef::Trigger(table, name), built) else { continue };
        t.enabled = build::trigger::enabled_from_char(&r.get::<_, String>("enabled"));
        t.comment = r.get("comment");
        cat.triggers.insert(crate::model::Member::new(&t.table.clone(), t.name.clone()), t);
    }
    for r in &q.event_triggers {
        let name: String = r.get("name");
        let function = crate::model::RoutineId { name: qn(r, "function_schema", "function_name"), args: String::new() };
        let mut tags: Vec<String> = r.get("tags");
        tags.sort();
        cat.event_triggers.insert(
            name.clone(),
            crate::model::EventTrigger {
                name,
                event: r.get("event"),
                tags,
                function,
                enabled: build::trigger::enabled_from_char(&r.get::<_, String>("enabled")),
                owner: Some(r.get("owner")),
                comment: r.get("comment"),
            },
        );
    }
    for r in &q.policies {
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let cx = ExprContext { scope, table: Some(&table), target: None };
        let expr = |col: &str| -> Result<Option<crate::model::Expr>, String> {
            r.get::<_, Option<String>>(col).map(|t| build::expr_from_text(&t, &cx)).transpose()
        };
        let exprs = expr("using_expr").and_then(|u| Ok((u, expr("check_expr")?)));
        let Some((using, with_check)) = bad.note(|| ObjectRef::Policy(table.clone(), name.clone()), exprs) else {
            continue;
        };
        let mut roles: Vec<String> = r.get("roles");
        roles.sort();
        let p = crate::model::Policy {
            table: table.clone(),
            name: name.clone(),
            permissive: r.get("permissive"),
            command: build::trigger::policy_command(&r.get::<_, String>("command")),
            roles,
            using,
            with_check,
            comment: r.get("comment"),
        };
        cat.policies.insert(crate::model::Member::new(&table, name), p);
    }
    for r in &q.casts {
        let name = |col: &str| {
            let text: String = r.get(col);
            build::type_from_text(&text, &scope).map(|t| t.to_string()).unwrap_or(text)
        };
        let key = crate::model::CastKey { source: name("source"), target: name("target") };
        let built = build::cast::cast_from_def(&r.get::<_, String>("definition"), &scope);
        let Some(mut cast) = bad.note(|| ObjectRef::Cast(key), built) else { continue };
        cast.comment = r.get("comment");
        cat.casts.insert(cast.key(), cast);
    }
    for r in &q.rules {
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let enabled: String = r.get("enabled");
        let built = if enabled == "O" {
            build::rule::rule_from_def(&r.get::<_, String>("definition"), &scope)
        } else {
            Err("a rule enabled otherwise than the default (ALTER TABLE ... ENABLE / DISABLE RULE) is not modeled"
                .into())
        };
        let Some(mut rule) = bad.note(|| ObjectRef::Rule(table.clone(), name.clone()), built) else { continue };
        rule.comment = r.get("comment");
        cat.rules.insert(crate::model::Member::new(&table, name), rule);
    }
}
