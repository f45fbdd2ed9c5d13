"""Reliability and resource rules (rules/builtin/reliability/): defaults, percentage rounding,
cross-object lookups (HPA, PDB, Service, LimitRange), every workload kind, and bad input.
"""

from __future__ import annotations

import textwrap

import pytest

from kubeplan.kube.cluster import ObjectPattern
from kubeplan.model import Finding
from kubeplan.rules.context import LintContext
from kubeplan.rules.engine import LintSettings, lint
from kubeplan.rules.registry import load_rules
from kubeplan.schemas import loader

RULES = [
    rule.meta.id
    for rule in load_rules().values()
    if rule.check.__module__.startswith("kubeplan.rules.builtin.reliability.")
]


def run(
    rule: str,
    *texts: str,
    version: str = "1.33",
    external: tuple[ObjectPattern, ...] = (),
    options: dict | None = None,
) -> list[Finding]:
    """Lint the texts as separate files loaded together; the findings of `rule`."""
    resources = []
    for number, text in enumerate(texts):
        resources += loader.load_text(f"f{number}.yaml", textwrap.dedent(text)).resources
    ctx = LintContext(resources, version, external=external)
    settings = LintSettings(only=frozenset({rule}), options={rule: options or {}})
    findings = lint(resources, ctx, settings)
    assert not [f for f in findings if f.rule == "rule-error"], findings
    return [f for f in findings if f.rule == rule]


def where(findings: list[Finding]) -> list[tuple[int, str]]:
    return [(f.line, f.path) for f in findings]


def deployment(
    replicas: object = None,
    strategy: str = "",
    spec_extra: str = "",
    container_extra: str = "",
    name: str = "web",
    namespace: str = "default",
    labels: str = "app: web",
) -> str:
    """A Deployment; `strategy`, `spec_extra` and `container_extra` are YAML at their depth."""
    lines = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        f"  name: {name}",
        f"  namespace: {namespace}",
        "spec:",
    ]
    if replicas is not None:
        lines.append(f"  replicas: {replicas}")
    if strategy:
        lines.append("  strategy:")
        lines += ["    " + line for line in textwrap.dedent(strategy).strip().splitlines()]
    lines += [
        "  selector:",
        "    matchLabels:",
        f"      {labels}",
        "  template:",
        "    metadata:",
        "      labels:",
        f"        {labels}",
        "    spec:",
    ]
    if spec_extra:
        lines += ["      " + line for line in textwrap.dedent(spec_extra).strip().splitlines()]
    lines += ["      containers:", "        - name: web", "          image: nginx:1.27"]
    if container_extra:
        extra = textwrap.dedent(container_extra).strip().splitlines()
        lines += ["          " + line for line in extra]
    return "\n".join(lines) + "\n"


def pdb(spec: str, name: str = "web", namespace: str = "default", version: str = "v1") -> str:
    body = "\n".join("  " + line for line in textwrap.dedent(spec).strip().splitlines())
    return (
        f"apiVersion: policy/{version}\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n"
        f"  namespace: {namespace}\nspec:\n{body}\n"
    )


