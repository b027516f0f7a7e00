"""Behaviour without a script (engine/behave): each rule through the official SDK, asserting the decision the
journal records and the exact tool input. The tools are a real Claude Code request's (tests/data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import pytest

from mockclaude.server.app import PIPELINE

CC_TOOLS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "claude_code_tools.json").read_text()
)["tools"]
MODEL = "claude-sonnet-4-6"
CWD = "/work/project"
ENV = f"# Environment\n - Primary working directory: {CWD}\n - Platform: linux"
WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather for a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
TIME = {
    "name": "get_time",
    "description": "Get the local time in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


@pytest.fixture
def client(server: Any) -> anthropic.Anthropic:
    server.app[PIPELINE].journal.clear()
    return anthropic.Anthropic(base_url=server.url, api_key="sk-behave", max_retries=0)


def last_rule(server: Any) -> str | None:
    rule: str | None = server.app[PIPELINE].journal.entries()[-1].rule
    return rule


def ask(client: anthropic.Anthropic, messages: list[dict[str, Any]], **kw: Any) -> anthropic.types.Message:
    params: dict[str, Any] = {"model": MODEL, "max_tokens": 1024, "tools": CC_TOOLS, "system": ENV, **kw}
    return client.messages.create(messages=messages, **params)


def user(text: str) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "<system-reminder>x</system-reminder>"},
                {"type": "text", "text": text},
            ],
        }
    ]


def tool_calls(message: anthropic.types.Message) -> list[tuple[str, dict[str, Any]]]:
    return [(b.name, dict(b.input)) for b in message.content if b.type == "tool_use"]  # type: ignore[arg-type]


def text_of(message: anthropic.types.Message) -> str:
    return "".join(b.text for b in message.content if b.type == "text")


def then(
    history: list[dict[str, Any]], reply: anthropic.types.Message, result: str, error: bool = False
) -> list[dict[str, Any]]:
    """The conversation after ``reply``'s tool call(s) came back with ``result``."""
    uses = [b for b in reply.content if b.type == "tool_use"]
    return [
        *history,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in reply.content]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": u.id, "content": result, "is_error": error}
                for u in uses
            ],
        },
    ]


# -- text when nothing calls for a tool ---------------------------------------------------------------------------
@pytest.mark.parametrize("prompt", ["say hi", "Hello!", "good morning"])
def test_small_talk_is_text_with_tools_offered(client: anthropic.Anthropic, server: Any, prompt: str) -> None:
    reply = ask(client, user(prompt))
    assert tool_calls(reply) == [] and reply.stop_reason == "end_turn"
    assert text_of(reply) in (
        "Hi! How can I help you today?",
        "Hello! What can I do for you?",
        "Hi there! How can I help?",
    )
    assert last_rule(server) == "text.greeting"


def test_a_question_no_tool_fits_is_text_naming_its_key_words(
    client: anthropic.Anthropic, server: Any
) -> None:
    reply = ask(client, user("Why is the ocean salty?"))
    assert tool_calls(reply) == []
    assert text_of(reply).startswith("About ocean and salty:")
    assert last_rule(server) == "text.prose"


def test_list_code_and_brief_forms(client: anthropic.Anthropic, server: Any) -> None:
    listed = text_of(ask(client, user("List some benefits of exercise")))
    assert listed.startswith("Here are a few points about benefits and exercise:\n\n- ")
    assert 3 <= listed.count("\n- ") <= 5 and last_rule(server) == "text.list"
    code = text_of(ask(client, user("Write a python function that reverses a string")))
    assert "```python\ndef reverses_string(value):" in code and last_rule(server) == "text.code"
    rust = text_of(ask(client, user("Show me rust code to parse numbers")))
    assert (
        rust.startswith("Here is a rust example for parse and numbers:\n\n```rust\n")
        and "fn parse_numbers<T>" in rust
    )
    brief = text_of(ask(client, user("Explain gravity in one sentence")))
    assert brief.startswith("About gravity:") and brief.count(".") == 1 and last_rule(server) == "text.brief"


# -- intent: which tool, with which input -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prompt", "command"),
    [
        ("Run the shell command: echo hi", "echo hi"),
        ("please run `ls -la /tmp`", "ls -la /tmp"),
        ("run git status", "git status"),
        ("$ pwd", "pwd"),
        ("Execute this command: python3 -V", "python3 -V"),
    ],
)
def test_a_command_runs_in_the_shell_tool(
    client: anthropic.Anthropic, server: Any, prompt: str, command: str
) -> None:
    reply = ask(client, user(prompt))
    assert tool_calls(reply) == [("Bash", {"command": command})]
    assert reply.stop_reason == "tool_use" and last_rule(server) == "intent.command"


def test_run_the_tests_is_not_a_command(client: anthropic.Anthropic) -> None:
    assert tool_calls(ask(client, user("run the tests when you can"))) == []


