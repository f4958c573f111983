//! PL/pgSQL run for the DDL it produces: DO blocks and `CALL`ed procedures. Schema files use
//! PL/pgSQL as a macro language: guards that make a script re-runnable (`IF NOT EXISTS`,
//! `EXCEPTION WHEN duplicate_object`), and procedures that build statements as text and
//! `EXECUTE` them (Lemmy creates its statement triggers that way). This evaluator follows
//! straight-line code over text values: variables and parameters, `:=`, `||`, `replace`,
//! `format`, `quote_literal`, `quote_ident`, `concat`; static SQL is interpreted, dynamic SQL
//! is evaluated and interpreted. Whatever it cannot follow (loops, conditions on data,
//! queries) is named in a warning, never guessed.

use super::{err_at, Interpreter, Session, R};
use crate::model::{FunctionBody, RoutineId};
use crate::source::diagnostic::Severity;
use crate::source::parse::ast;
use pg_query::protobuf::a_const::Val;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, BoolExprType, SubLinkType};
use serde_json::Value as Json;
use std::collections::BTreeMap;

const MAX_CALL_DEPTH: usize = 16;

/// A value as far as the evaluator knows it.
#[derive(Clone, Debug, PartialEq)]
enum Val_ {
    Text(String),
    Null,
}

/// Variables of one PL/pgSQL function activation.
#[derive(Default)]
struct Frame {
    vars: BTreeMap<String, Val_>,
    /// Parameter values by position (`$1` is index 0).
    params: Vec<Val_>,
}

/// What a run could not follow, for the warning.
#[derive(Default)]
pub(super) struct Unfollowed(Vec<String>);

impl Unfollowed {
    fn push(&mut self, what: impl Into<String>) {
        let what = what.into();
        if !self.0.contains(&what) {
            self.0.push(what);
        }
    }
}