def hpa(target: str = "web", low: object = 2, high: object = 10, kind: str = "Deployment") -> str:
    lines = [
        "apiVersion: autoscaling/v2",
        "kind: HorizontalPodAutoscaler",
        "metadata:",
        "  name: web",
        "spec:",
        "  scaleTargetRef:",
        "    apiVersion: apps/v1",
        f"    kind: {kind}",
        f"    name: {target}",
    ]
    if low is not None:
        lines.append(f"  minReplicas: {low}")
    if high is not None:
        lines.append(f"  maxReplicas: {high}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# requests and limits


def test_missing_request_points_at_the_container_and_names_it() -> None:
    got = run("cpu-requests-missing", deployment())
    assert where(got) == [(16, "spec.template.spec.containers[0].resources.requests.cpu")]
    assert got[0].message == 'container "web" has no CPU request'
    assert got[0].severity == "warning"


def test_a_limit_alone_is_the_request() -> None:
    extra = """\
    resources:
      limits:
        cpu: 500m
        memory: 256Mi
    """
    assert run("cpu-requests-missing", deployment(container_extra=extra)) == []
    assert run("memory-requests-missing", deployment(container_extra=extra)) == []
    # ... but a request is not a limit
    only_request = extra.replace("limits", "requests")
    assert len(run("memory-limits-missing", deployment(container_extra=only_request))) == 1


LIMIT_RANGE = """\
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
  namespace: {namespace}
spec:
  limits:
    - type: Container
      default:
        memory: 512Mi
      defaultRequest:
        cpu: 100m
"""


def test_a_limitrange_of_the_namespace_supplies_the_defaults() -> None:
    shop = LIMIT_RANGE.format(namespace="shop")
    web = deployment(namespace="shop")
    assert run("cpu-requests-missing", web, shop) == []
    # `default` also defaults the request (SetDefaults_LimitRangeItem)
    assert run("memory-requests-missing", web, shop) == []
    assert run("memory-limits-missing", web, shop) == []
    assert len(run("cpu-limits-missing", web, shop)) == 1  # defaultRequest is not a limit
    # another namespace's LimitRange does not apply
    assert len(run("cpu-requests-missing", web, LIMIT_RANGE.format(namespace="other"))) == 1


def test_sidecars_are_checked_plain_init_and_ephemeral_containers_are_not() -> None:
    pod = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      initContainers:
        - name: migrate
          image: busybox:1.36
        - name: proxy
          image: envoy:1.30
          restartPolicy: Always
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests:
              memory: 64Mi
      ephemeralContainers:
        - name: debug
          image: busybox:1.36
    """
    got = run("memory-requests-missing", pod)
    assert [f.message for f in got] == ['sidecar container "proxy" has no memory request']
    assert got[0].path == "spec.initContainers[1].resources.requests.memory"


def test_pod_level_resources_count_from_1_34() -> None:
    pod = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      resources:
        requests:
          cpu: "1"
      containers:
        - name: web
          image: nginx:1.27
    """
    assert run("cpu-requests-missing", pod, version="1.34") == []
    assert len(run("cpu-requests-missing", pod, version="1.33")) == 1  # alpha, gate off


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            """\
            apiVersion: batch/v1
            kind: CronJob
            metadata:
              name: report
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers:
                        - name: report
                          image: busybox:1.36
            """,
            "spec.jobTemplate.spec.template.spec.containers[0].resources.limits.memory",
        ),
        (
            """\
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: agent
            spec:
              selector:
                matchLabels:
                  app: agent
              template:
                metadata:
                  labels:
                    app: agent
                spec:
                  containers:
                    - name: agent
                      image: fluent-bit:3.0
            """,
            "spec.template.spec.containers[0].resources.limits.memory",
        ),
        (
            """\
            apiVersion: v1
            kind: ReplicationController
            metadata:
              name: old
            spec:
              template:
                metadata:
                  labels:
                    app: old
                spec:
                  containers:
                    - name: old
                      image: nginx:1.27
            """,
            "spec.template.spec.containers[0].resources.limits.memory",
        ),
    ],
)
def test_every_workload_kind_is_covered_through_its_template(text: str, path: str) -> None:
    assert [f.path for f in run("memory-limits-missing", text)] == [path]


def test_ephemeral_storage_is_about_the_limit() -> None:
    with_request = """\
    resources:
      requests:
        ephemeral-storage: 1Gi
    """
    got = run("ephemeral-storage-missing", deployment(container_extra=with_request))
    assert [f.message for f in got] == ['container "web" has no ephemeral-storage limit']


# ---------------------------------------------------------------------------------------------
# probes


JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
"""


def test_readiness_and_liveness_skip_jobs_and_point_at_the_missing_probe() -> None:
    assert run("readiness-probe-missing", JOB) == []
    assert run("liveness-probe-missing", JOB) == []
    got = run("readiness-probe-missing", deployment())
    assert where(got) == [(16, "spec.template.spec.containers[0].readinessProbe")]
    assert got[0].message == 'container "web" has no readinessProbe'
    assert run("liveness-probe-missing", deployment())[0].severity == "info"


IDENTICAL = """\
readinessProbe:
  httpGet:
    path: /healthz
    port: 8080
