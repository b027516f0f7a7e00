"""Engine units: operators, matchers and their reasons, JSON paths, templates, lifetimes, the matching index."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockclaude.engine.core import Engine
from mockclaude.engine.issues import Issues, ScriptError
from mockclaude.engine.matchers import compile_match, parse_json_path, reasons, select
from mockclaude.engine.ops import MISSING, compile_op
from mockclaude.engine.registry import StubRegistry
from mockclaude.engine.templates import Context, compile_template, render
from mockclaude.engine.view import RequestView
from mockclaude.model.request import Policy, ValidatedRequest
from mockclaude.pipeline import Pipeline, Settings
from mockclaude.tokenize.encoding import get_counter
from mockclaude.validate.request import validate_request

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01", "x-test-case": "alpha"}
WEATHER = {
    "name": "get_weather",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}


def request(**body: Any) -> ValidatedRequest:
    from mockclaude.model.catalog import get_catalog

    data = {
        "model": "claude-sonnet-4-6",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "hi"}],
        **body,
    }
    return validate_request(json.dumps(data).encode(), HEADERS, Policy(catalog=get_catalog()))


def view(**body: Any) -> RequestView:
    return RequestView(request(**body))


def why(match: dict[str, Any], v: RequestView) -> list[str]:
    issues = Issues()
    matchers = compile_match(match, issues)
    assert matchers is not None, issues.items
    return reasons(matchers, v, stop_early=False)


TOOL_TURN = [
    {"role": "user", "content": "weather in Rome?"},
    {
        "role": "assistant",
        "content": [
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"location": "Rome"}}
        ],
    },
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny, 25C"}]},
]


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ("a", "a", True),
        ("a", "b", False),
        (1, 1.0, True),
        (True, 1, False),
        ({"contains": "ell"}, "hello", True),
        ({"contains": "x"}, ["x", "y"], True),
        ({"regex": "^h.l+o$"}, "hello", True),
        ({"any_of": ["a", {"contains": "z"}]}, "xyz", True),
        ({"not": {"contains": "a"}}, "bcd", True),
        ({"not": "a"}, MISSING, True),
        ({"absent": True}, MISSING, True),
        ({"absent": False}, MISSING, False),
        ({"gte": 2, "lt": 5}, 4, True),
        ({"gte": 2, "lt": 5}, 5, False),
        ({"contains": "a", "not": {"contains": "b"}}, "ab", False),
        ("a", MISSING, False),
    ],
)
def test_operators(spec: Any, value: Any, expected: bool) -> None:
    op = compile_op(spec, Issues(), "x")
    assert op is not None and op.test(value) is expected


def test_operator_errors_are_located() -> None:
    issues = Issues(source="f.yaml", stub="s")
    for spec in ({"regex": "("}, {"contans": "x"}, ["a"], {}, {"gte": "1"}, {"any_of": []}):
        assert compile_op(spec, issues, "match.model") is None
    texts = [str(i) for i in issues.items]
    assert texts[0].startswith("f.yaml: stub 's' at match.model.regex: invalid regular expression")
    assert "unknown operator 'contans'" in texts[1]
    assert len(texts) == 6


def test_every_matcher_reports_its_reason() -> None:
    v = view(
        system="Be brief.",
        messages=TOOL_TURN,
        tools=[WEATHER],
        tool_choice={"type": "auto"},
        metadata={"user_id": "u-1"},
        thinking={"type": "enabled", "budget_tokens": 1024},
        max_tokens=2000,
    )
    passing = {
        "model": "claude-sonnet-4-6",
        "system": {"contains": "brief"},
        "last_user_text": "",
        "any_message": {"role": "user", "text": {"contains": "Rome"}},
        "message_count": 3,
        "turn": 2,
        "tools": {"present": True, "named": "get_weather", "count": {"gte": 1}},
        "tool_choice": "auto",
        "tool_result": {"name": "get_weather", "content": {"contains": "sunny"}, "is_error": False},
        "thinking": True,
        "stream": False,
        "metadata": {"user_id": "u-1"},
        "headers": {"X-Test-Case": "alpha"},
        "betas": {"absent": False},
        "json": {"$.max_tokens": 2000, "$.messages[*].role": "assistant", "$.tools[0].name": "get_weather"},
    }
    assert why(passing, v) == []
    failing = {
        "model": "claude-opus-4-6",
        "system": {"absent": True},
        "any_message": {"contains": "Paris"},
        "message_count": {"gt": 5},
        "tools": {"named": ["get_time"]},
        "tool_choice": {"type": "any"},
        "tool_result": {"is_error": True},
        "thinking": "adaptive",
        "stream": True,
        "metadata": {"user_id": {"regex": "^admin"}},
        "headers": {"x-test-case": "beta"},
        "json": {"$.temperature": {"absent": False}},
    }
    got = why(failing, v)
    assert got == [
        'model: expected equals "claude-opus-4-6", got "claude-sonnet-4-6"',
        'system: expected absent, got "Be brief."',
        'any_message: no message whose text contains "Paris"',
        "message_count: expected > 5, got 3",
        "tools: get_time not offered (offered: get_weather)",
        'tool_choice.type: expected equals "any", got "auto"',
        "tool_result.is_error: expected True, got False",
        'thinking: expected equals "adaptive", got "enabled"',
        "stream: expected True, got False",
        'metadata.user_id: expected matches /^admin/, got "u-1"',
        'headers.x-test-case: expected equals "beta", got "alpha"',
        "json $.temperature: expected present, got absent",
    ]


def test_tool_result_absent_and_present() -> None:
    assert why({"tool_result": {"present": False}}, view()) == []
    assert why({"tool_result": {"present": False}}, view(messages=TOOL_TURN)) == [
        "tool_result: expected none, got 1"
    ]
    assert why({"tool_result": {}}, view()) == ["tool_result: the last user message holds no tool_result"]


def test_json_paths() -> None:
    assert parse_json_path("$.a.b[0]['c d'][*]") == ["a", "b", 0, "c d", "*"]
    assert parse_json_path("a.b") is None
    doc = {"a": [{"b": 1}, {"b": 2}], "c": {"d": 3}}
    assert select(doc, ["a", "*", "b"]) == [1, 2]
    assert select(doc, ["a", -1, "b"]) == [2]
    assert select(doc, ["c", "*"]) == [3]
    assert select(doc, ["x"]) == []


def test_templates() -> None:
    v = view(messages=TOOL_TURN, tools=[WEATHER], metadata={"user_id": "u-7"})
    ctx = Context(v, n=3, stub="weather")

    def t(text: str) -> str:
        issues = Issues()
        template = compile_template(text, issues, "text")
        assert template is not None, issues.items
        return render(template, ctx)

    assert t("{{ tool_result.content | upper }}") == "SUNNY, 25C"
    assert t("{{tool_result.name}} said {{ tool_results[0].content }}") == "get_weather said sunny, 25C"
    assert t("{{ tool_use.input.location }} / {{ tool_use.input | json }}") == 'Rome / {"location":"Rome"}'
    assert t("{{ request.messages[0].content[0].text }}") == "weather in Rome?"
    assert t("#{{ n }} by {{ stub }} for {{ metadata.user_id }} ({{ turn }}, {{ message_count }})") == (
        "#3 by weather for u-7 (2, 3)"
    )
    assert t("{{ headers.x-test-case }}|{{ system }}") == "alpha|"
    assert t("literal {{{{ braces") == "literal {{ braces"
    issues = Issues()
    assert compile_template("{{ nope }} {{ model | shout }} {{ 1x }}", issues, "text") is None
    assert [i.message.split(":")[1].strip()[:12] for i in issues.items] == [
        "unknown name",
        "unknown filt",
        "expected a n",
    ]


def test_template_in_tool_input_keeps_types() -> None:
    engine = Engine(0, get_counter("claude-v1"))
    engine.stubs.add(
        {
            "reply": {
                "content": [
                    {
                        "type": "tool_use",
                        "name": "get_weather",
                        "input": {"count": "{{ message_count }}", "q": "x{{ turn }}"},
                    }
                ]
            }
        }
    )
    req = request(tools=[WEATHER])
    from mockclaude.model.reply import Usage

    reply = engine.decide(req, "rk", "ck", 0, Usage())
    assert reply.blocks[0].final["input"] == {"count": 1, "q": "x1"}
    assert reply.stop_reason == "tool_use"


def test_generated_tool_input_when_the_script_leaves_it_out() -> None:
    engine = Engine(0, get_counter("claude-v1"))
    engine.stubs.add({"reply": {"content": [{"type": "tool_use", "name": "get_weather"}]}})
    from mockclaude.model.reply import Usage

    reply = engine.decide(request(tools=[WEATHER]), "rk", "ck", 0, Usage())
    assert isinstance(reply.blocks[0].final["input"].get("location"), str)


def test_sequence_policies() -> None:
    registry = StubRegistry()
    registry.add({"name": "fall", "sequence": [{"text": "a"}, {"text": "b"}], "exhausted": "fallthrough"})
    registry.add({"name": "last", "sequence": [{"text": "c"}], "exhausted": "repeat_last"})
    v = view()
    served = []
    for _ in range(5):
        hit = registry.match(v)
        assert hit is not None
        served.append((hit.stub.name, hit.n))
    assert served == [("fall", 1), ("fall", 2), ("last", 1), ("last", 2), ("last", 3)]
    assert [s.name for s in registry.unused()] == []
    near = registry.near_misses(v)
    assert near[0]["reasons"] == ["sequence: all 2 replies served (exhausted: fallthrough)"]


def test_stub_vocabulary_errors() -> None:
    registry = StubRegistry()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"sequence": [{"text": "a"}]}, "a sequence needs exhausted"),
        (
            {"reply": {"text": "a"}, "sequence": [{"text": "a"}], "exhausted": "error"},
            "exactly one of reply or sequence",
        ),
        ({"reply": {"text": "a"}, "times": 0}, "times: expected an integer >= 1"),
        ({"reply": {"text": "a"}, "requires": "x"}, "requires / sets need the scenario"),
        ({"reply": {"text": "a", "content": []}}, "either text"),
        ({"reply": {"error": "teapot_error"}}, "unknown error type 'teapot_error'"),
        ({"reply": {"error": "api_error", "text": "x"}}, "an error reply takes only"),
        ({"reply": {"fault": {"kind": "explode"}}}, "unknown fault kind 'explode'"),
        ({"reply": {"latency": {"ttft_ms": -1}}}, "invalid latency"),
        ({"reply": {"content": [{"type": "server_tool_use", "name": "web_browse"}]}}, "unknown server tool"),
        (
            {
                "reply": {
                    "content": [
                        {"type": "server_tool_use", "name": "web_search", "result": {"error": "boom"}}
                    ]
                }
            },
            "unknown web_search error code",
        ),
        (
            {"reply": {"content": [{"type": "text", "text": "x", "citations": [{"type": "char_location"}]}]}},
            "needs cited_text",
        ),
        ({"reply": {"usage": {"output_tokenz": 1}}}, "unknown key 'output_tokenz' in usage"),
        ({"reply": {"stop_details": {"category": "spicy"}}}, "unknown category 'spicy'"),
        ({"reply": {"text": "{{ last_user_txt }}"}}, "unknown name 'last_user_txt'"),
    ]
    for spec, needle in cases:
        with pytest.raises(ScriptError) as info:
            registry.add(spec)
        assert needle in str(info.value), (spec, str(info.value))
    assert len(registry) == 0


def test_index_narrows_candidates_but_keeps_order() -> None:
    registry = StubRegistry()
    registry.add({"name": "generic-low", "priority": -1, "reply": {"text": "g"}})
    registry.add({"name": "model", "match": {"model": "claude-sonnet-4-6"}, "reply": {"text": "m"}})
    registry.add({"name": "text", "match": {"last_user_text": "hi"}, "reply": {"text": "t"}})
    registry.add(
        {
            "name": "text-high",
            "priority": 2,
            "match": {"last_user_text": "hi", "stream": True},
            "reply": {"text": "t"},
        }
    )
    hit = registry.match(view())
    assert hit is not None and hit.stub.name == "model"  # same priority: load order; text-high needs stream
    registry.remove(hit.stub.id)
    hit = registry.match(view())
    assert hit is not None and hit.stub.name == "text"


def test_pipeline_fixtures_setting_loads_json(tmp_path: Any) -> None:
    script = tmp_path / "s.json"
    script.write_text(json.dumps({"version": 1, "stubs": [{"name": "j", "reply": {"text": "from json"}}]}))
    pipeline = Pipeline(Settings(fixtures=str(script)))
    assert [s["name"] for s in pipeline.engine.stubs.list()] == ["j"]
    body = json.dumps(
        {"model": "claude-sonnet-4-6", "max_tokens": 9, "messages": [{"role": "user", "content": "x"}]}
    )
    served = pipeline.messages(body.encode(), HEADERS)
    assert served.reply.blocks[0].final["text"] == "from json"


def test_an_indexed_request_only_visits_the_stubs_that_could_match() -> None:
    registry = StubRegistry()
    for i in range(1000):
        registry.add({"match": {"last_user_text": f"q{i}"}, "reply": {"text": str(i)}})
    registry.add({"name": "catch-all", "priority": -1, "reply": {"text": "generic"}})
    candidates = list(registry._candidates(view(messages=[{"role": "user", "content": "q999"}])))
    assert [c.label for c in candidates][-1] == "catch-all" and len(candidates) == 2
    (only,) = registry._candidates(view(messages=[{"role": "user", "content": "nope"}]))
    assert only.name == "catch-all"


def test_load_replace_swaps_only_that_source(tmp_path: Any) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps({"version": 1, "stubs": [{"name": "a1", "reply": {"text": "1"}}]})
    )
    registry = StubRegistry()
    registry.add({"name": "api", "reply": {"text": "x"}})
    registry.load(tmp_path)
    (tmp_path / "a.json").write_text(
        json.dumps({"version": 1, "stubs": [{"name": "a2", "reply": {"text": "2"}}]})
    )
    registry.load(tmp_path, replace=True)
    assert [s["name"] for s in registry.list()] == ["api", "a2"]
    assert all(s["source"] == "<api>" or s["source"].endswith("a.json") for s in registry.list())


def test_unused_lists_finite_lifetimes_with_uses_left() -> None:
    registry = StubRegistry()
    registry.add({"name": "forever", "reply": {"text": "x"}, "priority": -1})
    registry.add({"name": "seq", "sequence": [{"text": "a"}, {"text": "b"}], "exhausted": "error"})
    registry.add({"name": "ordered", "ordered": True, "match": {"stream": True}, "reply": {"text": "o"}})
    assert [s.name for s in registry.unused()] == ["seq", "ordered"]
    registry.match(view())
    registry.match(view())
    assert [s.name for s in registry.unused()] == ["ordered"]


def test_engine_near_misses_for_a_request() -> None:
    engine = Engine(0, get_counter("claude-v1"))
    engine.stubs.add(
        {
            "name": "needs-tools",
            "match": {"tools": {"present": True}, "model": "claude-sonnet-4-6"},
            "reply": {"text": "x"},
        }
    )
    (miss,) = engine.near_misses(request())
    assert miss["name"] == "needs-tools" and miss["reasons"] == ["tools: expected some tools, got 0"]
