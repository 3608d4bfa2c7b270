#!/bin/sh
# Makes sure Debian's chromium is installed for the browser tests (test/platforms/runtimes.test.ts);
# run by `npm test`. A no-op when it is there; CI machines start clean and run as root, so this
# installs it with apt-get. CHROMIUM_PATH overrides the location (default /usr/bin/chromium).
set -eu
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0

echo "ensure-chromium: $CHROMIUM is missing; installing Debian's chromium with apt-get" >&2
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "ensure-chromium: not root and no password-less sudo: install it with 'apt-get install chromium'," >&2
  echo "or point CHROMIUM_PATH at a Chromium binary" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium
[ -x "$CHROMIUM" ] || { echo "ensure-chromium: installed, but $CHROMIUM is still missing" >&2; exit 1; }
