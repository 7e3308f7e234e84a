"""A compact text format for the taxonomy's word tables.

Each entry is ``key: item | item | ...``; an indented line continues the entry above. Keeping
the tables as text keeps hundreds of phrases readable and diffable in a few lines each.

Example:
    >>> parse_phrase_table('''
    ... cable: cable | cord
    ...     | patch cable
    ... ''')
    {'cable': ('cable', 'cord', 'patch cable')}
"""

from __future__ import annotations


def parse_phrase_table(text: str) -> dict[str, tuple[str, ...]]:
    """Parse ``key: a | b`` entries (indented lines continue the previous entry).

    Args:
        text: The table.

    Returns:
        Key -> items in the order written (a repeated key appends to its items).

    Raises:
        ValueError: A line is neither an entry nor a continuation of one.
    """
    table: dict[str, list[str]] = {}
    key: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if line[0].isspace():
            items = line
        else:
            head, separator, items = line.partition(":")
            if not separator or not head.strip():
                raise ValueError(f"line {number} is not 'key: item | item': {line!r}")
            key = head.strip()
            table.setdefault(key, [])
        if key is None:
            raise ValueError(f"line {number} continues no entry: {line!r}")
        table[key].extend(item.strip() for item in items.split("|") if item.strip())
    return {k: tuple(v) for k, v in table.items()}
