"""The cost directives are found under renamed imports and in the @join__directive form."""

from __future__ import annotations

from gateway.demand.model import build_cost_model
from gateway.supergraph.model import load_supergraph
from tests.demand.support import SUPERGRAPH_SDL


def test_renamed_cost_directive() -> None:
    sdl = SUPERGRAPH_SDL.replace(
        '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])',
        '@link(url: "https://specs.apollo.dev/cost/v0.1", as: "price", '
        'import: [{name: "@listSize", as: "@size"}])',
    )
    sdl = sdl.replace("@cost(", "@price(").replace("@listSize(", "@size(")
    assert "@cost" not in sdl
    model = build_cost_model(load_supergraph(sdl))
    assert model.field_weights[("Query", "expensive")] == 20.0
    assert model.type_weights["Money"] == 4.0
    assert model.list_sizes[("Product", "related")].assumed_size == 3


def test_join_directive_form() -> None:
    sdl = SUPERGRAPH_SDL.replace(
        "expensive: Int @join__field(graph: PRODUCTS) @cost(weight: 20)",
        'expensive: Int @join__field(graph: PRODUCTS) @join__directive(graphs: [PRODUCTS], name: "cost", '
        "args: {weight: 25})",
    ).replace(
        "related: [Product!] @join__field(graph: PRODUCTS) @listSize(assumedSize: 3)",
        "related: [Product!] @join__field(graph: PRODUCTS) @join__directive(graphs: [PRODUCTS], "
        'name: "listSize", args: {assumedSize: 9, requireOneSlicingArgument: false})',
    )
    model = build_cost_model(load_supergraph(sdl))
    assert model.field_weights[("Query", "expensive")] == 25.0
    related = model.list_sizes[("Product", "related")]
    assert (related.assumed_size, related.require_one_slicing_argument) == (9, False)
