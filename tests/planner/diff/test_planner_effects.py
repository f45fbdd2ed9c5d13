"""Effects of a field change (`kubeplan/planner/diff/effects/`, `data/effects/*.yaml`).

Each subtle rule has a test named after the Kubernetes source that makes it true; fixtures are
small two-revision manifests, and the corpus revisions (../shared/corpus) check real releases.
"""

from __future__ import annotations

import itertools
from collections import Counter
from functools import cache

import pytest
from conftest import corpus

from kubeplan.model import Resource
from kubeplan.planner.diff.effects import references
from kubeplan.planner.diff.effects import table as effect_table
from kubeplan.planner.diff.effects.classify import ClassifiedChange, classify
from kubeplan.planner.diff.effects.consumers import consumers
from kubeplan.planner.diff.effects.table import EFFECTS
from kubeplan.planner.diff.pairing import pair
from kubeplan.schemas import loader


def load(text: str, name: str = "manifest.yaml") -> list[Resource]:
    result = loader.load_text(name, text)
    assert not [f for f in result.findings if f.severity == "error"], result.findings
    return result.resources


def classified(
    old: str,
    new: str,
    new_extra: str = "",
    base_extra: str = "",
    version: str = "1.33",
) -> dict[str, ClassifiedChange]:
    """The classified changes of the single object in `old`/`new`, by short label. `new_extra`
    and `base_extra` are more documents of each revision (consumers, autoscalers, ...)."""
    base = load(old) + (load(base_extra, "base-extra.yaml") if base_extra else [])
    revision = load(new) + (load(new_extra, "new-extra.yaml") if new_extra else [])
    (target,) = [p for p in pair(base[:1], revision[:1])]
    out = {c.label: c for c in classify(target, revision, base, version)}
    assert out, "no change"
    return out


def effect_of(old: str, new: str, label: str, **kwargs: str) -> ClassifiedChange:
    changes = classified(old, new, **kwargs)
    assert label in changes, sorted(changes)
    return changes[label]


def deployment(
    image: str = "nginx:1.27",
    replicas: int = 3,
    extra_spec: str = "",
    template_meta: str = "",
    pod_extra: str = "",
    container_extra: str = "",
    meta: str = "",
    selector: str = "{app: web}",
) -> str:
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
{meta}spec:
  replicas: {replicas}
  selector:
    matchLabels: {selector}
{extra_spec}  template:
    metadata:
      labels: {{app: web}}
{template_meta}    spec:
{pod_extra}      containers:
        - name: web
          image: {image}
{container_extra}"""


# ---------------------------------------------------------------------------------------------
# The tables themselves


def test_every_table_loads_and_every_row_cites_a_source() -> None:
    tables = effect_table.tables()
    assert {t.file for t in tables} >= {
        "apps.yaml",
        "batch.yaml",
        "network.yaml",
        "storage.yaml",
        "config.yaml",
        "rbac.yaml",
        "pod.yaml",
        "common.yaml",
    }
    for table in tables:
        for row in table.rows:
            assert row.effect in EFFECTS
            assert row.source.strip(), (table.file, row.index)
            assert row.reason.strip() and "\n" not in row.reason
    assert effect_table.row_count() == sum(len(t.rows) for t in tables)


def test_a_kind_has_one_table_and_common_rows_come_last() -> None:
    rows = effect_table.rows_for("apps", "Deployment")
    assert rows is not None
    assert rows[-1].family == "common"
    assert rows[0].family == "workloads"
    # extensions/v1beta1 Deployments are paired (and classified) as apps
    assert effect_table.rows_for("extensions", "Deployment") == rows
    assert effect_table.rows_for("monitoring.coreos.com", "Prometheus") is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"path": "a", "effect": "explodes", "reason": "r", "source": "s"}, "effect"),
        ({"path": "a", "effect": "scale", "reason": "{nope}", "source": "s"}, "unknown fact"),
        (
            {"path": "a", "effect": "scale", "reason": "r", "source": "s", "when": {"check": "x"}},
            "unknown check",
        ),
        ({"path": "a", "effect": "scale", "reason": "r"}, "source"),
        (
            {"path": "a", "effect": "scale", "reason": "r", "source": "s", "kinds": ["Pod"]},
            "not in the file",
        ),
        (
            {"path": "a", "effect": "scale", "reason": "r", "source": "s", "when": {"x": 1}},
            "when",
        ),
    ],
)
def test_a_bad_row_is_refused_when_the_tables_load(row: dict, message: str) -> None:
    raw = {"family": "t", "kinds": [{"group": "apps", "kind": "Deployment"}], "rows": [row]}
    with pytest.raises(ValueError, match=message):
        effect_table._parse_table("t.yaml", raw)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("spec.template.**", ("spec", "template"), True),
        ("spec.template.**", ("spec", "template", "spec", "containers", 0, "image"), True),
        ("spec.template.**", ("spec", "templates"), False),
        ("spec.containers.*.image", ("spec", "containers", 1, "image"), True),
        ("spec.containers.*.image", ("spec", "containers", 1), False),
        ("spec.replicas", ("spec", "replicas", "x"), False),
        ("metadata.annotations.*", ("metadata", "annotations", "a.b/c"), True),
        ("**", (), True),
    ],
)
def test_path_patterns(pattern: str, path: tuple, matches: bool) -> None:
    assert effect_table._match(tuple(pattern.split(".")), path, 0, 0) is matches


def test_only_updates_are_classified() -> None:
    old, new = load(deployment()), load(deployment(image="nginx:1.28"))
    other = load(deployment().replace("name: web\n", "name: api\n", 1))
    pairs = {p.action: p for p in pair(old + other, new)}
    assert set(pairs) == {"update", "delete"}
    assert classify(pairs["delete"], new, old, "1.33") == []
    created = pair([], new)[0]
    assert created.action == "create" and classify(created, new, [], "1.33") == []
    same = pair(old, load(deployment()))[0]
    assert same.action == "unchanged" and classify(same, new, old, "1.33") == []


def test_a_kind_without_a_table_is_unknown_even_for_its_labels() -> None:
    old = """\
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring, labels: {v: "1"}}
spec: {replicas: 2, version: 2.50.0}
"""
    new = old.replace('v: "1"', 'v: "2"').replace("2.50.0", "2.51.0")
    changes = classified(old, new)
    assert {c.effect for c in changes.values()} == {"unknown"}
    assert changes["spec.version"].reason == (
        "kubeplan has no table for Prometheus; stated as unknown, not guessed"
    )


# ---------------------------------------------------------------------------------------------
# Deployment


def test_deployment_template_change_rolls_FindNewReplicaSet_EqualIgnoreHash() -> None:
    change = effect_of(deployment(), deployment(image="nginx:1.28"), "containers[web].image")
    assert change.effect == "rollout"
    assert (change.old, change.new, change.kind) == ("nginx:1.27", "nginx:1.28", "changed")
    assert change.path == ("spec", "template", "spec", "containers", 0, "image")
    assert "creates a new ReplicaSet" in change.reason
    assert "maxSurge 25%, maxUnavailable 25%" in change.reason
    assert "deployment_util.go" in change.source


def test_deployment_template_labels_and_annotations_roll_too() -> None:
    """`kubectl rollout restart` is a template annotation: it rolls (rollouts.md §2.1)."""
    before = "      annotations: {team: shop}\n"
    after = (
        "      annotations:\n"
        "        {team: shop, kubectl.kubernetes.io/restartedAt: '2026-01-01T00:00:00Z'}\n"
    )
    changes = classified(deployment(template_meta=before), deployment(template_meta=after))
    (annotation,) = changes.values()
    assert annotation.label == (
        'spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]'
    )
    assert (annotation.kind, annotation.effect) == ("added", "rollout")


def test_deployment_replicas_scale() -> None:
    change = effect_of(deployment(), deployment(replicas=5), "spec.replicas")
    assert (change.effect, change.old, change.new) == ("scale", 3, 5)
    assert "replicas 3 -> 5" in change.reason


def test_deployment_replicas_under_an_hpa_say_who_manages_them() -> None:
    hpa = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web-hpa, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
"""
    change = effect_of(deployment(), deployment(replicas=5), "spec.replicas", new_extra=hpa)
    assert change.effect == "scale"
    assert "HorizontalPodAutoscaler web-hpa manages them" in change.reason


