#!/usr/bin/env bash
# The Jupyter kernel through Jupyter's own client: installs the kernelspec into a temporary JUPYTER_DATA_DIR,
# executes the kernel fixture and notebook 01 (smoke profile) with `jupyter nbconvert --execute` (nbclient), and
# checks the outputs: no errors, charts as text/html with plotly.js inline once, and, for the fixture, the same
# outputs as `vaelab run`. Needs Debian's jupyter-client, jupyter-nbconvert and python3-nbclient (.ci/run installs
# them). Last line: "kernel checks: N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py=/usr/bin/python3
if ! "$py" -c 'import jupyter_client, nbclient, nbconvert' 2>/dev/null || ! command -v jupyter >/dev/null; then
  echo "kernel-ci: Debian's jupyter-client, jupyter-nbconvert and python3-nbclient are not installed (apt-get install -y jupyter-client jupyter-nbconvert python3-nbclient)." >&2
  echo "kernel checks: 0 passed, 1 failed"
  exit 1
fi

work="$(mktemp -d)"
smoke_copy="$root/notebooks/.kernel-ci-01-smoke.ipynb"
trap 'rm -rf "$work" "$smoke_copy"' EXIT
# A private Jupyter data folder: nothing is installed on the machine.
export JUPYTER_DATA_DIR="$work/jupyter" JUPYTER_PATH="$work/jupyter" JUPYTER_CONFIG_DIR="$work/jupyter-config" JUPYTER_RUNTIME_DIR="$work/runtime"
passed=0 failed=0
check() { # name, command...
  local name="$1"; shift
  local start=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "kernel-ci: ok    $name ($((SECONDS - start)) s)"
  else failed=$((failed + 1)); echo "kernel-ci: FAIL  $name ($((SECONDS - start)) s)" >&2; fi
}

install_spec() { "$root/vaelab" kernel install --user >/dev/null && jupyter kernelspec list 2>/dev/null | grep -q "vaelab-csharp"; }
check "kernelspec installed and listed by jupyter kernelspec list" install_spec

execute() { # notebook in, notebook out
  timeout 300 jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=vaelab-csharp \
    --ExecutePreprocessor.timeout=240 --ExecutePreprocessor.startup_timeout=120 --output-dir "$(dirname "$2")" --output "$(basename "$2")" "$1" \
    >"$work/nbconvert.log" 2>&1 || { tail -40 "$work/nbconvert.log" >&2; return 1; }
}

