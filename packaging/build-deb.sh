#!/usr/bin/env bash
# Builds the PyInstaller bundle (packaging/sealpost.spec) and wraps it in dist/sealpost_<version>_<arch>.deb:
# the bundle under /opt/sealpost, /usr/bin/sealpost, the desktop entry, icons and AppStream metainfo.
# Depends: is worked out by dpkg-shlibdeps from what the bundle links to, plus what it needs at run time
# without linking (fontconfig, a font). Version comes from pyproject.toml (packaging/package-info.sh).
# Usage: packaging/build-deb.sh            (PYTHON=path/to/venv/python to use another environment)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
source packaging/package-info.sh
APPSTREAM_ID=com.sealpost.Sealpost
ICON_SIZES=(16 24 32 48 64 128 256 512)
# Needed at run time but not linked: Qt finds fonts through fontconfig and draws boxes without any font.
EXTRA_DEPENDS="fontconfig, fonts-dejavu-core | fonts-noto-core | fonts-liberation2"
# The app keeps its API key and database key in the Secret Service; without one it runs with an ephemeral key.
# Spell checking loads Enchant at run time (ctypes, not linked) over the hunspell dictionaries; without
# them the composer says spell checking is off and everything else works.
RECOMMENDS="gnome-keyring | keepassxc, libenchant-2-2, hunspell-en-us | hunspell-dictionary"

for tool in dpkg-deb dpkg-shlibdeps; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done
build=build/pyinstaller
stage=build/deb
root=$stage/debian/$PACKAGE

grep -q "<release version=\"$VERSION\"" resources/sealpost.metainfo.xml \
  || echo "build-deb: warning: no <release version=\"$VERSION\"> in resources/sealpost.metainfo.xml" >&2

started=$SECONDS
BIN=$(dirname "$PYTHON") scripts/build-translations.sh  # the .qm catalogues the bundle ships
ls resources/i18n/*.qm >/dev/null || { echo "build-deb: no compiled translations" >&2; exit 1; }
"$PYTHON" -m PyInstaller --noconfirm --log-level WARN --distpath "$build/dist" --workpath "$build/work" \
  packaging/sealpost.spec
bundle_seconds=$((SECONDS - started))
# The spec prunes these; if a PyInstaller or PySide6 update brings them back, stop here rather than ship them.
unwanted=$(find "$build/dist/$PACKAGE" \( -name 'libqgtk3*' -o -name 'libgtk-3*' -o -name 'libQt6WebEngine*' \
  -o -name '_tkinter*' -o -path '*/keyrings/alt*' \) -print)
[ -z "$unwanted" ] || { echo "build-deb: the bundle contains what the spec excludes:" "$unwanted" >&2; exit 1; }

rm -rf "$stage" && umask 022
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/metainfo" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/$PACKAGE"
cp -a "$build/dist/$PACKAGE" "$root/opt/$PACKAGE"
ln -s "/opt/$PACKAGE/$PACKAGE" "$root/usr/bin/$PACKAGE"
install -m 644 resources/sealpost.desktop "$root/usr/share/applications/$PACKAGE.desktop"
install -m 644 resources/sealpost.metainfo.xml "$root/usr/share/metainfo/$APPSTREAM_ID.metainfo.xml"
install -m 644 resources/icons/sealpost.svg "$root/usr/share/icons/hicolor/scalable/apps/$PACKAGE.svg"
for size in "${ICON_SIZES[@]}"; do
  install -D -m 644 "resources/icons/sealpost-$size.png" "$root/usr/share/icons/hicolor/${size}x$size/apps/$PACKAGE.png"
done
install -m 644 packaging/copyright "$root/usr/share/doc/$PACKAGE/copyright"
chmod -R u+rwX,go+rX,go-w "$root"

# dpkg-shlibdeps wants a debian/control beside the tree; libraries inside the tree count as the package's own.
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$PACKAGE" "$PACKAGE" >"$stage/debian/control"
mapfile -t elf_files < <(find "$root/opt" -type f \( -name '*.so' -o -name '*.so.*' -o -path "*/opt/$PACKAGE/$PACKAGE" \))
shlib_depends=$(cd "$stage" && dpkg-shlibdeps --warnings=0 -O "${elf_files[@]#"$stage/"}" | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlib_depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

cat >"$root/DEBIAN/control" <<EOF
Package: $PACKAGE
Version: $VERSION
Architecture: $ARCH
Maintainer: Sealpost engineers <packaging@sealpost.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $shlib_depends, $EXTRA_DEPENDS
Recommends: $RECOMMENDS
Section: mail
Priority: optional
Description: secure email for healthcare staff, sent through Paubox
 Sealpost lets healthcare staff compose secure email, send it through the
 Paubox Email API and follow every message until it is delivered, bounced
 or opened. Local data is kept in an encrypted SQLCipher database whose key
 lives in the system keyring. A built-in sandbox allows trying every
 feature without a Paubox account.
EOF
# No maintainer scripts: the desktop database and icon cache are refreshed by the dpkg triggers that
# desktop-file-utils and hicolor-icon-theme register on their directories.

mkdir -p dist
dpkg-deb --root-owner-group -Zzstd --build "$root" "$DEB" >/dev/null
echo "build-deb: $DEB ($(du -h "$DEB" | cut -f1); bundle $(du -sh "$build/dist/$PACKAGE" | cut -f1)," \
  "PyInstaller ${bundle_seconds} s, total $((SECONDS - started)) s)"
