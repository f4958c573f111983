//! Privileges. An object's ACL is `None` when it has never been granted or revoked (the
//! server's default for its kind applies) or an explicit set of grants. The owner is symbolic
//! ([`Grantee::Owner`]): grants follow ownership, as the server's do, and a side that does not
//! know the owner (schema files without `OWNER TO`) still compares with one that does.

use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    /// MAINTAIN (PostgreSQL 17): VACUUM, ANALYZE, REINDEX, REFRESH MATERIALIZED VIEW, ...
    Maintain,
    Execute,
    Usage,
    Create,
    Connect,
    Temporary,
}

impl Privilege {
    pub fn from_acl_char(c: char) -> Option<Privilege> {
        Some(match c {
            'r' => Privilege::Select,
            'a' => Privilege::Insert,
            'w' => Privilege::Update,
            'd' => Privilege::Delete,
            'D' => Privilege::Truncate,
            'x' => Privilege::References,
            't' => Privilege::Trigger,
            'm' => Privilege::Maintain,
            'X' => Privilege::Execute,
            'U' => Privilege::Usage,
            'C' => Privilege::Create,
            'c' => Privilege::Connect,
            'T' => Privilege::Temporary,
            _ => return None,
        })
    }

    pub fn from_keyword(word: &str) -> Option<Privilege> {
        Some(match word.to_ascii_lowercase().as_str() {
            "select" => Privilege::Select,
            "insert" => Privilege::Insert,
            "update" => Privilege::Update,
            "delete" => Privilege::Delete,
            "truncate" => Privilege::Truncate,
            "references" => Privilege::References,
            "trigger" => Privilege::Trigger,
            "maintain" => Privilege::Maintain,
            "execute" => Privilege::Execute,
            "usage" => Privilege::Usage,
            "create" => Privilege::Create,
            "connect" => Privilege::Connect,
            "temporary" | "temp" => Privilege::Temporary,
            _ => return None,
        })
    }

    pub fn keyword(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Maintain => "MAINTAIN",
            Privilege::Execute => "EXECUTE",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
            Privilege::Connect => "CONNECT",
            Privilege::Temporary => "TEMPORARY",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Grantee {
    /// Whoever owns the object.
    Owner,
    Public,
    Role(String),
}

impl fmt::Display for Grantee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grantee::Owner => f.write_str("(owner)"),
            Grantee::Public => f.write_str("PUBLIC"),
            Grantee::Role(r) => f.write_str(&super::quote_ident(r)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Grant {
    pub grantee: Grantee,
    pub privilege: Privilege,
    /// `WITH GRANT OPTION`.
    pub grantable: bool,
}

/// Which default an object's ACL starts from (`acldefault`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum AclKind {
    Table,
    Column,
    Sequence,
    Schema,
    Type,
    Function,
}

impl AclKind {
    /// Every privilege that applies to the kind (what `ALL` means).
    pub fn all(self) -> &'static [Privilege] {
        use Privilege::*;
        match self {
            AclKind::Table => &[Select, Insert, Update, Delete, Truncate, References, Trigger, Maintain],
            AclKind::Column => &[Select, Insert, Update, References],
            AclKind::Sequence => &[Usage, Select, Update],
            AclKind::Schema => &[Usage, Create],
            AclKind::Type => &[Usage],
            AclKind::Function => &[Execute],
        }
    }

    /// What `ALL` means on PostgreSQL `major`: MAINTAIN is 17's. (The owner's defaults are the
    /// newest server's, MAINTAIN included, whatever the version: see `relation_acl` in
    /// `introspect::version`.)
    pub fn all_for(self, major: u32) -> Vec<Privilege> {
        self.all().iter().copied().filter(|p| major >= 17 || *p != Privilege::Maintain).collect()
    }

    /// `acldefault(kind, owner)` on the newest server.
    pub fn default_grants(self) -> BTreeSet<Grant> {
        let mut out: BTreeSet<Grant> = match self {
            AclKind::Column => BTreeSet::new(),
            _ => {
                self.all().iter().map(|p| Grant { grantee: Grantee::Owner, privilege: *p, grantable: false }).collect()
            }
        };
        if matches!(self, AclKind::Type | AclKind::Function) {
            out.insert(Grant { grantee: Grantee::Public, privilege: self.all()[0], grantable: false });
        }
        out
    }

    /// The SQL keyword naming objects of the kind in GRANT (`TABLE`, `SEQUENCE`, ...).
    pub fn object_keyword(self) -> &'static str {
        match self {
            AclKind::Table | AclKind::Column => "TABLE",
            AclKind::Sequence => "SEQUENCE",
            AclKind::Schema => "SCHEMA",
            AclKind::Type => "TYPE",
            AclKind::Function => "FUNCTION",
        }
    }
}

/// An ACL: `None` is the kind's default.
pub type Acl = Option<BTreeSet<Grant>>;

/// The kinds of object `ALTER DEFAULT PRIVILEGES` applies to (`pg_default_acl.defaclobjtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum DefaultAclObject {
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
}

impl DefaultAclObject {
    pub fn from_catalog_char(c: char) -> Option<DefaultAclObject> {
        Some(match c {
            'r' => DefaultAclObject::Tables,
            'S' => DefaultAclObject::Sequences,
            'f' => DefaultAclObject::Functions,
            'T' => DefaultAclObject::Types,
            'n' => DefaultAclObject::Schemas,
            _ => return None,
        })
    }

