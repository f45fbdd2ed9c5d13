"""Keep the order in which --format and --output were typed.

click gives each repeated option its values in order, but not how two options interleave, so
`--format sarif --output a.sarif --format text` would lose which format the file is for. A
command built with `cls=OrderedCommand` runs click's own option parser once more before the
real parse and records the sequence of option occurrences in `ctx.meta`; `option_order()`
returns it as "format"/"output" words for `outputs.resolve_targets`.
"""

from __future__ import annotations

from typing import Any

import click
from typer.core import TyperCommand

ORDER_KEY = "kubeplan.option_order"
# The parameter names of the --format and --output options in the commands.
NAMES = {"output_format": "format", "output": "output"}


class OrderedCommand(TyperCommand):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            parser = self.make_parser(ctx)
            _, _, order = parser.parse_args(args=list(args))
            ctx.meta[ORDER_KEY] = [NAMES[p.name] for p in order if p.name in NAMES]
        except click.ClickException:
            pass  # the real parse below reports it
        return super().parse_args(ctx, args)


def option_order(ctx: Any = None) -> list[str] | None:
    ctx = ctx or click.get_current_context(silent=True)
    return None if ctx is None else ctx.meta.get(ORDER_KEY)
