"""Fixtures that run each demo subgraph as a real aiohttp server on 127.0.0.1 with an ephemeral port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from subgraphs.orders.app import DB_KEY as ORDERS_DB
from subgraphs.orders.app import create_app as create_orders
from subgraphs.products.app import DB_KEY as PRODUCTS_DB
from subgraphs.products.app import create_app as create_products
from subgraphs.users.app import DB_KEY as USERS_DB
from subgraphs.users.app import create_app as create_users


@dataclass
class Running:
    """A started subgraph: its /graphql URL, the app (for the db handle) and a client session."""

    url: str
    app: web.Application
    session: aiohttp.ClientSession

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        """POST a GraphQL request and return the decoded JSON body (asserting HTTP 200)."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        async with self.session.post(self.url, json=body, headers=headers) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def data(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> dict[str, Any]:
        """Like :meth:`post`, but assert there are no errors and return ``data``."""
        result = await self.post(query, variables, **headers)
        assert "errors" not in result, result
        return result["data"]


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
def start(aiohttp_server: Any, session: aiohttp.ClientSession) -> Callable[..., Any]:
    """``await start(create_app, db_path)`` -> :class:`Running`; servers stop at test teardown."""

    async def run(factory: Callable[[str], web.Application], db_path: str = ":memory:") -> Running:
        app = factory(db_path)
        server: TestServer = await aiohttp_server(app, host="127.0.0.1")
        return Running(url=str(server.make_url("/graphql")), app=app, session=session)

    return run


@pytest.fixture
async def users(start: Callable[..., Any]) -> Running:
    return await start(create_users)


@pytest.fixture
async def products(start: Callable[..., Any]) -> Running:
    return await start(create_products)


@pytest.fixture
async def orders(start: Callable[..., Any]) -> Running:
    return await start(create_orders)


DB_KEYS = {"users": USERS_DB, "orders": ORDERS_DB, "products": PRODUCTS_DB}


class SqlLog:
    """Records the SQL statements a subgraph's connection runs (sqlite3 trace callback)."""

    def __init__(self, running: Running, name: str) -> None:
        self.statements: list[str] = []
        self._connection = running.app[DB_KEYS[name]].connection

    def __enter__(self) -> SqlLog:
        self._connection.set_trace_callback(self.statements.append)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._connection.set_trace_callback(None)

    @property
    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]
