#!/usr/bin/env bash
# End-to-end tests in a real browser: builds the dashboard, then Playwright starts the platform
# with the README's command and drives it through Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-chromium.sh
export NEXT_TELEMETRY_DISABLED=1
echo "== build dashboard" >&2
pnpm --silent build:web >/dev/null
echo "== end-to-end tests" >&2
mkdir -p out
pnpm exec playwright test --config test/playwright.config.ts "$@"
