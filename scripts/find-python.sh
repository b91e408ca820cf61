#!/usr/bin/env bash
# find-python.sh X.Y - print the path of a Python X.Y interpreter that really runs.
# Tries python X.Y on PATH, pyenv's installed X.Y versions, then the usual system
# places; a pyenv shim that exists but fails (version not selected) is skipped.
# Exits 1 with one line saying what to install when there is none.
set -uo pipefail
want="${1:?usage: find-python.sh X.Y}"
candidates=("python$want")
root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
for dir in "$root"/versions/"$want"*; do
  [ -x "$dir/bin/python$want" ] && candidates+=("$dir/bin/python$want")
done
candidates+=("/usr/bin/python$want" "/usr/local/bin/python$want")
if [ "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$want" ]; then
  candidates+=("python3")
fi
for c in "${candidates[@]}"; do
  path="$(command -v "$c" 2>/dev/null)" || continue
  got="$("$path" -c 'import sys, venv; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" || continue
  if [ "$got" = "$want" ]; then
    echo "$path"
    exit 0
  fi
done
echo "find-python: no working Python $want (with venv) found: install it, e.g. 'pyenv install $want' or 'apt-get install python$want python$want-venv'" >&2
exit 1
