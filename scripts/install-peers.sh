#!/usr/bin/env bash
# Installs the real peers the interoperability tests run against into .peers/ (git-ignored).
# Idempotent: each peer is skipped when the pinned version is already there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS="$ROOT/.peers"
BIN="$PEERS/bin"
mkdir -p "$BIN"

MOTO_VERSION="5.2.5"
PRE_COMMIT_VERSION="4.7.0"
SOPS_VERSION="v3.13.3"
AGE_VERSION="v1.3.1"
LOCAL_KMS_VERSION="v0.0.0-20260228092603-2a5e92d09ab6"

# stamp NAME VERSION BIN...: the pinned version is recorded and every binary of it is still there.
stamp() {
  local name="$1" version="$2"; shift 2
  [ -f "$PEERS/.$name" ] && [ "$(cat "$PEERS/.$name")" = "$version" ] || return 1
  local b; for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done
}
mark() { echo "$2" >"$PEERS/.$1"; }
say() { echo "install-peers: $*" >&2; }

if ! stamp python "moto=$MOTO_VERSION pre-commit=$PRE_COMMIT_VERSION" moto_server pre-commit; then
  command -v python3 >/dev/null || { say "python3 is required for the moto server"; exit 1; }
  say "moto $MOTO_VERSION and pre-commit $PRE_COMMIT_VERSION into .peers/venv"
  python3 -m venv "$PEERS/venv"
  "$PEERS/venv/bin/pip" install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "pre-commit==$PRE_COMMIT_VERSION"
  ln -sf "$PEERS/venv/bin/moto_server" "$BIN/moto_server"
  ln -sf "$PEERS/venv/bin/pre-commit" "$BIN/pre-commit"
  mark python "moto=$MOTO_VERSION pre-commit=$PRE_COMMIT_VERSION"
fi

go_peer() { # name version package... (each package's binary is named after its last path element)
  local name="$1" version="$2"; shift 2
  local bins=() pkg; for pkg in "$@"; do bins+=("${pkg##*/}"); done
  if ! stamp "$name" "$version" "${bins[@]}"; then
    command -v go >/dev/null || { say "go is required for $name"; exit 1; }
    say "$name $version (go install)"
    for pkg in "$@"; do GOBIN="$BIN" GOFLAGS=-mod=mod go install "$pkg@$version"; done
    mark "$name" "$version"
  fi
}
go_peer sops "$SOPS_VERSION" github.com/getsops/sops/v3/cmd/sops
go_peer age "$AGE_VERSION" filippo.io/age/cmd/age filippo.io/age/cmd/age-keygen
go_peer local-kms "$LOCAL_KMS_VERSION" github.com/nsmithuk/local-kms

# The age project's CCTV test vectors (testkit format), for test/keys/age/cctv.test.ts. They are age's
# data, not ours: copied from the Go module cache, never committed. filippo.io/age pins their module.
if [ ! -f "$PEERS/age-testkit/.version" ] || [ "$(cat "$PEERS/age-testkit/.version")" != "$AGE_VERSION" ]; then
  command -v go >/dev/null || { say "go is required for the age test vectors"; exit 1; }
  say "age $AGE_VERSION test vectors into .peers/age-testkit"
  gomod_dir() { go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p'; }
  AGE_DIR="$(gomod_dir "filippo.io/age@$AGE_VERSION")"
  CCTV_VERSION="$(awk '$1 == "c2sp.org/CCTV/age" { print $2 }' "$AGE_DIR/go.mod")"
  [ -n "$CCTV_VERSION" ] || { say "filippo.io/age@$AGE_VERSION does not name c2sp.org/CCTV/age in its go.mod"; exit 1; }
  CCTV_DIR="$(gomod_dir "c2sp.org/CCTV/age@$CCTV_VERSION")"
  rm -rf "$PEERS/age-testkit"
  mkdir -p "$PEERS/age-testkit"
  cp "$CCTV_DIR"/testdata/* "$PEERS/age-testkit/"
  chmod -R u+w "$PEERS/age-testkit"
  echo "$AGE_VERSION" >"$PEERS/age-testkit/.version"
fi

# Older sops release lines still pinned in CI images and consumers' tools (the latest patch of each,
# as the Go module proxy serves them). Each is installed as sops-<line> so the pinned `sops` above
# stays the default; test/peers/sops-releases.test.ts runs kmseal's files through every one of them.
SOPS_OLD_RELEASES="v3.9.4 v3.10.2 v3.11.0 v3.12.2"
for version in $SOPS_OLD_RELEASES; do
  line="${version#v}"; line="${line%.*}"
  if ! stamp "sops-$line" "$version" "sops-$line"; then
    command -v go >/dev/null || { say "go is required for sops $version"; exit 1; }
    say "sops $version as sops-$line (go install)"
    tmp="$(mktemp -d)"
    GOBIN="$tmp" GOFLAGS=-mod=mod go install "github.com/getsops/sops/v3/cmd/sops@$version"
    mv -f "$tmp/sops" "$BIN/sops-$line"
    rm -rf "$tmp"
    mark "sops-$line" "$version"
  fi
done

# The minimal age plugin the plugin tests run (test/peers/age-plugin-kmsealtest, kmseal's own code,
# built with the age project's plugin framework). Rebuilt when its source changes.
PLUGIN_SRC="$ROOT/test/peers/age-plugin-kmsealtest"
PLUGIN_VERSION="$(cat "$PLUGIN_SRC/go.mod" "$PLUGIN_SRC/go.sum" "$PLUGIN_SRC/main.go" | sha256sum | cut -c1-16)"
if ! stamp age-plugin-kmsealtest "$PLUGIN_VERSION" age-plugin-kmsealtest; then
  command -v go >/dev/null || { say "go is required for the test age plugin"; exit 1; }
  say "age-plugin-kmsealtest (go build)"
  (cd "$PLUGIN_SRC" && GOFLAGS=-mod=mod go build -o "$BIN/age-plugin-kmsealtest" .)
  mark age-plugin-kmsealtest "$PLUGIN_VERSION"
fi

say "ready in $BIN: $(ls "$BIN" | tr '\n' ' ')"
