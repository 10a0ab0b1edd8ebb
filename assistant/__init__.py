"""Asisten Kota Kembar: offline, cited answers about sister cities in casual Indonesian."""
from __future__ import annotations

__all__ = ["Assistant", "Settings"]


def __getattr__(name: str):
    # Lazy: `import assistant` stays cheap (the CLI's --help, the config) until the facade is used.
    if name == "Assistant":
        from .core import Assistant

        return Assistant
    if name == "Settings":
        from .config import Settings

        return Settings
    raise AttributeError(name)
