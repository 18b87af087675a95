#!/usr/bin/env bash
# Starts the installed `sealpost` on the X display it is given (smoke-test.sh runs it under xvfb-run),
# waits until its main window is mapped and viewable, optionally saves a screenshot, then stops the app.
# Usage: packaging/window-check.sh PROFILE_DIR STDERR_FILE [SCREENSHOT.png]
set -euo pipefail
profile=$1 stderr_file=$2 screenshot=${3:-}
# WM_CLASS (instance, class) of the app's windows: class is the application name, which the desktop entry's
# StartupWMClass must match for docks to group the window under the launcher. Qt's hidden helper windows
# carry no WM_CLASS, so this finds the main window.
WM_CLASS='("sealpost" "Sealpost")'
WAIT_SECONDS=30

sealpost --profile-dir "$profile" 2>"$stderr_file" &
app=$!
trap 'kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true' EXIT

window=""
for _ in $(seq $((WAIT_SECONDS * 10))); do
  kill -0 "$app" 2>/dev/null || { echo "window-check: sealpost exited early" >&2; cat "$stderr_file" >&2; exit 1; }
  # Top-level windows are listed as: 0x200007 "Sealpost — secure email": ("sealpost" "Sealpost")  1180x760+0+0 ...
  window=$(xwininfo -root -children | awk -v class="$WM_CLASS" 'index($0, class) { print $1; exit }')
  if [ -n "$window" ] && xwininfo -id "$window" | grep -q "Map State: IsViewable"; then break; fi
  window=""
  sleep 0.1
done
[ -n "$window" ] || { echo "window-check: no viewable $WM_CLASS window after $WAIT_SECONDS s" >&2; exit 1; }
echo "smoke: window $(xwininfo -id "$window" | sed -n 's/^xwininfo: Window id: //p') is viewable"
if [ -n "$screenshot" ] && command -v import >/dev/null; then
  sleep 1  # let the first paint land
  import -window root "$screenshot" && echo "smoke: screenshot saved to $screenshot"
fi