livenessProbe:
  httpGet:
    path: /healthz
    port: 8080
    scheme: HTTP
  periodSeconds: {period}
  failureThreshold: {failures}
"""


def test_probes_identical_compares_with_the_defaults_applied() -> None:
    same = IDENTICAL.format(period=10, failures=3)  # the defaults, written out
    got = run("probes-identical", deployment(container_extra=same))
    assert where(got) == [(22, "spec.template.spec.containers[0].livenessProbe")]
    assert "httpGet /healthz port 8080" in got[0].message
    lenient = IDENTICAL.format(period=10, failures=6)
    assert run("probes-identical", deployment(container_extra=lenient)) == []


def test_probes_identical_with_exec_and_default_path() -> None:
    probes = """\
    readinessProbe:
      exec:
        command: [cat, /tmp/ready]
    livenessProbe:
      exec:
        command: [cat, /tmp/ready]
    """
    assert len(run("probes-identical", deployment(container_extra=probes))) == 1
    default_path = """\
    readinessProbe:
      httpGet:
        port: 80
    livenessProbe:
      httpGet:
        path: /
        port: 80
    """
    assert len(run("probes-identical", deployment(container_extra=default_path))) == 1


def test_probe_port_must_name_a_port_of_the_same_container() -> None:
    probes = """\
    ports:
      - name: http
        containerPort: 8080
    readinessProbe:
      httpGet:
        port: http
    livenessProbe:
      tcpSocket:
        port: "8080"
    startupProbe:
      tcpSocket:
        port: metrics
    """
    got = run("probe-port-not-exposed", deployment(container_extra=probes))
    assert where(got) == [(29, "spec.template.spec.containers[0].startupProbe.tcpSocket.port")]
    assert got[0].message == (
        'container "web": startupProbe port "metrics" names no containerPort of this container'
        " (named ports: http); the kubelet fails the probe"
    )


def test_probe_port_of_another_container_does_not_count() -> None:
    pod = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
    spec:
      initContainers:
        - name: proxy
          image: envoy:1.30
          restartPolicy: Always
          readinessProbe:
            httpGet:
              port: admin
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - name: admin
              containerPort: 9901
    """
    got = run("probe-port-not-exposed", pod)
    assert [f.path for f in got] == ["spec.initContainers[0].readinessProbe.httpGet.port"]
    assert "(named ports: none)" in got[0].message


# ---------------------------------------------------------------------------------------------
# replicas, PDBs, spreading


def test_single_replica_defaults_hpa_and_option() -> None:
    got = run("single-replica", deployment())
    assert where(got) == [(6, "spec.replicas")]  # missing: the `spec:` line
    assert got[0].message.startswith("replicas is unset (defaults to 1), fewer than 2")
    assert run("single-replica", deployment(replicas=0)) == []
    assert run("single-replica", deployment(replicas=1), hpa()) == []
    assert run("single-replica", deployment(replicas=2)) == []
    got = run("single-replica", deployment(replicas=2), options={"min_replicas": 3})
    assert where(got) == [(7, "spec.replicas")]


def test_pdb_missing_needs_a_pdb_of_the_same_namespace() -> None:
    web = deployment(replicas=3, namespace="shop")
    got = run("pdb-missing", web)
    assert where(got) == [(2, "")]
    assert 'no PodDisruptionBudget in namespace "shop"' in got[0].message
    expression = """\
    maxUnavailable: 1
    selector:
      matchExpressions:
        - {key: app, operator: In, values: [web, api]}
    """
    assert run("pdb-missing", web, pdb(expression, namespace="shop")) == []
    assert len(run("pdb-missing", web, pdb(expression, namespace="other"))) == 1
    assert run("pdb-missing", deployment(replicas=1)) == []


def test_pdb_missing_counts_the_autoscaler_maximum() -> None:
    got = run("pdb-missing", deployment(), hpa(low=1, high=5))
    assert 'up to 5 replicas (HorizontalPodAutoscaler "web")' in got[0].message


def test_v1beta1_empty_pdb_selector_selects_nothing() -> None:
    empty = "minAvailable: 1\nselector: {}\n"
    assert len(run("pdb-missing", deployment(replicas=2), pdb(empty, version="v1beta1"))) == 1
    assert run("pdb-missing", deployment(replicas=2), pdb(empty)) == []


