//! Functions, procedures and aggregates from their CREATE statements (the user's, or
//! `pg_get_functiondef` output).

use super::BuildResult;
use crate::model::{
    Aggregate, ArgMode, Argument, Derived, Function, FunctionBody, ObjectRef, Parallel, QualifiedName, Returns,
    RoutineId, TypeRef, Volatility,
};
use crate::normalize::{self, ExprContext, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, FunctionParameterMode as M, Node};
use std::collections::BTreeSet;

/// `100`, `0.5`: a float option as the catalog prints it.
fn number_text(n: &Node) -> Option<String> {
    let text = ast::text(n)?;
    let v: f64 = text.parse().ok()?;
    Some(if v.fract() == 0.0 && v.abs() < 1e15 { format!("{}", v as i64) } else { format!("{v}") })
}

/// The identity of a routine: name and input argument types.
pub fn routine_id(name: QualifiedName, args: &[Argument]) -> RoutineId {
    let types: Vec<String> = args.iter().filter(|a| a.mode.is_input()).map(|a| a.ty.to_string()).collect();
    RoutineId { name, args: types.join(", ") }
}

/// A type name in a routine signature: `%TYPE` resolves to the column's type.
fn signature_type(tn: &pb::TypeName, scope: &Scope) -> BuildResult<TypeRef> {
    if tn.pct_type {
        let names = ast::names(&tn.names);
        let (table_parts, column) = names.split_at(names.len().saturating_sub(1));
        let (schema, table) = ast::qualified_parts(table_parts).ok_or("invalid %TYPE reference")?;
        let qn = scope
            .find_table(schema.as_deref(), &table)
            .ok_or_else(|| format!("relation \"{table}\" does not exist"))?;
        let col = scope.catalog.tables[&qn]
            .column(column.first().ok_or("invalid %TYPE reference")?)
            .ok_or_else(|| format!("column {} of {table} does not exist", column[0]))?;
        let mut ty = col.ty.clone();
        ty.array |= !tn.array_bounds.is_empty();
        return Ok(ty);
    }
    normalize::type_ref(tn, scope)
}

