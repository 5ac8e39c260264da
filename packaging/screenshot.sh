#!/usr/bin/env bash
# Regenerate the README screenshot from the laptop-wrong-account sandbox scenario (no Azure needed).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
QT_QPA_PLATFORM=offscreen CHAINSIGHT_THEME=light \
  "$python" -m app --sandbox laptop-wrong-account --run --screenshot resources/screenshot.png
echo "wrote resources/screenshot.png"
