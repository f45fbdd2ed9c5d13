"""A corpus set diffed against the live dump a cluster would return after applying it.

bench/live_dump.py writes, per object, what the API server stores and returns: the defaults,
uid/resourceVersion/managedFields/status, the last-applied annotation (client-side apply) and
what admission and the registry add (a Service's clusterIP, a Pod's token volume). Applying the
same manifests again changes nothing, so `kubeplan diff SET --base DUMP` must report no update
and no create of a named object, in both apply modes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from conftest import ROOT, corpus, kubeplan

SETS = ("microservices-demo/release", "kube-prometheus/manifests")


def _live_dump() -> ModuleType:
    spec = importlib.util.spec_from_file_location("live_dump", ROOT / "bench" / "live_dump.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("server_side", [False, True], ids=["client-side", "server-side"])
@pytest.mark.parametrize("folder", SETS)
def test_a_corpus_set_against_its_own_live_dump_has_no_change(
    tmp_path: Path, folder: str, server_side: bool
) -> None:
    path = str(corpus(*folder.split("/")))
    dump = tmp_path / "live.yaml"
    dump.write_text(yaml.safe_dump(_live_dump().dump([path], server_side), sort_keys=False))
    extra = ["--server-side"] if server_side else []
    run = kubeplan("diff", path, "--base", str(dump), "--format", "json", *extra)
    document = run.json()
    changed = [
        (c["resource"]["kind"], c["resource"]["name"], [f["path"] for f in c["fields"]])
        for c in document["changes"]
        if c["action"] != "unchanged"
    ]
    assert changed == []
    assert not [f for f in document["findings"] if f["rule"] == "apply-conflict"]
    assert document["summary"]["unchanged"] > 20
