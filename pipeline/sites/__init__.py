"""Site profiles: per-portal-family knowledge kept as data (``*.json`` here).

A profile names a CMS family (NukeViet, …), how to recognise its sites (host
patterns, or ``site`` selectors of which one must match: a generator meta, a
theme container) and its article pages (a version's ``signature``: CSS
selectors that must all match), and one
or more layout *versions*, newest first, each with the selectors for title,
date, author, lead and body, the boilerplate to drop inside the body, and a
``valid_until`` date. As in fundus' ``V1``/``V2``/``VALID_UNTIL``: when a
family changes its layout we add a version instead of editing the old one, so
pages archived years ago still parse with the selectors of their time.

Selectors are a small CSS subset compiled to XPath at load time (type, ``#id``,
``.class``, ``[attr]``, ``[attr=value]``, ``[attr*=value]``, descendant and
``>`` child combinators, ``,`` alternatives); anything else fails loudly when
the profile is loaded, not when a page happens to hit it.

>>> profile = profile_named("nukeviet")
>>> profile.versions[0].version
'V1'
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources

from lxml import etree

__all__ = ["ProfileError", "Profile", "ProfileVersion", "css_to_xpath", "load_profiles",
           "profile_named", "match_profile", "family_of"]


class ProfileError(ValueError):
    """A site profile file that cannot be used (bad JSON, unknown selector syntax, duplicates)."""


_SIMPLE = re.compile(
    r"(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?"
    r"(?P<rest>(?:#[\w-]+|\.[\w-]+|\[[\w:-]+(?:[*^$]?=(?:\"[^\"]*\"|'[^']*'|[\w-]+))?\])*)"
)
_PART = re.compile(r"#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|\[(?P<attr>[\w:-]+)(?:(?P<op>[*^$]?=)(?P<val>\"[^\"]*\"|'[^']*'|[\w-]+))?\]")


def _compound_to_xpath(compound: str, selector: str) -> str:
    match = _SIMPLE.fullmatch(compound)
    if not match or not compound:
        raise ProfileError(f"unsupported CSS selector {selector!r} (at {compound!r})")
    conditions = []
    for part in _PART.finditer(match["rest"]):
        if part["id"]:
            conditions.append(f"@id='{part['id']}'")
        elif part["cls"]:
            conditions.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {part['cls']} ')")
        else:
            attr, op, value = part["attr"], part["op"], part["val"]
            if op is None:
                conditions.append(f"@{attr}")
                continue
            value = value.strip("\"'")
            if op == "=":
                conditions.append(f"@{attr}='{value}'")
            elif op == "*=":
                conditions.append(f"contains(@{attr}, '{value}')")
            elif op == "^=":
                conditions.append(f"starts-with(@{attr}, '{value}')")
            else:  # $= has no XPath 1.0 function: compare the tail
                conditions.append(f"substring(@{attr}, string-length(@{attr}) - {len(value) - 1})='{value}'")
    tag = match["tag"] or "*"
    return tag + "".join(f"[{c}]" for c in conditions)


def css_to_xpath(selector: str) -> str:
    """XPath for a CSS selector of the supported subset, relative to a context node.

    >>> css_to_xpath("h1.title")
    "descendant-or-self::h1[contains(concat(' ', normalize-space(@class), ' '), ' title ')]"
    """
    alternatives = []
    for alternative in selector.split(","):
        tokens = re.findall(r">|[^\s>]+", alternative.strip())
        if not tokens or tokens[0] == ">" or tokens[-1] == ">":
            raise ProfileError(f"unsupported CSS selector {selector!r}")
        path, axis = "descendant-or-self::", ""
        for token in tokens:
            if token == ">":
                axis = "/"
                continue
            if path != "descendant-or-self::":
                path += axis or "//"
            path += _compound_to_xpath(token, selector)
            axis = ""
        alternatives.append(path)
    return " | ".join(alternatives)


@dataclass(frozen=True, slots=True)
class Selector:
    """One CSS selector and its compiled XPath."""
    css: str
    xpath: etree.XPath

    @classmethod
    def of(cls, css: str) -> "Selector":
        try:
            return cls(css, etree.XPath(css_to_xpath(css)))
        except etree.XPathSyntaxError as exc:
            raise ProfileError(f"CSS selector {css!r} gives invalid XPath: {exc}") from None

    def all(self, node) -> list:
        return self.xpath(node)

    def first(self, node):
        found = self.xpath(node)
        return found[0] if found else None


def _selectors(raw, where: str) -> tuple[Selector, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise ProfileError(f"{where}: expected a selector or a list of selectors")
    return tuple(Selector.of(s) for s in raw)


@dataclass(frozen=True, slots=True)
class ProfileVersion:
    """The selectors of one layout of a portal family, valid until a date (None: still current)."""
    version: str
    valid_until: date | None
    signature: tuple[Selector, ...]
    title: tuple[Selector, ...]
    published: tuple[Selector, ...]
    author: tuple[Selector, ...]
    lead: tuple[Selector, ...]
    body: tuple[Selector, ...]
    remove: tuple[Selector, ...]
    listing: tuple[Selector, ...]

    def matches(self, tree) -> bool:
        """All signature selectors find something in the page."""
        return bool(self.signature) and all(s.first(tree) is not None for s in self.signature)

    def valid_on(self, day: date | None) -> bool:
        return day is None or self.valid_until is None or day <= self.valid_until


@dataclass(frozen=True, slots=True)
class Profile:
    """A portal family: how to recognise it, and its layout versions (newest first)."""
    name: str
    description: str
    hosts: tuple[re.Pattern, ...]
    versions: tuple[ProfileVersion, ...]
    # Lower runs first: a specific family (NukeViet) before catch-all patterns.
    priority: int = 100
    # Page languages the profile is for (None: any). A profile of Vietnamese
    # CMS class names must not take over an English page that happens to use
    # ".article-content".
    languages: tuple[str, ...] | None = None
    # Markup that any page of the family shows (generator meta, theme
    # containers), article or not: on such a page, no article layout means
    # the page is a listing or something else, never an article.
    site: tuple[Selector, ...] = ()

    def is_family(self, tree, host: str | None = None) -> bool:
        """The page comes from a site of this family (host pattern or any site selector)."""
        return self.host_matches(host) or any(s.first(tree) is not None for s in self.site)

    def applies_to_language(self, language: str | None) -> bool:
        return self.languages is None or language in self.languages

    def host_matches(self, host: str | None) -> bool:
        return bool(host) and any(p.search(host) for p in self.hosts)


def _version(raw: dict, where: str) -> ProfileVersion:
    if not isinstance(raw, dict) or "version" not in raw:
        raise ProfileError(f"{where}: each version needs a 'version' name")
    where = f"{where} version {raw['version']}"
    until = raw.get("valid_until")
    try:
        valid_until = date.fromisoformat(until) if until else None
    except ValueError:
        raise ProfileError(f"{where}: valid_until {until!r} is not an ISO date") from None
    if not raw.get("body"):
        raise ProfileError(f"{where}: a version needs body selectors")
    return ProfileVersion(
        version=raw["version"], valid_until=valid_until,
        **{key: _selectors(raw.get(key), f"{where} {key}")
           for key in ("signature", "title", "published", "author", "lead", "body", "remove", "listing")},
    )


def parse_profile(raw: dict, where: str) -> Profile:
    """A Profile from the JSON of one profile file (``where`` names it in errors)."""
    if not isinstance(raw, dict) or not raw.get("name") or not raw.get("versions"):
        raise ProfileError(f"{where}: a profile needs 'name' and 'versions'")
    try:
        hosts = tuple(re.compile(h, re.IGNORECASE) for h in raw.get("hosts", []))
    except re.error as exc:
        raise ProfileError(f"{where}: bad host pattern: {exc}") from None
    versions = tuple(_version(v, where) for v in raw["versions"])
    names = [v.version for v in versions]
    if len(set(names)) != len(names):
        raise ProfileError(f"{where}: duplicate version names {names}")
    languages = raw.get("languages")
    if languages is not None and not (isinstance(languages, list) and all(isinstance(x, str) for x in languages)):
        raise ProfileError(f"{where}: 'languages' must be a list of language codes")
    priority = raw.get("priority", 100)
    if not isinstance(priority, int):
        raise ProfileError(f"{where}: 'priority' must be an integer")
    return Profile(raw["name"], raw.get("description", ""), hosts, versions, priority,
                   tuple(languages) if languages is not None else None,
                   _selectors(raw.get("site"), f"{where} site"))


@lru_cache(maxsize=1)
def load_profiles() -> tuple[Profile, ...]:
    """Every packaged profile, by priority then name; a duplicate name is an error."""
    profiles: list[Profile] = []
    for entry in sorted(resources.files("pipeline.sites").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            raw = json.loads(entry.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ProfileError(f"pipeline/sites/{entry.name}: invalid JSON: {exc}") from None
        profile = parse_profile(raw, f"pipeline/sites/{entry.name}")
        if any(p.name == profile.name for p in profiles):
            raise ProfileError(f"pipeline/sites/{entry.name}: duplicate profile name {profile.name!r}")
        profiles.append(profile)
    return tuple(sorted(profiles, key=lambda p: (p.priority, p.name)))


def profile_named(name: str) -> Profile:
    for profile in load_profiles():
        if profile.name == name:
            return profile
    raise KeyError(name)


def match_profile(tree, host: str | None = None, day: date | None = None, language: str | None = None,
                  profiles: tuple[Profile, ...] | None = None) -> tuple[Profile, ProfileVersion] | None:
    """The profile and layout version for a page, or None.

    A profile applies when its host patterns match ``host`` or its signature
    matches the markup (and the page ``language`` is one it is for); the version is the newest one valid on ``day`` (the
    crawl date, None: any) whose signature matches. A host match alone picks
    the newest valid version whose signature matches, else none: a page whose
    markup matches no known layout is left to the generic extractor.
    """
    for profile in load_profiles() if profiles is None else profiles:
        if not profile.applies_to_language(language):
            continue
        by_host = profile.host_matches(host)
        for version in profile.versions:
            if not version.valid_on(day):
                continue
            if version.matches(tree) or (by_host and not version.signature):
                return profile, version
    return None


def family_of(tree, host: str | None = None, language: str | None = None) -> Profile | None:
    """The first profile whose family the page belongs to (by host or site markup), or None."""
    for profile in load_profiles():
        if profile.applies_to_language(language) and profile.is_family(tree, host):
            return profile
    return None
