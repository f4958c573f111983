//! The model: plain data describing a database schema, with no IO and no parser types.
//!
//! A [`Catalog`] is what every source produces (schema files, a migration history, a live
//! database) and what `diff` compares. Identity is a name; collections are ordered maps, so
//! anything that walks a catalog walks it in the same order every time. Fields that a source
//! cannot know are `Option`s whose `None` means "not stated" and is documented on the field.

mod cast;
mod collation;
mod deps;
mod derived;
mod exclude;
mod expr;
mod index;
mod names;
mod object;
mod privileges;
mod routine;
mod rule;
mod schema;
mod sequence;
mod statistics;
mod table;
mod text_search;
mod trigger;
mod types;
mod view;

pub use cast::{Cast, CastContext, CastKey, CastMethod};
pub use collation::Collation;
pub use deps::{extension_providing_type, sorted_columns, DepKind, Dependency, UniqueKey, KNOWN_EXTENSION_REQUIRES};
pub(crate) use deps::{KNOWN_EXTENSION_DICTIONARIES, KNOWN_EXTENSION_TEMPLATES};
pub use derived::Derived;
pub use exclude::Exclusions;
pub use expr::Expr;
pub use index::{Index, IndexKey, IndexTarget};
pub use names::{comment_safe, quote_ident, quote_literal, sql_comment, QualifiedName};
pub use object::{ObjectRef, Unreadable};
pub use privileges::{
    default_acl_base, effective, initial_acl, parse_aclitem, Acl, AclKind, DefaultAclKey, DefaultAclObject,
    DefaultAcls, Grant, Grantee, Privilege,
};
pub use routine::{Aggregate, ArgMode, Argument, Function, FunctionBody, Parallel, Returns, RoutineId, Volatility};
pub use rule::{Rule, RuleEvent};
pub use schema::{Extension, Schema};
pub use sequence::Sequence;
pub use statistics::{Statistics, StatisticsKind};
pub use table::{
    Column, Constraint, ConstraintKind, ExcludeConstraint, FkAction, ForeignKey, Generated, GeneratedKind, Identity,
    IndexStorage, KeyConstraint, PartitionKey, PartitionOf, PartitionStrategy, ReplicaIdentity, SequenceOptions,
    Storage, Table,
};
pub use text_search::{TextSearchConfig, TextSearchDictionary};
pub use trigger::{
    ConstraintTrigger, EventTrigger, Policy, PolicyCommand, Trigger, TriggerEnabled, TriggerEvent, TriggerTiming,
};
pub use types::{default_multirange_name, Attribute, Domain, DomainCheck, Range, TypeBase, TypeDef, TypeKind, TypeRef};
pub use view::{Query, View, ViewColumn};

use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Catalog {
    pub schemas: BTreeMap<String, Schema>,
    pub extensions: BTreeMap<String, Extension>,
    pub types: BTreeMap<QualifiedName, TypeDef>,
    pub collations: BTreeMap<QualifiedName, Collation>,
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    pub tables: BTreeMap<QualifiedName, Table>,
    /// Views and materialized views.
    pub views: BTreeMap<QualifiedName, View>,
    /// Indexes of tables and materialized views.
    pub indexes: BTreeMap<QualifiedName, Index>,
    pub functions: BTreeMap<RoutineId, Function>,
    pub aggregates: BTreeMap<RoutineId, Aggregate>,
    pub triggers: BTreeMap<Member, Trigger>,
    pub event_triggers: BTreeMap<String, EventTrigger>,
    pub policies: BTreeMap<Member, Policy>,
    /// Rewrite rules (not views' `_RETURN` rules).
    // Left out of the fingerprint when empty, so catalogs without them keep theirs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<Member, Rule>,
    /// Extended statistics objects.
    pub statistics: BTreeMap<QualifiedName, Statistics>,
    pub text_search_configs: BTreeMap<QualifiedName, TextSearchConfig>,
    // Left out of the fingerprint when empty, so catalogs without them keep theirs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub text_search_dictionaries: BTreeMap<QualifiedName, TextSearchDictionary>,
    /// Casts between types (user-defined: the server's own are not listed).
    // Left out of the fingerprint when empty, so catalogs without them keep theirs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub casts: BTreeMap<CastKey, Cast>,
    /// `ALTER DEFAULT PRIVILEGES` entries.
    pub default_privileges: DefaultAcls,
    /// The role a live database was read as (who a plan against it runs as); `None` for files.
    pub read_as: Derived<Option<String>>,
}

