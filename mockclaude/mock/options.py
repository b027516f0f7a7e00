"""The keyword signatures of the facade, documented once: each ``TypedDict`` is unpacked (``Unpack``) by every
method that takes those keywords, so editors and type checkers see the same names everywhere.

- :class:`MockOptions`: ``MockClaude(...)``, ``MockClaude.reset(...)``, ``@pytest.mark.mockclaude(...)``,
  ``POST /_mock/reset``.
- :class:`MatchArgs`: ``expect(...)``, ``assert_called(...)``, ``POST /_mock/journal/search``.
- :class:`ReplyArgs`: ``respond(...)`` and each item of ``sequence(...)``.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from typing import Any, Literal, TypedDict

ScriptPath = str | os.PathLike[str]
Exhaustion = Literal["error", "repeat_last", "fallthrough"]


class MockOptions(TypedDict, total=False):
    """Settings of a mock.

    - ``seed``: every id, signature and generated text derives from it (default 0).
    - ``strict``: a request no stub matches gets a 400 naming the nearest stubs, and fails ``check()``,
      instead of a generated reply (default False).
    - ``script``: a fixture file or directory (or a list of them) loaded after the reset.
    - ``any_model``: accept unknown model ids with the nearest family's limits.
    - ``api_keys``: accept only these keys (default: any non-empty key).
    - ``tokenizer``: ``claude-v1`` (default), ``cl100k_base``, ``o200k_base``, ``chars`` or ``file:PATH``.
    - ``rate_limits``: per-key token buckets: a tier (``"tier1"`` ... ``"tier4"``, ``"start"``, ``"build"``,
      ``"scale"``), ``"RPM,ITPM,OTPM"`` (a fourth figure: the count_tokens RPM), or a ``RateLimits`` / ``RateLimitConfig`` (default None: off).
    - ``time_scale``: pace replies at this share of each model's real latency (default 0: no waiting).
    - ``chaos``: the share (0-1) of Messages requests that fail with a seeded mix of 429/529/500 and stream
      faults, or a ``ChaosConfig`` (default None: off).
    - ``batch_seconds``: a Message Batch ends this many seconds (of the mock's clock) after its creation
      (default 0: it has ended by the next read; over 86,400: its requests expire).
    - ``tool_use``: how a generated reply decides on tool calls: ``"intent"`` (default: when the conversation
      asks for one, engine/behave) or ``"always"`` (the old rule: a call on every user question with tools).
    - ``cassette``: record and replay (README "Record and replay"): a cassette file or directory. Requests
      replay from it, or go to ``upstream`` and are recorded into it, as ``record_mode`` says. The pytest
      plugin resolves a relative path against the test file's directory, and ``True`` names
      ``cassettes/<module>/<test>.yaml`` there. Implies ``any_model`` unless that is given.
    - ``record_mode``: ``"none"`` (replay only: a miss is a 400 naming the nearest recording), ``"once"``
      (record when the cassette does not exist yet), ``"new_episodes"`` (record what is missing), ``"all"``
      (record everything afresh). Default ``"once"`` (the pytest plugin's: ``"none"``, and its
      ``--mockclaude-record-mode`` overrides every test's).
    - ``upstream``: the API to record through (the pytest plugin's default: ``--mockclaude-upstream``, else
      ``$MOCKCLAUDE_UPSTREAM``, else ``https://api.anthropic.com``). The key sent there is
      ``$MOCKCLAUDE_UPSTREAM_KEY``, else the client's own.
    - ``redact`` / ``redact_paths``: regular expressions and JSON paths redacted, besides keys, auth headers,
      cookies and the organisation id, before anything is written.
    - ``recount``: recorded replies carry the mock's usage (tokenizer, cache simulator), not the recorded one.
    """

    seed: int
    strict: bool
    script: ScriptPath | Sequence[ScriptPath] | None
    any_model: bool
    api_keys: Collection[str] | None
    tokenizer: str
    rate_limits: Any
    time_scale: float
    chaos: Any
    batch_seconds: float
    tool_use: str
    cassette: ScriptPath | bool | None
    record_mode: str
    upstream: str | None
    redact: Sequence[str]
    redact_paths: Sequence[str]
    recount: bool


class MatchArgs(TypedDict, total=False):
    """What a request must look like: the ``match:`` vocabulary of script files (README "Scripting replies").

    A value is a plain value (equals) or an operator mapping: ``equals``, ``contains``, ``regex``, ``any_of``,
    ``not``, ``absent``, ``gte`` / ``lte`` / ``gt`` / ``lt``, e.g. ``last_user_text={"contains": "weather"}``.
    Keys: ``model``, ``system``, ``last_user_text``, ``any_message`` (text, or ``{"role", "text"}``),
    ``message_count``, ``turn``, ``tools`` (``{"present", "named", "count"}``), ``tool_choice``,
    ``tool_result`` (``{"present", "name", "content", "is_error"}``), ``thinking``, ``stream``, ``metadata``,
    ``headers``, ``betas``, ``json`` (``{"$.max_tokens": 1024}``); for recordings, ``request`` (the canonical
    body) and ``route``. No keys: every request.
    """

    model: Any
    system: Any
    last_user_text: Any
    any_message: Any
    message_count: Any
    turn: Any
    tools: Any
    tool_choice: Any
    tool_result: Any
    thinking: Any
    stream: Any
    metadata: Any
    headers: Any
    betas: Any
    json: Any
    request: Any
    route: Any


class ReplyArgs(TypedDict, total=False):
    """One reply: the ``reply:`` vocabulary of script files (README "Scripting replies").

    ``text`` (one text block; templates such as ``{{ last_user_text }}`` work), ``content`` (a list of
    blocks: text, thinking, redacted_thinking, tool_use, server_tool_use...; absent: generated),
    ``stop_reason`` (inferred when omitted), ``stop_sequence``, ``stop_details``, ``usage`` (overrides),
    ``headers``, ``error`` (``{"type": "overloaded_error"}``: answer with that API error), ``fault``,
    ``latency``, ``model``, ``container``; or ``recorded`` alone (an answer recorded from an upstream).
    """

    text: str
    content: list[dict[str, Any]]
    stop_reason: str
    stop_sequence: str
    stop_details: dict[str, Any]
    usage: dict[str, Any]
    headers: dict[str, str]
    error: dict[str, Any]
    fault: dict[str, Any]
    latency: dict[str, Any]
    model: str
    container: dict[str, Any]
    recorded: dict[str, Any]
