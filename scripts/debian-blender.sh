#!/usr/bin/env bash
# debian-blender.sh - Debian trixie's own Blender (4.3.2, Python 3.13, numpy from
# python3-numpy) in a debootstrap root, for tests of the real `blender` binary.
#
#   debian-blender.sh setup        build the root once (about 4 minutes, 1.7 GB); a no-op when built
#   debian-blender.sh root         print the root's path
#   debian-blender.sh run CMD...   run CMD inside the root (as root, /proc /dev /sys bound for that run)
#
# The root lives outside the repository, in $IMAGE_TO_PRINT_CACHE (default
# ~/.cache/image-to-print), so a fresh clone on the same machine reuses it. It also
# carries what the window tests need (Xvfb, xdotool, ImageMagick, Mesa) and PrusaSlicer 2.9.
# Debian's packages come from the mirror this machine's apt already uses.
set -euo pipefail

CACHE="${IMAGE_TO_PRINT_CACHE:-$HOME/.cache/image-to-print}"
ROOT="$CACHE/debian-trixie"
STAMP="$ROOT/.image-to-print-ready"
PACKAGES="blender,python3-numpy,xvfb,xauth,xdotool,imagemagick,libgl1-mesa-dri,prusa-slicer"

mirror() {
  # The first Debian mirror in this machine's apt sources (deb822 or one-line format).
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
      /etc/apt/sources.list)"
  fi
  echo "${uri%/}"
}

setup() {
  if [ -f "$STAMP" ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "debian-blender: building the Debian root needs root (debootstrap, chroot)" >&2
    exit 1
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  for fs in sys dev proc; do  # never delete through a bind mount left by an interrupted run
    if mountpoint -q "$ROOT/$fs" 2>/dev/null; then umount -l "$ROOT/$fs"; fi
  done
  rm -rf --one-file-system "$ROOT"
  mkdir -p "$CACHE"
  echo "debian-blender: building $ROOT (Debian trixie with blender; a few minutes, once)" >&2
  local log="$CACHE/debootstrap.log"
  # A bare system first, then apt inside it: debootstrap's own --include does not resolve
  # alternatives (dconf-service needs "default-dbus-session-bus | dbus-session-bus").
  # shellcheck disable=SC2046
  if ! debootstrap --variant=minbase trixie "$ROOT" $(mirror) >"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "debian-blender: debootstrap failed (log: $log)" >&2
    exit 1
  fi
  if ! { chroot "$ROOT" apt-get update -qq &&
         chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
           ${PACKAGES//,/ } && chroot "$ROOT" apt-get clean; } >>"$log" 2>&1; then
    tail -20 "$log" >&2
    echo "debian-blender: installing $PACKAGES in the root failed (log: $log)" >&2
    exit 1
  fi
  chroot "$ROOT" blender --version >/dev/null 2>&1 || { echo "debian-blender: blender does not start" >&2; exit 1; }
  touch "$STAMP"
}

run() {
  if [ ! -f "$STAMP" ]; then
    echo "debian-blender: no Debian root yet: run 'scripts/debian-blender.sh setup'" >&2
    exit 1
  fi
  # A mount namespace of its own: the binds vanish with the run, and never under another run
  # (two tiers run at once). Where unshare is refused, bind once and unbind at the end.
  if [ -z "${DEBIAN_BLENDER_NS:-}" ] && unshare --mount --propagation private true 2>/dev/null; then
    exec env DEBIAN_BLENDER_NS=1 unshare --mount --propagation private bash "$0" run "$@"
  fi
  MOUNTED=()
  cleanup() {
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do umount -l "${MOUNTED[$i]}" 2>/dev/null || true; done
  }
  trap cleanup EXIT
  for fs in proc dev sys; do
    if [ -n "${DEBIAN_BLENDER_NS:-}" ] || ! mountpoint -q "$ROOT/$fs"; then
      mount --bind "/$fs" "$ROOT/$fs"
      MOUNTED+=("$ROOT/$fs")
    fi
  done
  chroot "$ROOT" env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "$@"
}

case "${1:-}" in
  setup) setup ;;
  root) echo "$ROOT" ;;
  run) shift; run "$@" ;;
  *) echo "usage: debian-blender.sh setup | root | run CMD..." >&2; exit 2 ;;
esac
