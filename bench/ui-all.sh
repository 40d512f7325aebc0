#!/usr/bin/env bash
# npm run bench:ui — every page figure on one production build: the studio (bench/ui.bench.ts), the
# operations console, the lineage graph, the quality and health pages, and the dashboards. Each part
# starts its own `tandem dev --prod` on a fresh data folder; BENCH_SKIP_BUILD=1 reuses the current .next.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
  echo "next build (BENCH_SKIP_BUILD=1 reuses the current .next)"
  NEXT_TELEMETRY_DISABLED=1 npx next build > /tmp/tandem-bench-build.log 2>&1 || { cat /tmp/tandem-bench-build.log; exit 1; }
fi
status=0
for part in ui ui-console ui-lineage ui-dashboards; do
  [ -f "bench/$part.bench.ts" ] || continue
  echo "===== bench/$part.bench.ts"
  BENCH_SKIP_BUILD=1 npx tsx "bench/$part.bench.ts" || status=1
done
exit $status
