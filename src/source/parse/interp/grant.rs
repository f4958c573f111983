//! GRANT and REVOKE on schemas, tables (and their columns), sequences, routines and types, and
//! ALTER DEFAULT PRIVILEGES. The ACL starts from the kind's default the first time it is
//! touched, as in the server; objects created after an ALTER DEFAULT PRIVILEGES of the role
//! running the files start from what it says.

use super::misc::object_type_name;
use super::{Interpreter, Session, R};
use crate::model::{
    default_acl_base, initial_acl, Acl, AclKind, DefaultAclKey, DefaultAclObject, Grant, Grantee, ObjectRef, Privilege,
    QualifiedName, TypeKind,
};
use crate::source::diagnostic::Severity;
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, GrantTargetType, ObjectType};
use std::collections::BTreeSet;

/// One GRANT or REVOKE, resolved.
struct Edit {
    is_grant: bool,
    grant_option: bool,
    grantees: Vec<Grantee>,
    /// `None`: ALL.
    privileges: Option<Vec<Privilege>>,
}

fn apply(acl: &mut Acl, kind: AclKind, owner: Option<&str>, edit: &Edit, privileges: &[Privilege]) {
    let grants = acl.get_or_insert_with(|| kind.default_grants());
    for grantee in &edit.grantees {
        let grantee = match grantee {
            Grantee::Role(r) if Some(r.as_str()) == owner => Grantee::Owner,
            g => g.clone(),
        };
        for &privilege in privileges {
            let plain = Grant { grantee: grantee.clone(), privilege, grantable: false };
            let with_option = Grant { grantable: true, ..plain.clone() };
            match (edit.is_grant, edit.grant_option) {
                (true, false) => {
                    if !grants.contains(&with_option) {
                        grants.insert(plain);
                    }
                }
                (true, true) => {
                    grants.remove(&plain);
                    grants.insert(with_option);
                }
                (false, true) => {
                    if grants.remove(&with_option) {
                        grants.insert(plain);
                    }
                }
                (false, false) => {
                    grants.remove(&plain);
                    grants.remove(&with_option);
                }
            }
        }
    }
}

impl Interpreter {
    fn grantees(&mut self, list: &[pg_query::protobuf::Node]) -> R<Vec<Grantee>> {
        let mut grantees = Vec::new();
        for g in list {
            let Some(N::RoleSpec(r)) = g.node.as_ref() else {
                continue;
            };
            // Files that do not state owners are run by the role that owns what they create,
            // so CURRENT_ROLE (CURRENT_USER) is the owner: what `inspect` writes for the
            // owner's own privileges when it leaves owners out.
            if [pb::RoleSpecType::RolespecCurrentRole as i32, pb::RoleSpecType::RolespecCurrentUser as i32]
                .contains(&r.roletype)
            {
                grantees.push(Grantee::Owner);
                continue;
            }
            match self.role_name(r) {
                Some(p) if p == "public" && r.roletype == pb::RoleSpecType::RolespecPublic as i32 => {
                    grantees.push(Grantee::Public)
                }
                Some(name) => grantees.push(Grantee::Role(name)),
                None => return Err("GRANT to SESSION_USER depends on who runs the files; name the role".into()),
            }
        }
        Ok(grantees)
    }

