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


@pytest.mark.parametrize("toml, why", [
    ("crawl = 5\n", "[crawl] must be a table"),
    ("[crawl]\ndelay = \"abc\"\n", "delay must be a number"),
    ("[crawl]\nmax_body_bytes = -1\n", "max_body_bytes must be at least 1"),
    ("[crawl]\nallow_domains = 5\n", "allow_domains must be a list"),
    ("[crawl]\ndelay = inf\n", "delay must be a finite number"),
    ("[crawl\n", "not a TOML settings file"),
])
def test_a_bad_settings_file_names_itself_and_the_setting(tmp_path, toml, why):
    with pytest.raises(ValueError) as info:
        load(tmp_path, toml)
    assert str(tmp_path / "settings.toml") in str(info.value) and why in str(info.value)


@pytest.mark.parametrize("flag, value", [("--delay", "inf"), ("--delay", "-1"), ("--refresh-after", "nan")])
def test_a_bad_flag_value_names_the_flag(tmp_path, flag, value):
    with pytest.raises(ValueError, match=f"^{flag} must be"):
        load(tmp_path, None, flag, value)


def test_a_missing_settings_file_named_by_the_environment_is_one_line(tmp_path):
    from conftest import run_cli

    missing = tmp_path / "nowhere.toml"
    proc = run_cli("crawl", "http://127.0.0.1:9/", "--out", str(tmp_path / "c"),
                   env={"PROVNEWS_SETTINGS": str(missing)})
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"provnews crawl: {missing}: no such settings file"]
