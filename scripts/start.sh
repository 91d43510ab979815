#!/usr/bin/env bash
# The one command for a fresh machine: install, build the dashboard, then start the platform
# (embedded PostgreSQL, migrations, a worker and the web app) with a seeded demo project.
# Arguments go to the platform, e.g. ./scripts/start.sh --port 8080 --host 0.0.0.0
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NEXT_TELEMETRY_DISABLED=1
echo "start: building the dashboard" >&2
pnpm --silent build:web >/dev/null
exec pnpm --silent platform --demo "$@"
