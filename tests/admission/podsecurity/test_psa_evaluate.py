"""The registry: which checks run for a level and version, their order, overrides, and the
clamp to the server's release (PSA policy/registry.go, registry_test.go,
check_hostProbesAndhostLifecycle_test.go TestHostProbesAndHostLifecycleEmulation), and a subset
of the pass/fail fixtures of PSA test/fixtures_*.go (test/testdata/<level>/<version>/...) at
the versions where a check's behaviour changes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from kubeplan.admission.podsecurity.api import LATEST, Level, LevelVersion, Version
from kubeplan.admission.podsecurity.evaluate import (
    MAX_POLICY_MINOR,
    CheckResult,
    checks_for,
    evaluate_pod,
    forbidden_detail,
    forbidden_reason,
    resolve_version,
    violation_message,
)

B, R, P = Level.BASELINE, Level.RESTRICTED, Level.PRIVILEGED


def lv(level: Level, minor: int | None = None) -> LevelVersion:
    return LevelVersion(level, Version(minor))


def base_pod(level: Level) -> dict[str, Any]:
    """test/fixtures.go: the minimal valid pod of the level (container1, initcontainer1), as the
    testdata YAMLs show it (e.g. testdata/restricted/v1.35/fail/procmount_restricted0.yaml)."""
    spec: dict[str, Any] = {
        "containers": [{"name": "container1", "image": "registry.k8s.io/pause"}],
        "initContainers": [{"name": "initcontainer1", "image": "registry.k8s.io/pause"}],
    }
    if level is R:
        spec["securityContext"] = {
            "runAsNonRoot": True,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
        for container in (*spec["containers"], *spec["initContainers"]):
            container["securityContext"] = {
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            }
    return {"metadata": {"name": "fixture"}, "spec": spec}


def failing(level_version: LevelVersion, pod: dict[str, Any], server: int = 37) -> list[str]:
    results = evaluate_pod(level_version, pod["metadata"], pod["spec"], server_minor=server)
    return [r.check_id for r in results]


def test_restricted_latest_runs_these_checks_in_this_order() -> None:
    """populate: baseline IDs sorted bytewise, then restricted IDs sorted; overridden baseline
    checks (capabilities, hostPathVolumes, procMount, seccomp) left out."""
    assert checks_for(lv(R), server_minor=37) == (
        "appArmorProfile",
        "hostNamespaces",
        "hostPorts",
        "hostProbesAndHostLifecycle",
        "privileged",
        "seLinuxOptions",
        "sysctls",
        "windowsHostProcess",
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "procMount_restricted",
        "restrictedVolumes",
        "runAsNonRoot",
        "runAsUser",
        "seccompProfile_restricted",
    )
    assert checks_for(lv(B), server_minor=37) == (
        "appArmorProfile",
        "capabilities_baseline",
        "hostNamespaces",
        "hostPathVolumes",
        "hostPorts",
        "hostProbesAndHostLifecycle",
        "privileged",
        "procMount",
        "seLinuxOptions",
        "seccompProfile_baseline",
        "sysctls",
        "windowsHostProcess",
    )
    assert checks_for(lv(P), server_minor=37) == ()


def test_restricted_before_the_overrides_keeps_the_baseline_checks() -> None:
    """Before 1.19/1.22/1.35 restricted runs seccompProfile_baseline, capabilities_baseline and
    procMount; restrictedVolumes replaces hostPathVolumes from 1.0; runAsUser starts at 1.23,
    allowPrivilegeEscalation at 1.8."""
    v18 = checks_for(lv(R, 18), server_minor=37)
    assert {"seccompProfile_baseline", "capabilities_baseline", "procMount"} <= set(v18)
    assert "hostPathVolumes" not in v18 and "runAsUser" not in v18
    assert "allowPrivilegeEscalation" not in checks_for(lv(R, 7), server_minor=37)
    assert "allowPrivilegeEscalation" in checks_for(lv(R, 8), server_minor=37)
    assert "runAsUser" in checks_for(lv(R, 23), server_minor=37)
    assert "procMount" in checks_for(lv(R, 34), server_minor=37)
    assert "procMount" not in checks_for(lv(R, 35), server_minor=37)


@pytest.mark.parametrize(
    ("version", "server", "resolved"),
    [
        (LATEST, 37, 37),
        (LATEST, 33, 33),
        (Version(40), 35, 35),
        (Version(30), 35, 30),
        (Version(0), 25, 0),
        (LATEST, 45, MAX_POLICY_MINOR),
    ],
)
def test_version_resolution_clamps_to_the_server(
    version: Version, server: int, resolved: int
) -> None:
    assert resolve_version(version, server) == resolved


@pytest.mark.parametrize(
    ("server", "active"),
    [(None, True), (34, True), (33, False)],
    ids=["no emulation", "emulate 1.34", "emulate 1.33"],
)
def test_host_probes_emulation(server: int | None, active: bool) -> None:
    """TestHostProbesAndHostLifecycleEmulation: latest and v1.34 deny only when the server
    knows the 1.34 check; v1.33 always allows."""
    spec = {"containers": [{"startupProbe": {"httpGet": {"host": "localhost"}}}]}
    minor = MAX_POLICY_MINOR if server is None else server
    for version in (LATEST, Version(34)):
        results = evaluate_pod(LevelVersion(B, version), {}, spec, server_minor=minor)
        assert bool(results) is active
    assert evaluate_pod(lv(B, 33), {}, spec, server_minor=minor) == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A fixture mutation: set `path` (dots; `*` = container1 and initcontainer1) to value."""

    def apply(pod: dict[str, Any]) -> None:
        parts = path.split(".")
        targets = [pod]
        for part in parts[:-1]:
            next_targets = []
            for target in targets:
                if part == "*":
                    next_targets += [*target["containers"], *target["initContainers"]]
                elif part == "container1":
                    next_targets.append(target["containers"][0])
                else:
                    next_targets.append(target.setdefault(part, {}))
            targets = next_targets
        for target in targets:
            if value is _DELETE:
                target.pop(parts[-1], None)
            else:
                target[parts[-1]] = copy.deepcopy(value)

    return apply


