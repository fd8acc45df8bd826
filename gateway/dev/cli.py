"""The ``gateway dev`` command line: flags, and the translation of flags into ``DevOptions``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gateway.dev.options import DEMO_KEYS, DevOptions, embedded_config
from gateway.dev.stack import run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``gateway dev`` flags (``gateway/cli.py`` only registers the subcommand and delegates here)."""
    parser.add_argument("--host", default="127.0.0.1", help="gateway listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4000, help="gateway port (default 4000)")
    parser.add_argument(
        "--subgraph-port-base",
        type=int,
        default=4001,
        metavar="PORT",
        help="users on PORT, orders on PORT+1, products on PORT+2, other subgraphs next (default 4001)",
    )
    parser.add_argument(
        "--no-subgraphs",
        action="store_true",
        help="do not start the subgraphs; use the ones already running on those ports (still watched)",
    )
    parser.add_argument(
        "--source-root",
        type=Path,
        metavar="DIR",
        help="directory holding the subgraphs/ package to run and watch (default: the installed one)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often sources and subgraph schemas are checked (default 2)",
    )
    parser.add_argument(
        "--supergraph-out",
        type=Path,
        metavar="FILE",
        help="also write each composed supergraph to FILE (e.g. for `gateway plan`)",
    )
    parser.add_argument("--config", help="YAML gateway configuration (default: embedded defaults)")


def main(args: argparse.Namespace) -> int:
    """Run ``gateway dev`` from parsed arguments; returns the exit code."""
    from gateway.config.errors import ConfigError
    from gateway.config.load import config_with, load_config

    if args.poll_interval <= 0:
        print("error: --poll-interval must be greater than zero", file=sys.stderr)
        return 2
    try:
        if args.config is None:
            config = embedded_config(args.host, args.port)
        else:
            config = config_with(
                load_config(args.config), "server", host=args.host, port=args.port, workers=1
            )
    except ConfigError as exc:
        print(f"error: invalid configuration:\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    options = DevOptions(
        host=args.host,
        port=args.port,
        subgraph_port_base=args.subgraph_port_base,
        start_subgraphs=not args.no_subgraphs,
        source_root=args.source_root,
        poll_interval=args.poll_interval,
        supergraph_out=args.supergraph_out,
        config=config,
        demo_keys=DEMO_KEYS if args.config is None else (),
    )
    return run(options)
