#!/usr/bin/env bash
# Build a self-contained Chainsight folder with PyInstaller, plus the Linux desktop files.
# Output: dist/chainsight/ (run dist/chainsight/chainsight) and, on Linux, dist/share/ to copy under
# /usr/local/share or ~/.local/share. Note: the sandbox's fake az/azd/pwsh are Python scripts run with
# the interpreter, so `sandbox exec` needs Chainsight installed with pip, not the frozen build.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv build/venv
build/venv/bin/pip install -q . "pyinstaller>=6"
build/venv/bin/python packaging/render_icons.py
build/venv/bin/pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/chainsight.spec

if [ "$(uname -s)" = "Linux" ]; then
  share=dist/share
  install -Dm644 packaging/io.github.chainsight.Chainsight.desktop "$share/applications/io.github.chainsight.Chainsight.desktop"
  install -Dm644 packaging/io.github.chainsight.Chainsight.metainfo.xml "$share/metainfo/io.github.chainsight.Chainsight.metainfo.xml"
  (cd packaging/icons && find hicolor -type f -exec install -Dm644 {} "../../$share/icons/{}" \;)
fi
echo "built: dist/chainsight/chainsight"
