"""Pod security rules: the semantics the PASS/FAIL examples do not show.

Defaults, which level overrides which, version-dependent behaviour (seccomp annotations,
sysctls), every workload kind, init and ephemeral containers, and bodies of the wrong shape.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeplan.model import Finding
from kubeplan.rules.builtin.security import context, env, host, kernel
from kubeplan.rules.context import LintContext
from kubeplan.rules.engine import LintSettings, lint
from kubeplan.rules.registry import load_rules
from kubeplan.schemas import loader

TABLES = sorted(Path(context.__file__).parent.glob("*.yaml"))  # the pod security pack
RULES = sorted(row["id"] for table in TABLES for row in yaml.safe_load(table.read_text())["rules"])


def run(
    rule: str, text: str, version: str = "1.33", options: dict[str, Any] | None = None
) -> list[Finding]:
    text = textwrap.dedent(text)
    res = loader.load_text("x.yaml", text)
    settings = LintSettings(only=frozenset({rule}), options={rule: options or {}})
    findings = lint(res.resources, LintContext(res.resources, version), settings)
    assert not [f for f in findings if f.rule == "rule-error"], findings
    return [f for f in findings if f.rule == rule]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    hits = [n for n, line in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def pod(spec: str, metadata: str = "") -> str:
    """A Pod whose spec is `spec` (indented by 2 under `spec:`)."""
    body = textwrap.indent(textwrap.dedent(spec).strip("\n"), "  ")
    meta = textwrap.indent(textwrap.dedent(metadata).strip("\n"), "  ") if metadata else ""
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n{meta}\nspec:\n{body}\n".replace(
        "\n\n", "\n"
    )


# --------------------------------------------------------------------------------------------
# Metadata


def test_all_rules_are_registered_with_their_table_row() -> None:
    rules = load_rules()
    for rule_id in RULES:
        assert rule_id in rules


def test_option_defaults_match_the_module_constants() -> None:
    rules = load_rules()
    sockets = rules["docker-socket-mount"].meta.options["sockets"]
    assert tuple(sockets) == host.RUNTIME_SOCKETS
    allowed = rules["capabilities-added-dangerous"].meta.options["allowed"]
    assert tuple(allowed) == context.BASELINE_CAPABILITIES
    secret = rules["secret-in-env"].meta.options
    assert secret["name_pattern"] == env._DEFAULT_SECRET_NAMES
    assert secret["ignore_name_pattern"] == env._DEFAULT_NOT_SECRET_NAMES


def test_severities_and_defaults() -> None:
    meta = {rid: rule.meta for rid, rule in load_rules().items() if rid in RULES}
    for rid in ("privileged-container", "host-network", "host-pid", "host-ipc"):
        assert meta[rid].severity == "error"
    assert meta["docker-socket-mount"].severity == "error"
    for rid in (
        "run-as-low-uid",
        "default-service-account",
        "image-pull-policy",
        "image-not-pinned-by-digest",
        "privileged-port",
        "default-namespace",
    ):
        assert not meta[rid].enabled, rid
    assert meta["image-pull-policy"].severity == "info"
    assert meta["default-namespace"].severity == "info"
    assert meta["duplicate-env-var"].category == "reliability"


# --------------------------------------------------------------------------------------------
# Every workload kind, init and ephemeral containers

CONTAINER = """\
containers:
  - name: web
    image: nginx:1.27
    securityContext:
      privileged: true
