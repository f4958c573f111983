#!/usr/bin/env bash
# Run an ecosystem's own migration runner against a migrations directory.
#
#   run.sh drizzle     MIGRATIONS_DIR DATABASE_URL  # drizzle-kit migrate
#   run.sh drizzle-orm MIGRATIONS_DIR DATABASE_URL  # drizzle-orm migrate() only
#   run.sh prisma      MIGRATIONS_DIR DATABASE_URL  # prisma migrate deploy
#
# Installs tests/runners/node_modules from package-lock.json when missing or
# stale (npm ci --ignore-scripts, serialised with flock), writes the runner's
# config into a temp dir (never into MIGRATIONS_DIR), runs the runner, prints
# its output, and exits with the runner's exit status.
#
# Optional environment:
#   TIDEMARK_DRIZZLE_TABLE   migrations table  (default __drizzle_migrations)
#   TIDEMARK_DRIZZLE_SCHEMA  migrations schema (default drizzle)
#   TIDEMARK_PRISMA_EXEC     native (default) | adapter -- see NOTES.md
set -euo pipefail

RUNNERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "run.sh: $*" >&2; exit 2; }

[ $# -eq 3 ] || die "usage: run.sh drizzle|drizzle-orm|prisma MIGRATIONS_DIR DATABASE_URL"
RUNNER=$1
[ -d "$2" ] || die "migrations directory not found: $2"
MIGRATIONS_DIR="$(cd "$2" && pwd)"
DATABASE_URL=$3

ensure_deps() {
  command -v node >/dev/null || die "node not found on PATH"
  command -v npm >/dev/null || die "npm not found on PATH"
  local want stamp="$RUNNERS_DIR/node_modules/.tidemark-lock.sha256"
  want="$(sha256sum "$RUNNERS_DIR/package-lock.json" | cut -d' ' -f1)"
  [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && return 0
  (
    # Parallel test processes may call run.sh at once: install only once.
    flock 9
    [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && exit 0
    local log
    log="$(mktemp)"
    # --ignore-scripts: @prisma/engines' postinstall would try to download
    # native engines from outside the npm registry; nothing here needs it
    # (esbuild's binary comes from its @esbuild/<platform> package).
    if ! (cd "$RUNNERS_DIR" && npm ci --ignore-scripts --no-audit --no-fund \
            --loglevel=error >"$log" 2>&1); then
      cat "$log" >&2; rm -f "$log"
      die "npm ci failed in $RUNNERS_DIR"
    fi
    rm -f "$log"
    echo "$want" >"$stamp"
  ) 9>"$RUNNERS_DIR/.install.lock"
}

TMP="$(mktemp -d "${TMPDIR:-/tmp}/tidemark-runner.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

ON_FAILURE=
run_logged() {
  # Run "$@" and print its combined output. On failure print it to stderr,
  # run $ON_FAILURE (if set) and exit with the runner's status.
  local rc=0
  "$@" >"$TMP/out.log" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    cat "$TMP/out.log" >&2
    echo >&2
    [ -n "$ON_FAILURE" ] && $ON_FAILURE >&2 || true
    echo "run.sh: $RUNNER runner failed (exit $rc)" >&2
    exit $rc
  fi
  cat "$TMP/out.log"
  echo
}

drizzle_orm_migrate() {
  node "$RUNNERS_DIR/drizzle-orm-migrate.cjs" "$MIGRATIONS_DIR" "$DATABASE_URL"
}

drizzle_replay() {
  # drizzle-kit 0.31.10+ exits 1 without printing the database error. Its
  # migrate ran all pending migrations in ONE transaction, which was rolled
  # back, so replaying them through the same drizzle-orm migrator is safe and
  # shows the error.
  echo "--- drizzle-kit printed no error; replaying with drizzle-orm migrate() to show it:"
  drizzle_orm_migrate 2>&1 || true
}

export TIDEMARK_RUNNERS_DIR="$RUNNERS_DIR"
export TIDEMARK_MIGRATIONS_DIR="$MIGRATIONS_DIR"
export TIDEMARK_DATABASE_URL="$DATABASE_URL"

case "$RUNNER" in
  drizzle)
    ensure_deps
    cat >"$TMP/drizzle.config.js" <<'EOF'
// Written by tests/runners/run.sh; values come from the environment.
module.exports = {
  dialect: "postgresql",
  out: process.env.TIDEMARK_MIGRATIONS_DIR,
  dbCredentials: { url: process.env.TIDEMARK_DATABASE_URL },
  migrations: {
    table: process.env.TIDEMARK_DRIZZLE_TABLE || "__drizzle_migrations",
    schema: process.env.TIDEMARK_DRIZZLE_SCHEMA || "drizzle",
  },
};
EOF
    cd "$TMP"
    ON_FAILURE=drizzle_replay
    run_logged node "$RUNNERS_DIR/node_modules/drizzle-kit/bin.cjs" migrate \
      --config "$TMP/drizzle.config.js"
    ;;

  drizzle-orm)
    ensure_deps
    cd "$TMP"
    run_logged drizzle_orm_migrate
    ;;

  prisma)
    ensure_deps
    # Prisma 6.19 requires a url in the datasource block (it is ignored when a
    # driver adapter is configured) and a generator with engineType "client",
    # otherwise the CLI tries to download the native query engine library.
    cat >"$TMP/schema.prisma" <<'EOF'
