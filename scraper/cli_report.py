"""What a run says on stderr: a line per event with -v (text or JSON), else a progress bar on
a terminal; and the arguments of a command as its run records them."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

import db


class Reporter:
    """Crawl events on stderr: a line per fetch with -v, else a progress bar on a terminal."""

    def __init__(self, verbose: bool, log_format: str, label: str = "crawling") -> None:
        self.verbose = verbose
        self.log_format = log_format
        self.label = label
        self.bar = None

    def __call__(self, event: dict) -> None:
        if self.verbose:
            keys = ("outcome", "status", "url", "note")
            log(self.log_format, event, " ".join(str(event[k]) for k in keys if event.get(k)))
        elif event["event"] == "discovered" and sys.stderr.isatty() and event["count"]:
            if self.bar is None:
                self.bar = click.progressbar(length=0, label=self.label, file=sys.stderr)
                self.bar.__enter__()
            self.bar.length += event["count"]
        elif event["event"] == "fetch" and self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        """End the progress bar; a later event starts a new one (the images after a crawl)."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def log(log_format: str, event: dict, text: str) -> None:
    """One log line on stderr: the text, or JSON with a UTC timestamp and a level (`error`
    for a failed fetch, `warning` for a refused or blocked one, else `info`)."""
    if log_format == "json":
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        line = {"time": stamp, "level": level(event), **event}  # an event may set its level
        click.echo(json.dumps(line, ensure_ascii=False), err=True)
    else:
        click.echo(text, err=True)


def level(event: dict) -> str:
    outcome = event.get("outcome")
    if outcome == "failed":
        return "error"
    if outcome in ("blocked", "robots") or (event["event"] == "summary" and event.get("failed")):
        return "warning"
    return "info"


def arguments(ctx: click.Context) -> list[str]:
    """The command's arguments as given (defaults left out), for the run record."""
    out: list[str] = []
    for name, value in ctx.params.items():
        if value is None or value is False or value == () or defaulted(ctx, name):
            continue
        values = value if isinstance(value, tuple) else (value,)
        out += [f"{name}={v}" for v in values]
    return out


def defaulted(ctx: click.Context, name: str) -> bool:
    source = ctx.get_parameter_source(name)
    return source is not None and source.name == "DEFAULT"


def summary(counts) -> str:
    """The counts of a run that are not zero, in the order runs record them."""
    return ", ".join(f"{name} {counts[name]}" for name in db.runs.COUNTS if counts.get(name))


def fetch_options(command):
    """The options both fetching commands take with the same defaults: requests per host, the
    timeout, the User-Agent, robots.txt and the log format."""
    for option in reversed(
        [
            click.option("--per-host", type=click.IntRange(1, 16), default=2, show_default=True),
            click.option("--timeout", type=click.FloatRange(0.1), default=20.0, show_default=True),
            click.option("--user-agent", help="The User-Agent header (default names reprints)."),
            click.option(
                "--ignore-robots", is_flag=True, help="Do not read robots.txt (your own sites)."
            ),
            click.option(
                "--log-format",
                type=click.Choice(["text", "json"]),
                default="text",
                show_default=True,
            ),
        ]
    ):
        command = option(command)
    return command