def test_two_hpas_on_one_deployment_name_the_first_as_lint_does() -> None:
    """The HPA controller scales with neither (AmbiguousSelector, podautoscaler/horizontal.go);
    diff, plan and lint name the same one, the first in input order (kube/autoscaling.py)."""
    hpas = "".join(
        f"""\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: {name}, namespace: shop}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  maxReplicas: 10
"""
        for name in ("first-hpa", "second-hpa")
    )
    change = effect_of(deployment(), deployment(replicas=5), "spec.replicas", new_extra=hpas)
    assert "HorizontalPodAutoscaler first-hpa manages them" in change.reason


def test_deployment_selector_is_immutable_registry_strategy_ValidateUpdate() -> None:
    old = deployment()
    new = deployment(selector="{app: web, tier: front}").replace(
        "labels: {app: web}\n    spec", "labels: {app: web, tier: front}\n    spec"
    )
    changes = classified(old, new)
    selector = changes["spec.selector.matchLabels.tier"]
    assert selector.effect == "immutable"
    assert "field is immutable" in selector.reason
    assert selector.source.startswith("pkg/registry/apps/deployment/strategy.go")
    assert changes["spec.template.metadata.labels.tier"].effect == "rollout"


@pytest.mark.parametrize(
    ("extra", "label"),
    [
        ("  minReadySeconds: 10\n", "spec.minReadySeconds"),
        ("  revisionHistoryLimit: 3\n", "spec.revisionHistoryLimit"),
        ("  progressDeadlineSeconds: 60\n", "spec.progressDeadlineSeconds"),
        (
            "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}\n",
            "spec.strategy.rollingUpdate.maxSurge",
        ),
    ],
)
def test_deployment_rollout_knobs_are_not_rollout_triggers(extra: str, label: str) -> None:
    change = effect_of(deployment(), deployment(extra_spec=extra), label)
    assert change.effect == "no-pod-effect"


def test_paused_deployment_template_change_is_staged_checkPausedConditions() -> None:
    old = deployment()
    new = deployment(image="nginx:1.28", extra_spec="  paused: true\n")
    changes = classified(old, new)
    assert changes["containers[web].image"].effect == "staged"
    assert "paused: nothing rolls until resumed" in changes["containers[web].image"].reason
    assert changes["spec.paused"].effect == "no-pod-effect"


def test_resuming_and_changing_the_template_in_one_apply_rolls() -> None:
    old = deployment(extra_spec="  paused: true\n")
    new = deployment(image="nginx:1.28")
    changes = classified(old, new)
    assert changes["containers[web].image"].effect == "rollout"
    assert "resumes" in changes["spec.paused"].reason


def test_recreate_strategy_template_change_recreates_rolloutRecreate() -> None:
    recreate = "  strategy: {type: Recreate}\n"
    change = effect_of(
        deployment(extra_spec=recreate),
        deployment(image="nginx:1.28", extra_spec=recreate),
        "containers[web].image",
    )
    assert change.effect == "recreate"
    assert "recreate.go" in change.source


def test_deployment_annotations_are_copied_to_the_replicaset_not_rolled() -> None:
    meta = "  annotations: {team: payments}\n"
    change = effect_of(deployment(), deployment(meta=meta), "metadata.annotations")
    assert change.effect == "no-pod-effect"
    assert "copied onto the current ReplicaSet" in change.reason


def test_deployment_labels_outside_the_template_have_no_pod_effect() -> None:
    meta = "  labels: {app: web}\n"
    change = effect_of(deployment(), deployment(meta=meta), "metadata.labels")
    assert change.effect == "no-pod-effect"
    assert "outside any pod template" in change.reason