"""


def _template(kind: str) -> tuple[str, str]:
    spec = textwrap.indent(CONTAINER, "      ")
    template = f"    metadata:\n      labels:\n        app: web\n    spec:\n{spec}"
    apps = "apiVersion: apps/v1"
    selector = "  selector:\n    matchLabels:\n      app: web\n"
    prefix = "spec.template.spec"
    if kind == "Pod":
        return pod(CONTAINER), "spec"
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        head = f"{apps}\nkind: {kind}\nmetadata:\n  name: web\nspec:\n{selector}"
        return f"{head}  template:\n{template}", prefix
    if kind == "ReplicationController":
        head = f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: web\nspec:\n"
        return f"{head}  selector:\n    app: web\n  template:\n{template}", prefix
    if kind == "Job":
        head = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: web\nspec:\n"
        return f"{head}  template:\n{template}", prefix
    head = "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: web\nspec:\n"
    head += '  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n'
    return head + textwrap.indent(template, "    "), "spec.jobTemplate.spec.template.spec"


@pytest.mark.parametrize(
    "kind",
    [
        "Pod",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "ReplicationController",
    ],
)
def test_every_workload_kind_is_checked_through_its_pod_template(kind: str) -> None:
    text, prefix = _template(kind)
    (finding,) = run("privileged-container", text)
    assert finding.path == f"{prefix}.containers[0].securityContext.privileged"
    assert finding.line == line_of(text, "privileged: true")
    assert finding.message.startswith('container "web" runs privileged')


def test_init_and_ephemeral_containers_are_named_as_such() -> None:
    text = pod("""
        initContainers:
          - name: setup
            image: busybox:1.36
            securityContext:
              privileged: true
        containers:
          - name: web
            image: nginx:1.27
        ephemeralContainers:
          - name: debug
            image: busybox:1.36
            securityContext:
              privileged: true
    """)
    findings = run("privileged-container", text)
    assert [(f.path, f.line) for f in findings] == [
        ("spec.initContainers[0].securityContext.privileged", line_of(text, "privileged", 1)),
        ("spec.ephemeralContainers[0].securityContext.privileged", line_of(text, "privileged", 2)),
    ]
    assert findings[0].message.startswith('init container "setup"')
    assert findings[1].message.startswith('ephemeral container "debug"')


def test_non_workloads_and_unknown_groups_are_ignored() -> None:
    text = """\
    apiVersion: example.com/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
            - name: web
              image: nginx
              securityContext:
                privileged: true
    """
    assert run("privileged-container", text) == []


# --------------------------------------------------------------------------------------------
# allowPrivilegeEscalation


def test_escalation_false_is_forced_back_by_privileged() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              privileged: true
              allowPrivilegeEscalation: false
    """)
    (finding,) = run("privilege-escalation-allowed", text)
    assert finding.line == line_of(text, "allowPrivilegeEscalation")
    assert "runs privileged" in finding.message and "rejects" in finding.message


@pytest.mark.parametrize(
    ("cap", "rejected"), [("CAP_SYS_ADMIN", True), ("SYS_ADMIN", False), ("sys_admin", False)]
)
def test_escalation_false_is_forced_back_by_sys_admin(cap: str, rejected: bool) -> None:
    text = pod(f"""
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              allowPrivilegeEscalation: false
              capabilities:
                add: [{cap}]
    """)
    (finding,) = run("privilege-escalation-allowed", text)
    assert f"adds {cap}" in finding.message
    # The API server only recognises the literal CAP_SYS_ADMIN (ValidateSecurityContext).
    assert ("rejects" in finding.message) is rejected


def test_escalation_explicitly_true_and_windows_pods() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              allowPrivilegeEscalation: true
    """)
    (finding,) = run("privilege-escalation-allowed", text)
    assert finding.message == 'container "web" sets allowPrivilegeEscalation: true'
    windows = pod("""
        os:
          name: windows
        containers:
          - name: web
            image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    """)
    assert run("privilege-escalation-allowed", windows) == []


# --------------------------------------------------------------------------------------------
# run-as-root


def test_container_run_as_non_root_overrides_the_pod() -> None:
    ok = pod("""
        securityContext:
          runAsNonRoot: false
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              runAsNonRoot: true
    """)
    assert run("run-as-root", ok) == []
    bad = pod("""
        securityContext:
          runAsNonRoot: false
        containers:
          - name: web
            image: nginx:1.27
          - name: side
            image: nginx:1.27
            securityContext:
              runAsNonRoot: true
    """)
    (finding,) = run("run-as-root", bad)
    assert finding.path == "spec.securityContext.runAsNonRoot"
    assert finding.line == line_of(bad, "runAsNonRoot: false")
    assert finding.message == 'container "web" may run as root: runAsNonRoot is false at pod level'


def test_run_as_user_zero_and_its_conflict_with_run_as_non_root() -> None:
    text = pod("""
        securityContext:
          runAsUser: 0
        containers:
          - name: web
            image: nginx:1.27
          - name: strict
            image: nginx:1.27
            securityContext:
              runAsNonRoot: true
    """)
    findings = run("run-as-root", text)
    assert [f.path for f in findings] == ["spec.securityContext.runAsUser"] * 2
    assert findings[0].message == 'container "web" runs as root (runAsUser: 0 at pod level)'
    assert "kubelet refuses to start it" in findings[1].message


def test_non_zero_run_as_user_passes_unless_strict() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              runAsUser: 1000
    """)
    assert run("run-as-root", text) == []
    (finding,) = run("run-as-root", text, options={"require_run_as_non_root": True})
    assert finding.path == "spec.securityContext.runAsNonRoot"


