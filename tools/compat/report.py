"""The table ``make compat`` prints (and its ``--json`` twin)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from tools.compat.run import Report

HEADERS = ("client", "version", "env", "passed", "failed", "skipped")


def _row(report: Report) -> tuple[str, ...]:
    return (
        f"{report.label} [{report.name}]",
        report.version or "-",
        report.env,
        str(report.passed),
        str(report.failed),
        str(report.skipped),
    )


def table(reports: list[Report]) -> str:
    rows = [HEADERS, *(_row(report) for report in reports)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
            continue
        report = reports[index - 1]
        if report.error:
            lines.append(f"    ✗ {report.error}")
        for result in report.results:
            if result.status == "fail":
                lines.append(f"    ✗ {result.name}: {result.detail}")
            elif result.status == "skip":
                lines.append(f"    - {result.name} skipped: {result.detail}")
        if report.journal:
            lines.append(f"      (the mock's journal for this client: {report.journal})")
    return "\n".join(lines)


def summary(reports: list[Report], seconds: float) -> str:
    passed = sum(report.passed for report in reports)
    failed = sum(report.failed for report in reports)
    skipped = sum(report.skipped for report in reports)
    return f"{len(reports)} clients: {passed} passed, {failed} failed, {skipped} skipped in {seconds:.0f} s"


def as_json(reports: list[Report], seconds: float) -> str:
    doc: dict[str, Any] = {
        "ok": all(report.failed == 0 for report in reports),
        "seconds": round(seconds, 1),
        "clients": [
            {**asdict(report), "passed": report.passed, "failed": report.failed, "skipped": report.skipped}
            for report in reports
        ],
    }
    return json.dumps(doc, indent=2)