SELECT_WEB = "selector:\n  matchLabels:\n    app: web\n"


@pytest.mark.parametrize(
    ("budget", "replicas", "reported"),
    [
        # minAvailable percentages round UP (disruption.go getExpectedPodCount)
        ("minAvailable: 90%", 3, True),  # ceil(2.7) = 3 of 3
        ("minAvailable: 67%", 3, True),  # ceil(2.01) = 3
        ("minAvailable: 66%", 3, False),  # ceil(1.98) = 2
        ("minAvailable: 60%", 3, False),  # ceil(1.8) = 2
        ("minAvailable: 50%", 1, True),  # ceil(0.5) = 1 of 1
        ("minAvailable: 50%", 2, False),  # 1 of 2
        ("minAvailable: 100%", 10, True),
        ("minAvailable: 0%", 1, False),
        # integers compare with the pod count
        ("minAvailable: 3", 3, True),
        ("minAvailable: 4", 3, True),
        ("minAvailable: 2", 3, False),
        # maxUnavailable rounds UP too: any non-zero percentage allows at least one pod
        ("maxUnavailable: 1%", 3, False),  # ceil(0.03) = 1
        ("maxUnavailable: 0%", 3, True),
        ("maxUnavailable: 0", 3, True),
        ("maxUnavailable: 1", 1, False),
    ],
)
def test_pdb_no_disruption_rounding(budget: str, replicas: int, reported: bool) -> None:
    got = run("pdb-no-disruption", pdb(budget + "\n" + SELECT_WEB), deployment(replicas=replicas))
    assert bool(got) is reported, [f.message for f in got]


def test_pdb_no_disruption_message_and_line() -> None:
    got = run("pdb-no-disruption", pdb("minAvailable: 90%\n" + SELECT_WEB), deployment(replicas=3))
    assert where(got) == [(7, "spec.minAvailable")]
    assert got[0].message.startswith(
        'minAvailable "90%" of 3 pods rounds up to 3 of the workloads it selects (Deployment web)'
    )


def test_pdb_no_disruption_sums_workloads_and_uses_the_hpa_maximum() -> None:
    api = deployment(replicas=2, name="api")
    web = deployment(replicas=2)
    # both carry app: web: 4 pods
    assert run("pdb-no-disruption", pdb("minAvailable: 3\n" + SELECT_WEB), web, api) == []
    assert len(run("pdb-no-disruption", pdb("minAvailable: 4\n" + SELECT_WEB), web, api)) == 1
    scaled = deployment()
    assert run("pdb-no-disruption", pdb("minAvailable: 3\n" + SELECT_WEB), scaled, hpa()) == []
    got = run("pdb-no-disruption", pdb("minAvailable: 10\n" + SELECT_WEB), scaled, hpa())
    assert len(got) == 1


def test_pdb_no_disruption_without_a_policy_and_unknown_counts() -> None:
    got = run("pdb-no-disruption", pdb(SELECT_WEB))
    assert where(got) == [(6, "spec")]
    assert "neither minAvailable nor maxUnavailable" in got[0].message
    assert run("pdb-no-disruption", pdb(SELECT_WEB, version="v1beta1")) == []
    daemonset = """\
    apiVersion: apps/v1
    kind: DaemonSet
    metadata:
      name: web
    spec:
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
            - name: web
              image: nginx:1.27
    """
    assert run("pdb-no-disruption", pdb("minAvailable: 5\n" + SELECT_WEB), daemonset) == []


BARE_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web-{n}
  labels:
    app: web
spec:
  containers:
    - name: web
      image: nginx:1.27