def test_unset_everywhere_is_one_pod_level_finding_else_per_container() -> None:
    text = pod("""
        containers:
          - name: a
            image: nginx:1.27
          - name: b
            image: nginx:1.27
    """)
    (finding,) = run("run-as-root", text)
    assert finding.path == "spec.securityContext.runAsNonRoot"
    assert finding.line == line_of(text, "spec:")
    assert finding.message.startswith('neither the pod nor containers "a", "b" set runAsNonRoot')
    mixed = pod("""
        containers:
          - name: a
            image: nginx:1.27
          - name: b
            image: nginx:1.27
            securityContext:
              runAsNonRoot: true
    """)
    (finding,) = run("run-as-root", mixed)
    assert finding.path == "spec.containers[0].securityContext.runAsNonRoot"
    assert finding.line == line_of(mixed, "- name: a")


def test_low_uid_inherits_the_pod_value_and_checks_the_group() -> None:
    text = pod("""
        securityContext:
          runAsUser: 20000
          runAsGroup: 0
        containers:
          - name: web
            image: nginx:1.27
          - name: low
            image: nginx:1.27
            securityContext:
              runAsUser: 999
    """)
    findings = run("run-as-low-uid", text)
    assert [(f.path, f.line) for f in findings] == [
        ("spec.securityContext.runAsGroup", line_of(text, "runAsGroup")),
        ("spec.containers[1].securityContext.runAsUser", line_of(text, "runAsUser: 999")),
        ("spec.securityContext.runAsGroup", line_of(text, "runAsGroup")),
    ]
    assert findings[1].message == (
        'container "low" runs as uid 999, below 10000; a low uid can match a privileged user on'
        " the node"
    )
    assert run("run-as-low-uid", text, options={"min_uid": 500, "check_group": False}) == []


# --------------------------------------------------------------------------------------------
# Capabilities


def test_added_capabilities_are_normalised_and_compared_with_the_baseline() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              capabilities:
                add: [CAP_CHOWN, net_bind_service, NET_RAW, ALL]
    """)
    (finding,) = run("capabilities-added-dangerous", text)
    assert finding.path == "spec.containers[0].securityContext.capabilities.add"
    assert finding.line == line_of(text, "add:")
    assert finding.message.startswith('container "web" adds capabilities NET_RAW, ALL,')
    allowed = [*context.BASELINE_CAPABILITIES, "NET_RAW", "ALL"]
    assert run("capabilities-added-dangerous", text, options={"allowed": allowed}) == []


def test_drop_all_in_any_case_and_privileged_containers() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            securityContext:
              capabilities:
                drop: [all]
          - name: priv
            image: nginx:1.27
            securityContext:
              privileged: true
          - name: bare
            image: nginx:1.27
    """)
    (finding,) = run("capabilities-not-dropped", text)
    assert finding.path == "spec.containers[2].securityContext.capabilities.drop"
    assert finding.line == line_of(text, "- name: bare")
    assert "NET_RAW included" in finding.message


# --------------------------------------------------------------------------------------------
# seccomp and AppArmor


def test_pod_level_unconfined_seccomp_applies_to_containers_without_their_own() -> None:
    text = pod("""
        securityContext:
          seccompProfile:
            type: Unconfined
        containers:
          - name: web
            image: nginx:1.27
          - name: safe
            image: nginx:1.27
            securityContext:
              seccompProfile:
                type: RuntimeDefault
    """)
    (finding,) = run("seccomp-profile-missing", text)
    assert finding.path == "spec.securityContext.seccompProfile.type"
    assert finding.line == line_of(text, "type: Unconfined")
    assert finding.message == 'container "web" runs with seccomp profile Unconfined (pod level)'