impl Interpreter {
    /// `DO $$ ... $$`.
    pub(super) fn do_block(&mut self, st: &pb::DoStmt, s: &mut Session) -> R {
        let mut source = None;
        let mut language = "plpgsql".to_string();
        for d in ast::def_elems(&st.args) {
            match d.defname.as_str() {
                "as" => source = d.arg.as_deref().and_then(ast::text),
                "language" => language = d.arg.as_deref().and_then(ast::text).unwrap_or_default(),
                _ => {}
            }
        }
        let source = source.ok_or("DO without a body")?;
        if language != "plpgsql" {
            return Err(format!("DO blocks in {language} cannot be modeled").into());
        }
        let wrapped =
            format!("CREATE FUNCTION tidemark_do() RETURNS void LANGUAGE plpgsql AS {}", dollar_quote(&source));
        let mut unfollowed = Unfollowed::default();
        self.run_plpgsql(&wrapped, Vec::new(), s, &mut unfollowed, 0)?;
        if !unfollowed.0.is_empty() {
            self.report(
                Severity::Warning,
                format!(
                    "DO block: tidemark followed its DDL but not {} (run by Postgres, unknown to tidemark: objects they create or change are not modeled)",
                    unfollowed.0.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// `CALL proc(...)`: a PL/pgSQL procedure of the files is followed like a DO block.
    pub(super) fn call(&mut self, st: &pb::CallStmt, s: &mut Session) -> R {
        let mut unfollowed = Unfollowed::default();
        self.call_procedure(st, s, &mut unfollowed, 0)?;
        if !unfollowed.0.is_empty() {
            let name = st.funccall.as_ref().map(|f| ast::names(&f.funcname).join(".")).unwrap_or_default();
            self.report(
                Severity::Warning,
                format!(
                    "CALL {name}: tidemark followed its DDL but not {} (run by Postgres, unknown to tidemark: objects they create or change are not modeled)",
                    unfollowed.0.join(", ")
                ),
            );
        }
        Ok(())
    }

    fn call_procedure(&mut self, st: &pb::CallStmt, s: &mut Session, unfollowed: &mut Unfollowed, depth: usize) -> R {
        let fc = st.funccall.as_ref().ok_or("CALL without a procedure")?;
        let names = ast::names(&fc.funcname);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid procedure name")?;
        let empty = Frame::default();
        let mut args = Vec::new();
        for a in &fc.args {
            match eval(a, &empty) {
                Some(v) => args.push(v),
                None => {
                    unfollowed.push(format!("CALL {} with arguments that are not constants", names.join(".")));
                    return Ok(());
                }
            }
        }
        let id = self.scope(s).find_function(schema.as_deref(), &name, Some(args.len()));
        let Some(f) = id.and_then(|id: RoutineId| self.catalog.functions.get(&id)).cloned() else {
            unfollowed.push(format!("CALL {}, a procedure the files do not define", names.join(".")));
            return Ok(());
        };
        let FunctionBody::Source { source, .. } = &f.body else {
            unfollowed.push(format!("CALL {}, whose body is not PL/pgSQL", f.id));
            return Ok(());
        };
        if f.language != "plpgsql" {
            unfollowed.push(format!("CALL {}, whose body is {}", f.id, f.language));
            return Ok(());
        }
        if depth >= MAX_CALL_DEPTH {
            return Err(format!("CALL {}: procedures call each other more than {MAX_CALL_DEPTH} deep", f.id).into());
        }
        // Parameters declared by name, so the body's references to them resolve.
        let params: Vec<String> = f
            .args
            .iter()
            .filter(|a| a.mode.is_input())
            .enumerate()
            .map(|(i, a)| format!("{} {}", a.name.clone().unwrap_or_else(|| format!("tidemark_arg{i}")), a.ty))
            .collect();
        let definition = format!(
            "CREATE PROCEDURE tidemark_call({}) LANGUAGE plpgsql AS {}",
            params.join(", "),
            dollar_quote(source)
        );
        self.run_plpgsql(&definition, args, s, unfollowed, depth + 1)
    }

    /// Run a PL/pgSQL function definition's body with the given parameter values.
    fn run_plpgsql(
        &mut self,
        definition: &str,
        params: Vec<Val_>,
        s: &mut Session,
        unfollowed: &mut Unfollowed,
        depth: usize,
    ) -> R {
        let json = pg_query::parse_plpgsql(definition).map_err(|e| format!("cannot parse the PL/pgSQL body: {e}"))?;
        let function = json.get(0).and_then(|f| f.get("PLpgSQL_function")).ok_or("unexpected PL/pgSQL structure")?;
        let mut frame = Frame { vars: BTreeMap::new(), params: params.clone() };
        let datums = function.get("datums").and_then(|d| d.as_array()).cloned().unwrap_or_default();
        let mut names = Vec::new();
        for (i, d) in datums.iter().enumerate() {
            let Some(var) = d.get("PLpgSQL_var") else {
                names.push(String::new());
                continue;
            };
            let name = var.get("refname").and_then(|n| n.as_str()).unwrap_or_default().to_string();
            let value = match (params.get(i), var.get("default_val").and_then(query_text)) {
                (Some(p), _) => Some(p.clone()),
                (None, Some(q)) => eval_text(&q, &frame),
                (None, None) => Some(Val_::Null),
            };
            match value {
                Some(v) => {
                    frame.vars.insert(name.clone(), v);
                }
                None => {
                    frame.vars.remove(&name);
                }
            }
            names.push(name);
        }
        let action = function.get("action").cloned().ok_or("unexpected PL/pgSQL structure")?;
        let mut run = Run { frame, names, depth };
        self.run_statements(std::slice::from_ref(&action), s, &mut run, unfollowed, false).map(|_| ())
    }

    /// Statements in order; `Ok(false)` once a RETURN ends the body. `guarded`: an "already
    /// exists" error is a re-runnable script's guard saying no.
    fn run_statements(
        &mut self,
        stmts: &[Json],
        s: &mut Session,
        run: &mut Run,
        unfollowed: &mut Unfollowed,
        guarded: bool,
    ) -> R<bool> {
        for stmt in stmts {
            let Some((kind, inner)) = stmt.as_object().and_then(|o| o.iter().next()) else { continue };
            match kind.as_str() {
                "PLpgSQL_stmt_block" => {
                    let body = inner.get("body").and_then(|b| b.as_array()).cloned().unwrap_or_default();
                    match inner.get("exceptions") {
                        None => {
                            if !self.run_statements(&body, s, run, unfollowed, guarded)? {
                                return Ok(false);
                            }
                        }
                        Some(handlers) => {
                            // The block is a subtransaction: a duplicate its handlers swallow
                            // undoes all of it. Other handlers are for failures the files do
                            // not expect (`insufficient_privilege`): the body is taken to succeed.
                            let swallows = ignores_duplicates(handlers);
                            if !swallows {
                                unfollowed.push(format!(
                                    "its EXCEPTION WHEN {} handler (the block's body is assumed to succeed)",
                                    conditions(handlers).join(" OR ")
                                ));
                            }
                            let before = self.catalog.clone();
                            match self.run_statements(&body, s, run, unfollowed, swallows) {
                                Err(e) if swallows && e.message.contains("already exists") => self.catalog = before,
                                Err(e) => return Err(e),
                                Ok(false) => return Ok(false),
                                Ok(true) => {}
                            }
                        }
                    }
                }
                "PLpgSQL_stmt_execsql" => {
                    let sql = inner.get("sqlstmt").and_then(query_text).ok_or("unexpected PL/pgSQL statement")?;
                    self.run_sql(&sql, s, run, unfollowed, guarded)?;
                }
                "PLpgSQL_stmt_dynexecute" => {
                    if inner.get("into").is_some() || inner.get("params").is_some() {
                        unfollowed.push("EXECUTE ... INTO / USING");
                        continue;
                    }
                    let query = inner.get("query").and_then(query_text).unwrap_or_default();
                    match eval_text(&query, &run.frame) {
                        Some(Val_::Text(sql)) => self.run_sql(&sql, s, run, unfollowed, guarded)?,
                        _ => unfollowed.push(format!("EXECUTE {}", clip(&query))),
                    }
                }
                "PLpgSQL_stmt_assign" => {
                    let query = inner.get("expr").and_then(query_text).unwrap_or_default();
                    let target = inner
                        .get("varno")
                        .and_then(|v| v.as_u64())
                        .and_then(|v| run.names.get(v as usize))
                        .cloned()
                        .unwrap_or_default();
                    let value = assignment_value(&query).and_then(|e| eval_text(e, &run.frame));
                    match value {
                        Some(v) => {
                            run.frame.vars.insert(target, v);
                        }
                        // Unknown from here on: an EXECUTE that reads it is reported.
                        None => {
                            run.frame.vars.remove(&target);
                        }
                    }
                }
                "PLpgSQL_stmt_if" => {
                    let cond = inner.get("cond").and_then(query_text).unwrap_or_default();
                    let plain = inner.get("elsif_list").is_none() && inner.get("else_body").is_none();
                    match (plain && is_not_exists_test(&cond), inner.get("then_body").and_then(|b| b.as_array())) {
                        (true, Some(then)) => {
                            let then = then.clone();
                            if !self.run_statements(&then, s, run, unfollowed, true)? {
                                return Ok(false);
                            }
                        }
                        _ => unfollowed.push(format!("IF {}", clip(&cond))),
                    }
                }
                "PLpgSQL_stmt_call" => {
                    let sql = inner.get("expr").and_then(query_text).unwrap_or_default();
                    self.run_sql(&sql, s, run, unfollowed, guarded)?;
                }
                // RAISE NOTICE and friends report; RAISE EXCEPTION would stop the script.
                "PLpgSQL_stmt_raise" if inner.get("elog_level").and_then(|l| l.as_i64()).is_some_and(|l| l < 21) => {}
                "PLpgSQL_stmt_return" => return Ok(false),
                other => unfollowed.push(statement_label(other)),
            }
        }
        Ok(true)
    }

    /// SQL text run from PL/pgSQL: each statement is interpreted (a CALL is followed).
    fn run_sql(&mut self, sql: &str, s: &mut Session, run: &mut Run, unfollowed: &mut Unfollowed, guarded: bool) -> R {
        let tree = pg_query::parse(sql, 0)
            .map_err(|e| format!("in PL/pgSQL: {}: {}", crate::source::parse::pg_error::describe(&e), clip(sql)))?
            .protobuf;
        for raw in &tree.stmts {
            let Some(node) = raw.stmt.as_ref().and_then(|n| n.node.as_ref()) else { continue };
            let result = match node {
                N::CallStmt(c) => self.call_procedure(c, s, unfollowed, run.depth),
                // Data statements and queries read or write rows, not the schema.
                N::SelectStmt(_) | N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_) => Ok(()),
                other => self.apply(other, s),
            };
            match result {
                Err(e) if guarded && e.message.contains("already exists") => {}
                r => r.map_err(|e| err_at(format!("in PL/pgSQL: {}", e.message), -1))?,
            }
        }
        Ok(())
    }
}

struct Run {
    frame: Frame,
    /// Datum names by number (assignments name their target by number).
    names: Vec<String>,
    depth: usize,
}

/// A PL/pgSQL statement kind as a reader knows it.
fn statement_label(kind: &str) -> String {
    let short = kind.trim_start_matches("PLpgSQL_stmt_");
    match short {
        "fors" => "FOR ... IN query LOOP",
        "fori" => "FOR ... IN range LOOP",
        "dynfors" => "FOR ... IN EXECUTE LOOP",
        "forc" => "FOR ... IN cursor LOOP",
        "foreach_a" => "FOREACH ... IN ARRAY LOOP",
        "loop" => "LOOP",
        "while" => "WHILE LOOP",
        "case" => "CASE",
        "perform" => "PERFORM",
        "getdiag" => "GET DIAGNOSTICS",
        "open" | "fetch" | "close" => "cursors",
        "return_query" => "RETURN QUERY",
        "return_next" => "RETURN NEXT",
        "raise" => "RAISE EXCEPTION",
        "assert" => "ASSERT",
        "commit" => "COMMIT",
        "rollback" => "ROLLBACK",
        "exit" => "EXIT / CONTINUE",
        other => return other.replace('_', " ").to_uppercase(),
    }
    .to_string()
}

fn query_text(v: &Json) -> Option<String> {
    v.get("PLpgSQL_expr").and_then(|e| e.get("query")).and_then(|q| q.as_str()).map(str::to_string)
}

fn clip(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}...", one_line.chars().take(60).collect::<String>())
    } else {
        one_line
    }
}

/// `$tidemark$...$tidemark$`, with a tag the text does not contain.
fn dollar_quote(text: &str) -> String {
    let mut tag = "tidemark".to_string();
    while text.contains(&format!("${tag}$")) {
        tag.push('_');
    }
    format!("${tag}${text}${tag}$")
}

/// The expression of `target := expr` (or `target = expr`).
fn assignment_value(query: &str) -> Option<&str> {
    if let Some((_, e)) = query.split_once(":=") {
        return Some(e);
    }
    query.split_once('=').map(|(_, e)| e)
}

/// Evaluate a PL/pgSQL expression's text.
fn eval_text(expr: &str, frame: &Frame) -> Option<Val_> {
    let tree = pg_query::parse(&format!("SELECT {expr}"), 0).ok()?.protobuf;
    let Some(N::SelectStmt(sel)) = tree.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref())
    else {
        return None;
    };
    if sel.target_list.len() != 1 || !sel.from_clause.is_empty() {
        return None;
    }
    let Some(N::ResTarget(rt)) = sel.target_list[0].node.as_ref() else { return None };
    eval(rt.val.as_deref()?, frame)
}