"""


def test_pdb_over_bare_pods() -> None:
    pods = [BARE_POD.format(n=n) for n in range(2)]
    # an integer minAvailable counts the pods themselves
    assert run("pdb-no-disruption", pdb("minAvailable: 1\n" + SELECT_WEB), *pods) == []
    assert len(run("pdb-no-disruption", pdb("minAvailable: 2\n" + SELECT_WEB), *pods)) == 1
    # maxUnavailable and percentages count controllers' scale only: 0 expected pods
    got = run("pdb-no-disruption", pdb("maxUnavailable: 1\n" + SELECT_WEB), *pods)
    assert where(got) == [(7, "spec.maxUnavailable")]
    assert got[0].message.startswith("selects only bare Pods (Pod web-0, Pod web-1)")
    assert len(run("pdb-no-disruption", pdb("minAvailable: 50%\n" + SELECT_WEB), *pods)) == 1
    # with a controller too, the bare pods add healthy pods but no expected scale
    web = deployment(replicas=2)
    assert run("pdb-no-disruption", pdb("minAvailable: 100%\n" + SELECT_WEB), web, *pods) != []
    assert run("pdb-no-disruption", pdb("minAvailable: 99%\n" + SELECT_WEB), web, *pods) == []


def test_anti_affinity_missing() -> None:
    got = run("anti-affinity-missing", deployment(replicas=3))
    assert where(got) == [(15, "spec.template.spec.affinity")]
    assert got[0].message.startswith("3 replicas with neither podAntiAffinity")
    anti = """\
    affinity:
      podAntiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  app: web
    """
    assert run("anti-affinity-missing", deployment(replicas=3, spec_extra=anti)) == []
    assert run("anti-affinity-missing", deployment(replicas=1)) == []


# ---------------------------------------------------------------------------------------------
# rollout parameters


def rolling(surge: object = None, unavailable: object = None) -> str:
    lines = ["rollingUpdate:"]
    if surge is not None:
        lines.append(f"  maxSurge: {surge}")
    if unavailable is not None:
        lines.append(f"  maxUnavailable: {unavailable}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("surge", "unavailable", "reported"),
    [
        (0, 0, True),
        ("0%", 0, True),
        ("0%", "0%", True),
        (0, "1%", False),  # the API server takes the percentage by its number: accepted
        ("1%", 0, False),
        (None, 0, False),  # maxSurge defaults to 25%
        (0, None, False),  # maxUnavailable defaults to 25%
    ],
)
def test_rolling_update_zero_zero_is_rejected(
    surge: object, unavailable: object, reported: bool
) -> None:
    got = run("rolling-update-no-progress", deployment(3, rolling(surge, unavailable)))
    assert bool(got) is reported, [f.message for f in got]


def test_rolling_update_no_progress_message_and_malformed_values() -> None:
    got = run("rolling-update-no-progress", deployment(3, rolling("0%", 0)))
    assert where(got) == [(11, "spec.strategy.rollingUpdate.maxUnavailable")]
    assert got[0].message.startswith('maxSurge "0%" and maxUnavailable 0 are both 0')
    got = run("rolling-update-no-progress", deployment(3, rolling('"5"', "110%")))
    assert [f.message for f in got] == [
        'maxSurge "5" is neither a non-negative integer nor a percentage like "25%"; the API'
        " server rejects it"
    ]
    got = run("rolling-update-no-progress", deployment(3, rolling(1, "110%")))
    assert [f.path for f in got] == ["spec.strategy.rollingUpdate.maxUnavailable"]
    assert run("rolling-update-no-progress", deployment(3, rolling("200%", 1))) == []
    recreate = "type: Recreate\n" + rolling(1, 0)
    assert [f.path for f in run("rolling-update-no-progress", deployment(3, recreate))] == [
        "spec.strategy.rollingUpdate"
    ]


def daemonset(update: str) -> str:
    body = "\n".join("    " + line for line in update.splitlines())
    return f"""\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  updateStrategy:
{body}
  selector:
    matchLabels:
      app: agent
  template:
    metadata:
      labels:
        app: agent
    spec:
      containers:
        - name: agent
          image: fluent-bit:3.0