def test_missing_in_some_containers_only_is_reported_per_container() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
          - name: safe
            image: nginx:1.27
            securityContext:
              seccompProfile:
                type: Localhost
                localhostProfile: profiles/web.json
    """)
    (finding,) = run("seccomp-profile-missing", text)
    assert finding.path == "spec.containers[0].securityContext.seccompProfile"
    assert finding.line == line_of(text, "- name: web")


SECCOMP_ANNOTATED = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    seccomp.security.alpha.kubernetes.io/pod: runtime/default
    container.seccomp.security.alpha.kubernetes.io/debug: unconfined
spec:
  containers:
    - name: web
      image: nginx:1.27
    - name: debug
      image: busybox:1.36
"""


def test_seccomp_annotations_count_before_1_27() -> None:
    (finding,) = run("seccomp-profile-missing", SECCOMP_ANNOTATED, version="1.26")
    key = "container.seccomp.security.alpha.kubernetes.io/debug"
    assert finding.path == f'metadata.annotations["{key}"]'
    assert finding.line == line_of(SECCOMP_ANNOTATED, key)
    assert "Unconfined" in finding.message


def test_container_seccomp_annotation_overrides_the_pod_field_before_1_27() -> None:
    text = SECCOMP_ANNOTATED.replace(
        "spec:\n", "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n", 1
    )
    (finding,) = run("seccomp-profile-missing", text, version="1.26")
    assert finding.line == line_of(text, "container.seccomp.security.alpha.kubernetes.io/debug")
    assert run("seccomp-profile-missing", text, version="1.33") == []


def test_seccomp_annotations_are_ignored_from_1_27() -> None:
    (finding,) = run("seccomp-profile-missing", SECCOMP_ANNOTATED, version="1.27")
    assert finding.path == "spec.securityContext.seccompProfile"
    assert "ignored since Kubernetes 1.27" in finding.message


def test_apparmor_annotation_and_pod_level_profile() -> None:
    text = """\
    apiVersion: apps/v1
    kind: Deployment
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
          annotations:
            container.apparmor.security.beta.kubernetes.io/web: unconfined
            container.apparmor.security.beta.kubernetes.io/side: runtime/default
        spec:
          securityContext:
            appArmorProfile:
              type: Unconfined
          containers:
            - name: web
              image: nginx:1.27
            - name: side
              image: nginx:1.27
            - name: plain
              image: nginx:1.27
            - name: own
              image: nginx:1.27
              securityContext:
                appArmorProfile:
                  type: RuntimeDefault
    """
    findings = run("apparmor-unconfined", text)
    key = "container.apparmor.security.beta.kubernetes.io/web"
    assert [(f.path, f.line) for f in findings] == [
        (f'spec.template.metadata.annotations["{key}"]', line_of(text, f"{key}:")),
        ("spec.template.spec.securityContext.appArmorProfile.type", line_of(text, "Unconfined")),
    ]
    assert findings[1].message.endswith('applies to container "plain"')


# --------------------------------------------------------------------------------------------
# sysctls


SYSCTLS = """\
securityContext:
  sysctls:
    - name: net.ipv4.tcp_rmem
      value: "4096 87380 6291456"
    - name: net/ipv4/ip_local_port_range
      value: "1024 65000"
    - name: kernel.msgmax
      value: "65536"
containers:
  - name: web
    image: nginx:1.27
"""


def test_sysctl_safe_set_depends_on_the_target_version() -> None:
    text = pod(SYSCTLS)
    old = run("unsafe-sysctls", text, version="1.31")
    assert [f.path for f in old] == [
        "spec.securityContext.sysctls[0].name",
        "spec.securityContext.sysctls[2].name",
    ]
    assert "is safe only from Kubernetes 1.32 (target 1.31)" in old[0].message
    (new,) = run("unsafe-sysctls", text, version="1.33")
    assert new.line == line_of(text, "kernel.msgmax")
    assert run("unsafe-sysctls", text, options={"allowed": ["kernel.msg*"]}) == []


