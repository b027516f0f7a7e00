"""What ``POST /v1/messages/count_tokens`` refuses although ``POST /v1/messages`` accepts it.

DOCS https://platform.claude.com/docs/build-with-claude/token-counting (2026-12): "This endpoint returns an
invalid_request_error for a few inputs that the Messages API accepts: server tools such as web search, web
fetch, code execution, and tool search (every server tool except the advisor tool), the MCP connector, and image
or document blocks with a url or file source. Send images and PDFs as base64 to count them."

⚠ unconfirmed: the three messages below (the docs give the rule and the error type, not the text) and the order
(these run after every other check, so a request with two faults reports its ordinary one first). Client tools
that Anthropic defines (bash, text editor, computer, memory, the toolsets) are counted as before; server-tool
*result* blocks replayed in the history are counted too (only the tool definitions are refused).
"""

from __future__ import annotations

from mockclaude.model.errors import InvalidRequestError
from mockclaude.model.wire import (
    CodeExecutionTool,
    CountTokensParams,
    DocumentBlock,
    FileSource,
    ImageBlock,
    MCPToolset,
    MessageCreateParams,
    ToolSearchTool,
    URLSource,
    WebFetchTool,
    WebSearchTool,
)
from mockclaude.validate.blocks import walk_message_blocks

__all__ = ["SERVER_TOOLS", "check_countable"]

SERVER_TOOLS = (WebSearchTool, WebFetchTool, CodeExecutionTool, ToolSearchTool)
"""The server tools count_tokens refuses: every one the API runs itself, except the advisor."""


def server_tool_text(index: int, tool_type: str) -> str:
    """⚠ unconfirmed wording."""
    return (
        f"tools.{index}: Server tools are not supported by the token counting endpoint (`{tool_type}`); "
        "the Messages API reports the tokens they use in `usage`."
    )


def mcp_text(where: str) -> str:
    """⚠ unconfirmed wording."""
    return f"{where}: The MCP connector is not supported by the token counting endpoint."


def source_text(path: str, block: str, source: str) -> str:
    """⚠ unconfirmed wording."""
    return (
        f"{path}.source: `{block}` blocks with a `{source}` source are not supported by the token counting "
        "endpoint; send images and PDFs as base64 to count them."
    )


def check_countable(params: MessageCreateParams | CountTokensParams) -> None:
    """Raise the 400 ``invalid_request_error`` for the first input count_tokens does not take, if any."""
    for index, tool in enumerate(params.tools or []):
        if isinstance(tool, SERVER_TOOLS):
            raise InvalidRequestError(server_tool_text(index, tool.type))
        if isinstance(tool, MCPToolset):
            raise InvalidRequestError(mcp_text(f"tools.{index}"))
    if getattr(params, "mcp_servers", None):
        raise InvalidRequestError(mcp_text("mcp_servers"))
    for path, _, block, _ in walk_message_blocks(params.messages):
        if isinstance(block, ImageBlock | DocumentBlock) and isinstance(block.source, URLSource | FileSource):
            raise InvalidRequestError(source_text(path, block.type, block.source.type))
