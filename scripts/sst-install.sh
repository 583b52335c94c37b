#!/usr/bin/env bash
# Installs SST's platform (.sst/platform: Pulumi, the AWS provider's JS, config.d.ts) for the installed `sst`
# version, so tsc can check sst.config.ts + stacks/ and test/infra/ can run them under Pulumi mocks.
# Cached: does nothing when .sst/platform already matches. Offline-safe: only the npm registry is used
# (without these variables SST tries to download bun/Pulumi from the internet). About a minute, 320 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(node -p 'require("./node_modules/sst/package.json").version')
have=$(cat .sst/platform/version 2>/dev/null || true)
if [[ -f .sst/platform/config.d.ts && "$have" == "$want" ]]; then
  exit 0
fi

echo "sst-install: installing the SST $want platform into .sst/platform (once, about a minute)..."
start=$SECONDS
SST_NO_BUN=1 SST_SKIP_DEPENDENCY_CHECK=1 SST_TELEMETRY_DISABLED=1 \
  npx --no-install sst install --stage "${SST_INSTALL_STAGE:-local}"
if [[ ! -f .sst/platform/config.d.ts ]]; then
  echo "sst-install: sst install finished but .sst/platform/config.d.ts is missing" >&2
  exit 1
fi
echo "sst-install: done in $((SECONDS - start)) s"
