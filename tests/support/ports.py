"""Free TCP ports on 127.0.0.1.

Why: servers that are started as separate processes (the gateway CLI, Apollo's gateway) need a port number up
front. Binding port 0 and closing lets the OS pick one that is free right now; the tiny race with other
processes is acceptable on a test machine, and callers retry startup if it is lost.
"""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unused_port() -> int:
    """A port for a subgraph that is down: bound then released, so connects are refused."""
    return free_port()
