"""Configuration errors that point at the file, the key path and the line.

Why: a gateway that refuses to start must say exactly what to fix; collecting every issue at once saves the
operator an edit-restart loop per typo.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem found in a configuration file."""

    message: str
    path: str
    source: str
    line: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.path or "<root>"
        location = f"{self.source} line {self.line}" if self.line is not None else self.source
        text = f"{self.message} at {where} ({location})"
        return f"{text}; {self.hint}" if self.hint else text


class ConfigError(Exception):
    """The configuration cannot be used; ``issues`` lists every problem found."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))
