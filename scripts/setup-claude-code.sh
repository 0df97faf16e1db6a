#!/usr/bin/env bash
# Installs the real Claude Code CLI the tests drive against the fake Anthropic API, once, into a
# cache folder outside the repository (beside code-server, see scripts/setup-test-vscode.sh).
# The version is pinned: a new Claude Code writes new transcript shapes, and the fixtures in
# test/fixtures/claudeCode/real-<version>/ say which one they reproduce. Idempotent and quiet when
# already there. Prints the path of the `claude` binary on its last line.
set -euo pipefail

CACHE="${SESSION_LEDGER_TEST_CACHE:-$HOME/.cache/session-ledger-test}"
CLAUDE_CODE_VERSION="2.1.328"
DIR="$CACHE/claude-code"
BIN="$DIR/node_modules/.bin/claude"

log() { echo "[setup] $*" >&2; }
# Runs a command without the npm_* variables of an npm that started this script (`npm test`):
# an inner npm reads them as its own config (npm_config_local_prefix would redirect the install).
without_outer_npm() {
  local drop=() v
  for v in $(compgen -e); do case "$v" in npm_*|NPM_*) drop+=(-u "$v") ;; esac; done
  env "${drop[@]}" "$@"
}

installed_version() { "$BIN" --version 2>/dev/null | awk '{print $1}'; }

if [ ! -x "$BIN" ] || [ "$(cat "$DIR/.version" 2>/dev/null)" != "$CLAUDE_CODE_VERSION" ]; then
  log "installing Claude Code $CLAUDE_CODE_VERSION (npm @anthropic-ai/claude-code, native binary ~370 MB)"
  rm -rf "$DIR"; mkdir -p "$DIR"
  (cd "$DIR" && echo '{"private":true}' > package.json \
    && without_outer_npm npm install --no-audit --no-fund --loglevel=error \
       "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" >&2)
  # The native binary comes as an optional dependency; an install that skipped it leaves a
  # launcher that cannot run. Check before recording the version.
  if [ "$(installed_version)" != "$CLAUDE_CODE_VERSION" ]; then
    log "Claude Code $CLAUDE_CODE_VERSION did not install: '$BIN --version' printed '$("$BIN" --version 2>&1 | head -1)'."
    log "Check that npm can reach the registry and installs optional dependencies (--include=optional), then rerun $0."
    exit 1
  fi
  echo "$CLAUDE_CODE_VERSION" > "$DIR/.version"
fi
echo "$BIN"