def test_kustomize_configmap_generator_rename_rolls_and_says_which_configmap() -> None:
    def with_config(name: str) -> str:
        pod = f"      volumes:\n        - name: config\n          configMap: {{name: {name}}}\n"
        env = f"          envFrom:\n            - configMapRef: {{name: {name}}}\n"
        return deployment(pod_extra=pod, container_extra=env)

    changes = classified(with_config("app-config-7h2kf5"), with_config("app-config-9m4t8b"))
    volume = changes["volumes[config].configMap.name"]
    assert volume.effect == "rollout"
    assert volume.reason.endswith(
        "; references ConfigMap app-config-9m4t8b instead of app-config-7h2kf5"
    )
    env_from = changes["containers[web].envFrom"]  # an atomic list: compared whole
    assert env_from.effect == "rollout"
    assert "references ConfigMap app-config-9m4t8b instead of app-config-7h2kf5" in env_from.reason


def test_reference_note_for_secrets_and_added_references() -> None:
    note = references.reference_note
    from kubeplan.planner.diff.fielddiff import FieldChange

    swap = FieldChange(
        ("spec", "volumes", 0, "secret", "secretName"), "tls-a", "tls-b", "changed", ""
    )
    assert note(swap) == "references Secret tls-b instead of tls-a"
    added = FieldChange(
        ("spec", "containers", 0, "env", 2),
        None,
        {"name": "K", "valueFrom": {"secretKeyRef": {"name": "api-key", "key": "k"}}},
        "added",
        "",
    )
    assert note(added) == "now references Secret api-key"
    assert note(FieldChange(("spec", "replicas"), 1, 2, "changed", "")) == ""


# ---------------------------------------------------------------------------------------------
# StatefulSet


def statefulset(
    image: str = "postgres:16",
    replicas: int = 5,
    strategy: str = "",
    extra: str = "",
    service: str = "db",
) -> str:
    return f"""\
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: data}}
spec:
  serviceName: {service}
  replicas: {replicas}
  selector: {{matchLabels: {{app: db}}}}
{strategy}{extra}  template:
    metadata: {{labels: {{app: db}}}}
    spec:
      containers:
        - {{name: db, image: "{image}"}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 10Gi}}}}
"""


def test_statefulset_serviceName_is_forbidden_validateStatefulSetUpdate() -> None:
    change = effect_of(statefulset(), statefulset(service="db-headless"), "spec.serviceName")
    assert change.effect == "immutable"
    assert change.reason.startswith(
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas',"
        " 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and"
        " 'minReadySeconds' are forbidden"
    )
    assert "ValidateStatefulSetUpdate" in change.source


def test_statefulset_volumeClaimTemplates_and_podManagementPolicy_are_forbidden() -> None:
    new = statefulset(extra="  podManagementPolicy: Parallel\n").replace("10Gi", "20Gi")
    changes = classified(statefulset(), new)
    assert changes["spec.podManagementPolicy"].effect == "immutable"
    (claim,) = [c for label, c in changes.items() if label.startswith("spec.volumeClaimTemplates")]
    assert claim.effect == "immutable"


def test_statefulset_revisionHistoryLimit_is_immutable_and_says_it_is_version_dependent() -> None:
    change = effect_of(
        statefulset(), statefulset(extra="  revisionHistoryLimit: 3\n"), "spec.revisionHistoryLimit"
    )
    assert change.effect == "immutable"
    assert "version-dependent" in change.reason
    assert "revisionHistoryLimit" in change.reason


def test_statefulset_template_change_rolls_from_the_highest_ordinal() -> None:
    change = effect_of(statefulset(), statefulset(image="postgres:17"), "containers[db].image")
    assert change.effect == "rollout"
    assert "pods db-0..db-4" in change.reason


def test_statefulset_partition_stages_and_names_ordinals_newVersionedStatefulSetPod() -> None:
    partition = "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 3}}\n"
    change = effect_of(
        statefulset(strategy=partition),
        statefulset(image="postgres:17", strategy=partition),
        "containers[db].image",
    )
    assert change.effect == "staged"
    assert "partition 3 of 5 replicas" in change.reason
    assert "pods db-3 and db-4 take the new template now" in change.reason
    assert "pods db-0..db-2 keep the current revision" in change.reason


def test_statefulset_partition_counts_from_the_start_ordinal() -> None:
    strategy = (
        "  ordinals: {start: 10}\n"
        "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 4}}\n"
    )
    change = effect_of(
        statefulset(strategy=strategy),
        statefulset(image="postgres:17", strategy=strategy),
        "containers[db].image",
    )
    assert "pod db-14 take" in change.reason
    assert "pods db-10..db-13 keep" in change.reason


def test_statefulset_partition_above_replicas_updates_no_pod() -> None:
    partition = "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 9}}\n"
    change = effect_of(
        statefulset(strategy=partition),
        statefulset(image="postgres:17", strategy=partition),
        "containers[db].image",
    )
    assert change.effect == "staged"
    assert "no pod take the new template now" in change.reason


def test_statefulset_on_delete_stages_updateStatefulSet() -> None:
    on_delete = "  updateStrategy: {type: OnDelete}\n"
    change = effect_of(
        statefulset(strategy=on_delete),
        statefulset(image="postgres:17", strategy=on_delete),
        "containers[db].image",
    )
    assert change.effect == "staged"
    assert "pods take the new template only when deleted" in change.reason


def test_statefulset_allowed_fields() -> None:
    extra = (
        "  minReadySeconds: 5\n"
        "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}\n"
        "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}\n"
    )
    changes = classified(statefulset(), statefulset(replicas=7, extra=extra))
    assert changes["spec.replicas"].effect == "scale"
    assert changes["spec.minReadySeconds"].effect == "no-pod-effect"
    assert changes["spec.persistentVolumeClaimRetentionPolicy.whenDeleted"].effect == (
        "no-pod-effect"
    )
    assert changes["spec.updateStrategy.rollingUpdate.partition"].effect == "no-pod-effect"


