#!/usr/bin/env bash
# Makes sure the browser tests can run here: Debian's Chromium (/usr/bin/chromium) and
# playwright-core from the npm registry (pinned in bot/tests/browser/package-lock.json), which
# drives that Chromium — no browser download of its own. Installs with apt-get and npm where
# missing; idempotent, so the browser test calls it before every run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  apt-get install -y -qq "$@" >/dev/null
}

command -v chromium >/dev/null || apt_install chromium
# Korean glyphs, so screenshots show the pages as people read them.
fc-list 2>/dev/null | grep -qi nanum || apt_install fonts-nanum
# Emoji too (✅ ❌ 🎉 in alerts), as phones show them.
fc-list 2>/dev/null | grep -qi emoji || apt_install fonts-noto-color-emoji
command -v node >/dev/null || apt_install nodejs npm

cd "$root/bot/tests/browser"
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "browser: $(chromium --version 2>/dev/null | head -n 1), playwright-core $(node -p "require('./node_modules/playwright-core/package.json').version")"
