//! DDL text for model objects. Every name is quoted with `quote_ident` and schema-qualified;
//! expressions are written from their normalized `sql`, so a statement means the same under
//! any search_path.

use crate::model::{
    quote_ident as q, quote_literal, Column, Constraint, ConstraintKind, Extension, Index, IndexKey, IndexStorage,
    IndexTarget, QualifiedName, Sequence, SequenceOptions, Table, TypeDef, TypeKind,
};
use std::collections::BTreeMap;

/// `WITH (a = 1, b = 'x y')` option values.
fn option_value(v: &str) -> String {
    if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-') {
        v.to_string()
    } else {
        quote_literal(v)
    }
}

/// An option name (`fillfactor`, `toast.autovacuum_enabled`), each part quoted where it is not
/// a plain word: a name from a file may hold anything, and the SQL must mean only that option.
pub fn option_key(key: &str) -> String {
    key.split('.').map(q).collect::<Vec<_>>().join(".")
}

/// Option names for `RESET (...)`.
pub fn option_keys<'a>(keys: impl IntoIterator<Item = &'a String>) -> String {
    keys.into_iter().map(|k| option_key(k)).collect::<Vec<_>>().join(", ")
}

pub fn options_list(options: &BTreeMap<String, String>) -> String {
    options.iter().map(|(k, v)| format!("{} = {}", option_key(k), option_value(v))).collect::<Vec<_>>().join(", ")
}

pub fn option_pairs(set: &[(String, String)]) -> String {
    set.iter().map(|(k, v)| format!("{} = {}", option_key(k), option_value(v))).collect::<Vec<_>>().join(", ")
}

