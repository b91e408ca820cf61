#!/usr/bin/env bash
# install-tools.sh - idempotently install the external tools used for mesh /
# glTF checks and benchmarks. Run as root on Debian 12 (bookworm).
#
# Installs (only if missing):
#   admesh        (apt)  STL check:      admesh some.stl
#   prusa-slicer  (apt)  STL check:      prusa-slicer --info some.stl
#                        Works headless as-is (no DISPLAY/xvfb needed for --info).
#   potrace       (apt)  bitmap tracing: potrace --svg in.pbm -o out.svg
#   debootstrap   (apt)  builds the Debian trixie root for Debian's blender binary
#   openssl       (apt)  makes the tests' self-signed certificate (HTTPS fakes on loopback)
#   gltf-validator (npm, pinned, into $ROOT/.tools/node; it is a library, no CLI):
#                        node scripts/gltf_validate.js some.glb
#                        -> prints the report's issues summary as JSON,
#                           exit 0 if numErrors == 0, 2 if errors, 1 on usage/IO error.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GLTF_VALIDATOR_VERSION="2.0.0-dev.3.10"
NODE_PREFIX="$ROOT/.tools/node"

export DEBIAN_FRONTEND=noninteractive

# --- apt packages -----------------------------------------------------------
# command name -> Debian package
declare -A APT_PKGS=(
  [admesh]=admesh
  [prusa-slicer]=prusa-slicer
  [potrace]=potrace
  [debootstrap]=debootstrap  # the Debian root with Debian's own blender (scripts/debian-blender.sh)
  [openssl]=openssl  # the tests' self-signed certificate for loopback HTTPS fakes
  [node]=nodejs   # only used if node/npm are not already on PATH
  [npm]=npm
)
missing=()
for cmd in "${!APT_PKGS[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    missing+=("${APT_PKGS[$cmd]}")
  fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ((${#missing[@]})); then
  echo "install-tools: apt installing: ${missing[*]}"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-tools: apt tools already present"
fi

# --- npm: Khronos glTF validator ---------------------------------------------
installed_ver="$(node -e 'try{process.stdout.write(require(process.argv[1]).version)}catch(e){}' \
  "$NODE_PREFIX/node_modules/gltf-validator/package.json" 2>/dev/null || true)"
if [[ "$installed_ver" != "$GLTF_VALIDATOR_VERSION" ]]; then
  echo "install-tools: npm installing gltf-validator@$GLTF_VALIDATOR_VERSION into $NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --save-exact \
    "gltf-validator@$GLTF_VALIDATOR_VERSION"
else
  echo "install-tools: gltf-validator $installed_ver already present"
fi

# --- versions ----------------------------------------------------------------
echo "install-tools: versions:"
dpkg-query -W -f='  ${Package} ${Version}\n' admesh prusa-slicer potrace debootstrap
echo "  gltf-validator $GLTF_VALIDATOR_VERSION (node $(node --version))"
