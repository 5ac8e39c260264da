#!/usr/bin/env bash
# Build Chainsight's packages into dist/: the wheel and the sdist (the wheel is built from the sdist, so
# the sdist provably carries everything), and a self-contained PyInstaller folder frozen from that wheel,
# plus on Linux the desktop files and icons under dist/share (copy it to ~/.local/share or /usr/local/share).
# Build tools come from pyproject.toml's `packaging` extra, installed into build/venv; sources stay untouched
# (icons are rendered into build/icons).
set -euo pipefail
cd "$(dirname "$0")/.."
APP_ID=io.github.chainsight.Chainsight

rm -rf dist/chainsight dist/share dist/chainsight-*.whl dist/chainsight-*.tar.gz build/icons
python3 -m venv --clear build/venv
# The build backend and the `packaging` extra, read from pyproject.toml so the versions live in one place.
# Building in this venv (no isolation) spares two throwaway venvs per build.
build/venv/bin/python - >build/packaging-requirements.txt <<'PY'
import tomllib
with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)
print("\n".join(project["build-system"]["requires"] + project["project"]["optional-dependencies"]["packaging"]))
PY
build/venv/bin/pip install -q -r build/packaging-requirements.txt
build/venv/bin/python -m build --no-isolation --outdir dist . >build/python-build.log
wheel=$(ls dist/chainsight-*-py3-none-any.whl)
build/venv/bin/pip install -q "$wheel"
build/venv/bin/python packaging/render_icons.py build/icons
# From build/ so that only the installed wheel, not this source tree, is importable to PyInstaller.
(cd build && venv/bin/pyinstaller --noconfirm --log-level WARN --distpath ../dist --workpath pyinstaller \
  ../packaging/chainsight.spec)

if [ "$(uname -s)" = "Linux" ]; then
  share=dist/share
  install -Dm644 "packaging/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
  install -Dm644 "packaging/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
  (cd build/icons && find hicolor -type f -exec install -Dm644 {} "../../$share/icons/{}" \;)
fi
echo "built: $wheel, $(ls dist/chainsight-*.tar.gz), dist/chainsight/chainsight{,-gui}"