/// Parse `CREATE FUNCTION` / `CREATE PROCEDURE` into the model; the name is resolved by the
/// caller (`name`).
pub fn function(st: &pb::CreateFunctionStmt, name: QualifiedName, scope: &Scope) -> BuildResult<Function> {
    let mut args = Vec::new();
    let mut table_columns = Vec::new();
    for p in &st.parameters {
        let Some(N::FunctionParameter(fp)) = p.node.as_ref() else { continue };
        let ty = signature_type(fp.arg_type.as_ref().ok_or("parameter without type")?, scope)?;
        let mode = match M::try_from(fp.mode).unwrap_or(M::FuncParamIn) {
            M::FuncParamOut => ArgMode::Out,
            M::FuncParamInout => ArgMode::InOut,
            M::FuncParamVariadic => ArgMode::Variadic,
            M::FuncParamTable => {
                table_columns.push((fp.name.clone(), ty));
                continue;
            }
            _ => ArgMode::In,
        };
        let default = match fp.defexpr.as_deref() {
            Some(d) => Some(normalize::expr(d, &ExprContext { scope: *scope, table: None, target: Some(&ty) })?),
            None => None,
        };
        args.push(Argument { mode, name: (!fp.name.is_empty()).then(|| fp.name.clone()), ty, default });
    }
    let mut language = String::from("sql");
    let mut as_parts: Vec<String> = Vec::new();
    let mut volatility = Volatility::Volatile;
    let (mut strict, mut security_definer, mut leakproof, mut window) = (false, false, false, false);
    let mut parallel = Parallel::Unsafe;
    let (mut cost, mut rows) = (None, None);
    let mut config = Vec::new();
    let mut support = None;
    for d in ast::def_elems(&st.options) {
        let arg = d.arg.as_deref();
        let flag = || arg.and_then(ast::text).is_none_or(|t| t == "true");
        match d.defname.as_str() {
            "language" => language = arg.and_then(ast::text).unwrap_or_default().to_lowercase(),
            "as" => as_parts = arg.map(ast::list_names).unwrap_or_default(),
            "volatility" => {
                volatility = match arg.and_then(ast::text).as_deref() {
                    Some("immutable") => Volatility::Immutable,
                    Some("stable") => Volatility::Stable,
                    _ => Volatility::Volatile,
                }
            }
            "strict" => strict = flag(),
            "security" => security_definer = flag(),
            "leakproof" => leakproof = flag(),
            "window" => window = flag(),
            "parallel" => {
                parallel = match arg.and_then(ast::text).as_deref() {
                    Some("safe") => Parallel::Safe,
                    Some("restricted") => Parallel::Restricted,
                    _ => Parallel::Unsafe,
                }
            }
            "cost" => cost = arg.and_then(number_text),
            "rows" => rows = arg.and_then(number_text),
            "set" => {
                let Some(N::VariableSetStmt(vs)) = arg.and_then(|a| a.node.as_ref()) else { continue };
                if vs.kind == pb::VariableSetKind::VarSetCurrent as i32 {
                    return Err("SET ... FROM CURRENT in a function depends on the session; state the value".into());
                }
                let values: Vec<String> = vs.args.iter().filter_map(ast::text).collect();
                // Setting names are case-insensitive (`SET "DateStyle"` is `SET datestyle`).
                config.push((vs.name.to_lowercase(), values.join(", ")));
            }
            "support" => support = Some(support_function(arg.ok_or("SUPPORT without a function")?, scope)?),
            other => return Err(format!("function option {other} is not supported")),
        }
    }
    let returns = if st.is_procedure {
        None
    } else if !table_columns.is_empty() {
        Some(Returns::Table(table_columns))
    } else if let Some(rt) = st.return_type.as_ref() {
        Some(Returns::Type { ty: signature_type(rt, scope)?, setof: rt.setof })
    } else {
        // No RETURNS: the OUT arguments decide.
        let outs: Vec<&Argument> = args.iter().filter(|a| matches!(a.mode, ArgMode::Out | ArgMode::InOut)).collect();
        match outs.as_slice() {
            [one] => Some(Returns::Type { ty: one.ty.clone(), setof: false }),
            [] => return Err("function result type must be specified".into()),
            _ => Some(Returns::Type { ty: TypeRef::builtin("record"), setof: false }),
        }
    };
    let body = match st.sql_body.as_deref() {
        Some(b) => {
            let params: Vec<(String, Option<TypeRef>)> = args
                .iter()
                .filter(|a| a.mode.is_input())
                .filter_map(|a| a.name.clone().map(|n| (n, Some(a.ty.clone()))))
                .collect();
            FunctionBody::Atomic(atomic_body(b, &name.name, &params, scope)?)
        }
        None => match (language.as_str(), as_parts.as_slice()) {
            ("c", [file, symbol]) => FunctionBody::Object { file: file.clone(), symbol: symbol.clone() },
            (_, [source]) => {
                FunctionBody::Source { source: source.clone(), refs: Derived(body_refs(&language, source, scope)) }
            }
            (_, [source, _]) => FunctionBody::Source { source: source.clone(), refs: Derived(BTreeSet::new()) },
            _ => return Err("function body (AS ...) is missing".into()),
        },
    };
    let returns_set = matches!(&returns, Some(Returns::Table(_)) | Some(Returns::Type { setof: true, .. }));
    let default_cost = if matches!(language.as_str(), "c" | "internal") { "1" } else { "100" };
    Ok(Function {
        id: routine_id(name, &args),
        procedure: st.is_procedure,
        window,
        args,
        returns,
        language,
        body,
        volatility,
        strict,
        security_definer,
        leakproof,
        parallel,
        cost: cost.unwrap_or_else(|| default_cost.to_string()),
        rows: if returns_set { rows.unwrap_or_else(|| "1000".into()) } else { "0".into() },
        config,
        support,
        owner: None,
        comment: None,
        acl: None,
    })
}

