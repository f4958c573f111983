//! Enums, domains, composite and range types; and the dependents a recreated type invalidates.

use super::{Change, Cx, DomainChange, EnumPosition};
use crate::model::{AclKind, ConstraintKind, IndexTarget, ObjectRef, QualifiedName, TypeDef, TypeKind};

impl Cx<'_> {
    pub(super) fn types(&mut self) {
        for (name, t) in &self.from.types {
            match self.to.types.get(name) {
                None => self.push(Change::DropType(t.clone())),
                Some(n) if std::mem::discriminant(&n.kind) != std::mem::discriminant(&t.kind) => {
                    self.push(Change::DropType(t.clone()))
                }
                _ => {}
            }
        }
        for (name, t) in &self.to.types {
            let obj = ObjectRef::Type(name.clone());
            match self.from.types.get(name) {
                Some(old) if std::mem::discriminant(&old.kind) == std::mem::discriminant(&t.kind) => {
                    if self.alter_type(old, t) {
                        // A rebuilt type is a new object: its owner, comment and grants are
                        // those of a type just created (PUBLIC has USAGE again), set anew.
                        self.new_owner(obj.clone(), &t.owner);
                        self.comment(obj.clone(), &None, &t.comment);
                        if let TypeKind::Composite { attributes } = &t.kind {
                            for attr in attributes {
                                let column = ObjectRef::Column(name.clone(), attr.name.clone());
                                self.comment(column, &None, &attr.comment);
                            }
                        }
                        self.privileges(obj, AclKind::Type, None, &t.acl, (None, t.owner.as_deref()));
                        continue;
                    }
                    self.owner(obj.clone(), &old.owner, &t.owner);
                    self.comment(obj.clone(), &old.comment, &t.comment);
                    self.privileges(
                        obj,
                        AclKind::Type,
                        Some(&old.acl),
                        &t.acl,
                        (old.owner.as_deref(), t.owner.as_deref()),
                    );
                }
                _ => {
                    let mut created = t.clone();
                    created.comment = None;
                    // A domain check that calls a routine is added once the routine exists
                    // (types are created before routines, which may take the domain).
                    let mut later = Vec::new();
                    if let TypeKind::Domain(d) = &mut created.kind {
                        let calls = |c: &crate::model::DomainCheck| {
                            c.expr.refs.iter().any(|r| matches!(r, ObjectRef::Function(_) | ObjectRef::Aggregate(_)))
                        };
                        later =
                            d.checks.iter().filter(|(_, c)| calls(c)).map(|(n, c)| (n.clone(), c.clone())).collect();
                        d.checks.retain(|_, c| !calls(c));
                    }
                    self.push(Change::CreateType(created));
                    for (name, check) in later {
                        self.push(Change::AlterDomain {
                            name: t.name.clone(),
                            change: DomainChange::AddCheck { name, check },
                        });
                    }
                    self.domain_check_comments(t);
                    self.new_owner(obj.clone(), &t.owner);
                    self.comment(obj.clone(), &None, &t.comment);
                    self.privileges(obj, AclKind::Type, None, &t.acl, (None, t.owner.as_deref()));
                }
            }
        }
    }

    /// Alter a type in place, or rebuild it; true when rebuilt.
    fn alter_type(&mut self, old: &TypeDef, new: &TypeDef) -> bool {
        let name = &new.name;
        match (&old.kind, &new.kind) {
            (TypeKind::Enum { labels: a }, TypeKind::Enum { labels: b }) => {
                if a == b {
                    return false;
                }
                // Labels can be added anywhere; anything else rebuilds the type.
                let kept: Vec<&String> = b.iter().filter(|l| a.contains(l)).collect();
                if kept.len() != a.len() || kept.iter().zip(a).any(|(x, y)| *x != y) {
                    self.recreate_type(old, new);
                    return true;
                }
                let mut current = a.clone();
                for (i, label) in b.iter().enumerate() {
                    if current.contains(label) {
                        continue;
                    }
                    let position = match b[i + 1..].iter().find(|l| current.contains(l)) {
                        Some(next) => EnumPosition::Before(next.clone()),
                        None if i > 0 => EnumPosition::After(b[i - 1].clone()),
                        None => EnumPosition::End,
                    };
                    let at = match &position {
                        EnumPosition::Before(n) => current.iter().position(|l| l == n).unwrap_or(current.len()),
                        _ => current.len(),
                    };
                    current.insert(at, label.clone());
                    self.push(Change::AddEnumValue { name: name.clone(), value: label.clone(), position });
                }
            }
            (TypeKind::Domain(a), TypeKind::Domain(b)) => {
                if a.base != b.base || a.collation != b.collation {
                    self.recreate_type(old, new);
                    return true;
                }
                let d = |change| Change::AlterDomain { name: name.clone(), change };
                if a.default != b.default {
                    self.push(d(match &b.default {
                        Some(e) => DomainChange::SetDefault(e.clone()),
                        None => DomainChange::DropDefault,
                    }));
                }
                if a.not_null != b.not_null {
                    self.push(d(if b.not_null { DomainChange::SetNotNull } else { DomainChange::DropNotNull }));
                }
                for (cname, c) in &a.checks {
                    match b.checks.get(cname) {
                        Some(n) if n.expr == c.expr && (n.validated == c.validated || n.validated) => {}
                        _ => self.push(d(DomainChange::DropCheck { name: cname.clone(), check: c.clone() })),
                    }
                }
                for (cname, c) in &b.checks {
                    match a.checks.get(cname) {
                        Some(o) if o.expr == c.expr && (o.validated == c.validated || c.validated) => {
                            if !o.validated && c.validated {
                                self.push(d(DomainChange::ValidateCheck { name: cname.clone() }));
                            }
                            if o.comment != c.comment {
                                self.push(d(DomainChange::CommentCheck {
                                    name: cname.clone(),
                                    comment: c.comment.clone(),
                                }));
                            }
                        }
                        _ => {
                            self.push(d(DomainChange::AddCheck { name: cname.clone(), check: c.clone() }));
                            if c.comment.is_some() {
                                self.push(d(DomainChange::CommentCheck {
                                    name: cname.clone(),
                                    comment: c.comment.clone(),
                                }));
                            }
                        }
                    }
                }
            }
            (TypeKind::Composite { attributes: a }, TypeKind::Composite { attributes: b }) => {
                let names = |v: &[crate::model::Attribute]| v.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
                let kept: Vec<String> = names(a).into_iter().filter(|n| b.iter().any(|x| x.name == *n)).collect();
                let kept_new: Vec<String> = names(b).into_iter().filter(|n| a.iter().any(|x| x.name == *n)).collect();
                if kept != kept_new {
                    // Postgres cannot reorder attributes.
                    self.recreate_type(old, new);
                    return true;
                }
                for attr in a {
                    if !b.iter().any(|x| x.name == attr.name) {
                        self.push(Change::DropAttribute { name: name.clone(), attribute: attr.name.clone() });
                    }
                }
                for attr in b {
                    match a.iter().find(|x| x.name == attr.name) {
                        None => self.push(Change::AddAttribute { name: name.clone(), attribute: attr.clone() }),
                        Some(o) if o.ty != attr.ty || o.collation != attr.collation => {
                            self.push(Change::AlterAttributeType { name: name.clone(), attribute: attr.clone() })
                        }
                        Some(o) if o.comment != attr.comment => {
                            self.comment(ObjectRef::Column(name.clone(), attr.name.clone()), &o.comment, &attr.comment)
                        }
                        _ => {}
                    }
                }
            }
            (TypeKind::Range(a), TypeKind::Range(b)) => {
                // Nothing of a range type's definition can be altered.
                if a != b {
                    self.recreate_type(old, new);
                    return true;
                }
            }
            _ => unreachable!("kinds compared by the caller"),
        }
        false
    }

    /// Rebuild a type and, around it, the dependents that cannot survive the swap: column
    /// defaults, constraints and indexes whose expressions name the type. Columns of the type
    /// are converted by the recreation itself.
    /// The comments on a new (or re-created) domain's checks.
    fn domain_check_comments(&mut self, t: &TypeDef) {
        if let TypeKind::Domain(dom) = &t.kind {
            for (cname, c) in dom.checks.iter().filter(|(_, c)| c.comment.is_some()) {
                self.push(Change::AlterDomain {
                    name: t.name.clone(),
                    change: DomainChange::CommentCheck { name: cname.clone(), comment: c.comment.clone() },
                });
            }
        }
    }

    fn recreate_type(&mut self, old: &TypeDef, new: &TypeDef) {
        self.push(Change::RecreateType { from: old.clone(), to: new.clone() });
        self.domain_check_comments(new);
        let ty = ObjectRef::Type(old.name.clone());
        let uses = |refs: &std::collections::BTreeSet<ObjectRef>| refs.contains(&ty);
        for (tname, t) in &self.from.tables {
            let Some(nt) = self.to.tables.get(tname) else {
                continue;
            };
            for c in &t.columns {
                let (Some(d), Some(nc)) = (&c.default, nt.column(&c.name)) else {
                    continue;
                };
                if uses(&d.refs) && nc.default.as_ref() == Some(d) {
                    self.push(Change::DropDefault { table: tname.clone(), column: c.name.clone(), from: d.clone() });
                    self.push(Change::SetDefault {
                        table: tname.clone(),
                        column: c.name.clone(),
                        from: None,
                        to: d.clone(),
                    });
                }
            }
            for c in t.constraints.values() {
                let refs_type = match &c.kind {
                    ConstraintKind::Check { expr, .. } => uses(&expr.refs),
                    ConstraintKind::Exclude(x) => {
                        x.predicate.as_ref().is_some_and(|p| uses(&p.refs))
                            || x.elements
                                .iter()
                                .any(|(k, _)| matches!(&k.target, IndexTarget::Expr(e) if uses(&e.refs)))
                    }
                    _ => false,
                };
                if refs_type && nt.constraints.get(&c.name) == Some(c) {
                    self.push(Change::DropConstraint { table: tname.clone(), constraint: c.clone() });
                    self.push(Change::AddConstraint { table: tname.clone(), constraint: c.clone() });
                }
            }
        }
        for (iname, i) in &self.from.indexes {
            let refs_type = i.predicate.as_ref().is_some_and(|p| uses(&p.refs))
                || i.keys.iter().any(|k| matches!(&k.target, IndexTarget::Expr(e) if uses(&e.refs)));
            if refs_type && self.to.indexes.get(iname) == Some(i) {
                self.push(Change::DropIndex(i.clone()));
                self.push(Change::CreateIndex(i.clone()));
            }
        }
    }
}

/// Columns of `catalog` whose type is `ty` (or an array of it), or, for a range type, its
/// multirange type.
pub fn columns_of_type<'a>(
    catalog: &'a crate::model::Catalog,
    ty: &'a QualifiedName,
) -> impl Iterator<Item = (&'a QualifiedName, &'a crate::model::Column)> {
    let multirange = catalog.types.get(ty).and_then(|t| t.multirange());
    catalog.tables.values().flat_map(move |t| {
        let multirange = multirange.clone();
        t.columns
            .iter()
            .filter(move |c| {
                c.ty.user_type() == Some(ty) || (multirange.is_some() && c.ty.user_type() == multirange.as_ref())
            })
            .map(move |c| (&t.name, c))
    })
}