# ---------------------------------------------------------------------------------------------
# DaemonSet, ReplicaSet, ReplicationController


def daemonset(
    image: str = "fluent-bit:3.0", strategy: str = "", labels: str = "{app: logs}"
) -> str:
    return f"""\
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: logs, namespace: kube-system}}
spec:
  selector: {{matchLabels: {labels}}}
{strategy}  template:
    metadata: {{labels: {labels}}}
    spec:
      containers: [{{name: logs, image: "{image}"}}]
"""


def test_daemonset_template_rolls_node_by_node() -> None:
    change = effect_of(daemonset(), daemonset(image="fluent-bit:3.1"), "containers[logs].image")
    assert change.effect == "rollout"
    assert "maxSurge 0, maxUnavailable 1" in change.reason  # SetDefaults_DaemonSet


def test_daemonset_on_delete_stages_daemon_update_go() -> None:
    on_delete = "  updateStrategy: {type: OnDelete}\n"
    change = effect_of(
        daemonset(strategy=on_delete),
        daemonset(image="fluent-bit:3.1", strategy=on_delete),
        "containers[logs].image",
    )
    assert change.effect == "staged"


def test_daemonset_selector_is_immutable_registry_strategy() -> None:
    changes = classified(daemonset(), daemonset(labels="{app: logs, tier: node}"))
    assert changes["spec.selector.matchLabels.tier"].effect == "immutable"
    assert "daemonset/strategy.go" in changes["spec.selector.matchLabels.tier"].source


REPLICASET = """\
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-5d4f, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""


def test_replicaset_template_change_is_staged_existing_pods_are_not_replaced() -> None:
    change = effect_of(REPLICASET, REPLICASET.replace("1.27", "1.28"), "containers[web].image")
    assert change.effect == "staged"
    assert "existing pods are not replaced" in change.reason
    scale = effect_of(REPLICASET, REPLICASET.replace("replicas: 2", "replicas: 4"), "spec.replicas")
    assert scale.effect == "scale"


def test_replication_controller_selector_is_mutable_ValidateReplicationControllerUpdate() -> None:
    rc = """\
apiVersion: v1
kind: ReplicationController
metadata: {name: redis, namespace: default}
spec:
  replicas: 1
  selector: {app: redis}
  template:
    metadata: {labels: {app: redis}}
    spec:
      containers: [{name: redis, image: "redis:7"}]
"""
    new = rc.replace("{app: redis}", "{app: redis, v: '2'}")
    changes = classified(rc, new)
    assert changes["spec.selector.v"].effect == "scale"
    assert changes["spec.template.metadata.labels.v"].effect == "staged"


# ---------------------------------------------------------------------------------------------
# Job and CronJob


def job(
    image: str = "busybox:1.36",
    spec_extra: str = "",
    pod_extra: str = "",
    status: str = "",
    meta_extra: str = "",
) -> str:
    return f"""\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
  namespace: shop
{meta_extra}spec:
{spec_extra}  template:
    spec:
      restartPolicy: Never
{pod_extra}      containers: [{{name: migrate, image: "{image}"}}]
{status}"""


def test_job_template_is_immutable_ValidateJobSpecUpdate() -> None:
    change = effect_of(job(), job(image="busybox:1.37"), "containers[migrate].image")
    assert change.effect == "immutable"
    assert "spec.template: Invalid value: ...: field is immutable" in change.reason
    assert "validatePodTemplateUpdate" in change.source


def test_suspended_job_may_change_scheduling_directives_validatePodTemplateUpdate() -> None:
    suspended = "  suspend: true\n"
    node_selector = "      nodeSelector: {pool: batch}\n"
    changes = classified(
        job(spec_extra=suspended),
        job(spec_extra=suspended, pod_extra=node_selector, image="busybox:1.37"),
    )
    assert changes["nodeSelector"].effect == "staged"
    assert "suspended and has never started" in changes["nodeSelector"].reason
    assert changes["containers[migrate].image"].effect == "immutable"


def test_suspended_job_that_already_started_cannot_change_its_template_job_strategy() -> None:
    live = "  uid: 1b2c\n  resourceVersion: '42'\n"
    status = "status:\n  startTime: '2026-01-01T00:00:00Z'\n"
    base = job(spec_extra="  suspend: true\n", meta_extra=live, status=status)
    new = job(spec_extra="  suspend: true\n", pod_extra="      nodeSelector: {pool: batch}\n")
    assert effect_of(base, new, "nodeSelector").effect == "immutable"


def test_job_completions_immutable_except_elastic_indexed_tandem_validateCompletions() -> None:
    indexed = "  completionMode: Indexed\n"
    old = job(spec_extra=indexed + "  completions: 4\n  parallelism: 4\n")
    tandem = job(spec_extra=indexed + "  completions: 6\n  parallelism: 6\n")
    alone = job(spec_extra=indexed + "  completions: 6\n  parallelism: 4\n")
    assert effect_of(old, tandem, "spec.completions").effect == "scale"
    assert effect_of(old, tandem, "spec.parallelism").effect == "scale"
    assert effect_of(old, alone, "spec.completions").effect == "immutable"
    # ElasticIndexedJob is beta (on) from 1.27 (KEP-3715)
    assert effect_of(old, tandem, "spec.completions", version="1.26").effect == "immutable"
    plain_old = job(spec_extra="  completions: 4\n  parallelism: 4\n")
    plain_new = job(spec_extra="  completions: 6\n  parallelism: 6\n")
    assert effect_of(plain_old, plain_new, "spec.completions").effect == "immutable"


@pytest.mark.parametrize(
    ("old_extra", "new_extra", "label", "effect"),
    [
        ("", "  parallelism: 3\n", "spec.parallelism", "scale"),
        ("", "  backoffLimit: 2\n", "spec.backoffLimit", "no-pod-effect"),
        ("", "  activeDeadlineSeconds: 600\n", "spec.activeDeadlineSeconds", "no-pod-effect"),
        ("", "  ttlSecondsAfterFinished: 60\n", "spec.ttlSecondsAfterFinished", "no-pod-effect"),
        ("", "  suspend: true\n", "spec.suspend", "scale"),
        ("", "  completionMode: Indexed\n  completions: 1\n", "spec.completionMode", "immutable"),
        (
            "",
            "  podFailurePolicy:\n"
            "    {rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}\n",
            "spec.podFailurePolicy",
            "immutable",
        ),
    ],
)
def test_job_spec_fields(old_extra: str, new_extra: str, label: str, effect: str) -> None:
    assert effect_of(job(spec_extra=old_extra), job(spec_extra=new_extra), label).effect == effect


def test_suspending_a_job_deletes_its_active_pods() -> None:
    change = effect_of(job(), job(spec_extra="  suspend: true\n"), "spec.suspend")
    assert "deletes its active pods" in change.reason


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: shop}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: report, image: "report:1"}]
"""


