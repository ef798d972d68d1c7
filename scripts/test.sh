#!/usr/bin/env bash
# The test command. Provisions what the tests need (scripts/provision.sh), packs VaeLab into the local NuGet feed
# that notebooks load it from (artifacts/feed, registered as the user's NuGet source 'vaelab-local'), runs every test
# project (library, kernel extension, runner, every notebook at the smoke profile through `vaelab run`), then runs
# the notebooks in the .NET Interactive kernel itself (scripts/kernel-ci.sh: dotnet-repl and Jupyter's nbconvert), and
# every notebook exported as a C# file-based app and run with `dotnet run` (scripts/export-ci.sh).
# Prints one closing line "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! scripts/provision.sh; then
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
if ! dotnet pack src/VaeLab -c Release --nologo -v q -p:NoWarn=NU1603 >"$log" 2>&1; then
  cat "$log" >&2
  echo "test.sh: packing VaeLab failed (see above)." >&2
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
dotnet test VaeLab.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
# dotnet test prints one "Passed!/Failed!  - Failed: a, Passed: b, Skipped: c, Total: d" line per test assembly.
read -r passed failed skipped < <(awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ { f+=$2; p+=$4; s+=$6 } END { printf "%d %d %d\n", p, f, s }' "$log")
# A check script whose last line is "<label> checks: N passed, N failed": its counts join the total.
run_checks() { # script, label
  local out src n_p n_f
  out=$(mktemp)
  "$1" 2>&1 | tee "$out"
  src=${PIPESTATUS[0]}
  read -r n_p n_f < <(awk -v l="$2" '$0 ~ ("^" l " checks: [0-9]+ passed, [0-9]+ failed") { print $3, $5 }' "$out")
  rm -f "$out"
  passed=$((passed + ${n_p:-0})); failed=$((failed + ${n_f:-0}))
  if [ "$src" -ne 0 ]; then
    [ "${n_f:-0}" -eq 0 ] && failed=$((failed + 1))
    [ "$rc" -eq 0 ] && rc=$src
  fi
}
run_checks scripts/kernel-ci.sh kernel
run_checks scripts/export-ci.sh export
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $rc before reporting failures (build error or crashed test host; see above)." >&2
  failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
