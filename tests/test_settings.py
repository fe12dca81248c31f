"""Settings precedence: packaged defaults < the user's TOML file < flags given on the command line."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.cli import build_parser  # noqa: E402
from pipeline.settings import Settings  # noqa: E402


def load(tmp_path, toml: str | None, *argv: str) -> Settings:
    path = tmp_path / "settings.toml"
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    args = build_parser().parse_args(["crawl", "http://127.0.0.1:9/", *argv])
    return Settings.load(args, user_file=path)


@pytest.mark.parametrize("command", ["crawl", "run"])
def test_file_delay_takes_effect_when_no_flag_is_given(tmp_path, command):
    path = tmp_path / "settings.toml"
    path.write_text("[crawl]\ndelay = 3.0\nmax_depth = 7\n", encoding="utf-8")
    args = build_parser().parse_args([command, "http://127.0.0.1:9/"])
    settings = Settings.load(args, user_file=path)
    assert settings.delay == 3.0 and settings.max_depth == 7


def test_flag_beats_file_beats_default(tmp_path):
    assert load(tmp_path, None).delay == Settings().delay == 1.0
    assert load(tmp_path, "[crawl]\ndelay = 3.0\n").delay == 3.0
    assert load(tmp_path, "[crawl]\ndelay = 3.0\n", "--delay", "0.5").delay == 0.5
    # a flag given with the default's own value still wins over the file
    assert load(tmp_path, "[crawl]\ndelay = 3.0\n", "--delay", "1.0").delay == 1.0
    s = load(tmp_path, "[crawl]\nmax_pages = 9\nallow_domains = [\"a.gov.vn\"]\n",
             "--max-pages", "4", "--allow-domain", "b.gov.vn")
    assert s.max_pages == 4 and s.allow_domains == ("a.gov.vn", "b.gov.vn")


def test_unknown_setting_is_a_one_line_error(tmp_path):
    with pytest.raises(ValueError, match=r"settings.toml: unknown \[crawl\] settings: dealy"):
        load(tmp_path, "[crawl]\ndealy = 3.0\n")
