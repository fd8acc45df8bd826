"""Federation settings and directive builders shared by the three schemas.

Why: all subgraphs must link the same Federation spec version, and the ``@listSize``/``@cost`` pairs on
paginated fields should read the same everywhere.
"""

from __future__ import annotations

from strawberry.federation.schema_directives import Cost, ListSize
from strawberry.types.unset import UNSET

FEDERATION_VERSION = "2.9"
"""2.9 is the first Federation version with ``@cost``/``@listSize`` (2.5/2.6 added the policy directives)."""


def paginated(*, weight: int, sized_fields: list[str] | None = None) -> list[object]:
    """``@listSize(slicingArguments: ["first"], ...)`` and ``@cost(weight:)`` for a ``first``/``after`` list.

    ``requireOneSlicingArgument`` is false because ``first`` has a default value.
    """
    return [
        ListSize(
            assumed_size=UNSET,
            slicing_arguments=["first"],
            sized_fields=sized_fields if sized_fields is not None else UNSET,
            require_one_slicing_argument=False,
        ),
        Cost(weight=weight),
    ]


def cost(weight: int) -> Cost:
    """``@cost(weight:)`` for a field that is expensive to resolve."""
    return Cost(weight=weight)
