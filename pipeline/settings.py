"""One Settings object for the crawler: packaged defaults < user file < flags.

Built once (``Settings.load(args)``) and passed down; nothing mutates a
module-level default.  The user file is TOML, ``$PROVNEWS_SETTINGS`` or
``~/.config/provnews/settings.toml``, with a ``[crawl]`` table holding any of
the field names below, e.g.::

    [crawl]
    delay = 2.0
    max_body_bytes = 5_000_000
"""
from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__

# No contact URL of our own: the project has no public home yet, and a made-up
# one would send a site's webmaster nowhere. Operators add theirs with
# --user-agent "provnews/0.1.0 (+https://their.site/contact)".
DEFAULT_USER_AGENT = f"provnews/{__version__}"


@dataclass(frozen=True, slots=True)
class Settings:
    user_agent: str = DEFAULT_USER_AGENT
    delay: float = 1.0                    # minimum seconds between requests to one host
    max_pages: int | None = None          # fetches in this run (None: no limit)
    max_depth: int = 200                  # hops from a seed (pagination chains count)
    max_pages_per_host: int = 50_000
    max_pages_per_template: int = 5_000   # same URL shape with other numbers (page-N, ?date=…)
    max_body_bytes: int = 10 * 1024 * 1024  # of the body unpacked (gzip bombs), pages and sitemaps alike
    max_response_seconds: float = 120.0   # a whole response, however slowly it drips
    max_document_chars: int = 1_000_000   # a page's text beyond this is not stored as a document
    refresh_after: float | None = None    # days: refetch articles older than this (None: never)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 3
    backoff_factor: float = 1.0
    max_retry_after: float = 120.0        # a longer Retry-After is not waited for
    max_workers: int = 8                  # hosts fetched at the same time
    warc_max_bytes: int = 1024 * 1024 * 1024
    allow_domains: tuple[str, ...] = ()
    quiet: bool = False

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)

    @classmethod
    def load(cls, args=None, user_file: str | Path | None = None) -> "Settings":
        """Defaults, then the user's TOML file, then the command-line flags that were given."""
        settings = cls()
        path = Path(user_file) if user_file else _default_user_file()
        if path is not None and str(path) == os.devnull:
            path = None  # PROVNEWS_SETTINGS=/dev/null: no settings file, whatever is in ~/.config
        if path and not path.is_file() and not user_file and os.environ.get("PROVNEWS_SETTINGS"):
            # the file $PROVNEWS_SETTINGS names must be there (the default one may be missing): a
            # mistyped path would otherwise crawl at the packaged delay instead of the one set
            raise ValueError(f"{path}: no such settings file")
        if path and path.is_file():
            try:
                with path.open("rb") as fh:
                    table = tomllib.load(fh).get("crawl", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise ValueError(f"{path}: not a TOML settings file ({exc})") from None
            if not isinstance(table, dict):
                raise ValueError(f"{path}: [crawl] must be a table of settings")
            known = {f.name for f in dataclasses.fields(cls)}
            unknown = sorted(set(table) - known)
            if unknown:
                raise ValueError(f"{path}: unknown [crawl] settings: {', '.join(unknown)}")
            for name, value in table.items():
                if problem := _problem(name, value):
                    raise ValueError(f"{path}: [crawl] {name} {problem}")
            if "allow_domains" in table:
                table["allow_domains"] = tuple(table["allow_domains"])
            settings = settings.replace(**table)
        if args is not None:
            flags = {
                "delay": getattr(args, "delay", None),
                "max_pages": getattr(args, "max_pages", None),
                "user_agent": getattr(args, "user_agent", None),
                "quiet": getattr(args, "quiet", None) or None,
                "refresh_after": getattr(args, "refresh_after", None),
            }
            allow = getattr(args, "allow_domain", None)
            if allow:
                flags["allow_domains"] = tuple(settings.allow_domains) + tuple(allow)
            flags = {k: v for k, v in flags.items() if v is not None}
            for name, value in flags.items():
                if problem := _problem(name, value):
                    raise ValueError(f"--{name.replace('_', '-')} {problem}")
            settings = settings.replace(**flags)
        return settings


# settings that may be left unset (no limit)
_OPTIONAL = frozenset({"max_pages", "refresh_after"})


def _problem(name: str, value) -> str | None:
    """Why ``value`` cannot be the setting ``name`` (None: it can): the type of its default, and
    for numbers a finite value, not negative (counts and sizes at least 1)."""
    default = {f.name: f.default for f in dataclasses.fields(Settings)}[name]
    if value is None:
        return None if name in _OPTIONAL else "must be set"
    if isinstance(default, bool) or name == "quiet":
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(default, str):
        return None if isinstance(value, str) and value.strip() else "must be non-empty text"
    if isinstance(default, tuple):
        ok = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
        return None if ok else "must be a list of domain names"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number, not {value!r}"
    if isinstance(default, int) and name != "refresh_after" and not isinstance(value, int):
        return f"must be a whole number, not {value!r}"
    if not math.isfinite(value):
        return f"must be a finite number, not {value!r}"
    least = 0 if isinstance(default, float) or name in ("retries", "refresh_after") else 1
    return None if value >= least else f"must be at least {least}, not {value!r}"


def _default_user_file() -> Path | None:
    env = os.environ.get("PROVNEWS_SETTINGS")
    if env:
        return Path(env)
    home = os.environ.get("XDG_CONFIG_HOME") or (Path.home() / ".config")
    return Path(home) / "provnews" / "settings.toml"
