"""A plain-text rendering of a load report, for logs and benchmark scripts."""

from __future__ import annotations

from retrieval.catalog.categories import category_label
from retrieval.catalog.collect import LoadReport


def format_category_report(report: LoadReport) -> str:
    """The report as a small table: totals, skip reasons, then products per category.

    Example:
        >>> print(format_category_report(LoadReport(
        ...     source="csv", rows_read=3, loaded=2, skipped={"missing_title": 1},
        ...     category_counts={"cable": 2})))
        source: csv  rows read: 3  loaded: 2  skipped: 1
          skipped missing_title: 1
        category  label  products
        cable     Cable         2
    """
    lines = [
        f"source: {report.source}  rows read: {report.rows_read}  loaded: {report.loaded}"
        f"  skipped: {report.skipped_total}"
    ]
    lines += [f"  skipped {reason}: {count}" for reason, count in report.skipped.items()]
    rows = [(slug, category_label(slug), str(n)) for slug, n in report.category_counts.items()]
    header = ("category", "label", "products")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for slug, label, count in [header, *rows]:
        lines.append(f"{slug:<{widths[0]}}  {label:<{widths[1]}}  {count:>{widths[2]}}")
    return "\n".join(lines)