_DELETE = object()

# (fixture, level, mutations, last minor that passes or None, first minor that fails,
#  expected failing check at that minor). From test/fixtures_<check>.go; the testdata file
# named where one is the same pod.
FIXTURES: list[tuple[str, Level, list[Any], int | None, int, str]] = [
    (
        "fixtures_sysctls.go: net.ipv4.ip_local_reserved_ports",
        B,
        [
            _set(
                "spec.securityContext.sysctls",
                [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"}],
            )
        ],
        27,
        26,
        "sysctls",
    ),
    (
        "fixtures_sysctls.go: net.ipv4.tcp_keepalive_time",
        B,
        [
            _set(
                "spec.securityContext.sysctls",
                [{"name": "net.ipv4.tcp_keepalive_time", "value": "7200"}],
            )
        ],
        29,
        28,
        "sysctls",
    ),
    (
        "testdata/baseline/v1.34/pass/sysctls1.yaml: tcp_rmem, tcp_wmem",
        B,
        [
            _set(
                "spec.securityContext.sysctls",
                [
                    {"name": "net.ipv4.tcp_rmem", "value": "4096 87380 16777216"},
                    {"name": "net.ipv4.tcp_wmem", "value": "4096 65536 16777216"},
                ],
            )
        ],
        32,
        31,
        "sysctls",
    ),
    (
        "fixtures_sysctls.go: net.ipv4.tcp_notsent_lowat (1.37)",
        B,
        [
            _set(
                "spec.securityContext.sysctls",
                [{"name": "net.ipv4.tcp_notsent_lowat", "value": "1"}],
            )
        ],
        37,
        36,
        "sysctls",
    ),
    (
        "fixtures_seLinuxOptions.go: container_engine_t",
        B,
        [_set("spec.*.securityContext.seLinuxOptions", {"type": "container_engine_t"})],
        31,
        30,
        "seLinuxOptions",
    ),
    (
        "fixtures_seccompProfile_baseline.go: unconfined annotation (1.0-1.18)",
        B,
        [_set("metadata.annotations", {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"})],
        19,
        18,
        "seccompProfile_baseline",
    ),
    (
        "fixtures_allowPrivilegeEscalation.go: windows pod, unset (1.25 exemption)",
        R,
        [
            _set("spec.*.securityContext.allowPrivilegeEscalation", _DELETE),
            _set("spec.os", {"name": "windows"}),
        ],
        25,
        24,
        "allowPrivilegeEscalation",
    ),
    (
        "fixtures_capabilities_restricted.go: windows pod, no drop (1.25 exemption)",
        R,
        [
            _set("spec.*.securityContext.capabilities", _DELETE),
            _set("spec.os", {"name": "windows"}),
        ],
        25,
        24,
        "capabilities_restricted",
    ),
    (
        "fixtures_seccompProfile_restricted.go: windows pod, unset (1.25 exemption)",
        R,
        [
            _set("spec.securityContext.seccompProfile", _DELETE),
            _set("spec.os", {"name": "windows"}),
        ],
        25,
        24,
        "seccompProfile_restricted",
    ),
    (
        "fixtures_runAsNonRoot.go: hostUsers false, unset (1.35 relaxation)",
        R,
        [_set("spec.securityContext.runAsNonRoot", _DELETE), _set("spec.hostUsers", False)],
        35,
        34,
        "runAsNonRoot",
    ),
    (
        "fixtures_runAsUser.go: hostUsers false, runAsUser 0 (1.35 relaxation)",
        R,
        [_set("spec.securityContext.runAsUser", 0), _set("spec.hostUsers", False)],
        35,
        34,
        "runAsUser",
    ),
    (
        "fixtures_procMount.go: baseline, hostUsers false, Unmasked (1.35 relaxation)",
        B,
        [
            _set("spec.container1.securityContext.procMount", "Unmasked"),
            _set("spec.hostUsers", False),
        ],
        35,
        34,
        "procMount",
    ),
    (
        "testdata/baseline/v1.34/fail/hostprobesandhostlifecycle0.yaml",
        B,
        [_set("spec.container1.livenessProbe", {"httpGet": {"host": "bad.host", "port": 8080}})],
        33,
        34,
        "hostProbesAndHostLifecycle",
    ),
    (
        "fixtures_runAsUser.go: runAsUser 0 (from 1.23)",
        R,
        [_set("spec.securityContext.runAsUser", 0)],
        22,
        23,
        "runAsUser",
    ),
    (
        "fixtures_capabilities_restricted.go: no drop ALL (from 1.22)",
        R,
        [_set("spec.*.securityContext.capabilities", _DELETE)],
        21,
        22,
        "capabilities_restricted",
    ),
    (
        "fixtures_seccompProfile_restricted.go: unset (from 1.19)",
        R,
        [_set("spec.securityContext.seccompProfile", _DELETE)],
        18,
        19,
        "seccompProfile_restricted",
    ),
    (
        "fixtures_allowPrivilegeEscalation.go: unset (from 1.8)",
        R,
        [_set("spec.*.securityContext.allowPrivilegeEscalation", _DELETE)],
        7,
        8,
        "allowPrivilegeEscalation",
    ),
]


@pytest.mark.parametrize(
    ("level", "mutations", "passes_at", "fails_at", "check_id"),
    [case[1:] for case in FIXTURES],
    ids=[case[0] for case in FIXTURES],
)
def test_fixture_fails_and_passes_where_the_behaviour_changes(
    level: Level,
    mutations: list[Any],
    passes_at: int | None,
    fails_at: int,
    check_id: str,
) -> None:
    pod = base_pod(level)
    for mutate in mutations:
        mutate(pod)
    assert check_id in failing(lv(level, fails_at), pod)
    if passes_at is not None:
        assert failing(lv(level, passes_at), pod) == []


def test_procmount_restricted_ignores_user_namespaces() -> None:
    """testdata/restricted/v1.35/fail/procmount_restricted0.yaml: Unmasked with hostUsers false
    passes baseline 1.35 but fails restricted 1.35 on procMount_restricted; restricted 1.34
    reports the baseline procMount check instead."""
    pod = base_pod(R)
    pod["spec"]["hostUsers"] = False
    pod["spec"]["containers"][0]["securityContext"]["procMount"] = "Unmasked"
    assert failing(lv(R, 35), pod) == ["procMount_restricted"]
    assert failing(lv(R), pod) == ["procMount_restricted"]
    assert failing(lv(B, 35), pod) == []
    assert failing(lv(R, 34), pod) == ["procMount"]


def test_restricted_volumes_replaces_host_path_volumes() -> None:
    pod = base_pod(R)
    pod["spec"]["volumes"] = [{"name": "host", "hostPath": {"path": "/"}}]
    assert failing(lv(R), pod) == ["restrictedVolumes"]
    assert failing(lv(B), pod) == ["hostPathVolumes"]


def test_latest_follows_the_server_release() -> None:
    """`latest` on a 1.30 server is the 1.30 policy (no container_engine_t, no tcp_rmem)."""
    pod = base_pod(B)
    pod["spec"]["securityContext"] = {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]}
    assert failing(lv(B), pod, server=31) == ["sysctls"]
    assert failing(lv(B), pod, server=32) == []


@pytest.mark.parametrize("minor", range(MAX_POLICY_MINOR + 1))
def test_the_restricted_base_pod_passes_every_version(minor: int) -> None:
    assert failing(lv(R, minor), base_pod(R)) == []


def test_privileged_evaluates_nothing() -> None:
    pod = {
        "hostNetwork": True,
        "containers": [{"name": "a", "securityContext": {"privileged": True}}],
    }
    assert evaluate_pod(lv(P), {}, pod, server_minor=37) == []


def test_messages_as_admission_prints_them() -> None:
    """policy/checks.go ForbiddenDetail (a reason with an empty detail stands alone) and
    admission.go EvaluatePod (`violates` for enforce, `would violate` for warn and audit)."""
    results = [
        CheckResult("hostPorts", "hostPort", 'container "a" uses hostPort 80', ()),
        CheckResult("x", "reason only", "", ()),
    ]
    assert forbidden_detail(results) == 'hostPort (container "a" uses hostPort 80), reason only'
    assert forbidden_reason(results) == "hostPort, reason only"
    assert violation_message(lv(B, 29), results[:1], enforce=True) == (
        'violates PodSecurity "baseline:v1.29": hostPort (container "a" uses hostPort 80)'
    )
    assert violation_message(lv(R), results[1:], enforce=False) == (
        'would violate PodSecurity "restricted:latest": reason only'
    )


def test_a_bare_pod_at_restricted_latest() -> None:
    """The message kubectl shows for a pod without any securityContext."""
    spec = {"containers": [{"name": "app", "image": "nginx"}]}
    results = evaluate_pod(lv(R), {}, spec, server_minor=35)
    assert violation_message(lv(R), results, enforce=True) == (
        'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false '
        '(container "app" must set securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (container "app" must set '
        'securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container '
        '"app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container '
        '"app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")'
    )
    assert results[0].paths == (
        ("spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"),
    )


def test_image_volumes_follow_the_server_release_not_the_policy_version() -> None:
    """check_restrictedVolumes.go: `image` joined the 1.0 function in the 1.33 release, so a
    1.32 server refuses it as "unknown" and a 1.33 server allows it even at v1.25."""
    pod = base_pod(R)
    pod["spec"]["volumes"] = [{"name": "tools", "image": {"reference": "tools:1"}}]
    for version in (LATEST, Version(25)):
        results = evaluate_pod(LevelVersion(R, version), {}, pod["spec"], server_minor=32)
        assert [(r.check_id, r.detail) for r in results] == [
            ("restrictedVolumes", 'volume "tools" uses restricted volume type "unknown"')
        ]
        assert results[0].paths == (("spec", "volumes", 0),)
        assert evaluate_pod(LevelVersion(R, version), {}, pod["spec"], server_minor=33) == []


def test_apparmor_fields_are_checked_from_the_1_30_release_at_every_version() -> None:
    spec = {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": []}
    for version in (LATEST, Version(25)):
        level_version = LevelVersion(B, version)
        assert evaluate_pod(level_version, {}, spec, server_minor=29) == []
        results = evaluate_pod(level_version, {}, spec, server_minor=30)
        assert [r.detail for r in results] == [
            'pod must not set AppArmor profile type to "Unconfined"'
        ]


def _tweak(level: Level, *mutations: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    pod = base_pod(level)
    for mutate in mutations:
        mutate(pod)
    return pod


def _caps(target: str, add: list[str]) -> Callable[[dict[str, Any]], None]:
    return _set(f"spec.{target}.securityContext.capabilities.add", add)


def _init_only(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(pod: dict[str, Any]) -> None:
        context = pod["spec"]["initContainers"][0].setdefault("securityContext", {})
        for part in path.split(".")[:-1]:
            context = context.setdefault(part, {})
        context[path.split(".")[-1]] = value

    return apply


_RESTRICTED_SOURCES = {
    "gcePersistentDisk": {"pdName": "test"},
    "awsElasticBlockStore": {"volumeID": "test"},
    "gitRepo": {"repository": "github.com/kubernetes/kubernetes"},
    "nfs": {"server": "test", "path": "/test"},
    "iscsi": {"targetPortal": "test", "iqn": "iqn.2001-04.com.example:storage.kube.sys1.xyz"},
    "glusterfs": {"path": "test", "endpoints": "test"},
    "rbd": {"monitors": ["test"], "image": "test"},
    "flexVolume": {"driver": "test"},
    "cinder": {"volumeID": "test"},
    "cephfs": {"monitors": ["test"]},
    "flocker": {"datasetName": "test"},
    "fc": {"wwids": ["test"]},
    "azureFile": {"secretName": "test", "shareName": "test"},
    "vsphereVolume": {"volumePath": "test"},
    "quobyte": {"registry": "localhost:1234", "volume": "test"},
    "azureDisk": {"diskName": "test", "diskURI": "https://test.blob.core.windows.net/t.vhd"},
    "portworxVolume": {"volumeID": "test", "fsType": "ext4"},
    "scaleIO": {"volumeName": "test", "gateway": "localhost", "system": "test"},
    "storageos": {"volumeName": "test"},
    "hostPath": {"path": "/dev/null"},
}

# (generator and case, level, pod, check expected to fail at v1.0 and latest)
FAIL_FIXTURES: list[tuple[str, Level, dict[str, Any], str]] = [
    *[
        (
            f"fixtures_hostNamespaces.go fail {key}",
            B,
            _tweak(B, _set(f"spec.{key}", True)),
            "hostNamespaces",
        )
        for key in ("hostIPC", "hostNetwork", "hostPID")
    ],
    (
        "fixtures_capabilities_baseline.go fail NET_RAW",
        B,
        _tweak(B, _caps("container1", ["NET_RAW"])),
        "capabilities_baseline",
    ),
    (
        "fixtures_capabilities_baseline.go fail init container NET_RAW",
        B,
        _tweak(B, _init_only("capabilities.add", ["NET_RAW"])),
        "capabilities_baseline",
    ),
    (
        "fixtures_capabilities_baseline.go fail case-difference",
        B,
        _tweak(B, _caps("container1", ["chown"])),
        "capabilities_baseline",
    ),
    (
        "fixtures_capabilities_baseline.go fail CAP_ prefix",
        B,
        _tweak(B, _caps("container1", ["CAP_CHOWN"])),
        "capabilities_baseline",
    ),
    (
        "fixtures_windowsHostProcess.go fail true for pod",
        B,
        _tweak(
            B,
            _set("spec.hostNetwork", True),
            _set("spec.securityContext.windowsOptions", {"hostProcess": True}),
        ),
        "windowsHostProcess",
    ),
    (
        "fixtures_windowsHostProcess.go fail true for containers",
        B,
        _tweak(
            B,
            _set("spec.hostNetwork", True),
            _set("spec.*.securityContext.windowsOptions", {"hostProcess": True}),
        ),
        "windowsHostProcess",
    ),
    *[
        (
            f"fixtures_restrictedVolumes.go fail {source}",
            R,
            _tweak(R, _set("spec.volumes", [{"name": "volume1", source: fields}])),
            "restrictedVolumes",
        )
        for source, fields in _RESTRICTED_SOURCES.items()
    ],
]


@pytest.mark.parametrize(
    ("level", "pod", "check_id"),
    [case[1:] for case in FAIL_FIXTURES],
    ids=[case[0] for case in FAIL_FIXTURES],
)
def test_fail_fixtures(level: Level, pod: dict[str, Any], check_id: str) -> None:
    for version in (Version(0), LATEST):
        assert check_id in failing(LevelVersion(level, version), pod)


def test_pass_fixtures() -> None:
    """fixtures_capabilities_baseline.go pass (all allowed capabilities on container1 and
    initcontainer1) and fixtures_restrictedVolumes.go pass (every allowed type, and volume0
    without a source, an emptyDir once defaulted)."""
    allowed = ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD"]
    allowed += ["NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
    caps = _tweak(B, _set("spec.*.securityContext.capabilities.add", allowed))
    assert failing(lv(B, 0), caps) == failing(lv(B), caps) == []
    volumes = _tweak(
        R,
        _set(
            "spec.volumes",
            [
                {"name": "volume0"},
                {"name": "volume1", "emptyDir": {}},
                {"name": "volume2", "secret": {"secretName": "test"}},
                {"name": "volume3", "persistentVolumeClaim": {"claimName": "test"}},
                {"name": "volume4", "downwardAPI": {"items": []}},
                {"name": "volume5", "configMap": {"name": "test"}},
                {"name": "volume6", "projected": {"sources": []}},
            ],
        ),
    )
    assert failing(lv(R, 0), volumes) == failing(lv(R), volumes) == []
