#!/usr/bin/env bash
# `npm test`: types, unit and database tests, then the browser tests. Database tests use the embedded
# PGlite by default, and the Postgres at DATABASE_URL when it is set (.ci/run does both).
set -euo pipefail
cd "$(dirname "$0")/.."

# TANDEM_TEST_SECOND_PASS=1 (.ci/run's Postgres pass, on the tree the first pass just checked): the static
# checks and the production build are not repeated, and vitest runs the tests that reach a database (or
# start the CLI, which may), since the others do not depend on DATABASE_URL.
second_pass="${TANDEM_TEST_SECOND_PASS:-}"

if [ -z "$second_pass" ]; then
  echo "== typecheck"
  npx tsc --noEmit -p .

  echo "== lint (eslint.config.mjs: strict type-checked, workflow determinism, import boundaries)"
  npx eslint . --max-warnings 0
fi

if [ -n "${DATABASE_URL:-}" ]; then
  echo "== unit and database tests (Postgres at ${DATABASE_URL%%\?*})"
else
  echo "== unit and database tests (embedded PGlite)"
fi
if [ -n "$second_pass" ]; then
  mapfile -t db_tests < <(grep -rlE --include='*.test.ts' 'openTestDatabase|db/testing|DATABASE_URL|demo-project|PGlite|pglite|openDatabase|cli/main|spawn' server db cli workflows | sort)
  echo "   ${#db_tests[@]} test files reach a database or start the CLI"
  npx vitest run "${db_tests[@]}"
else
  npx vitest run
fi

if [ ! -x /usr/bin/chromium ]; then
  # Playwright cannot download browsers here; the tests use Debian's chromium.
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing Debian's chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    echo "The browser tests need /usr/bin/chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

if [ -n "$second_pass" ] && [ -f .next/BUILD_ID ]; then
  echo "== production build: the first pass's (.next/BUILD_ID $(cat .next/BUILD_ID))"
else
  echo "== production build (the browser tests run on it, as users do: tandem serve)"
  NEXT_TELEMETRY_DISABLED=1 npx next build > /tmp/tandem-next-build.log 2>&1 || { cat /tmp/tandem-next-build.log; exit 1; }
fi

echo "== browser tests"
npx playwright test

echo "== browser tests with login on (e2e/auth)"
npx playwright test -c playwright.auth.config.ts
