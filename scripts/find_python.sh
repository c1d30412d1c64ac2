#!/bin/sh
# Print the path of the newest Python >= 3.12 that actually runs, or explain and fail.
# Order: pyenv installs (3.13, then 3.12; the shims need PYENV_VERSION, so use the real
# binaries), then python3.13, python3.12, python3 on PATH.
set -u

candidates=""
root="$(pyenv root 2>/dev/null || true)"
if [ -n "$root" ] && [ -d "$root/versions" ]; then
    for minor in 3.13 3.12; do
        for py in $(ls -d "$root/versions/$minor"* 2>/dev/null | sort -rV); do
            candidates="$candidates $py/bin/python3"
        done
    done
fi
for name in python3.13 python3.12 python3; do
    path="$(command -v "$name" 2>/dev/null || true)"
    [ -n "$path" ] && candidates="$candidates $path"
done

for py in $candidates; do
    if [ -x "$py" ] && "$py" -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1; then
        echo "$py"
        exit 0
    fi
done
echo "No Python >= 3.12 found: install Python 3.12 or 3.13 (e.g. pyenv install 3.13)" >&2
exit 1
