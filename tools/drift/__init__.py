"""``make drift``: what the newest ``anthropic`` SDK knows that the mock does not.

The SDK is the API's most current machine-readable description: its ``api.md`` and resource modules list the
routes, its ``types/`` the request parameters, content blocks, stream deltas, tool versions, beta names and model
ids, its ``_error_classes.py`` the ``(status, error_code)`` pairs. :mod:`tools.drift.sdk_facts` reads them from
the package's source (statically: nothing of the SDK is imported), :mod:`tools.drift.mock_facts` reads what the
mock serves and names (its routes, wire models, catalog, and every string literal of the package), and
:mod:`tools.drift.report` prints, per category, how many the SDK has, how many the mock knows, and what is missing.

Where the SDK comes from (:mod:`tools.drift.source`): by default the newest release, installed into
``.compat/drift`` with ``.tools/bin/uv`` (as ``make compat`` installs its clients), plus its sdist for ``api.md``;
``--locked`` reads the SDK locked in ``.venv``; ``--source DIR`` an unpacked sdist or a package directory.
"""
