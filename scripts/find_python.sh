#!/usr/bin/env bash
# Print the path of a Python interpreter of Colab's minor version (the
# `# python-version:` line of notebooks/colab-runtime.txt, e.g. 3.13) that can
# make virtual environments, or stop with a message saying how to get one.
#
#   scripts/find_python.sh              # the version from notebooks/colab-runtime.txt
#   scripts/find_python.sh 3.13         # a given minor version
#   PYTHON=/opt/py/bin/python3.13 scripts/find_python.sh   # this one, or fail
#
# Candidates, first working one wins: $PYTHON when set; `python3.X` on PATH
# (run, not just found: a pyenv shim is on PATH but fails without
# PYENV_VERSION); pyenv's versions/3.X.*; /usr/bin/python3.X; `python3`.
# Used by the Makefile to create .venv.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
record="$root/notebooks/colab-runtime.txt"
want="${1:-}"
if [ -z "$want" ]; then
  want="$(sed -n 's/^# python-version: *\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' "$record" | head -n 1)"
  if [ -z "$want" ]; then
    echo "$record: no '# python-version: 3.X.Y' line, so the Python version to use is unknown." >&2
    exit 2
  fi
fi
major="${want%%.*}"
minor="${want#*.}"

# 0: Python $want with venv and ensurepip; 1: Python $want without them; 2: anything else.
probe() {
  "$1" -c "
import sys
if sys.version_info[:2] != ($major, $minor):
    sys.exit(2)
try:
    import ensurepip, venv
except ImportError:
    sys.exit(1)
print(sys.executable)
" 2>/dev/null
}

candidates=()
if [ -n "${PYTHON:-}" ]; then
  candidates=("$PYTHON")
else
  candidates+=("python$want")
  pyenv_root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"
  for found in "$pyenv_root"/versions/"$want".*/bin/python"$want"; do
    [ -e "$found" ] && candidates+=("$found")
  done
  candidates+=("/usr/bin/python$want" "python3")
fi

without_venv=""
for candidate in "${candidates[@]}"; do
  status=0
  path="$(probe "$candidate")" || status=$?
  if [ "$status" -eq 0 ] && [ -n "$path" ]; then
    echo "$path"
    exit 0
  fi
  if [ "$status" -eq 1 ]; then
    without_venv="$(command -v "$candidate" || echo "$candidate")"
  fi
done

if [ -n "${PYTHON:-}" ] && [ -z "$without_venv" ]; then
  echo "PYTHON=$PYTHON is not a working Python $want." >&2
fi
if [ -n "$without_venv" ]; then
  echo "Found Python $want ($without_venv), but it cannot create virtual environments (no venv/ensurepip module)." >&2
  echo "On Debian or Ubuntu: sudo apt-get install python$want-venv" >&2
else
  echo "No Python $want found. The course runs and tests its notebooks with Google Colab's" >&2
  echo "Python version (the python-version line of notebooks/colab-runtime.txt). Install it, then run make again:" >&2
fi
cat >&2 <<EOF
  - Debian 13, Ubuntu 25.04 or newer: sudo apt-get install python$want python$want-venv
    (older Ubuntu: the deadsnakes PPA has python$want and python$want-venv)
  - pyenv: pyenv install $want
  - GitHub Actions: actions/setup-python with python-version: "$want"
  - or name an interpreter: make setup PYTHON=/path/to/python$want
EOF
exit 1
