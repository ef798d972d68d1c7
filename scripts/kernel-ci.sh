#!/usr/bin/env bash
# The notebooks in the .NET Interactive kernel itself, the one VS Code's Polyglot Notebooks and Jupyter run:
#   1. dotnet-repl runs every notebook in notebooks/ at the smoke profile: no error output, at least one chart, and
#      plotly.js inline in exactly the first chart (figures draw offline);
#   2. dotnet-repl shows Plotly.NET 6.0.0's FSharp.Core conflict (a chart needs FSharp.Core 10.1, the kernel holds 10.0);
#   3. Jupyter's nbconvert, with the .net-csharp kernelspec of `dotnet interactive jupyter install`, runs the kernel
#      fixture (its outputs must equal `vaelab run`'s) and notebook 01 at the smoke profile;
#   4. VS Code's stop button (a Cancel over `dotnet interactive stdio`) stops a training loop and keeps the state, and
#      a failing cell reports its error through Jupyter's client.
# Needs scripts/provision.sh (Jupyter, the pinned tools) and the packed VaeLab (scripts/test.sh does both).
# Notebooks get their parameters as papermill does: a cell after the 'parameters' cell, in a hidden copy beside the
# original (the kernel's working directory is the notebook's folder, as in VS Code). Last line: "kernel checks: N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
py=/usr/bin/python3
work="$(mktemp -d)"
trap 'rm -rf "$work" "$root"/notebooks/.kernel-ci-*.ipynb "$root"/tests/VaeLab.Runner.Tests/Fixtures/.kernel-ci-*.ipynb' EXIT
# A private Jupyter data folder: nothing is installed on the machine.
export JUPYTER_DATA_DIR="$work/jupyter" JUPYTER_PATH="$work/jupyter" JUPYTER_CONFIG_DIR="$work/jupyter-config" JUPYTER_RUNTIME_DIR="$work/runtime"
CHECK_PREFIX=kernel-ci
. "$root/scripts/checks.sh"

# A copy of notebook $1 at $2 with 'var profile = "smoke";' injected after its parameters cell.
smoke_copy() {
  "$py" - "$1" "$2" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
at = next((i for i, c in enumerate(nb["cells"]) if "parameters" in c.get("metadata", {}).get("tags", [])), None)
if at is None: sys.exit(f"kernel-ci: {sys.argv[1]} has no cell tagged 'parameters'")
nb["cells"].insert(at + 1, {"cell_type": "code", "execution_count": None, "id": "kernel-ci-parameters",
    "metadata": {"polyglot_notebook": {"kernelName": "csharp"}, "tags": ["injected-parameters"]}, "outputs": [],
    "source": ["// Parameters injected by kernel-ci\n", "var profile = \"smoke\";"]})
json.dump(nb, open(sys.argv[2], "w"), indent=1)
PY
}

