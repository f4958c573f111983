//! The command line's contract: exit codes, diagnostics with positions, refusal of data loss,
//! byte-stable output. These run the built binary on files (no server needed).

use std::path::PathBuf;
use std::process::Command;

fn tidemark(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(args)
        .current_dir(root())
        .env_remove("DATABASE_URL")
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

const COLUMNS: &str = "fixtures/diff/column/changes";

#[test]
fn syntax_error_names_file_line_column_and_statement() {
    let (code, _, err) = tidemark(&["diff", "--from", "tests/cli/bad_syntax.sql", "--to", "tests/cli/bad_syntax.sql"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("tests/cli/bad_syntax.sql:4:12: error: syntax error at or near \",\""), "{err}");
    assert!(err.contains("| CREATE TABLE broken ("), "the statement is shown: {err}");
}

#[test]
fn unsupported_statement_is_named_not_skipped() {
    let (code, out, err) =
        tidemark(&["diff", "--from", "tests/cli/unsupported.sql", "--to", "tests/cli/unsupported.sql"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("unsupported.sql:2:1: error: unsupported statement: CREATE PUBLICATION"), "{err}");
}

#[test]
fn data_loss_is_refused_unless_allowed() {
    let from = format!("{COLUMNS}/from.sql");
    let to = format!("{COLUMNS}/to.sql");
    let (code, out, err) = tidemark(&["diff", "--from", &from, "--to", &to]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "nothing is printed when refused");
    assert!(err.contains("ALTER TABLE public.items DROP COLUMN obsolete;"), "the lossy statements are listed: {err}");
    let (code, out, _) = tidemark(&["diff", "--from", &from, "--to", &to, "--allow-data-loss"]);
    assert_eq!(code, 0);
    assert!(out.contains("DROP COLUMN obsolete;"));
}

#[test]
fn exit_code_reports_changes() {
    let (same, _, _) = tidemark(&["diff", "--from", "schema", "--to", "schema", "--exit-code"]);
    assert_eq!(same, 0);
    let (differ, _, _) = tidemark(&[
        "diff",
        "--from",
        &format!("{COLUMNS}/from.sql"),
        "--to",
        "schema",
        "--exit-code",
        "--allow-data-loss",
    ]);
    assert_eq!(differ, 1);
}

#[test]
fn output_is_byte_stable() {
    let args = ["diff", "--from", "fixtures/diff/table/create_drop/from.sql", "--to", "schema", "--allow-data-loss"];
    let first = tidemark(&args).1;
    assert!(!first.is_empty());
    for _ in 0..3 {
        assert_eq!(tidemark(&args).1, first);
    }
}

#[test]
fn missing_source_is_an_error() {
    let (code, _, err) = tidemark(&["diff", "--from", "no/such/dir", "--to", "schema"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read no/such/dir"), "{err}");
}

#[test]
fn password_is_not_printed() {
    let (code, _, err) = tidemark(&["diff", "--from", "postgres://app:s3cret@127.0.0.1:1/db", "--to", "schema"]);
    assert_eq!(code, 2);
    assert!(!err.contains("s3cret"), "{err}");
    assert!(err.contains("app:***@127.0.0.1:1"), "{err}");
}

/// Connection strings to a server that is not there (port 1 refuses), each holding a secret
/// spelled with `s3cr`.
const SECRET_CONNECTION_STRINGS: &[&str] = &[
    "postgresql://app:s3cret@127.0.0.1:1/db",
    "POSTGRESQL://app:s3cret@127.0.0.1:1/db",
    "Postgres://app:s3cr%2Fet@127.0.0.1:1/db",
    "postgresql://app:s3cr/et?x#y@z@127.0.0.1:1/db",
    "postgresql://app@127.0.0.1:1/db?sslmode=disable&password=s3cret",
    "postgresql://app@127.0.0.1:1/db?password=s3cret",
    "host=127.0.0.1 port=1 user=app password=s3cret dbname=db",
    "host=127.0.0.1 port=1 user=app password = 's3cr et' dbname=db",
    "host=127.0.0.1 port=1 user=app sslpassword=s3cret dbname=db",
];

/// Every command that takes a database, in every format it has, with `url` as the database.
fn commands_with_database(url: &str) -> Vec<Vec<String>> {
    let v = |args: &[&str]| args.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let mut commands = vec![
        v(&["diff", "--from", url, "--to", "schema"]),
        v(&["diff", "--from", "schema", "--to", url]),
        v(&["diff", "--from", "tests/cli/empty.sql", "--to", "schema", "--verify", "--dev-url", url]),
        v(&["apply", "--db", url]),
        v(&["status", "--db", url]),
        v(&["inspect", "--db", url, "--out", "target/tidemark-secret-test-never-written"]),
    ];
    for format in ["text", "json", "markdown", "github"] {
        commands.push(v(&["check", "--db", url, "--format", format]));
    }
    for format in ["text", "json", "markdown", "github", "sarif"] {
        commands.push(v(&["review", "migrations/0002_updated_at_triggers.sql", "--db", url, "--format", format]));
    }
    commands
}

#[test]
fn no_command_prints_a_password() {
    for url in SECRET_CONNECTION_STRINGS {
        for args in commands_with_database(url) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, out, err) = tidemark(&args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(!out.contains("s3cr") && !err.contains("s3cr"), "{args:?} printed the password:\n{out}\n{err}");
            assert!(err.contains("cannot connect to"), "{args:?} is taken for a database: {err}");
        }
    }
}

#[test]
fn keyword_value_strings_are_databases_not_files() {
    let (code, _, err) = tidemark(&["diff", "--from", "host=127.0.0.1 port=1 dbname=app user=me", "--to", "schema"]);
    assert_eq!(code, 2);
    assert!(!err.contains("cannot read"), "{err}");
    assert!(err.contains("cannot connect to host=127.0.0.1 port=1 dbname=app user=me"), "{err}");
}

/// A server that accepts connections and never says a word.
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn a_server_that_never_answers_times_out() {
    let port = silent_server();
    let url = format!("postgresql://app:s3cret@127.0.0.1:{port}/db?connect_timeout=2");
    let kv = format!("host=127.0.0.1 port={port} dbname=db connect_timeout=2");
    let commands = [
        vec!["diff", "--from", &url, "--to", "schema"],
        vec!["diff", "--from", &kv, "--to", "schema"],
        vec!["status", "--db", &url],
        vec!["check", "--db", &url],
        vec!["inspect", "--db", &kv, "--out", "target/tidemark-timeout-test-never-written"],
    ];
    let handles: Vec<_> = commands
        .iter()
        .map(|args| {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let (code, _, err) = tidemark(&args);
                (args.join(" "), code, err, started.elapsed())
            })
        })
        .collect();
    for h in handles {
        let (args, code, err, took) = h.join().unwrap();
        assert_eq!(code, 2, "{args}: {err}");
        assert!(err.contains("timed out after 2s"), "{args}: {err}");
        assert!(!err.contains("s3cret"), "{args}: {err}");
        assert!(took < std::time::Duration::from_secs(10), "{args} took {took:?}");
    }
}

#[test]
fn plpgsql_that_cannot_be_followed_is_named() {
    let (code, out, err) =
        tidemark(&["diff", "--from", "tests/cli/empty.sql", "--to", "tests/cli/unfollowed_plpgsql.sql"]);
    // What can be followed is modeled; the rest is named, with its position.
    assert!(out.contains("CREATE TABLE public.made_here"), "{out}");
    assert!(
        err.contains(
            "unfollowed_plpgsql.sql:2:1: warning: DO block: tidemark followed its DDL but not FOR ... IN query LOOP"
        ),
        "{err}"
    );
    assert!(err.contains("unfollowed_plpgsql.sql:10:1: warning: CALL somewhere.else: tidemark followed its DDL but not CALL somewhere.else, a procedure the files do not define"), "{err}");
    assert_eq!(code, 0, "warnings do not fail the command: {err}");
}

/// A scratch directory under the target directory, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = root().join("target").join(format!("tidemark-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn diff_from(from: &std::path::Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tidemark"))
        .args(["diff", "--from"])
        .arg(from)
        .args(["--to", "tests/cli/empty.sql", "--allow-data-loss"])
        .current_dir(root())
        .envs(env.iter().copied())
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn includes_stay_inside_the_project() {
    let dir = scratch("includes");
    let schema = dir.join("schema");
    // Inside the root, `..` included: followed.
    write(&schema.join("parts/t.inc"), "CREATE TABLE included (a int);\n");
    write(&schema.join("sub/a.sql"), "\\ir ../parts/t.inc\n");
    let (code, out, err) = diff_from(&schema, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DROP TABLE public.included"), "{out}");

    write(&dir.join("outside.inc"), "CREATE TABLE outside (a int);\n");
    std::os::unix::fs::symlink(dir.join("outside.inc"), schema.join("parts/link.inc")).unwrap();
    std::fs::create_dir_all(schema.join("parts/a_directory")).unwrap();
    let fifo = schema.join("parts/fifo.inc");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    std::fs::File::create(schema.join("parts/huge.inc")).unwrap().set_len(40 << 20).unwrap();
    for (include, why) in [
        ("\\i /proc/self/environ", "it is under /proc"),
        ("\\i /proc/self/cmdline", "it is under /proc"),
        ("\\i /sys/kernel/hostname", "under /sys"),
        ("\\i /dev/zero", "it is under /dev"),
        ("\\ir ../../outside.inc", "is outside"),
        ("\\ir ../parts/link.inc", "is outside"),
        ("\\ir ../parts/fifo.inc", "not a regular file"),
        ("\\ir ../parts/a_directory", "not a regular file"),
        ("\\ir ../parts/huge.inc", "larger than 32 MiB"),
    ] {
        write(&schema.join("sub/a.sql"), &format!("-- first\n{include}\n"));
        let (code, out, err) = diff_from(&schema, &[("TIDEMARK_TEST_SECRET", "s3cret-in-the-environment")]);
        assert_eq!(code, 2, "{include}: {err}");
        assert!(out.is_empty(), "{include}: {out}");
        let arg = include.split_whitespace().nth(1).unwrap();
        assert!(
            err.contains(&format!("sub/a.sql:2:1: error: {} {arg}: ", include.split(' ').next().unwrap())),
            "{include}: {err}"
        );
        assert!(err.contains(why), "{include}: {err}");
        assert!(!err.contains("s3cret") && !err.contains("outside (a int)"), "{include}: {err}");
    }

    // A single file: its directory is the root.
    write(&dir.join("single/one.sql"), "\\ir two.inc\n\\ir ../outside.inc\n");
    write(&dir.join("single/two.inc"), "CREATE TABLE two (a int);\n");
    let (code, _, err) = diff_from(&dir.join("single/one.sql"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("one.sql:2:1: error: \\ir ../outside.inc: refusing to include"), "{err}");
    assert!(!err.contains("two.inc"), "the sibling is read: {err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn files_that_are_not_text_say_where() {
    let dir = scratch("not-text");
    let file = dir.join("latin1.sql");
    std::fs::write(&file, b"CREATE TABLE a (x int);\nCOMMENT ON TABLE a IS 'caf\xe9';\n").unwrap();
    let (code, _, err) = diff_from(&file, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("latin1.sql:2:27: error: invalid UTF-8 (byte 0xe9)"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = scratch("bom");
    write(&dir.join("schema/a.sql"), "\u{feff}CREATE TABLE a (x int);\n");
    write(&dir.join("migrations/0001_a.sql"), "\u{feff}CREATE TABLE a (x int);\n");
    let (code, out, err) = diff_from(&dir.join("schema"), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("DROP TABLE public.a"), "{out}");
    let (code, out, err) = tidemark(&[
        "check",
        "--offline",
        "--schema",
        dir.join("schema").to_str().unwrap(),
        "--migrations",
        dir.join("migrations").to_str().unwrap(),
    ]);
    assert!(!err.contains("error") && !out.contains("syntax error"), "{out}\n{err}");
    assert!(out.contains("replaying the 1 migration gives the schema files"), "{out}\n{err}");
    assert!(code == 0 || code == 1, "{out}\n{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn psql_meta_commands_inside_statements_are_named() {
    let dir = scratch("meta");
    let file = dir.join("meta.sql");
    write(
        &file,
        "SELECT format('CREATE TABLE %I (a int)', 'b') \\gexec\nSELECT 1 \\g\nCREATE TABLE c (x int) \\; CREATE TABLE d (y int);\n",
    );
    let (code, _, err) = diff_from(&file, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("meta.sql:1:47: error: psql meta-command \\gexec is not supported"), "{err}");
    assert!(err.contains("meta.sql:2:10: error: psql meta-command \\g is not supported"), "{err}");
    assert!(err.contains("meta.sql:3:24: error: psql meta-command \\; is not supported"), "{err}");
    assert!(!err.contains("syntax error"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deep_nesting_is_named() {
    let dir = scratch("deep");
    for (name, depth) in [("deep.sql", 2_000), ("deeper.sql", 100_000)] {
        let file = dir.join(name);
        let nested = format!("{}1{}", "ARRAY[".repeat(depth), "]".repeat(depth));
        write(&file, &format!("CREATE TABLE t (a int[] DEFAULT {nested});\n"));
        let (code, _, err) = diff_from(&file, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("{name}:1:1: error: statement nested too deeply")), "{err}");
        assert!(err.len() < 1_000, "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn huge_files_are_refused() {
    let dir = scratch("huge");
    let file = dir.join("huge.sql");
    std::fs::File::create(&file).unwrap().set_len(50 << 20).unwrap();
    for from in [file.as_path(), std::path::Path::new("/dev/zero")] {
        let (code, _, err) = diff_from(from, &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(&format!("cannot read {}: larger than 32 MiB", from.display())), "{err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn review_of_a_file_that_does_not_parse_is_an_error_yet_judges_what_it_can() {
    let (code, out, err) =
        tidemark(&["review", "--migrations", "tests/cli/none", "--fail-on", "high", "tests/cli/review_bypass.sql"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("review_bypass.sql:1:23: error: syntax error"), "{err}");
    assert!(
        out.contains("DROP TABLE canary") && out.contains("data loss"),
        "the statement after the error is judged: {out}"
    );
    assert!(out.contains("high"), "{out}");
}

#[test]
fn names_reach_the_terminal_as_text_not_as_escape_sequences() {
    let (code, _, err) = tidemark(&["diff", "--from", "tests/cli/escape_name.sql", "--to", "tests/cli/empty.sql"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("x\\x1b[2Jy"), "the name is shown escaped: {err:?}");
    assert!(!err.contains('\u{1b}'), "no raw escape reaches stderr: {err:?}");
}

#[test]
fn psql_variables_come_from_var_and_set() {
    let dir = scratch("vars");
    let file = dir.join("vars.sql");
    write(
        &file,
        "\\set suffix '_log'\nCREATE SCHEMA :\"app_schema\";\nCREATE TABLE :\"app_schema\".events (kind text DEFAULT :'kind');\n\
         CREATE TABLE :\"app_schema\".events:suffix (id int);\nSELECT 1::int;\n",
    );
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_tidemark"))
            .args(["diff", "--from", "tests/cli/empty.sql", "--to"])
            .arg(&file)
            .args(extra)
            .current_dir(root())
            .output()
            .expect("runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["--var", "app_schema=My App", "--var", "kind=it's"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("CREATE SCHEMA \"My App\""), "{out}");
    assert!(out.contains("DEFAULT 'it''s'"), "{out}");
    assert!(out.contains("\"My App\".events_log"), "{out}");
    // An unset variable is an error naming it, at its statement.
    let (code, _, err) = run(&["--var", "app_schema=app"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("vars.sql:3:1: error: psql variable kind is not set: pass --var kind=VALUE"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// On a terminal, stdout (the plan shown, a report) escapes control characters in names but
/// keeps the reports' colours; piped, it is the exact SQL. (`script`, of util-linux, gives the
/// command a terminal.)
#[test]
fn stdout_on_a_terminal_shows_names_as_text() {
    let dir = scratch("tty");
    let file = dir.join("names.sql");
    write(&file, "CREATE TABLE \"x\u{1b}[2Jy\" (\"a\u{1b}]0;title\u{7}b\" int);\n");
    let bin = env!("CARGO_BIN_EXE_tidemark");
    let command = format!("{bin} diff --from tests/cli/empty.sql --to {}", file.display());
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .output()
        .expect("`script` (util-linux) runs the command on a terminal");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("x\\x1b[2Jy") && shown.contains("a\\x1b]0;title\\x07b"), "{shown:?}");
    assert!(!shown.contains("\u{1b}[2J") && !shown.contains("\u{1b}]0"), "{shown:?}");
    // Piped: the exact names.
    let (code, piped, err) = tidemark(&["diff", "--from", "tests/cli/empty.sql", "--to", &file.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert!(piped.contains("\"x\u{1b}[2Jy\""), "{piped:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Option and setting names from files (table, index and column options, a function's SET)
/// reach the SQL quoted: a name that
/// holds `) ; DROP ...` stays one option name of one statement.
#[test]
fn option_names_cannot_inject_statements() {
    let dir = scratch("options");
    let file = dir.join("options.sql");
    write(
        &file,
        "CREATE TABLE t (a int) WITH (\"fillfactor = 70) ; DROP TABLE important; --\" = 1);\n\
         ALTER TABLE t ALTER COLUMN a SET (\"n_distinct) ; DROP TABLE important; --\" = 1);\n\
         CREATE FUNCTION f() RETURNS int LANGUAGE sql SET \"work_mem TO 1; DROP TABLE important; --\" = '1' \
         AS 'select 1';\n",
    );
    let (code, out, err) = tidemark(&["diff", "--from", "tests/cli/empty.sql", "--to", &file.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("WITH (\"fillfactor = 70) ; DROP TABLE important; --\" = 1)"), "{out}");
    assert!(out.contains("SET (\"n_distinct) ; DROP TABLE important; --\" = 1)"), "{out}");
    use tidemark::source::parse::split::{pieces, Piece};
    let statements = pieces(&out).into_iter().filter(|p| matches!(p, Piece::Sql { .. })).count();
    assert!(out.contains("SET \"work_mem to 1; drop table important; --\" TO '1'"), "{out}");
    assert_eq!(statements, 4, "CREATE TABLE, ALTER COLUMN ... SET, SET check_function_bodies, CREATE FUNCTION: {out}");
    std::fs::remove_dir_all(&dir).unwrap();
}