fn columns(cols: &[String]) -> String {
    cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

pub fn create_extension(e: &Extension) -> String {
    let mut s = format!("CREATE EXTENSION IF NOT EXISTS {}", q(&e.name));
    if e.schema != "pg_catalog" {
        s.push_str(&format!(" WITH SCHEMA {}", q(&e.schema)));
    }
    if let Some(v) = &e.version {
        s.push_str(&format!(" VERSION {}", quote_literal(v)));
    }
    s
}

/// Sequence options that differ from what `AS type INCREMENT BY n` implies.
pub fn sequence_options(o: &SequenceOptions, for_identity: bool) -> Vec<String> {
    let implied = SequenceOptions::implied(o.data_type.clone(), o.increment);
    let mut out = Vec::new();
    if !for_identity && !o.data_type.is_builtin("bigint") {
        out.push(format!("AS {}", o.data_type));
    }
    if o.increment != 1 {
        out.push(format!("INCREMENT BY {}", o.increment));
    }
    if o.min != implied.min {
        out.push(format!("MINVALUE {}", o.min));
    }
    if o.max != implied.max {
        out.push(format!("MAXVALUE {}", o.max));
    }
    let implied_start = if o.increment > 0 { o.min } else { o.max };
    if o.start != implied_start {
        out.push(format!("START WITH {}", o.start));
    }
    if o.cache != 1 {
        out.push(format!("CACHE {}", o.cache));
    }
    if o.cycle {
        out.push("CYCLE".into());
    }
    out
}

pub fn create_sequence(s: &Sequence) -> String {
    let opts = sequence_options(&s.options, false);
    if opts.is_empty() {
        format!("CREATE SEQUENCE {}", s.name)
    } else {
        format!("CREATE SEQUENCE {} {}", s.name, opts.join(" "))
    }
}

/// `ALTER SEQUENCE` clauses turning `from` into `to`.
pub fn alter_sequence_clauses(from: &SequenceOptions, to: &SequenceOptions) -> Vec<String> {
    let mut out = Vec::new();
    let type_changed = from.data_type != to.data_type;
    if type_changed {
        out.push(format!("AS {}", to.data_type));
    }
    if from.increment != to.increment {
        out.push(format!("INCREMENT BY {}", to.increment));
    }
    if type_changed || from.min != to.min {
        out.push(format!("MINVALUE {}", to.min));
    }
    if type_changed || from.max != to.max {
        out.push(format!("MAXVALUE {}", to.max));
    }
    if from.start != to.start {
        out.push(format!("START WITH {}", to.start));
    }
    if from.cache != to.cache {
        out.push(format!("CACHE {}", to.cache));
    }
    if from.cycle != to.cycle {
        out.push(if to.cycle { "CYCLE".into() } else { "NO CYCLE".into() });
    }
    out
}

/// The statements that create a type: one, and for a domain with a check that is not
/// validated, an `ALTER DOMAIN ... ADD CONSTRAINT ... NOT VALID` for each (CREATE DOMAIN has no
/// NOT VALID form).
pub fn create_type(t: &TypeDef) -> Vec<String> {
    let mut out = vec![create_type_statement(t)];
    if let TypeKind::Domain(d) = &t.kind {
        for (name, c) in d.checks.iter().filter(|(_, c)| !c.validated) {
            out.push(format!("ALTER DOMAIN {} ADD CONSTRAINT {} CHECK ({}) NOT VALID", t.name, q(name), c.expr.sql));
        }
    }
    out
}

fn create_type_statement(t: &TypeDef) -> String {
    match &t.kind {
        TypeKind::Enum { labels } => {
            let labels: Vec<String> = labels.iter().map(|l| quote_literal(l)).collect();
            format!("CREATE TYPE {} AS ENUM ({})", t.name, labels.join(", "))
        }
        TypeKind::Composite { attributes } => {
            let attrs: Vec<String> = attributes
                .iter()
                .map(|a| {
                    let mut s = format!("{} {}", q(&a.name), a.ty);
                    if let Some(c) = &a.collation {
                        s.push_str(&format!(" COLLATE {c}"));
                    }
                    s
                })
                .collect();
            format!("CREATE TYPE {} AS ({})", t.name, attrs.join(", "))
        }
        TypeKind::Range(r) => {
            let mut opts = vec![format!("SUBTYPE = {}", r.subtype)];
            if let Some(o) = &r.opclass {
                opts.push(format!("SUBTYPE_OPCLASS = {}", q(o)));
            }
            if let Some(c) = &r.collation {
                opts.push(format!("COLLATION = {c}"));
            }
            if let Some(f) = &r.canonical {
                opts.push(format!("CANONICAL = {f}"));
            }
            if let Some(f) = &r.subtype_diff {
                opts.push(format!("SUBTYPE_DIFF = {f}"));
            }
            if let Some(m) = &r.multirange {
                opts.push(format!("MULTIRANGE_TYPE_NAME = {m}"));
            }
            format!("CREATE TYPE {} AS RANGE ({})", t.name, opts.join(", "))
        }
        TypeKind::Domain(d) => {
            let mut s = format!("CREATE DOMAIN {} AS {}", t.name, d.base);
            if let Some(c) = &d.collation {
                s.push_str(&format!(" COLLATE {c}"));
            }
            if let Some(e) = &d.default {
                s.push_str(&format!(" DEFAULT {}", crate::normalize::expr::as_b_expr(&e.sql)));
            }
            if d.not_null {
                s.push_str(" NOT NULL");
            }
            for (name, c) in d.checks.iter().filter(|(_, c)| c.validated) {
                s.push_str(&format!(" CONSTRAINT {} CHECK ({})", q(name), c.expr.sql));
            }
            s
        }
    }
}

pub fn identity_clause(table: &QualifiedName, column: &str, id: &crate::model::Identity) -> String {
    let mut opts = Vec::new();
    let default_name = crate::model::QualifiedName::new(table.schema.clone(), format!("{}_{}_seq", table.name, column));
    if id.sequence != default_name {
        opts.push(format!("SEQUENCE NAME {}", id.sequence));
    }
    opts.extend(sequence_options(&id.options, true));
    let mut s = format!("GENERATED {} AS IDENTITY", if id.always { "ALWAYS" } else { "BY DEFAULT" });
    if !opts.is_empty() {
        s.push_str(&format!(" ({})", opts.join(" ")));
    }
    s
}

/// A column as written in CREATE TABLE or ADD COLUMN.
pub fn column_definition(table: &QualifiedName, c: &Column) -> String {
    let mut s = format!("{} {}", q(&c.name), c.ty);
    if let Some(coll) = &c.collation {
        s.push_str(&format!(" COLLATE {coll}"));
    }
    if let Some(comp) = &c.compression {
        s.push_str(&format!(" COMPRESSION {comp}"));
    }
    if let Some(g) = &c.generated {
        s.push_str(&format!(" GENERATED ALWAYS AS ({}) {}", g.expr.sql, g.kind.keyword()));
    }
    if let Some(id) = &c.identity {
        s.push(' ');
        s.push_str(&identity_clause(table, &c.name, id));
    }
    if let Some(d) = &c.default {
        s.push_str(&format!(" DEFAULT {}", crate::normalize::expr::as_b_expr(&d.sql)));
    }
    if c.not_null && c.identity.is_none() {
        s.push_str(" NOT NULL");
    }
    s
}

fn index_storage(st: &IndexStorage) -> String {
    let mut s = String::new();
    if !st.options.is_empty() {
        s.push_str(&format!(" WITH ({})", options_list(&st.options)));
    }
    if let Some(ts) = &st.tablespace {
        s.push_str(&format!(" USING INDEX TABLESPACE {}", q(ts)));
    }
    s
}

pub fn index_key(k: &IndexKey) -> String {
    let mut s = match &k.target {
        IndexTarget::Column(c) => q(c),
        IndexTarget::Expr(e) => format!("({})", e.sql),
    };
    if let Some(c) = &k.collation {
        s.push_str(&format!(" COLLATE {c}"));
    }
    if let Some(op) = &k.opclass {
        s.push_str(&format!(" {}", q(op)));
        if !k.opclass_options.is_empty() {
            s.push_str(&format!(" ({})", options_list(&k.opclass_options)));
        }
    }
    if k.descending {
        s.push_str(" DESC");
    }
    if k.nulls_first != k.descending {
        s.push_str(if k.nulls_first { " NULLS FIRST" } else { " NULLS LAST" });
    }
    s
}

/// The constraint as written after `CONSTRAINT name`.
pub fn constraint_definition(c: &Constraint) -> String {
    let mut s = match &c.kind {
        ConstraintKind::PrimaryKey(k) | ConstraintKind::Unique(k) => {
            let mut s = if matches!(c.kind, ConstraintKind::PrimaryKey(_)) {
                "PRIMARY KEY".to_string()
            } else if k.nulls_not_distinct {
                "UNIQUE NULLS NOT DISTINCT".to_string()
            } else {
                "UNIQUE".to_string()
            };
            s.push_str(&format!(
                " ({}{})",
                columns(&k.columns),
                if k.without_overlaps { " WITHOUT OVERLAPS" } else { "" }
            ));
            if !k.include.is_empty() {
                s.push_str(&format!(" INCLUDE ({})", columns(&k.include)));
            }
            s.push_str(&index_storage(&k.index));
            s
        }
        ConstraintKind::Check { expr, no_inherit } => {
            format!("CHECK ({}){}", expr.sql, if *no_inherit { " NO INHERIT" } else { "" })
        }
        ConstraintKind::ForeignKey(fk) => {
            // A temporal key's last column of each list is its PERIOD.
            let list = |cols: &[String]| match (fk.period, cols.split_last()) {
                (true, Some((period, rest))) if !rest.is_empty() => {
                    format!("{}, PERIOD {}", columns(rest), crate::model::quote_ident(period))
                }
                (true, Some((period, _))) => format!("PERIOD {}", crate::model::quote_ident(period)),
                _ => columns(cols),
            };
            let mut s =
                format!("FOREIGN KEY ({}) REFERENCES {} ({})", list(&fk.columns), fk.ref_table, list(&fk.ref_columns));
            if fk.match_full {
                s.push_str(" MATCH FULL");
            }
            if fk.on_update != crate::model::FkAction::NoAction {
                s.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
            }
            if fk.on_delete != crate::model::FkAction::NoAction {
                s.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
                if !fk.on_delete_columns.is_empty() {
                    s.push_str(&format!(" ({})", columns(&fk.on_delete_columns)));
                }
            }
            s
        }
        ConstraintKind::Exclude(x) => {
            let elems: Vec<String> = x.elements.iter().map(|(k, op)| format!("{} WITH {op}", index_key(k))).collect();
            let mut s = format!("EXCLUDE USING {} ({})", x.method, elems.join(", "));
            if !x.include.is_empty() {
                s.push_str(&format!(" INCLUDE ({})", columns(&x.include)));
            }
            s.push_str(&index_storage(&x.index));
            if let Some(p) = &x.predicate {
                s.push_str(&format!(" WHERE ({})", p.sql));
            }
            s
        }
    };
    if c.deferrable {
        s.push_str(" DEFERRABLE");
        if c.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    if !c.enforced {
        // NOT ENFORCED implies NOT VALID; the server refuses both written together.
        s.push_str(" NOT ENFORCED");
    } else if !c.validated {
        s.push_str(" NOT VALID");
    }
    s
}

pub fn create_table(t: &Table) -> String {
    // A child's inherited columns come from its parents; a partition has no columns of its own.
    let mut items: Vec<String> = t
        .columns
        .iter()
        .filter(|c| !c.from_parent_only() && t.partition_of.is_none())
        .map(|c| column_definition(&t.name, c))
        .collect();
    for c in t.constraints.values() {
        items.push(format!("CONSTRAINT {} {}", q(&c.name), constraint_definition(c)));
    }
    let body = if items.is_empty() { "()".to_string() } else { format!("(\n    {}\n)", items.join(",\n    ")) };
    let mut s = match &t.partition_of {
        Some(p) => {
            let body = if items.is_empty() { String::new() } else { format!("{body} ") };
            format!(
                "CREATE {}TABLE {} PARTITION OF {} {body}{}",
                if t.unlogged { "UNLOGGED " } else { "" },
                t.name,
                p.parent,
                p.bound.sql
            )
        }
        None => format!("CREATE {}TABLE {} {body}", if t.unlogged { "UNLOGGED " } else { "" }, t.name),
    };
    if !t.inherits.is_empty() {
        s.push_str(&format!(" INHERITS ({})", t.inherits.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")));
    }
    if let Some(k) = &t.partition_key {
        s.push_str(&format!(
            " PARTITION BY {} ({})",
            k.strategy.keyword(),
            k.keys.iter().map(index_key).collect::<Vec<_>>().join(", ")
        ));
    }
    if !t.options.is_empty() {
        s.push_str(&format!(" WITH ({})", options_list(&t.options)));
    }
    s
}

pub fn create_index(i: &Index, concurrently: bool) -> String {
    let keys: Vec<String> = i.keys.iter().map(index_key).collect();
    let mut s = format!(
        "CREATE {}INDEX {}{} ON {} USING {} ({})",
        if i.unique { "UNIQUE " } else { "" },
        if concurrently { "CONCURRENTLY " } else { "" },
        q(&i.name.name),
        i.table,
        i.method,
        keys.join(", ")
    );
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", columns(&i.include)));
    }
    if i.nulls_not_distinct {
        s.push_str(" NULLS NOT DISTINCT");
    }
    if !i.options.is_empty() {
        s.push_str(&format!(" WITH ({})", options_list(&i.options)));
    }
    if let Some(ts) = &i.tablespace {
        s.push_str(&format!(" TABLESPACE {}", q(ts)));
    }
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {}", p.sql));
    }
    s
}

pub fn create_view(v: &crate::model::View, replace: bool) -> String {
    let cols: Vec<String> = v.columns.iter().map(|c| q(&c.name)).collect();
    let kind = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
    // A view of no columns (`SELECT FROM t`) has no column list: `()` is a syntax error.
    let cols = if cols.is_empty() { String::new() } else { format!(" ({})", cols.join(", ")) };
    let mut s = format!("CREATE {}{kind} {}{cols}", if replace { "OR REPLACE " } else { "" }, v.name);
    if !v.options.is_empty() {
        s.push_str(&format!(" WITH ({})", options_list(&v.options)));
    }
    s.push_str(&format!(" AS\n{}", v.query.sql));
    if v.materialized {
        s.push_str(if v.populated { "\nWITH DATA" } else { "\nWITH NO DATA" });
    }
    s
}

/// A dollar-quote tag that does not occur in the text.
fn dollar_quote(body: &str) -> String {
    let mut tag = String::from("$body$");
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$body{n}$");
    }
    format!("{tag}{body}{tag}")
}

/// GUCs whose value is a list: `SET search_path = a, b` stores one value per item.
const LIST_SETTINGS: &[&str] =
    &["search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries"];

pub fn function_signature(f: &crate::model::Function) -> String {
    use crate::model::ArgMode;
    let args: Vec<String> = f
        .args
        .iter()
        .map(|a| {
            let mode = match a.mode {
                ArgMode::In => "",
                ArgMode::Out => "OUT ",
                ArgMode::InOut => "INOUT ",
                ArgMode::Variadic => "VARIADIC ",
            };
            let name = a.name.as_deref().map(|n| format!("{} ", q(n))).unwrap_or_default();
            let default = a.default.as_ref().map(|d| format!(" DEFAULT {}", d.sql)).unwrap_or_default();
            format!("{mode}{name}{}{default}", a.ty)
        })
        .collect();
    format!("{}({})", f.id.name, args.join(", "))
}

pub fn create_function(f: &crate::model::Function, replace: bool) -> String {
    use crate::model::{FunctionBody, Parallel, Returns, Volatility};
    let kind = if f.procedure { "PROCEDURE" } else { "FUNCTION" };
    let mut s = format!("CREATE {}{kind} {}", if replace { "OR REPLACE " } else { "" }, function_signature(f));
    match &f.returns {
        Some(Returns::Type { ty, setof }) => {
            s.push_str(&format!("\n RETURNS {}{ty}", if *setof { "SETOF " } else { "" }))
        }
        Some(Returns::Table(cols)) => {
            let cols: Vec<String> = cols.iter().map(|(n, t)| format!("{} {t}", q(n))).collect();
            s.push_str(&format!("\n RETURNS TABLE({})", cols.join(", ")));
        }
        None => {}
    }
    s.push_str(&format!("\n LANGUAGE {}", q(&f.language)));
    let mut attrs = Vec::new();
    if f.window {
        attrs.push("WINDOW".to_string());
    }
    match f.volatility {
        Volatility::Immutable => attrs.push("IMMUTABLE".into()),
        Volatility::Stable => attrs.push("STABLE".into()),
        Volatility::Volatile => {}
    }
    if f.strict {
        attrs.push("STRICT".into());
    }
    if f.security_definer {
        attrs.push("SECURITY DEFINER".into());
    }
    if f.leakproof {
        attrs.push("LEAKPROOF".into());
    }
    match f.parallel {
        Parallel::Safe => attrs.push("PARALLEL SAFE".into()),
        Parallel::Restricted => attrs.push("PARALLEL RESTRICTED".into()),
        Parallel::Unsafe => {}
    }
    let default_cost = if matches!(f.language.as_str(), "c" | "internal") { "1" } else { "100" };
    if f.cost != default_cost && !f.procedure {
        attrs.push(format!("COST {}", f.cost));
    }
    let returns_set = matches!(&f.returns, Some(Returns::Table(_)) | Some(Returns::Type { setof: true, .. }));
    if returns_set && f.rows != "1000" {
        attrs.push(format!("ROWS {}", f.rows));
    }
    if !attrs.is_empty() {
        s.push_str(&format!("\n {}", attrs.join(" ")));
    }
    if let Some(support) = &f.support {
        s.push_str(&format!("\n SUPPORT {support}"));
    }
    for (k, v) in &f.config {
        let value = if LIST_SETTINGS.contains(&k.as_str()) {
            v.split(", ").map(quote_literal).collect::<Vec<_>>().join(", ")
        } else {
            quote_literal(v)
        };
        // A setting's name is a name like an option's (`myapp.flag`), quoted where not plain.
        s.push_str(&format!("\n SET {} TO {value}", option_key(k)));
    }
    match &f.body {
        FunctionBody::Source { source, .. } => s.push_str(&format!("\nAS {}", dollar_quote(source))),
        FunctionBody::Object { file, symbol } => {
            s.push_str(&format!("\nAS {}, {}", quote_literal(file), quote_literal(symbol)))
        }
        FunctionBody::Atomic(stmts) => {
            s.push_str("\nBEGIN ATOMIC");
            for st in stmts {
                s.push_str(&format!("\n  {};", st.sql));
            }
            s.push_str("\nEND");
        }
    }
    s
}

pub fn create_aggregate(a: &crate::model::Aggregate) -> String {
    let args: Vec<String> = a.args.iter().map(|t| t.to_string()).collect();
    let opts: Vec<String> = a
        .options
        .iter()
        .map(|(k, v)| match k.as_str() {
            "initcond" | "minitcond" => format!("{} = {}", k.to_uppercase(), quote_literal(v)),
            "parallel" => format!("PARALLEL = {}", v.to_uppercase()),
            "sortop" => format!("SORTOP = {v}"),
            _ => format!("{} = {v}", k.to_uppercase()),
        })
        .collect();
    let args = if args.is_empty() { "*".to_string() } else { args.join(", ") };
    format!("CREATE AGGREGATE {} ({args}) ({})", a.id.name, opts.join(", "))
}

pub fn create_trigger(t: &crate::model::Trigger, replace: bool) -> String {
    use crate::model::{TriggerEvent, TriggerTiming};
    let mut s = format!(
        "CREATE {}{}TRIGGER {} ",
        if replace { "OR REPLACE " } else { "" },
        if t.constraint.is_some() { "CONSTRAINT " } else { "" },
        q(&t.name)
    );
    s.push_str(match t.timing {
        TriggerTiming::Before => "BEFORE ",
        TriggerTiming::After => "AFTER ",
        TriggerTiming::InsteadOf => "INSTEAD OF ",
    });
    let events: Vec<String> = t
        .events
        .iter()
        .map(|e| match e {
            TriggerEvent::Insert => "INSERT".to_string(),
            TriggerEvent::Update if !t.columns.is_empty() => format!("UPDATE OF {}", columns(&t.columns)),
            TriggerEvent::Update => "UPDATE".to_string(),
            TriggerEvent::Delete => "DELETE".to_string(),
            TriggerEvent::Truncate => "TRUNCATE".to_string(),
        })
        .collect();
    s.push_str(&format!("{} ON {}", events.join(" OR "), t.table));
    if let Some(c) = &t.constraint {
        if let Some(from) = &c.from {
            s.push_str(&format!(" FROM {from}"));
        }
        if c.deferrable {
            s.push_str(if c.initially_deferred { " DEFERRABLE INITIALLY DEFERRED" } else { " DEFERRABLE" });
        }
    }
    if t.old_table.is_some() || t.new_table.is_some() {
        s.push_str(" REFERENCING");
        if let Some(o) = &t.old_table {
            s.push_str(&format!(" OLD TABLE AS {}", q(o)));
        }
        if let Some(n) = &t.new_table {
            s.push_str(&format!(" NEW TABLE AS {}", q(n)));
        }
    }
    s.push_str(if t.for_each_row { " FOR EACH ROW" } else { " FOR EACH STATEMENT" });
    if let Some(w) = &t.when {
        s.push_str(&format!(" WHEN ({})", w.sql));
    }
    let args: Vec<String> = t.args.iter().map(|a| quote_literal(a)).collect();
    s.push_str(&format!(" EXECUTE FUNCTION {}({})", t.function.name, args.join(", ")));
    s
}

pub fn create_policy(p: &crate::model::Policy) -> String {
    let mut s = format!("CREATE POLICY {} ON {}", q(&p.name), p.table);
    if !p.permissive {
        s.push_str(" AS RESTRICTIVE");
    }
    s.push_str(&format!(" FOR {} TO {}", p.command.keyword(), policy_roles(&p.roles)));
    if let Some(u) = &p.using {
        s.push_str(&format!(" USING ({})", u.sql));
    }
    if let Some(c) = &p.with_check {
        s.push_str(&format!(" WITH CHECK ({})", c.sql));
    }
    s
}

/// `option = 'value'` as the server prints `dictinitoption` (every value a string).
pub fn dictionary_option(key: &str, value: &str) -> String {
    format!("{} = {}", q(key), quote_literal(value))
}

pub fn create_text_search_dictionary(d: &crate::model::TextSearchDictionary) -> String {
    let mut items = vec![format!("TEMPLATE = {}", d.template)];
    items.extend(d.options.iter().map(|(k, v)| dictionary_option(k, v)));
    format!("CREATE TEXT SEARCH DICTIONARY {} ({})", d.name, items.join(", "))
}

pub fn create_cast(c: &crate::model::Cast) -> String {
    use crate::model::{CastContext, CastMethod};
    let method = match &c.method {
        CastMethod::Function(f) => format!("WITH FUNCTION {}({})", f.name, f.args),
        CastMethod::Binary => "WITHOUT FUNCTION".to_string(),
        CastMethod::InOut => "WITH INOUT".to_string(),
    };
    let context = match c.context {
        CastContext::Explicit => "",
        CastContext::Assignment => " AS ASSIGNMENT",
        CastContext::Implicit => " AS IMPLICIT",
    };
    format!("CREATE CAST ({} AS {}) {method}{context}", c.source, c.target)
}

pub fn create_rule(r: &crate::model::Rule, replace: bool) -> String {
    let mut s = format!(
        "CREATE {}RULE {} AS ON {} TO {}",
        if replace { "OR REPLACE " } else { "" },
        q(&r.name),
        r.event.keyword(),
        r.table
    );
    if let Some(c) = &r.condition {
        s.push_str(&format!("\n WHERE {}", c.sql));
    }
    s.push_str(if r.instead { "\n DO INSTEAD " } else { "\n DO ALSO " });
    match r.actions.as_slice() {
        [] => s.push_str("NOTHING"),
        [one] => s.push_str(&one.sql),
        many => {
            s.push('(');
            for a in many {
                s.push_str(&format!("\n  {};", a.sql));
            }
            s.push_str("\n)");
        }
    }
    s
}

pub fn policy_roles(roles: &[String]) -> String {
    roles.iter().map(|r| if r == "public" { "PUBLIC".to_string() } else { q(r) }).collect::<Vec<_>>().join(", ")
}

pub fn create_statistics(s: &crate::model::Statistics) -> String {
    use crate::model::StatisticsKind;
    let mut out = format!("CREATE STATISTICS {}", s.name);
    let all: std::collections::BTreeSet<StatisticsKind> = StatisticsKind::ALL.into_iter().collect();
    if !s.kinds.is_empty() && s.kinds != all {
        let kinds: Vec<&str> = s.kinds.iter().map(|k| k.keyword()).collect();
        out.push_str(&format!(" ({})", kinds.join(", ")));
    }
    let targets: Vec<String> =
        s.columns.iter().map(|c| q(c)).chain(s.exprs.iter().map(|e| format!("({})", e.sql))).collect();
    out.push_str(&format!(" ON {} FROM {}", targets.join(", "), s.table));
    out
}

/// `ALTER TEXT SEARCH CONFIGURATION` statements from one set of mappings to another, token
/// types with the same dictionaries together, in the parser's token order.
pub fn text_search_mappings(
    name: &QualifiedName,
    from: &BTreeMap<String, Vec<QualifiedName>>,
    to: &BTreeMap<String, Vec<QualifiedName>>,
) -> Vec<String> {
    // (verb, dictionaries) → token types
    let mut groups: BTreeMap<(u8, Vec<QualifiedName>), Vec<&str>> = BTreeMap::new();
    for (token, dicts) in to {
        match from.get(token) {
            Some(old) if old == dicts => {}
            Some(_) => groups.entry((1, dicts.clone())).or_default().push(token),
            None => groups.entry((0, dicts.clone())).or_default().push(token),
        }
    }
    for token in from.keys().filter(|t| !to.contains_key(*t)) {
        groups.entry((2, Vec::new())).or_default().push(token);
    }
    groups
        .into_iter()
        .map(|((verb, dicts), mut tokens)| {
            tokens.sort_by_key(|t| crate::normalize::text_search::token_order(t));
            let dicts = dicts.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ");
            let tokens = tokens.iter().map(|t| q(t)).collect::<Vec<_>>().join(", ");
            match verb {
                0 => format!("ALTER TEXT SEARCH CONFIGURATION {name} ADD MAPPING FOR {tokens} WITH {dicts}"),
                1 => format!("ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR {tokens} WITH {dicts}"),
                _ => format!("ALTER TEXT SEARCH CONFIGURATION {name} DROP MAPPING FOR {tokens}"),
            }
        })
        .collect()
}
