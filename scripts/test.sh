#!/usr/bin/env bash
# The one command that runs every check: install, lint, type-check, all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== lint" >&2
pnpm --silent lint
echo "== typecheck" >&2
pnpm exec turbo run typecheck --output-logs=errors-only
echo "== tests" >&2
mkdir -p out
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=out/test-results.json || status=$?
# A plain closing line that any CI log reader understands.
node -e '
const r = JSON.parse(require("fs").readFileSync("out/test-results.json", "utf8"));
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
