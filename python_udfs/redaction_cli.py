"""`ai-analytics redact`: redact texts read from standard input, one per line.

`register(commands)` adds the subcommand to the `ai-analytics` parser; `run`
does the work, so the command line, staging and the LLM backend all redact
with the same function.
"""

from __future__ import annotations

import argparse
import sys

from python_udfs.redaction import redact


def register(commands: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `redact` subcommand to `commands` (the result of `add_subparsers`)."""
    parser = commands.add_parser(
        "redact",
        help="redact personal data in texts read from standard input, one per line",
        description=(
            "Reads texts from standard input, one per line, and writes each redacted "
            "on its own line: emails, phone numbers, payment cards, IBANs, US SSNs, "
            "IP addresses, API keys, tokens and URL credentials become typed "
            "placeholders such as <EMAIL>. Each line is written and flushed as soon "
            "as it is read, so the command can sit in a pipe."
        ),
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Redact standard input line by line onto standard output; returns 0."""
    source, sink = sys.stdin, sys.stdout
    for stream in (source, sink):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            # Undecodable bytes become U+FFFD rather than stopping the pipe.
            reconfigure(errors="replace")
    for line in iter(source.readline, ""):
        text = line[:-1] if line.endswith("\n") else line
        if text.endswith("\r"):
            text = text[:-1]
        sink.write(f"{redact(text)}\n")
        sink.flush()
    return 0
