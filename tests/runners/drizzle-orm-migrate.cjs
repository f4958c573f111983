// Apply a Drizzle migrations folder with drizzle-orm's own migrator, exactly
// as `drizzle-kit migrate` does for the `pg` driver (drizzle-kit 0.31.x:
// new pg.Pool({ connectionString, max: 1 }) -> drizzle(pool) ->
// migrate(db, { migrationsFolder, migrationsTable, migrationsSchema })),
// but printing the error, which drizzle-kit 0.31.10/0.31.11 swallow.
//
// Usage: node drizzle-orm-migrate.cjs MIGRATIONS_DIR DATABASE_URL
// Env:   TIDEMARK_DRIZZLE_TABLE, TIDEMARK_DRIZZLE_SCHEMA (optional)
"use strict";
const pg = require("pg");
const { drizzle } = require("drizzle-orm/node-postgres");
const { migrate } = require("drizzle-orm/node-postgres/migrator");

async function main() {
  const [migrationsFolder, url] = process.argv.slice(2);
  if (!migrationsFolder || !url) {
    console.error("usage: node drizzle-orm-migrate.cjs MIGRATIONS_DIR DATABASE_URL");
    process.exit(2);
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    await migrate(drizzle(pool), {
      migrationsFolder,
      migrationsTable: process.env.TIDEMARK_DRIZZLE_TABLE || "__drizzle_migrations",
      migrationsSchema: process.env.TIDEMARK_DRIZZLE_SCHEMA || "drizzle",
    });
    console.log("drizzle-orm migrate(): migrations applied successfully");
  } finally {
    await pool.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
