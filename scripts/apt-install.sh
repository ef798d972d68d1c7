#!/usr/bin/env bash
# Installs Debian packages for scripts/provision.sh and scripts/provision-data.sh: apt-install.sh PREFIX PACKAGE...
#   - waits up to 10 minutes for another apt or dpkg to finish (DPkg::Lock::Timeout) instead of failing at once;
#   - refreshes the package lists and tries again when a package is not found in them;
#   - prints one line per package installed ("PREFIX: installed NAME VERSION"), apt's own output only when it fails.
# Runs apt-get as root, or through sudo without a password; exits 126 when neither is possible.
set -uo pipefail
prefix="$1"; shift
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 126; fi; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q "$@" >>"$log" 2>&1; }
apt_get install -y "$@"
rc=$?
if [ $rc -ne 0 ]; then
  [ $rc -eq 126 ] && { echo "$prefix: installing $* needs root or sudo" >&2; exit 126; }
  apt_get update && apt_get install -y "$@" || {
    tail -20 "$log" >&2
    echo "$prefix: apt-get could not install $*" >&2
    exit 1
  }
fi
# "Setting up NAME:ARCH (VERSION) ..." is apt's one line per package configured.
sed -n 's/^Setting up \([^ :]*\)[^ ]* (\([^)]*\)).*/'"$prefix"': installed \1 \2/p' "$log"