    pub fn acl_kind(self) -> AclKind {
        match self {
            DefaultAclObject::Tables => AclKind::Table,
            DefaultAclObject::Sequences => AclKind::Sequence,
            DefaultAclObject::Functions => AclKind::Function,
            DefaultAclObject::Types => AclKind::Type,
            DefaultAclObject::Schemas => AclKind::Schema,
        }
    }

    /// The keyword of `ALTER DEFAULT PRIVILEGES ... ON <keyword>`.
    pub fn keyword(self) -> &'static str {
        match self {
            DefaultAclObject::Tables => "TABLES",
            DefaultAclObject::Sequences => "SEQUENCES",
            DefaultAclObject::Functions => "FUNCTIONS",
            DefaultAclObject::Types => "TYPES",
            DefaultAclObject::Schemas => "SCHEMAS",
        }
    }
}

/// One entry of `ALTER DEFAULT PRIVILEGES`: the privileges that objects of a kind get when a
/// role creates them, everywhere (`schema: None`) or in one schema.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DefaultAclKey {
    /// The creating role; `None` is the role that runs the SQL (no `FOR ROLE`).
    pub role: Option<String>,
    pub schema: Option<String>,
    pub object: DefaultAclObject,
}

impl fmt::Display for DefaultAclKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("default privileges")?;
        if let Some(r) = &self.role {
            write!(f, " for role {}", super::quote_ident(r))?;
        }
        if let Some(s) = &self.schema {
            write!(f, " in schema {}", super::quote_ident(s))?;
        }
        write!(f, " on {}", self.object.keyword().to_lowercase())
    }
}

impl Serialize for DefaultAclKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// The grants an entry holds. A global entry replaces the kind's default (so its absence
/// means `acldefault`); a schema entry adds to whatever the global one gives (its absence
/// means nothing added). Grants to the creating role are [`Grantee::Owner`].
pub type DefaultAcls = std::collections::BTreeMap<DefaultAclKey, BTreeSet<Grant>>;

/// What an entry means when it is absent.
pub fn default_acl_base(key: &DefaultAclKey) -> BTreeSet<Grant> {
    match key.schema {
        None => key.object.acl_kind().default_grants(),
        Some(_) => BTreeSet::new(),
    }
}

/// The ACL an object of `object` kind gets when `role` creates it in `schema`, as
/// `get_user_default_acl` computes it: `None` when that is the kind's default.
pub fn initial_acl(entries: &DefaultAcls, role: Option<&str>, object: DefaultAclObject, schema: &str) -> Acl {
    let key = |schema: Option<&str>| DefaultAclKey {
        role: role.map(str::to_string),
        schema: schema.map(str::to_string),
        object,
    };
    let global = entries.get(&key(None));
    let local = if object == DefaultAclObject::Schemas { None } else { entries.get(&key(Some(schema))) };
    if global.is_none() && local.is_none() {
        return None;
    }
    let mut acl = global.cloned().unwrap_or_else(|| object.acl_kind().default_grants());
    acl.extend(local.into_iter().flatten().cloned());
    (acl != object.acl_kind().default_grants()).then_some(acl)
}

/// The grants in force: the explicit set or the default, with grants to the owner's name
/// folded into [`Grantee::Owner`].
pub fn effective(acl: &Acl, kind: AclKind, owner: Option<&str>) -> BTreeSet<Grant> {
    let grants = acl.clone().unwrap_or_else(|| kind.default_grants());
    grants
        .into_iter()
        .map(|g| match (&g.grantee, owner) {
            (Grantee::Role(r), Some(o)) if r == o => Grant { grantee: Grantee::Owner, ..g },
            _ => g,
        })
        .collect()
}

/// Parse one `aclitem` as the server prints it (`alice=arw*/bob`, `=U/owner`).
pub fn parse_aclitem(item: &str, owner: &str) -> Vec<Grant> {
    let Some((grantee, rest)) = split_unquoted(item, '=') else {
        return Vec::new();
    };
    let privs = rest.rsplit_once('/').map_or(rest, |(p, _)| p);
    let grantee = unquote(grantee);
    let grantee = if grantee.is_empty() {
        Grantee::Public
    } else if grantee == owner {
        Grantee::Owner
    } else {
        Grantee::Role(grantee)
    };
    let mut out = Vec::new();
    let chars: Vec<char> = privs.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let grantable = chars.get(i + 1) == Some(&'*');
        if let Some(p) = Privilege::from_acl_char(chars[i]) {
            out.push(Grant { grantee: grantee.clone(), privilege: p, grantable });
        }
        i += if grantable { 2 } else { 1 };
    }
    out
}

fn split_unquoted(s: &str, sep: char) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == sep && !quoted => return Some((&s[..i], &s[i + 1..])),
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        s[1..s.len() - 1].replace("\"\"", "\"")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aclitems() {
        let g = parse_aclitem("alice=r*w/bob", "bob");
        assert_eq!(g.len(), 2);
        assert!(g[0].grantable && g[0].privilege == Privilege::Select);
        assert_eq!(parse_aclitem("=U/bob", "bob")[0].grantee, Grantee::Public);
        assert_eq!(parse_aclitem("bob=UC/bob", "bob")[0].grantee, Grantee::Owner);
        assert_eq!(parse_aclitem("\"we=ird\"=r/bob", "bob")[0].grantee, Grantee::Role("we=ird".into()));
    }

    #[test]
    fn effective_folds_the_owner_name() {
        let mut acl = AclKind::Table.default_grants();
        acl.insert(Grant { grantee: Grantee::Role("app".into()), privilege: Privilege::Select, grantable: false });
        let e = effective(&Some(acl.clone()), AclKind::Table, Some("app"));
        assert!(e.iter().all(|g| g.grantee == Grantee::Owner));
    }
}
