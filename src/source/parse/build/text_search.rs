//! Text search dictionaries from their CREATE statements: the user's, or the one introspection
//! writes from `pg_ts_dict` (its `dictinitoption` is the option list as the server prints it).

use super::{first_stmt, parse_one, BuildResult};
use crate::model::{QualifiedName, TextSearchDictionary};
use crate::normalize::{text_search, Scope};
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, Node};
use std::collections::BTreeMap;

/// An option's value as the server keeps it (`defGetString`): words and numbers as written,
/// qualified names joined with dots.
pub fn option_value(arg: &Node) -> BuildResult<String> {
    Ok(match arg.node.as_ref() {
        Some(N::TypeName(tn)) => ast::names(&tn.names).join("."),
        Some(N::List(l)) => ast::names(&l.items).join("."),
        Some(N::Integer(i)) => i.ival.to_string(),
        Some(N::Float(f)) => f.fval.clone(),
        Some(N::Boolean(b)) => b.boolval.to_string(),
        _ => ast::text(arg).ok_or("invalid option value")?,
    })
}

/// `CREATE TEXT SEARCH DICTIONARY`, named by the caller.
pub fn dictionary(st: &pb::DefineStmt, name: QualifiedName, scope: &Scope) -> BuildResult<TextSearchDictionary> {
    let mut template = None;
    let mut options = BTreeMap::new();
    for d in ast::def_elems(&st.definition) {
        let arg =
            d.arg.as_deref().ok_or_else(|| format!("text search dictionary option \"{}\" needs a value", d.defname))?;
        if d.defname == "template" {
            let names = match arg.node.as_ref() {
                Some(N::TypeName(tn)) => ast::names(&tn.names),
                Some(N::List(l)) => ast::names(&l.items),
                _ => vec![ast::text(arg).ok_or("invalid template")?],
            };
            template = Some(text_search::template(&names, scope)?);
        } else if options.insert(d.defname.clone(), option_value(arg)?).is_some() {
            return Err(format!("option \"{}\" given twice", d.defname));
        }
    }
    Ok(TextSearchDictionary {
        name,
        template: template.ok_or("text search template is required")?,
        options,
        owner: None,
        comment: None,
    })
}

/// A dictionary from the CREATE statement introspection writes.
pub fn dictionary_from_def(def: &str, scope: &Scope) -> BuildResult<TextSearchDictionary> {
    let tree = parse_one(def)?;
    let Some(N::DefineStmt(st)) = first_stmt(&tree) else {
        return Err(format!("unexpected dictionary definition: {def}"));
    };
    let names = ast::names(&st.defnames);
    let (schema, name) = ast::qualified_parts(&names).ok_or("invalid dictionary name")?;
    dictionary(st, QualifiedName::new(schema.unwrap_or_default(), name), scope)
}
