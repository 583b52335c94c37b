#!/usr/bin/env bash
# Debian packages the tests use: the AWS CLI (tests drive the local cloud with it) and Chromium (browser tests).
# kubectl ships with the machine image; tests that need it say so and skip when it is absent.
set -euo pipefail
missing=()
command -v aws >/dev/null 2>&1 || missing+=(awscli)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
