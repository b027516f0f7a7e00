"""Text answers that fit the conversation: what a tool returned, a greeting, a list, a code block, one line.

After tool results the answer reports them: a command's output in a code block, a file's lines quoted (without
the ``cat -n`` numbers Claude Code's ``Read`` adds), a write or edit as done, a failed call (``is_error``) as a
failure with the tool's own message. Without tools, the answer keeps the form asked for and names the question's
key words; the sentences in between still come from the shipped vocabulary (engine/prose.py).
"""

from __future__ import annotations

import re
from typing import Any

from mockclaude.engine.behave.language import ENGLISH, UNSPACED, phrase, stopwords, words_of

MAX_QUOTED_LINES = 20
MAX_QUOTED_CHARS = 2000

_NUMBERED = re.compile(r"^\s*\d+(?:\t|→)")  # "     1\thello" (cat -n, Claude Code's Read) or "1→hello"
_STOP = words_of(
    "a an the and or but if then else of to in on at by for with from about into over under as is are was "
    "were be been being it its this that these those i me my you your we our they them their he she his "
    "her what which who whom whose when where why how can could would should will shall may might must do "
    "does did done please tell give show make write explain describe list some any all each every more "
    "most other such only own same so than too very just also not no yes hi hello hey say one two three "
    "few many lot brief briefly short code function program script example examples line sentence word "
    "words"
)
_LANGUAGES = {
    "python": "python",
    "javascript": "javascript",
    "js": "javascript",
    "typescript": "typescript",
    "ts": "typescript",
    "bash": "bash",
    "shell": "bash",
    "go": "go",
    "golang": "go",
    "rust": "rust",
    "java": "java",
    "c\\+\\+": "cpp",
    "cpp": "cpp",
    "ruby": "ruby",
    "sql": "sql",
    "kotlin": "kotlin",
    "swift": "swift",
    "php": "php",
}
_LANGUAGE_WORDS = frozenset(w.replace("\\", "") for w in _LANGUAGES)
# What a question asks for, in the languages of engine/behave/language.py.
_CODE_ASK = re.compile(
    r"\b(?:code|function|script|program|snippet|class|implement|implementation|código|codice|funktion|fonction|"
    r"función|funzione|код|функци\w*)\b|コード|代码|函数",
    re.I,
)
_LIST_ASK = re.compile(
    r"\b(?:list|bullet(?:s|ed)?|enumerate|name\s+(?:\d+|a\s+few|some|three|five)|liste|lista|lijst|список)\b|"
    r"リスト|列出",
    re.I,
)
_BRIEF_ASK = re.compile(
    r"\b(?:briefly|brief|one\s+(?:line|sentence|word)|in\s+a\s+sentence|short(?:ly)?|concise(?:ly)?|tl;?dr|"
    r"kurz|bref|brièvement|breve|brevemente|kort|krótko|кратко)\b|簡単に|简短",
    re.I,
)


# Imperatives that open a request in the other languages (English ones are in _STOP).
_VERBS = words_of(
    "schreib schreibe zeig zeige erkläre écris écrire montre explique escribe muestra explica scrivi mostra "
    "spiega schrijf toon leg napisz pokaż wyjaśnij напиши покажи объясни"
)


def key_words(question: str, limit: int = 3) -> list[str]:
    """The question's content words, in order of appearance, without duplicates."""
    seen: list[str] = []
    others = stopwords()
    for word in re.findall(r"[^\W\d_][\w'-]{2,}", question):
        low = word.lower().strip("'-")
        parts = low.split("-")
        skip = low in _STOP or low in _LANGUAGE_WORDS or "_" in low or any(p in others for p in parts)
        skip = skip or low in _VERBS or any(ask.fullmatch(low) for ask in (_CODE_ASK, _LIST_ASK, _BRIEF_ASK))
        if not skip and low not in (w.lower() for w in seen):
            seen.append(word.strip("'-"))
        if len(seen) == limit:
            break
    return seen


def _language(question: str) -> str | None:
    for word, language in _LANGUAGES.items():
        if re.search(rf"(?<![\w+]){word}(?![\w+])", question, re.I):
            return language
    return None


def form_of(question: str) -> str:
    """The form the question asks for: ``code``, ``list``, ``brief`` or ``prose``."""
    if _CODE_ASK.search(question) and (_language(question) is not None or "code" in question.lower()):
        return "code"
    if _LIST_ASK.search(question):
        return "list"
    if _BRIEF_ASK.search(question):
        return "brief"
    return "prose"


def greeting(pick: int, lang: str = ENGLISH) -> str:
    """One of a few greetings in ``lang`` (``pick`` is a seeded draw)."""
    choices = phrase(lang, "greeting").split("|")
    return choices[pick % len(choices)]


