#!/usr/bin/env bash
# The round trip of `vaelab export`: every notebook as a C# file-based app, run with `dotnet run` at smoke.
#   1. `vaelab export --all` writes the six apps into a temporary folder outside the repository, so that their builds
#      see no Directory.Build.* of ours: TorchSharp's native glue then comes from the VaeLab package's own
#      buildTransitive step, as for a user's copy anywhere;
#   2. each app runs with `dotnet run APP -- -p profile=smoke` from the repository root (where the data are found) with a
#      private checkpoint cache (so it trains): it must exit 0, print no error, and write its page next to the file
#      with at least one figure (Plotly.newPlot), the claims table (class vaelab-claims) and no error output;
#   3. an app given an unknown -p name exits 2 and names it; a failing cell exits 1 with its error on the page; Ctrl+C stops its training within a second (exit 130);
#   4. notebook 01's page opens offline in headless Chromium with every chart drawn (plotly's main-svg in each).
# Each app builds into its own folder under the temporary one (--artifacts-path, about 0.5 GB: this platform's libtorch),
# removed once its checks are done, so that the checks never hold more than one app's build on disk.
# Needs the runner built (dotnet test builds it) and VaeLab packed (scripts/test.sh does both), and Chromium for 4
# (Debian's chromium, which scripts/provision.sh installs).
# Last line: "export checks: N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runner="$root/src/VaeLab.Runner/bin/Release/net10.0/VaeLab.Runner.dll"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
CHECK_PREFIX=export-ci
. "$root/scripts/checks.sh"

if [ ! -f "$runner" ]; then
  dotnet build src/VaeLab.Runner -c Release --nologo -v q >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; echo "export checks: 0 passed, 1 failed"; exit 1; }
fi

export_all() { dotnet "$runner" export --all --out "$work/export" >"$work/export.log" 2>&1 || { cat "$work/export.log" >&2; return 1; }
  [ "$(ls "$work"/export/*.cs 2>/dev/null | wc -l)" -eq "$(ls notebooks/*.ipynb | wc -l)" ]; }
check "vaelab export --all writes one app per notebook" export_all

