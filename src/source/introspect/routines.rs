//! Query rows → routines, aggregates, views, triggers, event triggers and policies: the
//! objects whose text calls or reads others, read after the tables and types they need.

use super::rows::{acl, qn, reloptions, requoted, split_quoted, TypeCache, Unreadables};
use super::*;

/// Functions, aggregates and views. Views may call functions and `BEGIN ATOMIC` functions may
/// read views, so: functions first (an atomic body that reads a view is read again after the
/// views), then views (columns from pg_attribute, query from pg_get_viewdef), then the rest.
pub(super) fn routines_and_views(q: &Queries, cat: &mut Catalog, types: &mut TypeCache, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    let mut retry = Vec::new();
    let parse_function = |def: &str, scope: &Scope| -> Result<crate::model::Function, String> {
        let tree = pg_query::parse(def, 0).map_err(|e| e.to_string())?.protobuf;
        let Some(pg_query::protobuf::node::Node::CreateFunctionStmt(st)) =
            tree.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref())
        else {
            return Err("unexpected function definition".into());
        };
        let names = crate::source::parse::ast::names(&st.funcname);
        let (schema, name) = crate::source::parse::ast::qualified_parts(&names).ok_or("invalid function name")?;
        build::routine::function(st, QualifiedName::new(schema.unwrap_or_default(), name), scope)
    };
    for r in &q.functions {
        let def: String = r.get("definition");
        let snapshot = cat.clone();
        let scope = Scope::new(&snapshot, &empty_path);

        let mut f = match parse_function(&def, &scope) {
            Ok(f) => f,
            // A body that reads views (or functions read later) is read again at the end; a
            // second failure makes it unreadable.
            Err(_) => {
                retry.push((def.clone(), r));
                continue;
            }
        };
        let owner: String = r.get("owner");
        f.acl = acl(r, &owner);
        f.owner = Some(owner);
        f.comment = r.get("comment");
        cat.functions.insert(f.id.clone(), f);
    }
    for r in &q.aggregates {
        let name = qn(r, "schema", "name");
        let by_name = || ObjectRef::Aggregate(crate::model::RoutineId { name: name.clone(), args: String::new() });
        let scope = Scope::new(cat, &empty_path);
        let args = r.get::<_, Vec<String>>("args").iter().map(|t| types.get(t, &scope)).collect::<Result<Vec<_>, _>>();
        let Some(args) = bad.note(by_name, args) else { continue };
        let mut options = std::collections::BTreeMap::new();
        let mut unreadable = None;
        for key in ["sfunc", "stype", "finalfunc", "combinefunc", "initcond", "sortop", "parallel"] {
            if let Some(v) = r.get::<_, Option<String>>(key) {
                // Names come quoted (quote_all_identifiers): written back as the files write them.
                let v = match key {
                    "sfunc" | "finalfunc" | "combinefunc" => requoted(&v),
                    "sortop" => match split_quoted(&v).as_slice() {
                        [schema, op] => format!("{}.{op}", crate::model::quote_ident(schema)),
                        _ => v,
                    },
                    "stype" => match types.get(&v, &scope) {
                        Ok(t) => t.to_string(),
                        Err(e) => {
                            unreadable = Some(format!("its state type: {e}"));
                            break;
                        }
                    },
                    _ => v,
                };
                options.insert(key.to_string(), v);
            }
        }
        if let Some(reason) = unreadable {
            bad.add(by_name(), reason);
            continue;
        }
        let owner: String = r.get("owner");
        let id =
            crate::model::RoutineId { name, args: args.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ") };
        cat.aggregates.insert(
            id.clone(),
            crate::model::Aggregate {
                id,
                args,
                options,
                acl: acl(r, &owner),
                owner: Some(owner),
                comment: r.get("comment"),
            },
        );
    }
    // Views: names and columns first, so views reading views resolve.
    for r in &q.views {
        let name = qn(r, "schema", "name");
        let scope = Scope::new(cat, &empty_path);
        let view = view_shell(r, &name, &scope, types);
        if let Some(view) = bad.note(|| ObjectRef::View(name.clone()), view) {
            cat.views.insert(name, view);
        }
    }
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.views {
        let name = qn(r, "schema", "name");
        let Some(existing) = snapshot.views.get(&name) else { continue };
        let def: String = r.get("definition");
        let built = build::view::view_from_def(name.clone(), &def, existing.materialized, &scope).and_then(|v| {
            // pg_attribute's names are authoritative (a renamed view column).
            let named = crate::model::View { columns: existing.columns.clone(), query: v.query, ..existing.clone() };
            build::view::renormalize(&named, &mut |_| {}, &scope)
        });
        match bad.note(|| ObjectRef::View(name.clone()), built) {
            Some(built) => cat.views.get_mut(&name).expect("inserted").query = built.query,
            None => {
                cat.views.remove(&name);
            }
        }
    }
    for (def, r) in retry {
        let snapshot = cat.clone();
        let scope = Scope::new(&snapshot, &empty_path);
        let name = qn(r, "schema", "name");
        let by_name = || ObjectRef::Function(crate::model::RoutineId { name: name.clone(), args: String::new() });
        let Some(mut f) = bad.note(by_name, parse_function(&def, &scope)) else { continue };
        let owner: String = r.get("owner");
        f.acl = acl(r, &owner);
        f.owner = Some(owner);
        f.comment = r.get("comment");
        cat.functions.insert(f.id.clone(), f);
    }
}

