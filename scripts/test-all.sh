#!/usr/bin/env bash
# `npm test`: types, unit and database tests, then the browser tests. Database tests use the embedded
# PGlite by default, and the Postgres at DATABASE_URL when it is set (.ci/run does both).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== typecheck"
npx tsc --noEmit -p .

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== unit and database tests (Postgres at ${DATABASE_URL%%\?*})"
else
  echo "== unit and database tests (embedded PGlite)"
fi
npx vitest run

echo "== browser tests"
npx playwright test
