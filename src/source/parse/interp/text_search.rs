//! CREATE / ALTER TEXT SEARCH CONFIGURATION and DICTIONARY. Parsers and templates are the
//! server's or an extension's: defining new ones is reported as unsupported.

use super::{Interpreter, Session, R};
use crate::model::{QualifiedName, TextSearchConfig};
use crate::normalize::text_search;
use crate::source::parse::ast;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, AlterTsConfigType};

/// A DefElem argument naming an object: `pg_catalog.simple` (a TypeName) or `default` (a word).
fn arg_names(d: &pb::DefElem) -> Vec<String> {
    match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(N::TypeName(t)) => ast::names(&t.names),
        Some(N::List(l)) => ast::names(&l.items),
        Some(N::String(s)) => vec![s.sval.clone()],
        _ => Vec::new(),
    }
}

impl Interpreter {
    pub(super) fn create_text_search_config(&mut self, st: &pb::DefineStmt, s: &mut Session) -> R {
        let names = ast::names(&st.defnames);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid configuration name")?;
        let qn = self.creation_name(s, schema.as_deref(), &name, -1)?;
        if self.catalog.text_search_configs.contains_key(&qn) {
            return Err(format!("text search configuration \"{name}\" already exists").into());
        }
        let mut config = TextSearchConfig {
            name: qn.clone(),
            parser: text_search::default_parser(),
            mappings: Default::default(),
            owner: None,
            comment: None,
        };
        let mut parser_given = false;
        for d in ast::def_elems(&st.definition) {
            match d.defname.as_str() {
                "parser" => {
                    config.parser = text_search::parser(&arg_names(d))?;
                    parser_given = true;
                }
                "copy" => {
                    let from = arg_names(d);
                    let (fs, fname) = ast::qualified_parts(&from).ok_or("invalid configuration name")?;
                    let source = match self.scope(s).find_text_search_config(fs.as_deref(), &fname) {
                        Some(q) => self.catalog.text_search_configs[&q].mappings.clone(),
                        None if fs.as_deref().is_none_or(|x| x == "pg_catalog") => text_search::builtin_config(&fname)
                            .ok_or_else(|| {
                                format!("text search configuration \"{}\" does not exist", from.join("."))
                            })?,
                        None => {
                            return Err(
                                format!("text search configuration \"{}\" does not exist", from.join(".")).into()
                            )
                        }
                    };
                    config.mappings = source;
                }
                other => return Err(format!("text search configuration parameter \"{other}\" not recognized").into()),
            }
        }
        if parser_given && !config.mappings.is_empty() {
            return Err("cannot specify both PARSER and COPY options".into());
        }
        self.catalog.text_search_configs.insert(qn, config);
        Ok(())
    }

    pub(super) fn alter_text_search_config(&mut self, st: &pb::AlterTsConfigurationStmt, s: &mut Session) -> R {
        let names = ast::names(&st.cfgname);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid configuration name")?;
        let qn = self
            .scope(s)
            .find_text_search_config(schema.as_deref(), &name)
            .ok_or_else(|| format!("text search configuration \"{}\" does not exist", names.join(".")))?;
        let tokens: Vec<String> = st.tokentype.iter().filter_map(ast::string).map(str::to_string).collect();
        for t in &tokens {
            if !text_search::is_token_type(t) {
                return Err(format!("token type \"{t}\" does not exist").into());
            }
        }
        let scope = self.scope(s);
        let dicts = st
            .dicts
            .iter()
            .map(|d| text_search::dictionary(&ast::list_names(d), &scope))
            .collect::<Result<Vec<_>, _>>()?;
        let config = self.catalog.text_search_configs.get_mut(&qn).expect("config");
        match AlterTsConfigType::try_from(st.kind).unwrap_or(AlterTsConfigType::AlterTsconfigTypeUndefined) {
            AlterTsConfigType::AlterTsconfigAddMapping | AlterTsConfigType::AlterTsconfigAlterMappingForToken => {
                for t in &tokens {
                    if !st.r#override && config.mappings.contains_key(t) {
                        return Err(format!("mapping for token type \"{t}\" already exists").into());
                    }
                    config.mappings.insert(t.clone(), dicts.clone());
                }
            }
            AlterTsConfigType::AlterTsconfigReplaceDict | AlterTsConfigType::AlterTsconfigReplaceDictForToken => {
                let [old, new] = dicts.as_slice() else {
                    return Err("REPLACE takes one dictionary to replace and one to put instead".into());
                };
                for (t, ds) in config.mappings.iter_mut() {
                    if tokens.is_empty() || tokens.contains(t) {
                        for d in ds.iter_mut().filter(|d| *d == old) {
                            *d = new.clone();
                        }
                    }
                }
            }
            AlterTsConfigType::AlterTsconfigDropMapping => {
                for t in &tokens {
                    if config.mappings.remove(t).is_none() && !st.missing_ok {
                        return Err(format!("mapping for token type \"{t}\" does not exist").into());
                    }
                }
            }
            AlterTsConfigType::AlterTsconfigTypeUndefined => {
                return Err("unknown ALTER TEXT SEARCH CONFIGURATION".into())
            }
        }
        Ok(())
    }

    pub(super) fn create_text_search_dictionary(&mut self, st: &pb::DefineStmt, s: &mut Session) -> R {
        let names = ast::names(&st.defnames);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid dictionary name")?;
        let qn = self.creation_name(s, schema.as_deref(), &name, -1)?;
        if self.catalog.text_search_dictionaries.contains_key(&qn) {
            return Err(format!("text search dictionary \"{name}\" already exists").into());
        }
        let d = crate::source::parse::build::text_search::dictionary(st, qn.clone(), &self.scope(s))?;
        self.catalog.text_search_dictionaries.insert(qn, d);
        Ok(())
    }

    /// `ALTER TEXT SEARCH DICTIONARY d (option = value, other)`: set, or (without a value) remove.
    pub(super) fn alter_text_search_dictionary(&mut self, st: &pb::AlterTsDictionaryStmt, s: &mut Session) -> R {
        let names = ast::names(&st.dictname);
        let qn = self
            .find_text_search_dictionary(&names, s)?
            .ok_or_else(|| format!("text search dictionary \"{}\" does not exist", names.join(".")))?;
        let d = self.catalog.text_search_dictionaries.get_mut(&qn).expect("dictionary");
        for o in ast::def_elems(&st.options) {
            if o.defname == "template" {
                return Err("text search template cannot be changed".into());
            }
            match o.arg.as_deref() {
                Some(arg) => {
                    d.options.insert(o.defname.clone(), crate::source::parse::build::text_search::option_value(arg)?);
                }
                None => {
                    d.options.remove(&o.defname);
                }
            }
        }
        Ok(())
    }

    /// A dictionary of the model named by DROP / COMMENT / OWNER.
    pub(crate) fn find_text_search_dictionary(&self, names: &[String], s: &Session) -> R<Option<QualifiedName>> {
        let (schema, name) = ast::qualified_parts(names).ok_or("invalid dictionary name")?;
        let scope = self.scope(s);
        Ok(scope.find_text_search_dictionary(schema.as_deref(), &name))
    }

    /// A configuration named by DROP / COMMENT / OWNER / RENAME.
    pub(crate) fn find_text_search_config(&self, names: &[String], s: &Session) -> R<Option<QualifiedName>> {
        let (schema, name) = ast::qualified_parts(names).ok_or("invalid configuration name")?;
        Ok(self.scope(s).find_text_search_config(schema.as_deref(), &name))
    }
}