/// A view's name, columns, options and privileges, before its query is read.
fn view_shell(
    r: &Row,
    name: &QualifiedName,
    scope: &Scope,
    types: &mut TypeCache,
) -> Result<crate::model::View, String> {
    let names: Vec<String> = r.get("column_names");
    let tys: Vec<String> = r.get("column_types");
    let comments: Vec<String> = r.get("column_comments");
    let mut columns = Vec::new();
    let defaults: Vec<Option<String>> = r.get("column_defaults");
    let acls: Vec<Option<String>> = r.get("column_acls");
    let owner: String = r.get("owner");
    for ((((n, t), c), d), a) in names.into_iter().zip(tys).zip(comments).zip(defaults).zip(acls) {
        let ty = types.get(&t, scope).map_err(|e| format!("column {}: {e}", crate::model::quote_ident(&n)))?;
        let default = match d {
            Some(text) => {
                let cx = ExprContext { scope: *scope, table: Some(name), target: Some(&ty) };
                Some(build::expr_from_text(&text, &cx)?)
            }
            None => None,
        };
        let acl = a.map(|items| items.split('\n').flat_map(|i| parse_aclitem(i, &owner)).collect());
        columns.push(crate::model::ViewColumn {
            name: n,
            ty: crate::model::Derived(Some(ty)),
            comment: (!c.is_empty()).then_some(c),
            default,
            acl,
        });
    }
    Ok(crate::model::View {
        name: name.clone(),
        materialized: r.get::<_, String>("kind") == "m",
        columns,
        query: crate::model::Query { sql: String::new(), key: String::new(), refs: Default::default() },
        options: reloptions(r.get("options")),
        populated: r.get("populated"),
        acl: acl(r, &owner),
        owner: Some(owner),
        comment: r.get("comment"),
    })
}

pub(super) fn triggers_and_policies(q: &Queries, cat: &mut Catalog, bad: &mut Unreadables) {
    let empty_path: Vec<String> = Vec::new();
    let snapshot = cat.clone();
    let scope = Scope::new(&snapshot, &empty_path);
    for r in &q.triggers {
        let def: String = r.get("definition");
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let built = build::trigger::trigger_from_def(&def, &scope);
        let Some(mut t) = bad.note(|| ObjectRef::Trigger(table, name), built) else { continue };
        t.enabled = build::trigger::enabled_from_char(&r.get::<_, String>("enabled"));
        t.comment = r.get("comment");
        cat.triggers.insert(crate::model::Member::new(&t.table.clone(), t.name.clone()), t);
    }
    for r in &q.event_triggers {
        let name: String = r.get("name");
        let function = crate::model::RoutineId { name: qn(r, "function_schema", "function_name"), args: String::new() };
        let mut tags: Vec<String> = r.get("tags");
        tags.sort();
        cat.event_triggers.insert(
            name.clone(),
            crate::model::EventTrigger {
                name,
                event: r.get("event"),
                tags,
                function,
                enabled: build::trigger::enabled_from_char(&r.get::<_, String>("enabled")),
                owner: Some(r.get("owner")),
                comment: r.get("comment"),
            },
        );
    }
    for r in &q.policies {
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let cx = ExprContext { scope, table: Some(&table), target: None };
        let expr = |col: &str| -> Result<Option<crate::model::Expr>, String> {
            r.get::<_, Option<String>>(col).map(|t| build::expr_from_text(&t, &cx)).transpose()
        };
        let exprs = expr("using_expr").and_then(|u| Ok((u, expr("check_expr")?)));
        let Some((using, with_check)) = bad.note(|| ObjectRef::Policy(table.clone(), name.clone()), exprs) else {
            continue;
        };
        let mut roles: Vec<String> = r.get("roles");
        roles.sort();
        let p = crate::model::Policy {
            table: table.clone(),
            name: name.clone(),
            permissive: r.get("permissive"),
            command: build::trigger::policy_command(&r.get::<_, String>("command")),
            roles,
            using,
            with_check,
            comment: r.get("comment"),
        };
        cat.policies.insert(crate::model::Member::new(&table, name), p);
    }
    for r in &q.casts {
        let name = |col: &str| {
            let text: String = r.get(col);
            build::type_from_text(&text, &scope).map(|t| t.to_string()).unwrap_or(text)
        };
        let key = crate::model::CastKey { source: name("source"), target: name("target") };
        let built = build::cast::cast_from_def(&r.get::<_, String>("definition"), &scope);
        let Some(mut cast) = bad.note(|| ObjectRef::Cast(key), built) else { continue };
        cast.comment = r.get("comment");
        cat.casts.insert(cast.key(), cast);
    }
    for r in &q.rules {
        let table = qn(r, "schema", "table_name");
        let name: String = r.get("name");
        let enabled: String = r.get("enabled");
        let built = if enabled == "O" {
            build::rule::rule_from_def(&r.get::<_, String>("definition"), &scope)
        } else {
            Err("a rule enabled otherwise than the default (ALTER TABLE ... ENABLE / DISABLE RULE) is not modeled"
                .into())
        };
        let Some(mut rule) = bad.note(|| ObjectRef::Rule(table.clone(), name.clone()), built) else { continue };
        rule.comment = r.get("comment");
        cat.rules.insert(crate::model::Member::new(&table, name), rule);
    }
}
