"""Result tables: every value shown once, formatted by its column, escaped in HTML."""

import html.parser

import numpy as np
import pytest

from dancenet.tables import Table


class Cells(html.parser.HTMLParser):
    """The text of every th and td, row by row, and the class of each cell."""

    def __init__(self):
        super().__init__()
        self.rows, self.classes, self.caption, self._in = [], [], "", None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
            self.classes.append([])
        elif tag in ("th", "td", "caption"):
            self._in = tag
            if tag != "caption":
                self.rows[-1].append("")
                self.classes[-1].append(dict(attrs).get("class"))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "caption":
            self.caption += data
        elif self._in:
            self.rows[-1][-1] += data


def parse(table: Table) -> Cells:
    cells = Cells()
    cells.feed(table._repr_html_())
    return cells


def results() -> Table:
    table = Table({"method": None, "mean IoU": ".3f", "frames ≥ 0.9": ".0%", "count": ","}, title="Masks")
    table.add("median", np.float32(0.96412), 1.0, 12345)
    table.add("<threshold>", 0.0, 0.25, 7)
    return table


def test_html_has_every_cell_formatted_by_its_column():
    cells = parse(results())
    assert cells.caption == "Masks"
    assert cells.rows == [
        ["method", "mean IoU", "frames ≥ 0.9", "count"],
        ["median", "0.964", "100%", "12,345"],
        ["<threshold>", "0.000", "25%", "7"],
    ]


def test_numbers_are_right_aligned_and_text_is_not():
    cells = parse(results())
    assert cells.classes[1] == [None, "number", "number", "number"]
    text = str(results()).splitlines()
    assert text[0] == "Masks"
    assert text[2].startswith("median ") and text[3].startswith("<threshold>")
    assert text[2].endswith("12,345") and text[3].endswith("     7")


def test_a_column_with_any_text_is_left_aligned():
    table = Table(["model", "loops"], rows=[("ours", 0), ("original", "all")])
    assert parse(table).classes[1] == [None, None]


def test_blank_cells_keep_a_column_numeric():
    table = Table({"layer": None, "values": ","}, rows=[("conv1", 3194880), ("total", None)])
    assert table.formatted()[1] == ["total", ""]
    assert parse(table).classes[1] == [None, "number"]


def test_nan_shows_as_a_dash_in_a_numeric_column():
    table = Table({"dance": None, "log p": ".3f"}, rows=[("ours", -2.64), ("frozen", float("nan"))])
    assert table.formatted()[1] == ["frozen", "—"]
    assert parse(table).classes[1] == [None, "number"]


def test_format_functions_and_raw_values():
    table = Table({"τ": lambda t: f"τ = {t}", "FLD": ".1f"}, rows=[(0.5, 130.64)])
    assert table.formatted() == [["τ = 0.5", "130.6"]]
    assert table.column("FLD") == [130.64]


def test_a_row_of_the_wrong_length_names_the_columns():
    with pytest.raises(ValueError, match=r"2 values for a table of 3 columns \(a, b, c\)"):
        Table(["a", "b", "c"]).add(1, 2)
    with pytest.raises(ValueError, match="at least one column"):
        Table([])
