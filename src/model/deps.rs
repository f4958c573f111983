//! The dependency relation of a catalog: which object needs which. This is the one source of
//! dependency edges: the interpreter uses it for DROP ... CASCADE, the planner for ordering.
//!
//! An [`DepKind::Auto`] dependent goes with the object it depends on without CASCADE (a table's
//! columns, constraints and indexes; a sequence OWNED BY a column); a [`DepKind::Normal`] one
//! blocks a plain DROP (a foreign key in another table, a column of an enum type).

use super::{
    Catalog, ConstraintKind, Expr, IndexKey, IndexTarget, ObjectRef, QualifiedName, TypeBase, TypeKind, TypeRef,
};

/// Types of common extensions. A type not listed is assumed to come from any extension of the
/// catalog (the safe side for ordering: extensions first, dropped last).
const KNOWN_EXTENSION_TYPES: &[(&str, &str)] = &[
    ("hstore", "hstore"),
    ("citext", "citext"),
    ("ltree", "ltree"),
    ("lquery", "ltree"),
    ("ltxtquery", "ltree"),
    ("geometry", "postgis"),
    ("geography", "postgis"),
    ("box2d", "postgis"),
    ("box3d", "postgis"),
    ("vector", "vector"),
    ("halfvec", "vector"),
    ("sparsevec", "vector"),
    ("cube", "cube"),
    ("earth", "earthdistance"),
    ("isbn", "isn"),
    ("isbn13", "isn"),
    ("ean13", "isn"),
    ("issn", "isn"),
    ("upc", "isn"),
    ("seg", "seg"),
    ("gtrgm", "pg_trgm"),
    ("intbig_gkey", "intarray"),
];

/// Operator classes of common extensions (others are built in, or unknown and not tracked).
const KNOWN_EXTENSION_OPCLASSES: &[(&str, &str)] = &[
    ("gin_trgm_ops", "pg_trgm"),
    ("gist_trgm_ops", "pg_trgm"),
    ("gin_hstore_ops", "hstore"),
    ("gist_hstore_ops", "hstore"),
    ("gist_ltree_ops", "ltree"),
    ("gin__int_ops", "intarray"),
    ("gist__int_ops", "intarray"),
    ("gist__intbig_ops", "intarray"),
    ("vector_l2_ops", "vector"),
    ("vector_ip_ops", "vector"),
    ("vector_cosine_ops", "vector"),
];

/// Extensions that require others (`requires` in their control files), for the common ones.
pub const KNOWN_EXTENSION_REQUIRES: &[(&str, &str)] = &[
    ("earthdistance", "cube"),
    ("postgis_raster", "postgis"),
    ("postgis_topology", "postgis"),
    ("postgis_sfcgal", "postgis"),
    ("postgis_tiger_geocoder", "postgis"),
    ("postgis_tiger_geocoder", "fuzzystrmatch"),
    ("address_standardizer_data_us", "address_standardizer"),
    ("hstore_plperl", "hstore"),
    ("hstore_plperl", "plperl"),
    ("jsonb_plperl", "plperl"),
    ("bool_plperl", "plperl"),
    ("ltree_plpython3u", "ltree"),
    ("ltree_plpython3u", "plpython3u"),
    ("hstore_plpython3u", "hstore"),
    ("hstore_plpython3u", "plpython3u"),
    ("jsonb_plpython3u", "plpython3u"),
];

/// The extension known to provide a type (`ltree` → `ltree`).
pub fn extension_providing_type(name: &str) -> Option<&'static str> {
    KNOWN_EXTENSION_TYPES.iter().find(|(t, _)| *t == name).map(|(_, e)| *e)
}

/// Text search dictionaries that extensions provide.
pub(crate) const KNOWN_EXTENSION_DICTIONARIES: &[(&str, &str)] =
    &[("unaccent", "unaccent"), ("intdict", "dict_int"), ("xsyn", "dict_xsyn")];

