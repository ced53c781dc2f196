"""Result tables that read well wherever a result is shown.

A :class:`Table` is shown as an HTML table in a notebook and in the book (the column never cuts
one of its columns off, as fixed-width printed text did) and as aligned text in a terminal or a
test. Each column has a format, so the numbers a chapter quotes are rounded in one place.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Callable, Mapping, Sequence

#: how a column's values are written: a format spec (``".3f"``, ``".0%"``, ``","``), a function
#: of the value, or None for ``str``
Format = str | Callable[[object], str] | None


class Table:
    """Rows of results under named columns.

    ``Table({"method": None, "mean IoU": ".3f"}, title="...")``, then :meth:`add` for each row; a
    notebook cell that ends with the table shows it. Numbers are right-aligned, text left-aligned.
    """

    def __init__(self, columns: Mapping[str, Format] | Sequence[str], rows=(), title: str = ""):
        self.columns: dict[str, Format] = (
            dict(columns) if isinstance(columns, Mapping) else dict.fromkeys(columns)
        )
        if not self.columns:
            raise ValueError("a table needs at least one column")
        self.title = title
        self.rows: list[tuple] = []
        for row in rows:
            self.add(*row)

    def add(self, *values) -> Table:
        """Append one row (one value per column, in order; None leaves a cell blank, NaN shows "—")."""
        if len(values) != len(self.columns):
            raise ValueError(
                f"a row of {len(values)} values for a table of {len(self.columns)} columns "
                f"({', '.join(self.columns)})"
            )
        self.rows.append(values)
        return self

    def column(self, name: str) -> list:
        """The raw values of one column, as added."""
        index = list(self.columns).index(name)
        return [row[index] for row in self.rows]

    def formatted(self) -> list[list[str]]:
        """Every cell as the text it is shown with."""
        return [
            [_format(value, spec) for value, spec in zip(row, self.columns.values())] for row in self.rows
        ]

    def _numeric(self) -> list[bool]:
        """Which columns hold numbers (right-aligned): those whose values, blanks aside, all are."""
        numeric = []
        for i in range(len(self.columns)):
            values = [row[i] for row in self.rows if row[i] is not None]
            numeric.append(bool(values) and all(_is_number(value) for value in values))
        return numeric

    def _repr_html_(self) -> str:
        numeric = self._numeric()

        def cell(tag: str, text: str, number: bool) -> str:
            attribute = ' class="number"' if number else ""
            return f"<{tag}{attribute}>{html.escape(text)}</{tag}>"

        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        head = "".join(cell("th", name, number) for name, number in zip(self.columns, numeric))
        body = "".join(
            "<tr>" + "".join(cell("td", text, number) for text, number in zip(row, numeric)) + "</tr>"
            for row in self.formatted()
        )
        head = f"<thead><tr>{head}</tr></thead>"
        return f'<table class="dancenet-table">{caption}{head}<tbody>{body}</tbody></table>'

    def __str__(self) -> str:
        numeric = self._numeric()
        grid = [list(self.columns), *self.formatted()]
        widths = [max(len(row[i]) for row in grid) for i in range(len(self.columns))]
        lines = [
            "  ".join(
                text.rjust(width) if number else text.ljust(width)
                for text, width, number in zip(row, widths, numeric)
            ).rstrip()
            for row in grid
        ]
        return "\n".join(([self.title] if self.title else []) + lines)

    __repr__ = __str__


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def _format(value, spec: Format) -> str:
    if value is None:
        return ""
    if callable(spec):
        return spec(value)
    if spec is None or not _is_number(value):
        return str(value)
    if value != value:  # NaN: a measure with nothing to measure (a dance that never changes move)
        return "—"
    return format(value, spec)
