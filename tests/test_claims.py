"""The checks behind the prose: they stop on a false claim, name it, and never enforce in ci."""

import numpy as np
import pytest

from dancenet import claims, intervals


def test_every_claim_holding_prints_the_count(capsys):
    claims.check({"energy rises with τ": bool(np.all(np.diff([1.0, 2.0, 3.0]) > 0)), "two": True}, "cpu")
    assert capsys.readouterr().out.strip() == f"✓ {claims.HOLD} (2 checked, cpu profile)"


def test_a_false_claim_stops_make_notebooks_and_is_named(capsys, monkeypatch):
    monkeypatch.setenv(claims.ENV_VAR, "enforce")
    with pytest.raises(claims.ClaimFailed, match=r"1 of 3 claims .* gpu profile.*'ours beats AR\(2\)'"):
        claims.check({"a": True, "ours beats AR(2)": np.float32(0.4) < 0.3, "b": 1 == 1}, "gpu")
    assert claims.HOLD not in capsys.readouterr().out


def test_the_ci_profile_evaluates_without_enforcing(capsys):
    claims.check({"would fail": False}, "ci")
    out = capsys.readouterr().out
    assert "not enforced" in out and claims.HOLD not in out


def test_no_claims_is_an_error():
    with pytest.raises(ValueError, match="no claims"):
        claims.check({}, "cpu")


def test_a_readers_run_is_told_which_claim_fails_and_goes_on(capsys, monkeypatch):
    monkeypatch.delenv(claims.ENV_VAR, raising=False)
    claims.check({"holds": True, "ours beats AR(2)": False}, "cpu")
    out = capsys.readouterr().out
    assert "1 of 2" in out and "'ours beats AR(2)'" in out and claims.HOLD not in out


# — claims as strong as their sentences, and the table "What this chapter claims" —

RNG = np.random.default_rng(11)
LOW, HIGH, LIKE_LOW = RNG.normal(1.0, 0.2, 40), RNG.normal(1.4, 0.2, 40), RNG.normal(1.02, 0.2, 40)


def test_a_clearly_lower_sample_holds_and_its_difference_is_shown():
    claim = claims.lower("ours has a lower FLD than AR(2)", LOW, HIGH, over="dancers")
    assert claim.holds and claim.note == ""
    assert claim.measured.below(0) and claim.measured.value == pytest.approx(LOW.mean() - HIGH.mean())
    assert claim.measured.over == "dancers" and claim.measured.n == (40, 40)
    assert claims.higher("AR(2) is higher", HIGH, LOW).holds


def test_overlapping_samples_are_no_measurable_difference_not_lower():
    lower = claims.lower("ours moves less than the real dancer", LOW, LIKE_LOW)
    assert LOW.mean() < LIKE_LOW.mean()  # lower as measured, and still not a claim that holds
    assert not lower.holds and lower.note == "no measurable difference"
    assert claims.no_measurable_difference("no measurable difference", LOW, LIKE_LOW).holds
    distinct = claims.no_measurable_difference("no measurable difference", LOW, HIGH)
    assert not distinct.holds and distinct.note == "a measurable difference"
    opposite = claims.higher("ours is higher", LOW, HIGH)
    assert not opposite.holds and opposite.note == "the opposite holds"


def test_a_comparison_takes_the_estimate_of_a_difference_or_both_samples_never_half():
    difference = intervals.Estimate(-0.2, -0.3, -0.1)
    assert claims.lower("lower", difference).holds and not claims.higher("higher", difference).holds
    with pytest.raises(ValueError, match="Estimate of their difference alone"):
        claims.lower("lower", difference, HIGH)
    with pytest.raises(ValueError, match="both samples"):
        claims.lower("lower", LOW)


def test_pairs_and_blocks_reach_the_interval():
    rng = np.random.default_rng(12)
    base = rng.normal(0, 1, 50)
    a, b = base, base + 0.05 + rng.normal(0, 0.01, 50)
    assert not claims.lower("a below b", a, b).holds and claims.lower("a below b", a, b, paired=True).holds
    series = np.cumsum(rng.normal(size=1000)) * 0.05
    blocked = claims.lower("calmer", series, series + 3, block=50)
    assert blocked.holds and blocked.measured.over == "frames in blocks of 50"
    with pytest.raises(ValueError, match="paired=False"):
        claims.lower("calmer", series, series + 3, block=50, paired=True)


