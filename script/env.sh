# Sourced by the entry scripts: installs the pinned toolchain on first use and puts it on PATH.
# Everything comes from the package registries through package.json / package-lock.json and
# Cargo.lock, so a fresh clone on a base machine needs nothing else.
set -euo pipefail

BATON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export BATON_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/baton-target}"

# Each step says how long the script has run, so a slow stage shows in CI's log.
step() { printf '\033[1;34m==>\033[0m %s (%ss in)\n' "$*" "$SECONDS"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

need_node_modules() {
  local stamp="$BATON_ROOT/node_modules/.baton-installed"
  if [ ! -f "$stamp" ] || [ "$BATON_ROOT/package-lock.json" -nt "$stamp" ]; then
    command -v npm >/dev/null || die "npm is missing: install Node.js 18+ (apt-get install nodejs npm)"
    step "installing the pinned toolchain (forge, anvil, cast, solc, forge-std, OpenZeppelin) with npm ci"
    (cd "$BATON_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    touch "$stamp"
  fi
  # The -linux-amd64 packages hold the real ELF binaries; calling them directly (not through
  # node_modules/.bin wrappers) keeps signals and child-process handling exact.
  local tool
  for tool in forge anvil cast; do
    local dir="$BATON_ROOT/node_modules/@foundry-rs/$tool-linux-amd64/bin"
    [ -x "$dir/$tool" ] || die "$tool binary missing under $dir (only linux-amd64 is packaged here)"
    PATH="$dir:$PATH"
  done
  export PATH
  export BATON_FORGE="$BATON_ROOT/node_modules/@foundry-rs/forge-linux-amd64/bin/forge"
  export BATON_ANVIL="$BATON_ROOT/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
  export BATON_CAST="$BATON_ROOT/node_modules/@foundry-rs/cast-linux-amd64/bin/cast"
}

need_cargo() {
  command -v cargo >/dev/null || die "cargo is missing: install Rust 1.94.1 or newer (rustup)"
}

# The fault-proof VM's guest is built with Debian's rustc (1.96, with the std sources for
# -Zbuild-std) and checked against qemu-riscv64. Both come from Debian's packages; the image root
# depends on the compiler, so the version is pinned.
GUEST_RUSTC="rustc 1.96.0"
# The linker rustc 1.96 calls for the bare-metal target: /usr/bin/rust-lld (from rust-web-llvm)
# is a link to LLVM 22's lld, which is a package of its own that nothing pulls in.
GUEST_LLD_PACKAGE=lld-22
need_guest_toolchain() {
  if [ ! -x /usr/bin/rustc ] || [ ! -x /usr/bin/cargo ] || [ ! -d /usr/lib/rustlib/src/rust/library ] \
    || [ ! -x "$(readlink -f /usr/bin/rust-lld 2>/dev/null)" ] || ! command -v qemu-riscv64 >/dev/null; then
    local packages="rustc-web cargo-web rust-web-src $GUEST_LLD_PACKAGE qemu-user"
    step "installing the guest toolchain (Debian's $packages)"
    command -v apt-get >/dev/null || die "the guest needs Debian's $packages (apt-get not found)"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || die "installing the guest toolchain needs root: run as root, or install $packages"
      sudo="sudo"
    fi
    $sudo apt-get update -qq >/dev/null
    # shellcheck disable=SC2086 # the package list splits on purpose
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $packages >/dev/null \
      || die "apt-get install $packages failed"
  fi
  [ -x "$(readlink -f /usr/bin/rust-lld)" ] \
    || die "/usr/bin/rust-lld points at $(readlink -f /usr/bin/rust-lld), which is not installed: install the lld package of that LLVM version"
  /usr/bin/rustc --version | grep -q "^$GUEST_RUSTC " \
    || die "the guest is pinned to $GUEST_RUSTC, /usr/bin/rustc is $(/usr/bin/rustc --version): the image root would differ"
}

# Builds a guest of keepers/ into out/guest/<bin>.elf and writes its image to
# out/guest/<image>: `build_guest <dir under keepers> <binary> <image file> <crates it uses...>`.
# The ledger's guest is keepers/guest (baton-stf); the EVM chain's is keepers/guest-evm
# (baton-evm, baton-trie), which shares the ledger guest's runtime and target settings.
# The build runs on a copy at one fixed path: cargo hashes the absolute path of a path dependency
# outside the guest's workspace (baton-stf) into symbol names, which moves code, so building in
# each checkout would give each checkout its own image. trim-paths keeps every other path out.
GUEST_BUILD_DIR=/var/tmp/baton-guest
build_guest() {
  local dir="$1" bin="$2" image="$3"
  shift 3
  need_guest_toolchain
  local src="$GUEST_BUILD_DIR/src"
  rm -rf "$src"
  mkdir -p "$src/keepers/crates"
  # cp -p keeps modification times, so cargo rebuilds only what changed.
  cp -p "$BATON_ROOT/Cargo.toml" "$src/"
  local crate
  for crate in "$@"; do
    cp -Rp "$BATON_ROOT/keepers/crates/$crate" "$src/keepers/crates/"
  done
  cp -Rp "$BATON_ROOT/keepers/guest" "$src/keepers/"
  [ "$dir" = guest ] || cp -Rp "$BATON_ROOT/keepers/$dir" "$src/keepers/"
  (cd "$src/keepers/$dir" \
    && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$GUEST_BUILD_DIR/target" \
      /usr/bin/cargo build --release --locked --quiet)
  mkdir -p "$BATON_ROOT/out/guest"
  cp "$GUEST_BUILD_DIR/target/riscv64imac-unknown-none-elf/release/$bin" \
    "$BATON_ROOT/out/guest/$bin.elf"
  (cd "$BATON_ROOT" && cargo run --quiet --release --locked -p baton-vm --bin baton-guest-image \
    -- "out/guest/$bin.elf" >"out/guest/$image")
}
