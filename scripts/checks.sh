#!/usr/bin/env bash
# Sourced by the check scripts (kernel-ci.sh, export-ci.sh): `check NAME COMMAND...` runs one check, prints
# "<prefix>: ok|FAIL  NAME (T s)" and counts it in $passed / $failed; `checks_summary LABEL` prints the closing line
# "LABEL checks: N passed, N failed" that scripts/test.sh reads, and fails when any check did.
passed=0 failed=0
check() { # name, command...
  local name="$1"; shift
  local start=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "$CHECK_PREFIX: ok    $name ($((SECONDS - start)) s)"
  else failed=$((failed + 1)); echo "$CHECK_PREFIX: FAIL  $name ($((SECONDS - start)) s)" >&2; fi
}
checks_summary() { echo "$1 checks: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; }
