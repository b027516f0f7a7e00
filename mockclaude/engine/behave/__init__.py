"""Behaviour without a script: intent from the conversation decides tool calls and text (rules, not dice).

``decide`` reads the request and returns a ``Behaviour``: the client tool calls to make (each with its input
built from the user's words, or ``None`` to generate it from the schema), or the text to answer with, and the id
of the rule that decided (``intent.command``, ``results``, ``text.greeting``, ...), which the journal records.

- ``tool_choice`` ``none``, or no tools: text.
- ``tool_choice`` ``tool``: that tool, its input filled from the instruction where it fits (``forced.tool``).
- A user instruction (engine/behave/intent.py): its first step, with the tool that plays its role
  (engine/behave/tools.py): ``intent.command``, ``intent.read``, ...; tools named by the prompt: ``intent.tool``.
- After tool results: the instruction's next step (``step2.write``, ...), else a text answer reporting the results
  (``results``). The same call with the same input is never made twice in a row (``results.repeat``).
- Nothing fits: with ``tool_choice`` ``any`` a deterministic pick (``forced.any``); otherwise text, in the form the
  question asks for (``text.greeting``, ``text.list``, ``text.code``, ``text.brief``, ``text.prose``).
- ``Settings(tool_use="always")`` (``--tool-use always``) restores the old rule: with tools offered, every user
  question gets a call, picked by name words or at random (``always.pick``).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mockclaude.engine.behave import answer as A
from mockclaude.engine.behave import intent as I
from mockclaude.engine.behave import language as L
from mockclaude.engine.behave import tools as T

MAX_PARALLEL_CALLS = 3


@dataclass(slots=True)
class Call:
    """One client tool call: the tool, its schema, and its input (``None``: generated from the schema)."""

    name: str
    schema: dict[str, Any]
    input: dict[str, Any] | None = None


@dataclass(slots=True)
class Behaviour:
    """What a generated reply does, and which rule said so."""

    rule: str
    calls: list[Call] = field(default_factory=list)
    forced: bool = False
    text: str | None = None  # a decided answer (results, greeting); None: generated in ``form``
    form: str = "prose"
    question: str = ""
    language: str = "en_US"  # the prompt's (engine/behave/language.py): phrases and vocabulary follow it


@dataclass(frozen=True, slots=True)
class Conversation:
    """What the rules read from a request, extracted once by the caller (engine/choose.py)."""

    tools: list[T.Tool]
    tool_choice: str  # auto, any, tool, none
    forced_name: str | None  # the tool ``tool_choice`` names
    parallel: bool
    question: str | None  # the user question being answered (None: the last turn holds tool results)
    instruction: str  # the last user text that is not tool results (the task in progress)
    calls_since: int  # tool-use turns since that instruction
    texts: Callable[
        [], list[str]
    ]  # every text of the request (system prompt, messages): the working directory
    previous_calls: list[tuple[str, dict[str, Any]]]  # (name, input) of the last assistant turn's tool uses
    results: list[tuple[str, str | None, str, bool]]  # (tool_use_id, name, content, is_error), last user turn
    previous_inputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool_use_id -> its input
    always: bool = False  # Settings(tool_use="always")


def _generate(schema: object, rng: random.Random, hint: str) -> Any:
    from mockclaude.engine.schema_gen import generate_instance  # only tool calls need it

    return generate_instance(schema, rng, hint=hint)


def _step_call(step: I.Step, conv: Conversation, rng: random.Random, question: str) -> Call | None:
    if step.rule == "tool":
        tool = next((t for t in conv.tools if t[0] == step.tool), None)
        return Call(tool[0], tool[1]) if tool is not None else None
    role = T.role_of(step)
    tool = T.find_tool(role, conv.tools) if role is not None else None
    if tool is None:
        return None
    cwd = I.working_directory(conv.texts())
    value = T.build_input(step, tool, rng, cwd=cwd, question=question, generate=_generate)
    return Call(tool[0], tool[1], value)


def _steps(text: str, names: list[str]) -> list[I.Step]:
    return [s for part in I.split_steps(text) if (s := I.read_step(part, names)) is not None]


def role_of_tool(name: str | None, tools: list[T.Tool]) -> str | None:
    """The role an offered tool plays (``shell``, ``read``, ...), if any."""
    for role in ("shell", "read", "write", "edit", "fetch", "search"):
        found = T.find_tool(role, tools)
        if found is not None and found[0] == name:
            return role
    return None


def _text(conv: Conversation, question: str) -> Behaviour:
    lang = L.detect(question)
    if I.is_greeting(question):
        return Behaviour("text.greeting", form="greeting", question=question, language=lang)
    form = A.form_of(question)
    return Behaviour(f"text.{form}", form=form, question=question, language=lang)


def _after_results(conv: Conversation, rng: random.Random) -> Behaviour:
    names = [t[0] for t in conv.tools]
    steps = _steps(conv.instruction, names)
    if conv.calls_since < len(steps):
        step = steps[conv.calls_since]
        call = _step_call(step, conv, rng, conv.instruction)
        if call is not None and (call.name, call.input) not in conv.previous_calls:
            return Behaviour(
                f"step{conv.calls_since + 1}.{step.rule}", calls=[call], question=conv.instruction
            )
    repeated = conv.calls_since < len(steps)
    reported = [
        (role_of_tool(name, conv.tools), name or "tool", conv.previous_inputs.get(use_id, {}), content, error)
        for use_id, name, content, error in conv.results
    ]
    rule = "results.repeat" if repeated else "results"
    lang = L.detect(conv.instruction)
    return Behaviour(
        rule, text=A.reports(reported, lang), form="results", question=conv.instruction, language=lang
    )


def decide(conv: Conversation, rng: random.Random) -> Behaviour:
    """The behaviour of a generated reply to this conversation (server tools are decided before, by choose)."""
    question = conv.question if conv.question is not None else conv.instruction
    if conv.tool_choice == "none" or not conv.tools:
        return _text(conv, question)
    names = [t[0] for t in conv.tools]
    if conv.forced_name is not None:
        tool = next((t for t in conv.tools if t[0] == conv.forced_name), None)
        if tool is None:
            return _text(conv, question)
        steps = _steps(question, names) if conv.question is not None else []
        step = next((s for s in steps if T.role_of(s) is not None), None)
        value = None
        if step is not None:
            cwd = I.working_directory(conv.texts())
            value = T.build_input(step, tool, rng, cwd=cwd, question=question, generate=_generate)
        return Behaviour("forced.tool", calls=[Call(tool[0], tool[1], value)], forced=True, question=question)
    if conv.question is None and conv.tool_choice != "any":
        return _after_results(conv, rng)
    steps = _steps(question, names)
    forced = conv.tool_choice == "any"
    if steps:
        step = steps[0]
        named = I.named_tools(question, names) if step.rule == "tool" else []
        if len(named) > 1:
            picked = named[: MAX_PARALLEL_CALLS if conv.parallel else 1]
            calls = [Call(t[0], t[1]) for n in picked for t in conv.tools if t[0] == n]
            return Behaviour("intent.tool", calls=calls, forced=forced, question=question)
        call = _step_call(step, conv, rng, question)
        if call is not None:
            return Behaviour(f"intent.{step.rule}", calls=[call], forced=forced, question=question)
    if forced or conv.always:
        tool = conv.tools[rng.randrange(len(conv.tools))]
        rule = "forced.any" if forced else "always.pick"
        return Behaviour(rule, calls=[Call(tool[0], tool[1])], forced=forced, question=question)
    return _text(conv, question)


def compose(
    behaviour: Behaviour,
    target_tokens: int,
    rng: random.Random,
    sentence: Callable[[str], str],
    prose: Callable[[int, str], str],
) -> str:
    """The text of a text answer: the decided one, or vocabulary sentences in the form the question asks for.

    ``sentence(locale)`` draws one sentence and ``prose(n, locale)`` about ``n`` tokens of them (engine/prose.py);
    the form only arranges them, so the words stay the seeded vocabulary's, in the prompt's language.
    """
    if behaviour.text is not None:
        return behaviour.text
    question, lang = behaviour.question, behaviour.language
    if behaviour.form == "greeting":
        return A.greeting(rng.randrange(1 << 16), lang)
    lead = A.lead(question, lang)
    if behaviour.form == "brief":
        return f"{lead} {sentence(lang)}" if lead else sentence(lang)
    if behaviour.form == "list":
        return A.list_answer(question, [sentence(lang) for _ in range(rng.randint(3, 5))], lang)
    if behaviour.form == "code":
        return A.code_answer(question, sentence(lang), lang)
    body = prose(target_tokens, lang)
    return f"{lead} {body}" if lead else body
