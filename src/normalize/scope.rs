//! Name resolution as Postgres does it at the moment a statement runs: a [`Scope`] is a catalog
//! (the state so far) plus the session's search_path. Schema files resolve under the search_path
//! their session set; catalog text is printed under an empty search_path, so everything that is
//! not in pg_catalog arrives qualified and resolves the same way.

use crate::model::{Catalog, QualifiedName, RoutineId, TypeRef};

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

    /// A type of the catalog, or the multirange type of one of its range types (which is no
    /// entry of `types`: its range type holds it).
    pub fn find_type_or_multirange(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| {
            self.catalog.types.contains_key(qn) || self.catalog.range_of_multirange(qn).is_some()
        })
    }

    pub fn find_collation(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.collations.contains_key(qn))
    }

    pub fn find_text_search_config(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.text_search_configs.contains_key(qn))
    }

    pub fn find_text_search_dictionary(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.text_search_dictionaries.contains_key(qn))
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

    /// A table or view a query may read: the catalog's, or one of pg_catalog's or
    /// information_schema's (`system`: true; pg_catalog is searched first, as Postgres does).
    pub fn find_readable(&self, schema: Option<&str>, name: &str) -> Option<(QualifiedName, bool)> {
        let system = |s: &str| {
            super::builtin_relations::BUILTIN_RELATIONS
                .binary_search_by(|(bs, bn, _)| (*bs, *bn).cmp(&(s, name)))
                .is_ok()
                .then(|| QualifiedName::new(s, name))
        };
        match schema {
            Some(s @ ("pg_catalog" | "information_schema")) => {
                self.find_queryable(Some(s), name).map(|q| (q, false)).or_else(|| system(s).map(|q| (q, true)))
            }
            Some(_) => self.find_queryable(schema, name).map(|q| (q, false)),
            None => {
                system("pg_catalog").map(|q| (q, true)).or_else(|| self.find_queryable(None, name).map(|q| (q, false)))
            }
        }
    }

    /// A table or view, as a query's FROM names it.
    pub fn find_queryable(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.tables.contains_key(qn) || self.catalog.views.contains_key(qn))
    }

    pub fn find_view(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.views.contains_key(qn))
    }

    /// The columns of a table or view, with their types when known.
    pub fn columns_of(&self, relation: &QualifiedName) -> Option<Vec<(String, Option<TypeRef>)>> {
        if let Some(t) = self.catalog.tables.get(relation) {
            return Some(t.columns.iter().map(|c| (c.name.clone(), Some(c.ty.clone()))).collect());
        }
        if let Some(v) = self.catalog.views.get(relation) {
            return Some(v.columns.iter().map(|c| (c.name.clone(), c.ty.0.clone())).collect());
        }
        // A system relation: its column names (types not modeled).
        super::builtin_relations::BUILTIN_RELATIONS
            .binary_search_by(|(s, n, _)| (*s, *n).cmp(&(relation.schema.as_str(), relation.name.as_str())))
            .ok()
            .map(|i| super::builtin_relations::BUILTIN_RELATIONS[i].2.iter().map(|c| (c.to_string(), None)).collect())
    }

    /// A function or procedure of the catalog by name, preferring one that takes `nargs`
    /// arguments (overloads are told apart by count only; argument types are not inferred).
    pub fn find_function(&self, schema: Option<&str>, name: &str, nargs: Option<usize>) -> Option<RoutineId> {
        let candidates = |s: &str| -> Vec<&RoutineId> {
            let lo = RoutineId { name: QualifiedName::new(s, name), args: String::new() };
            self.catalog
                .functions
                .range(lo..)
                .take_while(|(id, _)| id.name.schema == s && id.name.name == name)
                .map(|(id, _)| id)
                .collect()
        };
        let pick = |ids: Vec<&RoutineId>| -> Option<RoutineId> {
            let fits = |id: &&RoutineId| {
                let f = &self.catalog.functions[*id];
                let inputs = f.args.iter().filter(|a| a.mode.is_input()).count();
                let required = f.args.iter().filter(|a| a.mode.is_input() && a.default.is_none()).count();
                let variadic = f.args.iter().any(|a| a.mode == crate::model::ArgMode::Variadic);
                nargs.is_none_or(|n| (n >= required && n <= inputs) || (variadic && n >= required.saturating_sub(1)))
            };
            ids.iter().find(|id| fits(id)).or(ids.first()).map(|id| (*id).clone())
        };
        match schema {
            Some(s) => pick(candidates(s)),
            None => self.path().map(candidates).find(|c| !c.is_empty()).and_then(pick),
        }
    }

    /// Any relation-namespace object (table, sequence, index) of that name.
    pub fn find_relation(&self, schema: Option<&str>, name: &str) -> Option<QualifiedName> {
        self.find(schema, name, |qn| self.catalog.relation_name_taken(&qn.schema, &qn.name))
    }
}
