"""Notebook hygiene: the committed chapters are complete, executed in order, error-free and
set up so a Colab reader can run any one of them on its own."""

import ast
import base64
import builtins
import json
import re
from pathlib import Path

import pytest
import yaml

from dancenet import plotting
from dancenet.claims import HOLD

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
#: a line of TensorFlow's C++ log, e.g. ``I0000 00:00:1795524884.904483    6512 port.cc:153] …``
TENSORFLOW_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]", re.MULTILINE)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: chapter 7 has no widget (its figures do the showing), as the book's chapter table says
WITHOUT_WIDGET = {"07_stacked_lstms"}

#: the longest code line the book's column shows without scrolling (chapters/ruff.toml)
CODE_WIDTH = 80


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def code_cells(notebook: dict) -> list[dict]:
    return [c for c in notebook["cells"] if c["cell_type"] == "code"]


def markdown(notebook: dict) -> str:
    return "\n".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")


def outputs(notebook: dict):
    for cell in code_cells(notebook):
        yield from cell.get("outputs", [])


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def test_chapters_exist_and_are_numbered():
    assert len(CHAPTERS) >= 2
    assert [p.name[:3] for p in CHAPTERS] == [f"{i:02d}_" for i in range(1, len(CHAPTERS) + 1)]


def test_every_chapter_is_in_the_table_of_contents():
    toc = (ROOT / "_toc.yml").read_text()
    for path in CHAPTERS:
        assert f"file: chapters/{path.stem}" in toc


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
class TestChapter:
    def test_executed_in_order_in_one_fresh_kernel(self, path):
        counts = [c["execution_count"] for c in code_cells(load(path))]
        assert counts == list(range(1, len(counts) + 1)), "run `make notebooks` to re-execute"

    def test_has_no_error_outputs(self, path):
        errors = [o.get("ename") for o in outputs(load(path)) if o["output_type"] == "error"]
        assert not errors

    def test_has_no_stderr_warnings(self, path):
        text = "".join("".join(o.get("text", "")) for o in outputs(load(path)) if o.get("name") == "stderr")
        assert "warning" not in text.lower() and "traceback" not in text.lower()

    def test_stores_no_tensorflow_log_or_epoch_log(self, path):
        # GitHub and Colab show stored stderr even though the book hides it
        text = "".join("".join(o.get("text", "")) for o in outputs(load(path)))
        assert not TENSORFLOW_LOG.search(text), "TensorFlow's C++ log is stored in an output"
        assert "cuInit" not in text and "absl::InitializeLog" not in text
        assert text.count("/step - ") <= 3, "a Keras per-epoch log is stored in an output"

    def setup_cell(self, path) -> ast.Module:
        """The setup cell as IPython runs it (its ``%pip`` line becomes a call), parsed."""
        from IPython.core.inputtransformer2 import TransformerManager

        source = "".join(code_cells(load(path))[0]["source"])
        return ast.parse(TransformerManager().transform_cell(source))

    def test_setup_cell_is_short_installs_from_the_repository_and_starts_the_chapter(self, path):
        setup = "".join(code_cells(load(path))[0]["source"])
        url = config()["repository"]["url"]
        assert len(setup.strip().splitlines()) <= 8, "the setup cell has at most 8 lines"
        assert "import dancenet" in setup and "except ImportError" in setup
        assert f"git+{url}" in setup, f"setup cell must install from {url}"
        assert "dancenet.chapter.start(KEEP_MODELS_ON_DRIVE)" in setup

    def test_setup_cell_offers_the_google_drive_cache(self, path):
        # off unless the reader turns it on; the flag goes to dancenet.chapter.start
        setup = self.setup_cell(path)
        (flag,) = [
            n for n in setup.body if isinstance(n, ast.Assign) and n.targets[0].id == "KEEP_MODELS_ON_DRIVE"
        ]
        assert ast.literal_eval(flag.value) is False

    def test_setup_cell_installs_dancenet_alone_where_it_is_missing(self, path, monkeypatch):
        # run the setup cell's install step as on a runtime without dancenet, %pip replaced by a recorder
        install = next(node for node in self.setup_cell(path).body if isinstance(node, ast.Try))
        real_import, magics = builtins.__import__, []

        def without_dancenet(name, *args, **kwargs):
            if name.startswith("dancenet") and not magics:
                raise ImportError("No module named 'dancenet'")
            return real_import(name, *args, **kwargs)

        class Shell:
            def run_line_magic(self, name, line):
                magics.append((name, line.split()))

        monkeypatch.setattr(builtins, "__import__", without_dancenet)
        exec(compile(ast.Module([install], type_ignores=[]), path.name, "exec"), {"get_ipython": Shell})
        ((name, words),) = magics
        assert name == "pip" and words[0] == "install" and words[-1].startswith("git+")
        assert [w for w in words if not w.startswith("-")] == ["install", words[-1]]  # dancenet alone

    def test_checked_cells_have_no_stderr(self, path):
        # TensorFlow's start-up log lands in the first cell that starts its devices; the setup
        # cell does that on purpose, so a cell whose output nbval checks never gets it
        checked = [cell for cell in code_cells(load(path)) if "NBVAL_CHECK_OUTPUT" in "".join(cell["source"])]
        assert not [
            cell["id"]
            for cell in checked
            if any(output.get("name") == "stderr" for output in cell.get("outputs", []))
        ]

    def test_every_claim_check_ran_and_held(self, path):
        # the prose's claims are checked by hidden cells (dancenet.claims); a check that errored,
        # was skipped or never ran leaves no "claims hold" line in the committed output
        # (claims.check), or shown as the table "What this chapter claims" (claims.report), whose
        # code is hidden and whose table is not
        claims_cell = re.compile(r"claims\.(check|report)\(")
        checks = [c for c in code_cells(load(path)) if claims_cell.search("".join(c["source"]))]
        assert checks, "every chapter checks the claims its prose makes: add a claims.check or .report cell"
        for cell in checks:
            text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))
            start = "".join(cell["source"])[:80]
            assert HOLD in text, f"a claims check did not run or did not hold: {start!r}"
            hidden = "remove-input" if "claims.report(" in start else "remove-cell"
            assert hidden in cell["metadata"].get("tags", []), f"hide the claims check's code {start!r}"

    def test_code_a_reader_sees_fits_the_column(self, path):
        # 80 characters fit the book's column at the code size of book/_static/course.css;
        # hidden cells (the claims checks) are not shown and may run longer
        too_long = [
            line
            for cell in code_cells(load(path))
            if not {"remove-cell", "remove-input"} & set(cell["metadata"].get("tags", []))
            for line in "".join(cell["source"]).splitlines()
            if len(line) > CODE_WIDTH
        ]
        assert not too_long, f"{len(too_long)} lines longer than {CODE_WIDTH}: " + "\n".join(too_long[:5])

    def test_figures_are_narrow_enough_to_read_in_the_column(self, path):
        # the book scales a figure to its column (about 690 px); at 110 dpi a figure of at most
        # plotting.FIGURE_WIDTH inches (plus what a tight bounding box adds: labels and padding)
        # keeps 10-point text at about 10 px or more
        limit = (plotting.FIGURE_WIDTH + 0.4) * 110
        widths = [
            int.from_bytes(base64.b64decode(o["data"]["image/png"])[16:20], "big")
            for o in outputs(load(path))
            if "image/png" in o.get("data", {})
        ]
        assert widths and max(widths) <= limit, f"figures {sorted(widths)[-3:]} px wide; at most {limit:.0f}"

    def test_committed_outputs_come_from_the_cpu_profile(self, path):
        first = code_cells(load(path))[0]["outputs"]
        text = "".join("".join(o.get("text", "")) for o in first)
        assert "profile 'cpu'" in text

    def test_reads_like_a_chapter(self, path):
        prose = markdown(load(path))
        for part in (
            "Learning objectives",
            "Summary",
            "**Exercise ",
            "<summary>Solution to Exercise ",
            "book/references.html",
            "## References",
        ):
            assert part in prose, f"missing {part!r}"

    def test_has_figures(self, path):
        assert sum("image/png" in o.get("data", {}) for o in outputs(load(path))) >= 3

    def test_widgets_have_a_stored_first_view(self, path):
        notebook = load(path)
        state = (
            notebook["metadata"]
            .get("widgets", {})
            .get("application/vnd.jupyter.widget-state+json", {})
            .get("state", {})
        )
        views = [
            o["data"][WIDGET_VIEW]["model_id"] for o in outputs(notebook) if WIDGET_VIEW in o.get("data", {})
        ]
        assert views or path.stem in WITHOUT_WIDGET, "the chapter shows no widget"
        missing = [v for v in views if v not in state]
        assert not missing, f"widget views without stored state: {missing}"

    def test_uses_the_python3_kernel(self, path):
        assert load(path)["metadata"]["kernelspec"]["name"] == "python3"