fn text_of(v: &Val_) -> Option<&str> {
    match v {
        Val_::Text(t) => Some(t),
        Val_::Null => None,
    }
}

/// `quote_literal`: doubled quotes, and `E'...'` with doubled backslashes when there are any.
fn quote_literal(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

fn eval(node: &pb::Node, frame: &Frame) -> Option<Val_> {
    match node.node.as_ref()? {
        N::AConst(c) => Some(match c.val.as_ref() {
            None => Val_::Null,
            Some(Val::Sval(s)) => Val_::Text(s.sval.clone()),
            Some(Val::Ival(i)) => Val_::Text(i.ival.to_string()),
            Some(Val::Fval(f)) => Val_::Text(f.fval.clone()),
            Some(Val::Boolval(b)) => Val_::Text(if b.boolval { "true" } else { "false" }.into()),
            Some(Val::Bsval(b)) => Val_::Text(b.bsval.clone()),
        }),
        N::ColumnRef(cr) => match cr.fields.as_slice() {
            [f] => frame.vars.get(ast::string(f)?).cloned(),
            _ => None,
        },
        N::ParamRef(p) => frame.params.get((p.number as usize).checked_sub(1)?).cloned(),
        N::TypeCast(tc) => {
            let ty = tc.type_name.as_ref().map(|t| ast::names(&t.names)).unwrap_or_default();
            let textual = ty.last().is_some_and(|t| matches!(t.as_str(), "text" | "varchar" | "name" | "bpchar"));
            if textual {
                eval(tc.arg.as_deref()?, frame)
            } else {
                None
            }
        }
        N::AExpr(e) => {
            let op = e.name.iter().filter_map(ast::string).next_back()?;
            if op != "||" {
                return None;
            }
            let l = eval(e.lexpr.as_deref()?, frame)?;
            let r = eval(e.rexpr.as_deref()?, frame)?;
            Some(match (l, r) {
                (Val_::Text(a), Val_::Text(b)) => Val_::Text(a + &b),
                _ => Val_::Null,
            })
        }
        N::CoalesceExpr(c) => {
            for a in &c.args {
                let v = eval(a, frame)?;
                if v != Val_::Null {
                    return Some(v);
                }
            }
            Some(Val_::Null)
        }
        N::FuncCall(fc) => {
            let name = ast::names(&fc.funcname);
            let fname = name.last()?.as_str();
            if name.len() > 1 && name[0] != "pg_catalog" {
                return None;
            }
            let args: Vec<Val_> = fc.args.iter().map(|a| eval(a, frame)).collect::<Option<_>>()?;
            call_builtin(fname, &args)
        }
        _ => None,
    }
}

/// The string functions the evaluator knows.
fn call_builtin(name: &str, args: &[Val_]) -> Option<Val_> {
    let strict = |f: &dyn Fn(&[&str]) -> Option<String>| -> Option<Val_> {
        let texts: Option<Vec<&str>> = args.iter().map(text_of).collect();
        Some(match texts {
            Some(t) => Val_::Text(f(&t)?),
            None => Val_::Null,
        })
    };
    match (name, args.len()) {
        ("replace", 3) => strict(&|a| Some(a[0].replace(a[1], a[2]))),
        ("quote_literal", 1) => strict(&|a| Some(quote_literal(a[0]))),
        ("quote_ident", 1) => strict(&|a| Some(crate::model::quote_ident(a[0]))),
        ("quote_nullable", 1) => Some(Val_::Text(text_of(&args[0]).map_or("NULL".into(), quote_literal))),
        ("lower", 1) => strict(&|a| Some(a[0].to_lowercase())),
        ("upper", 1) => strict(&|a| Some(a[0].to_uppercase())),
        ("concat", _) => Some(Val_::Text(args.iter().filter_map(text_of).collect())),
        ("concat_ws", n) if n >= 1 => {
            let sep = text_of(&args[0])?;
            Some(Val_::Text(args[1..].iter().filter_map(text_of).collect::<Vec<_>>().join(sep)))
        }
        ("format", n) if n >= 1 => format(text_of(&args[0])?, &args[1..]).map(Val_::Text),
        _ => None,
    }
}

/// `format()`: `%s`, `%I`, `%L`, `%%`, and `%n$s` positions.
fn format(fmt: &str, args: &[Val_]) -> Option<String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '$' {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let kind = chars.next()?;
        if kind == '%' {
            out.push('%');
            continue;
        }
        let index = match spec.strip_suffix('$') {
            Some(n) => n.parse::<usize>().ok()?.checked_sub(1)?,
            None if spec.is_empty() => next,
            None => return None, // widths are not supported
        };
        next = index + 1;
        let arg = args.get(index)?;
        match kind {
            's' => out.push_str(text_of(arg).unwrap_or("")),
            'I' => out.push_str(&crate::model::quote_ident(text_of(arg)?)),
            'L' => out.push_str(&text_of(arg).map_or("NULL".into(), quote_literal)),
            _ => return None,
        }
    }
    Some(out)
}