    /// `ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA s, ...] GRANT | REVOKE ...`.
    pub(super) fn alter_default_privileges(&mut self, st: &pb::AlterDefaultPrivilegesStmt) -> R {
        let action = st.action.as_ref().ok_or("missing GRANT or REVOKE")?;
        let mut roles: Vec<Option<String>> = Vec::new();
        let mut schemas: Vec<Option<String>> = Vec::new();
        for d in ast::def_elems(&st.options) {
            let items = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                Some(N::List(l)) => l.items.clone(),
                _ => Vec::new(),
            };
            match d.defname.as_str() {
                "roles" => {
                    for item in &items {
                        let Some(N::RoleSpec(r)) = item.node.as_ref() else { continue };
                        let name =
                            self.role_name(r).ok_or("FOR ROLE CURRENT_USER: name the role, or leave FOR ROLE out")?;
                        roles.push(Some(name));
                    }
                }
                "schemas" => schemas.extend(items.iter().filter_map(ast::string).map(|s| Some(s.to_string()))),
                other => return Err(format!("unsupported ALTER DEFAULT PRIVILEGES option {other}").into()),
            }
        }
        for s in schemas.iter().flatten() {
            if !self.catalog.schemas.contains_key(s) {
                return Err(format!("schema \"{s}\" does not exist").into());
            }
        }
        if roles.is_empty() {
            roles.push(None);
        }
        if schemas.is_empty() {
            schemas.push(None);
        }
        let object = match ObjectType::try_from(action.objtype).unwrap_or(ObjectType::Undefined) {
            ObjectType::ObjectTable => DefaultAclObject::Tables,
            ObjectType::ObjectSequence => DefaultAclObject::Sequences,
            ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => {
                DefaultAclObject::Functions
            }
            ObjectType::ObjectType => DefaultAclObject::Types,
            ObjectType::ObjectSchema => DefaultAclObject::Schemas,
            other => return Err(format!("default privileges on {} are not supported", object_type_name(other)).into()),
        };
        if object == DefaultAclObject::Schemas && schemas.iter().any(Option::is_some) {
            return Err("cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS".into());
        }
        let mut privileges = Vec::new();
        for p in &action.privileges {
            let Some(N::AccessPriv(ap)) = p.node.as_ref() else { continue };
            if !ap.cols.is_empty() {
                return Err("default privileges cannot name columns".into());
            }
            privileges.push(
                Privilege::from_keyword(&ap.priv_name)
                    .ok_or_else(|| format!("unrecognized privilege \"{}\"", ap.priv_name))?,
            );
        }
        let kind = object.acl_kind();
        let privileges = if action.privileges.is_empty() { kind.all_for(self.options.postgres) } else { privileges };
        if let Some(p) = privileges.iter().find(|p| !kind.all().contains(p)) {
            return Err(
                format!("invalid privilege type {} for {}", p.keyword(), object.keyword().to_lowercase()).into()
            );
        }
        let edit = Edit {
            is_grant: action.is_grant,
            grant_option: action.grant_option,
            grantees: self.grantees(&action.grantees)?,
            privileges: Some(privileges.clone()),
        };
        for role in &roles {
            for schema in &schemas {
                let key = DefaultAclKey { role: role.clone(), schema: schema.clone(), object };
                let base = default_acl_base(&key);
                let mut acl: Acl =
                    Some(self.catalog.default_privileges.get(&key).cloned().unwrap_or_else(|| base.clone()));
                apply(&mut acl, kind, role.as_deref(), &edit, &privileges);
                let grants = acl.unwrap_or_default();
                if grants == base {
                    self.catalog.default_privileges.remove(&key);
                } else {
                    self.catalog.default_privileges.insert(key, grants);
                }
            }
        }
        Ok(())
    }

    /// The objects that can take default privileges, when the files set some for the role that
    /// runs them (nothing to track otherwise).
    pub(super) fn default_acl_targets(&self) -> Option<BTreeSet<ObjectRef>> {
        if !self.catalog.default_privileges.keys().any(|k| k.role.is_none()) {
            return None;
        }
        let c = &self.catalog;
        Some(
            c.schemas
                .keys()
                .map(|s| ObjectRef::Schema(s.clone()))
                .chain(c.tables.keys().map(|t| ObjectRef::Table(t.clone())))
                .chain(c.views.keys().map(|v| ObjectRef::View(v.clone())))
                .chain(c.sequences.keys().map(|q| ObjectRef::Sequence(q.clone())))
                .chain(c.functions.keys().map(|f| ObjectRef::Function(f.clone())))
                .chain(c.aggregates.keys().map(|a| ObjectRef::Aggregate(a.clone())))
                .chain(c.types.keys().map(|t| ObjectRef::Type(t.clone())))
                .collect(),
        )
    }

    /// Give the objects a statement created (those not in `before`) their default privileges.
    pub(super) fn apply_default_privileges(&mut self, before: &BTreeSet<ObjectRef>) {
        let Some(after) = self.default_acl_targets() else { return };
        let entries = self.catalog.default_privileges.clone();
        let initial = |object: DefaultAclObject, schema: &str| initial_acl(&entries, None, object, schema);
        for created in after.difference(before) {
            let c = &mut self.catalog;
            let (acl, fresh) = match created {
                ObjectRef::Schema(s) => {
                    let x = c.schemas.get_mut(s).expect("schema");
                    (&mut x.acl, initial(DefaultAclObject::Schemas, s))
                }
                ObjectRef::Table(t) => {
                    (&mut c.tables.get_mut(t).expect("table").acl, initial(DefaultAclObject::Tables, &t.schema))
                }
                ObjectRef::View(v) => {
                    (&mut c.views.get_mut(v).expect("view").acl, initial(DefaultAclObject::Tables, &v.schema))
                }
                ObjectRef::Sequence(q) => (
                    &mut c.sequences.get_mut(q).expect("sequence").acl,
                    initial(DefaultAclObject::Sequences, &q.schema),
                ),
                ObjectRef::Function(f) => (
                    &mut c.functions.get_mut(f).expect("function").acl,
                    initial(DefaultAclObject::Functions, &f.name.schema),
                ),
                ObjectRef::Aggregate(a) => (
                    &mut c.aggregates.get_mut(a).expect("aggregate").acl,
                    initial(DefaultAclObject::Functions, &a.name.schema),
                ),
                ObjectRef::Type(t) => {
                    (&mut c.types.get_mut(t).expect("type").acl, initial(DefaultAclObject::Types, &t.schema))
                }
                _ => continue,
            };
            if acl.is_none() {
                *acl = fresh;
            }
        }
    }

    pub(super) fn grant(&mut self, st: &pb::GrantStmt, s: &mut Session) -> R {
        let objtype = ObjectType::try_from(st.objtype).unwrap_or(ObjectType::Undefined);
        let target = GrantTargetType::try_from(st.targtype).unwrap_or(GrantTargetType::Undefined);
        if target == GrantTargetType::AclTargetDefaults {
            return Err("ALTER DEFAULT PRIVILEGES is not supported yet".into());
        }
        let grantees = self.grantees(&st.grantees)?;
        // Table privileges, and column privileges (`SELECT (a, b)`).
        let mut table_privs: Option<Vec<Privilege>> = None;
        let mut column_privs: Vec<(Option<Privilege>, Vec<String>)> = Vec::new();
        if !st.privileges.is_empty() {
            let mut list = Vec::new();
            for p in &st.privileges {
                let Some(N::AccessPriv(ap)) = p.node.as_ref() else {
                    continue;
                };
                let privilege = if ap.priv_name.is_empty() {
                    None
                } else {
                    Some(
                        Privilege::from_keyword(&ap.priv_name)
                            .ok_or_else(|| format!("unrecognized privilege \"{}\"", ap.priv_name))?,
                    )
                };
                if ap.cols.is_empty() {
                    list.push(privilege.ok_or("ALL needs no name")?);
                } else {
                    column_privs
                        .push((privilege, ap.cols.iter().filter_map(ast::string).map(str::to_string).collect()));
                }
            }
            table_privs = Some(list);
        }
        let edit = Edit { is_grant: st.is_grant, grant_option: st.grant_option, grantees, privileges: table_privs };
        let privs = |kind: AclKind| -> Vec<Privilege> {
            match &edit.privileges {
                None => kind.all_for(self.options.postgres),
                Some(p) => p.iter().copied().filter(|p| kind.all().contains(p)).collect(),
            }
        };
        let scope = self.scope(s);
        match (target, objtype) {
            (GrantTargetType::AclTargetObject, ObjectType::ObjectTable | ObjectType::ObjectSequence) => {
                let mut targets = Vec::new();
                let mut views = Vec::new();
                for o in &st.objects {
                    let Some(N::RangeVar(rv)) = o.node.as_ref() else {
                        continue;
                    };
                    let (schema, name) = ast::range_var_parts(rv);
                    if let Some(t) = scope.find_table(schema.as_deref(), &name) {
                        targets.push((true, t));
                    } else if let Some(v) = scope.find_view(schema.as_deref(), &name) {
                        views.push(v);
                    } else if let Some(q) =
                        scope.find_sequence(schema.as_deref(), &name).filter(|q| self.catalog.sequences.contains_key(q))
                    {
                        targets.push((false, q));
                    } else {
                        return Err(format!("relation \"{name}\" does not exist").into());
                    }
                }
                for v in views {
                    let view = self.catalog.views.get_mut(&v).expect("view");
                    let owner = view.owner.clone();
                    if edit.privileges.as_ref().is_none_or(|p| !p.is_empty()) {
                        apply(&mut view.acl, AclKind::Table, owner.as_deref(), &edit, &privs(AclKind::Table));
                    }
                    for (p, cols) in &column_privs {
                        for c in cols {
                            let col =
                                view.columns.iter_mut().find(|x| x.name == *c).ok_or_else(|| {
                                    format!("column \"{c}\" of relation \"{}\" does not exist", v.name)
                                })?;
                            let ps = p.map_or_else(|| AclKind::Column.all().to_vec(), |p| vec![p]);
                            apply(&mut col.acl, AclKind::Column, owner.as_deref(), &edit, &ps);
                        }
                    }
                }
                for (is_table, name) in targets {
                    if is_table {
                        let t = self.catalog.tables.get_mut(&name).expect("table");
                        let owner = t.owner.clone();
                        if edit.privileges.as_ref().is_none_or(|p| !p.is_empty()) {
                            apply(&mut t.acl, AclKind::Table, owner.as_deref(), &edit, &privs(AclKind::Table));
                            // Revoking a table privilege revokes it on every column too.
                            if !edit.is_grant {
                                let column_privs: Vec<Privilege> = privs(AclKind::Table)
                                    .into_iter()
                                    .filter(|p| AclKind::Column.all().contains(p))
                                    .collect();
                                for col in &mut t.columns {
                                    if col.acl.is_some() {
                                        apply(&mut col.acl, AclKind::Column, owner.as_deref(), &edit, &column_privs);
                                    }
                                }
                            }
                        }
                        for (p, cols) in &column_privs {
                            for c in cols {
                                let col = t.column_mut(c).ok_or_else(|| {
                                    format!("column \"{c}\" of relation \"{}\" does not exist", name.name)
                                })?;
                                let ps = p.map_or_else(|| AclKind::Column.all().to_vec(), |p| vec![p]);
                                apply(&mut col.acl, AclKind::Column, owner.as_deref(), &edit, &ps);
                            }
                        }
                    } else {
                        let q = self.catalog.sequences.get_mut(&name).expect("sequence");
                        let owner = q.owner.clone();
                        apply(&mut q.acl, AclKind::Sequence, owner.as_deref(), &edit, &privs(AclKind::Sequence));
                    }
                }
            }
            (GrantTargetType::AclTargetAllInSchema, ObjectType::ObjectTable | ObjectType::ObjectSequence) => {
                for o in &st.objects {
                    let schema = ast::string(o).ok_or("missing schema")?.to_string();
                    if !self.catalog.schemas.contains_key(&schema) {
                        return Err(format!("schema \"{schema}\" does not exist").into());
                    }
                    if objtype == ObjectType::ObjectTable {
                        for t in self.catalog.tables.values_mut().filter(|t| t.name.schema == schema) {
                            let owner = t.owner.clone();
                            apply(&mut t.acl, AclKind::Table, owner.as_deref(), &edit, &privs(AclKind::Table));
                        }
                        for v in self.catalog.views.values_mut().filter(|v| v.name.schema == schema) {
                            let owner = v.owner.clone();
                            apply(&mut v.acl, AclKind::Table, owner.as_deref(), &edit, &privs(AclKind::Table));
                        }
                    } else {
                        for q in self.catalog.sequences.values_mut().filter(|q| q.name.schema == schema) {
                            let owner = q.owner.clone();
                            apply(&mut q.acl, AclKind::Sequence, owner.as_deref(), &edit, &privs(AclKind::Sequence));
                        }
                    }
                }
            }
            (
                GrantTargetType::AclTargetObject,
                ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine,
            ) => {
                let mut ids = Vec::new();
                for o in &st.objects {
                    let Some(N::ObjectWithArgs(owa)) = o.node.as_ref() else { continue };
                    ids.push(
                        self.routine_from(owa, super::routine::RoutineKind::of(objtype), s)?
                            .ok_or("function does not exist")?,
                    );
                }
                for id in ids {
                    if let Some(f) = self.catalog.functions.get_mut(&id) {
                        let owner = f.owner.clone();
                        apply(&mut f.acl, AclKind::Function, owner.as_deref(), &edit, &privs(AclKind::Function));
                    } else if let Some(a) = self.catalog.aggregates.get_mut(&id) {
                        let owner = a.owner.clone();
                        apply(&mut a.acl, AclKind::Function, owner.as_deref(), &edit, &privs(AclKind::Function));
                    }
                }
            }
            (
                GrantTargetType::AclTargetAllInSchema,
                ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine,
            ) => {
                for o in &st.objects {
                    let schema = ast::string(o).ok_or("missing schema")?.to_string();
                    for f in self.catalog.functions.values_mut().filter(|f| f.id.name.schema == schema) {
                        let wanted = match objtype {
                            ObjectType::ObjectFunction => !f.procedure,
                            ObjectType::ObjectProcedure => f.procedure,
                            _ => true,
                        };
                        if wanted {
                            let owner = f.owner.clone();
                            apply(&mut f.acl, AclKind::Function, owner.as_deref(), &edit, &privs(AclKind::Function));
                        }
                    }
                }
            }
            (GrantTargetType::AclTargetObject, ObjectType::ObjectSchema) => {
                for o in &st.objects {
                    let name = ast::string(o).ok_or("missing schema")?.to_string();
                    let schema = self
                        .catalog
                        .schemas
                        .get_mut(&name)
                        .ok_or_else(|| format!("schema \"{name}\" does not exist"))?;
                    let owner = schema.owner.clone();
                    apply(&mut schema.acl, AclKind::Schema, owner.as_deref(), &edit, &privs(AclKind::Schema));
                }
            }
            (GrantTargetType::AclTargetObject, ObjectType::ObjectType | ObjectType::ObjectDomain) => {
                let mut names: Vec<QualifiedName> = Vec::new();
                for o in &st.objects {
                    names.push(self.type_from_object(Some(o), s)?);
                }
                for n in names {
                    let t = self.catalog.types.get_mut(&n).expect("type");
                    if objtype == ObjectType::ObjectDomain && !matches!(t.kind, TypeKind::Domain(_)) {
                        return Err(format!("\"{}\" is not a domain", n.name).into());
                    }
                    let owner = t.owner.clone();
                    apply(&mut t.acl, AclKind::Type, owner.as_deref(), &edit, &privs(AclKind::Type));
                }
            }
            (_, ObjectType::ObjectDatabase | ObjectType::ObjectTablespace | ObjectType::ObjectLanguage) => {
                self.report(
                    Severity::Warning,
                    format!(
                        "privileges on a {} are cluster-level, not part of the schema; ignored",
                        object_type_name(objtype).to_lowercase()
                    ),
                );
            }
            _ => return Err(format!("GRANT / REVOKE on {} is not supported yet", object_type_name(objtype)).into()),
        }
        Ok(())
    }
}
