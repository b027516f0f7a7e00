"""Layer 1: tokenizers and input accounting, offline by construction.

``encoding.get_counter`` gives a :class:`~mockclaude.tokenize.counters.TokenCounter` (loaders in ``backends``);
``accounting.InputAccountant`` lays a request out as a ``PromptLayout`` (per-block rules in ``blocks``, image and
PDF sizes in ``media``).
"""