def test_cronjob_job_template_change_affects_the_next_job_only() -> None:
    new = CRONJOB.replace("report:1", "report:2").replace("0 * * * *", "30 * * * *")
    changes = classified(CRONJOB, new)
    image = changes["containers[report].image"]
    assert image.effect == "no-pod-effect"
    assert image.reason.startswith("affects the next Job only")
    assert changes["spec.schedule"].effect == "no-pod-effect"


# ---------------------------------------------------------------------------------------------
# Service


def service(spec: str, name: str = "web") -> str:
    return f"""\
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 8080}}]
{spec}"""


def test_service_clusterIP_may_not_change_once_set_ValidateServiceUpdate() -> None:
    old = service("  clusterIP: 10.96.0.10\n  clusterIPs: [10.96.0.10]\n")
    new = service("  clusterIP: 10.96.0.11\n  clusterIPs: [10.96.0.11]\n")
    changes = classified(old, new)
    assert changes["spec.clusterIP"].effect == "immutable"
    assert changes["spec.clusterIP"].reason.endswith("may not change once set")
    assert changes["spec.clusterIPs"].effect == "immutable"


def test_service_headless_to_clusterip_is_a_change() -> None:
    change = effect_of(
        service("  clusterIP: None\n"), service("  clusterIP: 10.96.0.11\n"), "spec.clusterIP"
    )
    assert change.effect == "immutable"


def test_service_omitted_clusterIP_is_kept_patchAllocatedValues() -> None:
    change = effect_of(service("  clusterIP: 10.96.0.10\n"), service(""), "spec.clusterIP")
    assert (change.kind, change.effect) == ("removed", "no-pod-effect")


def test_service_clusterIP_written_out_later_is_rejected_unless_it_is_the_allocated_one() -> None:
    change = effect_of(service(""), service("  clusterIP: None\n"), "spec.clusterIP")
    assert change.effect == "immutable"
    assert "already has a cluster IP allocated" in change.reason


def test_service_cluster_ip_checks_skip_external_name() -> None:
    old = service("  clusterIP: 10.96.0.10\n")
    new = service("  type: ExternalName\n  externalName: db.example.com\n")
    changes = classified(old, new)
    assert changes["spec.clusterIP"].effect == "no-pod-effect"
    assert "CNAME to db.example.com" in changes["spec.type"].reason


def test_service_dual_stack_upgrade_is_allowed_validateUpgradeDowngradeClusterIPs() -> None:
    old = service("  clusterIPs: [10.96.0.10]\n  ipFamilies: [IPv4]\n")
    new = service(
        "  ipFamilyPolicy: PreferDualStack\n  clusterIPs: [10.96.0.10, 'fd00::10']\n"
        "  ipFamilies: [IPv4, IPv6]\n"
    )
    changes = classified(old, new)
    assert changes["spec.clusterIPs"].effect == "no-pod-effect"
    assert changes["spec.ipFamilies"].effect == "no-pod-effect"
    primary = service("  clusterIPs: [10.96.0.99, 'fd00::10']\n  ipFamilies: [IPv4, IPv6]\n")
    assert effect_of(old, primary, "spec.clusterIPs").effect == "immutable"


def test_service_type_changes_name_their_consequences() -> None:
    node_port = service("  type: NodePort\n")
    balancer = service("  type: LoadBalancer\n")
    cluster_ip = service("  type: ClusterIP\n")
    leaving_node_port = effect_of(node_port, cluster_ip, "spec.type")
    assert leaving_node_port.effect == "no-pod-effect"
    assert "node ports are released" in leaving_node_port.reason
    leaving_balancer = effect_of(balancer, cluster_ip, "spec.type")
    assert "load balancer is deleted and its external address released" in leaving_balancer.reason
    assert "node ports are released" in leaving_balancer.reason
    to_balancer = effect_of(cluster_ip, balancer, "spec.type")
    assert "new external address" in to_balancer.reason
    assert "node ports are allocated" in to_balancer.reason


def test_service_loadBalancerClass_is_immutable_while_LoadBalancer() -> None:
    old = service("  type: LoadBalancer\n  loadBalancerClass: a.example/lb\n")
    new = service("  type: LoadBalancer\n  loadBalancerClass: b.example/lb\n")
    assert effect_of(old, new, "spec.loadBalancerClass").effect == "immutable"
    from_cluster_ip = effect_of(service(""), new, "spec.loadBalancerClass")
    assert from_cluster_ip.effect == "no-pod-effect"


def test_service_selector_and_ports_reroute_traffic() -> None:
    new = service("").replace("{app: web}", "{app: web-v2}").replace("8080", "9090")
    changes = classified(service(""), new)
    assert changes["spec.selector.app"].effect == "no-pod-effect"
    assert "re-routed" in changes["spec.selector.app"].reason
    port = changes["spec.ports[80/TCP].targetPort"]
    assert port.effect == "no-pod-effect" and "re-routed" in port.reason


