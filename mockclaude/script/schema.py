"""The JSON Schema of script files, built from the engine's vocabulary tables and shipped as ``schema.json``.

Editors use it (``# yaml-language-server: $schema=…``); the loader is stricter still (operators, templates,
regexes, fault values), so a file the schema accepts may still fail ``mockclaude validate`` — never the reverse.
Regenerate after a vocabulary change: ``python -m mockclaude.script.schema --write``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mockclaude.engine import servertools
from mockclaude.engine.canonical import RECORDING_KEYS
from mockclaude.engine.matchers import MATCH_KEYS
from mockclaude.engine.ops import OPERATORS
from mockclaude.engine.recorded import EVENT_KEYS, RECORDED_KEYS
from mockclaude.engine.reply_spec import (
    BLOCK_KEYS,
    CITATION_KEYS,
    CITATION_OPTIONAL,
    ERROR_KEYS,
    REFUSAL_CATEGORIES,
    REPLY_KEYS,
    REQUIRED_BLOCK_KEYS,
    STOP_REASONS,
    USAGE_KEYS,
)
from mockclaude.engine.stubs import EXHAUSTED, FILE_KEYS, STUB_KEYS
from mockclaude.model.errors import ERROR_CLASSES

SCHEMA_PATH = Path(__file__).with_name("schema.json")
SCHEMA_ID = "https://github.com/mockclaude/mockclaude/schema/script-v1.json"

_REF = "#/$defs/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _closed(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": properties, **extra}


def _op() -> dict[str, Any]:
    scalar = {"type": ["string", "number", "integer", "boolean", "null"]}
    ops: dict[str, Any] = {name: {} for name in OPERATORS}
    ops["contains"] = scalar
    ops["regex"] = {"type": "string"}
    ops["any_of"] = {"type": "array", "minItems": 1, "items": _ref("op")}
    ops["not"] = _ref("op")
    ops["absent"] = {"type": "boolean"}
    for name in ("gte", "lte", "gt", "lt"):
        ops[name] = {"type": "number"}
    return {"anyOf": [scalar, _closed(ops, minProperties=1)]}


def _match() -> dict[str, Any]:
    props: dict[str, Any] = {key: _ref("op") for key in MATCH_KEYS}
    props["any_message"] = {"anyOf": [_ref("op"), _closed({"role": _ref("op"), "text": _ref("op")})]}
    props["tools"] = _closed(
        {"present": {"type": "boolean"}, "named": {"type": ["string", "array"]}, "count": _ref("op")}
    )
    props["tool_choice"] = {"anyOf": [_ref("op"), _closed({"type": _ref("op"), "name": _ref("op")})]}
    props["tool_result"] = _closed(
        {
            "present": {"type": "boolean"},
            "name": _ref("op"),
            "content": _ref("op"),
            "is_error": {"type": "boolean"},
        }
    )
    props["thinking"] = {"anyOf": [{"type": "boolean"}, _ref("op")]}
    props["stream"] = {"type": "boolean"}
    for key in ("metadata", "headers", "json"):
        props[key] = {"type": "object", "minProperties": 1, "additionalProperties": _ref("op")}
    props["route"] = {
        "type": "string",
        "pattern": "^[A-Z]+ /\\S*$",
        "description": "the endpoint a recording answers (default POST /v1/messages)",
    }
    props["request"] = {
        "type": "object",
        "description": "a recorded request body: the request, in canonical form, must equal it (the file's "
        "recording.ignore paths left out; [REDACTED] matches anything)",
    }
    assert set(props) == set(MATCH_KEYS)
    return _closed(props)


def _block(kind: str) -> dict[str, Any]:
    props: dict[str, Any] = {"type": {"const": kind}}
    for key in BLOCK_KEYS[kind]:
        if key == "type":
            continue
        if key in ("text", "thinking", "name", "id", "signature", "data", "file_id", "tool_use_id"):
            props[key] = {"type": "string"}
        elif key == "input":
            props[key] = {"type": "object"}
        elif key == "citations":
            props[key] = {"type": "array", "items": _ref("citation")}
        else:  # result / content: free-form, checked by the loader
            props[key] = {}
    if kind == "server_tool_use":
        props["name"] = {"enum": list(servertools.SERVER_TOOL_NAMES)}
    return _closed(props, required=["type", *REQUIRED_BLOCK_KEYS.get(kind, ())])


def _citation() -> dict[str, Any]:
    branches = []
    for kind, keys in CITATION_KEYS.items():
        props: dict[str, Any] = {"type": {"const": kind}}
        props |= {key: {} for key in keys}
        required = ["type", *(k for k in keys if k not in CITATION_OPTIONAL)]
        branches.append(_closed(props, required=required))
    return {"oneOf": branches}


def _reply() -> dict[str, Any]:
    usage: dict[str, Any] = {}
    for key, sub in USAGE_KEYS.items():
        if sub:
            usage[key] = _closed({name: {"type": "integer", "minimum": 0} for name in sub})
        elif key in ("service_tier", "inference_geo", "speed"):
            usage[key] = {"type": ["string", "null"]}
        else:
            usage[key] = {"type": "integer", "minimum": 0}
    header_values = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
    error = _closed(
        {
            "type": {"enum": list(ERROR_CLASSES)},
            "message": {"type": "string"},
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "headers": header_values,
            "details": {"type": "object"},
        },
        required=["type"],
    )
    assert set(error["properties"]) == set(ERROR_KEYS)
    props: dict[str, Any] = {
        "content": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"oneOf": [_ref(f"block_{k}") for k in BLOCK_KEYS]}},
            ]
        },
        "text": {"type": "string"},
        "stop_reason": {"enum": list(STOP_REASONS)},
        "stop_sequence": {"type": ["string", "null"]},
        "stop_details": _closed(
            {
                "type": {"const": "refusal"},
                "category": {"enum": [*REFUSAL_CATEGORIES, None]},
                "explanation": {"type": ["string", "null"]},
            }
        ),
        "usage": _closed(usage),
        "headers": header_values,
        "error": {"anyOf": [{"enum": list(ERROR_CLASSES)}, error]},
        "fault": {
            "type": "object",
            "required": ["kind"],
            "description": "mockclaude.model.faults.Fault fields",
        },
        "latency": {"type": "object", "description": "mockclaude.model.faults.Latency fields"},
        "model": {"type": "string"},
        "container": {"type": ["object", "null"]},
        "recorded": _ref("recorded"),
    }
    assert set(props) == set(REPLY_KEYS)
    return _closed(
        props,
        **{"not": {"required": ["content", "text"]}, "dependentSchemas": {"recorded": {"maxProperties": 1}}},
    )


def _recorded() -> dict[str, Any]:
    ms = {"type": "number", "minimum": 0}
    event = _closed({"ms": ms, "event": {"type": "string"}, "data": {}}, required=["data"])
    assert set(event["properties"]) == set(EVENT_KEYS)
    props: dict[str, Any] = {
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "body": {"description": "the JSON body as received"},
        "text": {"type": "string", "description": "a body that is not JSON"},
        "events": {"type": "array", "minItems": 1, "items": event, "description": "a stream, event by event"},
        "ms": {**ms, "description": "when the whole answer had arrived, in ms after the request"},
    }
    assert set(props) == set(RECORDED_KEYS)
    one = [{"required": [key]} for key in ("body", "text", "events")]
    return _closed(props, oneOf=one, description="an answer recorded from an upstream, served as recorded")


def _recording() -> dict[str, Any]:
    paths = {"type": "array", "items": {"type": "string"}}
    props: dict[str, Any] = {
        "upstream": {"type": "string", "description": "where it was recorded"},
        "ignore": {**paths, "description": "request JSON paths left out of matching (default [$.metadata])"},
        "redact": {
            **paths,
            "description": "regular expressions redacted when more is recorded into this file",
        },
        "redact_paths": {**paths, "description": "JSON paths redacted when more is recorded into this file"},
    }
    assert set(props) == set(RECORDING_KEYS)
    return _closed(props)


def _stub() -> dict[str, Any]:
    props: dict[str, Any] = {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "priority": {
            "type": "integer",
            "description": "higher first; ties in load order; the first match wins",
        },
        "match": _ref("match"),
        "reply": _ref("reply"),
        "sequence": {"type": "array", "minItems": 1, "items": _ref("reply")},
        "exhausted": {"enum": list(EXHAUSTED)},
        "times": {"type": "integer", "minimum": 1},
        "ordered": {"type": ["boolean", "string"]},
        "scenario": {"type": "string"},
        "requires": {"type": "string"},
        "sets": {"type": "string"},
    }
    assert set(props) == set(STUB_KEYS)
    return _closed(
        props,
        oneOf=[{"required": ["reply"]}, {"required": ["sequence", "exhausted"]}],
    )


def build_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of a script file."""
    defs: dict[str, Any] = {
        "stub": _stub(),
        "match": _match(),
        "op": _op(),
        "reply": _reply(),
        "recorded": _recorded(),
        "citation": _citation(),
    }
    defs |= {f"block_{kind}": _block(kind) for kind in BLOCK_KEYS}
    top = _closed(
        {
            "version": {"const": 1},
            "description": {"type": "string"},
            "recording": _recording(),
            "stubs": {"type": "array", "items": _ref("stub")},
        },
        required=["version"],
    )
    assert set(top["properties"]) == set(FILE_KEYS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mockclaude script file (version 1)",
        **top,
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as the shipped file holds it."""
    return json.dumps(build_schema(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the schema, or ``--write`` it to the package's ``schema.json``."""
    parser = argparse.ArgumentParser(prog="python -m mockclaude.script.schema")
    parser.add_argument("--write", action="store_true", help=f"write {SCHEMA_PATH.name}")
    args = parser.parse_args(argv)
    if args.write:
        SCHEMA_PATH.write_text(schema_text())
    else:
        sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
