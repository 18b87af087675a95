#!/usr/bin/env bash
# Compiles the translation catalogues (resources/i18n/*.ts → .qm) and copies Qt's own catalogue for each
# language (qtbase_<lang>.qm: standard buttons and dialogs) beside them. The .qm files are build products,
# not committed: `make` (run, test) and packaging/build-deb.sh run this. Usage: scripts/build-translations.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
qt_translations=$("$BIN/python" -c \
  'from PySide6.QtCore import QLibraryInfo as L; print(L.path(L.LibraryPath.TranslationsPath))')
for ts in resources/i18n/*.ts; do
  "$BIN/pyside6-lrelease" -silent -nounfinished "$ts" -qm "${ts%.ts}.qm"
  lang=${ts##*_}
  lang=${lang%.ts}
  if [ -f "$qt_translations/qtbase_$lang.qm" ]; then cp "$qt_translations/qtbase_$lang.qm" resources/i18n/; fi
done
