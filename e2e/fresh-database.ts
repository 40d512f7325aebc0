// Usage: tsx e2e/fresh-database.ts <database name>
// With DATABASE_URL set, (re)creates an empty database of that name on the same server, so a browser-test
// run starts from a fresh catalog (the demo is seeded, `/` opens it) as it does on the embedded default.
import pg from "pg";

const url = process.env.DATABASE_URL;
const name = process.argv[2];
if (url && name) {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a safe database name: ${name}`);
  // DATABASE_URL may already name the database to recreate: connect to the maintenance database instead.
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
}
