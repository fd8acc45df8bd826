"""``compose()``: the Python API of Apollo Federation 2 composition.

Why a thin orchestrator: each stage (parse, per-subgraph checks, merge, post-merge checks, print) lives in its
own module; this one only sequences them and stops before printing when anything failed, so a result is either
a supergraph or a list of actionable errors, never both.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.compose import errors as E
from gateway.compose.checks import check_extensions, check_subgraph
from gateway.compose.errors import CompositionError, CompositionHint
from gateway.compose.merge import Merger
from gateway.compose.model import Subgraph
from gateway.compose.printer import print_supergraph
from gateway.compose.satisfiability import check_satisfiability
from gateway.compose.subgraph import parse_subgraph
from gateway.compose.validate import (
    check_default_values,
    check_inaccessible,
    check_interface_entities,
    check_interface_fields,
)


@dataclass(frozen=True, slots=True)
class SubgraphSource:
    """One subgraph to compose: its name (becomes the ``join__Graph`` value), routing url and SDL."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class CompositionResult:
    """Either ``supergraph_sdl`` (success) or ``errors`` (failure); ``hints`` in both cases."""

    supergraph_sdl: str | None
    errors: tuple[CompositionError, ...] = ()
    hints: tuple[CompositionHint, ...] = ()

    @property
    def ok(self) -> bool:
        """True when composition succeeded."""
        return self.supergraph_sdl is not None


def compose(subgraphs: list[SubgraphSource]) -> CompositionResult:
    """Compose subgraphs into a supergraph (deterministic for a given input order)."""
    errors: list[CompositionError] = []
    names = [s.name for s in subgraphs]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        return CompositionResult(
            None, (CompositionError(E.INVALID_GRAPHQL, f"Duplicate subgraph names: {dup}"),)
        )
    parsed: list[Subgraph] = []
    for source in subgraphs:
        sub, errs = parse_subgraph(source.name, source.url, source.sdl)
        errors.extend(errs)
        if sub is not None:
            parsed.append(sub)
    if not errors:
        errors.extend(check_extensions(parsed))
    if not errors:
        for sub in parsed:
            errors.extend(check_subgraph(sub))
    if errors:
        return CompositionResult(None, tuple(errors))
    merger = Merger(parsed)
    sg = merger.merge()
    errors.extend(merger.errors)
    if not errors:
        if "Query" not in sg.types:
            errors.append(
                CompositionError(
                    E.NO_QUERIES,
                    "No queries found in any subgraph: a supergraph must have a query root type.",
                )
            )
        errors.extend(check_interface_fields(sg))
        errors.extend(check_interface_entities(parsed, sg))
        errors.extend(check_default_values(sg))
        errors.extend(check_inaccessible(sg))
    if not errors:
        errors.extend(check_satisfiability(parsed, sg))
    if errors:
        return CompositionResult(None, tuple(errors), tuple(merger.hints))
    return CompositionResult(print_supergraph(sg), (), tuple(merger.hints))
