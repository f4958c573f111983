//! ALTER ... RENAME and SET SCHEMA. The server keeps references by OID, so a renamed object is
//! still what its dependents point at; the model keeps names, so every reference is rewritten
//! here: foreign keys, owned sequences, index tables, column types, and expressions (which are
//! normalized again with the new name, so their keys stay canonical).

use super::misc::object_type_name;
use super::{err_at, Interpreter, Session, R};
use crate::model::{
    ConstraintKind, Expr, ExprSite, IndexTarget, ObjectRef, QualifiedName, TypeBase, TypeKind, TypeRef,
};
use crate::normalize::expr::{renamed, Rename};
use crate::normalize::{ExprContext, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ObjectType};

/// An AST edit renaming a relation in FROM clauses.
fn relation_rename<'a>(old: &'a QualifiedName, new: &'a QualifiedName) -> impl FnMut(&mut pb::Node) + 'a {
    move |n: &mut pb::Node| {
        if let Some(N::RangeVar(rv)) = n.node.as_mut() {
            crate::normalize::expr::rename_range_var(rv, old, new);
        }
    }
}

impl Interpreter {
    pub(super) fn rename(&mut self, st: &pb::RenameStmt, s: &mut Session) -> R {
        let kind = ObjectType::try_from(st.rename_type).unwrap_or(ObjectType::Undefined);
        let rv_parts = st.relation.as_ref().map(ast::range_var_parts);
        let new = st.newname.clone();
        match kind {
            ObjectType::ObjectTable | ObjectType::ObjectSequence | ObjectType::ObjectIndex => {
                let (schema, name) = rv_parts.ok_or("missing relation")?;
                let scope = self.scope(s);
                let obj = if let Some(t) = scope.find_table(schema.as_deref(), &name) {
                    ObjectRef::Table(t)
                } else if let Some(q) =
                    scope.find_sequence(schema.as_deref(), &name).filter(|q| self.catalog.sequences.contains_key(q))
                {
                    ObjectRef::Sequence(q)
                } else if let Some(q) = scope.find_index(schema.as_deref(), &name) {
                    ObjectRef::Index(q)
                } else if st.missing_ok {
                    return Ok(());
                } else {
                    return Err(format!("relation \"{name}\" does not exist").into());
                };
                let old = match &obj {
                    ObjectRef::Table(q) | ObjectRef::Sequence(q) | ObjectRef::Index(q) => q.clone(),
                    _ => unreachable!(),
                };
                if self.catalog.relation_name_taken(&old.schema, &new) {
                    return Err(format!("relation \"{new}\" already exists").into());
                }
                let target = QualifiedName::new(old.schema.clone(), new);
                if let ObjectRef::Index(q) = &obj {
                    if let Some((table, _)) = self.catalog.constraint_index(q) {
                        // Renaming a constraint's index renames the constraint.
                        let table = table.name.clone();
                        return self.rename_constraint(&table, &q.name, &target.name);
                    }
                }
                self.move_object(&obj, &target, s)
            }
            ObjectType::ObjectColumn | ObjectType::ObjectAttribute => {
                let (schema, name) = rv_parts.ok_or("missing relation")?;
                if kind == ObjectType::ObjectAttribute || st.relation_type == ObjectType::ObjectType as i32 {
                    let qn = self
                        .scope(s)
                        .find_type(schema.as_deref(), &name)
                        .ok_or_else(|| format!("type \"{name}\" does not exist"))?;
                    let attrs = self.composite_mut(&qn)?;
                    let a = attrs
                        .iter_mut()
                        .find(|a| a.name == st.subname)
                        .ok_or_else(|| format!("attribute \"{}\" does not exist", st.subname))?;
                    a.name = new;
                    return Ok(());
                }
                if let Some(v) = self.scope(s).find_view(schema.as_deref(), &name) {
                    return self.rename_view_column(&v, &st.subname, &new, s);
                }
                let Some(table) = self.scope(s).find_table(schema.as_deref(), &name) else {
                    if st.missing_ok {
                        return Ok(());
                    }
                    return Err(format!("relation \"{name}\" does not exist").into());
                };
                self.rename_column(&table, &st.subname, &new, s)
            }
            ObjectType::ObjectTabconstraint => {
                let (schema, name) = rv_parts.ok_or("missing relation")?;
                let table = self
                    .scope(s)
                    .find_table(schema.as_deref(), &name)
                    .ok_or_else(|| format!("relation \"{name}\" does not exist"))?;
                self.rename_constraint(&table, &st.subname, &new)
            }
            ObjectType::ObjectSchema => {
                if self.catalog.schemas.contains_key(&new) {
                    return Err(format!("schema \"{new}\" already exists").into());
                }
                let mut schema = self
                    .catalog
                    .schemas
                    .remove(&st.subname)
                    .ok_or_else(|| format!("schema \"{}\" does not exist", st.subname))?;
                schema.name = new.clone();
                self.catalog.schemas.insert(new.clone(), schema);
                self.move_schema_contents(&st.subname, &new, s)
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let qn = self.type_or_multirange_from_object(st.object.as_deref(), s)?;
                let target = QualifiedName::new(qn.schema.clone(), new);
                self.move_object(&ObjectRef::Type(qn), &target, s)
            }
            ObjectType::ObjectStatisticExt | ObjectType::ObjectTsconfiguration => {
                let names = st.object.as_deref().map(ast::list_names).unwrap_or_default();
                let (found, what) = if kind == ObjectType::ObjectStatisticExt {
                    (self.find_statistics(&names, s)?.map(ObjectRef::Statistics), "statistics object")
                } else {
                    (
                        self.find_text_search_config(&names, s)?.map(ObjectRef::TextSearchConfig),
                        "text search configuration",
                    )
                };
                let Some(obj) = found else {
                    if st.missing_ok {
                        return Ok(());
                    }
                    return Err(format!("{what} \"{}\" does not exist", names.join(".")).into());
                };
                let schema = match &obj {
                    ObjectRef::Statistics(q) | ObjectRef::TextSearchConfig(q) => q.schema.clone(),
                    _ => unreachable!("statistics or configuration"),
                };
                self.move_object(&obj, &QualifiedName::new(schema, new), s)
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectAggregate => {
                let Some(N::ObjectWithArgs(owa)) = st.object.as_deref().and_then(|o| o.node.as_ref()) else {
                    return Err("invalid routine".into());
                };
                let Some(id) = self.routine_from(owa, super::routine::RoutineKind::of(kind), s)? else {
                    // The constructors of a range type and of its multirange type are parts of
                    // the type, which the model does not hold: renaming them changes nothing.
                    let names = ast::names(&owa.objname);
                    if let Some((schema, name)) = ast::qualified_parts(&names) {
                        let is_type = |qn: &QualifiedName| {
                            self.catalog.types.get(qn).is_some_and(|t| matches!(t.kind, TypeKind::Range(_)))
                                || self.catalog.range_of_multirange(qn).is_some()
                        };
                        if self
                            .scope(s)
                            .find_type_or_multirange(schema.as_deref(), &name)
                            .is_some_and(|qn| is_type(&qn))
                        {
                            return Ok(());
                        }
                    }
                    return Err("function does not exist".into());
                };
                let target = QualifiedName::new(id.name.schema.clone(), new);
                self.move_routine(&id, &target, s)
            }
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let (schema, name) = rv_parts.ok_or("missing relation")?;
                let Some(old) = self.scope(s).find_view(schema.as_deref(), &name) else {
                    if st.missing_ok {
                        return Ok(());
                    }
                    return Err(format!("relation \"{name}\" does not exist").into());
                };
                if self.catalog.relation_name_taken(&old.schema, &new) {
                    return Err(format!("relation \"{new}\" already exists").into());
                }
                let target = QualifiedName::new(old.schema.clone(), new);
                self.move_object(&ObjectRef::View(old), &target, s)
            }
            ObjectType::ObjectRule => {
                let (schema, name) = rv_parts.ok_or("missing relation")?;
                let table = self
                    .scope(s)
                    .find_queryable(schema.as_deref(), &name)
                    .ok_or_else(|| format!("relation \"{name}\" does not exist"))?;
                let new_key = crate::model::Member::new(&table, new.clone());
                if self.catalog.rules.contains_key(&new_key) {
                    return Err(format!("rule \"{new}\" for relation \"{name}\" already exists").into());
                }
                let mut r = self
                    .catalog
                    .rules
                    .remove(&crate::model::Member::new(&table, st.subname.clone()))
                    .ok_or_else(|| format!("rule \"{}\" for relation \"{name}\" does not exist", st.subname))?;
                r.name = new;
                self.catalog.rules.insert(new_key, r);
                Ok(())
            }
            ObjectType::ObjectTrigger | ObjectType::ObjectPolicy => {
                let (schema, name) = rv_parts.ok_or("missing relation")?;
                let table = self
                    .scope(s)
                    .find_queryable(schema.as_deref(), &name)
                    .ok_or_else(|| format!("relation \"{name}\" does not exist"))?;
                let key = crate::model::Member::new(&table, st.subname.clone());
                let new_key = crate::model::Member::new(&table, new.clone());
                if kind == ObjectType::ObjectTrigger {
                    let mut t = self
                        .catalog
                        .triggers
                        .remove(&key)
                        .ok_or_else(|| format!("trigger \"{}\" does not exist", st.subname))?;
                    t.name = new;
                    self.catalog.triggers.insert(new_key, t);
                } else {
                    let mut p = self
                        .catalog
                        .policies
                        .remove(&key)
                        .ok_or_else(|| format!("policy \"{}\" does not exist", st.subname))?;
                    p.name = new;
                    self.catalog.policies.insert(new_key, p);
                }
                Ok(())
            }
            ObjectType::ObjectDomconstraint => {
                let qn = self.type_from_object(st.object.as_deref(), s)?;
                let Some(TypeKind::Domain(d)) = self.catalog.types.get_mut(&qn).map(|t| &mut t.kind) else {
                    return Err(format!("\"{}\" is not a domain", qn.name).into());
                };
                let c = d
                    .checks
                    .remove(&st.subname)
                    .ok_or_else(|| format!("constraint \"{}\" does not exist", st.subname))?;
                d.checks.insert(new, c);
                Ok(())
            }
            other => Err(format!("ALTER {} RENAME is not supported yet", object_type_name(other)).into()),
        }
    }