/// An object named within a table: a trigger, a policy or a rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Member {
    pub table: QualifiedName,
    pub name: String,
}

impl Member {
    pub fn new(table: &QualifiedName, name: impl Into<String>) -> Member {
        Member { table: table.clone(), name: name.into() }
    }
}

impl Serialize for Member {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{} on {}", quote_ident(&self.name), self.table))
    }
}

/// The PostgreSQL major version schema files target when nothing says otherwise (`postgres`
/// in tidemark.toml, `--postgres`, or the database a command reads): what new projects get.
pub const DEFAULT_POSTGRES: u32 = 17;

impl Catalog {
    /// What `CREATE DATABASE` gives on PostgreSQL 15: the `public` schema with its comment and
    /// the `plpgsql` extension. Schema files describe changes from this state.
    pub fn template() -> Catalog {
        Catalog::template_for(DEFAULT_POSTGRES)
    }

    /// What a new database of PostgreSQL `major` holds before any file runs.
    pub fn template_for(major: u32) -> Catalog {
        let mut c = Catalog::default();
        let (owner, public_creates) = if major >= 15 {
            // `{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}`.
            (Some("pg_database_owner".to_string()), false)
        } else {
            // 14: owned by the bootstrap superuser (its name is the cluster's), and PUBLIC
            // may create in it: `{postgres=UC/postgres,=UC/postgres}`.
            (None, true)
        };
        let mut acl: std::collections::BTreeSet<Grant> = [
            Grant { grantee: Grantee::Owner, privilege: Privilege::Usage, grantable: false },
            Grant { grantee: Grantee::Owner, privilege: Privilege::Create, grantable: false },
            Grant { grantee: Grantee::Public, privilege: Privilege::Usage, grantable: false },
        ]
        .into_iter()
        .collect();
        if public_creates {
            acl.insert(Grant { grantee: Grantee::Public, privilege: Privilege::Create, grantable: false });
        }
        c.schemas.insert(
            "public".into(),
            Schema { name: "public".into(), owner, comment: Some("standard public schema".into()), acl: Some(acl) },
        );
        c.extensions.insert(
            "plpgsql".into(),
            Extension { name: "plpgsql".into(), schema: "pg_catalog".into(), version: None, comment: None },
        );
        c
    }

    /// Whether a relation-namespace name (table, sequence, index, including constraint and
    /// identity indexes and sequences) is taken in a schema.
    pub fn relation_name_taken(&self, schema: &str, name: &str) -> bool {
        let qn = QualifiedName::new(schema, name);
        self.tables.contains_key(&qn)
            || self.views.contains_key(&qn)
            || self.sequences.contains_key(&qn)
            || self.indexes.contains_key(&qn)
            || self.tables.values().filter(|t| t.name.schema == schema).any(|t| {
                t.constraints.values().any(|c| c.kind.has_index() && c.name == name)
                    || t.columns.iter().any(|c| c.identity.as_ref().is_some_and(|i| i.sequence == qn))
            })
    }

    /// The range type whose multirange type has this name.
    pub fn range_of_multirange(&self, multirange: &QualifiedName) -> Option<&QualifiedName> {
        self.types.values().find(|t| t.multirange().as_ref() == Some(multirange)).map(|t| &t.name)
    }

