//! The server versions introspection reads (PostgreSQL 14 to 18) and what moved in their
//! catalogs, in one place. The queries in `queries/*.sql` are written against the newest
//! catalog; where a column moved, they hold a `{{placeholder}}` that [`adapt`] fills with the
//! expression for the server at hand. A version outside the range is a clear error naming it,
//! never a failed query.

use std::borrow::Cow;

/// The oldest and newest major versions tidemark reads and plans for.
pub const OLDEST: u32 = 14;
pub const NEWEST: u32 = 18;

/// A server's version, from `server_version_num` (`170010` is 17.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ServerVersion {
    pub num: u32,
}

impl ServerVersion {
    pub fn major(self) -> u32 {
        self.num / 10_000
    }

    /// `17.10`.
    pub fn display(self) -> String {
        format!("{}.{}", self.major(), self.num % 10_000)
    }

    /// The version, or why tidemark cannot read that server.
    pub fn supported(num: u32) -> Result<ServerVersion, String> {
        let v = ServerVersion { num };
        if (OLDEST..=NEWEST).contains(&v.major()) {
            Ok(v)
        } else {
            Err(format!(
                "PostgreSQL {} is not supported: tidemark reads PostgreSQL {OLDEST} to {NEWEST}",
                if v.major() >= 10 { v.display() } else { num.to_string() }
            ))
        }
    }
}

/// The expression each placeholder stands for on `v`.
fn expression(placeholder: &str, v: ServerVersion) -> Option<&'static str> {
    let major = v.major();
    Some(match placeholder {
        // ICU collations: 14 keeps the ICU locale in collcollate/collctype; 15 and 16 in
        // colliculocale (collcollate/collctype NULL); 17 renamed it colllocale, which also
        // holds the builtin provider's locale.
        "collation_locale" => match major {
            14 => "CASE WHEN c.collprovider = 'i' THEN c.collcollate END",
            15 | 16 => "c.colliculocale",
            _ => "c.colllocale",
        },
        "collation_collate" => match major {
            14 => "CASE WHEN c.collprovider <> 'i' THEN c.collcollate END",
            _ => "c.collcollate",
        },
        "collation_ctype" => match major {
            14 => "CASE WHEN c.collprovider <> 'i' THEN c.collctype END",
            _ => "c.collctype",
        },
        // MAINTAIN (17, `m`) is part of a relation owner's default privileges. The model's
        // defaults are the newest server's, so before 17 the owner's MAINTAIN is read as
        // present wherever the owner's privileges are stated (an explicit ACL, a global
        // default-privileges entry for tables): on those servers it is implied, never granted
        // or revoked (GRANT MAINTAIN is refused for a target before 17).
        "relation_acl" => match major {
            14..=16 => {
                "CASE WHEN c.relacl IS NOT NULL THEN array_append(c.relacl::text[], \
                 quote_ident(pg_get_userbyid(c.relowner)) || '=m/' || quote_ident(pg_get_userbyid(c.relowner))) END"
            }
            _ => "c.relacl::text[]",
        },
        "default_acl" => match major {
            14..=16 => {
                "CASE WHEN d.defaclobjtype = 'r' AND d.defaclnamespace = 0 THEN array_append(d.defaclacl::text[], \
                 quote_ident(pg_get_userbyid(d.defaclrole)) || '=m/' || quote_ident(pg_get_userbyid(d.defaclrole))) \
                 ELSE d.defaclacl::text[] END"
            }
            _ => "d.defaclacl::text[]",
        },
        // 18 keeps NOT NULL as a named constraint (contype 'n'), which may be NOT VALID or NO
        // INHERIT; the model holds a flag. What changes its meaning is named here and
        // refused. Its name is not read: a renamed table or column keeps the old one.
        "not_null_unmodelled" => match major {
            14..=17 => "NULL::text",
            _ => {
                "(SELECT CASE WHEN NOT con.convalidated THEN 'NOT NULL ... NOT VALID' \
                 WHEN con.connoinherit THEN 'NOT NULL ... NO INHERIT' END \
                 FROM pg_constraint con WHERE con.conrelid = c.oid AND con.contype = 'n' \
                   AND con.conkey = ARRAY[a.attnum]::int2[] LIMIT 1)"
            }
        },
        _ => return None,
    })
}

/// `sql` with every `{{placeholder}}` filled for `v`. An unknown placeholder is a bug in a
/// query file, caught by the unit test below for every version.
pub fn adapt(sql: &'static str, v: ServerVersion) -> Result<Cow<'static, str>, String> {
    if !sql.contains("{{") {
        return Ok(Cow::Borrowed(sql));
    }
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("unclosed placeholder in: {sql}"))?;
        let name = &after[..end];
        out.push_str(expression(name, v).ok_or_else(|| format!("unknown placeholder {{{{{name}}}}}"))?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_outside_the_range_are_named() {
        assert_eq!(ServerVersion::supported(170010).map(|v| v.display()), Ok("17.10".to_string()));
        let old = ServerVersion::supported(130020).unwrap_err();
        assert!(old.contains("PostgreSQL 13.20 is not supported") && old.contains("14 to 18"), "{old}");
        assert!(ServerVersion::supported(190000).is_err());
    }

    #[test]
    fn every_placeholder_of_every_query_is_known_on_every_version() {
        for major in OLDEST..=NEWEST {
            let v = ServerVersion { num: major * 10_000 };
            for sql in super::super::QUERIES.iter().map(|(_, sql)| *sql) {
                let adapted = adapt(sql, v).unwrap_or_else(|e| panic!("{major}: {e}"));
                assert!(!adapted.contains("{{"), "{major}: {adapted}");
            }
        }
    }
}
