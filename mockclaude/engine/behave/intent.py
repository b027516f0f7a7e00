"""What the user asked for, read from the words of their turn: the steps of an instruction and their values.

A few documented patterns, no model: an instruction that names a command, a file to read, write or edit, a URL,
something to search for, or a tool by name. Each recognised step carries the rule that found it (its id goes to
the journal) and the values the tool input is built from. Anything else is conversation, answered in text.

The rules, in the order they are tried on each step of the instruction (README "Generated replies"):

| rule | recognises | values |
|---|---|---|
| ``command`` | "run/execute ...: CMD", "run `CMD`", a line ``$ CMD``, "run ls -la" (a known program name) | command |
| ``write`` | "create/write (a file) PATH containing/with content/saying: TEXT", "write TEXT to PATH" | path, content |
| ``edit`` | "replace/change A with/to B in PATH", "in PATH, replace A with B" | path, old, new |
| ``read`` | a file path with a reading word (read, show, open, cat, what ... says, contents, look at) | path |
| ``fetch`` | an http(s) URL | url |
| ``search`` | "search (the web) for X", "look up X", "google X" | query |
| ``list`` | "list (the) files (in DIR)" | command ``ls`` DIR |
| ``tool`` | an identifier-like tool name, or all its words ("weather" for ``get_weather``); a plain-word name (``Write``) only as "the Write tool" / "use Write" | the tool |

Steps are split at "then", "and then", "after that" and ";" when a verb follows, so "read a.txt, then write b.txt
containing: x" is two steps, taken one per turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mockclaude.engine.behave.language import words_of

_REMINDER = re.compile(r"<system-reminder>.*?</system-reminder>", re.S)
_VERBS = (
    r"run|execute|read|write|create|make|save|edit|replace|change|fetch|open|show|cat|search|look|google|list|"
    r"tell|summari[sz]e|print|display|use|call|say|append|delete|remove"
)
_SPLIT = re.compile(
    rf"(?:[,;.]\s*|\s+)(?:and\s+then|then|after\s+that|afterwards|next)[,:]?\s+(?=(?:{_VERBS})\b)|;\s+(?=(?:{_VERBS})\b)",
    re.I,
)

# Programs a bare "run X" may start with: enough to tell "run ls -la" from "run the tests".
_PROGRAMS = words_of(
    "ls echo cat pwd git npm npx node python python3 pip pytest make grep find mkdir rm cp mv touch head "
    "tail wc date whoami uname env curl uv cargo go docker sed awk sort ps df du which tree"
)
_RUN = re.compile(r"\b(?:run|execute|exec)\b", re.I)
_RUN_COLON = re.compile(
    r"\b(?:run|execute|exec)\b(?:\s+(?:the|this|a|following))*(?:\s+(?:shell|bash|terminal|sh))?"
    r"(?:\s+command)?\s*:\s*(.+?)\s*$",
    re.I | re.S,
)
_BACKTICKS = re.compile(r"`([^`\n]+)`")
_DOLLAR = re.compile(r"^\s*\$\s+(.+?)\s*$", re.M)
_RUN_BARE = re.compile(
    r"\b(?:run|execute)\s+(?:the\s+command\s+)?([a-z][\w.-]*(?:\s+[^\n]*?)?)\s*(?:[.!?]\s*$|$|\n)", re.I
)

_EXT = (
    "txt|md|markdown|py|js|mjs|cjs|ts|tsx|jsx|json|jsonl|yaml|yml|toml|cfg|ini|conf|csv|tsv|log|html|htm|css|sh|"
    "bash|zsh|rs|go|java|kt|c|h|cc|cpp|hpp|rb|php|xml|sql|env|lock|ipynb|rst|tex|svg|pdf"
)
_PATH = re.compile(
    rf"(?<![\w/:.])(?:~|\.{{1,2}})?(?:/?[\w.@+-]+/)+[\w.@+-]+|(?<![\w/.-])[\w@+-][\w.@+-]*\.(?:{_EXT})\b",
)
_URL = re.compile(r"https?://[^\s<>\"'`)\]]+")
_READ_WORDS = re.compile(
    r"\b(?:read|show|open|cat|display|print|view|look\s+at|contents?|says?|what(?:'s|\s+is)\s+in|inside)\b",
    re.I,
)
_WRITE = re.compile(
    r"\b(?:create|write|make|save)\b(?:\s+(?:a|an|the|new))*(?:\s+(?:text\s+)?file)?(?:\s+(?:named|called|at))?\s+"
    r"(?P<path>\S+?)\s*,?\s+(?:containing|that\s+contains|with\s+(?:the\s+)?(?:content|contents|text)|saying|that\s+says)"
    r"\s*:?\s*(?P<content>.+?)\s*$",
    re.I | re.S,
)
_WRITE_TO = re.compile(
    r"\b(?:write|save|put)\s+(?P<q>['\"`])(?P<content>.+?)(?P=q)\s+(?:to|in|into)\s+(?:a\s+file\s+(?:named|called)\s+)?(?P<path>\S+?)[.!]?\s*$",
    re.I | re.S,
)
_EDIT = re.compile(
    r"\b(?:replace|change)\s+(?P<q1>['\"`]?)(?P<old>.+?)(?P=q1)\s+(?:with|to|by)\s+(?P<q2>['\"`]?)(?P<new>.+?)(?P=q2)"
    r"\s+in\s+(?:the\s+file\s+)?(?P<path>\S+?)[.!]?\s*$",
    re.I | re.S,
)
_EDIT_IN = re.compile(
    r"\bin\s+(?:the\s+file\s+)?(?P<path>\S+?),?\s+(?:replace|change)\s+(?P<q1>['\"`]?)(?P<old>.+?)(?P=q1)\s+(?:with|to|by)"
    r"\s+(?P<q2>['\"`]?)(?P<new>.+?)(?P=q2)[.!]?\s*$",
    re.I | re.S,
)
_SEARCH = re.compile(
    r"\b(?:search(?:\s+the\s+web|\s+online)?(?:\s+for)?|look\s+up|google|find\s+information\s+(?:about|on))\s+(.+?)[.?!]?\s*$",
    re.I | re.S,
)
_LIST = re.compile(r"\blist\s+(?:all\s+)?(?:the\s+)?files(?:\s+in\s+(?P<dir>\S+?))?[.!?]?\s*$", re.I)
_GREETING = re.compile(
    r"^\W*(?:say\s+)?(?:hi|hello|hey|howdy|hiya|good\s+(?:morning|afternoon|evening)|bonjour|salut|hallo|hola|"
    r"ciao|hoi|cześć|привет|здравствуйте|guten\s+(?:tag|morgen)|buenos\s+d[ií]as|こんにちは|你好|您好)(?!\w)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the user asked to be done: which rule saw it, and the values for the tool input."""

    rule: str
    command: str | None = None
    path: str | None = None
    content: str | None = None
    old: str | None = None
    new: str | None = None
    url: str | None = None
    query: str | None = None
    tool: str | None = None  # a tool named in the prompt
    text: str = ""  # the words of this step


