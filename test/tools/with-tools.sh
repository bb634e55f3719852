#!/usr/bin/env bash
# Runs a command with the tools from ensure-tools.sh (Node 24 first on PATH, code-server, Chromium).
# `with-tools.sh --node-only CMD...` brings Node 24 alone.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode=()
if [ "${1:-}" = "--node-only" ]; then mode=(--node-only); shift; fi
tools_env="$(bash "$here/ensure-tools.sh" "${mode[@]}")"
eval "$tools_env"
exec "$@"
