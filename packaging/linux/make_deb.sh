#!/usr/bin/env bash
# Packs dist/giftbatch/ into dist/giftbatch_<version>_<arch>.deb: the app under /opt/giftbatch, `giftbatch` on
# the PATH, a desktop entry and icons for the menu. Prints the .deb's path.
set -euo pipefail
VERSION=$1
ARCH=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" "$STAGE/DEBIAN"
cp -a "$ROOT/dist/giftbatch" "$STAGE/opt/giftbatch"
ln -s /opt/giftbatch/giftbatch "$STAGE/usr/bin/giftbatch"
install -m 644 "$ROOT/packaging/linux/giftbatch.desktop" "$STAGE/usr/share/applications/giftbatch.desktop"
for size in 16 24 32 48 64 128 256; do
    dir="$STAGE/usr/share/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    install -m 644 "$ROOT/app/resources/icons/giftbatch-${size}.png" "$dir/giftbatch.png"
done
install -m 755 "$ROOT/packaging/linux/postinst" "$STAGE/DEBIAN/postinst"
install -m 755 "$ROOT/packaging/linux/postinst" "$STAGE/DEBIAN/postrm"

installed_kb=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$installed_kb/" \
    "$ROOT/packaging/linux/control.in" > "$STAGE/DEBIAN/control"

out="$ROOT/dist/giftbatch_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$out" >/dev/null
echo "$out"
