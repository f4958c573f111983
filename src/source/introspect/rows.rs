//! Query rows → [`Catalog`]: each object kind built from its rows through the builders the
//! files use (`source::parse::build`), in the order their references need (types, tables and
//! columns, routines and views, then the expressions that call them). An object whose text
//! does not read is noted in [`Unreadables`] and left out; the rest goes on.

use super::routines::{routines_and_views, triggers_and_policies};
use super::*;

/// What could not be read, collected while the catalog is built.
#[derive(Default)]
pub(super) struct Unreadables(pub(super) Vec<Unreadable>);

impl Unreadables {
    /// The value, or `None` with `object` noted as unreadable for the reason `result` gives.
    pub(super) fn note<T>(&mut self, object: impl FnOnce() -> ObjectRef, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(reason) => {
                self.0.push(Unreadable { object: object(), reason });
                None
            }
        }
    }

    pub(super) fn add(&mut self, object: ObjectRef, reason: impl Into<String>) {
        self.0.push(Unreadable { object, reason: reason.into() });
    }
}

pub(super) fn qn(row: &Row, schema: &str, name: &str) -> QualifiedName {
    QualifiedName::new(row.get::<_, String>(schema), row.get::<_, String>(name))
}

/// `reloptions` (`{fillfactor=70}`) as a map.
pub(super) fn reloptions(items: Vec<String>) -> std::collections::BTreeMap<String, String> {
    items
        .into_iter()
        .map(|o| match o.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (o, String::new()),
        })
        .collect()
}

/// An ACL column (`aclitem[]` as text), relative to the object's owner.
pub(super) fn acl(row: &Row, owner: &str) -> Acl {
    row.get::<_, Option<Vec<String>>>("acl").map(|items| items.iter().flat_map(|i| parse_aclitem(i, owner)).collect())
}

/// The parts of a dotted name as the catalog prints it, quoted parts unquoted (`""` is `"`).
pub(super) fn split_quoted(text: &str) -> Vec<String> {
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
pub(super) fn requoted(text: &str) -> String {
    split_quoted(text).iter().map(|p| crate::model::quote_ident(p)).collect::<Vec<_>>().join(".")
}

pub(super) fn split_qualified(text: &str) -> QualifiedName {
    let (s, n) = text.split_once('.').unwrap_or(("pg_catalog", text));
    QualifiedName::new(s, n)
}

/// Types are printed the same way many times: parse each text once.
#[derive(Default)]
pub(super) struct TypeCache(HashMap<String, TypeRef>);

impl TypeCache {
    pub(super) fn get(&mut self, text: &str, scope: &Scope) -> Result<TypeRef, String> {
        if let Some(t) = self.0.get(text) {
            return Ok(t.clone());
        }
        let t = build::type_from_text(text, scope)?;
        self.0.insert(text.to_string(), t.clone());
        Ok(t)
    }
}

pub(super) fn build_catalog(q: &Queries, bad: &mut Unreadables) -> Catalog {
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
    // Domains whose checks or default may call a routine, again, now that the routines are
    // known (read before them, the calls resolved to no routine, and the plan could not order
    // them). One snapshot for all: a domain's expressions need routines and type names only.
    // A call: a name (or quoted name) right before `(`; a false match only costs a re-read.
    let calls = |text: Option<String>| {
        text.is_some_and(|t| {
            t.as_bytes()
                .windows(2)
                .any(|w| (w[0].is_ascii_alphanumeric() || w[0] == b'_' || w[0] == b'"') && w[1] == b'(')
        })
    };
    let again: Vec<&Row> = q
        .types
        .iter()
        .filter(|r| r.get::<_, String>("kind") == "d")
        .filter(|r| {
            let name = qn(r, "schema", "name");
            cat.types.contains_key(&name)
                && (calls(r.get("default_expr"))
                    || q.domain_constraints.iter().any(|c| {
                        qn(c, "schema", "type_name") == name && calls(c.get::<_, Option<String>>("definition"))
                    }))
        })
        .collect();
    if !again.is_empty() {
        let snapshot = cat.clone();
        for r in again {
            let name = qn(r, "schema", "name");
            if let Ok(domain) = domain(q, r, &name, &snapshot, &mut types) {
                cat.types.get_mut(&name).expect("read").kind = TypeKind::Domain(Box::new(domain));
            }
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
pub(super) fn quote(r: &Row) -> String {
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
        if key.is_none() {
            continue;
        }
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
