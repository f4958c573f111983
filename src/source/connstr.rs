//! Connection strings: the one place that knows their two forms (`postgres://` URLs and libpq
//! keyword/value strings), tells them from file names, hides their secrets for messages, points
//! them at another database, and connects with them. Every connection tidemark opens goes
//! through [`connect`]; every connection string it prints goes through [`redact`].

use crate::source::introspect::{error_text, IntrospectError};
use std::time::Duration;
use tokio_postgres::{Client, NoTls};

/// How long a connection may take to start (TCP connect, start-up, authentication) when the
/// connection string sets no `connect_timeout`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The keywords whose values are secrets, hidden by [`redact`]. `passfile` names a file rather
/// than holding a password, but where a password file lives is nobody else's business either.
const SECRET_KEYS: &[&str] = &["password", "sslpassword", "passfile"];

/// libpq's connection keywords: a `key=value` string using one of them is a connection string.
const KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
];

/// `scheme://rest` for any URL-like scheme, the scheme as written.
fn split_scheme(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once("://")?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some((scheme, rest))
}

/// Whether `s` is a PostgreSQL URL: `postgres://` or `postgresql://`, in any case.
pub fn is_url(s: &str) -> bool {
    split_scheme(s).is_some_and(|(scheme, _)| is_postgres_scheme(scheme))
}

fn is_postgres_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql")
}

/// Whether `s` is a keyword/value connection string: every word a `key=value` pair (values
/// may be quoted), at least one key one of libpq's.
pub fn is_keyword_value(s: &str) -> bool {
    let tokens = tokens(s);
    !tokens.is_empty()
        && tokens.iter().all(|t| t.value.is_some())
        && tokens.iter().any(|t| KEYWORDS.contains(&t.key.to_ascii_lowercase().as_str()))
}

/// Whether a command-line argument or setting names a database rather than a file: a URL (of
/// any scheme: `mysql://...` is not a file name either, and connecting says what is wrong with
/// it) or a keyword/value string.
pub fn is_connection_string(s: &str) -> bool {
    split_scheme(s).is_some() || is_keyword_value(s) || mistyped_url(s)
}

/// `postgres:/h/db`, `postgresql:h`: a URL with its slashes wrong, still not a file name.
fn mistyped_url(s: &str) -> bool {
    let lower = s.get(..11).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgres:") || lower.starts_with("postgresql:")
}

/// One `key = value` word of a keyword/value string, with its byte span in the string.
struct Token<'a> {
    key: &'a str,
    /// The value unquoted and unescaped; `None` for a word without `=`.
    value: Option<String>,
}

/// The words of a keyword/value string, as libpq's `conninfo_parse` reads them: `key`,
/// optional spaces, `=`, optional spaces, a value that is either single-quoted (backslash
/// escapes anything) or runs to the next space (backslash escapes the next character).
fn tokens(s: &str) -> Vec<Token<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= b.len() {
            return out;
        }
        let key_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let key = &s[key_start..i];
        let mut j = i;
        skip_ws(&mut j);
        if j >= b.len() || b[j] != b'=' {
            out.push(Token { key, value: None });
            continue;
        }
        j += 1;
        skip_ws(&mut j);
        let mut value = Vec::new();
        if j < b.len() && b[j] == b'\'' {
            j += 1;
            while j < b.len() && b[j] != b'\'' {
                if b[j] == b'\\' && j + 1 < b.len() {
                    j += 1;
                }
                value.push(b[j]);
                j += 1;
            }
            j = (j + 1).min(b.len());
        } else {
            while j < b.len() && !b[j].is_ascii_whitespace() {
                if b[j] == b'\\' && j + 1 < b.len() {
                    j += 1;
                }
                value.push(b[j]);
                j += 1;
            }
        }
        i = j;
        out.push(Token { key, value: Some(String::from_utf8_lossy(&value).into_owned()) });
    }
}

/// Whether a key names a secret: `password`, and also the last word of a key mangled by a
/// malformed string (`postgres:/h?password`), so that a string tidemark cannot parse still
/// keeps its secrets.
fn is_secret_key(key: &str) -> bool {
    let last = key.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or(key);
    SECRET_KEYS.iter().any(|k| key.eq_ignore_ascii_case(k) || last.eq_ignore_ascii_case(k))
}

