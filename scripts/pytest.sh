#!/usr/bin/env bash
# Run the venv's pytest with ARGS. pytest's exit status 5 ("no tests collected") counts as success
# outside CI (the suite may be empty while it is being written); under CI=true it is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python -m pytest "$@"
rc=$?
if [[ $rc -eq 5 ]]; then
    if [[ ${CI:-} =~ ^([Tt]rue|TRUE|1|yes)$ ]]; then
        echo "pytest.sh: ERROR: no tests collected by 'pytest $*' — under CI that is a failure" >&2
        exit 5
    fi
    echo "pytest.sh: WARNING: NO TESTS COLLECTED by 'pytest $*' — accepted outside CI only" >&2
    exit 0
fi
exit $rc
