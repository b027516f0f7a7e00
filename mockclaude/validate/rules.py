"""Parameter-level rules: sampling, ``max_tokens``, thinking, effort, tools and ``tool_choice``.

These run after the body has its shape and the model is known (api-spec §1.4, §6.8, §7, §8.1). Each
rule raises :class:`InvalidRequestError` with the real API's text; texts marked ⚠ are not confirmed by a
captured response and were chosen to read like their confirmed neighbours.
"""

from __future__ import annotations

from typing import Literal

from mockclaude.model.catalog import ModelSpec
from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.request import ApiVersion, ThinkingMode, ThinkingPlan
from mockclaude.model.wire import CountTokensParams, MessageCreateParams
from mockclaude.validate.structured import check_schemas

__all__ = ["INTERLEAVED_BETA", "check_params", "thinking_plan"]

INTERLEAVED_BETA = "interleaved-thinking-2025-05-14"
EFFORT_ORDER = ("low", "medium", "high", "xhigh", "max")

Params = MessageCreateParams | CountTokensParams
Display = Literal["summarized", "omitted"]

_THINKING_UNSUPPORTED = {
    "enabled": '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and '
    '"output_config.effort" to control thinking behavior.',
    "adaptive": "adaptive thinking is not supported on this model",
    "disabled": '"thinking.type.disabled" is not supported for this model. Thinking defaults to adaptive '
    'mode when not specified; use "thinking.type.enabled" with "budget_tokens" for extended thinking.',
    # ⚠ unconfirmed: worded like the "enabled" text.
    "between_tools": '"thinking.type.between_tools" is not supported for this model.',
}


def _bad(message: str) -> InvalidRequestError:
    return InvalidRequestError(message)


def _forced(params: Params) -> bool:
    return params.tool_choice is not None and params.tool_choice.type in ("any", "tool")


def thinking_plan(params: Params, spec: ModelSpec, betas: tuple[str, ...]) -> ThinkingPlan:
    """The effective thinking configuration: the request's, else the model's default (§7.2).

    ⚠ unconfirmed: when ``thinking`` is omitted on a model whose default is adaptive and ``tool_choice``
    forces tool use, the mock treats thinking as off rather than rejecting the request (the request never
    asked for thinking).
    """
    cfg = params.thinking
    display_default: Display = "omitted" if spec.thinking_display_default == "omitted" else "summarized"
    if cfg is None:
        mode: ThinkingMode = "adaptive" if spec.thinking_default == "adaptive" else "disabled"
        if mode == "adaptive" and _forced(params):
            mode = "disabled"
        return ThinkingPlan(mode=mode, display=display_default, interleaved=mode == "adaptive")
    display: Display = display_default
    raw_display = getattr(cfg, "display", None)
    if raw_display == "omitted":
        display = "omitted"
    elif raw_display in ("summarized", "updates"):  # "updates" (beta) streams summaries too
        display = "summarized"
    if cfg.type == "enabled":
        return ThinkingPlan(
            mode="enabled",
            budget_tokens=cfg.budget_tokens,
            display=display,
            interleaved=INTERLEAVED_BETA in betas,
        )
    if cfg.type == "adaptive":
        return ThinkingPlan(mode="adaptive", display=display, interleaved=True)
    if cfg.type == "between_tools":
        return ThinkingPlan(mode="between_tools", display=display, interleaved=True)
    return ThinkingPlan(mode="disabled", display=display)


