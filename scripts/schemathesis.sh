#!/usr/bin/env bash
# Makes sure the contract test can run here: schemathesis from PyPI (pinned in
# bot/tests/contract/requirements.txt) in its own virtual environment under target/, so nothing
# is installed system-wide. Idempotent: the contract test calls it before every run and prints
# the path of the `st` command it should use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/target/schemathesis-venv"
requirements="$root/bot/tests/contract/requirements.txt"
stamp="$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)"

if [ ! -f "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  touch "$stamp"
fi
echo "$venv/bin/st"
