#!/usr/bin/env bash
# Makes sure Fashion-MNIST is where VaeLab's loader looks, before 'vaelab reproduce'. Looks in VAELAB_DATA_DIR,
# data/fashion-mnist/ and /usr/share/datasets/fashion-mnist/; otherwise, as root on Debian, installs the Debian
# package dataset-fashion-mnist; otherwise prints the command to run (the loader can still download the files).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name=fashion-mnist
package=dataset-fashion-mnist

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

candidates=()
if [ -n "${VAELAB_DATA_DIR:-}" ]; then candidates+=("$VAELAB_DATA_DIR/$name" "$VAELAB_DATA_DIR"); fi
candidates+=("$root/data/$name" "/usr/share/datasets/$name")
for dir in "${candidates[@]}"; do
  if has_data "$dir"; then
    echo "data: Fashion-MNIST found in $dir"
    exit 0
  fi
done

if [ "$(id -u)" -eq 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "data: Fashion-MNIST not found; installing the Debian package $package"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -qq "$package" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$package"; }; then
    has_data "/usr/share/datasets/$name" && { echo "data: Fashion-MNIST installed in /usr/share/datasets/$name"; exit 0; }
  fi
  echo "data: could not install $package with apt-get." >&2
  exit 1
fi

echo "data: Fashion-MNIST not found in: ${candidates[*]}" >&2
if [ -f /etc/debian_version ]; then
  echo "data: install it with:  sudo apt-get install -y $package" >&2
else
  echo "data: put the four IDX files in $root/data/$name/ or set VAELAB_DATA_DIR; otherwise the loader downloads them." >&2
fi
exit 1