def test_net_sysctls_are_refused_with_host_network() -> None:
    text = pod("hostNetwork: true\n" + SYSCTLS)
    findings = run("unsafe-sysctls", text, options={"allowed": ["kernel.*"]})
    assert [f.path for f in findings] == [
        "spec.securityContext.sysctls[0].name",
        "spec.securityContext.sysctls[1].name",
    ]
    assert "hostNetwork" in findings[1].message


def test_normalize_sysctl() -> None:
    assert kernel.normalize_sysctl("net/ipv4/conf/eth0.100/rp_filter") == (
        "net.ipv4.conf.eth0/100.rp_filter"
    )
    assert kernel.normalize_sysctl("net.ipv4.conf.eth0/100.rp_filter") == (
        "net.ipv4.conf.eth0/100.rp_filter"
    )


# --------------------------------------------------------------------------------------------
# Host paths, sockets and ports


def _host_path_pod(path: str, read_only: bool = False) -> str:
    return pod(f"""
        containers:
          - name: agent
            image: busybox:1.36
            volumeMounts:
              - name: host
                mountPath: /host
                readOnly: {str(read_only).lower()}
        volumes:
          - name: host
            hostPath:
              path: {path}
    """)


@pytest.mark.parametrize(
    ("path", "rule", "fragment"),
    [
        ("/", "host-path-sensitive", "mounts the node's root filesystem, writable"),
        ("/etc/", "host-path-sensitive", "mounts the node's /etc,"),
        ("/var/lib", "host-path-sensitive", "mounts the node's /var/lib, which contains"),
        ("/proc/1/ns", "host-path-sensitive", "mounts the node's /proc/1/ns, inside /proc"),
        ("/etc/kubernetes/pki", "host-path-sensitive", "inside /etc/kubernetes"),
        ("/var/run", "docker-socket-mount", "/var/run, which holds the container runtime socket"),
        ("/run/containerd", "docker-socket-mount", "holds the container runtime socket"),
        ("//var/run/docker.sock", "docker-socket-mount", "the container runtime socket /var/run"),
    ],
)
def test_host_paths_are_matched_as_paths(path: str, rule: str, fragment: str) -> None:
    text = _host_path_pod(path)
    (finding,) = run(rule, text)
    assert finding.path == "spec.volumes[0].hostPath.path"
    assert finding.line == line_of(text, "path: ")
    assert fragment in finding.message
    assert 'writable by container "agent"' in finding.message
    other = "docker-socket-mount" if rule == "host-path-sensitive" else "host-path-sensitive"
    assert run(other, text) == []  # one finding per volume, never both


@pytest.mark.parametrize("path", ["/etc/localtime", "/var/log", "/etcd", "/opt/data", "data"])
def test_harmless_host_paths_pass(path: str) -> None:
    text = _host_path_pod(path)
    assert run("host-path-sensitive", text) == []
    assert run("docker-socket-mount", text) == []


def test_read_only_mount_and_persistent_volume() -> None:
    (finding,) = run("host-path-sensitive", _host_path_pod("/sys", read_only=True))
    assert finding.message == 'hostPath volume "host" mounts the node\'s /sys, mounted read-only'
    pv = """\
    apiVersion: v1
    kind: PersistentVolume
    metadata:
      name: node-root
    spec:
      capacity:
        storage: 1Gi
      accessModes: [ReadWriteOnce]
      hostPath:
        path: /var/run/docker.sock
    """
    (finding,) = run("docker-socket-mount", pv)
    assert finding.path == "spec.hostPath.path"
    assert finding.line == line_of(pv, "path: /var/run")
    assert finding.message.startswith("the PersistentVolume mounts the container runtime socket")


def test_host_port_is_implied_by_host_network() -> None:
    text = pod("""
        hostNetwork: true
        containers:
          - name: web
            image: nginx:1.27
            ports:
              - containerPort: 80
                hostPort: 80
              - containerPort: 81
                hostPort: 8081
    """)
    (finding,) = run("host-port", text)
    assert finding.path == "spec.containers[0].ports[1].hostPort"
    assert finding.line == line_of(text, "hostPort: 8081")


