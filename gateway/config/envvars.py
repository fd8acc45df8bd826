"""``${env.NAME}`` / ``${env.NAME:-default}`` expansion inside configuration strings.

Why: secrets and per-deployment values (ports, subgraph URLs) come from the environment in containers; the
syntax follows Apollo Router's so existing configs read the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_REFERENCE = re.compile(r"\$\{env\.([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class MissingEnvironmentVariable(ValueError):
    """A ``${env.NAME}`` reference without default names a variable that is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"environment variable {name!r} is not set and has no default (use ${{env.{name}:-value}})"
        )
        self.name = name


def expand_env(text: str, environ: Mapping[str, str]) -> str:
    """Replace every ``${env.NAME}`` reference; raise ``MissingEnvironmentVariable`` for an unset one."""
    if "${" not in text:
        return text

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = environ.get(name)
        if value is not None:
            return value
        if default is not None:
            return default
        raise MissingEnvironmentVariable(name)

    return _REFERENCE.sub(substitute, text)
