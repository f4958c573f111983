//! Catalog × Catalog → [`Change`]s. Pure: no IO, no SQL. One differ per object kind; each
//! compares canonical model values with `==`, so what normalization made equal is equal here.
//!
//! Fields a source cannot know are compared only when the desired side states them: an owner
//! (`None` = whatever the migrating role gets), an extension's version and comment.

mod change;
mod default_privileges;
mod invalidate;
mod routines;
mod statistics;
mod table;
mod types;

pub use change::{needs_using, Change, DomainChange, EnumPosition};
pub use types::columns_of_type;

use crate::model::{effective, Acl, AclKind, Catalog, Grant, Grantee, ObjectRef, Privilege};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// Do not converge ownership at all.
    pub ignore_owners: bool,
}

/// The changes that turn `from` into `to`, in a deterministic order (not the execution order:
/// that is `plan`'s).
pub fn diff(from: &Catalog, to: &Catalog, options: &DiffOptions) -> Vec<Change> {
    let mut out = Vec::new();
    let cx = Cx { from, to, options, out: &mut out };
    cx.run();
    out
}

pub(crate) struct Cx<'a> {
    pub from: &'a Catalog,
    pub to: &'a Catalog,
    pub options: &'a DiffOptions,
    pub out: &'a mut Vec<Change>,
}