/// `%XX` escapes decoded (lossily: this is for comparing keys).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value as a keyword/value string writes it.
fn quote_value(v: &str) -> String {
    if !v.is_empty() && !v.bytes().any(|c| c.is_ascii_whitespace() || c == b'\'' || c == b'\\') {
        return v.to_string();
    }
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A connection string with its secrets replaced by `***`, for messages. URLs: the password of
/// the userinfo (which ends at the last `@`: a password holding `/`, `?`, `#` or `@` stays
/// hidden) and `password`, `sslpassword`, `passfile` query parameters (percent-encoded keys
/// too). Keyword/value strings: the values of those keys, quoted or not. Anything that is not a
/// connection string comes back as it is.
pub fn redact(s: &str) -> String {
    match split_scheme(s) {
        Some((scheme, rest)) => redact_url(scheme, rest),
        None if mistyped_url(s) => {
            let (scheme, rest) = s.split_once(':').expect("a colon");
            let slashes = rest.len() - rest.trim_start_matches('/').len();
            let redacted = redact_url(scheme, &rest[slashes..]);
            format!("{scheme}:{}{}", &rest[..slashes], &redacted[scheme.len() + 3..])
        }
        None => redact_keyword_value(s),
    }
}

fn redact_url(scheme: &str, rest: &str) -> String {
    let suspicious = |t: &str| t.contains(['/', '?', '#', '&', '=', '@']);
    let (userinfo, hostpart) = match rest.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    let mut out = format!("{scheme}://");
    if let Some(userinfo) = userinfo {
        match userinfo.split_once(':') {
            Some((user, _)) if !suspicious(user) => out.push_str(&format!("{user}:***")),
            None if !suspicious(userinfo) => out.push_str(userinfo),
            _ => out.push_str("***"),
        }
        out.push('@');
    }
    match hostpart.split_once('?') {
        None => out.push_str(hostpart),
        Some((path, query)) => {
            out.push_str(path);
            out.push('?');
            let params: Vec<String> = query
                .split('&')
                .map(|kv| {
                    let key = kv.split_once('=').map_or(kv, |(k, _)| k);
                    if is_secret_key(percent_decode(key).trim()) {
                        format!("{key}=***")
                    } else {
                        kv.to_string()
                    }
                })
                .collect();
            out.push_str(&params.join("&"));
        }
    }
    out
}

fn redact_keyword_value(s: &str) -> String {
    let tokens = tokens(s);
    let plain = |key: &str| !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !s.contains('=')
        || !tokens.iter().any(|t| {
            is_secret_key(t.key) || !plain(t.key) || t.value.as_deref().is_some_and(|v| split_scheme(v).is_some())
        })
    {
        return s.to_string();
    }
    let mut words = Vec::new();
    for t in &tokens {
        match &t.value {
            // Not a keyword: a malformed string, in which anything may be the secret.
            _ if !plain(t.key) => words.push("***".into()),
            Some(_) if is_secret_key(t.key) => words.push(format!("{}=***", t.key)),
            Some(v) if split_scheme(v).is_some() => words.push(format!("{}={}", t.key, quote_value(&redact(v)))),
            Some(v) => words.push(format!("{}={}", t.key, quote_value(v))),
            None if is_secret_key(t.key) => {
                // `password 'x'`: malformed, and whatever follows may be the secret.
                words.push(format!("{} ***", t.key));
                break;
            }
            None => words.push(t.key.to_string()),
        }
    }
    words.join(" ")
}

/// The same connection string pointed at database `database` of the same server: a URL gets a
/// `dbname` query parameter (which libpq and tokio-postgres let win over the path), a
/// keyword/value string a `dbname` word (the last one wins).
pub fn with_database(s: &str, database: &str) -> String {
    if split_scheme(s).is_some() {
        let encoded: String = database
            .bytes()
            .map(|c| if c.is_ascii_alphanumeric() || c == b'_' { (c as char).to_string() } else { format!("%{c:02X}") })
            .collect();
        let sep = if s.contains('?') { '&' } else { '?' };
        format!("{s}{sep}dbname={encoded}")
    } else {
        format!("{} dbname={}", s.trim_end(), quote_value(database))
    }
}

/// The connection string parsed as tokio-postgres reads it, the URL scheme in lower case
/// (libpq accepts `POSTGRESQL://`, tokio-postgres only lower case).
fn parse(s: &str) -> Result<tokio_postgres::Config, IntrospectError> {
    let fail = |message: String| IntrospectError::Connect { url: redact(s), message };
    let text = match split_scheme(s) {
        Some((scheme, rest)) if is_postgres_scheme(scheme) => format!("{}://{rest}", scheme.to_ascii_lowercase()),
        Some((scheme, _)) => {
            return Err(fail(format!(
                "`{scheme}://` is not a PostgreSQL URL (write postgres:// or postgresql://, or host=... dbname=...)"
            )))
        }
        None if mistyped_url(s) => {
            return Err(fail("not a PostgreSQL URL: write postgres://host/db or postgresql://host/db".into()))
        }
        None => s.to_string(),
    };
    text.parse::<tokio_postgres::Config>().map_err(|e| fail(plain_words_only(&error_text(&e))))
}

/// A message with anything it quotes in backquotes shown only when it is a plain word (an
/// option name): tokio-postgres quotes the "option" it did not know, which in a malformed
/// string can be a piece of URL holding a password.
fn plain_words_only(message: &str) -> String {
    let parts: Vec<&str> = message.split('`').collect();
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let quoted = i % 2 == 1 && i + 1 < parts.len();
            if quoted && !part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                "…".to_string()
            } else {
                part.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// The time the whole start-up may take: the string's `connect_timeout`, else
/// [`DEFAULT_CONNECT_TIMEOUT`].
pub fn connect_timeout(s: &str) -> Duration {
    parse(s).ok().and_then(|c| c.get_connect_timeout().copied()).unwrap_or(DEFAULT_CONNECT_TIMEOUT)
}

/// Connect to a server (no TLS). The TCP connection, start-up and authentication together are
/// bounded by `connect_timeout` (default [`DEFAULT_CONNECT_TIMEOUT`]): a server that accepts
/// the connection and never answers is an error, not a hang.
pub async fn connect(s: &str) -> Result<Client, IntrospectError> {
    let config = parse(s)?;
    let timeout = config.get_connect_timeout().copied().unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let (client, connection) = match tokio::time::timeout(timeout, config.connect(NoTls)).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return Err(IntrospectError::Connect { url: redact(s), message: error_text(&e) }),
        Err(_) => {
            return Err(IntrospectError::Connect {
                url: redact(s),
                message: format!(
                    "timed out after {}s waiting for the server to accept the connection and answer \
                     (connect_timeout; set it in the connection string to wait longer)",
                    timeout.as_secs_f64()
                ),
            })
        }
    };
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each form with the secret `s3cret` (or a variant) somewhere in it.
    const SECRET_FORMS: &[&str] = &[
        "postgresql://u:s3cret@h/db",
        "postgres://u:s3cret@h:5432/db?sslmode=disable",
        "POSTGRESQL://u:s3cret@h/db",
        "Postgres://u:s3cret@h/db",
        "postgresql://u:p%2Fs3cret%40x@h/db",
        "postgresql://u:s3cret/a?s#s@x@host/db",
        "postgresql://u:s3/cr?et#@h/db",
        "postgresql://u:s3cret@@h/db",
        "postgresql://u@h/db?password=s3cret&host=/tmp",
        "postgresql://u@h/db?host=/tmp&password=s3cret",
        "postgresql://u@h/db?host=/tmp&PASSWORD=s3cret",
        "postgresql://u@h/db?pass%77ord=s3cret",
        "postgresql://u@h/db?sslpassword=s3cret",
        "postgresql://u@h/db?passfile=/home/u/s3cret.pgpass",
        "postgresql://h/db?password=s3cret&application_name=a@b",
        "postgresql://h/db?password=s3cret:x&u=a@b",
        "host=/tmp user=u password=s3cret dbname=db",
        "password=s3cret host=/tmp",
        "host=/tmp password = 's3 cret' dbname=db",
        "host=/tmp password='s3\\'cret' dbname=db",
        "host=/tmp password=s3\\ cret dbname=db",
        "host=h sslpassword=s3cret",
        "host=h passfile=/home/u/s3cret",
        "host=h PASSWORD=s3cret",
        "host=h password 's3cret'",
        "dbname=postgresql://u:s3cret@h/db",
        "postgres:/h/db?password=s3cret",
        "postgresql:h?x=1&password=s3cret",
        "host=h u:s3cret@h=1",
        "host=h x=1 'password=s3cret",
    ];

    #[test]
    fn secrets_are_hidden_in_every_form() {
        for s in SECRET_FORMS {
            let shown = redact(s);
            assert!(!shown.contains("s3"), "{s} -> {shown}");
            assert!(!shown.contains("cret"), "{s} -> {shown}");
            assert!(shown.contains("***"), "{s} -> {shown}");
        }
    }

    #[test]
    fn what_is_not_secret_stays_readable() {
        assert_eq!(redact("postgresql://u:s3cret@h:5/db?sslmode=require"), "postgresql://u:***@h:5/db?sslmode=require");
        assert_eq!(redact("POSTGRESQL://u:s3cret@h/db"), "POSTGRESQL://u:***@h/db");
        assert_eq!(redact("postgresql://u:p/a?s#s@x@host/db"), "postgresql://u:***@host/db");
        assert_eq!(
            redact("postgresql://u@h/db?password=s3cret&host=/tmp"),
            "postgresql://u@h/db?password=***&host=/tmp"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(redact("host=/tmp password = 's3 cret' dbname=db"), "host=/tmp password=*** dbname=db");
        assert_eq!(redact("host=/tmp user=u dbname=db"), "host=/tmp user=u dbname=db");
        assert_eq!(redact("schema/tables.sql"), "schema/tables.sql");
        assert_eq!(redact("postgres:/h/db?password=s3cret"), "postgres:/h/db?password=***");
    }

    #[test]
    fn connection_strings_are_told_from_file_names() {
        for s in [
            "postgres://h/db",
            "POSTGRESQL://h/db",
            "Postgres://h/db",
            "host=/tmp dbname=db",
            "password='x y' host=h",
            "dbname = app",
            "mysql://u:p@h/db",
            "postgres:/h/db?password=x",
            "PostgreSQL:h",
        ] {
            assert!(is_connection_string(s), "{s}");
        }
        for s in ["schema", "schema/a.sql", "./x=1.sql", "my dir/file.sql", "a=b c"] {
            assert!(!is_connection_string(s), "{s}");
        }
        assert!(is_url("POSTGRESQL://h/db") && !is_url("mysql://h/db") && !is_url("host=h"));
    }

    #[test]
    fn another_database_of_the_same_server() {
        assert_eq!(with_database("postgres://u:p@h:5/app", "x"), "postgres://u:p@h:5/app?dbname=x");
        assert_eq!(with_database("postgres://h", "x"), "postgres://h?dbname=x");
        assert_eq!(
            with_database("postgresql://postgres@localhost/postgres?host=/tmp&port=5432", "x"),
            "postgresql://postgres@localhost/postgres?host=/tmp&port=5432&dbname=x"
        );
        assert_eq!(
            with_database("host=/tmp dbname=app user=u", "tidemark_verify_1"),
            "host=/tmp dbname=app user=u dbname=tidemark_verify_1"
        );
        for s in [
            "postgres://u:p@h:5/app",
            "postgresql://postgres@localhost/postgres?host=/tmp&port=5432",
            "host=/tmp dbname=app user=u",
            "host=/tmp user=u",
        ] {
            let config: tokio_postgres::Config = with_database(s, "tidemark verify").parse().unwrap();
            assert_eq!(config.get_dbname(), Some("tidemark verify"), "{s}");
        }
    }

    #[test]
    fn errors_about_a_string_do_not_quote_it() {
        for s in ["postgres:/u:s3cret@h/db?sslmode=x", "host=h u:s3cret@h=1", "host=h x=1 'password=s3cret"] {
            let e = parse(s).unwrap_err().to_string();
            assert!(!e.contains("s3cret"), "{s}: {e}");
        }
        let e = parse("host=h colour=blue").unwrap_err().to_string();
        assert!(e.ends_with("unknown option `colour`"), "{e}");
    }

    #[test]
    fn connect_timeout_comes_from_the_string() {
        assert_eq!(connect_timeout("postgres://h/db?connect_timeout=2"), Duration::from_secs(2));
        assert_eq!(connect_timeout("POSTGRESQL://h/db?connect_timeout=3"), Duration::from_secs(3));
        assert_eq!(connect_timeout("host=h connect_timeout=4"), Duration::from_secs(4));
        assert_eq!(connect_timeout("host=h"), DEFAULT_CONNECT_TIMEOUT);
    }
}
