#!/usr/bin/env bash
# Regenerate the README screenshot from the laptop-wrong-account sandbox scenario (no Azure needed).
# The window is what a first start on a 1440x900 screen shows: the offscreen platform is given a screen
# of that size (SCREEN=WxH to change it), and the app sizes itself to it as it would on a real desktop.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
screen="${SCREEN:-1440x900}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
settings="$work/settings.ini"  # a first start: default layout, not this machine's remembered one
cat > "$work/screen.json" <<JSON
{"screens": [{"name": "Screenshot", "x": 0, "y": 0, "width": ${screen%x*}, "height": ${screen#*x},
              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
JSON
QT_QPA_PLATFORM="offscreen:configfile=$work/screen.json" \
  "$python" -m app --sandbox laptop-wrong-account --run --theme light \
  --screenshot resources/screenshot.png --settings "$settings"
echo "wrote resources/screenshot.png (a first start on a ${screen} screen)"
