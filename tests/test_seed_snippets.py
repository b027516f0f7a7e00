"""Every Python snippet of the CometAPI page the project started from runs unchanged (but for base_url and api_key).

The snippets are copied verbatim from ../shared/reference/seed-cometapi-messages.txt; each block after the first
uses the `client` the first one builds, as on the page.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest

CLIENT = """
import anthropic

client = anthropic.Anthropic(
    base_url="https://api.cometapi.com",
    api_key="<COMETAPI_KEY>",
)
"""

SNIPPETS = {
    "system_prompt": CLIENT
    + """
message = client.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=1024,
    system="You are a helpful assistant.",
    messages=[
        {"role": "user", "content": "Hello, world"}
    ],
)

print(message.content[0].text)
""",
    "quick_start": CLIENT
    + """
message = client.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Hello!"}],
)
print(message.content[0].text)
""",
    "extended_thinking": CLIENT
    + """
message = client.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=16000,
    thinking={
        "type": "enabled",
        "budget_tokens": 10000,
    },
    messages=[
        {"role": "user", "content": "Prove that there are infinitely many primes."}
    ],
)

for block in message.content:
    if block.type == "thinking":
        print(f"Thinking: {block.thinking[:200]}...")
    elif block.type == "text":
        print(f"Answer: {block.text}")
""",
    "prompt_caching": CLIENT
    + """
message = client.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=1024,
    system=[
        {
            "type": "text",
            "text": "You are an expert code reviewer. [Long detailed instructions...]",
            "cache_control": {"type": "ephemeral"},
        }
    ],
    messages=[{"role": "user", "content": "Review this code..."}],
)
print(message.usage)
""",
    "streaming": CLIENT
    + """
with client.messages.stream(
    model="claude-sonnet-4-6",
    max_tokens=256,
    messages=[{"role": "user", "content": "Hello"}],
) as stream:
    for text in stream.text_stream:
        print(text, end="")
""",
    "effort": CLIENT
    + """
message = client.messages.create(
    model="claude-opus-4-6",
    max_tokens=4096,
    messages=[
        {"role": "user", "content": "Summarize this briefly."}
    ],
    output_config={"effort": "low"},  # "low", "medium", or "high"
)
print(message.content[0].text)
""",
    "web_fetch": CLIENT
    + """
message = client.messages.create(
    model="claude-sonnet-4-6",
    max_tokens=1024,
    messages=[
        {"role": "user", "content": "Analyze the content at https://arxiv.org/abs/1512.03385"}
    ],
    tools=[
        {"type": "web_fetch_20250910", "name": "web_fetch", "max_uses": 5}
    ],
)
print(message.stop_reason, [block.type for block in message.content])
""",
}


def run_snippet(source: str, base_url: str) -> tuple[str, dict[str, Any]]:
    """Run a page snippet with only base_url and api_key changed; return its stdout and globals."""
    source = source.replace("https://api.cometapi.com", base_url).replace("<COMETAPI_KEY>", "sk-comet-test")
    out = io.StringIO()
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<seed snippet>", "exec"), namespace)
    return out.getvalue(), namespace


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_snippet_runs(name: str, server: Any) -> None:
    printed, ns = run_snippet(SNIPPETS[name], server.url)
    assert printed.strip(), f"{name} printed nothing"
    if name == "extended_thinking":
        lines = printed.splitlines()
        assert lines[0].startswith("Thinking: ") and any(line.startswith("Answer: ") for line in lines)
    if name == "prompt_caching":
        assert "cache_creation_input_tokens" in printed
    if name == "streaming":
        assert len(printed.split()) > 3
    if "message" in ns:
        assert ns["message"].stop_reason in ("end_turn", "tool_use", "max_tokens", "pause_turn")
