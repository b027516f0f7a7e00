"""Where the drift check's SDK comes from: the newest release (installed like ``make compat``'s clients), the one
locked in ``.venv``, or a directory given on the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

from tools.compat.clients import Client
from tools.compat.envs import COMPAT, REPO, InstallError, prepare, python_of

__all__ = ["DRIFT_CLIENT", "Sdk", "from_directory", "from_env", "locked", "newest", "sdist"]

DRIFT_CLIENT = Client("drift", "anthropic", "anthropic>=2,<3", "python", "python", "", (), note="newest 2.x")
PIP = REPO / ".tools" / "bin" / "pip"


@dataclass(frozen=True)
class Sdk:
    """An SDK to read: its package directory, its ``api.md`` when there is one, and a label for the report."""

    package: Path
    api_md: Path | None
    label: str


def _package_of(python: Path) -> Path:
    probe = "import anthropic, os; print(os.path.dirname(anthropic.__file__))"
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    return Path(done.stdout.strip())


def _version_of(package: Path) -> str:
    text = (package / "_version.py").read_text(encoding="utf-8") if (package / "_version.py").exists() else ""
    found = re.search(r"__version__\s*=\s*[\"']([^\"']+)", text)
    return found.group(1) if found else "?"


def sdist(version: str, folder: Path = COMPAT / "drift-sdist") -> Path | None:
    """The release's sdist unpacked in ``folder`` (``anthropic-X/``: ``api.md``, ``tests/``, which the wheel does not
    ship), fetched once per version; ``None`` if the index has no sdist or cannot be reached."""
    target = folder / f"anthropic-{version}"
    if (target / "api.md").exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [str(PIP), "download", "--quiet", "--no-deps", "--no-binary", ":all:", f"anthropic=={version}",
             "-d", str(folder)],
            capture_output=True, text=True, timeout=600, check=True,
        )  # fmt: skip
        archive = next(folder.glob(f"anthropic-{version}.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(folder, filter="data")
    except (OSError, subprocess.SubprocessError, StopIteration, tarfile.TarError):
        return None
    return target if (target / "api.md").exists() else None


def newest(*, refresh: bool = False, api_md: bool = True) -> Sdk:
    """The newest ``anthropic`` 2.x in ``.compat/drift`` (reused while it is the newest), with its ``api.md``."""
    env = prepare(DRIFT_CLIENT, refresh=refresh)
    package = _package_of(python_of(env.path))
    how = "reused" if env.reused else "installed"
    unpacked = sdist(env.version) if api_md else None
    md = unpacked / "api.md" if unpacked is not None else None
    return Sdk(package, md, f"anthropic {env.version} (newest, {how} in .compat/drift)")


def locked() -> Sdk:
    """The SDK ``uv.lock`` pins, as installed in ``.venv``."""
    package = _package_of(Path(sys.executable))
    return Sdk(package, None, f"anthropic {_version_of(package)} (locked, .venv)")


def from_directory(directory: Path) -> Sdk:
    """An unpacked sdist (``anthropic-X/`` with ``api.md`` and ``src/anthropic``) or a package directory."""
    for package in (directory / "src" / "anthropic", directory):
        if (package / "_error_classes.py").exists():
            api_md = directory / "api.md"
            return Sdk(
                package,
                api_md if api_md.exists() else None,
                f"anthropic {_version_of(package)} ({directory})",
            )
    raise InstallError(f"{directory}: no anthropic package (src/anthropic or a package directory) there")


def from_env(path: Path) -> Sdk | None:
    """The SDK installed in a ``make compat`` environment (``.compat/anthropic-2``), ``None`` when there is none."""
    if not python_of(path).exists():
        return None
    try:
        package = _package_of(python_of(path))
    except (OSError, subprocess.SubprocessError):
        return None
    return Sdk(package, None, f"anthropic {_version_of(package)} ({path.relative_to(REPO)})")
