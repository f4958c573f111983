//! GRANT and REVOKE on schemas, tables (and their columns), sequences and types. The ACL starts
//! from the kind's default the first time it is touched, as in the server.

use super::misc::object_type_name;
use super::{Interpreter, Session, R};
use crate::model::{Acl, AclKind, Grant, Grantee, Privilege, QualifiedName, TypeKind};
use crate::source::diagnostic::Severity;
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, GrantTargetType, ObjectType};

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
    pub(super) fn grant(&mut self, st: &pb::GrantStmt, s: &mut Session) -> R {
        let objtype = ObjectType::try_from(st.objtype).unwrap_or(ObjectType::Undefined);
        let target = GrantTargetType::try_from(st.targtype).unwrap_or(GrantTargetType::Undefined);
        if target == GrantTargetType::AclTargetDefaults {
            return Err("ALTER DEFAULT PRIVILEGES is not supported yet".into());
        }
        let mut grantees = Vec::new();
        for g in &st.grantees {
            let Some(N::RoleSpec(r)) = g.node.as_ref() else {
                continue;
            };
            match self.role_name(r) {
                Some(p) if p == "public" && r.roletype == pb::RoleSpecType::RolespecPublic as i32 => {
                    grantees.push(Grantee::Public)
                }
                Some(name) => grantees.push(Grantee::Role(name)),
                None => {
                    return Err(
                        "GRANT to CURRENT_USER / SESSION_USER depends on who runs the files; name the role".into()
                    )
                }
            }
        }
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
                None => kind.all().to_vec(),
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