def test_a_path_is_read_with_the_read_tool_made_absolute(client: anthropic.Anthropic, server: Any) -> None:
    reply = ask(client, user("Read the file hello.txt and tell me what it says"))
    assert tool_calls(reply) == [("Read", {"file_path": f"{CWD}/hello.txt"})]
    assert last_rule(server) == "intent.read"
    reply = ask(client, user("show me /etc/hostname"))
    assert tool_calls(reply) == [("Read", {"file_path": "/etc/hostname"})]


def test_a_write_takes_path_and_content(client: anthropic.Anthropic, server: Any) -> None:
    reply = ask(client, user("Create a file named notes.txt containing: buy milk"))
    assert tool_calls(reply) == [("Write", {"file_path": f"{CWD}/notes.txt", "content": "buy milk"})]
    assert last_rule(server) == "intent.write"
    reply = ask(client, user("write 'hello world' to out/greeting.md"))
    assert tool_calls(reply) == [("Write", {"file_path": f"{CWD}/out/greeting.md", "content": "hello world"})]


def test_an_edit_takes_old_and_new(client: anthropic.Anthropic, server: Any) -> None:
    reply = ask(client, user("Replace 'foo' with 'bar' in src/app.py"))
    assert tool_calls(reply) == [
        ("Edit", {"file_path": f"{CWD}/src/app.py", "old_string": "foo", "new_string": "bar"})
    ]
    assert last_rule(server) == "intent.edit"


def test_a_url_is_fetched_and_a_search_searched(client: anthropic.Anthropic, server: Any) -> None:
    fetch = {
        "name": "fetch_url",
        "description": "Fetch a web page by URL.",
        "input_schema": {
            "type": "object",
            "properties": {"url": {"type": "string"}, "timeout": {"type": "integer"}},
            "required": ["url"],
        },
    }
    search = {
        "name": "search_docs",
        "description": "Search the web for pages.",
        "input_schema": {
            "type": "object",
            "properties": {"query": {"type": "string"}},
            "required": ["query"],
        },
    }
    reply = ask(client, user("What does https://example.com/a say?"), tools=[fetch, search])
    assert tool_calls(reply) == [("fetch_url", {"url": "https://example.com/a"})]
    assert last_rule(server) == "intent.fetch"
    reply = ask(client, user("search the web for asyncio tutorials"), tools=[fetch, search])
    assert tool_calls(reply) == [("search_docs", {"query": "asyncio tutorials"})]
    assert last_rule(server) == "intent.search"


def test_tools_named_by_the_prompt_are_called_in_parallel(client: anthropic.Anthropic, server: Any) -> None:
    reply = ask(client, user("What's the weather and the time in Paris?"), tools=[WEATHER, TIME])
    assert tool_calls(reply) == [("get_weather", {"city": "Paris"}), ("get_time", {"city": "Paris"})]
    assert last_rule(server) == "intent.tool"


