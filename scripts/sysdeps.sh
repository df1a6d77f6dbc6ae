#!/usr/bin/env bash
# Install missing Debian packages the tests need.
#
#   scripts/sysdeps.sh [--optional] PACKAGE...
#
# Checks each package with `dpkg -s`; when some are missing and we are root, runs `apt-get update`
# once and `apt-get install -y` for just those. When we cannot install them (not root, no apt):
# under CI (CI=true) that is an error, otherwise a warning; with --optional always a warning.
set -euo pipefail

optional=""
if [[ ${1:-} == --optional ]]; then
    optional=1
    shift
fi

in_ci() { [[ ${CI:-} =~ ^([Tt]rue|TRUE|1|yes)$ ]]; }

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing=()
if command -v dpkg >/dev/null; then
    for pkg in "$@"; do
        installed "$pkg" || missing+=("$pkg")
    done
else
    missing=("$@")
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "sysdeps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}"
    exit 0
fi

msg="missing system packages: ${missing[*]} (as root: apt-get update && apt-get install -y ${missing[*]})"
if in_ci && [[ -z $optional ]]; then
    echo "sysdeps: ERROR: $msg" >&2
    exit 1
fi
echo "sysdeps: WARNING: $msg; the steps that need them will be skipped" >&2