    /// Whether a constraint of that name exists on any table or domain of the schema.
    pub fn constraint_name_taken(&self, schema: &str, name: &str) -> bool {
        self.tables.values().filter(|t| t.name.schema == schema).any(|t| t.constraints.contains_key(name))
            || self.types.values().filter(|t| t.name.schema == schema).any(|t| match &t.kind {
                TypeKind::Domain(d) => d.checks.contains_key(name),
                _ => false,
            })
    }

    /// The table a constraint's index name belongs to, for `COMMENT ON INDEX` and `CLUSTER ON`
    /// naming a constraint's index.
    pub fn constraint_index(&self, index: &QualifiedName) -> Option<(&Table, &Constraint)> {
        self.tables
            .values()
            .filter(|t| t.name.schema == index.schema)
            .find_map(|t| t.constraints.get(&index.name).filter(|c| c.kind.has_index()).map(|c| (t, c)))
    }

    /// The table that holds an identity column whose sequence has this name.
    pub fn identity_owner(&self, seq: &QualifiedName) -> Option<(&Table, &Column)> {
        self.tables.values().find_map(|t| {
            t.columns.iter().find(|c| c.identity.as_ref().is_some_and(|i| &i.sequence == seq)).map(|c| (t, c))
        })
    }
}

impl Catalog {
    /// Keep only the objects of the schemas `keep` accepts (extensions, database-wide, stay).
    pub fn retain_schemas(&mut self, keep: impl Fn(&str) -> bool) {
        self.schemas.retain(|s, _| keep(s));
        self.types.retain(|q, _| keep(&q.schema));
        self.collations.retain(|q, _| keep(&q.schema));
        self.sequences.retain(|q, _| keep(&q.schema));
        self.tables.retain(|q, _| keep(&q.schema));
        self.views.retain(|q, _| keep(&q.schema));
        self.indexes.retain(|q, _| keep(&q.schema));
        self.functions.retain(|r, _| keep(&r.name.schema));
        self.aggregates.retain(|r, _| keep(&r.name.schema));
        self.triggers.retain(|m, _| keep(&m.table.schema));
        self.policies.retain(|m, _| keep(&m.table.schema));
        self.rules.retain(|m, _| keep(&m.table.schema));
        self.statistics.retain(|q, _| keep(&q.schema));
        self.text_search_configs.retain(|q, _| keep(&q.schema));
        self.text_search_dictionaries.retain(|q, _| keep(&q.schema));
        self.default_privileges.retain(|k, _| k.schema.as_deref().is_none_or(&keep));
    }

    /// Forget the bookkeeping tables of migration runners (tidemark's own schema, Drizzle's
    /// and Prisma's tables, golang-migrate's when asked): they are not the application's
    /// schema, and never drift.
    pub fn without_runner_tables(mut self, golang_migrate: bool) -> Catalog {
        self.retain_schemas(|s| s != "tidemark");
        let drop = |c: &mut Catalog, q: QualifiedName| {
            if let Some(t) = c.tables.get(&q) {
                let seqs: Vec<QualifiedName> = c
                    .sequences
                    .values()
                    .filter(|s| s.owned_by.as_ref().is_some_and(|(t2, _)| *t2 == t.name))
                    .map(|s| s.name.clone())
                    .collect();
                for s in seqs {
                    c.sequences.remove(&s);
                }
                c.indexes.retain(|_, i| i.table != q);
                c.tables.remove(&q);
            }
        };
        drop(&mut self, QualifiedName::new("drizzle", "__drizzle_migrations"));
        if self.schemas.contains_key("drizzle") && !self.has_objects_in("drizzle") {
            self.schemas.remove("drizzle");
        }
        let prisma: Vec<QualifiedName> =
            self.tables.keys().filter(|q| q.name == "_prisma_migrations").cloned().collect();
        for q in prisma {
            drop(&mut self, q);
        }
        if golang_migrate {
            let tables: Vec<QualifiedName> =
                self.tables.keys().filter(|q| q.name == "schema_migrations").cloned().collect();
            for q in tables {
                drop(&mut self, q);
            }
        }
        self
    }

