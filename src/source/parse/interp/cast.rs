//! CREATE CAST, and the `(source AS target)` that DROP CAST and COMMENT ON CAST name.

use super::{Interpreter, Session, R};
use crate::model::CastKey;
use crate::normalize;
use crate::source::parse::build;
use pg_query::protobuf::node::Node as N;
use pg_query::protobuf::{self as pb, Node};

impl Interpreter {
    pub(super) fn create_cast(&mut self, st: &pb::CreateCastStmt, s: &mut Session) -> R {
        let c = build::cast::cast(st, &self.scope(s))?;
        let key = c.key();
        if self.catalog.casts.contains_key(&key) {
            return Err(format!("cast from type {} to type {} already exists", key.source, key.target).into());
        }
        self.catalog.casts.insert(key, c);
        Ok(())
    }

    /// The cast `(source AS target)` names (a list of two type names), whether or not it exists.
    pub(super) fn cast_key(&self, object: &Node, s: &Session) -> R<CastKey> {
        let Some(N::List(l)) = object.node.as_ref() else { return Err("invalid cast".into()) };
        let scope = self.scope(s);
        let mut types = Vec::new();
        for item in &l.items {
            let Some(N::TypeName(tn)) = item.node.as_ref() else { return Err("invalid cast".into()) };
            types.push(normalize::type_ref(tn, &scope)?.to_string());
        }
        match <[String; 2]>::try_from(types) {
            Ok([source, target]) => Ok(CastKey { source, target }),
            Err(_) => Err("invalid cast".into()),
        }
    }
}
