"""Layer 2: the prompt-cache simulator (api-spec §6) and the cost of what was served (§6.6).

``PromptCache.plan(request, layout)`` turns a request's ``cache_control`` breakpoints into the input side of its
``usage`` and ``CachePlan.commit()`` applies its reads and writes once the request is served; ``UsageLedger``
sums served usage per API key and model and prices it.
"""

from mockclaude.cache.cost import Prices, UsageLedger, prices
from mockclaude.cache.prefix import LOOKBACK_BLOCKS, Breakpoint, find_breakpoints
from mockclaude.cache.simulator import CachePlan, PromptCache
from mockclaude.cache.store import CacheStore
from mockclaude.defaults import DEFAULT_MAX_ENTRIES

__all__ = [
    "DEFAULT_MAX_ENTRIES",
    "LOOKBACK_BLOCKS",
    "Breakpoint",
    "CachePlan",
    "CacheStore",
    "Prices",
    "PromptCache",
    "UsageLedger",
    "find_breakpoints",
    "prices",
]
