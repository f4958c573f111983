//! DROP statements, with the server's CASCADE / RESTRICT rule computed from the catalog's
//! dependency relation: what depends on a dropped object automatically goes with it; anything
//! else that depends on it needs CASCADE.

use super::misc::object_type_name;
use super::{Interpreter, Session, R};
use crate::model::{DepKind, ObjectRef};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, DropBehavior, ObjectType};
use std::collections::BTreeSet;

impl Interpreter {
    pub(super) fn drop(&mut self, st: &pb::DropStmt, s: &mut Session) -> R {
        let cascade = st.behavior == DropBehavior::DropCascade as i32;
        let kind = ObjectType::try_from(st.remove_type).unwrap_or(ObjectType::Undefined);
        let mut roots = Vec::new();
        for object in &st.objects {
            if let Some(obj) = self.resolve_drop_member(kind, object, s)? {
                match obj {
                    Some(o) => roots.push(o),
                    None if st.missing_ok => {}
                    None => return Err(format!("{} does not exist", object_type_name(kind).to_lowercase()).into()),
                }
                continue;
            }
            let names = match object.node.as_ref() {
                Some(N::TypeName(tn)) => ast::names(&tn.names),
                Some(N::List(l)) => ast::names(&l.items),
                Some(N::String(st)) => vec![st.sval.clone()],
                _ => return Err(format!("unsupported DROP {} object", object_type_name(kind)).into()),
            };
            if matches!(kind, ObjectType::ObjectTable | ObjectType::ObjectView | ObjectType::ObjectSequence) {
                let temp = match names.as_slice() {
                    [n] => Some(n),
                    [schema, n] if schema == "pg_temp" => Some(n),
                    _ => None,
                };
                if let Some(n) = temp.filter(|n| s.temp_relations.contains(*n)) {
                    s.temp_relations.remove(&n.clone());
                    continue;
                }
            }
            let found = self.resolve_drop_target(kind, &names, s)?;
            match found {
                Some(obj) => roots.push(obj),
                None if st.missing_ok => {}
                None => {
                    let what = object_type_name(kind).to_lowercase();
                    return Err(format!("{what} \"{}\" does not exist", names.join(".")).into());
                }
            }
        }
        self.drop_objects(roots, cascade)
    }

