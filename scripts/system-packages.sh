#!/usr/bin/env bash
# Installs the Debian packages Sealpost needs to run and to be tested, only if any is missing.
# Idempotent and quiet when everything is present; needs root (or sudo) only when it installs.
set -euo pipefail

RUNTIME=(libegl1 libgl1 libfontconfig1 fontconfig fonts-dejavu-core libxkbcommon0 libxkbcommon-x11-0
         libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
         libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1
         # Spell checking (ui/spelling.py): Enchant and the English and Spanish hunspell dictionaries.
         libenchant-2-2 hunspell-en-us hunspell-es)
TESTING=(dbus gnome-keyring xvfb xauth desktop-file-utils appstream
         # make package / package-check: dpkg-shlibdeps and strip (dpkg-dev brings binutils), xwininfo.
         dpkg-dev x11-utils
         # tests/a11y: the accessibility bus and Debian's pyatspi, to read the window as Orca does, and
         # xdotool to type into it as a keyboard does (tests/a11y/test_everyday_flows.py).
         at-spi2-core python3-pyatspi gir1.2-atspi-2.0 python3-gi xdotool
         # scripts/window-fit.sh: a real window manager that enforces the minimum size.
         openbox
         # tests/e2e/test_export_pdf.py, the message-record GUI tests and the disclosure report read the
         # PDF back with pdftotext; the audit forwarding tests need a real syslog collector (TLS: gnutls).
         poppler-utils rsyslog rsyslog-gnutls)
PYTHON=(python3-venv)

want=("${RUNTIME[@]}")
case "${1:-run}" in
  test) want+=("${TESTING[@]}") ;;
  run) ;;
  *) echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac
# python3-venv matters only when the interpreter is Debian's own.
if [ "$(command -v python3)" = /usr/bin/python3 ]; then want+=("${PYTHON[@]}"); fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
