"""The GraphiQL IDE page served on ``GET /graphql`` when a browser asks for HTML.

Why: developers open the endpoint in a browser to explore the schema; the page is static (assets from a CDN),
so it is rendered once at app creation and served as bytes.
"""

from __future__ import annotations

import html

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
</head>
<body>
  <div id="graphiql">Loading GraphiQL&hellip;</div>
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({{ url: {endpoint} }});
    ReactDOM.createRoot(document.getElementById("graphiql"))
      .render(React.createElement(GraphiQL, {{ fetcher }}));
  </script>
</body>
</html>
"""


def render_graphiql(endpoint: str, title: str = "pygraph gateway") -> bytes:
    """The page as UTF-8 bytes, pointed at ``endpoint`` (a path on this server)."""
    endpoint_js = '"' + endpoint.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\u003c") + '"'
    return _TEMPLATE.format(title=html.escape(title), endpoint=endpoint_js).encode("utf-8")
