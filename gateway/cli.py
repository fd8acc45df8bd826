"""The ``gateway`` command: argument parsing, then delegation.

Why: other tooling (benchmarks, CI) drives the gateway through this exact command-line contract, so parsing
lives here and stays thin; the work is done by ``gateway.workers`` (serve), ``gateway.planner`` (plan) and
``gateway.config`` (config validate / schema).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gateway import __version__
from gateway.config.errors import ConfigError
from gateway.config.load import config_with, load_config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gateway", description="pygraph GraphQL federation gateway")
    parser.add_argument("--version", action="version", version=f"gateway {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve a supergraph over HTTP")
    serve.add_argument("--supergraph", help="supergraph SDL file (overrides supergraph.path)")
    serve.add_argument("--config", help="YAML configuration file")
    serve.add_argument("--host", help="listen address (overrides server.host)")
    serve.add_argument("--port", type=int, help="listen port (overrides server.port)")
    serve.add_argument("--workers", type=int, help="number of worker processes (overrides server.workers)")
    serve.add_argument(
        "--pipeline-factory",
        metavar="MODULE:ATTR",
        help="callable taking the Config and returning the pipeline (embedding/testing; default: the engine)",
    )
    serve.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        help="lowest level logged (overrides telemetry.logging.level; default info)",
    )

    plan = commands.add_parser("plan", help="print the query plan of an operation")
    plan.add_argument("--supergraph", required=True, help="supergraph SDL file")
    source = plan.add_mutually_exclusive_group(required=True)
    source.add_argument("--query", help="the operation text")
    source.add_argument("--file", help="file holding the operation text")
    plan.add_argument("--operation-name", help="operation to plan when the document has several")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")

    from gateway import dev

    dev.add_arguments(commands.add_parser("dev", help="run the demo subgraphs + gateway, hot-reloading"))

    compose = commands.add_parser(
        "compose",
        help="compose subgraph SDLs (files or live) into a supergraph; `gateway compose --help`",
        add_help=False,
    )
    compose.add_argument("compose_args", nargs=argparse.REMAINDER)
    from gateway.auth import cli as auth_cli

    auth_cli.add_arguments(commands.add_parser("auth", help="authentication tools (hash-key)"))
    config = commands.add_parser("config", help="configuration tools")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    validate = config_commands.add_parser("validate", help="check a configuration file")
    validate.add_argument("file")
    config_commands.add_parser("schema", help="print the JSON Schema of the configuration")
    return parser


def _fail(message: str) -> int:
    from gateway.telemetry.logs import announce

    announce(message, error=True)  # "error: ..." on stderr; a JSON line once JSON logging is set up
    return 1


def _serve(args: argparse.Namespace) -> int:
    from gateway.telemetry.logs import configure_logging
    from gateway.workers import ServeOptions, serve

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(f"invalid configuration:\n{exc}")
    # The format comes from the configuration (telemetry.logging), so logging is set up once it is loaded.
    configure_logging(config.telemetry.logging, args.log_level)
    overrides: dict[str, Any] = {
        name: value
        for name, value in (("host", args.host), ("port", args.port), ("workers", args.workers))
        if value is not None
    }
    try:
        if overrides:
            config = config_with(config, "server", **overrides)
        if args.supergraph is not None:
            config = config_with(config, "supergraph", path=args.supergraph)
    except ValueError as exc:
        return _fail(str(exc))
    if config.supergraph.path is None:
        return _fail("no supergraph: pass --supergraph PATH or set supergraph.path in the configuration")
    return serve(ServeOptions(config, config.supergraph.path, args.pipeline_factory))


def _plan(args: argparse.Namespace) -> int:
    from gateway.errors import GatewayError

    try:
        from gateway.planner import PlanningError, plan_query
        from gateway.planner.printer import format_plan, plan_to_json
    except ImportError as exc:
        return _fail(f"the query planner is not available: {exc}")
    try:
        supergraph = Path(args.supergraph).read_text(encoding="utf-8")
        query = args.query if args.query is not None else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(str(exc))
    try:
        plan = plan_query(supergraph, query, args.operation_name)
    except PlanningError as exc:
        return _fail(f"cannot plan the operation: {exc}")
    except GatewayError as exc:
        return _fail(exc.message)
    if args.json:
        print(json.dumps(plan_to_json(plan), indent=2))
    else:
        print(format_plan(plan))
    return 0


def _config(args: argparse.Namespace) -> int:
    if args.config_command == "schema":
        from gateway.config.schema import config_json_schema

        print(json.dumps(config_json_schema(), indent=2))
        return 0
    try:
        load_config(args.file)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("ok")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["compose"]:
        # composition has its own parser (options may come first, which argparse.REMAINDER cannot take)
        from gateway.compose.cli import cli_main

        return cli_main(arguments[1:])
    args = _parser().parse_args(arguments)
    if args.command == "serve":
        return _serve(args)
    if args.command == "plan":
        return _plan(args)
    if args.command == "dev":
        from gateway import dev

        return dev.main(args)
    if args.command == "auth":
        from gateway.auth import cli as auth_cli

        return auth_cli.run(args)
    return _config(args)