generator client {
  provider   = "prisma-client-js"
  engineType = "client"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
EOF
    cat >"$TMP/prisma.config.mjs" <<'EOF'
// Written by tests/runners/run.sh; values come from the environment.
// Uses Prisma's JS/Wasm schema engine through @prisma/adapter-pg, because the
// native schema-engine binary cannot be downloaded here (see NOTES.md).
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(path.join(process.env.TIDEMARK_RUNNERS_DIR, "package.json"));
const { defineConfig } = require("prisma/config");
const { PrismaPg } = require("@prisma/adapter-pg");

const url = new URL(process.env.TIDEMARK_DATABASE_URL);
const schema = url.searchParams.get("schema");
url.searchParams.delete("schema");

// One connection, like the native engine (the adapter otherwise uses a pool).
const poolConfig = { connectionString: url.toString(), max: 1, allowExitOnIdle: true };
if (schema) poolConfig.options = `-c search_path="${schema.replace(/"/g, '""')}"`;

const execMode = process.env.TIDEMARK_PRISMA_EXEC || "native";

function adapterFactory() {
  const factory = new PrismaPg(poolConfig, schema ? { schema } : undefined);
  if (execMode === "native") {
    const connect = factory.connect.bind(factory);
    factory.connect = async () => {
      const adapter = await connect();
      // The native schema engine sends each migration.sql as ONE simple-query
      // message (tokio_postgres simple_query), which PostgreSQL runs as one
      // implicit transaction. @prisma/adapter-pg's executeScript instead
      // splits on every ';' and runs the pieces one by one. Restore the
      // native behaviour.
      adapter.executeScript = async function (script) {
        try {
          await this.client.query(script);
        } catch (e) {
          this.onError(e);
        }
      };
      return adapter;
    };
  } else if (execMode !== "adapter") {
    throw new Error(`TIDEMARK_PRISMA_EXEC must be native or adapter, got ${execMode}`);
  }
  return factory;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => adapterFactory(),
  schema: path.join(path.dirname(new URL(import.meta.url).pathname), "schema.prisma"),
  migrations: { path: process.env.TIDEMARK_MIGRATIONS_DIR },
});
EOF
    cd "$TMP"
    DATABASE_URL="$DATABASE_URL" CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 \
      run_logged node "$RUNNERS_DIR/node_modules/prisma/build/index.js" migrate deploy \
      --config "$TMP/prisma.config.mjs"
    ;;

  *)
    die "unknown runner '$RUNNER' (expected drizzle, drizzle-orm or prisma)"
    ;;
esac