def question_text(texts: list[str]) -> str:
    """The user's own words: text blocks with Claude Code's ``<system-reminder>`` notes left out."""
    parts = [_REMINDER.sub("", text).strip() for text in texts]
    return "\n".join(part for part in parts if part)


def is_greeting(text: str) -> bool:
    """Small talk: a greeting ("hi", "say hi", "good morning", "bonjour") and at most a few words more; a
    greeting that opens a question ("Hello, why is the sky blue?") is a question."""
    found = _GREETING.match(text)
    if found is None:
        return False
    rest = text[found.end() :]
    return "?" not in rest and "？" not in rest and len(rest.split()) <= 3


def split_steps(text: str) -> list[str]:
    """The instruction's parts, in order ("read a, then write b" -> ["read a", "write b"])."""
    return [part.strip(" ,.") for part in _SPLIT.split(text) if part and part.strip(" ,.")]


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
        return value[1:-1]
    return value


def _path_of(value: str) -> str:
    return _clean(value).rstrip(".,;:!?)")


def _command(text: str) -> str | None:
    if (dollar := _DOLLAR.search(text)) is not None:
        return dollar.group(1)
    if not _RUN.search(text):
        return None
    if (colon := _RUN_COLON.search(text)) is not None:
        return _clean(colon.group(1).splitlines()[0]).rstrip(".") or None
    if (ticks := _BACKTICKS.search(text)) is not None:
        return ticks.group(1)
    bare = _RUN_BARE.search(text)
    if bare is not None and bare.group(1).split()[0].lower() in _PROGRAMS:
        return bare.group(1).strip()
    return None