impl Cx<'_> {
    fn run(mut self) {
        self.schemas();
        self.extensions();
        self.collations();
        self.types();
        self.sequences();
        self.tables();
        self.indexes();
        self.functions();
        self.views();
        self.triggers();
        self.policies();
        self.rules();
        self.casts();
        self.statistics();
        self.text_search_dictionaries();
        self.text_search_configs();
        self.default_privileges();
        self.recreate_dependents();
    }

    pub(crate) fn push(&mut self, c: Change) {
        self.out.push(c);
    }

    /// Owner: converged when the desired side states one.
    pub(crate) fn owner(&mut self, object: ObjectRef, from: &Option<String>, to: &Option<String>) {
        if self.options.ignore_owners {
            return;
        }
        if let Some(o) = to {
            if from.as_ref() != Some(o) {
                self.push(Change::AlterOwner { object, owner: o.clone() });
            }
        }
    }

    /// Owner of a newly created object.
    pub(crate) fn new_owner(&mut self, object: ObjectRef, to: &Option<String>) {
        self.owner(object, &None, to);
    }

    /// GRANT / REVOKE what differs between two ACLs. `from` is `None` for a new object (the
    /// kind's default applies); owners are `(from side, to side)`.
    pub(crate) fn privileges(
        &mut self,
        object: ObjectRef,
        kind: AclKind,
        from: Option<&Acl>,
        to: &Acl,
        owners: (Option<&str>, Option<&str>),
    ) {
        let effective_owner = owners.1.or(owners.0);
        // A new object starts from what the running role's default privileges give it.
        let initial = match from {
            Some(acl) => acl.clone(),
            None => self.initial_acl(&object),
        };
        let old = effective(&initial, kind, owners.0);
        let new = effective(to, kind, effective_owner);
        if old == new {
            return;
        }
        self.acl_changes(object, kind, &old, &new, effective_owner.map(str::to_string));
    }

    /// The ACL the plan's role gives a new object when it creates it.
    fn initial_acl(&self, object: &ObjectRef) -> Acl {
        use crate::model::DefaultAclObject as D;
        let (kind, schema) = match object {
            ObjectRef::Schema(s) => (D::Schemas, s.as_str()),
            ObjectRef::Table(q) | ObjectRef::View(q) => (D::Tables, q.schema.as_str()),
            ObjectRef::Sequence(q) => (D::Sequences, q.schema.as_str()),
            ObjectRef::Type(q) => (D::Types, q.schema.as_str()),
            ObjectRef::Function(r) | ObjectRef::Aggregate(r) => (D::Functions, r.name.schema.as_str()),
            _ => return None,
        };
        let entries = default_privileges::runner_relative(self.from, self.runner());
        crate::model::initial_acl(&entries, None, kind, schema)
    }

    /// GRANT / REVOKE statements from one set of grants to another.
    pub(crate) fn acl_changes(
        &mut self,
        object: ObjectRef,
        kind: AclKind,
        old: &std::collections::BTreeSet<Grant>,
        new: &std::collections::BTreeSet<Grant>,
        owner: Option<String>,
    ) {
        // Group by (grantee, grantable) so each statement names one role.
        let mut grants: BTreeMap<(Grantee, bool), Vec<Privilege>> = BTreeMap::new();
        let mut revokes: BTreeMap<(Grantee, bool), Vec<Privilege>> = BTreeMap::new();
        for g in old {
            let same = Grant { grantable: !g.grantable, ..g.clone() };
            if new.contains(g) {
                continue;
            }
            if g.grantable && new.contains(&same) {
                revokes.entry((g.grantee.clone(), true)).or_default().push(g.privilege);
            } else if !new.contains(&same) {
                revokes.entry((g.grantee.clone(), false)).or_default().push(g.privilege);
            }
        }
        for g in new {
            // Losing only the grant option is a REVOKE GRANT OPTION FOR, above.
            let option_dropped = !g.grantable && old.contains(&Grant { grantable: true, ..g.clone() });
            if !old.contains(g) && !option_dropped {
                grants.entry((g.grantee.clone(), g.grantable)).or_default().push(g.privilege);
            }
        }
        for ((grantee, option_only), privileges) in revokes {
            self.push(Change::Revoke {
                object: object.clone(),
                kind,
                grantee,
                owner: owner.clone(),
                privileges,
                grant_option_only: option_only,
            });
        }
        for ((grantee, grantable), privileges) in grants {
            self.push(Change::Grant {
                object: object.clone(),
                kind,
                grantee,
                owner: owner.clone(),
                privileges,
                grantable,
            });
        }
    }

    pub(crate) fn comment(&mut self, object: ObjectRef, from: &Option<String>, to: &Option<String>) {
        if from != to {
            self.push(Change::Comment { object, comment: to.clone() });
        }
    }

    fn schemas(&mut self) {
        for (name, s) in &self.from.schemas {
            if !self.to.schemas.contains_key(name) {
                self.push(Change::DropSchema(s.clone()));
            }
        }
        for (name, s) in &self.to.schemas {
            match self.from.schemas.get(name) {
                None => {
                    self.push(Change::CreateSchema(s.clone()));
                    self.new_owner(ObjectRef::Schema(name.clone()), &s.owner);
                    self.comment(ObjectRef::Schema(name.clone()), &None, &s.comment);
                    self.privileges(
                        ObjectRef::Schema(name.clone()),
                        AclKind::Schema,
                        None,
                        &s.acl,
                        (None, s.owner.as_deref()),
                    );
                }
                Some(old) => {
                    self.owner(ObjectRef::Schema(name.clone()), &old.owner, &s.owner);
                    self.comment(ObjectRef::Schema(name.clone()), &old.comment, &s.comment);
                    self.privileges(
                        ObjectRef::Schema(name.clone()),
                        AclKind::Schema,
                        Some(&old.acl),
                        &s.acl,
                        (old.owner.as_deref(), s.owner.as_deref()),
                    );
                }
            }
        }
    }

    fn extensions(&mut self) {
        for (name, e) in &self.from.extensions {
            if !self.to.extensions.contains_key(name) {
                self.push(Change::DropExtension(e.clone()));
            }
        }
        for (name, e) in &self.to.extensions {
            let obj = ObjectRef::Extension(name.clone());
            match self.from.extensions.get(name) {
                None => {
                    self.push(Change::CreateExtension(e.clone()));
                    if e.comment.is_some() {
                        self.comment(obj, &None, &e.comment);
                    }
                }
                Some(old) => {
                    if old.schema != e.schema {
                        self.push(Change::AlterExtensionSchema { name: name.clone(), schema: e.schema.clone() });
                    }
                    if let Some(v) = &e.version {
                        if old.version.as_ref() != Some(v) {
                            self.push(Change::AlterExtensionVersion { name: name.clone(), version: v.clone() });
                        }
                    }
                    if e.comment.is_some() {
                        self.comment(obj, &old.comment, &e.comment);
                    }
                }
            }
        }
    }

    fn collations(&mut self) {
        let same = |a: &crate::model::Collation, b: &crate::model::Collation| {
            a.provider == b.provider
                && a.icu_locale == b.icu_locale
                && a.lc_collate == b.lc_collate
                && a.lc_ctype == b.lc_ctype
                && a.deterministic == b.deterministic
        };
        for (name, c) in &self.from.collations {
            if self.to.collations.get(name).is_none_or(|n| !same(c, n)) {
                self.push(Change::DropCollation(c.clone()));
            }
        }
        for (name, c) in &self.to.collations {
            let obj = ObjectRef::Collation(name.clone());
            let old = self.from.collations.get(name).filter(|o| same(o, c));
            if old.is_none() {
                let mut created = c.clone();
                created.comment = None;
                self.push(Change::CreateCollation(created));
            }
            self.owner(obj.clone(), &old.and_then(|o| o.owner.clone()), &c.owner);
            self.comment(obj, &old.and_then(|o| o.comment.clone()), &c.comment);
        }
    }

    fn sequences(&mut self) {
        for (name, s) in &self.from.sequences {
            if self.to.sequences.contains_key(name) {
                continue;
            }
            // A sequence owned by a column that goes away goes with it.
            let implied =
                s.owned_by.as_ref().is_some_and(|(t, c)| self.to.tables.get(t).and_then(|t| t.column(c)).is_none());
            if !implied {
                self.push(Change::DropSequence(s.clone()));
            }
        }
        for (name, s) in &self.to.sequences {
            let obj = ObjectRef::Sequence(name.clone());
            match self.from.sequences.get(name) {
                None => {
                    // The owner is set by the creation itself, before OWNED BY ties the
                    // sequence's owner to its table's.
                    let mut created = s.clone();
                    if self.options.ignore_owners {
                        created.owner = None;
                    }
                    self.push(Change::CreateSequence(created));
                    if s.owned_by.is_some() {
                        self.push(Change::SetSequenceOwnedBy {
                            name: name.clone(),
                            from: None,
                            to: s.owned_by.clone(),
                        });
                    }
                    self.comment(obj.clone(), &None, &s.comment);
                    self.privileges(obj, AclKind::Sequence, None, &s.acl, (None, s.owner.as_deref()));
                }
                Some(old) => {
                    if old.options != s.options {
                        self.push(Change::AlterSequence {
                            name: name.clone(),
                            from: old.options.clone(),
                            to: s.options.clone(),
                        });
                    }
                    if old.owned_by != s.owned_by {
                        self.push(Change::SetSequenceOwnedBy {
                            name: name.clone(),
                            from: old.owned_by.clone(),
                            to: s.owned_by.clone(),
                        });
                    }
                    // An owned sequence's owner follows its table's (ALTER TABLE OWNER cascades).
                    if s.owned_by.is_none() {
                        self.owner(obj.clone(), &old.owner, &s.owner);
                    }
                    self.comment(obj.clone(), &old.comment, &s.comment);
                    self.privileges(
                        obj,
                        AclKind::Sequence,
                        Some(&old.acl),
                        &s.acl,
                        (old.owner.as_deref(), s.owner.as_deref()),
                    );
                }
            }
        }
    }

    fn indexes(&mut self) {
        for (name, i) in &self.from.indexes {
            let table_dropped = !self.to.tables.contains_key(&i.table);
            let changed = self.to.indexes.get(name).is_none_or(|n| !same_index(i, n));
            if changed && !table_dropped {
                self.push(Change::DropIndex(i.clone()));
            }
        }
        for (name, i) in &self.to.indexes {
            let obj = ObjectRef::Index(name.clone());
            match self.from.indexes.get(name) {
                Some(old) if same_index(old, i) => {
                    if old.options != i.options {
                        let (set, reset) = option_changes(&old.options, &i.options);
                        self.push(Change::SetIndexOptions { name: name.clone(), set, reset });
                    }
                    self.comment(obj, &old.comment, &i.comment);
                }
                _ => {
                    self.push(Change::CreateIndex(i.clone()));
                    self.comment(obj, &None, &i.comment);
                }
            }
        }
    }
}

/// Indexes equal but for storage parameters and comment (which are altered in place).
fn same_index(a: &crate::model::Index, b: &crate::model::Index) -> bool {
    let strip = |i: &crate::model::Index| {
        let mut i = i.clone();
        i.options.clear();
        i.comment = None;
        i
    };
    strip(a) == strip(b)
}

/// Storage parameters to SET and to RESET.
pub(crate) fn option_changes(
    from: &std::collections::BTreeMap<String, String>,
    to: &std::collections::BTreeMap<String, String>,
) -> (Vec<(String, String)>, Vec<String>) {
    let set = to.iter().filter(|(k, v)| from.get(*k) != Some(v)).map(|(k, v)| (k.clone(), v.clone())).collect();
    let reset = from.keys().filter(|k| !to.contains_key(*k)).cloned().collect();
    (set, reset)
}
