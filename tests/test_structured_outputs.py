"""Structured outputs through the official SDK: ``messages.parse`` / ``stream`` get JSON valid against the schema,
strict tools get valid input, and schemas the real API does not compile get its 400."""

from __future__ import annotations

import enum
import json
from datetime import date
from typing import Any, Literal

import anthropic
import jsonschema
import pydantic
import pytest
from pydantic import BaseModel, Field

from mockclaude.engine.structured import described_bounds, fill_from_text
from mockclaude.validate.structured import grammar_counts, schema_problem

MODEL = "claude-sonnet-4-6"
CHECK = jsonschema.FormatChecker()


# --- the models --------------------------------------------------------------------------------------------


class Lead(BaseModel):
    """The docs' example: extract a sales lead from an email."""

    name: str
    email: str
    plan_interest: Literal["Starter", "Pro", "Enterprise"]
    demo_requested: bool


class Customer(BaseModel):
    name: str
    email: str


class LineItem(BaseModel):
    sku: str
    quantity: int
    unit_price: float


class Order(BaseModel):
    """Nested models: ``$defs`` and ``$ref`` in the schema the SDK sends."""

    order_id: str
    customer: Customer
    items: list[LineItem]
    placed_on: date


class Priority(enum.Enum):
    LOW = "low"
    NORMAL = "normal"
    URGENT = "urgent"


class Ticket(BaseModel):
    """Enums: a class (``$defs``) and a ``Literal``."""

    title: str
    priority: Priority
    status: Literal["open", "pending", "closed"]
    labels: list[Literal["bug", "feature", "question"]]


class Profile(BaseModel):
    """Optional fields (``anyOf`` with null, not required)."""

    username: str
    nickname: str | None = None
    age: int | None = None
    website: str | None = None
    manager: Customer | None = None


class Library(BaseModel):
    """Lists of nested models two levels down (``$defs`` referring to ``$defs``)."""

    class Book(BaseModel):
        title: str
        authors: list[Customer]
        year: int
        tags: list[str] = []

    name: str
    books: list[Book]
    owner: Customer | None


class Bounded(BaseModel):
    """Constraints the SDK moves into descriptions; pydantic still checks them on parse."""

    rating: int = Field(ge=1, le=5)
    ratio: float = Field(gt=0, lt=1)
    code: str = Field(pattern=r"^[A-Z]{3}-\d{2}$")
    short: str = Field(max_length=6)
    picks: list[int] = Field(min_length=2, max_length=3)


class Weather(BaseModel):
    city: str
    unit: Literal["celsius", "fahrenheit"]


class Tree(BaseModel):
    """Recursive: the real API refuses it."""

    name: str
    children: list[Tree]


MODELS = [Lead, Order, Ticket, Profile, Library, Bounded, Weather]
PROMPT = "Extract the data from: John Smith (john@example.com) wants the Enterprise plan and a demo."


