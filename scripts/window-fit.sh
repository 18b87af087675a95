#!/bin/bash
# Under a real window manager (openbox) on Xvfb: start Sealpost on a fresh profile, open the Log dock
# (Ctrl+L), ask for 1280x720, and print the size the window really has and the minimum it asks for.
#   scripts/with-test-keyring.sh scripts/window-fit.sh                         # a 1366x768 laptop
#   SCREEN=2560x1440x24 SCALE=2 scripts/with-test-keyring.sh scripts/window-fit.sh   # 2x scaling
set -u
cd "$(dirname "$0")/.."
export DISPLAY=:${DISPLAY_NUMBER:-77} QT_SCALE_FACTOR=${SCALE:-1}
Xvfb "$DISPLAY" -screen 0 "${SCREEN:-1366x768x24}" >/dev/null 2>&1 & xvfb=$!
sleep 1
openbox >/dev/null 2>&1 & wm=$!
sleep 1
profile=$(mktemp -d)
.venv/bin/sealpost --profile-dir "$profile" >"$profile/stdout.log" 2>&1 & app=$!
wid=""
for _ in $(seq 30); do
  wid=$(xdotool search --name "Sealpost — secure email" 2>/dev/null | head -1)
  [ -n "$wid" ] && break
  sleep 1
done
sleep 3
xdotool windowactivate --sync "$wid"; xdotool key ctrl+l; sleep 1
xdotool windowsize --sync "$wid" $((1280 * ${SCALE:-1})) $((720 * ${SCALE:-1})); sleep 1
xdotool getwindowgeometry "$wid" | grep Geometry
xprop -id "$wid" WM_NORMAL_HINTS | grep minimum
kill "$app"; sleep 2; kill "$wm" "$xvfb"; rm -rf "$profile"
