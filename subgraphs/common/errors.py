"""GraphQL errors the subgraphs raise on purpose.

Why: invalid client input must come back as a GraphQL error carrying ``extensions.code = BAD_USER_INPUT``
(Apollo's code) so the gateway can forward it unchanged, instead of surfacing as an opaque 500.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError

BAD_USER_INPUT = "BAD_USER_INPUT"


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One reason an argument was rejected, with the argument path it concerns (e.g. ``input.items[0]``)."""

    path: str
    message: str


def bad_user_input(message: str, *, problems: list[InputProblem] | None = None) -> GraphQLError:
    """Build a ``BAD_USER_INPUT`` error; ``problems`` lists every rejected argument, not only the first."""
    extensions: dict[str, object] = {"code": BAD_USER_INPUT}
    if problems:
        extensions["problems"] = [{"path": p.path, "message": p.message} for p in problems]
    return GraphQLError(message, extensions=extensions)


def reject_if_any(problems: list[InputProblem]) -> None:
    """Raise one error describing all problems, so a client can fix its input in a single round trip."""
    if problems:
        first = problems[0]
        summary = f"{first.path}: {first.message}"
        if len(problems) > 1:
            summary += f" (and {len(problems) - 1} more problem(s))"
        raise bad_user_input(summary, problems=problems)