    fn has_objects_in(&self, schema: &str) -> bool {
        self.tables
            .keys()
            .chain(self.views.keys())
            .chain(self.sequences.keys())
            .chain(self.types.keys())
            .any(|q| q.schema == schema)
            || self.functions.keys().any(|r| r.name.schema == schema)
    }

    /// Every role the catalog names (owners, grantees, policy roles, default privileges): what
    /// a server must have before the catalog can be built there. Names starting with `pg_` are
    /// reserved for the predefined roles every server has (`pg_database_owner` owns `public`).
    pub fn roles(&self) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        let mut owner = |o: &Option<String>| out.extend(o.iter().cloned());
        for s in self.schemas.values() {
            owner(&s.owner);
        }
        for t in self.types.values() {
            owner(&t.owner);
        }
        for c in self.collations.values() {
            owner(&c.owner);
        }
        for s in self.sequences.values() {
            owner(&s.owner);
        }
        for t in self.tables.values() {
            owner(&t.owner);
        }
        for v in self.views.values() {
            owner(&v.owner);
        }
        for f in self.functions.values() {
            owner(&f.owner);
        }
        for a in self.aggregates.values() {
            owner(&a.owner);
        }
        for e in self.event_triggers.values() {
            owner(&e.owner);
        }
        for s in self.statistics.values() {
            owner(&s.owner);
        }
        for c in self.text_search_configs.values() {
            owner(&c.owner);
        }
        for d in self.text_search_dictionaries.values() {
            owner(&d.owner);
        }
        let mut acls: Vec<&Acl> = Vec::new();
        acls.extend(self.schemas.values().map(|s| &s.acl));
        acls.extend(self.types.values().map(|t| &t.acl));
        acls.extend(self.sequences.values().map(|s| &s.acl));
        for t in self.tables.values() {
            acls.push(&t.acl);
            acls.extend(t.columns.iter().map(|c| &c.acl));
        }
        for v in self.views.values() {
            acls.push(&v.acl);
            acls.extend(v.columns.iter().map(|c| &c.acl));
        }
        acls.extend(self.functions.values().map(|f| &f.acl));
        acls.extend(self.aggregates.values().map(|a| &a.acl));
        let grantees = acls.into_iter().flatten().flatten().chain(self.default_privileges.values().flatten());
        for g in grantees {
            if let Grantee::Role(r) = &g.grantee {
                out.insert(r.clone());
            }
        }
        for p in self.policies.values() {
            out.extend(
                p.roles.iter().filter(|r| !matches!(r.as_str(), "public" | "current_user" | "session_user")).cloned(),
            );
        }
        out.extend(self.default_privileges.keys().filter_map(|k| k.role.clone()));
        out.retain(|r| !r.starts_with("pg_"));
        out
    }

    /// Forget every owner (as files that do not state them).
    pub fn clear_owners(&mut self) {
        self.schemas.values_mut().for_each(|x| x.owner = None);
        self.types.values_mut().for_each(|x| x.owner = None);
        self.collations.values_mut().for_each(|x| x.owner = None);
        self.sequences.values_mut().for_each(|x| x.owner = None);
        self.tables.values_mut().for_each(|x| x.owner = None);
        self.views.values_mut().for_each(|x| x.owner = None);
        self.functions.values_mut().for_each(|x| x.owner = None);
        self.aggregates.values_mut().for_each(|x| x.owner = None);
        self.event_triggers.values_mut().for_each(|x| x.owner = None);
        self.statistics.values_mut().for_each(|x| x.owner = None);
        self.text_search_configs.values_mut().for_each(|x| x.owner = None);
        self.text_search_dictionaries.values_mut().for_each(|x| x.owner = None);
    }

    /// A short, stable fingerprint of the catalog's content.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        // The owner's MAINTAIN (PostgreSQL 17) is part of every table's default privileges
        // now; fingerprints recorded before it existed did not hold it.
        // (The catalog is copied only when some ACL holds it: check fingerprints every step of a
        // history.)
        let maintain = Grant { grantee: Grantee::Owner, privilege: Privilege::Maintain, grantable: false };
        let holds = |acl: &Acl| acl.as_ref().is_some_and(|g| g.contains(&maintain));
        let json = if self.tables.values().any(|t| holds(&t.acl)) || self.views.values().any(|v| holds(&v.acl)) {
            let mut c = self.clone();
            let strip = |acl: &mut Acl| {
                if let Some(grants) = acl {
                    grants.remove(&maintain);
                }
            };
            c.tables.values_mut().for_each(|t| strip(&mut t.acl));
            c.views.values_mut().for_each(|v| strip(&mut v.acl));
            serde_json::to_string(&c)
        } else {
            serde_json::to_string(self)
        }
        .expect("a catalog serializes");
        let digest = Sha256::digest(json.as_bytes());
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// Leave an object out of the comparison, on whichever side this catalog is: what one side
    /// could not read is taken out of both, so a plan neither creates, changes nor drops it.
    /// A table goes with its indexes, triggers, policies and statistics; a routine known by
    /// name only (empty `args`) with every overload of that name.
    pub fn forget(&mut self, obj: &ObjectRef) {
        match obj {
            ObjectRef::Table(t) => {
                self.indexes.retain(|_, i| i.table != *t);
                self.triggers.retain(|m, _| m.table != *t);
                self.policies.retain(|m, _| m.table != *t);
                self.rules.retain(|m, _| m.table != *t);
                self.statistics.retain(|_, s| s.table != *t);
            }
            ObjectRef::Function(r) if r.args.is_empty() => self.functions.retain(|id, _| id.name != r.name),
            ObjectRef::Aggregate(r) if r.args.is_empty() => self.aggregates.retain(|id, _| id.name != r.name),
            _ => {}
        }
        self.remove_object(obj);
    }

    /// Remove one object (not its dependents: see `dependencies`). Removing what is already
    /// gone is a no-op, so callers may remove a table and then its columns.
    pub fn remove_object(&mut self, obj: &ObjectRef) {
        match obj {
            ObjectRef::Schema(s) => {
                self.schemas.remove(s);
            }
            ObjectRef::Extension(e) => {
                self.extensions.remove(e);
            }
            ObjectRef::Type(t) => {
                self.types.remove(t);
            }
            ObjectRef::Collation(c) => {
                self.collations.remove(c);
            }
            ObjectRef::Sequence(s) => {
                self.sequences.remove(s);
            }
            ObjectRef::Table(t) => {
                self.tables.remove(t);
            }
            ObjectRef::Column(t, c) => {
                if let Some(t) = self.tables.get_mut(t) {
                    t.columns.retain(|col| col.name != *c);
                }
            }
            ObjectRef::ColumnDefault(t, c) => {
                if let Some(col) = self.tables.get_mut(t).and_then(|t| t.column_mut(c)) {
                    col.default = None;
                }
            }
            ObjectRef::Constraint(t, c) => {
                if let Some(t) = self.tables.get_mut(t) {
                    t.constraints.remove(c);
                    t.forget_index(c);
                }
            }
            ObjectRef::Index(i) => {
                if let Some(index) = self.indexes.remove(i) {
                    if let Some(t) = self.tables.get_mut(&index.table) {
                        t.forget_index(&i.name);
                    }
                }
            }
            ObjectRef::View(v) => {
                self.views.remove(v);
            }
            ObjectRef::Function(f) => {
                self.functions.remove(f);
            }
            ObjectRef::Aggregate(a) => {
                self.aggregates.remove(a);
            }
            ObjectRef::Trigger(t, n) => {
                self.triggers.remove(&Member::new(t, n.clone()));
            }
            ObjectRef::EventTrigger(e) => {
                self.event_triggers.remove(e);
            }
            ObjectRef::Policy(t, n) => {
                self.policies.remove(&Member::new(t, n.clone()));
            }
            ObjectRef::Rule(t, n) => {
                self.rules.remove(&Member::new(t, n.clone()));
            }
            ObjectRef::Cast(k) => {
                self.casts.remove(k);
            }
            ObjectRef::TextSearchDictionary(n) => {
                self.text_search_dictionaries.remove(n);
            }
            ObjectRef::Statistics(n) => {
                self.statistics.remove(n);
            }
            ObjectRef::TextSearchConfig(n) => {
                self.text_search_configs.remove(n);
            }
            ObjectRef::DefaultPrivileges(k) => {
                self.default_privileges.remove(k);
            }
        }
    }
}