def test_ssh_port_needs_tcp() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            ports:
              - containerPort: 22
                protocol: UDP
    """)
    assert run("ssh-port-exposed", text) == []


# --------------------------------------------------------------------------------------------
# Service accounts


SA_WORKLOAD = """\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
  namespace: shop
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {namespace}
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccount: web
{extra}      containers:
        - name: web
          image: nginx:1.27
"""


def test_service_account_in_the_same_namespace_decides_when_the_pod_does_not() -> None:
    # `serviceAccount` (the deprecated alias) names the account when serviceAccountName is unset.
    text = SA_WORKLOAD.format(namespace="shop", extra="")
    assert run("service-account-token-automounted", text) == []
    elsewhere = SA_WORKLOAD.format(namespace="other", extra="")
    (finding,) = run("service-account-token-automounted", elsewhere)
    assert finding.path == "spec.template.spec.automountServiceAccountToken"
    assert finding.line == line_of(elsewhere, "    spec:")
    assert 'ServiceAccount "web" is not in the input' in finding.message


def test_the_pod_field_overrides_the_service_account() -> None:
    extra = "      automountServiceAccountToken: true\n"
    text = SA_WORKLOAD.format(namespace="shop", extra=extra)
    (finding,) = run("service-account-token-automounted", text)
    assert finding.line == line_of(text, "automountServiceAccountToken: true")
    assert "sets automountServiceAccountToken: true" in finding.message


def test_service_account_name_wins_over_the_deprecated_field() -> None:
    text = pod("""
        serviceAccountName: web
        serviceAccount: old
        containers:
          - name: web
            image: nginx:1.27
    """)
    (finding,) = run("deprecated-service-account-field", text)
    assert finding.line == line_of(text, "serviceAccount: old")
    assert "ignored because serviceAccountName is web" in finding.message
    assert run("default-service-account", text) == []
    explicit = pod("""
        serviceAccountName: default
        containers:
          - name: web
            image: nginx:1.27
    """)
    (finding,) = run("default-service-account", explicit)
    assert finding.line == line_of(explicit, "serviceAccountName")


def test_server_dump_alias_is_not_reported() -> None:
    text = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: p
      uid: 0b7c7a4e-3f7d-4a7c-9b7e-2d6c1f0e8a11
      resourceVersion: "42"
    spec:
      serviceAccountName: web
      serviceAccount: web
      containers:
        - name: web
          image: nginx:1.27
    """
    assert run("deprecated-service-account-field", text) == []


# --------------------------------------------------------------------------------------------
# Env and images


@pytest.mark.parametrize(
    ("name", "value", "flagged"),
    [
        ("API_KEY", "abc123", True),
        ("github-token", "ghp_x", True),
        ("DATABASE_URL", "postgres://app:s3cret@db:5432/app", True),
        ("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/app", False),
        ("DB_PASSWORD", "$(SHARED_PASSWORD)", False),
        ("DB_PASSWORD_FILE", "/run/secrets/db", False),
        ("GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/key.json", False),
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", False),
        ("ENABLE_TOKEN_AUTH", "true", False),
        ("TOKEN_URL", "https://auth/token", False),
        ("PASSWORD", "", False),
        ("LOG_LEVEL", "debug", False),
    ],
)
def test_secret_in_env_heuristics(name: str, value: str, flagged: bool) -> None:
    text = pod(f"""
        containers:
          - name: web
            image: nginx:1.27
            env:
              - name: {name}
                value: "{value}"
    """)
    findings = run("secret-in-env", text)
    assert bool(findings) is flagged
    if findings:
        assert findings[0].path == "spec.containers[0].env[0].value"
        assert findings[0].line == line_of(text, "value:")
        assert not value or value not in findings[0].message  # never echo the secret