# ---------------------------------------------------------------------------------------------
# PersistentVolumeClaim and StorageClass


def pvc(storage: str = "10Gi", extra: str = "", access: str = "ReadWriteOnce") -> str:
    return f"""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: data, namespace: shop}}
spec:
  accessModes: [{access}]
  storageClassName: fast
  resources: {{requests: {{storage: {storage}}}}}
{extra}"""


def storage_class(expand: str) -> str:
    return f"""\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {{name: fast}}
provisioner: ebs.csi.aws.com
{expand}"""


def test_pvc_storage_may_grow_ValidatePersistentVolumeClaimUpdate() -> None:
    change = effect_of(pvc(), pvc("20Gi"), "spec.resources.requests.storage")
    assert change.effect == "no-pod-effect"
    assert "expanded in place" in change.reason


def test_pvc_storage_may_not_shrink_ValidateStorageRequest() -> None:
    change = effect_of(pvc("10Gi"), pvc("5Gi"), "spec.resources.requests.storage")
    assert change.effect == "immutable"
    assert "can not be less than previous value" in change.reason


def test_pvc_equal_quantities_are_not_a_change() -> None:
    assert pair(load(pvc("1Gi")), load(pvc("1024Mi")))[0].action == "unchanged"


def test_pvc_growth_needs_allowVolumeExpansion_PersistentVolumeClaimResize() -> None:
    change = effect_of(
        pvc(),
        pvc("20Gi"),
        "spec.resources.requests.storage",
        new_extra=storage_class("allowVolumeExpansion: false\n"),
    )
    assert change.effect == "immutable"
    assert "StorageClass fast" in change.reason
    allowed = effect_of(
        pvc(),
        pvc("20Gi"),
        "spec.resources.requests.storage",
        new_extra=storage_class("allowVolumeExpansion: true\n"),
    )
    assert allowed.effect == "no-pod-effect"


def test_pvc_class_access_modes_and_volume_mode_are_immutable() -> None:
    new = pvc(access="ReadWriteMany", extra="  volumeMode: Block\n").replace("fast", "slow")
    changes = classified(pvc(), new)
    for label in ("spec.storageClassName", "spec.accessModes", "spec.volumeMode"):
        assert changes[label].effect == "immutable", label
        assert changes[label].reason.startswith("spec: Forbidden: spec is immutable after creation")


def test_pvc_volume_attributes_class_is_mutable() -> None:
    old, new = pvc(), pvc(extra="  volumeAttributesClassName: gold\n")
    change = effect_of(old, new, "spec.volumeAttributesClassName", version="1.34")
    assert change.effect == "no-pod-effect"
    # VolumeAttributesClass is off by default before 1.34 (GA): the update is forbidden
    change = effect_of(old, new, "spec.volumeAttributesClassName", version="1.33")
    assert change.effect == "immutable"


def test_storageclass_parameters_are_forbidden_ValidateStorageClassUpdate() -> None:
    old = storage_class("parameters: {type: gp2}\n")
    new = storage_class(
        "parameters: {type: gp3}\nreclaimPolicy: Delete\nallowVolumeExpansion: true\n"
    )
    changes = classified(old, new)
    assert changes["parameters.type"].effect == "immutable"
    assert changes["reclaimPolicy"].effect == "no-pod-effect"  # the default, written out
    assert changes["allowVolumeExpansion"].effect == "no-pod-effect"
    retain = effect_of(
        old, storage_class("parameters: {type: gp2}\nreclaimPolicy: Retain\n"), "reclaimPolicy"
    )
    assert retain.effect == "immutable"


# ---------------------------------------------------------------------------------------------
# ConfigMap / Secret and their consumers


def configmap(data: str = "{a: '1', b: '2'}", extra: str = "", name: str = "app-config") -> str:
    return f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: {name}, namespace: shop}}
data: {data}
{extra}"""


CONSUMER = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      imagePullSecrets: [{name: registry}]
      volumes:
        - {name: config, configMap: {name: app-config}}
        - {name: one-file, configMap: {name: app-config, items: [{key: b, path: b.conf}]}}
        - name: bundle
          projected:
            sources:
              - configMap: {name: app-config}
              - secret: {name: tls}
      containers:
        - name: web
          image: nginx:1.27
          envFrom: [{configMapRef: {name: app-config}}]
          env:
            - name: A_VALUE
              valueFrom: {configMapKeyRef: {name: app-config, key: a}}
          volumeMounts:
            - {name: config, mountPath: /etc/app}
            - {name: one-file, mountPath: /etc/b.conf, subPath: b.conf}
            - {name: bundle, mountPath: /etc/bundle}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: other}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: web, image: nginx:1.27, envFrom: [{configMapRef: {name: app-config}}]}
"""


def test_consumers_name_every_way_a_workload_reads_a_configmap() -> None:
    (config,) = load(configmap())
    workloads = load(CONSUMER, "deploy.yaml")
    found = consumers(config, workloads)
    assert {c.workload.namespace for c in found} == {"shop"}
    assert [c.how for c in found] == [
        "volume config at /etc/app in container web (files updated by the kubelet, eventually)",
        "volume one-file at /etc/b.conf in container web (subPath mount: never updated)",
        "projected volume bundle at /etc/bundle in container web"
        " (files updated by the kubelet, eventually)",
        "envFrom in container web (never updated)",
        "env A_VALUE in container web (never updated)",
    ]


def test_consumers_of_a_secret() -> None:
    secrets = load(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: tls, namespace: shop}\n---\n"
        "apiVersion: v1\nkind: Secret\nmetadata: {name: registry, namespace: shop}\n"
    )
    workloads = load(CONSUMER, "deploy.yaml")
    assert [c.how for c in consumers(secrets[0], workloads)] == [
        "projected volume bundle at /etc/bundle in container web"
        " (files updated by the kubelet, eventually)"
    ]
    assert [c.how for c in consumers(secrets[1], workloads)] == [
        "imagePullSecrets (read at the next image pull)"
    ]
    (service_doc,) = load(service(""))
    assert consumers(service_doc, workloads) == []


