"""The library's code on the page is the code that runs."""

import inspect

import pytest

from dancenet import listing, vae


def test_shows_the_exact_source_under_where_it_lives():
    shown = listing.show(vae.Sampling, vae.VAE.compute_loss).data
    assert "`dancenet/vae.py, Sampling`" in shown and "`dancenet/vae.py, VAE.compute_loss`" in shown
    for obj in (vae.Sampling, vae.VAE.compute_loss):
        body = inspect.getsource(obj).strip().splitlines()[-1].strip()
        assert body in shown
    assert shown.count("```python") == 2


def test_methods_are_dedented():
    assert listing.source_of(vae.VAE.compute_loss).startswith("def compute_loss")


def test_a_fence_inside_the_code_does_not_end_the_listing():
    assert listing.fenced("x = '```'").startswith("````python\n")


def test_bad_objects_are_named():
    with pytest.raises(TypeError, match="not of int 3"):
        listing.show(3)
    with pytest.raises(ValueError, match="at least one"):
        listing.show()
