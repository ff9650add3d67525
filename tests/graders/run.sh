#!/bin/sh
# Runs the tests of the bundled graders (graders/run-command, graders/log-aggregate) and checks the
# layout of the hostile grader fixtures. Python 3 standard library only; exits non-zero on failure.
#   tests/graders/run.sh            all tests
#   tests/graders/run.sh -k number  only the tests whose name contains "number"
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "tests/graders/run.sh: $python is not installed" >&2
    exit 1
fi
cd "$here"
export PYTHONDONTWRITEBYTECODE=1  # leave no __pycache__ in the source tree
exec "$python" -m unittest test_graders "$@"