# The page of an app: at least one figure, the claims table, no error output.
page_ok() {
  /usr/bin/python3 - "$1" <<'PY'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
problems = []
if "Plotly.newPlot" not in page: problems.append("no figure (Plotly.newPlot)")
if 'class="vaelab-claims"' not in page: problems.append("no claims table (class vaelab-claims)")
if 'class="error"' in page: problems.append("an error output")
for p in problems: print(f"export-ci: {sys.argv[1]}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

app_run() { # app.cs [dotnet run's arguments after the file]: dotnet run, building into the app's own folder in $work
  local app="$1"; shift
  dotnet run --artifacts-path "$work/build/$(basename "$app" .cs)" "$app" "$@"
}
app_clean() { rm -rf "$work/build/$(basename "$1" .cs)"; }

run_app() { # app.cs
  local app="$1" name log rc
  name="$(basename "$app" .cs)"; log="$work/$name.log"
  VAELAB_CACHE_DIR="$work/cache" timeout 900 dotnet run --artifacts-path "$work/build/$name" "$app" -- -p profile=smoke >"$log" 2>"$log.err"
  rc=$?
  if [ "$rc" -ne 0 ]; then tail -n 30 "$log" "$log.err" >&2; echo "export-ci: $name exited $rc" >&2; return 1; fi
  # No error printed: stderr holds warnings only (the library's "warning: ..." lines, a build's "warning XX1234"),
  # and the build output on stdout no error (the notebooks' own text may say "test error", so stdout is not searched
  # for the bare word).
  if grep -v -E '^\s*$|^warning: |: warning [A-Z]+[0-9]+' "$log.err" >"$work/$name.errors" ||
     grep -E ': error [A-Z]+[0-9]+|[Bb]uild failed|Unhandled exception|^error in cell' "$log" >>"$work/$name.errors"; then
    head -20 "$work/$name.errors" >&2; echo "export-ci: $name printed an error" >&2; return 1
  fi
  [ -f "${app%.cs}.html" ] || { echo "export-ci: $name wrote no page ${app%.cs}.html" >&2; return 1; }
  page_ok "${app%.cs}.html"
}
app01="$(ls "$work"/export/01-*.cs 2>/dev/null | head -1)"
app01="${app01:-$work/export/01-missing.cs}"
check "$(basename "$app01") at smoke: exit 0, no error, page with a figure and the claims table" run_app "$app01"

unknown_parameter() {
  local app="$app01" out rc
  out="$(app_run "$app" -- -p profile=smoke -p nosuchparameter=1 2>&1)"; rc=$?
  [ "$rc" -eq 2 ] && grep -q "does not declare 'nosuchparameter'" <<<"$out" || { echo "$out" | tail -5 >&2; echo "export-ci: exit $rc (expected 2, naming the parameter)" >&2; return 1; }
}
check "an app given an unknown -p name exits 2 and names it" unknown_parameter

# scripts/provision.sh installs Chromium (Debian's package) with the other test tools.
chromium_bin() { command -v chromium || command -v chromium-browser || true; }
charts_drawn() { # page: opened offline in headless Chromium, every chart div must hold plotly's SVG
  local page="$1" browser dom
  browser="$(chromium_bin)"
  [ -n "$browser" ] || { echo "export-ci: Chromium is not installed: sudo apt-get install -y chromium" >&2; return 1; }
  dom="$work/dom.html"
  timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$(mktemp -d -p "$work")" --virtual-time-budget=20000 --dump-dom "file://$page" >"$dom" 2>"$work/chromium.log" \
    || { tail -5 "$work/chromium.log" >&2; return 1; }
  /usr/bin/python3 - "$page" "$dom" <<'PY'
import re, sys
page, dom = (open(p, encoding="utf-8").read() for p in sys.argv[1:])
charts = set(re.findall(r'<div id="(vaelab-chart-[0-9a-z]+)"', page))
drawn = {m.group(1) for m in re.finditer(r'<div id="(vaelab-chart-[0-9a-z]+)"[^>]*class="[^"]*js-plotly-plot', dom)}
svg = dom.count('class="main-svg"')
print(f"export-ci: {len(drawn)} of {len(charts)} charts drawn, {svg} plotly SVGs")
sys.exit(0 if charts and drawn == charts and svg >= len(charts) else 1)
PY
}
page01="$(ls "$work"/export/01-*.html 2>/dev/null | head -1)"
check "notebook 01's page opens offline in Chromium with its charts drawn" charts_drawn "${page01:-$work/missing.html}"

# After the Chromium check, as it leaves notebook 01's page failed.
failing_cell() { # a value the config rejects: the training cell fails, exit 1, its error on the page
  local app="$app01" out rc
  out="$(VAELAB_CACHE_DIR="$work/cache" app_run "$app" -- -p profile=smoke -p epochs=-1 2>&1)"; rc=$?
  [ "$rc" -eq 1 ] && grep -q "error in cell" <<<"$out" && grep -q 'class="error"' "${app%.cs}.html" && grep -q "Epochs = -1 is out of range" "${app%.cs}.html" \
    || { echo "$out" | tail -5 >&2; echo "export-ci: exit $rc (expected 1, the error on the page)" >&2; return 1; }
}
check "a failing cell: exit 1, the error on the page" failing_cell

# Last, as it leaves notebook 01's page interrupted: Ctrl+C during training (SIGINT to the process group, as a terminal sends it; default signal disposition, which a
# background job of a script would not have): the loop stops within a second, exit 130, the page says so.
ctrl_c() {
  local app="$app01" log pid t0 rc elapsed
  log="$work/ctrl-c.log"
  VAELAB_CACHE_DIR="$work/cache-ctrl-c" /usr/bin/python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])' \
    dotnet run --artifacts-path "$work/build/$(basename "$app" .cs)" "$app" -- -p profile=default >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do grep -qs "steps (" "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  t0=$(date +%s%N)
  kill -INT -- "-$pid" 2>/dev/null
  wait "$pid"; rc=$?
  elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "export-ci: exit $rc, $elapsed ms after Ctrl+C"
  [ "$rc" -eq 130 ] && [ "$elapsed" -lt 1500 ] && grep -q 'status</th><td><span class="bad">interrupted' "${app%.cs}.html" \
    || { tail -5 "$log" >&2; return 1; }
}
check "Ctrl+C during training: stops within a second, exit 130, the page says interrupted" ctrl_c
app_clean "$app01"

# The other notebooks, one build at a time.
for app in "$work"/export/*.cs; do
  [ -f "$app" ] && [ "$app" != "$app01" ] || continue
  check "$(basename "$app") at smoke: exit 0, no error, page with a figure and the claims table" run_app "$app"
  app_clean "$app"
done

checks_summary export
