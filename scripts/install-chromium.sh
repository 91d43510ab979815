#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium (never Playwright's own browser download).
set -euo pipefail
if [ -n "${MODELSEAL_CHROMIUM:-}" ] && [ -x "$MODELSEAL_CHROMIUM" ]; then exit 0; fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing the Debian package chromium" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "setup: Chromium is missing; run 'sudo apt-get install chromium' or set MODELSEAL_CHROMIUM" >&2
  exit 1
fi
