"""Count the imports that run against kubeplan's layer order, and list the largest modules.

The layers (../shared/DESIGN.md, "The layers"), from the ground up; a module may import its own
layer and those below it:

    model, position, datafiles, errors  <  kube  <  schemas  <  admission  <  rules  <  planner
    <  report  <  commands, config  <  cli, guard, __main__

Every `import` counts, at module level or inside a function. Run: `python bench/layers.py`
(`--list` prints each import against the order).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kubeplan"
ORDER = [
    {"model", "position", "datafiles", "errors", "__init__"},
    {"kube"},
    {"schemas"},
    {"admission"},
    {"rules"},
    {"planner"},
    {"report"},
    {"commands", "config", "exitcodes"},
    {"cli", "guard", "__main__"},
]


def layer(module: str) -> int:
    """The rank of `kubeplan.a.b` by its first part."""
    parts = module.split(".")
    head = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(ORDER):
        if head in names:
            return rank
    raise SystemExit(f"{module}: not in any layer; add it to ORDER in {__file__}")


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        out.extend((node.lineno, name) for name in names if name.split(".")[0] == "kubeplan")
    return out


def against_order() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = "kubeplan." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        for line, name in imports(path):
            if layer(name) > layer(module):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: imports {name}")
    return found


def main() -> int:
    found = against_order()
    if "--list" in sys.argv:
        print("\n".join(found))
    sizes = sorted(
        ((len(p.read_text(encoding="utf-8").splitlines()), p) for p in PACKAGE.rglob("*.py")),
        reverse=True,
    )
    print(f"imports against the layer order: {len(found)}")
    print("largest modules:")
    for lines, path in sizes[:8]:
        print(f"  {lines:5d}  {path.relative_to(PACKAGE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
