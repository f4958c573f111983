//! `exclude`: objects a team manages elsewhere, left out of every comparison on purpose.
//! A pattern is matched against an object's name as `schema.name` (unquoted) with `*` for any
//! run of characters and `?` for one; a pattern without a dot names an object outside schemas
//! (an extension, an event trigger, a publication), and a cast is matched by the server's
//! identity of it (`(text AS public.code)`). Excluding a table excludes its indexes, triggers,
//! policies, rules and statistics.

use super::{Catalog, ObjectRef, QualifiedName};

/// The `exclude` patterns of a project (tidemark.toml and `--exclude`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exclusions {
    patterns: Vec<String>,
}

impl Exclusions {
    pub fn new(patterns: impl IntoIterator<Item = String>) -> Exclusions {
        Exclusions { patterns: patterns.into_iter().filter(|p| !p.is_empty()).collect() }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// Whether a schema object is excluded.
    pub fn qualified(&self, name: &QualifiedName) -> bool {
        self.text(&format!("{}.{}", name.schema, name.name))
    }

    /// Whether an object is excluded by its identity text (`schema.name`, or a global name).
    pub fn text(&self, identity: &str) -> bool {
        self.patterns.iter().any(|p| glob(p.as_bytes(), identity.as_bytes()))
    }

    /// Remove every excluded object from `catalog`; how many were removed.
    pub fn apply(&self, catalog: &mut Catalog) -> usize {
        if self.is_empty() {
            return 0;
        }
        let mut gone: Vec<ObjectRef> = Vec::new();
        let q = |n: &QualifiedName| self.qualified(n);
        gone.extend(catalog.tables.keys().filter(|n| q(n)).map(|n| ObjectRef::Table(n.clone())));
        gone.extend(catalog.views.keys().filter(|n| q(n)).map(|n| ObjectRef::View(n.clone())));
        gone.extend(catalog.sequences.keys().filter(|n| q(n)).map(|n| ObjectRef::Sequence(n.clone())));
        gone.extend(catalog.types.keys().filter(|n| q(n)).map(|n| ObjectRef::Type(n.clone())));
        gone.extend(catalog.collations.keys().filter(|n| q(n)).map(|n| ObjectRef::Collation(n.clone())));
        gone.extend(catalog.indexes.keys().filter(|n| q(n)).map(|n| ObjectRef::Index(n.clone())));
        gone.extend(catalog.functions.keys().filter(|f| q(&f.name)).map(|f| ObjectRef::Function(f.clone())));
        gone.extend(catalog.aggregates.keys().filter(|f| q(&f.name)).map(|f| ObjectRef::Aggregate(f.clone())));
        gone.extend(catalog.statistics.keys().filter(|n| q(n)).map(|n| ObjectRef::Statistics(n.clone())));
        gone.extend(
            catalog.text_search_configs.keys().filter(|n| q(n)).map(|n| ObjectRef::TextSearchConfig(n.clone())),
        );
        gone.extend(
            catalog
                .text_search_dictionaries
                .keys()
                .filter(|n| q(n))
                .map(|n| ObjectRef::TextSearchDictionary(n.clone())),
        );
        gone.extend(catalog.casts.keys().filter(|c| self.text(&c.to_string())).map(|c| ObjectRef::Cast(c.clone())));
        gone.extend(catalog.event_triggers.keys().filter(|n| self.text(n)).map(|n| ObjectRef::EventTrigger(n.clone())));
        gone.extend(catalog.extensions.keys().filter(|n| self.text(n)).map(|n| ObjectRef::Extension(n.clone())));
        let before = size(catalog);
        for object in &gone {
            catalog.forget(object);
        }
        catalog.triggers.retain(|m, _| !q(&m.table));
        catalog.policies.retain(|m, _| !q(&m.table));
        catalog.rules.retain(|m, _| !q(&m.table));
        before - size(catalog)
    }
}

/// How many objects a catalog holds, of the kinds `exclude` removes.
fn size(c: &Catalog) -> usize {
    c.tables.len()
        + c.views.len()
        + c.sequences.len()
        + c.types.len()
        + c.collations.len()
        + c.indexes.len()
        + c.functions.len()
        + c.aggregates.len()
        + c.statistics.len()
        + c.text_search_configs.len()
        + c.event_triggers.len()
        + c.extensions.len()
        + c.triggers.len()
        + c.policies.len()
        + c.rules.len()
        + c.casts.len()
        + c.text_search_dictionaries.len()
}

/// `*` any run of bytes, `?` one byte, everything else itself.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_qualified_names() {
        let x = Exclusions::new(["audit.*".to_string(), "public.tmp_*".to_string(), "pg_cron".to_string()]);
        assert!(x.qualified(&QualifiedName::new("audit", "log")));
        assert!(x.qualified(&QualifiedName::new("public", "tmp_import")));
        assert!(!x.qualified(&QualifiedName::new("public", "import_tmp")));
        assert!(!x.qualified(&QualifiedName::new("public", "tmp")));
        assert!(x.text("pg_cron") && !x.text("pg_cron2"));
        assert!(glob(b"a?c", b"abc") && !glob(b"a?c", b"ac") && glob(b"*", b"") && glob(b"a**b", b"axxb"));
    }
}
