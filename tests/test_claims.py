"""The checks behind the prose: they stop on a false claim, name it, and never enforce in ci."""

import numpy as np
import pytest

from dancenet import claims


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
