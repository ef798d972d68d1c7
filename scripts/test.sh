#!/usr/bin/env bash
# The test command: builds the solution and runs every test project (library, runner, notebooks at the smoke
# profile), then, under CI or where Debian's jupyter is installed, the Jupyter kernel through nbconvert
# (scripts/kernel-ci.sh). Prints one closing line "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test VaeLab.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# dotnet test prints one "Passed!/Failed!  - Failed: a, Passed: b, Skipped: c, Total: d" line per test assembly.
read -r passed failed skipped < <(awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ { f+=$2; p+=$4; s+=$6 } END { printf "%d %d %d\n", p, f, s }' "$log")
# The Jupyter kernel through Jupyter's own client (scripts/kernel-ci.sh): under CI, or where Debian's jupyter is installed.
if [ "${CI:-}" = "true" ] || { [ -x /usr/bin/jupyter ] && /usr/bin/python3 -c 'import nbclient' 2>/dev/null; }; then
  klog=$(mktemp)
  scripts/kernel-ci.sh 2>&1 | tee "$klog"
  krc=${PIPESTATUS[0]}
  read -r kp kf < <(awk '/^kernel checks: [0-9]+ passed, [0-9]+ failed/ { print $3, $5 }' "$klog")
  rm -f "$klog"
  passed=$((passed + ${kp:-0})); failed=$((failed + ${kf:-0}))
  if [ "$krc" -ne 0 ]; then
    [ "${kf:-0}" -eq 0 ] && failed=$((failed + 1))
    [ "$rc" -eq 0 ] && rc=$krc
  fi
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $rc before reporting failures (build error or crashed test host; see above)." >&2
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
