"""Policy functions referenced from the test configuration (``tests.authorization.policies:<name>``)."""

from __future__ import annotations

import asyncio
from typing import Any

CALLS: list[str] = []


def is_staff(principal: Any, request: Any) -> bool:
    CALLS.append("is_staff")
    return principal.claims.get("staff") is True


async def async_allow(principal: Any, request: Any) -> bool:
    CALLS.append("async_allow")
    await asyncio.sleep(0)
    return principal.authenticated and request.headers.get("x-deny-async") is None


def raises(principal: Any, request: Any) -> bool:
    CALLS.append("raises")
    raise RuntimeError("policy backend down")


def truthy_not_true(principal: Any, request: Any) -> str:
    return "yes"
