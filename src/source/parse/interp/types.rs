//! CREATE TYPE (enum, composite, range), CREATE DOMAIN, ALTER TYPE ... ADD / RENAME VALUE, ALTER DOMAIN.

use super::{err_at, Interpreter, Session, R};
use crate::model::{Attribute, Domain, DomainCheck, QualifiedName, TypeDef, TypeKind};
use crate::normalize::{self, expr::is_null_constant, ExprContext};
use crate::source::parse::{ast, build, naming};
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, ConstrType};

impl Interpreter {
    fn new_type_name(&self, names: &[String], s: &Session) -> R<QualifiedName> {
        let (schema, name) = ast::qualified_parts(names).ok_or("invalid type name")?;
        let qn = self.creation_name(s, schema.as_deref(), &name, -1)?;
        if self.catalog.types.contains_key(&qn)
            || self.catalog.range_of_multirange(&qn).is_some()
            || self.catalog.relation_name_taken(&qn.schema, &qn.name)
        {
            return Err(format!("type \"{name}\" already exists").into());
        }
        Ok(qn)
    }

    pub(super) fn create_enum(&mut self, st: &pb::CreateEnumStmt, s: &mut Session) -> R {
        let name = self.new_type_name(&ast::names(&st.type_name), s)?;
        let labels = st.vals.iter().filter_map(ast::string).map(str::to_string).collect();
        self.catalog.types.insert(
            name.clone(),
            TypeDef { name, kind: TypeKind::Enum { labels }, owner: None, comment: None, acl: None },
        );
        Ok(())
    }

    pub(super) fn alter_enum(&mut self, st: &pb::AlterEnumStmt, s: &mut Session) -> R {
        let names = ast::names(&st.type_name);
        let (schema, tname) = ast::qualified_parts(&names).ok_or("invalid type name")?;
        let qn = self
            .scope(s)
            .find_type(schema.as_deref(), &tname)
            .ok_or_else(|| format!("type \"{tname}\" does not exist"))?;
        let TypeKind::Enum { labels } = &mut self.catalog.types.get_mut(&qn).expect("found").kind else {
            return Err(format!("\"{tname}\" is not an enum").into());
        };
        if !st.old_val.is_empty() {
            let pos = labels
                .iter()
                .position(|l| *l == st.old_val)
                .ok_or_else(|| format!("\"{}\" is not an existing enum label", st.old_val))?;
            if labels.contains(&st.new_val) {
                return Err(format!("enum label \"{}\" already exists", st.new_val).into());
            }
            labels[pos] = st.new_val.clone();
            // Stored constants of the type follow (the server keeps them by OID).
            let quoted = crate::model::quote_literal(&st.old_val);
            let rename = crate::normalize::expr::Rename::EnumLabel { ty: &qn, old: &st.old_val, new: &st.new_val };
            return self.rewrite_exprs(&|e: &crate::model::Expr| e.sql.contains(&quoted), &rename, s);
        }
        if labels.contains(&st.new_val) {
            if st.skip_if_new_val_exists {
                return Ok(());
            }
            return Err(format!("enum label \"{}\" already exists", st.new_val).into());
        }
        let at = if st.new_val_neighbor.is_empty() {
            labels.len()
        } else {
            let n = labels
                .iter()
                .position(|l| *l == st.new_val_neighbor)
                .ok_or_else(|| format!("\"{}\" is not an existing enum label", st.new_val_neighbor))?;
            if st.new_val_is_after {
                n + 1
            } else {
                n
            }
        };
        labels.insert(at, st.new_val.clone());
        Ok(())
    }

    pub(super) fn create_range(&mut self, st: &pb::CreateRangeStmt, s: &mut Session) -> R {
        let name = self.new_type_name(&ast::names(&st.type_name), s)?;
        let range = build::range::range(st, &name, &self.scope(s))?;
        let t = TypeDef {
            name: name.clone(),
            kind: TypeKind::Range(Box::new(range)),
            owner: None,
            comment: None,
            acl: None,
        };
        let multirange = t.multirange().expect("a range");
        if self.catalog.types.contains_key(&multirange)
            || self.catalog.range_of_multirange(&multirange).is_some()
            || self.catalog.relation_name_taken(&multirange.schema, &multirange.name)
        {
            return Err(format!("type \"{}\" already exists", multirange.name).into());
        }
        self.catalog.types.insert(name, t);
        Ok(())
    }

