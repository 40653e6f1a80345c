#!/usr/bin/env bash
# Validates what deploys the service, offline: every Kubernetes manifest in k8s/ against the
# Kubernetes schema (kubernetes-validate ships the schemas; strict, so unknown fields fail),
# and the CI workflow against GitHub's workflow schema (vendored by check-jsonschema). The
# tools are pinned and installed into a virtualenv under target/ on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/target/deploy-tools"

if [ ! -x "$venv/bin/kubernetes-validate" ] || [ ! -x "$venv/bin/check-jsonschema" ]; then
  python3 -m venv "$venv" 2>/dev/null || {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==1.37.0" "check-jsonschema==0.39.0"
fi

cd "$root"
manifests=$(ls k8s/*.yaml | grep -v kustomization.yaml)
# shellcheck disable=SC2086
"$venv/bin/kubernetes-validate" --strict --quiet $manifests
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
echo "deploy: $(echo "$manifests" | wc -l) manifests and the CI workflow are valid"