def test_anthropic_bash_and_text_editor_tools(client: anthropic.Anthropic) -> None:
    tools = [
        {"type": "bash_20250124", "name": "bash"},
        {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"},
    ]
    assert tool_calls(ask(client, user("run echo hi"), tools=tools)) == [("bash", {"command": "echo hi"})]
    assert tool_calls(ask(client, user("open README.md"), tools=tools)) == [
        ("str_replace_based_edit_tool", {"command": "view", "path": f"{CWD}/README.md"})
    ]


def test_tool_choice_still_forces(client: anthropic.Anthropic, server: Any) -> None:
    reply = ask(client, user("say hi"), tool_choice={"type": "any"})
    assert len(tool_calls(reply)) == 1 and last_rule(server) == "forced.any"
    reply = ask(client, user("Run the shell command: echo hi"), tool_choice={"type": "tool", "name": "Bash"})
    assert tool_calls(reply) == [("Bash", {"command": "echo hi"})] and last_rule(server) == "forced.tool"
    reply = ask(client, user("Run the shell command: echo hi"), tool_choice={"type": "none"})
    assert tool_calls(reply) == []


# -- closing the loop ---------------------------------------------------------------------------------------------
def test_the_answer_uses_what_the_command_printed(client: anthropic.Anthropic, server: Any) -> None:
    history = user("Run the shell command: echo hi")
    first = ask(client, history)
    final = ask(client, then(history, first, "hi"))
    assert tool_calls(final) == [] and final.stop_reason == "end_turn"
    assert text_of(final) == "`echo hi` printed:\n\n```\nhi\n```"
    assert last_rule(server) == "results"


def test_the_answer_quotes_the_file_without_line_numbers(client: anthropic.Anthropic) -> None:
    history = user("Read the file hello.txt and tell me what it says")
    first = ask(client, history)
    final = ask(client, then(history, first, "     1\thello from the file\n     2\tsecond line\n"))
    assert text_of(final) == f"`{CWD}/hello.txt` says:\n\n> hello from the file\n> second line"


def test_a_failed_call_is_reported_as_a_failure(client: anthropic.Anthropic) -> None:
    history = user("Read the file missing.txt")
    first = ask(client, history)
    final = ask(client, then(history, first, "File does not exist.", error=True))
    assert text_of(final) == "The Read call failed: File does not exist."


def test_a_multi_step_instruction_takes_the_next_step(client: anthropic.Anthropic, server: Any) -> None:
    history = user("Read the file a.txt, then write b.txt containing: done")
    first = ask(client, history)
    assert tool_calls(first) == [("Read", {"file_path": f"{CWD}/a.txt"})]
    history = then(history, first, "     1\tstuff")
    second = ask(client, history)
    assert tool_calls(second) == [("Write", {"file_path": f"{CWD}/b.txt", "content": "done"})]
    assert last_rule(server) == "step2.write"
    final = ask(client, then(history, second, "File created successfully"))
    assert text_of(final) == f"Done: I wrote `{CWD}/b.txt`." and last_rule(server) == "results"


def test_the_same_call_is_never_made_twice_in_a_row(client: anthropic.Anthropic, server: Any) -> None:
    history = user("run echo a, then run echo a")
    first = ask(client, history)
    second = ask(client, then(history, first, "a"))
    assert tool_calls(second) == [] and last_rule(server) == "results.repeat"


def test_the_old_always_call_rule_is_a_setting(server: Any) -> None:
    from mockclaude.mock import MockClaude

    with MockClaude(tool_use="always") as mock:
        reply = mock.client().messages.create(
            model=MODEL, max_tokens=256, tools=[WEATHER], messages=user("say hi")
        )
        assert tool_calls(reply) == [("get_weather", {"city": reply.content[-1].input["city"]})]  # type: ignore[union-attr]
        assert mock.journal.entries()[-1].rule == "always.pick"


def test_same_request_same_bytes(client: anthropic.Anthropic) -> None:
    one = ask(client, user("Create a file named notes.txt containing: buy milk"))
    two = ask(client, user("Create a file named notes.txt containing: buy milk"))
    assert one.content[0].model_dump() == two.content[0].model_dump()
    assert tool_calls(one) == tool_calls(two)


# -- the prompt's language ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prompt", "greeting"),
    [
        ("Bonjour !", "Bonjour ! Comment puis-je vous aider ?"),
        ("hola", "¡Hola! ¿En qué puedo ayudarte?"),
        ("こんにちは", "こんにちは!何かお手伝いできることはありますか?"),
    ],
)
def test_a_greeting_answers_in_its_language(client: anthropic.Anthropic, prompt: str, greeting: str) -> None:
    reply = ask(client, user(prompt))
    assert text_of(reply).startswith(greeting[:4]) and tool_calls(reply) == []


def test_prose_and_forms_follow_the_prompts_language(client: anthropic.Anthropic) -> None:
    from mockclaude.engine import prose

    french = text_of(ask(client, user("Pourquoi le ciel est-il bleu ?")))
    assert french.startswith("À propos de ciel et bleu : ")
    vocabulary = set(prose.words("fr_FR"))
    body = [w.strip(".").lower() for w in french.split(":", 1)[1].split()]
    assert sum(w in vocabulary for w in body) >= len(body) * 0.9
    listed = text_of(ask(client, user("Liste des avantages du sport, s'il vous plaît")))
    assert listed.startswith("Voici quelques points sur avantages et sport :\n\n- ")
    german = text_of(ask(client, user("Schreib eine Python Funktion, die Zahlen sortiert")))
    assert german.startswith(
        "Hier ein Beispiel in python für Zahlen und sortiert:\n\n```python\ndef zahlen_sortiert("
    )
    japanese = text_of(ask(client, user("空はなぜ青いのですか")))
    assert japanese.endswith("。") and " " not in japanese


def test_results_are_reported_in_the_instructions_language(client: anthropic.Anthropic) -> None:
    history = user("Bitte lies die Datei notes.txt, was steht darin?")
    first = ask(client, history, tool_choice={"type": "tool", "name": "Read"})
    final = ask(client, then(history, first, "     1\tMilch kaufen"))
    assert text_of(final).startswith("In `") and text_of(final).endswith("steht:\n\n> Milch kaufen")


def test_a_property_is_filled_by_its_description_when_its_name_says_nothing(
    client: anthropic.Anthropic,
) -> None:
    runner = {
        "name": "sh",
        "description": "Runs a shell command on the host.",
        "input_schema": {
            "type": "object",
            "properties": {
                "c": {"type": "string", "description": "The shell command to run"},
                "t": {"type": "integer", "description": "Timeout in seconds"},
            },
            "required": ["c"],
        },
    }
    reply = ask(client, user("Run the shell command: uname -a"), tools=[runner])
    assert tool_calls(reply) == [("sh", {"c": "uname -a"})]
