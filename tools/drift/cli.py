"""``python -m tools.drift``: the command line (see the package docstring)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.compat.envs import InstallError
from tools.drift import source
from tools.drift.mock_facts import read_mock
from tools.drift.report import Row, as_json, compare, details, table
from tools.drift.sdk_facts import read_sdk

__all__ = ["drift_rows", "main", "section"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.drift",
        description="Compare the newest anthropic SDK's routes, parameters, block/delta/tool types, beta names, "
        "error codes and model ids with what the mock knows; print what it does not know.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--locked", action="store_true", help="read the SDK locked in .venv instead of the newest"
    )
    where.add_argument(
        "--source", type=Path, metavar="DIR", help="read an unpacked sdist or package directory"
    )
    parser.add_argument("--refresh", action="store_true", help="reinstall .compat/drift from scratch")
    parser.add_argument("--no-api-md", action="store_true", help="do not fetch the sdist for api.md")
    parser.add_argument("--full", action="store_true", help="list every missing item, not the first few")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the mock lacks anything")
    return parser


def drift_rows(sdk: source.Sdk) -> list[Row]:
    """The report's rows for one SDK."""
    return compare(read_sdk(sdk.package, sdk.api_md), read_mock())


def section(sdk: source.Sdk) -> str:
    """The drift table as a section of another report (``make compat`` prints it after its own table)."""
    return f"drift against {sdk.label}:\n" + table(drift_rows(sdk))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.locked:
            sdk = source.locked()
        elif args.source is not None:
            sdk = source.from_directory(args.source)
        else:
            sdk = source.newest(refresh=args.refresh, api_md=not args.no_api_md)
    except InstallError as error:
        print(f"drift: cannot read the SDK: {error}", file=sys.stderr)
        return 2
    rows = drift_rows(sdk)
    if args.json:
        print(as_json(rows, sdk.label))
    else:
        md = "api.md + resource modules" if sdk.api_md is not None else "resource modules (no api.md)"
        print(f"drift: {sdk.label}; routes from {md}")
        print(table(rows, limit=0 if args.full else 6))
        if args.full:
            print()
            print(details(rows))
    return 1 if args.strict and any(row.missing for row in rows) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