def _joined(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + phrase(lang, "and") + words[-1]


def _snake(words: list[str]) -> str:
    name = "_".join(re.sub(r"\W", "", w.lower()) for w in words[:2]) or "example"
    return name if name[0].isalpha() else f"f_{name}"


def code_answer(question: str, sentence: str, lang: str = ENGLISH) -> str:
    """A short code block in the language the question names (Python when it names none)."""
    language = _language(question) or "python"
    words = key_words(question)
    name = _snake(words)
    camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
    bodies = {
        "python": f'def {name}(value):\n    """{sentence}"""\n    return value\n',
        "javascript": f"function {camel}(value) {{\n  // {sentence}\n  return value;\n}}\n",
        "typescript": f"function {camel}(value: unknown): unknown {{\n  // {sentence}\n  return value;\n}}\n",
        "bash": f'#!/usr/bin/env bash\n# {sentence}\n{name}() {{\n  echo "$1"\n}}\n',
        "go": f"// {sentence}\nfunc {camel}(value any) any {{\n\treturn value\n}}\n",
        "rust": f"/// {sentence}\nfn {name}<T>(value: T) -> T {{\n    value\n}}\n",
        "sql": f"-- {sentence}\nSELECT * FROM {name} LIMIT 10;\n",
    }
    body = bodies.get(language, f"// {sentence}\n{camel}(value) {{ return value; }}\n")
    subject = _joined(words[:2], lang) if words else "this"
    return phrase(lang, "example", subject, language) + f"\n\n```{language}\n{body}```"


def list_answer(question: str, sentences: list[str], lang: str = ENGLISH) -> str:
    """A Markdown list: an opening line naming the question's key words, then one item per sentence."""
    words = key_words(question)
    opening = phrase(lang, "points", _joined(words[:2], lang)) if words else phrase(lang, "points_plain")
    return opening + "\n\n" + "\n".join(f"- {s}" for s in sentences)


def lead(question: str, lang: str = ENGLISH) -> str:
    """An opening sentence that names the question's key words ("" when it has none, or the language is
    written without spaces: its words cannot be picked out by spaces)."""
    words = key_words(question) if lang not in UNSPACED else []
    return phrase(lang, "about", _joined(words, lang)) if words else ""


def _unnumbered(content: str) -> list[str]:
    lines = content.splitlines()
    if lines and all(_NUMBERED.match(line) or not line.strip() for line in lines):
        lines = [_NUMBERED.sub("", line, count=1) for line in lines]
    return lines


def _excerpt(lines: list[str]) -> str:
    kept, size = [], 0
    for line in lines[:MAX_QUOTED_LINES]:
        if size + len(line) > MAX_QUOTED_CHARS:
            break
        kept.append(line)
        size += len(line) + 1
    text = "\n".join(kept).rstrip()
    return text + ("\n..." if len(kept) < len(lines) else "")


def _quote(lines: list[str]) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in _excerpt(lines).splitlines())


def report(
    role: str | None, name: str, tool_input: dict[str, Any], content: str, is_error: bool, lang: str = ENGLISH
) -> str:
    """One tool result, reported in words: what ran or was read, and what came back."""
    path = next(
        (str(tool_input[k]) for k in ("file_path", "path", "filename", "file") if k in tool_input), None
    )
    command = tool_input.get("command") if isinstance(tool_input.get("command"), str) else None
    first = next((line.strip() for line in content.splitlines() if line.strip()), "")
    if is_error:
        what = f"`{command}`" if role == "shell" and command else phrase(lang, "the_call", name)
        return phrase(lang, "failed", what, first) if first else phrase(lang, "failed_silent", what)
    if role == "shell" and command is not None:
        if not content.strip():
            return phrase(lang, "silent", command)
        return phrase(lang, "printed", command) + f"\n\n```\n{_excerpt(content.splitlines())}\n```"
    if role == "read" and path is not None:
        lines = _unnumbered(content)
        if not any(line.strip() for line in lines):
            return phrase(lang, "empty", path)
        return phrase(lang, "says", path) + f"\n\n{_quote(lines)}"
    if role == "write" and path is not None:
        return phrase(lang, "wrote", path)
    if role == "edit" and path is not None:
        return phrase(lang, "updated", path)
    if not content.strip():
        return phrase(lang, "nothing", name)
    lines = content.splitlines()
    if len(lines) == 1 and len(first) <= 200:
        return phrase(lang, "returned_one", name, first)
    return phrase(lang, "returned", name) + f"\n\n{_quote(lines)}"


def reports(results: list[tuple[str | None, str, dict[str, Any], str, bool]], lang: str = ENGLISH) -> str:
    """Every result of the last turn, one paragraph each."""
    return "\n\n".join(report(*result, lang=lang) for result in results)
