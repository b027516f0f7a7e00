"""The Python Claude Agent SDK (``claude-agent-sdk``): one ``query(prompt="say hi")`` through it against the mock.

Run by the client's interpreter (``python -m tools.compat.checks.agent_sdk``). The SDK drives the Claude Code CLI
bundled in its wheel; the harness sets ``ANTHROPIC_BASE_URL``, ``ANTHROPIC_API_KEY``, a scratch ``HOME`` and
``CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC`` in this process's environment, which the SDK hands to the CLI. The
harness stubs the reply to :data:`HI_PROMPT`, so the check asserts the exact text.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from tools.compat.checks._protocol import HI_PROMPT, HI_TEXT, TIMEOUT, expect, run

sdk: Any = importlib.import_module("claude_agent_sdk")
anyio: Any = importlib.import_module("anyio")


async def _query() -> list[Any]:
    options = sdk.ClaudeAgentOptions(
        max_turns=1, cwd=os.environ.get("HOME"), env={"DISABLE_AUTOUPDATER": "1"}
    )
    with anyio.fail_after(TIMEOUT - 5):
        return [message async for message in sdk.query(prompt=HI_PROMPT, options=options)]


def check_query() -> None:
    messages = anyio.run(_query)
    kinds = [type(message).__name__ for message in messages]
    texts = [
        block.text
        for message in messages
        if isinstance(message, sdk.AssistantMessage)
        for block in message.content
        if isinstance(block, sdk.TextBlock)
    ]
    expect(texts == [HI_TEXT], f"assistant text {texts!r} (messages {kinds})")
    results = [message for message in messages if isinstance(message, sdk.ResultMessage)]
    expect(len(results) == 1, f"result messages in {kinds}")
    result = results[0]
    expect(
        not result.is_error and result.subtype == "success",
        f"result {result.subtype} is_error={result.is_error}",
    )
    expect(result.result == HI_TEXT, f"result {result.result!r}")
    usage = result.usage or {}
    expect(usage.get("input_tokens", 0) > 0 and usage.get("output_tokens", 0) > 0, f"usage {usage!r}")


if __name__ == "__main__":
    raise SystemExit(run([("query", check_query)]))