@pytest.mark.parametrize(
    ("image", "latest", "pull_default"),
    [
        ("nginx", True, "Always"),
        ("nginx:latest", True, "Always"),
        ("registry.local:5000/team/app", True, "Always"),
        ("registry.local:5000/team/app:1.2", False, "IfNotPresent"),
        ("nginx@sha256:" + "a" * 64, False, "IfNotPresent"),
        ("nginx:latest@sha256:" + "a" * 64, False, "Always"),
        # References that do not parse: ParseImageName errs and returns no tag, so
        # SetDefaults_Container picks IfNotPresent and nothing is ":latest" (kube/images.py).
        ("Nginx", False, "IfNotPresent"),
        ("registry.example.com/Team/App", False, "IfNotPresent"),
        ("<image_url>", False, "IfNotPresent"),
    ],
)
def test_image_reference_parsing(image: str, latest: bool, pull_default: str) -> None:
    text = pod(f"""
        containers:
          - name: web
            image: {image}
    """)
    assert bool(run("image-latest-tag", text)) is latest
    # The unset imagePullPolicy defaults from the tag (SetDefaults_Container).
    assert bool(run("image-pull-policy", text)) is (pull_default != "Always")
    assert bool(run("image-not-pinned-by-digest", text)) is ("@" not in image)


def test_image_pull_policy_names_a_reference_that_does_not_parse() -> None:
    text = pod("""
        containers:
          - name: web
            image: Nginx
    """)
    (finding,) = run("image-pull-policy", text)
    assert (
        "IfNotPresent (the default for an image reference that does not parse)" in finding.message
    )


def test_duplicate_env_points_at_the_repeat() -> None:
    text = pod("""
        containers:
          - name: web
            image: nginx:1.27
            env:
              - name: A
                value: "1"
              - name: B
                value: "2"
              - name: A
                value: "3"
    """)
    (finding,) = run("duplicate-env-var", text)
    assert finding.path == "spec.containers[0].env[2].name"
    assert finding.line == line_of(text, "- name: A", 2)
    assert "(env[0] and env[2])" in finding.message


# --------------------------------------------------------------------------------------------
# Namespace


def test_default_namespace_reads_the_written_namespace() -> None:
    text = """\
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
      namespace: default
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: reader
    ---
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: w
    """
    (finding,) = run("default-namespace", text)
    assert finding.path == "metadata.namespace"
    assert finding.line == line_of(text, "namespace: default")
    assert finding.message == 'ConfigMap "a" is in the "default" namespace'


# --------------------------------------------------------------------------------------------
# Windows and bodies of the wrong shape


def test_linux_only_rules_skip_windows_pods() -> None:
    text = pod("""
        os:
          name: windows
        containers:
          - name: web
            image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    """)
    for rule in (
        "capabilities-not-dropped",
        "writable-root-filesystem",
        "seccomp-profile-missing",
        "run-as-low-uid",
    ):
        assert run(rule, text) == [], rule
    assert run("run-as-root", text)  # runAsNonRoot applies to Windows pods too


def test_container_host_process() -> None:
    text = pod("""
        os:
          name: windows
        hostNetwork: true
        containers:
          - name: agent
            image: mcr.microsoft.com/windows/nanoserver:ltsc2022
            securityContext:
              windowsOptions:
                hostProcess: true
    """)
    (finding,) = run("host-process", text)
    assert finding.path == "spec.containers[0].securityContext.windowsOptions.hostProcess"
    assert finding.line == line_of(text, "hostProcess")


MALFORMED = [
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: 3\n",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: 3\nspec:\n  containers: x\n",
    """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations: 5
spec:
  os: windows
  hostNetwork: yes
  securityContext: [1]
  automountServiceAccountToken: "no"
  serviceAccountName: 7
  volumes: [null, {name: 1, hostPath: {path: 3}}, {hostPath: "x"}]
  containers:
    - 1
    - name: [x]
      image: 5
      env: [null, {name: 1}, {name: A, value: 2}, {name: PASSWORD, value: {a: 1}}]
      ports: [8080, {containerPort: "22", hostPort: true}]
      volumeMounts: "x"
      securityContext:
        privileged: "true"
        runAsUser: true
        capabilities: {add: SYS_ADMIN, drop: [1, null]}
        seccompProfile: []
        appArmorProfile: {type: 1}
        windowsOptions: 3
  initContainers: {a: 1}
""",
]


@pytest.mark.parametrize("text", MALFORMED)
@pytest.mark.parametrize("rule", RULES)
def test_rules_never_raise_on_malformed_bodies(rule: str, text: str) -> None:
    run(rule, text)  # `run` asserts there is no rule-error finding
