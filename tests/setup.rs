//! `scripts/setup --detect-only` against fake roots: what a fresh machine lacks is asked for by
//! the library the build really loads (libclang itself, not libclang-cpp), and the server,
//! client and contrib of PostgreSQL.

use std::path::Path;
use std::process::Command;

fn detect(root: &Path) -> Vec<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup");
    let out = Command::new("bash")
        .arg(&script)
        .arg("--detect-only")
        .env("SETUP_ROOT", root)
        .env_remove("LIBCLANG_PATH")
        .output()
        .expect("bash runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect()
}

fn touch(root: &Path, rel: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, b"").unwrap();
}

fn fake_root(files: &[&str]) -> std::path::PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tidemark-setup-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in files {
        touch(&dir, f);
    }
    dir
}

const POSTGRES: [&str; 3] =
    ["usr/lib/postgresql/15/bin/initdb", "usr/bin/psql", "usr/share/postgresql/15/extension/pgcrypto.control"];

#[test]
fn libclang_cpp_alone_is_not_libclang() {
    let root = fake_root(&[
        "usr/lib/x86_64-linux-gnu/libclang-cpp.so.14",
        "usr/lib/llvm-14/lib/libclang-cpp.so.14",
        "usr/lib/llvm-14/lib/libclang_rt.asan-x86_64.a",
        POSTGRES[0],
        POSTGRES[1],
        POSTGRES[2],
    ]);
    assert_eq!(detect(&root), ["libclang-dev"]);
}

#[test]
fn libclang_itself_is_enough() {
    for lib in [
        "usr/lib/llvm-14/lib/libclang.so.1",
        "usr/lib/x86_64-linux-gnu/libclang-14.so.1",
        "usr/lib/llvm-16/lib/libclang.so",
    ] {
        let root =
            fake_root(&[lib, "usr/lib/x86_64-linux-gnu/libclang-cpp.so.14", POSTGRES[0], POSTGRES[1], POSTGRES[2]]);
        assert_eq!(detect(&root), Vec::<String>::new(), "{lib}");
    }
}

#[test]
fn an_empty_machine_needs_everything() {
    let root = fake_root(&[]);
    assert_eq!(detect(&root), ["libclang-dev", "postgresql", "postgresql-client", "postgresql-contrib"]);
}

#[test]
fn a_client_without_server_asks_for_the_server() {
    let root = fake_root(&["usr/lib/llvm-14/lib/libclang.so.1", "usr/bin/psql"]);
    assert_eq!(detect(&root), ["postgresql", "postgresql-contrib"]);
}