def test_configmap_data_change_is_not_reloaded_configmap_docs() -> None:
    change = effect_of(
        configmap(),
        configmap("{a: '1', b: '3'}"),
        "data.b",
        new_extra=CONSUMER,
        base_extra=CONSUMER,
    )
    assert change.effect == "config-not-reloaded"
    assert change.reason.startswith("running pods are not restarted: Deployment web via ")
    # key b is projected by `config`, `one-file` (subPath), `bundle` and envFrom; not by env A_VALUE
    assert "subPath mount: never updated" in change.reason
    assert "envFrom in container web (never updated)" in change.reason
    assert "A_VALUE" not in change.reason
    assert "configmap.md" in change.source


def test_configmap_key_nobody_reads_has_no_pod_effect() -> None:
    only_env = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env: [{name: A, valueFrom: {configMapKeyRef: {name: app-config, key: a}}}]
"""
    kwargs = {"new_extra": only_env, "base_extra": only_env}
    unread = effect_of(configmap(), configmap("{a: '1', b: '3'}"), "data.b", **kwargs)
    assert unread.effect == "no-pod-effect"
    assert "no workload in this revision consumes this key" in unread.reason
    read = effect_of(configmap(), configmap("{a: '9', b: '2'}"), "data.a", **kwargs)
    assert read.effect == "config-not-reloaded"
    assert "env A in container web (never updated)" in read.reason


def test_configmap_consumers_that_roll_in_the_same_change_read_the_new_data() -> None:
    rolled = CONSUMER.replace(
        "image: nginx:1.27\n          envFrom", "image: nginx:1.28\n          envFrom"
    )
    change = effect_of(
        configmap(), configmap("{a: '1', b: '3'}"), "data.b", new_extra=rolled, base_extra=CONSUMER
    )
    assert change.effect == "no-pod-effect"
    assert change.reason.endswith("new pods start with the new data: Deployment web")


def test_a_paused_consumer_does_not_roll_so_the_data_is_not_reloaded() -> None:
    paused = CONSUMER.replace(
        "image: nginx:1.27\n          envFrom", "image: nginx:1.28\n          envFrom"
    )
    paused = paused.replace("spec:\n  selector", "spec:\n  paused: true\n  selector", 1)
    change = effect_of(
        configmap(), configmap("{a: '1', b: '3'}"), "data.b", new_extra=paused, base_extra=CONSUMER
    )
    assert change.effect == "config-not-reloaded"


def test_immutable_configmap_data_cannot_change_ValidateConfigMapUpdate() -> None:
    frozen = "immutable: true\n"
    change = effect_of(configmap(extra=frozen), configmap("{a: '2', b: '2'}", frozen), "data.a")
    assert change.effect == "immutable"
    assert "field is immutable when `immutable` is set" in change.reason
    unset = effect_of(configmap(extra=frozen), configmap(), "immutable")
    assert unset.effect == "immutable"
    setting = effect_of(configmap(), configmap(extra=frozen), "immutable")
    assert setting.effect == "no-pod-effect"


def test_secret_type_is_immutable_ValidateSecretUpdate() -> None:
    old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\nstringData: {k: v}\n"
    new = old + "type: kubernetes.io/basic-auth\n"
    change = effect_of(old, new, "type")
    assert (change.effect, change.old, change.new) == (
        "immutable",
        "Opaque",
        "kubernetes.io/basic-auth",
    )


# ---------------------------------------------------------------------------------------------
# RBAC


def test_rolebinding_roleRef_cannot_change_ValidateRoleBindingUpdate() -> None:
    binding = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: read, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: web, namespace: shop}]
"""
    new = binding.replace("name: reader", "name: editor").replace("name: web", "name: api")
    changes = classified(binding, new)
    assert changes["roleRef.name"].effect == "immutable"
    assert "cannot change roleRef" in changes["roleRef.name"].reason
    assert changes["subjects"].effect == "no-pod-effect"


def test_role_rules_change_permissions_without_touching_pods() -> None:
    role = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
"""
    change = effect_of(role, role.replace("[get]", "[get, list]"), "rules")
    assert change.effect == "no-pod-effect"


# ---------------------------------------------------------------------------------------------
# Pod


def pod(image: str = "nginx:1.27", extra: str = "", port: int = 80, tolerations: str = "") -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata: {{name: debug, namespace: shop}}
spec:
{extra}{tolerations}  containers:
    - name: web
      image: {image}
      ports: [{{containerPort: {port}}}]
"""


def test_pod_image_update_restarts_the_container_in_place_ValidatePodUpdate() -> None:
    change = effect_of(pod(), pod(image="nginx:1.28"), "spec.containers[web].image")
    assert change.effect == "rollout"
    assert change.reason.startswith(
        "the kubelet restarts the container with the new image in place"
    )


def test_pod_other_fields_are_forbidden_ValidatePodUpdate() -> None:
    change = effect_of(pod(), pod(port=8080), "spec.containers[web].ports[8080/TCP]")
    assert change.effect == "immutable"
    assert change.reason.startswith("spec: Forbidden: pod updates may not change fields other than")
    grace = effect_of(
        pod(),
        pod(extra="  terminationGracePeriodSeconds: 5\n"),
        "spec.terminationGracePeriodSeconds",
    )
    assert grace.effect == "immutable"


def test_pod_tolerations_may_only_be_added_validateOnlyAddedTolerations() -> None:
    one = "  tolerations: [{key: a, operator: Exists}]\n"
    two = "  tolerations: [{key: a, operator: Exists}, {key: b, operator: Exists}]\n"
    assert effect_of(pod(tolerations=one), pod(tolerations=two), "spec.tolerations").effect == (
        "no-pod-effect"
    )
    assert effect_of(pod(tolerations=two), pod(tolerations=one), "spec.tolerations").effect == (
        "immutable"
    )


