#!/usr/bin/env bash
# The one command that runs every check: install, lint, type-check, all unit and integration
# tests (vitest), then the end-to-end tests in a real browser (Playwright + Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/install-chromium.sh

echo "== lint" >&2
pnpm --silent lint
echo "== typecheck" >&2
pnpm exec turbo run typecheck --output-logs=errors-only
echo "== tests" >&2
mkdir -p out
rm -f out/test-results.json out/e2e-results.json
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=out/test-results.json || status=$?
bash scripts/test-e2e.sh || status=$?
# A plain closing line that any CI log reader understands.
node -e '
const fs = require("fs");
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return undefined; } };
const unit = read("out/test-results.json");
const e2e = read("out/e2e-results.json");
let passed = 0, failed = 0, skipped = 0;
if (unit) { passed += unit.numPassedTests; failed += unit.numFailedTests; skipped += unit.numPendingTests + unit.numTodoTests; }
if (e2e) { passed += e2e.stats.expected; failed += e2e.stats.unexpected + e2e.stats.flaky; skipped += e2e.stats.skipped; }
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped` + (e2e ? ` (end-to-end: ${e2e.stats.expected} passed, ${e2e.stats.unexpected} failed)` : " (end-to-end: did not run)"));
' || true
exit "$status"
