"""Response shaping: turn the merged subgraph data into exactly the ``data`` the client's operation asked for.

Why a package of its own: it is the last pipeline stage and depends only on the API schema and the document.
"""

from __future__ import annotations

from gateway.response.shape import Projection, compile_projection, shape_response

__all__ = ["Projection", "compile_projection", "shape_response"]