def test_a_bar_is_cleared_by_the_whole_interval_and_an_exact_count_by_itself():
    under_but_unsure = intervals.Estimate(0.008, 0.002, 0.015)
    claim = claims.at_most("ghost rate at most 1 %", under_but_unsure, 0.01)
    assert not claim.holds and claim.note == "the interval reaches above 0.01"
    assert claims.at_most("ghost rate at most 2 %", under_but_unsure, 0.02).holds
    assert claims.at_most("at most 3 forbidden changes", 3, 3).holds
    assert not claims.at_most("at most 2 forbidden changes", np.int64(3), 2).holds
    assert not claims.at_least("accuracy at least 0.8", intervals.Estimate(0.85, 0.78, 0.9), 0.8).holds
    assert claims.at_least("accuracy at least 0.75", intervals.Estimate(0.85, 0.78, 0.9), 0.75).holds
    assert claims.between("about 60 %", intervals.Estimate(0.6, 0.57, 0.63), 0.55, 0.65).holds
    assert not claims.between("about 60 %", intervals.Estimate(0.6, 0.5, 0.7), 0.55, 0.65).holds
    assert claims.between("about 60 %", 0.61, 0.55, 0.65).holds
    with pytest.raises(ValueError, match="one number"):
        claims.at_most("words", [0.1, 0.2], 1)


def test_a_fact_is_its_condition_with_the_number_beside_it():
    claim = claims.fact("the encoder has 1,234 parameters", np.int64(1234) == 1234, np.int64(1234))
    assert claim.holds is True and claim.measured == 1234 and claim.value_text() == "1,234"
    assert not claims.fact("no frame is black", np.bool_(False)).holds
    with pytest.raises(ValueError, match="in words"):
        claims.fact("  ", True)


def some_claims():
    return [
        claims.lower("ours <beats> AR(2)", LOW, HIGH, over="dancers"),
        claims.lower("ours moves less | than real", LOW, LIKE_LOW),
        claims.fact("the encoder has 1,234 parameters", True, 1234),
    ]


def test_the_table_shows_each_claim_its_value_and_verdict_in_html_and_text():
    shown = claims.table(some_claims(), "cpu")
    page = shown._repr_html_()
    assert page.startswith("<table") and "<script" not in page and claims.TITLE in page
    assert "ours &lt;beats&gt; AR(2)" in page and "<beats>" not in page
    for claim in shown.claims:
        assert claim.value_text().replace("<", "&lt;") in page
    assert page.count("✓") == 2 and page.count("✗") == 1 and "✗ no measurable difference" in page
    assert str(shown.claims[0].measured) in page and "95 % interval over 40 and 40 dancers" in page
    text = str(shown)
    assert text.splitlines()[0] == claims.TITLE and "| ours <beats> AR(2) | difference " in text
    assert "ours moves less \\| than real" in text and "| ✗ no measurable difference |" in text
    assert "| 1,234 | ✓ |" in text and "1 of 3 claims do not hold" in text
    # what a notebook stores: HTML for JupyterLab, Colab and the book, the text for everything else
    from IPython.core.formatters import DisplayFormatter

    bundle, _ = DisplayFormatter().format(shown)
    assert bundle["text/html"] == page and bundle["text/plain"] == text


def test_a_report_that_holds_shows_the_table_and_says_claims_hold(capsys):
    claims.report([claims.lower("ours beats AR(2)", LOW, HIGH), claims.fact("two", True)], "gpu")
    out = capsys.readouterr().out
    assert out.startswith(claims.TITLE) and "| ours beats AR(2) |" in out
    assert out.strip().endswith(f"✓ {claims.HOLD} (2 checked, gpu profile)")
    assert "Every claim holds in this run (gpu profile)" in out


def test_a_report_stops_make_notebooks_after_showing_which_claim_fails(capsys, monkeypatch):
    monkeypatch.setenv(claims.ENV_VAR, "enforce")
    with pytest.raises(
        claims.ClaimFailed, match=r"1 of 3 claims .* cpu profile.*'ours moves less \| than real'"
    ):
        claims.report(some_claims(), "cpu")
    out = capsys.readouterr().out
    assert "| ✗ no measurable difference |" in out and claims.HOLD not in out


def test_a_report_in_ci_is_evaluated_not_enforced_and_says_so(capsys, monkeypatch):
    monkeypatch.setenv(claims.ENV_VAR, "enforce")
    claims.report(some_claims(), "ci")
    out = capsys.readouterr().out
    assert "ci profile: evaluated, not enforced" in out and "claims evaluated, not enforced" in out
    assert claims.HOLD not in out


def test_a_readers_report_names_the_failing_claim_and_goes_on(capsys, monkeypatch):
    monkeypatch.delenv(claims.ENV_VAR, raising=False)
    claims.report(some_claims(), "cpu")
    out = capsys.readouterr().out
    assert "1 of 3" in out and "'ours moves less | than real'" in out and claims.HOLD not in out


def test_a_report_needs_claims():
    with pytest.raises(ValueError, match="no claims"):
        claims.report([], "cpu")
    with pytest.raises(ValueError, match="Claim values"):
        claims.report([("words", True)], "cpu")