/// `SUPPORT fn`: a function of one `internal` argument, resolved like the server resolves it
/// (the model's own first, then `pg_catalog`'s), qualified.
pub fn support_function(arg: &Node, scope: &Scope) -> BuildResult<QualifiedName> {
    let names = match arg.node.as_ref() {
        Some(N::List(l)) => ast::names(&l.items),
        Some(N::TypeName(tn)) => ast::names(&tn.names),
        _ => vec![ast::text(arg).ok_or("invalid SUPPORT function")?],
    };
    let (schema, name) = ast::qualified_parts(&names).ok_or("invalid SUPPORT function")?;
    if let Some(id) = scope.find_function(schema.as_deref(), &name, Some(1)) {
        if id.args == "internal" {
            return Ok(id.name);
        }
    }
    match schema.as_deref() {
        None | Some("pg_catalog") => Ok(QualifiedName::new("pg_catalog", &name)),
        Some(s) => Err(format!("function {s}.{name}(internal) does not exist")),
    }
}

/// `BEGIN ATOMIC stmt; ... END` or `RETURN expr`, each statement normalized like a view.
fn atomic_body(
    body: &Node,
    function: &str,
    params: &[(String, Option<TypeRef>)],
    scope: &Scope,
) -> BuildResult<Vec<crate::model::Query>> {
    let statements: Vec<Node> = match body.node.as_ref() {
        Some(N::ReturnStmt(r)) => {
            // `RETURN expr` is compared as `SELECT expr`.
            let expr = r.returnval.as_deref().ok_or("RETURN without a value")?;
            vec![select_of(expr)]
        }
        Some(N::List(outer)) => outer
            .items
            .iter()
            .flat_map(|i| match i.node.as_ref() {
                Some(N::List(l)) => l.items.clone(),
                _ => vec![i.clone()],
            })
            // `BEGIN ATOMIC END`: no statement (the grammar leaves an empty node).
            .filter(|s| s.node.is_some())
            .collect(),
        _ => return Err("unrecognized routine body".into()),
    };
    statements.iter().map(|s| normalize::query::routine_query(s, function, params, scope).map(|a| a.query)).collect()
}

fn select_of(expr: &Node) -> Node {
    let target = Node {
        node: Some(N::ResTarget(Box::new(pb::ResTarget {
            name: String::new(),
            indirection: Vec::new(),
            val: Some(Box::new(expr.clone())),
            location: 0,
        }))),
    };
    Node {
        node: Some(N::SelectStmt(Box::new(pb::SelectStmt {
            target_list: vec![target],
            op: pb::SetOperation::SetopNone as i32,
            limit_option: pb::LimitOption::Default as i32,
            ..Default::default()
        }))),
    }
}

/// The objects a SQL or PL/pgSQL body appears to read: relations and catalog functions.
/// Best effort: a body that does not parse, or builds SQL at run time, yields what could be
/// found.
fn body_refs(language: &str, source: &str, scope: &Scope) -> BTreeSet<ObjectRef> {
    let mut refs = BTreeSet::new();
    let mut collect = |sql: &str| {
        if let Ok(tree) = pg_query::parse(sql, 0) {
            for raw in &tree.protobuf.stmts {
                if let Some(stmt) = raw.stmt.as_deref() {
                    collect_refs(stmt, scope, &mut refs);
                }
            }
        }
    };
    match language {
        "sql" => collect(source),
        "plpgsql" => {
            let wrapped =
                format!("CREATE FUNCTION tidemark_body() RETURNS void LANGUAGE plpgsql AS {}", dollar_quote(source));
            if let Ok(json) = pg_query::parse_plpgsql(&wrapped) {
                let mut queries = Vec::new();
                plpgsql_queries(&json, &mut queries);
                for q in queries {
                    if pg_query::parse(&q, 0).is_ok() {
                        collect(&q);
                    } else {
                        collect(&format!("SELECT {q}"));
                    }
                }
            }
        }
        _ => {}
    }
    refs
}

