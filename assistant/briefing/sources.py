"""What kind of source a URL is (government, news, reference, blog), from prompts/sources.yaml.

A briefing lists its sources strongest kind first and marks the weaker kinds, so a reader can
tell a city hall page from a blog at a glance. Classification is by site (host suffix, or host
and path prefix for the two GitHub list scrapes); an article without a URL is classified by its
publisher. A URL no rule matches gets the configured default (the weakest kind).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from ..config import DEFAULT_PROMPTS_DIR
from ..errors import ConfigError
from ..prompts import load_phrases


@dataclass(frozen=True)
class SourceKind:
    """One kind of source: its key, list heading, the mark its entries carry ("" = none), rank."""

    key: str
    heading: str
    mark: str
    rank: int


def _site_of(url: str) -> tuple[str, str]:
    """(host without "www.", path), both case-folded: "GitHub.com/Hekman" is "github.com/hekman"."""
    parsed = urlparse(url.strip())
    host = parsed.netloc.casefold().split("@")[-1].split(":")[0]
    return (host[4:] if host.startswith("www.") else host), parsed.path.casefold()


@dataclass(frozen=True)
class SourceKinds:
    """The kinds in list order and the site rules that assign them."""

    kinds: tuple[SourceKind, ...]
    sites: tuple[tuple[str, str, str], ...]  # (host suffix, path prefix, kind key), most specific first
    default: str
    publishers: tuple[tuple[str, str], ...]  # (word in the publisher text, kind key)

    def get(self, key: str) -> SourceKind:
        """The kind with this key (the default kind for an unknown key)."""
        return next((k for k in self.kinds if k.key == key), None) or self.get(self.default)

    def matched_kind(self, url: str) -> str | None:
        """The kind a site rule assigns to the URL, or None when no rule matches."""
        host, path = _site_of(url)
        if not host:
            return None
        for suffix, prefix, key in self.sites:
            if (host == suffix or host.endswith("." + suffix)) and path.startswith(prefix):
                return key
        return None

    def classify(self, url: str, publisher: str = "") -> SourceKind:
        """The kind of a source: by its site, else by its publisher, else the default."""
        key = self.matched_kind(url) if url else None
        if key is None and publisher:
            folded = publisher.casefold()
            key = next((k for word, k in self.publishers if word in folded), None)
        return self.get(key or self.default)


def _parse(data: dict) -> SourceKinds:
    kinds, sites = [], []
    for rank, spec in enumerate(data["kinds"]):
        key = str(spec["key"])
        kinds.append(SourceKind(key, str(spec["heading"]), str(spec.get("mark") or ""), rank))
        for site in spec.get("sites") or []:
            host, _, path = str(site).casefold().partition("/")
            sites.append((host, "/" + path if path else "", key))
    keys = {k.key for k in kinds}
    default = str(data["default"])
    publishers = tuple((str(word).casefold(), str(key)) for key, words in (data.get("publishers") or {}).items()
                       for word in words)
    unknown = ({default} | {key for _, key in publishers}) - keys
    if not kinds or unknown:
        raise ConfigError(f"prompts/sources.yaml: jenis sumber tidak dikenal: {', '.join(sorted(unknown)) or '(kosong)'}.")
    # Longer rules first, so "github.com/Hekman/twincities" wins over a plain "github.com".
    sites.sort(key=lambda s: (-len(s[0]) - len(s[1])))
    return SourceKinds(tuple(kinds), tuple(sites), default, publishers)


@lru_cache(maxsize=8)
def load_source_kinds(prompts_dir: Path = DEFAULT_PROMPTS_DIR) -> SourceKinds:
    """The source kinds of a prompts directory (cached); ConfigError naming a broken file."""
    bank = load_phrases(Path(prompts_dir), "sources")
    try:
        return _parse({"kinds": bank.raw("kinds"), "default": bank.raw("default"),
                       "publishers": bank.raw("publishers")})
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"prompts/sources.yaml tidak valid: {exc}") from None
