"""``python -m tools.compat --find-oldest``: find the oldest ``anthropic`` 0.x for :data:`OLDEST_0X`.

The rule: the oldest 0.x release that installs on this machine's Python and whose
``anthropic.Anthropic(...).messages.create`` exists (with :data:`OLD_SDK_EXTRAS`, which every 0.x needs to build
a client at all). The candidates are the 0.x releases ``pip index versions anthropic`` lists. Having
``messages.create`` is monotonic over releases (it arrived once and stayed), so the search bisects: about eight
probes instead of two hundred, each a throw-away venv under ``.compat/probe-*`` (the uv cache makes them cheap);
when it ends, the release just before the answer has been probed and failed (or the answer is the first 0.x).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from tools.compat.clients import OLD_SDK_EXTRAS, OLDEST_0X
from tools.compat.envs import COMPAT, REPO, UV, InstallError, _run, python_of

PROBE = (
    "import anthropic; client = anthropic.Anthropic(api_key='sk-probe', base_url='http://127.0.0.1:9'); "
    "assert callable(getattr(getattr(client, 'messages', None), 'create', None)), 'no client.messages.create'"
)


def candidates() -> list[str]:
    """Every 0.x release of anthropic, oldest first, as pip lists them."""
    pip = REPO / ".tools" / "bin" / "python"
    out = _run(
        [str(pip if pip.exists() else sys.executable), "-m", "pip", "index", "versions", "anthropic"], 300
    )
    match = re.search(r"Available versions: (.*)", out)
    if match is None:
        raise InstallError(f"pip index versions anthropic: {out.strip()[:200]}")
    versions = [v.strip() for v in match.group(1).split(",") if v.strip().startswith("0.")]
    return sorted(versions, key=lambda v: tuple(int(part) for part in re.findall(r"\d+", v)))


def usable(version: str) -> tuple[bool, str]:
    """Whether ``anthropic==version`` installs here and has ``client.messages.create``, and why not."""
    path = COMPAT / f"probe-anthropic-{version}"
    try:
        _run([str(UV), "venv", "--quiet", "--clear", str(path), "--python", "python3"], 300)
        _run([str(UV), "pip", "install", "--quiet", "--python", str(python_of(path)),
              f"anthropic=={version}", *OLD_SDK_EXTRAS], 600)  # fmt: skip
        done = subprocess.run(
            [str(python_of(path)), "-c", PROBE], capture_output=True, text=True, timeout=120
        )
        lines = done.stderr.strip().splitlines()
        return done.returncode == 0, lines[-1] if lines else ""
    except InstallError as error:
        return False, f"does not install: {error}"
    finally:
        shutil.rmtree(path, ignore_errors=True)


def find() -> str | None:
    versions = candidates()
    low, high = 0, len(versions) - 1
    if not usable(versions[high])[0]:
        return None
    while low < high:  # invariant: versions[high] is usable
        middle = (low + high) // 2
        ok, why = usable(versions[middle])
        print(f"  anthropic {versions[middle]}: {'usable' if ok else why}", file=sys.stderr, flush=True)
        if ok:
            high = middle
        else:
            low = middle + 1
    return versions[high]


def main() -> int:
    found = find()
    if found is None:
        print("no anthropic 0.x release has client.messages.create here")
        return 1
    print(f"oldest anthropic 0.x with client.messages.create on Python {sys.version.split()[0]}: {found}")
    if found != OLDEST_0X:
        print(f"tools/compat/clients.py has OLDEST_0X = {OLDEST_0X!r}: update it to {found!r}")
    return 0