def check_params(
    params: Params, spec: ModelSpec, version: ApiVersion, betas: tuple[str, ...]
) -> tuple[ThinkingPlan, str | None]:
    """Run the parameter rules in a fixed order; return the thinking plan and the effective effort."""
    max_tokens = params.max_tokens if isinstance(params, MessageCreateParams) else None
    _check_sampling(params, spec, version)
    if max_tokens is not None and max_tokens > spec.max_output_tokens:
        raise _bad(
            f"max_tokens: {max_tokens} > {spec.max_output_tokens}, which is the maximum allowed number of "
            f"output tokens for {spec.id}"
        )
    if params.thinking is not None and params.thinking.type not in spec.thinking_types:
        raise _bad(_THINKING_UNSUPPORTED[params.thinking.type])
    _check_tools(params, spec)
    plan = thinking_plan(params, spec, betas)
    if max_tokens == 0:
        _check_prewarm(params)
    thinking_on = plan.mode in ("enabled", "adaptive")
    if max_tokens is not None and plan.mode == "enabled" and plan.budget_tokens is not None:
        interleaved_with_tools = plan.interleaved and bool(params.tools)
        if plan.budget_tokens >= max_tokens and not interleaved_with_tools:
            raise _bad("`max_tokens` must be greater than `thinking.budget_tokens`.")
    if thinking_on and version == "2023-06-01":
        if params.temperature is not None and params.temperature != 1:
            raise _bad("`temperature` may only be set to 1 when thinking is enabled.")
        if params.top_p is not None and params.top_p < 0.95:
            # Observed text; the docs allow 0.95 <= top_p <= 1 with thinking.
            raise _bad("`top_p` must be unset when thinking is enabled.")
        if params.top_k is not None:
            raise _bad("`top_k` must be unset when thinking is enabled.")  # ⚠ unconfirmed
    if thinking_on and params.thinking is not None and _forced(params):
        raise _bad("Thinking may not be enabled when tool_choice forces tool use.")
    check_schemas(params)  # structured outputs: the JSON Schema subset (validate/structured.py)
    return plan, _effort(params, spec)


def _check_sampling(params: Params, spec: ModelSpec, version: ApiVersion) -> None:
    """API 2023-06-01 only (2026-10-21 rejects the fields outright while parsing the body)."""
    if version != "2023-06-01":
        return
    temperature, top_p, top_k = params.temperature, params.top_p, params.top_k
    if spec.sampling == "one_of" and temperature is not None and top_p is not None:
        raise _bad("`temperature` and `top_p` cannot both be specified for this model. Please use only one.")
    if spec.sampling == "removed":
        if temperature is not None and temperature != 1:
            raise _bad("`temperature` is not supported for this model.")
        if top_p is not None and top_p != 1:
            raise _bad("`top_p` is not supported for this model.")  # ⚠ unconfirmed (worded as temperature)
        if top_k is not None:
            raise _bad("`top_k` is not supported for this model.")  # ⚠ unconfirmed (worded as temperature)


def _check_tools(params: Params, spec: ModelSpec) -> None:
    tools = params.tools or []
    names: set[str] = set()
    for tool in tools:
        name = getattr(tool, "name", None)
        if name is None:
            continue  # toolsets have no name
        if name in names:
            raise _bad("tools: Tool names must be unique.")
        names.add(name)
    choice = params.tool_choice
    if choice is None:
        return
    if not tools:
        # Observed for `any`; ⚠ unconfirmed that `auto`/`none`/`tool` get the same form (3P mocks say so).
        raise _bad(f"tool_choice.{choice.type} may only be specified while providing tools")
    if choice.type == "tool" and choice.name not in names:
        raise _bad(f"tool_choice.tool.name: tool '{choice.name}' was not found in `tools`")  # ⚠ unconfirmed
    if choice.type in ("any", "tool") and not spec.forced_tool_choice:
        raise _bad('tool_choice: type "tool" and "any" are not supported for this model.')


def _check_prewarm(params: Params) -> None:
    """``max_tokens: 0`` pre-warms the cache; the combinations the docs list as rejected (§6.8).

    ⚠ unconfirmed: all four texts.
    """
    if not isinstance(params, MessageCreateParams):
        return
    if params.stream:
        raise _bad("`max_tokens: 0` is not supported with `stream: true`.")
    if params.thinking is not None and params.thinking.type == "enabled":
        raise _bad('`max_tokens: 0` is not supported with `thinking.type: "enabled"`.')
    if params.output_config is not None and params.output_config.format is not None:
        raise _bad("`max_tokens: 0` is not supported with `output_config.format`.")
    if _forced(params):
        raise _bad("`max_tokens: 0` is not supported with a forced `tool_choice`.")


def _effort(params: Params, spec: ModelSpec) -> str | None:
    requested = params.output_config.effort if params.output_config is not None else None
    if requested is None:
        return spec.effort_default
    if not spec.effort_levels:
        # ⚠ unconfirmed: 3P mocks use "does not support the effort parameter".
        raise _bad("output_config.effort: This model does not support the effort parameter.")
    if requested not in spec.effort_levels:
        # ⚠ unconfirmed: worded as pydantic's Literal error over the model's levels.
        levels = [f"'{e}'" for e in EFFORT_ORDER if e in spec.effort_levels]
        allowed = levels[0] if len(levels) == 1 else ", ".join(levels[:-1]) + " or " + levels[-1]
        raise _bad(f"output_config.effort: Input should be {allowed}")
    return requested