/// Text search templates of common extensions.
pub(crate) const KNOWN_EXTENSION_TEMPLATES: &[(&str, &str)] =
    &[("unaccent", "unaccent"), ("intdict_template", "dict_int"), ("xsyn_template", "dict_xsyn")];

/// The extensions that may provide `name`: the known one if present, else every extension.
fn providing_extensions<'a>(known: &[(&str, &'a str)], name: &str, present: &[&'a str]) -> Vec<&'a str> {
    match known.iter().find(|(n, _)| *n == name) {
        Some((_, e)) => present.iter().filter(|p| *p == e).copied().collect(),
        None => present.to_vec(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Auto,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dependency {
    /// The dependent object.
    pub from: ObjectRef,
    /// What it needs.
    pub to: ObjectRef,
    pub kind: DepKind,
}

struct Edges(Vec<Dependency>);

impl Edges {
    fn add(&mut self, from: &ObjectRef, to: ObjectRef, kind: DepKind) {
        if *from != to {
            self.0.push(Dependency { from: from.clone(), to, kind });
        }
    }

    fn ty(&mut self, from: &ObjectRef, ty: &TypeRef, extensions: &[&str]) {
        match &ty.base {
            TypeBase::User(t) => self.add(from, ObjectRef::Type(t.clone()), DepKind::Normal),
            TypeBase::External { name, .. } => {
                for e in providing_extensions(KNOWN_EXTENSION_TYPES, name, extensions) {
                    self.add(from, ObjectRef::Extension(e.to_string()), DepKind::Normal);
                }
            }
            TypeBase::Builtin(_) => {}
            // A relation: made a view's identity below when it is a view.
            TypeBase::Row(t) => self.add(from, ObjectRef::Table(t.clone()), DepKind::Normal),
        }
    }

    /// An expression's references; `columns` is how it depends on the columns it reads (a
    /// CHECK goes with its columns, a generated column blocks their drop).
    fn expr(&mut self, from: &ObjectRef, e: &Expr, columns: DepKind) {
        for r in &e.refs {
            let kind = if matches!(r, ObjectRef::Column(..)) { columns } else { DepKind::Normal };
            self.add(from, r.clone(), kind);
        }
    }
}

impl Catalog {
    /// Every dependency edge of the catalog, in a deterministic order.
    pub fn dependencies(&self) -> Vec<Dependency> {
        let mut e = Edges(Vec::new());
        let exts: Vec<&str> = self.extensions.keys().map(String::as_str).filter(|e| *e != "plpgsql").collect();
        for (ext, requires) in KNOWN_EXTENSION_REQUIRES {
            if self.extensions.contains_key(*ext) && self.extensions.contains_key(*requires) {
                e.add(
                    &ObjectRef::Extension(ext.to_string()),
                    ObjectRef::Extension(requires.to_string()),
                    DepKind::Normal,
                );
            }
        }
        for c in self.collations.values() {
            e.add(&ObjectRef::Collation(c.name.clone()), ObjectRef::Schema(c.name.schema.clone()), DepKind::Normal);
        }
        let collation = |q: &Option<QualifiedName>| {
            q.as_ref().filter(|q| self.collations.contains_key(*q)).map(|q| ObjectRef::Collation(q.clone()))
        };
        for t in self.types.values() {
            let me = ObjectRef::Type(t.name.clone());
            match &t.kind {
                TypeKind::Domain(d) => e.0.extend(collation(&d.collation).map(|c| Dependency {
                    from: me.clone(),
                    to: c,
                    kind: DepKind::Normal,
                })),
                TypeKind::Composite { attributes } => {
                    for a in attributes {
                        e.0.extend(collation(&a.collation).map(|c| Dependency {
                            from: me.clone(),
                            to: c,
                            kind: DepKind::Normal,
                        }));
                    }
                }
                TypeKind::Range(r) => e.0.extend(collation(&r.collation).map(|c| Dependency {
                    from: me.clone(),
                    to: c,
                    kind: DepKind::Normal,
                })),
                TypeKind::Enum { .. } => {}
            }
        }
        for t in self.tables.values() {
            for c in &t.columns {
                let me = ObjectRef::Column(t.name.clone(), c.name.clone());
                e.0.extend(collation(&c.collation).map(|col| Dependency { from: me, to: col, kind: DepKind::Normal }));
            }
        }
        for i in self.indexes.values() {
            for k in &i.keys {
                e.0.extend(collation(&k.collation).map(|c| Dependency {
                    from: ObjectRef::Index(i.name.clone()),
                    to: c,
                    kind: DepKind::Normal,
                }));
            }
        }
        for ext in self.extensions.values() {
            if self.schemas.contains_key(&ext.schema) {
                e.add(&ObjectRef::Extension(ext.name.clone()), ObjectRef::Schema(ext.schema.clone()), DepKind::Normal);
            }
        }
        for t in self.types.values() {
            let me = ObjectRef::Type(t.name.clone());
            e.add(&me, ObjectRef::Schema(t.name.schema.clone()), DepKind::Normal);
            match &t.kind {
                TypeKind::Enum { .. } => {}
                TypeKind::Domain(d) => {
                    e.ty(&me, &d.base, &exts);
                    if let Some(def) = &d.default {
                        e.expr(&me, def, DepKind::Normal);
                    }
                    for c in d.checks.values() {
                        e.expr(&me, &c.expr, DepKind::Normal);
                    }
                }
                TypeKind::Composite { attributes } => {
                    for a in attributes {
                        e.ty(&me, &a.ty, &exts);
                    }
                }
                TypeKind::Range(r) => {
                    e.ty(&me, &r.subtype, &exts);
                    // Not the canonical function: it takes the range type (made first as a
                    // shell type, which the model does not hold; such functions are C).
                    if let Some(f) = &r.subtype_diff {
                        for id in self.functions.keys().filter(|id| id.name == *f) {
                            if id.args.split(',').count() == 2 {
                                e.add(&me, ObjectRef::Function(id.clone()), DepKind::Normal);
                            }
                        }
                    }
                }
            }
        }
        for s in self.sequences.values() {
            let me = ObjectRef::Sequence(s.name.clone());
            e.add(&me, ObjectRef::Schema(s.name.schema.clone()), DepKind::Normal);
            if let Some((table, column)) = &s.owned_by {
                e.add(&me, ObjectRef::Column(table.clone(), column.clone()), DepKind::Auto);
            }
        }
        for t in self.tables.values() {
            let table = ObjectRef::Table(t.name.clone());
            e.add(&table, ObjectRef::Schema(t.name.schema.clone()), DepKind::Normal);
            // A partition goes with its partitioned table; an inheriting table needs CASCADE.
            if let Some(p) = &t.partition_of {
                e.add(&table, ObjectRef::Table(p.parent.clone()), DepKind::Auto);
            }
            for p in &t.inherits {
                e.add(&table, ObjectRef::Table(p.clone()), DepKind::Normal);
            }
            let parents: Vec<&QualifiedName> =
                t.inherits.iter().chain(t.partition_of.as_ref().map(|p| &p.parent)).collect();
            let column = |c: &str| ObjectRef::Column(t.name.clone(), c.to_string());
            for c in &t.columns {
                let me = column(&c.name);
                e.add(&me, table.clone(), DepKind::Auto);
                if c.from_parent_only() {
                    for p in &parents {
                        e.add(&me, ObjectRef::Column((*p).clone(), c.name.clone()), DepKind::Auto);
                    }
                }
                e.ty(&me, &c.ty, &exts);
                if let Some(g) = &c.generated {
                    e.expr(&me, &g.expr, DepKind::Normal);
                }
                if let Some(d) = &c.default {
                    let def = ObjectRef::ColumnDefault(t.name.clone(), c.name.clone());
                    e.add(&def, me.clone(), DepKind::Auto);
                    e.expr(&def, d, DepKind::Normal);
                }
            }
            for c in t.constraints.values() {
                let me = ObjectRef::Constraint(t.name.clone(), c.name.clone());
                e.add(&me, table.clone(), DepKind::Auto);
                match &c.kind {
                    ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => {
                        for col in k.columns.iter().chain(&k.include) {
                            e.add(&me, column(col), DepKind::Auto);
                        }
                    }
                    ConstraintKind::Check { expr, .. } => e.expr(&me, expr, DepKind::Auto),
                    ConstraintKind::ForeignKey(fk) => {
                        for col in &fk.columns {
                            e.add(&me, column(col), DepKind::Auto);
                        }
                        for col in &fk.ref_columns {
                            e.add(&me, ObjectRef::Column(fk.ref_table.clone(), col.clone()), DepKind::Normal);
                        }
                        e.add(&me, ObjectRef::Table(fk.ref_table.clone()), DepKind::Normal);
                        if let Some(key) = self.referenced_key(&fk.ref_table, &fk.ref_columns) {
                            e.add(&me, key, DepKind::Normal);
                        }
                    }
                    ConstraintKind::Exclude(x) => {
                        for (k, _) in &x.elements {
                            key_deps(&mut e, &me, &t.name, &k.target);
                            opclass_deps(&mut e, &me, k, &exts);
                        }
                        for col in &x.include {
                            e.add(&me, column(col), DepKind::Auto);
                        }
                        if let Some(p) = &x.predicate {
                            e.expr(&me, p, DepKind::Auto);
                        }
                    }
                }
            }
        }
        for i in self.indexes.values() {
            let me = ObjectRef::Index(i.name.clone());
            // Materialized views have indexes too.
            let owner = if self.views.contains_key(&i.table) {
                ObjectRef::View(i.table.clone())
            } else {
                ObjectRef::Table(i.table.clone())
            };
            e.add(&me, owner, DepKind::Auto);
            for k in &i.keys {
                key_deps(&mut e, &me, &i.table, &k.target);
                opclass_deps(&mut e, &me, k, &exts);
            }
            for col in &i.include {
                e.add(&me, ObjectRef::Column(i.table.clone(), col.clone()), DepKind::Auto);
            }
            if let Some(p) = &i.predicate {
                e.expr(&me, p, DepKind::Auto);
            }
        }
        for v in self.views.values() {
            let me = ObjectRef::View(v.name.clone());
            e.add(&me, ObjectRef::Schema(v.name.schema.clone()), DepKind::Normal);
            for r in &v.query.refs {
                e.add(&me, r.clone(), DepKind::Normal);
            }
        }
        for f in self.functions.values() {
            let me = ObjectRef::Function(f.id.clone());
            e.add(&me, ObjectRef::Schema(f.id.name.schema.clone()), DepKind::Normal);
            for a in &f.args {
                e.ty(&me, &a.ty, &exts);
                if let Some(d) = &a.default {
                    e.expr(&me, d, DepKind::Normal);
                }
            }
            match &f.returns {
                Some(super::Returns::Type { ty, .. }) => e.ty(&me, ty, &exts),
                Some(super::Returns::Table(cols)) => cols.iter().for_each(|(_, t)| e.ty(&me, t, &exts)),
                None => {}
            }
            if let Some(support) = f.support.as_ref().filter(|s| s.schema != "pg_catalog") {
                e.add(
                    &me,
                    ObjectRef::Function(super::RoutineId { name: support.clone(), args: "internal".into() }),
                    DepKind::Normal,
                );
            }
            if let super::FunctionBody::Atomic(stmts) = &f.body {
                for q in stmts {
                    for r in &q.refs {
                        e.add(&me, r.clone(), DepKind::Normal);
                    }
                }
            }
        }
        for a in self.aggregates.values() {
            let me = ObjectRef::Aggregate(a.id.clone());
            e.add(&me, ObjectRef::Schema(a.id.name.schema.clone()), DepKind::Normal);
            for t in &a.args {
                e.ty(&me, t, &exts);
            }
            for f in self.functions.keys() {
                if a.options.values().any(|v| *v == f.name.to_string()) {
                    e.add(&me, ObjectRef::Function(f.clone()), DepKind::Normal);
                }
            }
        }
        for t in self.triggers.values() {
            let me = ObjectRef::Trigger(t.table.clone(), t.name.clone());
            let on = if self.views.contains_key(&t.table) {
                ObjectRef::View(t.table.clone())
            } else {
                ObjectRef::Table(t.table.clone())
            };
            e.add(&me, on, DepKind::Auto);
            e.add(&me, ObjectRef::Function(t.function.clone()), DepKind::Normal);
            for c in &t.columns {
                e.add(&me, ObjectRef::Column(t.table.clone(), c.clone()), DepKind::Auto);
            }
            if let Some(w) = &t.when {
                e.expr(&me, w, DepKind::Auto);
            }
            if let Some(from) = t.constraint.as_ref().and_then(|c| c.from.as_ref()) {
                e.add(&me, ObjectRef::Table(from.clone()), DepKind::Auto);
            }
        }
        for t in self.event_triggers.values() {
            e.add(&ObjectRef::EventTrigger(t.name.clone()), ObjectRef::Function(t.function.clone()), DepKind::Normal);
        }
        for p in self.policies.values() {
            let me = ObjectRef::Policy(p.table.clone(), p.name.clone());
            e.add(&me, ObjectRef::Table(p.table.clone()), DepKind::Auto);
            for x in p.using.iter().chain(p.with_check.iter()) {
                e.expr(&me, x, DepKind::Auto);
            }
        }
        for r in self.rules.values() {
            let me = ObjectRef::Rule(r.table.clone(), r.name.clone());
            let on = if self.views.contains_key(&r.table) {
                ObjectRef::View(r.table.clone())
            } else {
                ObjectRef::Table(r.table.clone())
            };
            e.add(&me, on, DepKind::Auto);
            if let Some(c) = &r.condition {
                e.expr(&me, c, DepKind::Normal);
            }
            for q in &r.actions {
                for x in &q.refs {
                    e.add(&me, x.clone(), DepKind::Normal);
                }
            }
        }
        for st in self.statistics.values() {
            let me = ObjectRef::Statistics(st.name.clone());
            e.add(&me, ObjectRef::Schema(st.name.schema.clone()), DepKind::Normal);
            e.add(&me, ObjectRef::Table(st.table.clone()), DepKind::Auto);
            for c in &st.columns {
                e.add(&me, ObjectRef::Column(st.table.clone(), c.clone()), DepKind::Auto);
            }
            for x in &st.exprs {
                e.expr(&me, x, DepKind::Auto);
            }
        }
        for c in self.text_search_configs.values() {
            let me = ObjectRef::TextSearchConfig(c.name.clone());
            e.add(&me, ObjectRef::Schema(c.name.schema.clone()), DepKind::Normal);
            let dictionaries: std::collections::BTreeSet<&QualifiedName> = c.mappings.values().flatten().collect();
            for d in dictionaries.into_iter().filter(|d| d.schema != "pg_catalog") {
                if self.text_search_dictionaries.contains_key(d) {
                    e.add(&me, ObjectRef::TextSearchDictionary(d.clone()), DepKind::Normal);
                } else if KNOWN_EXTENSION_DICTIONARIES.iter().any(|(n, _)| *n == d.name) {
                    for x in providing_extensions(KNOWN_EXTENSION_DICTIONARIES, &d.name, &exts) {
                        e.add(&me, ObjectRef::Extension(x.to_string()), DepKind::Normal);
                    }
                }
            }
        }
        for d in self.text_search_dictionaries.values() {
            let me = ObjectRef::TextSearchDictionary(d.name.clone());
            e.add(&me, ObjectRef::Schema(d.name.schema.clone()), DepKind::Normal);
            if d.template.schema != "pg_catalog" {
                for x in providing_extensions(KNOWN_EXTENSION_TEMPLATES, &d.template.name, &exts) {
                    e.add(&me, ObjectRef::Extension(x.to_string()), DepKind::Normal);
                }
            }
        }
        for c in self.casts.values() {
            let me = ObjectRef::Cast(c.key());
            e.ty(&me, &c.source, &exts);
            e.ty(&me, &c.target, &exts);
            if let super::CastMethod::Function(f) = &c.method {
                if f.name.schema != "pg_catalog" {
                    e.add(&me, ObjectRef::Function(f.clone()), DepKind::Normal);
                }
            }
        }
        for k in self.default_privileges.keys() {
            if let Some(s) = &k.schema {
                e.add(&ObjectRef::DefaultPrivileges(k.clone()), ObjectRef::Schema(s.clone()), DepKind::Auto);
            }
        }
        // A row type names a relation, which may be a view.
        for d in &mut e.0 {
            if let ObjectRef::Table(q) = &d.to {
                if self.views.contains_key(q) {
                    d.to = ObjectRef::View(q.clone());
                }
            }
            // A multirange type is part of its range type.
            if let ObjectRef::Type(q) = &d.to {
                if !self.types.contains_key(q) {
                    if let Some(range) = self.range_of_multirange(q) {
                        d.to = ObjectRef::Type(range.clone());
                    }
                }
            }
        }
        e.0.retain(|d| d.from != d.to);
        e.0
    }

    /// The unique keys of `table` a foreign key or `ON CONFLICT (cols)` can use: its primary
    /// key and unique constraints, then its unique indexes without a predicate or expressions.
    pub fn unique_keys(&self, table: &QualifiedName) -> Vec<UniqueKey> {
        let mut keys = Vec::new();
        for c in self.tables.get(table).into_iter().flat_map(|t| t.constraints.values()) {
            if let ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) = &c.kind {
                keys.push(UniqueKey {
                    object: ObjectRef::Constraint(table.clone(), c.name.clone()),
                    columns: sorted_columns(&k.columns),
                    primary: matches!(c.kind, ConstraintKind::PrimaryKey(_)),
                });
            }
        }
        for i in self.indexes.values().filter(|i| &i.table == table && i.unique && i.predicate.is_none()) {
            if let Some(columns) = i.plain_columns() {
                keys.push(UniqueKey {
                    object: ObjectRef::Index(i.name.clone()),
                    columns: sorted_columns(&columns),
                    primary: false,
                });
            }
        }
        keys
    }

    /// The unique constraint or unique index on `table` whose columns are exactly `columns`:
    /// what a foreign key needs to exist first.
    pub fn referenced_key(&self, table: &QualifiedName, columns: &[String]) -> Option<ObjectRef> {
        let columns = sorted_columns(columns);
        self.unique_keys(table).into_iter().find(|k| k.columns == columns).map(|k| k.object)
    }
}

/// A unique key of a table (see [`Catalog::unique_keys`]), its columns sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueKey {
    pub object: ObjectRef,
    pub columns: Vec<String>,
    pub primary: bool,
}

/// Column lists compare as sets: `(a, b)` is the key `(b, a)`.
pub fn sorted_columns(columns: &[String]) -> Vec<String> {
    let mut c = columns.to_vec();
    c.sort();
    c
}

fn opclass_deps(e: &mut Edges, me: &ObjectRef, k: &IndexKey, exts: &[&str]) {
    if let Some(op) = &k.opclass {
        if KNOWN_EXTENSION_OPCLASSES.iter().any(|(o, _)| o == op) {
            for x in providing_extensions(KNOWN_EXTENSION_OPCLASSES, op, exts) {
                e.add(me, ObjectRef::Extension(x.to_string()), DepKind::Normal);
            }
        }
    }
}

fn key_deps(e: &mut Edges, me: &ObjectRef, table: &QualifiedName, target: &IndexTarget) {
    match target {
        IndexTarget::Column(c) => e.add(me, ObjectRef::Column(table.clone(), c.clone()), DepKind::Auto),
        IndexTarget::Expr(x) => e.expr(me, x, DepKind::Auto),
    }
}
