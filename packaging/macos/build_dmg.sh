#!/usr/bin/env bash
# Builds dist/Giftbatch.app (the same PyInstaller spec as Linux) and packs it into
# dist/giftbatch-<version>-macos.dmg with a link to /Applications. Run on macOS with Python 3.11.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -d .venv ]] || python3.11 -m venv .venv
.venv/bin/python -m pip install -q -e ".[build]"
VERSION=$(.venv/bin/python -c 'import app; print(app.__version__)')
.venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/giftbatch.spec

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp -R dist/Giftbatch.app "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -quiet -volname "Giftbatch" -srcfolder "$STAGE" -ov -format UDZO "dist/giftbatch-${VERSION}-macos.dmg"
du -sh dist/Giftbatch.app "dist/giftbatch-${VERSION}-macos.dmg"