def read_step(text: str, tool_names: list[str]) -> Step | None:
    """The step ``text`` asks for, or ``None`` when it asks for nothing a tool does."""
    if (command := _command(text)) is not None:
        return Step("command", command=command, text=text)
    for pattern in (_WRITE, _WRITE_TO):
        if (write := pattern.search(text)) is not None:
            return Step("write", path=_path_of(write["path"]), content=_clean(write["content"]), text=text)
    for pattern in (_EDIT, _EDIT_IN):
        if (edit := pattern.search(text)) is not None:
            return Step("edit", path=_path_of(edit["path"]), old=edit["old"], new=edit["new"], text=text)
    if (listing := _LIST.search(text)) is not None:
        where = listing["dir"]
        return Step("list", command=f"ls {_path_of(where)}" if where else "ls", text=text)
    url = _URL.search(text)
    for path_match in _PATH.finditer(text):
        if url is not None and url.start() <= path_match.start() < url.end():
            continue
        if _READ_WORDS.search(text) or len(text.split()) <= 3:
            return Step("read", path=_path_of(path_match.group(0)), text=text)
        break
    if url is not None:
        return Step("fetch", url=url.group(0).rstrip(".,;:!?"), text=text)
    if (search := _SEARCH.search(text)) is not None:
        return Step("search", query=_clean(search.group(1)), text=text)
    if (named := named_tool(text, tool_names)) is not None:
        return Step("tool", tool=named, text=text)
    return None


def _name_words(name: str) -> list[str]:
    parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", name)
    return [
        w.lower() for w in parts if len(w) > 2 and w.lower() not in ("get", "set", "tool", "the", "fetch")
    ]


def _identifier_like(name: str) -> bool:
    """``get_weather``, ``ListAgents``, ``v2lookup``: a name no sentence uses by accident (``Write`` is not)."""
    return (
        "_" in name or "-" in name or any(c.isdigit() for c in name) or bool(re.search(r"[a-z][A-Z]", name))
    )


def named_tools(text: str, tool_names: list[str]) -> list[str]:
    """Tools the text names: an identifier-like name exactly or by all its words ("weather" for ``get_weather``,
    plurals allowed); a plain word (``Write``, ``Agent``) only as "the Write tool", "use/call Write"."""
    lowered = text.lower()
    hits = []
    for name in tool_names:
        low = re.escape(name.lower())
        if not _identifier_like(name):
            explicit = rf"\b(?:use|call|invoke|run)\s+(?:the\s+)?{low}\b|\b{low}\s+tool\b"
            if re.search(explicit, lowered):
                hits.append(name)
            continue
        if re.search(rf"(?<![\w-]){low}(?![\w-])", lowered):
            hits.append(name)
            continue
        words = _name_words(name)
        if words and all(re.search(rf"\b{re.escape(w)}s?\b", lowered) for w in words):
            hits.append(name)
    return hits


def named_tool(text: str, tool_names: list[str]) -> str | None:
    """The first tool the text names, if any."""
    hits = named_tools(text, tool_names)
    return hits[0] if hits else None


def working_directory(texts: list[str]) -> str | None:
    """The working directory a client states in its prompts (Claude Code: "Primary working directory: /x")."""
    pattern = re.compile(r"(?:primary\s+)?working\s+directory:\s*(/\S+)", re.I)
    for text in texts:
        if (found := pattern.search(text)) is not None:
            return found.group(1).rstrip(".,;")
    return None
