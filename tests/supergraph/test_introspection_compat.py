"""Our introspection answers byte-for-byte like graphql-js 16 (what Apollo and Hive gateways answer)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import build_schema, get_introspection_query, graphql_sync

import gateway.supergraph.introspection_compat  # noqa: F401 - the module under test applies itself
from tests.federation.gateways import ORACLE_DIR, ensure_oracle_installed

SDL = '''
"""A sample schema touching every introspection feature."""
type Query {
  products(
    first: Int = 5, order: Order = {field: NAME, descending: false}, tags: [String!] = ["a", "b"]
  ): [Product!]!
  legacy: String @deprecated(reason: "use products")
  node(id: ID!): Node
}
"""An orderable field."""
enum Field { NAME PRICE @deprecated }
input Order { field: Field! descending: Boolean = false old: Int @deprecated(reason: "gone") }
interface Node { id: ID! }
type Product implements Node { id: ID! name: String price(currency: String = "EUR"): Float when: Date }
scalar Date @specifiedBy(url: "https://tools.ietf.org/html/rfc3339")
union Thing = Product
input OneOf @oneOf { a: Int b: String }
type Mutation { touch(input: OneOf): Thing }
directive @cached(ttl: Int = 60) repeatable on FIELD | QUERY
'''


def test_default_values_print_without_inner_spaces() -> None:
    from graphql import parse_value

    from gateway.supergraph.introspection_compat import print_value

    assert (
        print_value(parse_value('{a: 1, b: [2, "x"], c: {d: ENUM}}')) == '{a: 1, b: [2, "x"], c: {d: ENUM}}'
    )


@pytest.mark.node
def test_introspection_matches_graphql_js_16(tmp_path: Path) -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed")
    ensure_oracle_installed()
    sdl_file = tmp_path / "schema.graphql"
    sdl_file.write_text(SDL)
    completed = subprocess.run(
        [
            "node",
            str(Path(__file__).parent / "graphqljs_introspect.mjs"),
            str(ORACLE_DIR / "node_modules"),
            str(sdl_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = json.loads(completed.stdout)
    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True, input_value_deprecation=True
    )
    ours = graphql_sync(build_schema(SDL), query)
    assert ours.errors is None
    assert json.dumps(ours.data, indent=1) == json.dumps(expected["data"], indent=1)