impl Table {
    /// An index of this table went away: so does CLUSTER ON / REPLICA IDENTITY USING it.
    pub fn forget_index(&mut self, index: &str) {
        if self.cluster_on.as_deref() == Some(index) {
            self.cluster_on = None;
        }
        if self.replica_identity == ReplicaIdentity::Index(index.to_string()) {
            self.replica_identity = ReplicaIdentity::Default;
        }
    }
}

/// Where an expression sits: the table whose columns it reads and the type it is coerced to.
pub struct ExprSite<'a> {
    pub table: Option<&'a QualifiedName>,
    pub target: Option<&'a TypeRef>,
}

impl Catalog {
    /// Visit every expression of the catalog, mutably, with its site.
    pub fn exprs_mut(&mut self, f: &mut dyn FnMut(ExprSite, &mut Expr)) {
        for t in self.types.values_mut() {
            if let TypeKind::Domain(d) = &mut t.kind {
                let site = || ExprSite { table: None, target: Some(&d.base) };
                if let Some(e) = d.default.as_mut() {
                    f(site(), e);
                }
                for c in d.checks.values_mut() {
                    f(site(), &mut c.expr);
                }
            }
        }
        for t in self.tables.values_mut() {
            let name = &t.name;
            for c in &mut t.columns {
                let ty = &c.ty;
                if let Some(e) = c.default.as_mut() {
                    f(ExprSite { table: Some(name), target: Some(ty) }, e);
                }
                if let Some(e) = c.generated.as_mut().map(|g| &mut g.expr) {
                    f(ExprSite { table: Some(name), target: Some(ty) }, e);
                }
            }
            for c in t.constraints.values_mut() {
                match &mut c.kind {
                    ConstraintKind::Check { expr, .. } => f(ExprSite { table: Some(name), target: None }, expr),
                    ConstraintKind::Exclude(x) => {
                        for (k, _) in &mut x.elements {
                            if let IndexTarget::Expr(e) = &mut k.target {
                                f(ExprSite { table: Some(name), target: None }, e);
                            }
                        }
                        if let Some(p) = x.predicate.as_mut() {
                            f(ExprSite { table: Some(name), target: None }, p);
                        }
                    }
                    _ => {}
                }
            }
        }
        for i in self.indexes.values_mut() {
            let table = &i.table;
            for k in &mut i.keys {
                if let IndexTarget::Expr(e) = &mut k.target {
                    f(ExprSite { table: Some(table), target: None }, e);
                }
            }
            if let Some(p) = i.predicate.as_mut() {
                f(ExprSite { table: Some(table), target: None }, p);
            }
        }
        for st in self.statistics.values_mut() {
            for e in &mut st.exprs {
                f(ExprSite { table: Some(&st.table), target: None }, e);
            }
        }
        for t in self.triggers.values_mut() {
            if let Some(e) = t.when.as_mut() {
                f(ExprSite { table: Some(&t.table), target: None }, e);
            }
        }
        for p in self.policies.values_mut() {
            for e in [p.using.as_mut(), p.with_check.as_mut()].into_iter().flatten() {
                f(ExprSite { table: Some(&p.table), target: None }, e);
            }
        }
    }
}
