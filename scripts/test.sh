#!/usr/bin/env bash
# The test command: builds the solution and runs every test project (library, runner, notebooks at the smoke
# profile). Prints one closing line "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test VaeLab.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# dotnet test prints one "Passed!/Failed!  - Failed: a, Passed: b, Skipped: c, Total: d" line per test assembly.
read -r passed failed skipped < <(awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ { f+=$2; p+=$4; s+=$6 } END { printf "%d %d %d\n", p, f, s }' "$log")
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $rc before reporting failures (build error or crashed test host; see above)." >&2
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
