#!/usr/bin/env bash
# Builds everything this machine can build into dist/: the app folder dist/giftbatch/, a .tar.gz of it and,
# on Debian-like Linux, a .deb that installs under /opt. Prints sizes against the targets.
# Usage: packaging/build.sh [--skip-deb]      (PYTHON=path/to/python to use another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
if [[ ! -x "$PYTHON" ]]; then
    python3.11 -m venv .venv
    PYTHON=$ROOT/.venv/bin/python
fi
"$PYTHON" -m pip install -q -e ".[build]"

VERSION=$("$PYTHON" -c 'import app; print(app.__version__)')
ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)
start=$(date +%s)

"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/giftbatch.spec
build_seconds=$(( $(date +%s) - start ))

tarball="dist/giftbatch-${VERSION}-linux-${ARCH}.tar.gz"
tar -C dist -czf "$tarball" giftbatch

deb=""
if [[ "${1:-}" != "--skip-deb" ]] && command -v dpkg-deb >/dev/null; then
    deb=$(bash packaging/linux/make_deb.sh "$VERSION" "$ARCH")
fi

mb() { du -sm "$1" | cut -f1; }
printf '\n%-28s %10s %10s\n' "artifact" "size (MB)" "target"
printf '%-28s %10s %10s\n' "app folder dist/giftbatch" "$(mb dist/giftbatch)" "<= 200"
printf '%-28s %10s %10s\n' "$(basename "$tarball")" "$(mb "$tarball")" "-"
[[ -n "$deb" ]] && printf '%-28s %10s %10s\n' "$(basename "$deb")" "$(mb "$deb")" "<= 90"
printf '%-28s %10s\n' "build time (s)" "$build_seconds"
