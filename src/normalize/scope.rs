//! Name resolution as Postgres does it at the moment a statement runs: a [`Scope`] is a catalog
//! (the state so far) plus the session's search_path. Schema files resolve under the search_path
//! their session set; catalog text is printed under an empty search_path, so everything that is
//! not in pg_catalog arrives qualified and resolves the same way.

use crate::model::{Catalog, QualifiedName};

#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub catalog: &'a Catalog,
    pub search_path: &'a [String],
}

impl<'a> Scope<'a> {
    pub fn new(catalog: &'a Catalog, search_path: &'a [String]) -> Self {
        Scope { catalog, search_path }
    }

    /// The schemas searched for an unqualified name, in order (pg_catalog first, as Postgres
    /// does when the path does not name it).
    pub fn path(&self) -> impl Iterator<Item = &str> {
        self.search_path.iter().map(String::as_str).filter(|s| *s != "$user")
    }

    /// Where an unqualified CREATE puts its object: the first schema of the path that exists.
    pub fn creation_schema(&self) -> Option<&str> {
        self.path().find(|s| *s != "pg_catalog" && self.catalog.schemas.contains_key(*s))
    }

    fn find(&self, schema: Option<&str>, name: &str, exists: impl Fn(&QualifiedName) -> bool) -> Option<QualifiedName> {
        match schema {
            Some(s) => {
                let qn = QualifiedName::new(s, name);
                exists(&qn).then_some(qn)
            }
            None => self.path().map(|s| QualifiedName::new(s, name)).find(|qn| exists(qn)),
        }
    }

    pub fn find_type(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.types.contains_key(qn))
    }

    pub fn find_table(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.tables.contains_key(qn))
    }

    pub fn find_sequence(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| {
            self.catalog.sequences.contains_key(qn) || self.catalog.identity_owner(qn).is_some()
        })
    }

    pub fn find_index(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| {
            self.catalog.indexes.contains_key(qn) || self.catalog.constraint_index(qn).is_some()
        })
    }

    /// Any relation-namespace object (table, sequence, index) of that name.
    pub fn find_relation(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.relation_name_taken(&qn.schema, &qn.name))
    }
}
