"""The users subgraph over real HTTP: root fields, pagination, entities, errors."""

from __future__ import annotations

from subgraphs.common import fixtures


async def test_health(users):
    async with users.session.get(users.url.replace("/graphql", "/health")) as response:
        assert response.status == 200
        assert await response.json() == {"status": "ok", "subgraph": "users"}


async def test_user_by_id_matches_seed(users):
    seed = fixtures.users()[4]
    data = await users.data(
        "query($id: ID!) { user(id: $id) { id username name email createdAt } }", {"id": "5"}
    )
    assert data["user"] == {
        "id": "5",
        "username": seed.username,
        "name": seed.name,
        "email": seed.email,
        "createdAt": seed.created_at,
    }
    missing = await users.data('{ a: user(id: "99999") { id } b: user(id: "not-a-number") { id } }')
    assert missing == {"a": None, "b": None}


async def test_users_pagination_walks_every_user_once(users):
    query = (
        "query($after: String) { users(first: 20, after: $after) {"
        " edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await users.data(query, {"after": after}))["users"]
        pages += 1
        seen.extend(edge["node"]["id"] for edge in page["edges"])
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [str(i) for i in range(1, fixtures.USER_COUNT + 1)]
    assert pages == -(-fixtures.USER_COUNT // 20)


async def test_bad_pagination_arguments_are_user_errors(users):
    for args in (
        "first: -1",
        "first: 101",
        'after: "garbage!"',
        'after: "UHJvZHVjdDox"',
    ):  # last: a Product cursor
        result = await users.post(f"{{ users({args}) {{ edges {{ cursor }} }} }}")
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", args


async def test_me_uses_forwarded_user_id(users):
    assert (await users.data("{ me { id } }"))["me"] is None
    data = await users.data("{ me { id username } }", **{"x-user-id": "7"})
    assert data["me"] == {"id": "7", "username": fixtures.users()[6].username}


async def test_entities_keep_order_and_null_unknowns(users):
    reps = [{"__typename": "User", "id": i} for i in ("3", "999", "1", "3")]
    data = await users.data(
        "query($r: [_Any!]!) { _entities(representations: $r) {"
        " ... on User { id orderCount internalNotes } } }",
        {"r": reps},
    )
    ids = [None if e is None else e["id"] for e in data["_entities"]]
    assert ids == ["3", None, "1", "3"]
    # The legacy counter was seeded from the same order fixtures the orders subgraph uses.
    expected = sum(1 for o in fixtures.orders() if o.buyer_id == 3)
    assert data["_entities"][0]["orderCount"] == expected


async def test_service_sdl_declares_federation_directives(users):
    sdl = (await users.data("{ _service { sdl } }"))["_service"]["sdl"]
    assert 'type User @key(fields: "id")' in sdl
    assert '@requiresScopes(scopes: [["users:read_email"]])' in sdl
    assert "internalNotes: String @inaccessible" in sdl
    assert "me: User @authenticated" in sdl
    assert "@listSize(" in sdl
