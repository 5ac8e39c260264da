"""`az config` and `az cloud` of the sandbox's az: the INI files config and clouds.config (see az_files)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from engine.sandbox.tools import az_files
from engine.sandbox.tools.az_identity import CLIError

if TYPE_CHECKING:
    from engine.sandbox.tools.az import Context

CONFIG_EXPERIMENTAL = (
    "Command group 'config' is experimental and under development. "
    "Reference and support levels: https://aka.ms/CLI_refstatus"
)
CLOUD_NOT_REGISTERED = "The cloud '{}' is not registered."
CLOUD_SWITCHED = (
    "Switched active cloud to '{}'.",
    "Use 'az login' to log in to this cloud.",
    "Use 'az account set' to set the active subscription.",
)
CLOUD_ALREADY_REGISTERED = "The cloud '{}' is already registered."


def config_set(ctx: Context, args: argparse.Namespace) -> None:
    sys.stderr.write(f"WARNING: {CONFIG_EXPERIMENTAL}\n")
    parser = az_files.load_config(ctx.dir)
    for pair in args.key_value:
        key, sep, value = pair.partition("=")
        section, dot, option = key.partition(".")
        if not sep or not dot:
            raise CLIError(f"usage error: {pair} should be in the format <section>.<option>=<value>")
        if not parser.has_section(section):
            parser.add_section(section)
        parser.set(section, option, value)
    az_files.save_config(ctx.dir, parser)


def config_get(ctx: Context, args: argparse.Namespace) -> Any:
    sys.stderr.write(f"WARNING: {CONFIG_EXPERIMENTAL}\n")
    parser = az_files.load_config(ctx.dir)
    source = str(ctx.dir / az_files.CONFIG)
    if not args.key:
        return {s: [{"name": k, "source": source, "value": v} for k, v in parser.items(s)] for s in parser.sections()}
    section, _, option = args.key.partition(".")
    if not option:
        return (
            [{"name": k, "source": source, "value": v} for k, v in parser.items(section)]
            if parser.has_section(section)
            else []
        )
    if not parser.has_option(section, option):
        raise CLIError(f"Configuration '{args.key}' is not set.")
    return {"name": option, "source": source, "value": parser.get(section, option)}


def cloud_show(ctx: Context, args: argparse.Namespace) -> dict[str, Any]:
    name = args.name or ctx.cloud
    endpoints = az_files.cloud_endpoints(ctx.dir, name)
    if endpoints is None:
        raise CLIError(CLOUD_NOT_REGISTERED.format(name))
    if name != az_files.AZURE_CLOUD:
        endpoints = {k: endpoints.get(k) for k in az_files.AZURE_CLOUD_ENDPOINTS} | endpoints
    suffixes = az_files.AZURE_CLOUD_SUFFIXES if name == az_files.AZURE_CLOUD else {}
    profile = az_files.load_clouds(ctx.dir).get(name, "profile", fallback="latest")
    return {
        "endpoints": endpoints,
        "isActive": name == ctx.cloud,
        "name": name,
        "profile": profile,
        "suffixes": suffixes,
    }


def cloud_list(ctx: Context, args: argparse.Namespace) -> list[dict[str, Any]]:
    names = [az_files.AZURE_CLOUD] + [
        s for s in az_files.load_clouds(ctx.dir).sections() if az_files.cloud_endpoints(ctx.dir, s)
    ]
    return [cloud_show(ctx, argparse.Namespace(name=n)) for n in dict.fromkeys(names)]


def cloud_set(ctx: Context, args: argparse.Namespace) -> None:
    if az_files.cloud_endpoints(ctx.dir, args.name) is None:
        raise CLIError(CLOUD_NOT_REGISTERED.format(args.name))
    parser = az_files.load_config(ctx.dir)
    parser.set("cloud", "name", args.name)
    az_files.save_config(ctx.dir, parser)
    sys.stderr.write("".join(f"WARNING: {line}\n" for line in CLOUD_SWITCHED).format(args.name))


def cloud_register(ctx: Context, args: argparse.Namespace) -> None:
    """Only the offline form (--skip-endpoint-discovery): there is no ARM metadata endpoint in the sandbox."""
    parser = az_files.load_clouds(ctx.dir)
    if args.name == az_files.AZURE_CLOUD or az_files.cloud_endpoints(ctx.dir, args.name) is not None:
        raise CLIError(CLOUD_ALREADY_REGISTERED.format(args.name))
    if not parser.has_section(args.name):
        parser.add_section(args.name)
    for key, value in sorted(vars(args).items()):
        if key.startswith("endpoint_") and value:
            parser.set(args.name, key, value)
    az_files.save_clouds(ctx.dir, parser)
