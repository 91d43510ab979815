#!/usr/bin/env bash
# Installs everything ModelSeal needs on a fresh Debian machine with Node 20:
# pnpm, the workspace's npm packages and the Fashion-MNIST data set.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION" >&2
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

if [ ! -d /usr/share/datasets/fashion-mnist ] && [ -z "${MODELSEAL_FASHION_MNIST_DIR:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing the Debian package dataset-fashion-mnist" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "setup: Fashion-MNIST is missing; run 'sudo apt-get install dataset-fashion-mnist' or set MODELSEAL_FASHION_MNIST_DIR" >&2
  fi
fi

echo "setup: installing npm packages" >&2
pnpm install --frozen-lockfile --reporter=silent
# pnpm skips lifecycle scripts when node_modules is already up to date; the Prisma
# client must still match prisma/schema.prisma (generation is offline).
pnpm --silent --filter @modelseal/db generate >/dev/null