    fn rename_constraint(&mut self, table: &QualifiedName, old: &str, new: &str) -> R {
        let has_index = self.catalog.tables[table].constraints.get(old).map(|c| c.kind.has_index());
        match has_index {
            None => return Err(format!("constraint \"{old}\" for table \"{}\" does not exist", table.name).into()),
            Some(true) if self.catalog.relation_name_taken(&table.schema, new) => {
                return Err(format!("relation \"{new}\" already exists").into())
            }
            _ => {}
        }
        let t = self.catalog.tables.get_mut(table).expect("table");
        if t.constraints.contains_key(new) {
            return Err(format!("constraint \"{new}\" for relation \"{}\" already exists", table.name).into());
        }
        let mut c = t.constraints.remove(old).expect("checked");
        c.name = new.to_string();
        t.constraints.insert(new.to_string(), c);
        if t.cluster_on.as_deref() == Some(old) {
            t.cluster_on = Some(new.to_string());
        }
        if t.replica_identity == crate::model::ReplicaIdentity::Index(old.to_string()) {
            t.replica_identity = crate::model::ReplicaIdentity::Index(new.to_string());
        }
        Ok(())
    }

    pub(super) fn rename_column(&mut self, table: &QualifiedName, old: &str, new: &str, s: &Session) -> R {
        {
            let t = self.catalog.tables.get_mut(table).expect("table");
            if t.column(new).is_some() {
                return Err(format!("column \"{new}\" of relation \"{}\" already exists", table.name).into());
            }
            let col = t.column_mut(old).ok_or_else(|| format!("column \"{old}\" does not exist"))?;
            col.name = new.to_string();
            let swap = |c: &mut String| {
                if c == old {
                    *c = new.to_string();
                }
            };
            for c in t.constraints.values_mut() {
                match &mut c.kind {
                    ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => {
                        k.columns.iter_mut().chain(k.include.iter_mut()).for_each(swap)
                    }
                    ConstraintKind::ForeignKey(fk) => {
                        fk.columns.iter_mut().chain(fk.on_delete_columns.iter_mut()).for_each(swap);
                        if fk.ref_table == *table {
                            fk.ref_columns.iter_mut().for_each(swap);
                        }
                    }
                    ConstraintKind::Exclude(x) => {
                        for (k, _) in &mut x.elements {
                            if let IndexTarget::Column(c) = &mut k.target {
                                swap(c);
                            }
                        }
                        x.include.iter_mut().for_each(swap);
                    }
                    ConstraintKind::Check { .. } => {}
                }
            }
        }
        for t in self.catalog.tables.values_mut().filter(|t| t.name != *table) {
            for c in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                    if fk.ref_table == *table {
                        fk.ref_columns.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.to_string());
                    }
                }
            }
        }
        for i in self.catalog.indexes.values_mut().filter(|i| i.table == *table) {
            for k in &mut i.keys {
                if let IndexTarget::Column(c) = &mut k.target {
                    if c == old {
                        *c = new.to_string();
                    }
                }
            }
            i.include.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.to_string());
        }
        for st in self.catalog.statistics.values_mut().filter(|st| st.table == *table) {
            st.columns.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.to_string());
        }
        for seq in self.catalog.sequences.values_mut() {
            if let Some((t, c)) = &mut seq.owned_by {
                if t == table && c == old {
                    *c = new.to_string();
                }
            }
        }
        let column = ObjectRef::Column(table.clone(), old.to_string());
        let read = ObjectRef::Table(table.clone());
        self.rewrite_exprs(
            &|e: &Expr| e.refs.contains(&column) || e.refs.contains(&read),
            &Rename::Column { table, old, new },
            s,
        )?;
        for t in self.catalog.triggers.values_mut().filter(|t| t.table == *table) {
            t.columns.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.to_string());
        }
        // Views reading the column: references to it by name (bare, or qualified by the table's
        // name or alias) follow; the view's own column keeps its name, as in the server.
        let (old_s, new_s) = (old.to_string(), new.to_string());
        self.rewrite_views(
            &column,
            &mut |n: &mut pg_query::protobuf::Node| {
                if let Some(N::ColumnRef(cr)) = n.node.as_mut() {
                    if let Some(N::String(last)) = cr.fields.last_mut().and_then(|f| f.node.as_mut()) {
                        if last.sval == old_s {
                            last.sval = new_s.clone();
                        }
                    }
                }
            },
            s,
        )
    }

    /// Normalize again every view that references `object`, after `edit` of its SQL.
    fn rewrite_views(
        &mut self,
        object: &ObjectRef,
        edit: &mut dyn FnMut(&mut pg_query::protobuf::Node),
        s: &Session,
    ) -> R {
        let names: Vec<QualifiedName> =
            self.catalog.views.values().filter(|v| v.query.refs.contains(object)).map(|v| v.name.clone()).collect();
        for n in names {
            let snapshot = self.catalog.clone();
            let scope = Scope::new(&snapshot, &s.search_path);
            let v = crate::source::parse::build::view::renormalize(&snapshot.views[&n], edit, &scope)?;
            self.catalog.views.insert(n, v);
        }
        // Rules too: their commands and conditions are queries the server follows by OID.
        let keys: Vec<crate::model::Member> = self
            .catalog
            .rules
            .iter()
            .filter(|(_, r)| {
                r.actions.iter().any(|q| q.refs.contains(object))
                    || r.condition.as_ref().is_some_and(|c| c.refs.contains(object))
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in keys {
            let snapshot = self.catalog.clone();
            let scope = Scope::new(&snapshot, &s.search_path);
            let r = crate::source::parse::build::rule::renormalize(&snapshot.rules[&k], edit, &scope)?;
            self.catalog.rules.insert(k, r);
        }
        Ok(())
    }

    /// The rules on a renamed table or view go with it.
    /// (Normalized again: `new` and `old` are rows of the renamed relation.)
    fn move_rules(&mut self, old: &QualifiedName, new: &QualifiedName, s: &Session) -> R {
        for key in self.catalog.rules.keys().filter(|k| k.table == *old).cloned().collect::<Vec<_>>() {
            let mut r = self.catalog.rules.remove(&key).expect("rule");
            r.table = new.clone();
            let snapshot = self.catalog.clone();
            let scope = Scope::new(&snapshot, &s.search_path);
            let r = crate::source::parse::build::rule::renormalize(&r, &mut relation_rename(old, new), &scope)?;
            self.catalog.rules.insert(crate::model::Member::new(new, key.name), r);
        }
        Ok(())
    }

    fn rename_view_column(&mut self, view: &QualifiedName, old: &str, new: &str, s: &Session) -> R {
        let v = self.catalog.views.get_mut(view).expect("view");
        if v.columns.iter().any(|c| c.name == new) {
            return Err(format!("column \"{new}\" of relation \"{}\" already exists", view.name).into());
        }
        let c =
            v.columns.iter_mut().find(|c| c.name == old).ok_or_else(|| format!("column \"{old}\" does not exist"))?;
        c.name = new.to_string();
        let snapshot = self.catalog.clone();
        let scope = Scope::new(&snapshot, &s.search_path);
        let v = crate::source::parse::build::view::renormalize(&snapshot.views[view], &mut |_| {}, &scope)?;
        self.catalog.views.insert(view.clone(), v);
        Ok(())
    }

    /// A routine's new name (RENAME or SET SCHEMA): triggers, expressions and views follow.
    pub(super) fn move_routine(&mut self, old: &crate::model::RoutineId, new: &QualifiedName, s: &Session) -> R {
        let new_id = crate::model::RoutineId { name: new.clone(), args: old.args.clone() };
        if self.catalog.functions.contains_key(&new_id) || self.catalog.aggregates.contains_key(&new_id) {
            return Err(format!("function {new_id} already exists").into());
        }
        if let Some(mut f) = self.catalog.functions.remove(old) {
            f.id = new_id.clone();
            self.catalog.functions.insert(new_id.clone(), f);
        } else if let Some(mut a) = self.catalog.aggregates.remove(old) {
            a.id = new_id.clone();
            self.catalog.aggregates.insert(new_id.clone(), a);
        }
        for t in self.catalog.triggers.values_mut().filter(|t| t.function == *old) {
            t.function = new_id.clone();
        }
        for t in self.catalog.event_triggers.values_mut().filter(|t| t.function == *old) {
            t.function = new_id.clone();
        }
        let obj = ObjectRef::Function(old.clone());
        let (old_name, new_name) = (old.name.clone(), new.clone());
        let mut edit = move |n: &mut pg_query::protobuf::Node| {
            if let Some(N::FuncCall(fc)) = n.node.as_mut() {
                let names: Vec<String> = crate::source::parse::ast::names(&fc.funcname);
                if names == [old_name.schema.clone(), old_name.name.clone()] || names == [old_name.name.clone()] {
                    let s = |v: &str| pg_query::protobuf::Node {
                        node: Some(N::String(pg_query::protobuf::String { sval: v.to_string() })),
                    };
                    fc.funcname = vec![s(&new_name.schema), s(&new_name.name)];
                }
            }
        };
        self.rewrite_views(&obj, &mut edit, s)?;
        self.rewrite_exprs(&|e: &Expr| e.refs.contains(&obj), &Rename::Function { old: &old.name, new }, s)
    }

    /// Give a table, sequence, index or type a new qualified name (RENAME or SET SCHEMA) and
    /// rewrite every reference to it.
    pub(super) fn move_object(&mut self, obj: &ObjectRef, new: &QualifiedName, s: &Session) -> R {
        match obj {
            ObjectRef::Statistics(old) => {
                if self.catalog.statistics.contains_key(new) {
                    return Err(format!("statistics object \"{}\" already exists", new.name).into());
                }
                let mut st = self.catalog.statistics.remove(old).expect("statistics");
                st.name = new.clone();
                self.catalog.statistics.insert(new.clone(), st);
                Ok(())
            }
            ObjectRef::TextSearchConfig(old) => {
                if self.catalog.text_search_configs.contains_key(new) {
                    return Err(format!("text search configuration \"{}\" already exists", new.name).into());
                }
                let used = ObjectRef::TextSearchConfig(old.clone());
                if self.catalog.dependencies().iter().any(|d| d.to == used) {
                    return Err(format!(
                        "{used} is used by expressions: renaming or moving it is not supported yet (drop and create it)"
                    )
                    .into());
                }
                let mut c = self.catalog.text_search_configs.remove(old).expect("config");
                c.name = new.clone();
                self.catalog.text_search_configs.insert(new.clone(), c);
                Ok(())
            }
            ObjectRef::Table(old) => {
                let mut t = self.catalog.tables.remove(old).expect("table");
                t.name = new.clone();
                self.catalog.tables.insert(new.clone(), t);
                let moved_schema = old.schema != new.schema;
                for t in self.catalog.tables.values_mut() {
                    for c in t.constraints.values_mut() {
                        if let ConstraintKind::ForeignKey(fk) = &mut c.kind {
                            if fk.ref_table == *old {
                                fk.ref_table = new.clone();
                            }
                        }
                    }
                }
                let indexes: Vec<QualifiedName> =
                    self.catalog.indexes.values().filter(|i| i.table == *old).map(|i| i.name.clone()).collect();
                for iname in indexes {
                    let mut i = self.catalog.indexes.remove(&iname).expect("index");
                    i.table = new.clone();
                    if moved_schema {
                        i.name.schema = new.schema.clone();
                    }
                    self.catalog.indexes.insert(i.name.clone(), i);
                }
                let owned: Vec<QualifiedName> = self
                    .catalog
                    .sequences
                    .values()
                    .filter(|q| q.owned_by.as_ref().is_some_and(|(t, _)| t == old))
                    .map(|q| q.name.clone())
                    .collect();
                for seq in owned {
                    self.catalog.sequences.get_mut(&seq).expect("seq").owned_by.as_mut().expect("owned").0 =
                        new.clone();
                    if moved_schema {
                        let target = QualifiedName::new(new.schema.clone(), seq.name.clone());
                        self.move_object(&ObjectRef::Sequence(seq), &target, s)?;
                    }
                }
                if moved_schema {
                    let t = self.catalog.tables.get_mut(new).expect("table");
                    for c in &mut t.columns {
                        if let Some(id) = c.identity.as_mut() {
                            id.sequence.schema = new.schema.clone();
                        }
                    }
                }
                for key in self.catalog.triggers.keys().filter(|k| k.table == *old).cloned().collect::<Vec<_>>() {
                    let mut t = self.catalog.triggers.remove(&key).expect("trigger");
                    t.table = new.clone();
                    self.catalog.triggers.insert(crate::model::Member::new(new, key.name), t);
                }
                for st in self.catalog.statistics.values_mut().filter(|st| st.table == *old) {
                    st.table = new.clone();
                }
                for key in self.catalog.policies.keys().filter(|k| k.table == *old).cloned().collect::<Vec<_>>() {
                    let mut p = self.catalog.policies.remove(&key).expect("policy");
                    p.table = new.clone();
                    self.catalog.policies.insert(crate::model::Member::new(new, key.name), p);
                }
                self.move_rules(old, new, s)?;
                self.rewrite_views(&ObjectRef::Table(old.clone()), &mut relation_rename(old, new), s)?;
                // Expressions that name the table, and the table's own (their column refs).
                let table_ref = ObjectRef::Table(old.clone());
                self.rewrite_exprs(&|e: &Expr| e.refs.contains(&table_ref), &Rename::Relation { old, new }, s)?;
                self.rewrite_exprs(
                    &|e: &Expr| e.refs.iter().any(|r| matches!(r, ObjectRef::Column(t, _) if t == old)),
                    &Rename::Relation { old, new },
                    s,
                )
            }
            ObjectRef::View(old) => {
                let mut v = self.catalog.views.remove(old).expect("view");
                v.name = new.clone();
                self.catalog.views.insert(new.clone(), v);
                self.move_rules(old, new, s)?;
                let indexes: Vec<QualifiedName> =
                    self.catalog.indexes.values().filter(|i| i.table == *old).map(|i| i.name.clone()).collect();
                for iname in indexes {
                    let mut i = self.catalog.indexes.remove(&iname).expect("index");
                    i.table = new.clone();
                    i.name.schema = new.schema.clone();
                    self.catalog.indexes.insert(i.name.clone(), i);
                }
                for key in self.catalog.triggers.keys().filter(|k| k.table == *old).cloned().collect::<Vec<_>>() {
                    let mut t = self.catalog.triggers.remove(&key).expect("trigger");
                    t.table = new.clone();
                    self.catalog.triggers.insert(crate::model::Member::new(new, key.name), t);
                }
                self.rewrite_views(&ObjectRef::View(old.clone()), &mut relation_rename(old, new), s)
            }
            ObjectRef::Sequence(old) => {
                let mut q = self.catalog.sequences.remove(old).expect("sequence");
                q.name = new.clone();
                self.catalog.sequences.insert(new.clone(), q);
                let r = ObjectRef::Sequence(old.clone());
                self.rewrite_exprs(&|e: &Expr| e.refs.contains(&r), &Rename::Relation { old, new }, s)
            }
            ObjectRef::Index(old) => {
                let mut i = self.catalog.indexes.remove(old).expect("index");
                i.name = new.clone();
                let table = i.table.clone();
                self.catalog.indexes.insert(new.clone(), i);
                if let Some(t) = self.catalog.tables.get_mut(&table) {
                    if t.cluster_on.as_deref() == Some(&old.name) {
                        t.cluster_on = Some(new.name.clone());
                    }
                    if t.replica_identity == crate::model::ReplicaIdentity::Index(old.name.clone()) {
                        t.replica_identity = crate::model::ReplicaIdentity::Index(new.name.clone());
                    }
                }
                Ok(())
            }
            ObjectRef::Type(old) => {
                if self.catalog.types.contains_key(new) {
                    return Err(format!("type \"{}\" already exists", new.name).into());
                }
                // A multirange type: its range type holds its name.
                if !self.catalog.types.contains_key(old) {
                    let range = self.catalog.range_of_multirange(old).cloned().ok_or("type does not exist")?;
                    if old.schema != new.schema {
                        return Err("cannot alter multirange type; alter its range type".into());
                    }
                    let t = self.catalog.types.get_mut(&range).expect("range");
                    let default =
                        QualifiedName::new(range.schema.clone(), crate::model::default_multirange_name(&range.name));
                    if let TypeKind::Range(r) = &mut t.kind {
                        r.multirange = (*new != default).then(|| new.clone());
                    }
                    return self.retype(old, new, s);
                }
                let mut t = self.catalog.types.remove(old).expect("type");
                let multirange = t.multirange();
                t.name = new.clone();
                // A range type's multirange keeps its name (and follows a change of schema).
                if let (Some(m), TypeKind::Range(r)) = (multirange, &mut t.kind) {
                    let schema = if old.schema != new.schema { new.schema.clone() } else { m.schema.clone() };
                    let m = QualifiedName::new(schema, m.name);
                    let default =
                        QualifiedName::new(new.schema.clone(), crate::model::default_multirange_name(&new.name));
                    r.multirange = (m != default).then_some(m);
                }
                self.catalog.types.insert(new.clone(), t);
                self.retype(old, new, s)
            }
            other => Err(err_at(format!("cannot move {other}"), -1)),
        }
    }

    fn move_schema_contents(&mut self, old: &str, new: &str, s: &Session) -> R {
        let in_old = |q: &QualifiedName| q.schema == old;
        let types: Vec<QualifiedName> = self.catalog.types.keys().filter(|q| in_old(q)).cloned().collect();
        let tables: Vec<QualifiedName> = self.catalog.tables.keys().filter(|q| in_old(q)).cloned().collect();
        let seqs: Vec<QualifiedName> = self.catalog.sequences.keys().filter(|q| in_old(q)).cloned().collect();
        for q in types {
            let n = QualifiedName::new(new, q.name.clone());
            self.move_object(&ObjectRef::Type(q), &n, s)?;
        }
        for q in seqs {
            let n = QualifiedName::new(new, q.name.clone());
            self.move_object(&ObjectRef::Sequence(q), &n, s)?;
        }
        for q in tables {
            let n = QualifiedName::new(new, q.name.clone());
            self.move_object(&ObjectRef::Table(q), &n, s)?;
        }
        let views: Vec<QualifiedName> = self.catalog.views.keys().filter(|q| in_old(q)).cloned().collect();
        for q in views {
            let n = QualifiedName::new(new, q.name.clone());
            self.move_object(&ObjectRef::View(q), &n, s)?;
        }
        let routines: Vec<crate::model::RoutineId> = self
            .catalog
            .functions
            .keys()
            .chain(self.catalog.aggregates.keys())
            .filter(|r| in_old(&r.name))
            .cloned()
            .collect();
        for r in routines {
            let n = QualifiedName::new(new, r.name.name.clone());
            self.move_routine(&r, &n, s)?;
        }
        let stats: Vec<QualifiedName> = self.catalog.statistics.keys().filter(|q| in_old(q)).cloned().collect();
        for q in stats {
            let n = QualifiedName::new(new, q.name.clone());
            self.move_object(&ObjectRef::Statistics(q), &n, s)?;
        }
        let configs: Vec<QualifiedName> =
            self.catalog.text_search_configs.keys().filter(|q| in_old(q)).cloned().collect();
        for q in configs {
            let n = QualifiedName::new(new, q.name.clone());
            self.move_object(&ObjectRef::TextSearchConfig(q), &n, s)?;
        }
        if self.catalog.collations.keys().any(in_old) {
            return Err("renaming a schema that holds collations is not supported yet".into());
        }
        for e in self.catalog.extensions.values_mut().filter(|e| e.schema == old) {
            e.schema = new.to_string();
        }
        let entries = std::mem::take(&mut self.catalog.default_privileges);
        self.catalog.default_privileges = entries
            .into_iter()
            .map(|(mut k, v)| {
                if k.schema.as_deref() == Some(old) {
                    k.schema = Some(new.to_string());
                }
                (k, v)
            })
            .collect();
        Ok(())
    }

    /// Normalize again, with `rename` applied, every expression `affected` selects.
    /// A type named `old` is now `new`: every column, domain, attribute and range that uses it,
    /// and every expression that names it.
    fn retype(&mut self, old: &QualifiedName, new: &QualifiedName, s: &Session) -> R {
        let fix = |ty: &mut TypeRef| {
            if ty.base == TypeBase::User(old.clone()) {
                ty.base = TypeBase::User(new.clone());
            }
        };
        for t in self.catalog.tables.values_mut() {
            t.columns.iter_mut().for_each(|c| fix(&mut c.ty));
        }
        for t in self.catalog.types.values_mut() {
            match &mut t.kind {
                TypeKind::Domain(d) => fix(&mut d.base),
                TypeKind::Composite { attributes } => attributes.iter_mut().for_each(|a| fix(&mut a.ty)),
                TypeKind::Range(r) => fix(&mut r.subtype),
                TypeKind::Enum { .. } => {}
            }
        }
        let r = ObjectRef::Type(old.clone());
        self.rewrite_exprs(&|e: &Expr| e.refs.contains(&r), &Rename::Type { old, new }, s)
    }

    pub(super) fn rewrite_exprs(&mut self, affected: &dyn Fn(&Expr) -> bool, rename: &Rename, s: &Session) -> R {
        let snapshot = self.catalog.clone();
        let scope = Scope::new(&snapshot, &s.search_path);
        let mut error = None;
        self.catalog.exprs_mut(&mut |site: ExprSite, e: &mut Expr| {
            if error.is_some() || !affected(e) {
                return;
            }
            // The table may itself be the renamed object.
            let table = site.table.map(|t| match rename {
                Rename::Relation { old, new } if t == *old => (*new).clone(),
                _ => t.clone(),
            });
            let cx = ExprContext { scope, table: table.as_ref(), target: site.target };
            match renamed(e, rename, &cx) {
                Ok(n) => *e = n,
                Err(err) => error = Some(err),
            }
        });
        error.map_or(Ok(()), |e| Err(e.into()))
    }
}
