"""Reading YAML script files (safe loading only) with the line of every path, for located error messages."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from mockclaude.engine.documents import Document
from mockclaude.engine.issues import Issue, ScriptError, join

if TYPE_CHECKING:
    import yaml


def _lines(node: yaml.Node, path: str, out: dict[str, int]) -> None:
    import yaml  # already loaded by parse_yaml: a dictionary lookup

    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.start_mark.line)
            child = join(path, str(key))
            out[child] = key_node.start_mark.line + 1
            _lines(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, join(path, i), out)


_INT64 = range(-(2**63), 2**63)
MAX_NODES = 200_000
"""The most YAML nodes a script may hold with every alias expanded. Aliases are references when loaded, but
everything after (locating lines, compiling stubs, writing JSON) walks them expanded: 453 bytes of nested
aliases ("billion laughs") expand to hundreds of millions of nodes, which took 4 GB in 30 s."""
_TOO_BIG = f"too large once its aliases are expanded (over {MAX_NODES:,} nodes): an alias bomb?"


def _expanded_nodes(root: yaml.Node) -> int:
    """The nodes under ``root`` with aliases expanded, counted without expanding them (once per distinct node,
    iteratively); stops counting past :data:`MAX_NODES`."""
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[id(node)] = min(1 + sum(sizes.get(id(c), 1) for c in children), MAX_NODES + 1)
    return sizes[id(root)]


@functools.cache
def _loader_class() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader, with integers past 64 bits read as floats (as JSON bodies are: orjson cannot write
    them back, and a stub replying with one answered a 500)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | float:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
        return value if value in _INT64 else float(value)

    Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
    return Loader


def parse_yaml(text: str, source: str) -> Document:
    """Parse one YAML document into data plus a path -> line map; errors raise a located ``ScriptError``."""
    import yaml  # imported on first use: only a mock that reads YAML scripts pays its ~11 ms of start-up

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_nodes(node) > MAX_NODES:  # before anything walks the aliases
            raise ScriptError([Issue(source, None, "", _TOO_BIG)])
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise ScriptError([Issue(source, None, "", f"not valid YAML: {problem}", line)]) from None
    except yaml.YAMLError as exc:
        raise ScriptError([Issue(source, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _lines(node, "", lines)
    return Document(data, lines)


def read_yaml(path: Path) -> Document:
    """The ``Reader`` for ``.yaml`` / ``.yml`` files."""
    return parse_yaml(path.read_text(encoding="utf-8"), str(path))


def dump_yaml(data: object, comment: str = "") -> str:
    """``data`` as a YAML script file a person can read: keys in their order, multi-line strings as ``|``
    blocks, no line wrapping, unicode as is (libyaml's emitter when it is there). ``comment`` goes on top."""
    import yaml

    base: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        """A dumper of its own, so the string style below does not leak into other users of PyYAML."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value and not value.startswith((" ", "\n")) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body: str = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=1 << 30)
    head = "".join(f"# {line}\n" if line else "#\n" for line in comment.splitlines())
    return head + body
