//! The command line's contract: exit codes, diagnostics with positions, refusal of data loss,
//! byte-stable output. These run the built binary on files (no server needed).

use std::path::PathBuf;
use std::process::Command;

fn tidemark(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tidemark")).args(args).current_dir(root()).output().expect("runs");
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
    assert!(err.contains("unsupported.sql:2:1: error: unsupported statement: CREATE RULE"), "{err}");
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
