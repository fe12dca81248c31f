"""Every command is documented in README and has help with an example."""
from __future__ import annotations

import pytest

from conftest import ROOT
from pipeline.cli import build_parser


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices


@pytest.mark.parametrize("name", sorted(_commands()))
def test_command_is_in_readme_and_has_an_example(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"provnews {name}" in readme
    assert "Example: provnews" in (_commands()[name].description or "")


def test_readme_first_screen_shows_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:25])
    assert "make run" in head and "make test" in head
