"""constraints/: the pinned set CI and the Action install, and the lowest set that proves the
bounds of pyproject.toml (README "Pinned dependencies" says how both are generated)."""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.version import Version

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
DIRECT = [
    Requirement(text) for text in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]
]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(name: str) -> dict[str, list[Version]]:
    """Every `name==version` line of constraints/NAME (one package may have one per marker)."""
    pins: dict[str, list[Version]] = {}
    for line in (ROOT / "constraints" / name).read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"constraints/{name}: not an exact pin: {line}"
        pins.setdefault(_canonical(requirement.name), []).append(Version(spec.version))
    return pins


@pytest.mark.parametrize("name", ["ci.txt", "lowest.txt"])
def test_every_dependency_is_pinned_within_its_bounds(name):
    # A dependency added, or a bound moved, without regenerating the file would be installed
    # unpinned, or the pin would contradict the bound and pip would refuse to install.
    pins = _pins(name)
    for requirement in DIRECT:
        versions = pins.get(_canonical(requirement.name))
        assert versions, f"constraints/{name} has no pin for {requirement.name}"
        for version in versions:
            assert requirement.specifier.contains(version), f"{requirement} vs {version}"


def test_the_lowest_set_holds_each_direct_dependency_at_its_lower_bound():
    # What .ci/run tests with constraints/lowest.txt is the bound pyproject.toml declares.
    pins = _pins("lowest.txt")
    for requirement in DIRECT:
        (lower,) = [s for s in requirement.specifier if s.operator == ">="]
        assert pins[_canonical(requirement.name)] == [Version(lower.version)], requirement