def _ask(**extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": PROMPT}], **extra}


def _format(schema: dict[str, Any]) -> dict[str, Any]:
    return {"format": {"type": "json_schema", "schema": schema}}


def _valid(text: str, model: type[BaseModel]) -> None:
    """The raw text validates against the schema that was sent and against pydantic's own (with bounds)."""
    value = json.loads(text)
    jsonschema.validate(value, anthropic.transform_schema(model), format_checker=CHECK)
    jsonschema.validate(value, model.model_json_schema(), format_checker=CHECK)


# --- parse, async, stream, beta -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_parse(client: anthropic.Anthropic, model: type[BaseModel]) -> None:
    reply = client.messages.parse(**_ask(), output_format=model)
    assert reply.stop_reason == "end_turn" and [b.type for b in reply.content] == ["text"]
    assert isinstance(reply.parsed_output, model)
    _valid(reply.content[0].text, model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
async def test_parse_async(aclient: anthropic.AsyncAnthropic, model: type[BaseModel]) -> None:
    reply = await aclient.messages.parse(**_ask(), output_format=model)
    assert isinstance(reply.parsed_output, model)
    _valid(reply.content[0].text, model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_stream(client: anthropic.Anthropic, model: type[BaseModel]) -> None:
    with client.messages.stream(**_ask(), output_format=model) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert isinstance(final.parsed_output, model) and final.stop_reason == "end_turn"
    assert streamed == final.content[0].text
    assert streamed == client.messages.parse(**_ask(), output_format=model).content[0].text  # JSON == SSE
    _valid(streamed, model)


async def test_stream_async(aclient: anthropic.AsyncAnthropic) -> None:
    async with aclient.messages.stream(**_ask(), output_format=Order) as stream:
        final = await stream.get_final_message()
    assert isinstance(final.parsed_output, Order)


def test_beta_parse_and_stream(client: anthropic.Anthropic) -> None:
    reply = client.beta.messages.parse(
        **_ask(), output_format=Ticket, betas=["structured-outputs-2025-11-13"]
    )
    assert isinstance(reply.parsed_output, Ticket)
    with client.beta.messages.stream(**_ask(), output_format=Ticket) as stream:
        final = stream.get_final_message()
    assert isinstance(final.parsed_output, Ticket) and final.content[0].text == reply.content[0].text


def test_deprecated_output_format_parameter(client: anthropic.Anthropic) -> None:
    schema = anthropic.transform_schema(Lead)
    body = {"output_format": {"type": "json_schema", "schema": schema}}
    reply = client.beta.messages.create(**_ask(), betas=["structured-outputs-2025-11-13"], extra_body=body)
    assert reply.content[0].type == "text"
    _valid(reply.content[0].text, Lead)
    bad = {"output_format": {"type": "json_schema", "schema": {"type": "object"}}}
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.beta.messages.create(**_ask(), betas=["structured-outputs-2025-11-13"], extra_body=bad)
    assert caught.value.body["error"]["message"] == (  # type: ignore[index]
        "output_format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false"
    )


def test_raw_schema_dict(client: anthropic.Anthropic) -> None:
    """Without the SDK helper: the docs' request shape, a hand-written schema."""
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "plan_interest": {"type": "string"},
            "demo_requested": {"type": "boolean"},
        },
        "required": ["name", "email", "plan_interest", "demo_requested"],
        "additionalProperties": False,
    }
    reply = client.messages.create(**_ask(), output_config=_format(schema))
    value = json.loads(reply.content[0].text)
    jsonschema.validate(value, schema, format_checker=CHECK)
    assert list(value) == list(schema["properties"])  # the schema's order
    assert value["name"] == "John Smith" and value["email"] == "john@example.com"


# --- what the text looks like ---------------------------------------------------------------------------------


def test_compact_json_in_property_order(client: anthropic.Anthropic) -> None:
    text = client.messages.parse(**_ask(), output_format=Lead).content[0].text
    assert text == json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)
    assert list(json.loads(text)) == ["name", "email", "plan_interest", "demo_requested"]


def test_same_request_same_bytes(client: anthropic.Anthropic) -> None:
    texts = {client.messages.parse(**_ask(), output_format=Library).content[0].text for _ in range(3)}
    assert len(texts) == 1
    other = _ask(messages=[{"role": "user", "content": "Something else entirely."}])
    assert client.messages.parse(**other, output_format=Library).content[0].text not in texts


def test_grounded_in_the_prompt(client: anthropic.Anthropic) -> None:
    weather = client.messages.parse(
        **_ask(messages=[{"role": "user", "content": "What's the weather in Paris, in celsius?"}]),
        output_format=Weather,
    ).parsed_output
    assert weather == Weather(city="Paris", unit="celsius")
    lead = client.messages.parse(**_ask(), output_format=Lead).parsed_output
    assert lead is not None
    assert (lead.name, lead.email, lead.plan_interest) == ("John Smith", "john@example.com", "Enterprise")


def test_described_bounds_are_kept(client: anthropic.Anthropic) -> None:
    for n in range(5):
        ask = _ask(messages=[{"role": "user", "content": f"Rate item {n}."}])
        bounded = client.messages.parse(**ask, output_format=Bounded).parsed_output
        assert bounded is not None and 1 <= bounded.rating <= 5 and 2 <= len(bounded.picks) <= 3


def test_thinking_comes_first(client: anthropic.Anthropic) -> None:
    ask = _ask(thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=4096)
    reply = client.messages.parse(**ask, output_format=Order)
    assert [b.type for b in reply.content] == ["thinking", "text"]
    assert isinstance(reply.parsed_output, Order)


