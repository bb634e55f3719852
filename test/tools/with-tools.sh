#!/usr/bin/env bash
# Runs a command with the tools from ensure-tools.sh (Node 24 first on PATH, code-server, Chromium).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools_env="$(bash "$here/ensure-tools.sh")"
eval "$tools_env"
exec "$@"
