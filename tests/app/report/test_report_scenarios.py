"""`chainsight report` on every sandbox scenario, in all three formats, with canary secrets planted:
none ever appears; the HTML renders in headless Chromium to a non-blank page; with --redact-identities
no id of the scenario is left anywhere.

Planted: every secret of the scenario (app secrets, user passwords) is replaced by a canary before the
sandbox starts, a certificate password canary is exported, and after the reports the refresh and access
tokens the sandbox and the tools cached, its TLS private key and its managed-identity headers are
collected as canaries too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import tomli_w

from app.report import render
from engine.sandbox import list_scenarios, load_scenario
from tests.app.report import png
from tests.system import require_system

CERT_PASSWORD_CANARY = "Canary-CertPassword-5521"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
MIN_CANARY = 6

# Runs inside `chainsight sandbox exec`: four reports, then every secret the sandbox planted.
IN_SANDBOX = r"""
import json, os, pathlib, subprocess, sys
from engine.env_vars import SECRET_VARIABLES
out = pathlib.Path(OUT)
runs = {"plain": [], "redacted": ["--redact-identities"]}
results = {}
env = dict(os.environ, AZURE_CLIENT_CERTIFICATE_PASSWORD=CERT_PASSWORD)
for name, args in runs.items():
    outputs = [a for fmt in ("md", "html", "json") for a in ("--output", str(out / f"{name}.{fmt}"))]
    proc = subprocess.run([sys.executable, "-m", "app", "report", *args, "--option", "process_timeout=10", *outputs],
                          capture_output=True, text=True, env=env, timeout=150)
    results[name] = [proc.returncode, proc.stdout + proc.stderr]
SECRET_KEYS = {"secret", "refresh_token", "access_token", "accessToken", "refreshToken", "password", "id_token"}
planted = set()
def walk(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, k)
    elif isinstance(value, list):
        for v in value:
            walk(v, key)
    elif isinstance(value, str) and (key in SECRET_KEYS or value.startswith(("1.AS", "eyJ"))):
        planted.add(value)
root = pathlib.Path(os.environ["HOME"]).parent
for path in root.rglob("*"):
    if not path.is_file():
        continue
    text = path.read_text(errors="replace")
    if "PRIVATE KEY-----" in text:
        planted.update(line for line in text.splitlines() if len(line) > 40 and "-----" not in line)
        continue
    try:
        walk(json.loads(text))
    except ValueError:
        pass
planted.update(os.environ[n] for n in SECRET_VARIABLES if os.environ.get(n))
emit({"results": results, "planted": sorted(planted)})
"""


def _secrets_of(raw: dict) -> list[str]:
    values = [s for app in raw.get("apps", []) for s in app.get("secrets", [])]
    values += [u["password"] for u in raw.get("users", []) if u.get("password")]
    return sorted(set(values), key=len, reverse=True)


def _with_canaries(name: str, tmp_path: Path) -> tuple[Path, list[str]]:
    """The scenario with each of its secrets replaced, everywhere, by a canary of its own."""
    text = json.dumps(load_scenario(name).raw)
    canaries = []
    for i, secret in enumerate(_secrets_of(load_scenario(name).raw)):
        canary = f"Canary{i}~Secret.{name[:6]}~Q7"
        text = text.replace(json.dumps(secret)[1:-1], canary)
        canaries.append(canary)
    path = tmp_path / f"{name}.toml"
    path.write_bytes(tomli_w.dumps(json.loads(text)).encode())
    return path, canaries


def _identities(raw: dict) -> set[str]:
    """Every id and UPN the scenario declares (what --redact-identities must remove)."""
    ids = {t["id"] for t in raw.get("tenants", [])}
    ids |= {u[k] for u in raw.get("users", []) for k in ("upn", "oid") if u.get(k)}
    ids |= {
        a[k] for a in raw.get("apps", []) + raw.get("identities", []) for k in ("client_id", "object_id") if a.get(k)
    }
    ids |= {s["id"] for s in raw.get("subscriptions", [])}
    return {i for i in ids if i}


def _screenshot(html: Path, tmp_path: Path) -> bytes:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    require_system(chromium is not None, "chromium is not installed")
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--window-size=1000,1400",
            "--force-device-scale-factor=0.5",  # a smaller image: decoded here without an imaging library
            f"--screenshot={shot}",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=90,
        check=False,
    )
    assert shot.exists(), "chromium wrote no screenshot"
    return shot.read_bytes()


@pytest.mark.needs_system
@pytest.mark.timeout(420)
@pytest.mark.parametrize("name", list_scenarios())
def test_report_in_every_format_leaks_no_secret_renders_and_redacts(name: str, tmp_path: Path, sandbox_run) -> None:
    scenario, canaries = _with_canaries(name, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    code = f"OUT = {str(out)!r}\nCERT_PASSWORD = {CERT_PASSWORD_CANARY!r}\n" + IN_SANDBOX
    run = sandbox_run(scenario, code, timeout=400)
    assert run.returncode == 0, run.stderr[-3000:]
    result = run.result()
    for name_, (code_, output) in result["results"].items():
        assert code_ == 0, f"report ({name_}) exited {code_}: {output[-2000:]}"
    planted = {s for s in [*canaries, CERT_PASSWORD_CANARY, *result["planted"]] if len(s) >= MIN_CANARY}
    assert any(s.startswith("Canary") for s in planted)
    texts = {f.name: f.read_bytes().decode("utf-8") for f in sorted(out.iterdir())}
    assert sorted(texts) == [f"{n}.{fmt}" for n in ("plain", "redacted") for fmt in ("html", "json", "md")]
    redacted = json.loads(texts["redacted.json"])
    assert render(redacted, "md") == texts["redacted.md"] and render(redacted, "html") == texts["redacted.html"]
    for fmt, text in texts.items():
        assert not JWT.search(text), f"{fmt}: a token-shaped string leaked: {JWT.search(text).group(0)[:20]}…"
        for secret in planted:
            assert secret not in text, f"{fmt}: a planted secret leaked ({secret[:5]}…)"
    document = json.loads(texts["plain.json"])
    assert render(document, "md") == texts["plain.md"]  # md and html are pure renderings of the document
    assert document["machine"]["label"] == f"sandbox: {name}"
    assert document["run"] is not None and document["chain"]["members"]
    expected = load_scenario(name).expected.credential
    if expected and document["chain"]["type"] == "DefaultAzureCredential":
        assert document["run"]["selected"] == expected
    for fmt in ("redacted.json", "redacted.md", "redacted.html"):
        lowered = texts[fmt].lower()
        left = sorted(i for i in _identities(load_scenario(name).raw) if i.lower() in lowered)
        assert not left, f"{fmt}: identities left after --redact-identities: {left}"
    ink, colours = png.ink_fraction(_screenshot(out / "plain.html", tmp_path))
    assert ink > 0.03 and colours > 20, f"the HTML report rendered blank (ink {ink:.3f}, {colours} colours)"