def test_max_tokens_cuts_the_json(client: anthropic.Anthropic) -> None:
    fmt = _format(anthropic.transform_schema(Library))
    full = client.messages.create(**_ask(), output_config=fmt)
    cut = client.messages.create(**_ask(max_tokens=8), output_config=fmt)
    assert cut.stop_reason == "max_tokens" and cut.usage.output_tokens == 8
    assert (
        full.content[0].text.startswith(cut.content[0].text) and cut.content[0].text != full.content[0].text
    )
    with client.messages.stream(**_ask(max_tokens=8), output_config=fmt) as stream:
        assert stream.get_final_message().content[0].text == cut.content[0].text
    with pytest.raises(pydantic.ValidationError):  # as with the real API: parse fails on the cut text
        client.messages.parse(**_ask(max_tokens=8), output_format=Library)


# --- tools ------------------------------------------------------------------------------------------------------

STRICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "location": {"type": "string"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "when": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        "stations": {"type": "array", "items": {"$ref": "#/$defs/Station"}, "minItems": 1},
    },
    "required": ["location", "unit", "when", "stations"],
    "additionalProperties": False,
    "$defs": {
        "Station": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "elevation": {"type": "number"}},
            "required": ["id", "elevation"],
            "additionalProperties": False,
        }
    },
}
STRICT_TOOL = {"name": "get_weather", "description": "Weather", "strict": True, "input_schema": STRICT_SCHEMA}


@pytest.mark.parametrize(
    "choice", [None, {"type": "any"}, {"type": "tool", "name": "get_weather"}], ids=["auto", "any", "tool"]
)
def test_strict_tool_input_is_valid(client: anthropic.Anthropic, choice: dict[str, Any] | None) -> None:
    extra: dict[str, Any] = {"tool_choice": choice} if choice else {}
    ask = _ask(
        messages=[{"role": "user", "content": "What's the weather in Oslo?"}], tools=[STRICT_TOOL], **extra
    )
    for n in range(4):
        ask["metadata"] = {"user_id": f"u{n}"}  # other content seeds, other values
        reply = client.messages.create(**ask)
        call = next(b for b in reply.content if b.type == "tool_use")
        jsonschema.validate(call.input, STRICT_SCHEMA, format_checker=CHECK)
        assert reply.stop_reason == "tool_use"


def test_format_with_tools_calls_the_tool_the_question_needs_then_answers_in_json(
    client: anthropic.Anthropic,
) -> None:
    """With tools offered, a question that needs one gets the call first (engine/behave), and the answer after
    the tool result is the JSON; a question no tool fits is answered in JSON at once; tool_choice forces a call."""
    question = [{"role": "user", "content": "What's the weather in Oslo?"}]
    ask = _ask(messages=question, tools=[STRICT_TOOL])
    called = client.messages.parse(**ask, output_format=Weather)
    assert called.stop_reason == "tool_use" and [b.type for b in called.content] == ["tool_use"]  # no prose
    use = called.content[-1]
    assert use.type == "tool_use" and use.input["location"] == "Oslo"
    after = [
        *question,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in called.content]},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "12 C, rain"}],
        },
    ]
    answered = client.messages.parse(**_ask(messages=after, tools=[STRICT_TOOL]), output_format=Weather)
    assert answered.stop_reason == "end_turn" and [b.type for b in answered.content] == ["text"]
    assert answered.parsed_output is not None
    plain = _ask(messages=[{"role": "user", "content": "Describe a sunny day in Oslo"}], tools=[STRICT_TOOL])
    direct = client.messages.parse(**plain, output_format=Weather)
    assert direct.stop_reason == "end_turn" and direct.parsed_output is not None
    assert direct.parsed_output.city == "Oslo"
    forced = client.messages.parse(**ask, output_format=Weather, tool_choice={"type": "any"})
    assert forced.stop_reason == "tool_use" and [b.type for b in forced.content] == ["tool_use"]


# --- what the real API refuses ----------------------------------------------------------------------------------


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


