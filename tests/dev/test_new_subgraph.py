"""The README's "Adding a subgraph" loop: a new ``subgraphs/reviews/`` package (in a temporary copy of the
sources) is started by ``gateway dev`` on the next port, composed with the demo subgraphs, and its fields are
served through the gateway, including a field it contributes to the users subgraph's ``User`` entity."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from tests.dev.helpers import copy_sources, gateway_dev, post, status

REVIEWS_SCHEMA = '''
"""A tiny reviews subgraph: contributes User.reviewCount and a root field."""

from __future__ import annotations

import strawberry

from subgraphs.common.federation import FEDERATION_VERSION


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field
    def review_count(self) -> int:
        return len(self.id) + 2

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.type
class Query:
    @strawberry.field
    def review_total(self) -> int:
        return 42


schema = strawberry.federation.Schema(query=Query, types=[User], federation_version=FEDERATION_VERSION)
'''

REVIEWS_APP = """
from __future__ import annotations

from aiohttp import web

from subgraphs.common.server import build_app
from subgraphs.reviews.schema import schema


def create_app(db_path: str = ":memory:") -> web.Application:
    return build_app("reviews", schema, lambda _request, _response: {}, lambda: None)
"""

REVIEWS_MAIN = """
from subgraphs.common.server import serve
from subgraphs.reviews.app import create_app

if __name__ == "__main__":
    serve("reviews", 4004, create_app)
"""


def test_dev_runs_a_newly_added_subgraph(tmp_path: Path) -> None:
    source_root = copy_sources(tmp_path / "src")
    package = source_root / "subgraphs" / "reviews"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "schema.py").write_text(REVIEWS_SCHEMA)
    (package / "app.py").write_text(REVIEWS_APP)
    (package / "__main__.py").write_text(REVIEWS_MAIN)
    with gateway_dev(source_root, subgraph_count=4) as dev:
        assert dev.subgraph_url(3) in dev.process.output()  # reviews got base+3
        assert status(dev.subgraph_url(3, "/health")) == 200
        result = post(dev.url, '{ reviewTotal user(id: "1") { username reviewCount } }')
        assert result == {"data": {"reviewTotal": 42, "user": {"username": "blamarr", "reviewCount": 3}}}
        os.killpg(dev.pid, signal.SIGINT)
        assert dev.process.popen.wait(20) == 0