fn dollar_quote(source: &str) -> String {
    let mut tag = String::from("body");
    while source.contains(&format!("${tag}$")) {
        tag.push('_');
    }
    format!("${tag}${source}${tag}$")
}

/// Every `"query"` string of a PL/pgSQL parse tree (the SQL its statements and expressions run).
fn plpgsql_queries(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("query", serde_json::Value::String(q)) => out.push(q.clone()),
                    _ => plpgsql_queries(x, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| plpgsql_queries(x, out)),
        _ => {}
    }
}

fn collect_refs(stmt: &Node, scope: &Scope, refs: &mut BTreeSet<ObjectRef>) {
    normalize::visit(stmt, &mut |n| match n.node.as_ref() {
        Some(N::RangeVar(rv)) => {
            let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
            if let Some(qn) = scope.find_queryable(schema, &rv.relname) {
                refs.insert(if scope.catalog.views.contains_key(&qn) {
                    ObjectRef::View(qn)
                } else {
                    ObjectRef::Table(qn)
                });
            }
        }
        Some(N::FuncCall(fc)) => {
            let names = ast::names(&fc.funcname);
            if let Some((schema, name)) = ast::qualified_parts(&names) {
                if schema.as_deref() != Some("pg_catalog") {
                    if let Some(id) = scope.find_function(schema.as_deref(), &name, Some(fc.args.len())) {
                        refs.insert(ObjectRef::Function(id));
                    }
                }
            }
        }
        _ => {}
    });
}

/// `CREATE AGGREGATE name (args) (SFUNC = ..., STYPE = ..., ...)`, options resolved to what
/// the catalog keeps.
/// An aggregate's support function as the catalog prints it: qualified when it is one of the
/// model's, bare when built in.
fn function_option(names: &[String], scope: &Scope) -> BuildResult<String> {
    let (s, n) = ast::qualified_parts(names).ok_or("invalid function name")?;
    Ok(match scope.find_function(s.as_deref(), &n, None) {
        Some(id) => id.name.to_string(),
        None => n,
    })
}

pub fn aggregate(st: &pb::DefineStmt, name: QualifiedName, scope: &Scope) -> BuildResult<Aggregate> {
    // args: a List of [List of FunctionParameter, Integer(number of direct args)] or old-style.
    let mut args = Vec::new();
    for a in &st.args {
        match a.node.as_ref() {
            Some(N::List(l)) => {
                for p in &l.items {
                    if let Some(N::FunctionParameter(fp)) = p.node.as_ref() {
                        args.push(normalize::type_ref(
                            fp.arg_type.as_ref().ok_or("aggregate argument without type")?,
                            scope,
                        )?);
                    }
                }
            }
            Some(N::TypeName(tn)) => args.push(normalize::type_ref(tn, scope)?),
            _ => {}
        }
    }
    let mut options = std::collections::BTreeMap::new();
    for d in ast::def_elems(&st.definition) {
        let key = d.defname.to_lowercase();
        let is_function = key.ends_with("func") || key == "sfunc1";
        let value = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
            // The grammar reads a function name as a type name (`SFUNC = array_append`).
            Some(N::TypeName(tn)) if is_function => function_option(&ast::names(&tn.names), scope)?,
            Some(N::List(l)) if is_function => function_option(&ast::names(&l.items), scope)?,
            Some(N::TypeName(tn)) => normalize::type_ref(tn, scope)?.to_string(),
            _ => d.arg.as_deref().and_then(ast::text).unwrap_or_default(),
        };
        let key = match key.as_str() {
            "basetype" => continue,
            "sfunc1" => "sfunc".to_string(),
            "stype1" => "stype".to_string(),
            "initcond1" => "initcond".to_string(),
            _ => key,
        };
        options.insert(key, value);
    }
    let types: Vec<String> = args.iter().map(|t| t.to_string()).collect();
    Ok(Aggregate {
        id: RoutineId { name, args: types.join(", ") },
        args,
        options,
        owner: None,
        comment: None,
        acl: None,
    })
}