    pub(super) fn create_composite(&mut self, st: &pb::CompositeTypeStmt, s: &mut Session) -> R {
        let rv = st.typevar.as_ref().ok_or("missing type name")?;
        let (schema, name) = ast::range_var_parts(rv);
        let qn = self.new_type_name(&[schema, Some(name)].into_iter().flatten().collect::<Vec<_>>(), s)?;
        let mut attributes = Vec::new();
        for elt in &st.coldeflist {
            let Some(N::ColumnDef(cd)) = elt.node.as_ref() else {
                continue;
            };
            attributes.push(self.attribute(cd, s)?);
        }
        self.catalog.types.insert(
            qn.clone(),
            TypeDef { name: qn, kind: TypeKind::Composite { attributes }, owner: None, comment: None, acl: None },
        );
        Ok(())
    }

    pub(super) fn attribute(&self, cd: &pb::ColumnDef, s: &Session) -> R<Attribute> {
        let tn = cd.type_name.as_ref().ok_or("attribute without type")?;
        let ty = normalize::type_ref(tn, &self.scope(s)).map_err(|e| err_at(e, tn.location))?;
        let collation = match cd.coll_clause.as_ref() {
            Some(c) => build::collation(&ast::names(&c.collname), &self.scope(s))?,
            None => None,
        };
        Ok(Attribute { name: cd.colname.clone(), ty, collation, comment: None })
    }

    pub(super) fn create_domain(&mut self, st: &pb::CreateDomainStmt, s: &mut Session) -> R {
        let name = self.new_type_name(&ast::names(&st.domainname), s)?;
        let tn = st.type_name.as_ref().ok_or("domain without type")?;
        let base = normalize::type_ref(tn, &self.scope(s)).map_err(|e| err_at(e, tn.location))?;
        let collation = match st.coll_clause.as_ref() {
            Some(c) => build::collation(&ast::names(&c.collname), &self.scope(s))?,
            None => None,
        };
        let mut domain = Domain { base, collation, default: None, not_null: false, checks: Default::default() };
        for c in &st.constraints {
            let Some(N::Constraint(c)) = c.node.as_ref() else {
                continue;
            };
            self.apply_domain_constraint(&name, &mut domain, c, s)?;
        }
        self.catalog.types.insert(
            name.clone(),
            TypeDef { name, kind: TypeKind::Domain(Box::new(domain)), owner: None, comment: None, acl: None },
        );
        Ok(())
    }

    fn apply_domain_constraint(&self, name: &QualifiedName, domain: &mut Domain, c: &pb::Constraint, s: &Session) -> R {
        let base = domain.base.clone();
        let cx = ExprContext { scope: self.scope(s), table: None, target: Some(&base) };
        match ConstrType::try_from(c.contype).unwrap_or(ConstrType::Undefined) {
            ConstrType::ConstrNotnull => domain.not_null = true,
            ConstrType::ConstrNull => domain.not_null = false,
            ConstrType::ConstrDefault => {
                let e = normalize::expr(c.raw_expr.as_deref().ok_or("DEFAULT without expression")?, &cx)?;
                domain.default = (!is_null_constant(&e)).then_some(e);
            }
            ConstrType::ConstrCheck => {
                let cname = if c.conname.is_empty() {
                    let taken: Vec<String> = domain.checks.keys().cloned().collect();
                    naming::choose_constraint_name(&self.catalog, &name.schema, &name.name, None, "check", &taken)
                } else {
                    c.conname.clone()
                };
                let expr = normalize::expr(c.raw_expr.as_deref().ok_or("CHECK without expression")?, &cx)?;
                domain.checks.insert(cname, DomainCheck { expr, validated: !c.skip_validation, comment: None });
            }
            other => return Err(err_at(format!("{other:?} is not allowed on a domain"), c.location)),
        }
        Ok(())
    }

