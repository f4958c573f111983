//! Benchmarks of the pure pipeline on a generated schema: parse (the DDL interpreter), diff and
//! plan. Run with `cargo bench`; the comparison with other tools on `../shared/bench` schemas
//! is in the notes, measured with real servers.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::fmt::Write;
use tidemark::source::parse::{parse_files, ParseOptions, SqlFile};

/// A schema of `n` tables shaped like an application's: ids, foreign keys, checks, defaults,
/// indexes, an enum. `variant` changes a few things.
fn schema(n: usize, variant: bool) -> String {
    let mut s = String::from("CREATE TYPE state AS ENUM ('new', 'active', 'closed');\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "CREATE TABLE t{i} (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                parent_id bigint{fk},
                name varchar({len}) NOT NULL,
                state state NOT NULL DEFAULT 'new',
                amount numeric(12,2) DEFAULT 0 CHECK (amount >= 0),
                created_at timestamptz NOT NULL DEFAULT now(),
                tags text[] DEFAULT '{{}}',
                UNIQUE (parent_id, name)
            );
            CREATE INDEX t{i}_created ON t{i} (created_at){extra};",
            fk = if i > 0 { format!(" REFERENCES t{}", i - 1) } else { String::new() },
            len = if variant && i % 10 == 0 { 200 } else { 100 },
            extra = if variant && i % 7 == 0 {
                format!(";\nCREATE INDEX t{i}_lower ON t{i} (lower(name))")
            } else {
                String::new()
            },
        );
    }
    s
}

fn parse(sql: &str) -> tidemark::model::Catalog {
    parse_files(&[SqlFile { name: "bench.sql".into(), text: sql.to_string() }], &ParseOptions::default())
        .expect("the generated schema parses")
        .catalog
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for n in [100usize, 1000] {
        let (a, b) = (schema(n, false), schema(n, true));
        group.bench_with_input(BenchmarkId::new("parse", n), &a, |bench, sql| bench.iter(|| parse(sql)));
        let (ca, cb) = (parse(&a), parse(&b));
        group.bench_with_input(BenchmarkId::new("diff+plan", n), &(ca, cb), |bench, (ca, cb)| {
            bench.iter(|| {
                let changes = tidemark::diff::diff(ca, cb, &Default::default());
                tidemark::plan::plan(&changes, ca, cb).expect("plans")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
