"""The clients ``make compat`` checks: what to install, where, and which checks it runs.

Every client gets its own environment under ``.compat/<name>`` (a uv venv or an npm prefix): resolving them
together is slow and can pin one client to another's dependency range.

The ``anthropic`` 0.x line is checked at its *oldest* usable release, :data:`OLDEST_0X`, by this rule: the oldest
0.x release that installs on this machine's Python 3.11 and whose ``Anthropic().messages.create`` exists. It was
found with ``python -m tools.compat --find-oldest`` (:mod:`tools.compat.oldest`), which bisects the 0.x releases
that ``pip index versions anthropic`` lists; on Python 3.11 (December 2026) it gave:

* 0.2.x - 0.9.x: no Messages API (``client.completions`` only);
* 0.10.0 - 0.15.x: the Messages API only in beta, as ``client.beta.messages``;
* 0.16.0: the first release with ``client.messages.create``.

Every 0.x release passes ``proxies=`` to ``httpx.Client``, which httpx 0.28 removed, so the 0.x environment is
installed with ``httpx<0.28`` (:data:`OLD_SDK_EXTRAS`); without it no client can even be constructed. Re-run
``--find-oldest`` after a change of Python or when the rule changes, and update the constant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

OLDEST_0X = "0.16.0"
OLD_SDK_EXTRAS = ("httpx<0.28",)

SDK_CHECKS = ("create", "stream", "count_tokens", "tool_round_trip", "tool_stream", "not_found", "models")


@dataclass(frozen=True)
class Client:
    """One row of the table.

    ``kind`` says how it installs (a uv venv with ``pip install`` or an npm prefix); ``runner`` how its checks run:
    ``python`` (``<env>/bin/python -m <check>``), ``node`` (``node <check>.mjs`` inside the prefix) or
    ``claude-code`` (the harness runs the CLI itself, :mod:`tools.compat.claude_code`).
    """

    name: str
    package: str
    spec: str
    kind: Literal["python", "node"]
    runner: Literal["python", "node", "claude-code"]
    check: str
    checks: tuple[str, ...]
    extras: tuple[str, ...] = field(default=())
    note: str = ""

    @property
    def label(self) -> str:
        return self.package if not self.note else f"{self.package} ({self.note})"


CLIENTS: tuple[Client, ...] = (
    Client(
        "anthropic-2", "anthropic", "anthropic>=2,<3", "python", "python",
        "tools.compat.checks.anthropic_sdk", SDK_CHECKS, note="newest 2.x",
    ),
    Client(
        "anthropic-1", "anthropic", "anthropic>=1,<2", "python", "python",
        "tools.compat.checks.anthropic_sdk", SDK_CHECKS, note="newest 1.x",
    ),
    Client(
        "anthropic-0", "anthropic", f"anthropic=={OLDEST_0X}", "python", "python",
        "tools.compat.checks.anthropic_sdk", SDK_CHECKS, OLD_SDK_EXTRAS, note="oldest 0.x with messages",
    ),
    Client(
        "anthropic-ts", "@anthropic-ai/sdk", "latest", "node", "node", "anthropic_sdk.mjs", SDK_CHECKS,
    ),
    Client(
        "openai", "openai", "openai", "python", "python", "tools.compat.checks.openai_sdk",
        ("create", "stream", "tool_round_trip", "not_found", "models"), note="/v1/chat/completions",
    ),
    Client(
        "langchain-anthropic", "langchain-anthropic", "langchain-anthropic", "python", "python",
        "tools.compat.checks.langchain", ("invoke", "stream", "count_tokens", "bind_tools_loop", "not_found"),
    ),
    Client(
        "litellm", "litellm", "litellm", "python", "python", "tools.compat.checks.litellm_client",
        ("completion", "stream", "tool_round_trip", "not_found"),
    ),
    Client(
        "claude-code", "@anthropic-ai/claude-code", "latest", "node", "claude-code", "claude",
        ("print_json", "tool_run", "unscripted_bash", "unscripted_read", "unscripted_write"), note="claude -p",
    ),
    Client(
        "agent-sdk-py", "claude-agent-sdk", "claude-agent-sdk", "python", "python",
        "tools.compat.checks.agent_sdk", ("query",),
    ),
    Client(
        "agent-sdk-ts", "@anthropic-ai/claude-agent-sdk", "latest", "node", "node", "agent_sdk.mjs", ("query",),
    ),
)  # fmt: skip


def select(only: str | None) -> list[Client]:
    """The clients named in ``--only a,b`` (all of them without it); an unknown name is a ``ValueError``."""
    if not only:
        return list(CLIENTS)
    by_name = {client.name: client for client in CLIENTS}
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ValueError(f"unknown client(s) {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[name] for name in names]
