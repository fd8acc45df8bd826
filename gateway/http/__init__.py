"""The HTTP layer: GraphQL-over-HTTP handler, health check and error middleware (aiohttp)."""