"""


def test_daemonset_rolling_update_needs_exactly_one_non_zero() -> None:
    # defaults: maxUnavailable 1, maxSurge 0
    got = run("rolling-update-no-progress", daemonset(rolling(surge=1)))
    assert [f.path for f in got] == ["spec.updateStrategy.rollingUpdate.maxSurge"]
    assert "(maxUnavailable defaults to 1)" in got[0].message
    assert run("rolling-update-no-progress", daemonset(rolling(1, 0))) == []
    got = run("rolling-update-no-progress", daemonset(rolling(unavailable=0)))
    assert "are both 0" in got[0].message
    assert run("rolling-update-no-progress", daemonset("type: OnDelete")) == []


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "reported"),
    [
        (1, 0, 1, True),
        (3, 0, "100%", True),
        (3, 0, "99%", False),  # floor(2.97) = 2 of 3
        (4, "0%", "75%", False),  # floor(3) = 3 of 4
        (2, 0, "50%", False),  # floor(1) = 1 of 2
        (3, "1%", "100%", False),  # surge ceil(0.03) = 1
        (1, 0, "10%", True),  # both resolve to 0: the controller uses 1 = every pod
        (3, 0, "10%", False),  # both resolve to 0: 1 of 3
        (1, None, None, False),  # defaults 25%/25%: surge ceil(0.25) = 1
        (2, 0, 5, True),  # clamped to the replica count
    ],
)
def test_rolling_update_all_unavailable_rounding(
    replicas: int, surge: object, unavailable: object, reported: bool
) -> None:
    strategy = rolling(surge, unavailable) if surge is not None or unavailable is not None else ""
    got = run("rolling-update-all-unavailable", deployment(replicas, strategy))
    assert bool(got) is reported, [f.message for f in got]


def test_rolling_update_all_unavailable_messages() -> None:
    got = run("rolling-update-all-unavailable", deployment(1, rolling(0, "10%")))
    assert where(got) == [(11, "spec.strategy.rollingUpdate.maxUnavailable")]
    assert got[0].message == (
        'maxSurge 0 and maxUnavailable "10%" both resolve to 0 for 1 replica(s), so the'
        " controller uses maxUnavailable 1: a rollout stops every pod before new ones are ready"
    )
    assert run("rolling-update-all-unavailable", deployment(1, rolling(0, 1)), hpa()) == []


# ---------------------------------------------------------------------------------------------
# selectors


def test_selector_mismatch_deployment_and_expressions() -> None:
    bad = deployment().replace("      app: web\n  template", "      app: api\n  template")
    got = run("selector-mismatch", bad)
    assert where(got) == [(7, "spec.selector")]
    assert got[0].message.startswith(
        "selector app=api does not match the template labels (app=web)"
    )
    expressions = deployment().replace(
        "    matchLabels:\n      app: web\n  template",
        "    matchExpressions:\n      - {key: app, operator: NotIn, values: [web]}\n  template",
    )
    (found,) = run("selector-mismatch", expressions)
    assert found.message.startswith("selector app notin (web) does not match")
    two = deployment().replace(
        "      app: web\n  template", "      app: web\n      tier: a\n  template"
    )
    (found,) = run("selector-mismatch", two)
    # the same text as pdb-selects-nothing gives, as kubectl describe shows it
    assert found.message.startswith("selector app=web,tier=a does not match the template labels")
    empty = deployment().replace(
        "    matchLabels:\n      app: web\n  template", "    {}\n  template"
    )
    assert "selector is empty" in run("selector-mismatch", empty)[0].message


def test_selector_mismatch_replication_controller() -> None:
    rc = """\
    apiVersion: v1
    kind: ReplicationController
    metadata:
      name: old
    spec:
      selector:
        app: {selector}
      template:
        metadata:
          labels:
            app: old
        spec:
          containers:
            - name: old
              image: nginx:1.27
    """
    assert run("selector-mismatch", rc.format(selector="old")) == []
    assert len(run("selector-mismatch", rc.format(selector="new"))) == 1


def test_job_selector_needs_manual_selector() -> None:
    job = JOB.replace(
        "spec:\n  template:",
        "spec:\n{manual}  selector:\n    matchLabels:\n      app: migrate\n  template:\n"
        "    metadata:\n      labels:\n        app: migrate",
    )
    assert run("selector-mismatch", JOB) == []  # generated
    got = run("selector-mismatch", job.format(manual=""))
    assert "without manualSelector: true" in got[0].message
    assert run("selector-mismatch", job.format(manual="  manualSelector: true\n")) == []
    by_name = JOB.replace(
        "spec:\n  template:",
        "spec:\n  selector:\n    matchLabels:\n      job-name: migrate\n  template:",
    )
    assert run("selector-mismatch", by_name) == []  # selects the generated label


def test_cronjob_job_template_may_not_set_a_selector() -> None:
    cronjob = """\
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
    spec:
      schedule: "0 3 * * *"
      jobTemplate:
        spec:
          selector:
            matchLabels:
              app: report
          template:
            metadata:
              labels:
                app: report
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: busybox:1.36
    """
    got = run("selector-mismatch", cronjob)
    assert where(got) == [(9, "spec.jobTemplate.spec.selector")]


# ---------------------------------------------------------------------------------------------
# StatefulSet governing Service


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: data
spec:
{service_name}  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
        - name: db
          image: postgres:16
"""