REFUSED: list[tuple[str, dict[str, Any], str]] = [
    (
        "open object",
        {"type": "object", "properties": {"a": {"type": "string"}}},
        "For 'object' type, 'additionalProperties' must be explicitly set to false",
    ),
    (
        "additionalProperties true",
        {**_obj(a={"type": "string"}), "additionalProperties": True},
        "For 'object' type, 'additionalProperties: true' is not supported. Please set 'additionalProperties' to false",
    ),
    (
        "free-form map",
        _obj(m={"type": "object", "additionalProperties": {"type": "integer"}}),
        "For 'object' type, 'additionalProperties: object' is not supported. "
        "Please set 'additionalProperties' to false",
    ),
    (
        "numeric bounds",
        _obj(n={"type": "number", "minimum": 0, "maximum": 1}),
        "For 'number' type, properties maximum, minimum are not supported",
    ),
    ("integer minimum", _obj(n={"type": "integer", "minimum": 0}), "For 'integer' type, property 'minimum' is not supported"),
    ("string length", _obj(s={"type": "string", "maxLength": 5}), "For 'string' type, property 'maxLength' is not supported"),
    ("maxItems", _obj(a={"type": "array", "items": {"type": "string"}, "maxItems": 3}), "For 'array' type, property 'maxItems' is not supported"),
    (
        "minItems",
        _obj(a={"type": "array", "items": {"type": "string"}, "minItems": 2}, b={"type": "array", "items": {"type": "string"}, "minItems": 5}),
        "For 'array' type, 'minItems' values other than 0 or 1 are not supported (got: [2, 5])",
    ),
    ("oneOf", _obj(u={"oneOf": [{"type": "string"}, {"type": "integer"}]}), "Schema type 'oneOf' is not supported"),
    (
        "enum with a type array",
        _obj(e={"type": ["string", "null"], "enum": ["face", None]}),
        "Invalid schema: Enum value 'face' does not match declared type '['string', 'null']'",
    ),
    ("missing type", _obj(x={"description": "anything"}), "Invalid schema: Schema type is missing"),
    (
        "tuple items",
        _obj(t={"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}),
        "Invalid schema: Array types must be specified with a single object schema for 'items'",
    ),
    (
        "recursive",
        {"$defs": {"Node": _obj(kids={"type": "array", "items": {"$ref": "#/$defs/Node"}})}, "$ref": "#/$defs/Node"},
        "Invalid schema: Circular reference detected in schema definitions: Node -> Node. "
        "Self-referencing or mutually-referencing definitions are not supported.",
    ),
    (
        "external $ref",
        _obj(r={"$ref": "https://example.com/schema.json"}),
        "Invalid schema: External $ref 'https://example.com/schema.json' is not supported. "
        "Only local references are allowed",
    ),
    ("complex enum", _obj(e={"enum": [{"a": 1}]}), "Invalid schema: Enum values must be strings, numbers, booleans, or null"),
    ("unsupported format", _obj(s={"type": "string", "format": "iri"}), "For 'string' type, format 'iri' is not supported"),
    (
        "regex lookahead",
        _obj(s={"type": "string", "pattern": "^(?=a)a+$"}),
        "For 'string' type, pattern '^(?=a)a+$' is not supported: backreferences, lookaround assertions and word "
        "boundaries are not supported",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_unsupported_schema_is_a_400(
    client: anthropic.Anthropic, schema: dict[str, Any], message: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**_ask(), output_config=_format(schema))
    assert caught.value.status_code == 400
    assert caught.value.body["error"] == {  # type: ignore[index]
        "type": "invalid_request_error",
        "message": f"output_config.format.schema: {message}",
    }
    with pytest.raises(anthropic.BadRequestError) as counted:  # count_tokens checks the shape too
        client.messages.count_tokens(model=MODEL, messages=_ask()["messages"], output_config=_format(schema))
    assert counted.value.body["error"] == caught.value.body["error"]  # type: ignore[index]


def test_recursive_model_through_parse(client: anthropic.Anthropic) -> None:
    with pytest.raises(
        anthropic.BadRequestError, match="Circular reference detected in schema definitions: Tree -> Tree"
    ):
        client.messages.parse(**_ask(), output_format=Tree)


def test_supported_schemas_pass() -> None:
    for model in [*MODELS, Customer, LineItem]:
        assert schema_problem(anthropic.transform_schema(model)) is None, model
    ok = _obj(
        a={"type": "array", "items": {"type": "string"}, "minItems": 1},
        s={"type": "string", "format": "uuid", "pattern": r"^\d{3}-[a-z]+$"},
        c={"const": "x"},
        n={"anyOf": [{"type": "integer"}, {"type": "null"}]},
    )
    assert schema_problem(ok) is None


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        (r"^\d+(?:\.\d+)?$", False),
        (r"a\\b", False),
        (r"\bword\b", True),
        (r"(a)\1", True),
        (r"(?<!x)y", True),
    ],
)
def test_regex_features(pattern: str, refused: bool) -> None:
    problem = schema_problem(_obj(s={"type": "string", "pattern": pattern}))
    assert (problem is not None) == refused


def test_strict_tool_schema_is_checked(client: anthropic.Anthropic) -> None:
    loose = {
        "name": "loose",
        "input_schema": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}},
    }
    open_tool = {
        "name": "open",
        "strict": True,
        "input_schema": {"type": "object", "properties": {"a": {"type": "string"}}},
    }
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**_ask(tools=[loose, open_tool]))
    expected = "tools.1.custom: For 'object' type, 'additionalProperties' must be explicitly set to false"
    assert caught.value.body["error"]["message"] == expected  # type: ignore[index]
    assert client.messages.create(**_ask(tools=[loose])).stop_reason  # not strict: not checked


