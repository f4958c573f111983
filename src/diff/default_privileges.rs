//! `ALTER DEFAULT PRIVILEGES` entries. An entry is keyed by the creating role; the role that
//! runs the plan is the one a live database was read as, so its entries and the files' entries
//! without `FOR ROLE` are the same entries (`role: None`), written without `FOR ROLE`.

use super::Cx;
use crate::model::{default_acl_base, Catalog, DefaultAclKey, DefaultAcls, Grant, Grantee, ObjectRef};
use std::collections::BTreeSet;

/// A catalog's entries with the running role's made anonymous, and grants to it made grants
/// to the creator ([`Grantee::Owner`]).
pub(crate) fn runner_relative(cat: &Catalog, runner: Option<&str>) -> DefaultAcls {
    cat.default_privileges
        .iter()
        .map(|(k, grants)| {
            let mine = k.role.is_none() || k.role.as_deref() == runner;
            let key = DefaultAclKey { role: if mine { None } else { k.role.clone() }, ..k.clone() };
            let grants: BTreeSet<Grant> = grants
                .iter()
                .map(|g| match &g.grantee {
                    Grantee::Role(r) if mine && Some(r.as_str()) == runner => {
                        Grant { grantee: Grantee::Owner, ..g.clone() }
                    }
                    _ => g.clone(),
                })
                .collect();
            (key, grants)
        })
        .collect()
}

impl Cx<'_> {
    pub(super) fn default_privileges(&mut self) {
        let from = runner_relative(self.from, self.runner());
        let to = runner_relative(self.to, self.to.read_as.as_deref().or(self.runner()));
        let keys: BTreeSet<&DefaultAclKey> = from.keys().chain(to.keys()).collect();
        for key in keys {
            // Entries of a dropped schema go with it.
            if key.schema.as_ref().is_some_and(|s| !self.to.schemas.contains_key(s)) {
                continue;
            }
            let base = default_acl_base(key);
            let old = from.get(key).unwrap_or(&base);
            let new = to.get(key).unwrap_or(&base);
            if old != new {
                let kind = key.object.acl_kind();
                self.acl_changes(ObjectRef::DefaultPrivileges(key.clone()), kind, old, new, key.role.clone());
            }
        }
    }

    /// The role the plan runs as, when the from side is a live database.
    pub(crate) fn runner(&self) -> Option<&str> {
        self.from.read_as.as_deref()
    }
}
