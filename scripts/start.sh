#!/usr/bin/env bash
# The one command for a fresh machine: install, then run ModelSeal's main job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec pnpm --silent demo "$@"