def _nullable(n: int, prefix: str = "f") -> dict[str, Any]:
    return {f"{prefix}{i}": {"anyOf": [{"type": "string"}, {"type": "null"}]} for i in range(n)}


def test_grammar_limits(client: anthropic.Anthropic) -> None:
    """Counted over the whole request (strict tools + format); Messages only, not count_tokens."""
    unions = {
        "type": "object",
        "properties": _nullable(9),
        "required": list(_nullable(9)),
        "additionalProperties": False,
    }
    tool = {"name": "t", "strict": True, "input_schema": unions}
    ask = _ask(tools=[tool], output_config=_format(unions))
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.create(**ask)
    assert caught.value.body["error"]["message"] == (  # type: ignore[index]
        "Schemas contains too many parameters with union types (18 parameters with type arrays or anyOf). This "
        "causes exponential compilation cost. Reduce the number of nullable or union-typed parameters (limit: 16 "
        "parameters with unions)."
    )
    assert client.messages.count_tokens(
        model=MODEL, messages=ask["messages"], tools=[tool], output_config=_format(unions)
    )
    optional = {
        "type": "object",
        "properties": {f"o{i}": {"type": "string"} for i in range(25)},
        "additionalProperties": False,
    }
    with pytest.raises(
        anthropic.BadRequestError, match=r"too many optional parameters \(25\).*\(limit: 24\)"
    ):
        client.messages.create(**_ask(output_config=_format(optional)))
    many = [{**STRICT_TOOL, "name": f"tool_{i}"} for i in range(21)]
    with pytest.raises(
        anthropic.BadRequestError,
        match=r"Too many strict tools \(21\)\. The maximum number of strict tools supported is 20\.",
    ):
        client.messages.create(**_ask(tools=many))


# --- the pieces, without a server -------------------------------------------------------------------------------


def test_described_bounds_reads_the_sdk_suffix() -> None:
    schema = anthropic.transform_schema(Bounded)
    assert "minimum" not in schema["properties"]["rating"]  # the SDK moved it into the description
    bounded = described_bounds(schema)
    assert bounded["properties"]["rating"]["minimum"] == 1 and bounded["properties"]["rating"]["maximum"] == 5
    assert bounded["properties"]["ratio"]["exclusiveMinimum"] == 0
    assert bounded["properties"]["code"]["pattern"] == r"^[A-Z]{3}-\d{2}$"
    assert bounded["properties"]["picks"]["minItems"] == 2 and bounded["properties"]["picks"]["maxItems"] == 3
    assert described_bounds({"type": "string", "description": "Plain words {not: hints}"}) == {
        "type": "string",
        "description": "Plain words {not: hints}",
    }


def test_fill_from_text_keeps_the_value_valid() -> None:
    schema = _obj(
        city={"type": "string", "maxLength": 3},
        town={"type": "string"},
        email={"type": "string", "format": "email"},
    )
    value = {"city": "Oslo", "town": "Rome", "email": "a@b.example"}
    filled = fill_from_text(value, schema, "Flights to Paris for ann@example.org")
    assert filled == {"city": "Oslo", "town": "Paris", "email": "ann@example.org"}
    assert fill_from_text({"s": "x"}, _obj(s={"enum": ["low", "high"]}), "make it HIGH please") == {
        "s": "high"
    }


def test_grammar_counts() -> None:
    schema = anthropic.transform_schema(Profile)
    assert grammar_counts(schema) == (4, 4)  # nickname, age, website, manager: nullable and optional
