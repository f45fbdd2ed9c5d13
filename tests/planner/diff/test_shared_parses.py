"""`diff` parses each distinct document text once across both revisions: same results, own lines."""

from __future__ import annotations

from conftest import corpus

from kubeplan.planner.diff.run import run_diff
from kubeplan.schemas import loader, yamlnodes

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def test_a_shared_document_keeps_the_lines_of_each_file(tmp_path):
    (tmp_path / "a.yaml").write_text(DEPLOYMENT)
    (tmp_path / "b.yaml").write_text("# moved down\n\n\n" + "---\n" + DEPLOYMENT)
    with yamlnodes.shared_parses():
        first = loader.load([str(tmp_path / "a.yaml")]).resources[0]
        second = loader.load([str(tmp_path / "b.yaml")]).resources[0]
    assert second.body is first.body  # parsed once
    image = ("spec", "template", "spec", "containers", 0, "image")
    assert first.position(image) == (12, 11)
    assert second.position(image) == (16, 11)
    assert (first.origin.line, second.origin.line) == (1, 5)


def test_a_broken_document_is_reported_at_each_place_it_appears(tmp_path):
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: [unclosed\n"
    (tmp_path / "a.yaml").write_text(broken)
    (tmp_path / "b.yaml").write_text("\n\n" + broken)
    with yamlnodes.shared_parses():
        lines = [
            finding.line
            for name in ("a.yaml", "b.yaml")
            for finding in loader.load([str(tmp_path / name)]).findings
        ]
    assert lines == [6, 8]


def test_sharing_changes_no_result_of_a_real_revision_diff():
    """microservices-demo v0.10.0 -> v0.10.5 (image bumps; the other objects unchanged)."""
    new = str(corpus("microservices-demo", "revisions", "v0.10.5"))
    base = str(corpus("microservices-demo", "revisions", "v0.10.0"))
    shared = run_diff([new], base, "1.33")
    unshared_new = loader.load([new])
    unshared_base = loader.load([base])
    assert shared.resources == len(unshared_new.resources)
    summary = {(str(c.resource.identity), c.action, len(c.fields)) for c in shared.changes}
    assert len(summary) == len(shared.changes)
    by_identity = {
        (r.origin.file, str(r.identity)): r
        for r in unshared_new.resources + unshared_base.resources
    }
    for change in shared.changes:
        for side in (change.pair.old, change.pair.new):
            if side is not None:
                resource = by_identity[(side.origin.file, str(side.identity))]
                assert side.origin.line == resource.origin.line
                assert side.body == resource.body
    actions = [c.action for c in shared.changes]
    assert (actions.count("update"), actions.count("unchanged")) == (11, 24)