/// Whether a condition is `NOT EXISTS (subquery)` (in any parentheses).
fn is_not_exists_test(cond: &str) -> bool {
    let Ok(tree) = pg_query::parse(&format!("SELECT {cond}"), 0) else { return false };
    let Some(N::SelectStmt(sel)) =
        tree.protobuf.stmts.first().and_then(|s| s.stmt.as_ref()).and_then(|s| s.node.as_ref())
    else {
        return false;
    };
    let Some(N::ResTarget(rt)) = sel.target_list.first().and_then(|t| t.node.as_ref()) else { return false };
    let Some(N::BoolExpr(b)) = rt.val.as_ref().and_then(|v| v.node.as_ref()) else { return false };
    b.boolop == BoolExprType::NotExpr as i32
        && matches!(b.args.first().and_then(|a| a.node.as_ref()),
            Some(N::SubLink(l)) if l.sub_link_type == SubLinkType::ExistsSublink as i32)
}

/// The condition names of an EXCEPTION clause.
fn conditions(handlers: &Json) -> Vec<String> {
    let list = handlers.get("PLpgSQL_exception_block").and_then(|b| b.get("exc_list")).and_then(|l| l.as_array());
    list.into_iter()
        .flatten()
        .filter_map(|e| e.get("PLpgSQL_exception")?.get("conditions")?.as_array())
        .flatten()
        .filter_map(|c| c.get("PLpgSQL_condition")?.get("condname")?.as_str().map(str::to_string))
        .collect()
}