def test_pod_active_deadline_may_only_be_set_or_lowered() -> None:
    deadline = "  activeDeadlineSeconds: {}\n"
    label = "spec.activeDeadlineSeconds"
    assert effect_of(pod(), pod(extra=deadline.format(60)), label).effect == "no-pod-effect"
    lowered = effect_of(pod(extra=deadline.format(60)), pod(extra=deadline.format(30)), label)
    assert lowered.effect == "no-pod-effect"
    raised = effect_of(pod(extra=deadline.format(30)), pod(extra=deadline.format(60)), label)
    assert raised.effect == "immutable"


def test_pod_labels_are_mutable_but_may_detach_it_from_its_controller() -> None:
    new = pod().replace("namespace: shop}", "namespace: shop, labels: {app: other}}")
    change = effect_of(pod(), new, "metadata.labels")
    assert change.effect == "no-pod-effect"
    assert "creates a replacement" in change.reason


# ---------------------------------------------------------------------------------------------
# Cluster, policy and extension kinds


def test_pdb_spec_is_mutable_poddisruptionbudget_strategy() -> None:
    pdb = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
"""
    changes = classified(
        pdb, pdb.replace("minAvailable: 1", "minAvailable: 2").replace("app: web", "app: api")
    )
    assert {c.effect for c in changes.values()} == {"no-pod-effect"}


def test_hpa_bounds_scale_and_priorityclass_value_is_immutable() -> None:
    hpa = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
"""
    assert (
        effect_of(hpa, hpa.replace("minReplicas: 2", "minReplicas: 4"), "spec.minReplicas").effect
        == "scale"
    )
    priority = (
        "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n"
        "value: 1000\n"
    )
    change = effect_of(priority, priority.replace("1000", "2000"), "value")
    assert change.effect == "immutable"
    assert "may not be changed in an update" in change.reason


def test_crd_scope_is_immutable_validateCustomResourceDefinitionSpecUpdate() -> None:
    crd = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object}}
"""
    changes = classified(
        crd,
        crd.replace("scope: Namespaced", "scope: Cluster").replace("served: true", "served: false"),
    )
    assert changes["spec.scope"].effect == "immutable"
    assert changes["spec.versions"].effect == "no-pod-effect"


def test_every_classified_change_has_a_known_effect_and_a_reason() -> None:
    changes = classified(deployment(), deployment(image="nginx:1.28", replicas=4))
    for change in changes.values():
        assert change.effect in EFFECTS
        assert change.reason and change.source


# ---------------------------------------------------------------------------------------------
# The corpus (../shared/corpus/README.md, "Revisions")

MICROSERVICES_CHAIN = ["v0.3.5", "v0.4.0", "v0.7.0", "v0.8.0", "v0.10.0", "v0.10.5", "top"]


@cache
def _microservices(revision: str) -> list[Resource]:
    if revision == "top":
        path = corpus("microservices-demo", "release", "kubernetes-manifests.yaml")
    else:
        path = corpus(
            "microservices-demo", "revisions", revision, "release", "kubernetes-manifests.yaml"
        )
    return loader.load([str(path)]).resources


@cache
def _kube_prometheus(revision: str) -> list[Resource]:
    if revision == "top":
        path = corpus("kube-prometheus", "manifests")
    else:
        path = corpus("kube-prometheus", "revisions", revision, "manifests")
    return loader.load([str(path)]).resources


@pytest.mark.parametrize(("before", "after"), list(itertools.pairwise(MICROSERVICES_CHAIN)))
def test_microservices_demo_every_image_bump_rolls(before: str, after: str) -> None:
    base, new = _microservices(before), _microservices(after)
    images = 0
    for paired in pair(base, new):
        for change in classify(paired, new, base, "1.33"):
            assert change.effect not in ("unknown", "immutable"), (paired.resource.name, change)
            if paired.resource.kind == "Deployment" and change.path[-1] == "image":
                images += 1
                assert change.effect == "rollout", (paired.resource.name, change)
                assert "creates a new ReplicaSet" in change.reason
    assert images >= 11


def test_microservices_demo_service_account_switch_rolls_and_labels_do_not() -> None:
    base, new = _microservices("v0.8.0"), _microservices("v0.10.0")
    effects_by_label: Counter[tuple[str, str]] = Counter()
    for paired in pair(base, new):
        for change in classify(paired, new, base, "1.33"):
            effects_by_label[(change.label.split("[")[0], change.effect)] += 1
    assert effects_by_label[("serviceAccountName", "rollout")] == 11
    assert effects_by_label[("metadata.labels", "no-pod-effect")] > 0
    assert not [key for key in effects_by_label if key[1] == "unknown"]


def test_kube_prometheus_v0_17_to_v0_18_grafana_rolls_and_the_new_dashboard_is_created() -> None:
    base, new = _kube_prometheus("v0.17.0"), _kube_prometheus("v0.18.0")
    pairs = pair(base, new)
    (grafana,) = [
        p for p in pairs if p.resource.kind == "Deployment" and p.resource.name == "grafana"
    ]
    grafana_effects = {c.effect for c in classify(grafana, new, base, "1.33")}
    assert "rollout" in grafana_effects
    (created,) = [p for p in pairs if p.action == "create"]
    assert created.resource.kind == "ConfigMap"
    assert classify(created, new, base, "1.33") == []
    volumes = [
        c
        for c in classify(grafana, new, base, "1.33")
        if c.label.startswith("volumes[") and c.kind == "added"
    ]
    assert volumes and all(c.effect == "rollout" for c in volumes)
    assert any(f"now references ConfigMap {created.resource.name}" in c.reason for c in volumes)
    for paired in pairs:
        for change in classify(paired, new, base, "1.33"):
            if paired.resource.kind in ("Deployment", "DaemonSet", "Service", "ConfigMap"):
                assert change.effect != "unknown", (paired.resource.kind, change)
