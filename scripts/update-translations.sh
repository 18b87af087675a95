#!/usr/bin/env bash
# After adding or changing a user-visible string: extracts every self.tr()/QCoreApplication.translate() of
# the GUI (and the settings schema's labels, through desktop_app/ui/settings_strings.py) into
# resources/i18n/sealpost_es.ts, then lists what still needs a translation (exit 1 if anything does).
# Translate the listed entries in the .ts (pyside6-linguist, or any editor), run this again, then commit the .ts.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
"$BIN/python" scripts/translations.py strings
"$BIN/pyside6-lupdate" -silent -no-obsolete -locations none -source-language en_US -target-language es_ES \
  $(find desktop_app/ui -name '*.py' | sort) -ts resources/i18n/sealpost_es.ts
"$BIN/python" scripts/translations.py check resources/i18n/sealpost_es.ts
BIN=$BIN scripts/build-translations.sh