# Checks an executed notebook: no error output, at least $2 charts, plotly.js inline in the first chart only.
outputs_ok() {
  "$py" - "$1" "${2:-1}" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
text = lambda v: "".join(v) if isinstance(v, list) else v
outs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
errors = [o for o in outs if o["output_type"] == "error"]
# One cause first, on one line: after a failed setup cell every later cell fails too (CS0103, names it did not define).
problems = [f"first error: {errors[0].get('ename')}: {' '.join(errors[0].get('evalue', '').split())[:400]}"] if errors else []
if len(errors) > 1: problems.append(f"{len(errors) - 1} later cell(s) failed after it")
charts = [text(o["data"]["text/html"]) for o in outs if "Plotly.newPlot" in text(o.get("data", {}).get("text/html", ""))]
if len(charts) < int(sys.argv[2]): problems.append(f"{len(charts)} chart(s), expected at least {sys.argv[2]}")
elif "plotly.js v" not in charts[0] or any("plotly.js v" in c for c in charts[1:]): problems.append("plotly.js is not inline in exactly the first chart")
for p in problems: print(f"kernel-ci: {sys.argv[1]}: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

repl() { # notebook in, notebook out[, "expect-failure"]: dotnet-repl, run from the notebook's folder
  (cd "$(dirname "$1")" && timeout 600 dotnet repl --run "$1" --exit-after-run --output-path "$2") >"$work/repl.log" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || [ "${3:-}" = expect-failure ] || { tail -20 "$work/repl.log" >&2; echo "kernel-ci: dotnet-repl exited with $rc" >&2; }
  [ -f "$2" ]
}

for nb in "$root"/notebooks/[0-9]*.ipynb; do
  nbname=$(basename "$nb" .ipynb)  # not 'name': check() has a local of that name, which repl_check would see
  repl_check() {
    smoke_copy "$nb" "$root/notebooks/.kernel-ci-$nbname.ipynb" &&
    repl "$root/notebooks/.kernel-ci-$nbname.ipynb" "$work/repl-$nbname.ipynb" &&
    outputs_ok "$work/repl-$nbname.ipynb" 1
  }
  check "dotnet-repl: $nbname at smoke, no errors, charts drawn offline" repl_check
done

fsharp_core_check() {
  repl "$root/tests/VaeLab.Runner.Tests/Fixtures/fsharp-core.ipynb" "$work/fsharp-core.ipynb" expect-failure
  "$py" - "$work/fsharp-core.ipynb" <<'PY'
import json, sys
nb = json.load(open(sys.argv[1]))
errors = [o.get("evalue", "") for c in nb["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
ok = any("FSharp.Core, Version=10.1.0.0" in e for e in errors)
if not ok: print(f"kernel-ci: expected Plotly.NET to fail for want of FSharp.Core 10.1; errors: {errors}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
check "dotnet-repl: Plotly.NET 6.0.0 fails in the kernel (FSharp.Core 10.1 wanted, 10.0 loaded), as docs/opening.md says" fsharp_core_check

spec_check() {
  mkdir -p "$JUPYTER_DATA_DIR/kernels"
  dotnet interactive jupyter install --path "$JUPYTER_DATA_DIR/kernels" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; return 1; }
  local specs
  specs=$(jupyter kernelspec list 2>/dev/null)  # not piped into grep -q: pipefail would see jupyter's SIGPIPE
  grep -q "\.net-csharp" <<<"$specs"
}
check "dotnet interactive jupyter install registers the .net-csharp kernelspec" spec_check

nbconvert() { # notebook in, notebook out
  timeout 600 jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=.net-csharp \
    --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.startup_timeout=180 --output-dir "$(dirname "$2")" --output "$(basename "$2")" "$1" \
    >"$work/nbconvert.log" 2>&1 || { tail -40 "$work/nbconvert.log" >&2; return 1; }
}

fixture="$root/tests/VaeLab.Runner.Tests/Fixtures/kernel.ipynb"
fixture_check() {
  nbconvert "$fixture" "$work/kernel-fixture.ipynb" &&
  "$root/vaelab" run "$fixture" --out "$work/run" >"$work/run.log" 2>&1 &&
  "$py" - "$work/kernel-fixture.ipynb" "$work/run/kernel.ipynb" <<'PY'
import json, re, sys
kernel, runner = (json.load(open(p)) for p in sys.argv[1:3])
def text(v): return "".join(v) if isinstance(v, list) else v
def norm(o):
    # Jupyter writes a trailing value as execute_result, the runner (as Polyglot saves it) as display_data; chart ids differ.
    t = "display_data" if o["output_type"] == "execute_result" else o["output_type"]
    if t == "stream": return (t, o["name"], text(o["text"]))
    if t == "error": return (t, o["ename"], o["evalue"])
    return (t, json.dumps({k: re.sub(r"vaelab-chart-[0-9a-f]+", "ID", text(v)) for k, v in o["data"].items()}, sort_keys=True))
kc = [c for c in kernel["cells"] if c["cell_type"] == "code"][1:]  # after the setup cell (package restore progress differs)
rc = [c for c in runner["cells"] if c["cell_type"] == "code" and "injected-parameters" not in c["metadata"].get("tags", [])][1:]
problems = []
for i, (k, r) in enumerate(zip(kc, rc), 2):
    if [norm(o) for o in k["outputs"]] != [norm(o) for o in r["outputs"]]:
        problems.append(f"code cell {i}: kernel {[norm(o)[:2] for o in k['outputs']]} vs runner {[norm(o)[:2] for o in r['outputs']]}")
outs = [o for c in kc for o in c["outputs"]]
if any(o["output_type"] == "error" for o in outs): problems.append("an error output")
if not any(o["output_type"] == "stream" and text(o["text"]) == "line one\nline two\n" for o in outs): problems.append("no stdout stream 'line one/line two'")
# display(x).Update(y): this .NET Interactive's handle names another display id, so Jupyter keeps 'first' (docs/opening.md).
if not any(text(o.get("data", {}).get("text/plain", "")) == "first" for o in outs): problems.append("the display does not show 'first'")
if not any("vaelab-claims" in text(o.get("data", {}).get("text/html", "")) for o in outs): problems.append("no claims table")
for p in problems: print("kernel-ci: fixture:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}
check "nbconvert (.net-csharp): the kernel fixture's outputs equal vaelab run's" fixture_check

# VS Code's stop button: Polyglot Notebooks talks to `dotnet interactive stdio` and sends a Cancel command. It must stop
# a training loop (VaeLab's Interrupts, through the kernel extension) within a second and keep the kernel's state.
stop_check() {
  (cd "$root/notebooks" && timeout 300 "$py" - <<'PY'
import json, os, queue, signal, subprocess, sys, threading, time
# A session of its own: `dotnet interactive` starts the kernel as a child process, and both must end with the check.
p = subprocess.Popen(["dotnet", "interactive", "stdio", "--default-kernel", "csharp"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1, start_new_session=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in p.stdout], daemon=True).start()
def send(kind, command, token):
    p.stdin.write(json.dumps({"commandType": kind, "command": command, "token": token}) + "\n"); p.stdin.flush()
def done(token, timeout):
    end = time.time() + timeout
    while time.time() < end:
        try: m = json.loads(lines.get(timeout=1))
        except (queue.Empty, ValueError): continue
        if m.get("eventType") in ("CommandSucceeded", "CommandFailed") and (m.get("command") or {}).get("token") == token: return m
    return None
def submit(code, token, timeout=240):
    send("SubmitCode", {"code": code, "targetKernelName": "csharp"}, token); return done(token, timeout)
problems = []
try:
    m = submit('#r "nuget: TorchSharp-cpu, 0.107.0"\n#r "nuget: VaeLab, 0.1.0"\nusing VaeLab;\nstatic int steps = 0; var kept = 41;', "setup")
    if not m or m["eventType"] != "CommandSucceeded": problems.append(f"setup: {m}")
    send("SubmitCode", {"code": "while (true) { Interrupts.ThrowIfRequested(); steps++; System.Threading.Thread.Sleep(5); }", "targetKernelName": "csharp"}, "loop")
    time.sleep(5)
    send("Cancel", {}, "cancel")
    m = done("loop", 30)
    if not m or m["eventType"] != "CommandFailed": problems.append(f"the loop was not cancelled: {m}")
    m = submit("kept + 1", "kept", 30)
    if not m or m["eventType"] != "CommandSucceeded": problems.append(f"the kernel lost its state: {m}")
    # The loop really stopped (not just abandoned): its counter no longer moves.
    m1 = submit("System.IO.File.WriteAllText(\"/tmp/vaelab-steps-1\", steps.ToString())", "w1", 30); time.sleep(1.5)
    m2 = submit("System.IO.File.WriteAllText(\"/tmp/vaelab-steps-2\", steps.ToString())", "w2", 30)
    s1, s2 = open("/tmp/vaelab-steps-1").read(), open("/tmp/vaelab-steps-2").read()
    if s1 != s2 or int(s1) == 0: problems.append(f"the loop went on after the cancel: steps {s1} then {s2}")
finally:
    os.killpg(p.pid, signal.SIGKILL)
for x in problems: print("kernel-ci: stop:", x, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
  )
}
check "dotnet interactive stdio (VS Code's protocol): Cancel stops a training loop and keeps the kernel's state" stop_check

# A failing cell through Jupyter's client: the execute reply carries the error.
error_check() {
  (cd "$root/notebooks" && timeout 300 "$py" - <<'PY'
import sys
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name=".net-csharp"); km.start_kernel()
kc = km.client(); kc.start_channels()
try:
    kc.wait_for_ready(timeout=180)
    reply = kc.execute_interactive('throw new InvalidOperationException("boom");', timeout=120, output_hook=lambda m: None)["content"]
    ok = reply["status"] == "error" and "boom" in str(reply)
    if not ok: print(f"kernel-ci: error: reply {reply}", file=sys.stderr)
    after = kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda m: None)["content"]
    ok = ok and after["status"] == "ok"
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
sys.exit(0 if ok else 1)
PY
  )
}
check "Jupyter client (.net-csharp): a failing cell reports its error and the kernel goes on" error_check

nb01="$(ls "$root"/notebooks/01-*.ipynb 2>/dev/null | head -1)"
nb01_check() {
  smoke_copy "$nb01" "$root/notebooks/.kernel-ci-01-nbconvert.ipynb" &&
  nbconvert "$root/notebooks/.kernel-ci-01-nbconvert.ipynb" "$work/01-nbconvert.ipynb" &&
  outputs_ok "$work/01-nbconvert.ipynb" 3
}
check "nbconvert (.net-csharp): notebook 01 at smoke, no errors, charts drawn offline" nb01_check

# A libtorch that is not the referenced package's must never be used (Debian's python3-torch, a conda environment).
# Decoys stand in for one: empty libc10.so, libtorch.so and libtorch_cpu.so, built here. On LD_LIBRARY_PATH they come
# before the packages' $ORIGIN run paths, so whoever loads libtorch by name gets them.
decoy="$work/decoy"
make_decoys() {
  command -v cc >/dev/null || { echo "kernel-ci: decoys need a C compiler (cc); install gcc" >&2; return 1; }
  mkdir -p "$decoy/path" "$decoy/preload" &&
  for n in c10 torch torch_cpu; do cc -shared -fPIC -x c -o "$decoy/path/lib$n.so" /dev/null || return 1; done &&
  # With the real library's soname, a preloaded decoy takes the place of libc10.so for everything loaded later.
  cc -shared -fPIC -x c -Wl,-soname,libc10.so -o "$decoy/preload/libc10.so" /dev/null
}
decoy_run_check() {
  make_decoys &&
  LD_LIBRARY_PATH="$decoy/path" "$root/vaelab" run "$nb01" --profile smoke --out "$work/decoy-run" >"$work/decoy-run.log" 2>&1 ||
    { tail -20 "$work/decoy-run.log" >&2; return 1; }
  outputs_ok "$work/decoy-run/$(basename "$nb01")" 3
}
check "vaelab run: notebook 01 at smoke with a decoy libtorch on LD_LIBRARY_PATH" decoy_run_check

decoy_repl_check() {
  [ -d "$decoy/path" ] || make_decoys || return 1
  smoke_copy "$nb01" "$root/notebooks/.kernel-ci-01-decoy.ipynb" &&
  LD_LIBRARY_PATH="$decoy/path" repl "$root/notebooks/.kernel-ci-01-decoy.ipynb" "$work/01-decoy.ipynb" &&
  outputs_ok "$work/01-decoy.ipynb" 3
}
check "dotnet-repl: notebook 01 at smoke with a decoy libtorch on LD_LIBRARY_PATH" decoy_repl_check

# The clear error: a preloaded libc10.so is already in the process, so the referenced libtorch cannot be what runs.
wrong_libtorch_check() {
  [ -d "$decoy/preload" ] || make_decoys || return 1
  LD_PRELOAD="$decoy/preload/libc10.so" "$root/vaelab" run "$nb01" --profile smoke --out "$work/decoy-preload" >"$work/decoy-preload.log" 2>&1
  local rc=$?
  [ $rc -eq 1 ] || { tail -20 "$work/decoy-preload.log" >&2; echo "kernel-ci: expected exit code 1, got $rc" >&2; return 1; }
  "$py" - "$work/decoy-preload/summary.json" "$decoy/preload/libc10.so" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
nb = summary["notebooks"][0]
failure = nb.get("error") or {}
message = failure.get("message", "")
want = ["Wrong libtorch", "libtorch-cpu-linux-x64/2.10.0", sys.argv[2], "Fix:"]
missing = [w for w in want if w not in message]
if failure.get("cell") != 2 or missing:
    print(f"kernel-ci: expected the setup cell (2) to fail with one message naming {want}; got cell {failure.get('cell')}: {message[:500]}", file=sys.stderr)
    sys.exit(1)
PY
}
check "vaelab run: a foreign libtorch already in the process fails the setup cell with one clear message" wrong_libtorch_check

checks_summary kernel