HEADLESS = """\
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: {namespace}
spec:
  clusterIP: {cluster_ip}
  selector:
    app: db
  ports:
    - port: 5432
"""


def test_statefulset_service_name() -> None:
    named = STATEFULSET.format(service_name="  serviceName: db\n")
    headless = HEADLESS.format(namespace="data", cluster_ip="None")
    assert run("statefulset-headless-service-missing", named, headless) == []
    got = run("statefulset-headless-service-missing", named)
    assert where(got) == [(7, "spec.serviceName")]
    assert 'no Service of that name in namespace "data"' in got[0].message
    elsewhere = HEADLESS.format(namespace="other", cluster_ip="None")
    assert len(run("statefulset-headless-service-missing", named, elsewhere)) == 1
    not_headless = HEADLESS.format(namespace="data", cluster_ip="10.0.0.7")
    got = run("statefulset-headless-service-missing", named, not_headless)
    assert "is not headless (clusterIP 10.0.0.7, not None)" in got[0].message
    external = (ObjectPattern("Service", "db", "data"),)
    assert run("statefulset-headless-service-missing", named, external=external) == []


def test_statefulset_without_service_name_is_an_option() -> None:
    unnamed = STATEFULSET.format(service_name="")
    got = run("statefulset-headless-service-missing", unnamed)
    assert where(got) == [(6, "spec.serviceName")]
    options = {"require_service_name": False}
    assert run("statefulset-headless-service-missing", unnamed, options=options) == []
    bad = STATEFULSET.format(service_name="  serviceName: DB_Service\n")
    assert "is not a DNS label" in run("statefulset-headless-service-missing", bad)[0].message


# ---------------------------------------------------------------------------------------------
# autoscalers


def test_hpa_replicas_conflict() -> None:
    got = run("hpa-replicas-conflict", deployment(replicas=3), hpa())
    assert where(got) == [(7, "spec.replicas")]
    assert got[0].message == (
        'replicas 3 is set while HorizontalPodAutoscaler "web" scales this Deployment: every'
        " apply resets the scale the autoscaler chose"
    )
    assert run("hpa-replicas-conflict", deployment(), hpa()) == []
    assert run("hpa-replicas-conflict", deployment(replicas=3), hpa(kind="StatefulSet")) == []
    assert run("hpa-replicas-conflict", deployment(replicas=3, namespace="x"), hpa()) == []


@pytest.mark.parametrize(
    ("low", "high", "messages"),
    [
        (5, 3, ["maxReplicas 3 is below minReplicas 5"]),
        (3, 3, []),
        (None, 1, []),
        (0, 3, ["minReplicas 0 is rejected unless the alpha feature gate HPAScaleToZero is on"]),
        (1, 0, ["maxReplicas 0 is below 1"]),
    ],
)
def test_hpa_min_max(low: object, high: object, messages: list[str]) -> None:
    got = run("hpa-min-max", hpa(low=low, high=high))
    assert [f.message.split(";")[0] for f in got] == messages


def test_hpa_min_replicas_default_and_option() -> None:
    got = run("hpa-min-replicas", hpa(low=None, high=5))
    assert where(got) == [(5, "spec.minReplicas")]
    assert got[0].message.startswith("minReplicas is unset (defaults to 1), fewer than 2")
    assert run("hpa-min-replicas", hpa(low=2)) == []
    assert len(run("hpa-min-replicas", hpa(low=2), options={"min_replicas": 3})) == 1


# ---------------------------------------------------------------------------------------------
# Jobs, CronJobs, restart policy


