#!/usr/bin/env bash
# CI's packaging check: build the wheel, sdist and frozen app (packaging/build.sh), then use each as a user
# gets it: the wheel installed alone in a clean venv, and the frozen folder, both run with an empty
# environment whose PATH holds only the system's folders (so no Python but the system's). For each:
# --version; `sandbox list` names every scenario; `sandbox exec --isolate-network --scenario laptop-az --
# <the same install> run --json` selects what laptop-az declares; the window opens under Xvfb and saves a
# screenshot of laptop-wrong-account. Also: the desktop metadata validates, the sandbox hands no frozen-runtime
# variable to its command, and the build leaves the git tree as it was.
# Output: two lines (sizes and times); on a failure, the failing step and its log, and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/build/smoke
APP_ID=io.github.chainsight.Chainsight
STEP_TIMEOUT=180 # seconds for any one command: a hang fails the step instead of stalling CI

rm -rf "$work"
mkdir -p "$work/home"

fail() { # fail WHAT [LOG]
  echo "packaging smoke: FAILED: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then tail -n 60 "$2" >&2; fi
  exit 1
}

# A command as a user runs it: empty environment, system PATH only, a throwaway HOME, outside the sources.
as_user() {
  (cd "$work/home" && timeout "$STEP_TIMEOUT" env -i HOME="$work/home" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@")
}

expected() { # expected SCENARIO KEY: what the scenario file declares DefaultAzureCredential picks
  python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["expected"][sys.argv[2]])' \
    "engine/sandbox/scenarios/$1.toml" "$2"
}

# smoke NAME CLI GUI: every check on one install
smoke() {
  local name=$1 cli=$2 gui=$3 out="$work/$1"
  as_user "$cli" --version >"$out-version.log" 2>&1 || fail "$name: chainsight --version" "$out-version.log"
  grep -qx "chainsight $version" "$out-version.log" || fail "$name: --version is not $version" "$out-version.log"

  as_user "$cli" sandbox list >"$out-list.log" 2>&1 || fail "$name: sandbox list" "$out-list.log"
  for scenario in engine/sandbox/scenarios/*.toml; do
    grep -q "^$(basename "$scenario" .toml) " "$out-list.log" || fail "$name: sandbox list lacks $scenario" "$out-list.log"
  done

  as_user "$cli" sandbox exec --isolate-network --scenario laptop-az -- "$cli" run --json >"$out-run.json" \
    2>"$out-run.log" || fail "$name: sandbox exec --isolate-network ... run --json" "$out-run.log"
  python3 - "$out-run.json" "$(expected laptop-az credential)" "$(expected laptop-az account)" <<'PY' ||
import json, sys
run = json.load(open(sys.argv[1]))
got = (run["selected"], (run.get("account") or {}).get("upn"))
sys.exit(0 if got == (sys.argv[2], sys.argv[3]) else f"selected {got}, laptop-az declares {tuple(sys.argv[2:])}")
PY
    fail "$name: the sandboxed run did not select what laptop-az declares" "$out-run.json"

  as_user "$cli" sandbox exec --scenario laptop-az -- /usr/bin/env >"$out-env.log" 2>&1 ||
    fail "$name: sandbox exec -- env" "$out-env.log"
  if grep -E "^_PYI_|$root/dist/chainsight/_internal" "$out-env.log"; then
    fail "$name: the sandbox passed the frozen runtime's variables to its command" "$out-env.log"
  fi

  as_user xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$gui" --sandbox laptop-wrong-account --run --screenshot "$out.png" >"$out-gui.log" 2>&1 ||
    fail "$name: the window under Xvfb (chainsight-gui --sandbox laptop-wrong-account --run --screenshot)" "$out-gui.log"
  # --screenshot shows a first start's natural size: the window fits the 1600x1000 screen, no smaller than its minimum
  python3 - "$out.png" <<'PY' || fail "$name: the screenshot is not a window-sized PNG within the 1600x1000 screen" "$out-gui.log"
import struct, sys
head = open(sys.argv[1], "rb").read(24)
width, height = struct.unpack(">II", head[16:24])
sys.exit(head[:8] != b"\x89PNG\r\n\x1a\n" or not (800 <= width <= 1600 and 400 <= height <= 1000))
PY
}

version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
tree_before=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT # a failed step leaves no background job behind

# The clean venv for the wheel is made while the build runs, and filled while the frozen folder is tested.
python3 -m venv "$work/venv" >"$work/venv.log" 2>&1 &
venv_job=$!

started=$SECONDS
bash packaging/build.sh >"$work/build.log" 2>&1 || fail "packaging/build.sh" "$work/build.log"
build_seconds=$((SECONDS - started))
[ "$(git status --porcelain --untracked-files=all 2>/dev/null || true)" = "$tree_before" ] ||
  fail "the build changed tracked or unignored files: $(git status --porcelain --untracked-files=all)"

started=$SECONDS
wheel=$(ls dist/chainsight-"$version"-py3-none-any.whl)
wait "$venv_job" || fail "python3 -m venv" "$work/venv.log"
"$work/venv/bin/pip" install -q "$root/$wheel" >"$work/venv.log" 2>&1 &
pip_job=$!

for file in "dist/share/applications/$APP_ID.desktop" "dist/share/metainfo/$APP_ID.metainfo.xml" \
  "dist/share/icons/hicolor/512x512/apps/$APP_ID.png" "dist/share/icons/hicolor/scalable/apps/$APP_ID.svg"; do
  [ -f "$file" ] || fail "the build made no $file"
done
desktop-file-validate "dist/share/applications/$APP_ID.desktop" >"$work/validate.log" 2>&1 ||
  fail "desktop-file-validate" "$work/validate.log"
appstreamcli validate --no-net "dist/share/metainfo/$APP_ID.metainfo.xml" >"$work/validate.log" 2>&1 ||
  fail "appstreamcli validate --no-net" "$work/validate.log"

smoke frozen "$root/dist/chainsight/chainsight" "$root/dist/chainsight/chainsight-gui"
wait "$pip_job" || fail "pip install $wheel (into a clean venv)" "$work/venv.log"
smoke wheel "$work/venv/bin/chainsight" "$work/venv/bin/chainsight-gui"

kib() { echo $(($(stat -c %s "$1") / 1024)); }
echo "packaging: built in ${build_seconds} s: wheel $(kib "$wheel") KiB, sdist $(kib dist/chainsight-"$version".tar.gz) KiB," \
  "frozen folder $(du -sm dist/chainsight | cut -f1) MiB"
echo "packaging: smoke passed in $((SECONDS - started)) s (clean venv with the wheel; frozen folder; desktop metadata valid; tree clean)"