    pub(super) fn alter_domain(&mut self, st: &pb::AlterDomainStmt, s: &mut Session) -> R {
        let names = ast::names(&st.type_name);
        let (schema, tname) = ast::qualified_parts(&names).ok_or("invalid domain name")?;
        let qn = self
            .scope(s)
            .find_type(schema.as_deref(), &tname)
            .ok_or_else(|| format!("type \"{tname}\" does not exist"))?;
        let TypeKind::Domain(mut domain) = self.catalog.types[&qn].kind.clone() else {
            return Err(format!("\"{tname}\" is not a domain").into());
        };
        match st.subtype.as_str() {
            "T" => match st.def.as_deref() {
                Some(d) => {
                    let base = domain.base.clone();
                    let cx = ExprContext { scope: self.scope(s), table: None, target: Some(&base) };
                    let e = normalize::expr(d, &cx)?;
                    domain.default = (!is_null_constant(&e)).then_some(e);
                }
                None => domain.default = None,
            },
            "N" => domain.not_null = false,
            "O" => domain.not_null = true,
            "C" => {
                let Some(N::Constraint(c)) = st.def.as_ref().and_then(|d| d.node.as_ref()) else {
                    return Err("missing constraint".into());
                };
                self.apply_domain_constraint(&qn, &mut domain, c, s)?;
            }
            "X" => {
                if domain.checks.remove(&st.name).is_none() && !st.missing_ok {
                    return Err(format!("constraint \"{}\" of domain \"{tname}\" does not exist", st.name).into());
                }
            }
            "V" => {
                domain
                    .checks
                    .get_mut(&st.name)
                    .ok_or_else(|| format!("constraint \"{}\" of domain \"{tname}\" does not exist", st.name))?
                    .validated = true;
            }
            other => return Err(format!("ALTER DOMAIN subcommand {other} is not supported").into()),
        }
        self.catalog.types.get_mut(&qn).expect("found").kind = TypeKind::Domain(domain);
        Ok(())
    }

    /// `CREATE COLLATION name (provider = ..., locale = ..., ...)` or `FROM existing`.
    pub(super) fn create_collation(&mut self, st: &pb::DefineStmt, s: &mut Session) -> R {
        let names = ast::names(&st.defnames);
        let (schema, name) = ast::qualified_parts(&names).ok_or("invalid collation name")?;
        let qn = self.creation_name(s, schema.as_deref(), &name, -1)?;
        if self.catalog.collations.contains_key(&qn) {
            if st.if_not_exists {
                return Ok(());
            }
            return Err(format!("collation \"{name}\" already exists").into());
        }
        let mut c = crate::model::Collation {
            name: qn.clone(),
            provider: "libc".into(),
            icu_locale: None,
            lc_collate: None,
            lc_ctype: None,
            deterministic: true,
            owner: None,
            comment: None,
        };
        let mut locale = None;
        for d in ast::def_elems(&st.definition) {
            let v = d.arg.as_deref().and_then(ast::text);
            match d.defname.as_str() {
                "provider" => c.provider = v.unwrap_or_default().to_lowercase(),
                "locale" => locale = v,
                "lc_collate" => c.lc_collate = v,
                "lc_ctype" => c.lc_ctype = v,
                "deterministic" => {
                    c.deterministic = v.is_none_or(|v| matches!(v.as_str(), "true" | "1" | "on" | "yes"))
                }
                "from" => {
                    let from = d.arg.as_deref().map(ast::list_names).unwrap_or_default();
                    let (fs, fname) = ast::qualified_parts(&from).ok_or("invalid collation name")?;
                    match self.scope(s).find_collation(fs.as_deref(), &fname) {
                        Some(src) => {
                            let src = self.catalog.collations[&src].clone();
                            c = crate::model::Collation { name: qn.clone(), owner: None, comment: None, ..src };
                        }
                        None if fname == "C" || fname == "POSIX" => {
                            c.lc_collate = Some(fname.clone());
                            c.lc_ctype = Some(fname);
                        }
                        None => return Err(format!("cannot copy collation \"{fname}\": only the catalog's collations, \"C\" and \"POSIX\" are known offline").into()),
                    }
                }
                "version" | "rules" => {}
                other => return Err(format!("collation option {other} is not supported").into()),
            }
        }
        if let Some(l) = locale {
            if c.provider == "icu" {
                c.icu_locale = Some(l);
            } else {
                c.lc_collate = Some(l.clone());
                c.lc_ctype = Some(l);
            }
        }
        self.catalog.collations.insert(qn, c);
        Ok(())
    }

    /// The type of a composite's attribute or domain, for ALTER TYPE ... ALTER ATTRIBUTE.
    pub(super) fn composite_mut(&mut self, qn: &QualifiedName) -> R<&mut Vec<Attribute>> {
        match self.catalog.types.get_mut(qn).map(|t| &mut t.kind) {
            Some(TypeKind::Composite { attributes }) => Ok(attributes),
            _ => Err(format!("\"{}\" is not a composite type", qn.name).into()),
        }
    }
}