/// Whether an EXCEPTION clause only swallows "already exists" errors: its conditions include
/// a duplicate (or OTHERS) and its handlers do nothing but maybe raise a notice.
fn ignores_duplicates(handlers: &Json) -> bool {
    let list = handlers.get("PLpgSQL_exception_block").and_then(|b| b.get("exc_list")).and_then(|l| l.as_array());
    let Some(list) = list else { return false };
    let catches_duplicates = |e: &Json| {
        e.get("conditions").and_then(|c| c.as_array()).is_some_and(|cs| {
            cs.iter().any(|c| {
                let name = c.get("PLpgSQL_condition").and_then(|c| c.get("condname")).and_then(|n| n.as_str());
                matches!(
                    name,
                    Some(
                        "duplicate_object"
                            | "duplicate_table"
                            | "duplicate_schema"
                            | "duplicate_function"
                            | "duplicate_column"
                            | "unique_violation"
                            | "others"
                    )
                )
            })
        })
    };
    // RAISE below ERROR (NOTICE, WARNING...) reports and goes on.
    let harmless = |e: &Json| {
        e.get("action").and_then(|a| a.as_array()).is_none_or(|stmts| {
            stmts.iter().all(|st| {
                st.get("PLpgSQL_stmt_raise")
                    .is_some_and(|r| r.get("elog_level").and_then(|l| l.as_i64()).is_some_and(|l| l < 21))
            })
        })
    };
    list.iter().filter_map(|e| e.get("PLpgSQL_exception")).all(|e| catches_duplicates(e) && harmless(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(vars: &[(&str, &str)]) -> Frame {
        Frame {
            vars: vars.iter().map(|(k, v)| (k.to_string(), Val_::Text(v.to_string()))).collect(),
            params: Vec::new(),
        }
    }

    #[test]
    fn evaluates_string_building() {
        let f = frame(&[("t", "post"), ("body", "it's")]);
        let v = |e: &str| eval_text(e, &f);
        assert_eq!(v("replace('on thing', 'thing', t)"), Some(Val_::Text("on post".into())));
        assert_eq!(v("quote_literal(body)"), Some(Val_::Text("'it''s'".into())));
        assert_eq!(v("t || '_x'"), Some(Val_::Text("post_x".into())));
        assert_eq!(
            v("format('GRANT %s ON %I TO %L', 'ALL', 'My T', t)"),
            Some(Val_::Text("GRANT ALL ON \"My T\" TO 'post'".into()))
        );
        assert_eq!(v("format('%2$s-%1$s', 'a', 'b')"), Some(Val_::Text("b-a".into())));
        assert_eq!(v("now()::text"), None);
        assert_eq!(v("unknown_var"), None);
    }

    #[test]
    fn quote_literal_escapes_backslashes() {
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
    }

    #[test]
    fn recognizes_guards() {
        assert!(is_not_exists_test("( NOT EXISTS (select 1 from pg_extension where extname = 'x') )"));
        assert!(!is_not_exists_test("EXISTS (select 1)"));
    }
}
