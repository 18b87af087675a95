#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a freshly unlocked gnome-keyring (the real
# Secret Service), in a throwaway HOME so no stale keyring file can be locked with another password.
# Usage: scripts/with-test-keyring.sh COMMAND [ARGS...]
set -euo pipefail
scratch=$(mktemp -d -t sealpost-keyring-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# The password only unlocks this throwaway keyring, which is deleted on exit.
exec dbus-run-session -- sh -c '
  printf %s "sealpost-test-$$" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec "$@"' sh "$@"
