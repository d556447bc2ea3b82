#!/usr/bin/env bash
# Runs a test command and fails unless it passed AND ran at least one test:
# a runner that finds nothing to run must not look like a green step.
# usage: tools/run-counted.sh cargo|node -- COMMAND...
set -uo pipefail
kind=$1; shift
[ "${1:-}" = "--" ] && shift
log=$(mktemp)
"$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then rm -f "$log"; exit "$rc"; fi
case "$kind" in
  cargo) n=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}') ;;
  node)  n=$(grep -Eo '^(# |ℹ )pass [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}') ;;
  *) echo "run-counted: unknown kind $kind" >&2; exit 2 ;;
esac
rm -f "$log"
echo "run-counted: $n tests passed in: $*"
[ "$n" -gt 0 ] || { echo "run-counted: no test ran" >&2; exit 1; }
