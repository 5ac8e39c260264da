#!/usr/bin/env bash
# Regenerate the README screenshot from the laptop-wrong-account sandbox scenario (no Azure needed).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
settings="$(mktemp -d)/settings.ini"  # a first start: default layout, not this machine's remembered one
QT_QPA_PLATFORM=offscreen CHAINSIGHT_THEME=light \
  "$python" -m app --sandbox laptop-wrong-account --run --screenshot resources/screenshot.png --settings "$settings"
echo "wrote resources/screenshot.png"
