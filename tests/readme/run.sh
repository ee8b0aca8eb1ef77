#!/usr/bin/env bash
# run.sh: `make readme-test`: runs every command that README.md, examples/serve/README.md and
# the other READMEs show, in a scratch copy of the tree, and checks their exit status and the
# output they show. readme_test.py does the work; its header says what counts as a command,
# how each one runs, and lists (in NOT_RUN) those it does not run, with the reason.
#
# usage: tests/readme/run.sh [-v] [--list] [README...]
# Environment: README_TEST_KEEP=1 keeps the scratch copy. Needs python3, git, and what the
# commands themselves need (scripts/deps.sh installs it all).
set -euo pipefail
exec python3 "$(dirname "$0")/readme_test.py" "$@"
