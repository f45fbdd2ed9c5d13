"""Reachability never crashes on objects the API server would refuse: every field of a small
real set (Online Boutique's frontend and cart, their Services, a ConfigMap and the cart's
policies) is replaced in turn by a value of each wrong shape, and the analysis, the inferred
connections and the before/after change still run."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import corpus

from kubeplan.model import Resource
from kubeplan.planner.netpol import analyse
from kubeplan.planner.netpol.change import reach_change
from kubeplan.planner.netpol.infer import inferred
from kubeplan.schemas import loader

WRONG_SHAPES: tuple[Any, ...] = ({}, [1], True, "x")
NAMES = {"frontend", "cartservice", "deny-all", "frontend-config"}


def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place below `value`: each mapping value and each list item, at any depth."""
    if isinstance(value, dict):
        items: Iterator[tuple[Any, Any]] = iter(value.items())
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, child in items:
        yield (*path, key)
        yield from paths(child, (*path, key))


def replaced(body: dict[str, Any], path: tuple[Any, ...], wrong: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = copy.deepcopy(wrong)
    return body


@pytest.fixture(scope="module")
def real_set() -> list[Resource]:
    demo = corpus("microservices-demo")
    loaded = loader.load(
        [
            str(demo / "release" / "kubernetes-manifests.yaml"),
            str(demo / "kustomize" / "components" / "network-policies"),
        ]
    ).resources
    chosen = [r for r in loaded if r.name in NAMES and r.kind != "ServiceAccount"]
    config = loader.load_text(
        "frontend-config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: frontend-config}\n"
        "data: {CART: 'cartservice:7070', app.properties: 'cart.host=cartservice'}\n",
    ).resources
    return chosen + config


def test_the_set_is_the_one_described(real_set: list[Resource]) -> None:
    kinds = sorted((r.kind, r.name) for r in real_set)
    assert ("NetworkPolicy", "cartservice") in kinds and ("Service", "frontend") in kinds
    assert ("ConfigMap", "frontend-config") in kinds and len(kinds) >= 7


def test_every_field_of_a_wrong_shape_is_analysed_without_error(real_set: list[Resource]) -> None:
    variants = 0
    for index, resource in enumerate(real_set):
        for path in paths(resource.body):
            for wrong in WRONG_SHAPES:
                body = replaced(resource.body, path, wrong)
                changed = list(real_set)
                changed[index] = dataclasses.replace(resource, body=body, memo={})
                reach = analyse(changed)
                inferred(reach, changed)
                reach_change(real_set, changed)
                variants += 1
    assert variants > 500