def test_job_ttl_and_cronjob_deadline() -> None:
    got = run("job-ttl-missing", JOB)
    assert where(got) == [(5, "spec.ttlSecondsAfterFinished")]
    assert (
        run("job-ttl-missing", JOB.replace("spec:\n", "spec:\n  ttlSecondsAfterFinished: 60\n", 1))
        == []
    )
    cronjob = """\
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
    spec:
      schedule: "*/5 * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: OnFailure
              containers:
                - name: report
                  image: busybox:1.36
    """
    got = run("cronjob-deadline-missing", cronjob)
    assert where(got) == [(5, "spec.startingDeadlineSeconds")]
    assert run("job-ttl-missing", cronjob) == []  # pruned by the CronJob's history limits
    with_deadline = cronjob.replace(
        "    schedule:", "    startingDeadlineSeconds: 300\n    schedule:"
    )
    assert run("cronjob-deadline-missing", with_deadline) == []


def test_restart_policy_per_kind() -> None:
    unset = JOB.replace("      restartPolicy: Never\n", "")
    got = run("restart-policy", unset)
    assert where(got) == [(7, "spec.template.spec.restartPolicy")]
    assert got[0].message.startswith("restartPolicy is unset (defaults to Always)")
    assert run("restart-policy", JOB) == []
    on_failure = deployment(spec_extra="restartPolicy: OnFailure")
    got = run("restart-policy", on_failure)
    assert got[0].message.startswith("restartPolicy is OnFailure: a Deployment's pod template")
    assert run("restart-policy", deployment()) == []
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  restartPolicy: Never\n"
    assert run("restart-policy", pod + "  containers:\n    - name: p\n      image: busybox\n") == []


# ---------------------------------------------------------------------------------------------
# robustness and speed


BROKEN = [
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec: nope\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  replicas: three\n"
    "  strategy: [1]\n  selector: 5\n  template:\n    metadata: x\n    spec:\n"
    "      containers: [1, {name: 3, resources: 7, readinessProbe: [], livenessProbe: {}}]\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: c\nspec:\n  strategy:\n"
    "    rollingUpdate: {maxSurge: true, maxUnavailable: [1]}\n  template:\n    spec:\n"
    "      containers:\n        - name: c\n          ports: 5\n          startupProbe:\n"
    "            httpGet: {port: [x]}\n",
    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: d\nspec:\n"
    "  minAvailable: [1]\n  selector: {matchLabels: 5, matchExpressions: [3]}\n",
    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: e\nspec:\n"
    "  scaleTargetRef: 4\n  minReplicas: x\n  maxReplicas: true\n",
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: f\nspec:\n  serviceName: 5\n"
    "  selector: {matchLabels: {app: f}}\n  template: {metadata: {labels: {app: f}}}\n",
    "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: g\nspec:\n  jobTemplate: 1\n",
    "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: h\nspec:\n  limits: [1, {type: Container,"
    " default: 3}]\n",
]


@pytest.mark.parametrize("rule", RULES)
def test_no_rule_raises_on_malformed_bodies(rule: str) -> None:
    run(rule, *BROKEN)  # `run` asserts there is no rule-error finding


@pytest.mark.slow  # thousands of objects
def test_cross_object_rules_on_many_objects() -> None:
    """Indexes pair each PDB and HPA with its own workload (speed is measured in bench/)."""
    docs = []
    for i in range(1500):
        docs.append(deployment(replicas=3, name=f"web{i}", labels=f"app: web{i}"))
        docs.append(pdb(f"minAvailable: 3\nselector:\n  matchLabels:\n    app: web{i}\n", f"p{i}"))
        docs.append(hpa(target=f"web{i}").replace("name: web\nspec", f"name: h{i}\nspec"))
    text = "---\n".join(docs)
    resources = loader.load_text("big.yaml", text).resources
    ctx = LintContext(resources, "1.33")
    findings = lint(resources, ctx, LintSettings(only=frozenset(RULES)))
    assert not [f for f in findings if f.rule == "rule-error"]
    assert len([f for f in findings if f.rule == "pdb-no-disruption"]) == 0  # HPA max 10
    assert not [f for f in findings if f.rule == "pdb-missing"]