# Jupyter starts the kernel in the notebook's folder, so the fixture's relative #r paths resolve as under vaelab run.
fixture="$root/tests/VaeLab.Runner.Tests/Fixtures/kernel.ipynb"
fixture_check() {
  execute "$fixture" "$work/kernel-fixture.ipynb" &&
  "$root/vaelab" run "$fixture" --out "$work/run" >"$work/run.log" 2>&1 &&
  "$py" - "$work/kernel-fixture.ipynb" "$work/run/kernel.ipynb" <<'EOF'
import json, re, sys
kernel, runner = (json.load(open(p)) for p in sys.argv[1:3])
def text(v): return "".join(v) if isinstance(v, list) else v
def norm(o):
    # The runner writes a trailing value as display_data, Jupyter as execute_result; chart ids and plotly.js differ by design.
    t = "display_data" if o["output_type"] == "execute_result" else o["output_type"]
    if t == "stream": return (t, o["name"], text(o["text"]))
    if t == "error": return (t, o["ename"], o["evalue"])
    data = {k: re.sub(r"vaelab-chart-[0-9a-f]+", "ID", text(v)) for k, v in o["data"].items()}
    if "text/html" in data: data["text/html"] = data["text/html"][data["text/html"].find("<div id=\"ID\">"):] if "Plotly.newPlot" in data["text/html"] else data["text/html"]
    return (t, json.dumps(data, sort_keys=True))
kc = [c for c in kernel["cells"] if c["cell_type"] == "code"]
rc = [c for c in runner["cells"] if c["cell_type"] == "code" and "injected-parameters" not in c["metadata"].get("tags", [])]
problems = []
for i, (k, r) in enumerate(zip(kc, rc), 1):
    if [norm(o) for o in k["outputs"]] != [norm(o) for o in r["outputs"]]:
        problems.append(f"code cell {i}: kernel {[norm(o)[:2] for o in k['outputs']]} vs runner {[norm(o)[:2] for o in r['outputs']]}")
outs = [o for c in kc for o in c["outputs"]]
if any(o["output_type"] == "error" for o in outs): problems.append("an error output")
if not any(o["output_type"] == "stream" and text(o["text"]) == "line one\nline two\n" for o in outs): problems.append("no stdout stream 'line one/line two'")
if not any(o["output_type"] == "execute_result" and text(o["data"].get("text/plain", "")) == "42" and o["execution_count"] == 4 for o in outs): problems.append("no execute_result 42 with execution_count 4")
if not any(o["output_type"] == "display_data" and text(o["data"].get("text/plain", "")) == "second" for o in outs): problems.append("the updated display does not show 'second'")
charts = [text(o["data"]["text/html"]) for o in outs if "Plotly.newPlot" in text(o.get("data", {}).get("text/html", ""))]
if len(charts) != 2: problems.append(f"{len(charts)} charts, expected 2")
elif not ("plotly.js v" in charts[0] and "plotly.js v" not in charts[1]): problems.append("plotly.js is not inline in exactly the first chart")
if not any("vaelab-claims" in text(o.get("data", {}).get("text/html", "")) for o in outs): problems.append("no claims table")
for p in problems: print("kernel-ci: fixture:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
}
check "fixture notebook through nbconvert: outputs as expected and equal to vaelab run's" fixture_check

# Notebook 01 at the smoke profile: nbconvert has no parameters, so a copy with profile = "smoke" in its parameters cell,
# placed in notebooks/ under a hidden name so its relative paths resolve (removed afterwards).
nb01="$(ls "$root"/notebooks/01-*.ipynb 2>/dev/null | head -1)"
nb01_check() {
  [ -n "$nb01" ] || { echo "kernel-ci: no notebooks/01-*.ipynb" >&2; return 1; }
  "$py" - "$nb01" "$smoke_copy" <<'EOF' || return 1
import json, re, sys
nb = json.load(open(sys.argv[1]))
cell = next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))
src = "".join(cell["source"])
new = re.sub(r'var profile = "[a-z]+";', 'var profile = "smoke";', src, count=1)
if new == src: sys.exit("kernel-ci: the parameters cell of notebook 01 has no 'var profile = \"...\";' line")
cell["source"] = new
json.dump(nb, open(sys.argv[2], "w"), indent=1)
EOF
  execute "$smoke_copy" "$work/01-smoke.ipynb"
  local rc=$?
  rm -f "$smoke_copy"
  [ $rc -eq 0 ] || return 1
  "$py" - "$work/01-smoke.ipynb" <<'EOF'
import json, sys
nb = json.load(open(sys.argv[1]))
outs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
errors = [o for o in outs if o["output_type"] == "error"]
html = ["".join(o["data"]["text/html"]) if isinstance(o["data"]["text/html"], list) else o["data"]["text/html"]
        for o in outs if o["output_type"] in ("display_data", "execute_result") and "text/html" in o.get("data", {})]
charts = [h for h in html if "Plotly.newPlot" in h]
problems = [f"error output {e['ename']}: {e['evalue'][:200]}" for e in errors]
if not charts: problems.append("no chart (display_data/execute_result with text/html drawing with Plotly)")
elif "plotly.js v" not in charts[0] or any("plotly.js v" in h for h in charts[1:]): problems.append("plotly.js is not inline in exactly the first chart")
if not any("vaelab-claims" in h for h in html): problems.append("no claims table")
if any(c["cell_type"] == "code" and c["execution_count"] is None for c in nb["cells"]): problems.append("a code cell did not run")
for p in problems: print("kernel-ci: notebook 01:", p, file=sys.stderr)
print(f"kernel-ci: notebook 01: {len(charts)} charts, {len(outs)} outputs")
sys.exit(1 if problems else 0)
EOF
}
check "notebook 01 (smoke) through nbconvert: no errors, charts, claims" nb01_check

# KERNEL_CI_KEEP=DIR keeps the executed notebooks (e.g. for nbconvert --to html).
[ -n "${KERNEL_CI_KEEP:-}" ] && mkdir -p "$KERNEL_CI_KEEP" && cp "$work"/*.ipynb "$KERNEL_CI_KEEP"/
echo "kernel checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
