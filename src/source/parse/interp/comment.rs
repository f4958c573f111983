//! COMMENT ON. An empty or NULL comment removes it, as in the server.

use super::misc::object_type_name;
use super::{Interpreter, Session, R};
use crate::model::TypeKind;
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ObjectType};

impl Interpreter {
    pub(super) fn comment(&mut self, st: &pb::CommentStmt, s: &mut Session) -> R {
        let text = (!st.comment.is_empty()).then(|| st.comment.clone());
        let kind = ObjectType::try_from(st.objtype).unwrap_or(ObjectType::Undefined);
        let object = st.object.as_deref();
        let names = object.map(ast::list_names).unwrap_or_default();
        let scope = self.scope(s);
        let qualified =
            |names: &[String]| ast::qualified_parts(names).ok_or_else(|| format!("invalid name {}", names.join(".")));
        let missing = |what: &str, n: &[String]| format!("{what} \"{}\" does not exist", n.join("."));
        match kind {
            ObjectType::ObjectSchema => {
                let n = names.first().ok_or("missing schema")?;
                self.catalog.schemas.get_mut(n).ok_or_else(|| missing("schema", &names))?.comment = text;
            }
            ObjectType::ObjectExtension => {
                let n = names.first().ok_or("missing extension")?;
                self.catalog.extensions.get_mut(n).ok_or_else(|| missing("extension", &names))?.comment = text;
            }
            ObjectType::ObjectTable | ObjectType::ObjectView | ObjectType::ObjectMatview => {
                let (sch, n) = qualified(&names)?;
                if let Some(t) = scope.find_table(sch.as_deref(), &n) {
                    self.catalog.tables.get_mut(&t).expect("table").comment = text;
                } else {
                    let v = scope.find_view(sch.as_deref(), &n).ok_or_else(|| missing("relation", &names))?;
                    self.catalog.views.get_mut(&v).expect("view").comment = text;
                }
            }
            ObjectType::ObjectFunction
            | ObjectType::ObjectProcedure
            | ObjectType::ObjectRoutine
            | ObjectType::ObjectAggregate => {
                let Some(N::ObjectWithArgs(owa)) = object.and_then(|o| o.node.as_ref()) else {
                    return Err("invalid routine".into());
                };
                let id = self
                    .routine_from(owa, super::routine::RoutineKind::of(kind), s)?
                    .ok_or("function does not exist")?;
                if let Some(f) = self.catalog.functions.get_mut(&id) {
                    f.comment = text;
                } else if let Some(a) = self.catalog.aggregates.get_mut(&id) {
                    a.comment = text;
                }
            }
            ObjectType::ObjectTrigger | ObjectType::ObjectPolicy | ObjectType::ObjectRule => {
                let (table_names, member) = names.split_at(names.len().saturating_sub(1));
                let (sch, n) = qualified(table_names)?;
                let t = scope.find_queryable(sch.as_deref(), &n).ok_or_else(|| missing("relation", table_names))?;
                let key = crate::model::Member::new(&t, member.first().cloned().unwrap_or_default());
                let slot = match kind {
                    ObjectType::ObjectTrigger => self.catalog.triggers.get_mut(&key).map(|t| &mut t.comment),
                    ObjectType::ObjectRule => self.catalog.rules.get_mut(&key).map(|r| &mut r.comment),
                    _ => self.catalog.policies.get_mut(&key).map(|p| &mut p.comment),
                };
                *slot.ok_or_else(|| missing(&object_type_name(kind).to_lowercase(), &names))? = text;
            }
            ObjectType::ObjectCast => {
                let key = self.cast_key(object.ok_or("missing cast")?, s)?;
                let c =
                    self.catalog.casts.get_mut(&key).ok_or_else(|| {
                        format!("cast from type {} to type {} does not exist", key.source, key.target)
                    })?;
                c.comment = text;
            }
            ObjectType::ObjectEventTrigger => {
                let n = names.first().ok_or("missing name")?;
                self.catalog.event_triggers.get_mut(n).ok_or_else(|| missing("event trigger", &names))?.comment = text;
            }
            ObjectType::ObjectSequence => {
                let (sch, n) = qualified(&names)?;
                let q = scope.find_sequence(sch.as_deref(), &n).ok_or_else(|| missing("relation", &names))?;
                self.catalog.sequences.get_mut(&q).ok_or("comments on identity sequences are not supported")?.comment =
                    text;
            }
            ObjectType::ObjectIndex => {
                let (sch, n) = qualified(&names)?;
                let q = scope.find_index(sch.as_deref(), &n).ok_or_else(|| missing("relation", &names))?;
                if let Some(i) = self.catalog.indexes.get_mut(&q) {
                    i.comment = text;
                } else {
                    let (t, c) = self
                        .catalog
                        .constraint_index(&q)
                        .map(|(t, c)| (t.name.clone(), c.name.clone()))
                        .expect("found");
                    match &mut self
                        .catalog
                        .tables
                        .get_mut(&t)
                        .expect("table")
                        .constraints
                        .get_mut(&c)
                        .expect("constraint")
                        .kind
                    {
                        crate::model::ConstraintKind::PrimaryKey(k) | crate::model::ConstraintKind::Unique(k) => {
                            k.index.comment = text
                        }
                        crate::model::ConstraintKind::Exclude(x) => x.index.comment = text,
                        _ => {}
                    }
                }
            }
            ObjectType::ObjectColumn => {
                let (table_names, col) = names.split_at(names.len().saturating_sub(1));
                let (sch, n) = qualified(table_names)?;
                let col = col.first().ok_or("missing column")?;
                if let Some(t) = scope.find_table(sch.as_deref(), &n) {
                    self.catalog
                        .tables
                        .get_mut(&t)
                        .expect("table")
                        .column_mut(col)
                        .ok_or_else(|| missing("column", &names))?
                        .comment = text;
                } else if let Some(v) = scope.find_view(sch.as_deref(), &n) {
                    let view = self.catalog.views.get_mut(&v).expect("view");
                    view.columns
                        .iter_mut()
                        .find(|c| c.name == *col)
                        .ok_or_else(|| missing("column", &names))?
                        .comment = text;
                } else if let Some(t) = scope.find_type(sch.as_deref(), &n) {
                    let TypeKind::Composite { attributes } = &mut self.catalog.types.get_mut(&t).expect("type").kind
                    else {
                        return Err(missing("relation", table_names).into());
                    };
                    attributes.iter_mut().find(|a| a.name == *col).ok_or_else(|| missing("column", &names))?.comment =
                        text;
                } else {
                    return Err(missing("relation", table_names).into());
                }
            }
            ObjectType::ObjectTabconstraint => {
                let (table_names, con) = names.split_at(names.len().saturating_sub(1));
                let (sch, n) = qualified(table_names)?;
                let con = con.first().ok_or("missing constraint")?;
                let t = scope.find_table(sch.as_deref(), &n).ok_or_else(|| missing("relation", table_names))?;
                self.catalog
                    .tables
                    .get_mut(&t)
                    .expect("table")
                    .constraints
                    .get_mut(con)
                    .ok_or_else(|| missing("constraint", &names))?
                    .comment = text;
            }
            ObjectType::ObjectType | ObjectType::ObjectDomain => {
                let q = self.type_from_object(object, s)?;
                self.catalog.types.get_mut(&q).expect("type").comment = text;
            }
            ObjectType::ObjectDomconstraint => {
                // object: List [TypeName, String constraint]
                let Some(N::List(l)) = object.and_then(|o| o.node.as_ref()) else {
                    return Err("invalid domain constraint".into());
                };
                let q = self.type_from_object(l.items.first(), s)?;
                let con = l.items.get(1).and_then(ast::string).ok_or("missing constraint")?.to_string();
                let TypeKind::Domain(d) = &mut self.catalog.types.get_mut(&q).expect("type").kind else {
                    return Err(format!("\"{}\" is not a domain", q.name).into());
                };
                d.checks.get_mut(&con).ok_or_else(|| format!("constraint \"{con}\" does not exist"))?.comment = text;
            }
            ObjectType::ObjectCollation => {
                let (sch, n) = qualified(&names)?;
                let c = scope.find_collation(sch.as_deref(), &n).ok_or_else(|| missing("collation", &names))?;
                self.catalog.collations.get_mut(&c).expect("collation").comment = text;
            }
            ObjectType::ObjectStatisticExt => {
                let q = self.find_statistics(&names, s)?.ok_or_else(|| missing("statistics object", &names))?;
                self.catalog.statistics.get_mut(&q).expect("statistics").comment = text;
            }
            ObjectType::ObjectTsdictionary => {
                let q = self
                    .find_text_search_dictionary(&names, s)?
                    .ok_or_else(|| missing("text search dictionary", &names))?;
                self.catalog.text_search_dictionaries.get_mut(&q).expect("dictionary").comment = text;
            }
            ObjectType::ObjectTsconfiguration => {
                let q = self
                    .find_text_search_config(&names, s)?
                    .ok_or_else(|| missing("text search configuration", &names))?;
                self.catalog.text_search_configs.get_mut(&q).expect("config").comment = text;
            }
            ObjectType::ObjectDatabase => {
                self.report(
                    crate::source::diagnostic::Severity::Note,
                    "a database's comment is not part of its schema; ignored",
                );
            }
            other => return Err(format!("COMMENT ON {} is not supported yet", object_type_name(other)).into()),
        }
        Ok(())
    }
}