    fn resolve_drop_target(&self, kind: ObjectType, names: &[String], s: &Session) -> R<Option<ObjectRef>> {
        let scope = self.scope(s);
        let qualified = || ast::qualified_parts(names).ok_or_else(|| format!("invalid name {}", names.join(".")));
        Ok(match kind {
            ObjectType::ObjectSchema => {
                let n = names.first().ok_or("missing schema name")?;
                self.catalog.schemas.contains_key(n).then(|| ObjectRef::Schema(n.clone()))
            }
            ObjectType::ObjectExtension => {
                let n = names.first().ok_or("missing extension name")?;
                self.catalog.extensions.contains_key(n).then(|| ObjectRef::Extension(n.clone()))
            }
            ObjectType::ObjectTable => {
                let (schema, n) = qualified()?;
                scope.find_table(schema.as_deref(), &n).map(ObjectRef::Table)
            }
            ObjectType::ObjectSequence => {
                let (schema, n) = qualified()?;
                scope
                    .find_sequence(schema.as_deref(), &n)
                    .filter(|q| self.catalog.sequences.contains_key(q))
                    .map(ObjectRef::Sequence)
            }
            ObjectType::ObjectIndex => {
                let (schema, n) = qualified()?;
                match scope.find_index(schema.as_deref(), &n) {
                    Some(q) if self.catalog.indexes.contains_key(&q) => Some(ObjectRef::Index(q)),
                    Some(q) => {
                        let (table, _) = self.catalog.constraint_index(&q).expect("constraint index");
                        return Err(format!(
                            "cannot drop index {} because constraint {} on table {} requires it",
                            q.name, q.name, table.name.name
                        )
                        .into());
                    }
                    None => None,
                }
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let (schema, n) = qualified()?;
                if scope.find_type(schema.as_deref(), &n).is_none() {
                    self.multirange_refused(schema.as_deref(), &n, s)?;
                }
                scope.find_type(schema.as_deref(), &n).map(ObjectRef::Type)
            }
            ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let (schema, n) = qualified()?;
                let want_mat = kind == ObjectType::ObjectMatview;
                match scope.find_view(schema.as_deref(), &n) {
                    Some(q) if self.catalog.views[&q].materialized == want_mat => Some(ObjectRef::View(q)),
                    Some(q) => {
                        return Err(format!(
                            "\"{}\" is not a {}",
                            q.name,
                            if want_mat { "materialized view" } else { "view" }
                        )
                        .into())
                    }
                    None => None,
                }
            }
            ObjectType::ObjectCollation => {
                let (schema, n) = qualified()?;
                scope.find_collation(schema.as_deref(), &n).map(ObjectRef::Collation)
            }
            ObjectType::ObjectEventTrigger => {
                let n = names.first().ok_or("missing name")?;
                self.catalog.event_triggers.contains_key(n).then(|| ObjectRef::EventTrigger(n.clone()))
            }
            ObjectType::ObjectStatisticExt => self.find_statistics(names, s)?.map(ObjectRef::Statistics),
            ObjectType::ObjectTsdictionary => {
                self.find_text_search_dictionary(names, s)?.map(ObjectRef::TextSearchDictionary)
            }
            ObjectType::ObjectTsconfiguration => {
                self.find_text_search_config(names, s)?.map(ObjectRef::TextSearchConfig)
            }
            other => return Err(format!("DROP {} is not supported yet", object_type_name(other)).into()),
        })
    }

    /// DROP forms whose object is not a plain name: routines (`f(int)`) and objects named on a
    /// table (`trigger ON table`, `policy ON table`). `None` when the kind is not one of those.
    #[allow(clippy::type_complexity)]
    fn resolve_drop_member(
        &self,
        kind: ObjectType,
        object: &pg_query::protobuf::Node,
        s: &Session,
    ) -> R<Option<Option<ObjectRef>>> {
        use super::routine::RoutineKind;
        Ok(match kind {
            ObjectType::ObjectCast => {
                let key = self.cast_key(object, s)?;
                Some(self.catalog.casts.contains_key(&key).then_some(ObjectRef::Cast(key)))
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectAggregate => {
                let Some(N::ObjectWithArgs(owa)) = object.node.as_ref() else {
                    return Err("invalid routine name".into());
                };
                Some(self.routine_from(owa, RoutineKind::of(kind), s)?.map(|id| self.routine_object(&id)))
            }
            ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectRule => {
                let names = ast::list_names(object);
                let (table_names, member) = names.split_at(names.len().saturating_sub(1));
                let (schema, table) = ast::qualified_parts(table_names).ok_or("invalid name")?;
                let Some(t) = self.scope(s).find_queryable(schema.as_deref(), &table) else { return Ok(Some(None)) };
                let member = member.first().cloned().unwrap_or_default();
                let key = crate::model::Member::new(&t, member.clone());
                Some(match kind {
                    ObjectType::ObjectTrigger => {
                        self.catalog.triggers.contains_key(&key).then_some(ObjectRef::Trigger(t, member))
                    }
                    ObjectType::ObjectPolicy => {
                        self.catalog.policies.contains_key(&key).then_some(ObjectRef::Policy(t, member))
                    }
                    _ => self.catalog.rules.contains_key(&key).then_some(ObjectRef::Rule(t, member)),
                })
            }
            _ => None,
        })
    }

    /// Drop objects and everything that depends on them; without `cascade`, only automatic
    /// dependents may go along.
    pub(super) fn drop_objects(&mut self, roots: Vec<ObjectRef>, cascade: bool) -> R {
        if roots.is_empty() {
            return Ok(());
        }
        let deps = self.catalog.dependencies();
        let closure = |kinds: &[DepKind]| {
            let mut set: BTreeSet<ObjectRef> = roots.iter().cloned().collect();
            loop {
                let before = set.len();
                for d in &deps {
                    if kinds.contains(&d.kind) && set.contains(&d.to) && !set.contains(&d.from) {
                        set.insert(d.from.clone());
                    }
                }
                if set.len() == before {
                    return set;
                }
            }
        };
        let all = closure(&[DepKind::Auto, DepKind::Normal]);
        if !cascade {
            let auto = closure(&[DepKind::Auto]);
            let blocked: Vec<String> = all.difference(&auto).map(|o| o.to_string()).collect();
            if !blocked.is_empty() {
                return Err(format!(
                    "cannot drop {} because other objects depend on it: {} (use CASCADE)",
                    roots[0],
                    blocked.join(", ")
                )
                .into());
            }
        }
        // Dependents first; removing a table also removes its parts.
        for obj in all.iter().rev() {
            self.catalog.remove_object(obj);
        }
        for obj in &roots {
            self.catalog.remove_object(obj);
        }
        Ok(())
    }
}
