"""pygraph gateway: an Apollo Federation gateway written in Python.

Public entry points are the ``gateway`` command (``gateway.cli``) and ``gateway.app.create_app``.
Importing this package has no side effects.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
