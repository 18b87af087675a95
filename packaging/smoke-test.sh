#!/usr/bin/env bash
# Proves the built .deb on this machine: lints the desktop entry and AppStream metainfo it ships, installs it
# with dpkg -i, runs the installed `sealpost --self-test` offscreen with a fresh profile under a throwaway
# Secret Service keyring (failing on any unexpected stderr line), starts the installed app under Xvfb and
# waits for its main window, then removes the package again. Needs root (or sudo): it installs system-wide,
# so run it on a CI or throwaway machine. Usage: packaging/smoke-test.sh [path/to/sealpost.deb]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
PYTHON=${PYTHON:-.venv/bin/python}
source packaging/package-info.sh
DEB=$(realpath "${1:-$DEB}")
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
# Lines dbus-run-session's own daemon may print (it cannot raise its fd limit in containers); anything
# else on stderr is a finding.
ALLOWED_STDERR='^dbus-daemon\[[0-9]+\]: '

step() { echo "smoke: $*"; }
fail() { echo "smoke: FAILED — $*" >&2; exit 1; }
check_stderr() {  # check_stderr FILE WHAT
  if grep -Evq "$ALLOWED_STDERR" "$1"; then
    echo "--- unexpected stderr from $2:" >&2
    grep -Ev "$ALLOWED_STDERR" "$1" >&2
    fail "$2 wrote unexpected lines on stderr"
  fi
}

[ -f "$DEB" ] || fail "$DEB not found (run make package first)"
for tool in desktop-file-validate xvfb-run xwininfo dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/system-packages.sh test installs it)"
done
scratch=$(mktemp -d -t sealpost-smoke-XXXXXX)
installed=""
cleanup() {
  if [ -n "$installed" ]; then $SUDO dpkg -r "$PACKAGE" >/dev/null || echo "smoke: could not remove $PACKAGE" >&2; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

step "package $(basename "$DEB"), $(du -h "$DEB" | cut -f1)"
if dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "install ok installed"; then
  step "note: $PACKAGE $(dpkg-query -W -f='${Version}' "$PACKAGE") is installed already; it is replaced, then removed"
fi

# dpkg -i does not fetch dependencies: install the missing ones (first of each alternative) the way apt would.
missing=()
IFS=',' read -ra depends <<<"$(dpkg-deb -f "$DEB" Depends)"
for dependency in "${depends[@]}"; do
  name=$(sed -E 's/^ *//; s/[ |(].*//' <<<"$dependency")
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing dependencies: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

started=$SECONDS
installed=yes
$SUDO dpkg -i "$DEB" >/dev/null
[ "$(command -v sealpost)" = /usr/bin/sealpost ] || fail "sealpost is not on the PATH as /usr/bin/sealpost"
desktop-file-validate /usr/share/applications/sealpost.desktop || fail "desktop-file-validate"
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net /usr/share/metainfo/*sealpost*.metainfo.xml >/dev/null \
    || fail "appstreamcli validate: $(appstreamcli validate --no-net /usr/share/metainfo/*sealpost*.metainfo.xml)"
fi
for icon in scalable/apps/sealpost.svg 48x48/apps/sealpost.png 256x256/apps/sealpost.png; do
  [ -s "/usr/share/icons/hicolor/$icon" ] || fail "icon $icon is missing"
done
[ "$(sealpost --version)" = "Sealpost $VERSION" ] || fail "sealpost --version says '$(sealpost --version)'"

# Run the installed app the way a user would: outside the repository, with no trace of the dev venv.
cd "$scratch"
clean_env=(env -u PYTHONPATH -u PYTHONHOME -u VIRTUAL_ENV)
step "self-test (offscreen, fresh profile, real keyring)"
"${clean_env[@]}" QT_QPA_PLATFORM=offscreen "$repo/scripts/with-test-keyring.sh" \
  sealpost --self-test --profile-dir "$scratch/profile-offscreen" >"$scratch/self-test.out" 2>"$scratch/self-test.err" \
  || { cat "$scratch/self-test.out" "$scratch/self-test.err" >&2; fail "self-test exited non-zero"; }
check_stderr "$scratch/self-test.err" "sealpost --self-test"
grep -q "^self-test: OK" "$scratch/self-test.out" || fail "self-test printed: $(cat "$scratch/self-test.out")"
step "$(cat "$scratch/self-test.out")"
install_and_self_test=$((SECONDS - started))

step "main window under Xvfb (xcb)"
"${clean_env[@]}" QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" "$repo/scripts/with-test-keyring.sh" \
  "$repo/packaging/window-check.sh" "$scratch/profile-xcb" "$scratch/window.err" "${SMOKE_SCREENSHOT:-}" \
  || fail "the main window did not appear"
check_stderr "$scratch/window.err" "sealpost under Xvfb"

cd "$repo"
$SUDO dpkg -r "$PACKAGE" >/dev/null
installed=""
[ ! -e /usr/bin/sealpost ] && [ ! -e /opt/sealpost ] || fail "dpkg -r left /usr/bin/sealpost or /opt/sealpost behind"
step "OK — install + self-test ${install_and_self_test} s, whole smoke test $((SECONDS - started)) s; package removed"
