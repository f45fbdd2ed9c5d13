"""The Go test tables of k8s.io/pod-security-admission `policy/check_*_test.go`, case by case:
each case calls the Python function named after the Go one and expects its exact
ForbiddenReason and ForbiddenDetail. Test ids are `<GoTest>/<case name>`."""

from __future__ import annotations

from typing import Any

import pytest

from kubeplan.admission.podsecurity.checks import (
    apparmor,
    capabilities,
    host,
    privilege,
    procmount,
    seccomp,
    selinux,
    sysctls,
    users,
    volumes,
)

AA = "container.apparmor.security.beta.kubernetes.io/"


def c(name: str, **security: Any) -> dict[str, Any]:
    """A container; keyword arguments go into its securityContext (None: no securityContext,
    `sc={}`: an empty one)."""
    container: dict[str, Any] = {"name": name}
    if "sc" in security:
        container["securityContext"] = security.pop("sc")
    if security:
        container["securityContext"] = security
    return container


# (id, function, metadata, spec, reason, detail); reason None = allowed.
CASES: list[tuple[str, Any, dict[str, Any], dict[str, Any], str | None, str]] = [
    # check_allowPrivilegeEscalation_test.go
    (
        "TestAllowPrivilegeEscalation/multiple containers",
        privilege.allow_privilege_escalation_1_8,
        {},
        {
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", allowPrivilegeEscalation=True),
                c("d", allowPrivilegeEscalation=False),
            ]
        },
        "allowPrivilegeEscalation != false",
        'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
    ),
    # check_appArmorProfile_test.go TestCheckAppArmor_Allowed
    *[
        (f"TestCheckAppArmor_Allowed/{name}", apparmor.app_armor_profile_1_0, meta, spec, None, "")
        for name, meta, spec in [
            (
                "container with default AppArmor + extra annotations",
                {"annotations": {AA + "test": "runtime/default", "env": "prod"}},
                {},
            ),
            (
                "container with local AppArmor + extra annotations",
                {"annotations": {AA + "test": "localhost/sec-profile01", "env": "dev"}},
                {},
            ),
            ("container with no AppArmor annotations", {"annotations": {"env": "dev"}}, {}),
            ("container with no annotations", {}, {}),
            (
                "pod with runtime default",
                {},
                {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}},
            ),
            (
                "container with localhost profile",
                {},
                {"containers": [c("foo", appArmorProfile={"type": "RuntimeDefault"})]},
            ),
        ]
    ],
    # check_appArmorProfile_test.go TestCheckAppArmor_Forbidden
    (
        "TestCheckAppArmor_Forbidden/unconfined pod",
        apparmor.app_armor_profile_1_0,
        {},
        {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}},
        "forbidden AppArmor profile",
        'pod must not set AppArmor profile type to "Unconfined"',
    ),
    (
        "TestCheckAppArmor_Forbidden/unconfined container",
        apparmor.app_armor_profile_1_0,
        {},
        {
            "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
            "containers": [c("foo", appArmorProfile={"type": "Unconfined"})],
        },
        "forbidden AppArmor profile",
        'container "foo" must not set AppArmor profile type to "Unconfined"',
    ),
    (
        "TestCheckAppArmor_Forbidden/unconfined init container",
        apparmor.app_armor_profile_1_0,
        {},
        {
            "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
            "containers": [c("foo")],
            "initContainers": [c("bar", appArmorProfile={"type": "Unconfined"})],
        },
        "forbidden AppArmor profile",
        'container "bar" must not set AppArmor profile type to "Unconfined"',
    ),
    (
        "TestCheckAppArmor_Forbidden/multiple containers",
        apparmor.app_armor_profile_1_0,
        {
            "annotations": {
                AA: "bogus",
                AA + "a": "",
                AA + "b": "runtime/default",
                AA + "c": "localhost/",
                AA + "d": "localhost/foo",
                AA + "e": "unconfined",
                AA + "f": "unknown",
            }
        },
        {},
        "forbidden AppArmor profiles",
        "annotations must not set AppArmor profile type to "
        + ", ".join(
            [
                f'"{AA}="bogus""',
                f'"{AA}e="unconfined""',
                f'"{AA}f="unknown""',
            ]
        ),
    ),
    # check_capabilities_baseline_test.go
    (
        "TestCapabilitiesBaseline/multiple containers",
        capabilities.capabilities_baseline_1_0,
        {},
        {
            "containers": [
                c("a", capabilities={"add": ["FOO", "BAR"]}),
                c("b", capabilities={"add": ["BAR", "BAZ"]}),
            ]
        },
        "non-default capabilities",
        'containers "a", "b" must not include "BAR", "BAZ", "FOO" in '
        "securityContext.capabilities.add",
    ),
    # check_capabilities_restricted_test.go
    (
        "TestCapabilitiesRestricted/multiple containers",
        capabilities.capabilities_restricted_1_22,
        {},
        {
            "containers": [
                c("a", capabilities={"add": ["FOO", "BAR"]}),
                c("b", capabilities={"add": ["BAR", "BAZ"]}),
                c("c", capabilities={"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL", "FOO"]}),
            ]
        },
        "unrestricted capabilities",
        'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; '
        'containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in '
        "securityContext.capabilities.add",
    ),
    # check_hostNamespaces_test.go
    (
        "TestHostNamespaces/multiple host namespaces",
        host.host_namespaces_1_0,
        {},
        {"hostNetwork": True, "hostIPC": True, "hostPID": True},
        "host namespaces",
        "hostNetwork=true, hostPID=true, hostIPC=true",
    ),
    # check_hostPathVolumes_test.go
    (
        "TestHostPathVolumes/host path volumes",
        host.host_path_volumes_1_0,
        {},
        {
            "volumes": [
                {"name": "a", "hostPath": {}},
                {"name": "b", "hostPath": {}},
                {"name": "c", "emptyDir": {}},
            ]
        },
        "hostPath volumes",
        'volumes "a", "b"',
    ),
    # check_hostPorts_test.go
    (
        "TestHostPort/one container, one host port",
        host.host_ports_1_0,
        {},
        {
            "containers": [
                {"name": "a", "ports": [{"hostPort": 0}]},
                {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 20}]},
            ]
        },
        "hostPort",
        'container "b" uses hostPort 20',
    ),
    (
        "TestHostPort/multiple containers, multiple host port",
        host.host_ports_1_0,
        {},
        {
            "containers": [
                {"name": "a", "ports": [{"hostPort": 0}]},
                {"name": "b", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 20}]},
                {"name": "c", "ports": [{"hostPort": 0}, {"hostPort": 10}, {"hostPort": 30}]},
            ]
        },
        "hostPort",
        'containers "b", "c" use hostPorts 10, 20, 30',
    ),
    # check_privileged_test.go
    (
        "TestPrivileged/privileged",
        privilege.privileged_1_0,
        {},
        {
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", privileged=False),
                c("d", privileged=True),
                c("e", privileged=True),
            ]
        },
        "privileged",
        'containers "d", "e" must not set securityContext.privileged=true',
    ),
    # check_procMount_baseline_test.go (procMount1_35baseline)
    (
        "TestProcMountBaseline/procMount",
        procmount.proc_mount_1_35_baseline,
        {},
        {
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", procMount="Default"),
                c("d", procMount="Unmasked"),
                c("e", procMount="other"),
            ],
            "hostUsers": True,
        },
        "procMount",
        'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
    ),
    (
        "TestProcMountBaseline/procMount with userns",
        procmount.proc_mount_1_35_baseline,
        {},
        {
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", procMount="Default"),
                c("d", procMount="Unmasked"),
                c("e", procMount="other"),
            ],
            "hostUsers": False,
        },
        None,
        "",
    ),
    # check_procMount_restricted_test.go: procMount_1_0 with hostUsers true and false
    *[
        (
            f"TestProcMountRestricted/procMount hostUsers={userns}",
            procmount.proc_mount_1_0,
            {},
            {
                "containers": [
                    c("a"),
                    c("b", sc={}),
                    c("c", procMount="Default"),
                    c("d", procMount="Unmasked"),
                    c("e", procMount="other"),
                ],
                "hostUsers": userns,
            },
            "procMount",
            'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
        )
        for userns in (True, False)
    ],
    # check_restrictedVolumes_test.go
    (
        "TestRestrictedVolumes/host path volumes",
        volumes.restricted_volumes_1_0,
        {},
        {
            "volumes": [
                {"name": "a1", "emptyDir": {}},
                {"name": "a2", "secret": {}},
                {"name": "a3", "persistentVolumeClaim": {}},
                {"name": "a4", "downwardAPI": {}},
                {"name": "a5", "configMap": {}},
                {"name": "a6", "projected": {}},
                {"name": "a7", "csi": {}},
                {"name": "a8", "ephemeral": {}},
                {"name": "a9", "image": {}},
                {"name": "b1", "hostPath": {}},
                {"name": "b2", "gcePersistentDisk": {}},
                {"name": "b3", "awsElasticBlockStore": {}},
                {"name": "b4", "gitRepo": {}},
                {"name": "b5", "nfs": {}},
                {"name": "b6", "iscsi": {}},
                {"name": "b7", "glusterfs": {}},
                {"name": "b8", "rbd": {}},
                {"name": "b9", "flexVolume": {}},
                {"name": "b10", "cinder": {}},
                {"name": "b11", "cephfs": {}},
                {"name": "b12", "flocker": {}},
                {"name": "b13", "fc": {}},
                {"name": "b14", "azureFile": {}},
                {"name": "b15", "vsphereVolume": {}},
                {"name": "b16", "quobyte": {}},
                {"name": "b17", "azureDisk": {}},
                {"name": "b18", "photonPersistentDisk": {}},
                {"name": "b19", "portworxVolume": {}},
                {"name": "b20", "scaleIO": {}},
                {"name": "b21", "storageos": {}},
                {"name": "c1"},
            ]
        },
        "restricted volume types",
        "volumes "
        '"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", '
        '"b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1"'
        " use restricted volume types "
        '"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", '
        '"flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", '
        '"hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", '
        '"rbd", "scaleIO", "storageos", "unknown", "vsphereVolume"',
    ),
    # check_runAsNonRoot_test.go (runAsNonRoot1_35)
    (
        "TestRunAsNonRoot/no explicit runAsNonRoot",
        users.run_as_non_root_1_35,
        {},
        {"containers": [c("a")]},
        "runAsNonRoot != true",
        'pod or container "a" must set securityContext.runAsNonRoot=true',
    ),
    (
        "TestRunAsNonRoot/pod runAsNonRoot=false",
        users.run_as_non_root_1_35,
        {},
        {"securityContext": {"runAsNonRoot": False}, "containers": [c("a")]},
        "runAsNonRoot != true",
        "pod must not set securityContext.runAsNonRoot=false",
    ),
    (
        "TestRunAsNonRoot/containers runAsNonRoot=false",
        users.run_as_non_root_1_35,
        {},
        {
            "securityContext": {"runAsNonRoot": True},
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", runAsNonRoot=False),
                c("d", runAsNonRoot=False),
                c("e", runAsNonRoot=True),
                c("f", runAsNonRoot=True),
            ],
        },
        "runAsNonRoot != true",
        'containers "c", "d" must not set securityContext.runAsNonRoot=false',
    ),
    (
        "TestRunAsNonRoot/pod nil, container fallthrough",
        users.run_as_non_root_1_35,
        {},
        {
            "containers": [
                c("a"),
                c("b", sc={}),
                c("d", runAsNonRoot=True),
                c("e", runAsNonRoot=True),
            ]
        },
        "runAsNonRoot != true",
        'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
    ),
    (
        "TestRunAsNonRoot/host users false allowed",
        users.run_as_non_root_1_35,
        {},
        {"hostUsers": False},
        None,
        "",
    ),
    # check_runAsUser_test.go (runAsUser1_35)
    (
        "TestRunAsUser/pod runAsUser=0",
        users.run_as_user_1_35,
        {},
        {"securityContext": {"runAsUser": 0}, "containers": [c("a")]},
        "runAsUser=0",
        "pod must not set runAsUser=0",
    ),
    (
        "TestRunAsUser/pod runAsUser=non-zero",
        users.run_as_user_1_35,
        {},
        {"securityContext": {"runAsUser": 1000}, "containers": [c("a")]},
        None,
        "",
    ),
    (
        "TestRunAsUser/pod runAsUser=nil",
        users.run_as_user_1_35,
        {},
        {"securityContext": {"runAsUser": None}, "containers": [c("a")]},
        None,
        "",
    ),
    (
        "TestRunAsUser/containers runAsUser=0",
        users.run_as_user_1_35,
        {},
        {
            "securityContext": {"runAsUser": 1000},
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", runAsUser=0),
                c("d", runAsUser=0),
                c("e", runAsUser=1),
                c("f", runAsUser=1),
            ],
        },
        "runAsUser=0",
        'containers "c", "d" must not set runAsUser=0',
    ),
    (
        "TestRunAsUser/containers runAsUser=non-zero",
        users.run_as_user_1_35,
        {},
        {
            "containers": [
                c("c", runAsUser=1),
                c("d", runAsUser=2),
                c("e", runAsUser=3),
                c("f", runAsUser=4),
            ]
        },
        None,
        "",
    ),
    (
        "TestRunAsUser/UserNamespacesPodSecurityStandards enabled without HostUsers",
        users.run_as_user_1_35,
        {},
        {"hostUsers": False},
        None,
        "",
    ),
    (
        "TestRunAsUser/UserNamespacesPodSecurityStandards enabled with HostUsers",
        users.run_as_user_1_35,
        {},
        {"securityContext": {"runAsUser": 0}, "containers": [c("a")], "hostUsers": True},
        "runAsUser=0",
        "pod must not set runAsUser=0",
    ),
    # check_seccompProfile_baseline_test.go TestSeccompProfileBaseline_1_0
    (
        "TestSeccompProfileBaseline_1_0/pod seccomp invalid",
        seccomp.seccomp_profile_baseline_1_0,
        {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
        {},
        "seccompProfile",
        'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
    ),
    (
        "TestSeccompProfileBaseline_1_0/containers seccomp invalid",
        seccomp.seccomp_profile_baseline_1_0,
        {
            "annotations": {
                "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
            }
        },
        {"containers": [c("a"), c("b"), c("c")]},
        "seccompProfile",
        'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", '
        'container.seccomp.security.alpha.kubernetes.io/b="unknown"',
    ),
    (
        "TestSeccompProfileBaseline_1_0/pod and containers seccomp invalid",
        seccomp.seccomp_profile_baseline_1_0,
        {
            "annotations": {
                "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
                "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
            }
        },
        {"containers": [c("a"), c("b"), c("c")]},
        "seccompProfile",
        'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", '
        'container.seccomp.security.alpha.kubernetes.io/b="unknown", '
        'seccomp.security.alpha.kubernetes.io/pod="unconfined"',
    ),
    # TestSeccompProfileBaseline_1_19
    (
        "TestSeccompProfileBaseline_1_19/pod seccomp invalid",
        seccomp.seccomp_profile_baseline_1_19,
        {},
        {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [c("a")]},
        "seccompProfile",
        'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
    *[
        (
            f"TestSeccompProfileBaseline_1_19/{case}",
            seccomp.seccomp_profile_baseline_1_19,
            {},
            {
                "securityContext": {"seccompProfile": {"type": pod_type}},
                "containers": [
                    c("a"),
                    c("b", sc={}),
                    c("c", seccompProfile={"type": "Unconfined"}),
                    c("d", seccompProfile={"type": "Unconfined"}),
                    c("e", seccompProfile={"type": "RuntimeDefault"}),
                    c("f", seccompProfile={"type": "RuntimeDefault"}),
                ],
            },
            "seccompProfile",
            detail,
        )
        for case, pod_type, detail in [
            (
                "containers seccomp invalid",
                "RuntimeDefault",
                'containers "c", "d" must not set securityContext.seccompProfile.type to '
                '"Unconfined"',
            ),
            (
                "pod and containers seccomp invalid",
                "Unconfined",
                'pod and containers "c", "d" must not set securityContext.seccompProfile.type '
                'to "Unconfined"',
            ),
        ]
    ],
    # check_seccompProfile_restricted_test.go (seccompProfileRestricted_1_19)
    (
        "TestSeccompProfileRestricted/no explicit seccomp",
        seccomp.seccomp_profile_restricted_1_19,
        {},
        {"containers": [c("a")]},
        "seccompProfile",
        'pod or container "a" must set securityContext.seccompProfile.type to '
        '"RuntimeDefault" or "Localhost"',
    ),
    (
        "TestSeccompProfileRestricted/pod seccomp invalid",
        seccomp.seccomp_profile_restricted_1_19,
        {},
        {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [c("a")]},
        "seccompProfile",
        'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
    (
        "TestSeccompProfileRestricted/containers seccomp invalid",
        seccomp.seccomp_profile_restricted_1_19,
        {},
        {
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", seccompProfile={"type": "Unconfined"}),
                c("d", seccompProfile={"type": "Unconfined"}),
                c("e", seccompProfile={"type": "RuntimeDefault"}),
                c("f", seccompProfile={"type": "RuntimeDefault"}),
            ],
        },
        "seccompProfile",
        'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
    ),
    (
        "TestSeccompProfileRestricted/pod nil, container fallthrough",
        seccomp.seccomp_profile_restricted_1_19,
        {},
        {
            "containers": [
                c("a"),
                c("b", sc={}),
                c("d", seccompProfile={"type": "RuntimeDefault"}),
                c("e", seccompProfile={"type": "RuntimeDefault"}),
            ]
        },
        "seccompProfile",
        'pod or containers "a", "b" must set securityContext.seccompProfile.type to '
        '"RuntimeDefault" or "Localhost"',
    ),
    # check_seLinuxOptions_test.go (seLinuxOptions1_31)
    (
        "TestSELinuxOptions/invalid pod and containers",
        selinux.se_linux_options_1_31,
        {},
        {
            "securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}},
            "containers": [
                c("a", seLinuxOptions={"type": "container_t"}),
                c("b", seLinuxOptions={"type": "container_init_t"}),
                c("c", seLinuxOptions={"type": "container_kvm_t"}),
                c("d", seLinuxOptions={"type": "container_engine_t"}),
                c("e", seLinuxOptions={"type": "bar"}),
                c("f", seLinuxOptions={"user": "bar"}),
                c("g", seLinuxOptions={"role": "baz"}),
            ],
        },
        "seLinuxOptions",
        'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: '
        'types "bar", "foo"; user may not be set; role may not be set',
    ),
    (
        "TestSELinuxOptions/invalid pod",
        selinux.se_linux_options_1_31,
        {},
        {
            "securityContext": {"seLinuxOptions": {"type": "foo", "user": "bar", "role": "baz"}},
            "containers": [
                c("a", seLinuxOptions={"type": "container_t"}),
                c("b", seLinuxOptions={"type": "container_init_t"}),
                c("c", seLinuxOptions={"type": "container_kvm_t"}),
                c("d", seLinuxOptions={"type": "container_engine_t"}),
            ],
        },
        "seLinuxOptions",
        'pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; '
        "role may not be set",
    ),
    (
        "TestSELinuxOptions/invalid containers",
        selinux.se_linux_options_1_31,
        {},
        {
            "securityContext": {"seLinuxOptions": {}},
            "containers": [
                c("a", seLinuxOptions={"type": "container_t"}),
                c("b", seLinuxOptions={"type": "container_init_t"}),
                c("c", seLinuxOptions={"type": "container_kvm_t"}),
                c("d", seLinuxOptions={"type": "container_engine_t"}),
                c("e", seLinuxOptions={"type": "bar"}),
                c("f", seLinuxOptions={"user": "bar"}),
                c("g", seLinuxOptions={"role": "baz"}),
            ],
        },
        "seLinuxOptions",
        'containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: type "bar"; '
        "user may not be set; role may not be set",
    ),
    (
        "TestSELinuxOptions/bad type",
        selinux.se_linux_options_1_31,
        {},
        {"securityContext": {"seLinuxOptions": {"type": "bad"}}},
        "seLinuxOptions",
        'pod set forbidden securityContext.seLinuxOptions: type "bad"',
    ),
    (
        "TestSELinuxOptions/bad user",
        selinux.se_linux_options_1_31,
        {},
        {"securityContext": {"seLinuxOptions": {"user": "bad"}}},
        "seLinuxOptions",
        "pod set forbidden securityContext.seLinuxOptions: user may not be set",
    ),
    (
        "TestSELinuxOptions/bad role",
        selinux.se_linux_options_1_31,
        {},
        {"securityContext": {"seLinuxOptions": {"role": "bad"}}},
        "seLinuxOptions",
        "pod set forbidden securityContext.seLinuxOptions: role may not be set",
    ),
    # check_sysctls_test.go TestSysctls (sysctls_1_0) and TestSysctls_1_27
    (
        "TestSysctls/forbidden sysctls",
        sysctls.sysctls_1_0,
        {},
        {"securityContext": {"sysctls": [{"name": "a"}, {"name": "b"}]}},
        "forbidden sysctls",
        "a, b",
    ),
    (
        "TestSysctls/new supported sysctls not supported",
        sysctls.sysctls_1_0,
        {},
        {
            "securityContext": {
                "sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"}]
            }
        },
        "forbidden sysctls",
        "net.ipv4.ip_local_reserved_ports",
    ),
    (
        "TestSysctls_1_27/forbidden sysctls",
        sysctls.sysctls_1_27,
        {},
        {"securityContext": {"sysctls": [{"name": "a"}, {"name": "b"}]}},
        "forbidden sysctls",
        "a, b",
    ),
    (
        "TestSysctls_1_27/new supported sysctls",
        sysctls.sysctls_1_27,
        {},
        {
            "securityContext": {
                "sysctls": [{"name": "net.ipv4.ip_local_reserved_ports", "value": "1024-4999"}]
            }
        },
        None,
        "",
    ),
    # check_windowsHostProcess_test.go
    (
        "TestWindowsHostProcess/host process",
        host.windows_host_process_1_0,
        {},
        {
            "securityContext": {"windowsOptions": {"hostProcess": True}},
            "containers": [
                c("a"),
                c("b", sc={}),
                c("c", windowsOptions={}),
                c("d", windowsOptions={"hostProcess": False}),
                c("e", windowsOptions={"hostProcess": True}),
                c("f", windowsOptions={"hostProcess": True}),
            ],
        },
        "hostProcess",
        'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true',
    ),
]


def _probe(action: str, host_name: str | None = None) -> dict[str, Any]:
    return {action: {} if host_name is None else {"host": host_name}}


# check_hostProbesAndhostLifecycle_test.go TestHostProbesAndHostLifecycle
HOST = host.host_probes_and_host_lifecycle_1_34
CASES += [
    (
        "TestHostProbesAndHostLifecycle/valid pod with unset hosts",
        HOST,
        {},
        {
            "containers": [
                {
                    "name": "a",
                    "livenessProbe": _probe("httpGet"),
                    "readinessProbe": _probe("tcpSocket"),
                    "lifecycle": {"postStart": _probe("httpGet")},
                }
            ]
        },
        None,
        "",
    ),
    (
        "TestHostProbesAndHostLifecycle/invalid pod with local host IP as probe host",
        HOST,
        {},
        {
            "containers": [
                {
                    "name": "a",
                    "livenessProbe": _probe("httpGet", "127.0.0.1"),
                    "readinessProbe": _probe("tcpSocket", "::1"),
                    "startupProbe": _probe("httpGet", "localhost"),
                }
            ]
        },
        "probe or lifecycle host",
        'container "a" uses probe or lifecycle hosts "127.0.0.1", "::1", "localhost"',
    ),
    *[
        (
            f"TestHostProbesAndHostLifecycle/{case}",
            HOST,
            {},
            {"containers": [{"name": cname, **fields}]},
            "probe or lifecycle host",
            f'container "{cname}" uses probe or lifecycle host "{shown}"',
        )
        for case, cname, fields, shown in [
            (
                "invalid httpget host in liveness probe",
                "a",
                {"livenessProbe": _probe("httpGet", "invalid.host")},
                "invalid.host",
            ),
            (
                "invalid tcpsocket host in readiness probe",
                "b",
                {"readinessProbe": _probe("tcpSocket", "invalid.host")},
                "invalid.host",
            ),
            (
                "invalid httpget host in startup probe",
                "c",
                {"startupProbe": _probe("httpGet", "invalid.host")},
                "invalid.host",
            ),
            (
                "invalid poststart tcpsocket host",
                "d",
                {"lifecycle": {"postStart": _probe("tcpSocket", "invalid.host")}},
                "invalid.host",
            ),
            (
                "invalid prestop httpget host",
                "e",
                {"lifecycle": {"preStop": _probe("httpGet", "another.invalid.host")}},
                "another.invalid.host",
            ),
            (
                "invalid ipv4 host in probe",
                "a",
                {"livenessProbe": _probe("httpGet", "8.8.8.8")},
                "8.8.8.8",
            ),
            (
                "invalid ipv6 host in probe",
                "a",
                {"livenessProbe": _probe("tcpSocket", "2001:4860:4860::8888")},
                "2001:4860:4860::8888",
            ),
        ]
    ],
    (
        "TestHostProbesAndHostLifecycle/multiple containers with multiple invalid hosts",
        HOST,
        {},
        {
            "containers": [
                {"name": "valid"},
                {"name": "invalid1", "livenessProbe": _probe("httpGet", "a.com")},
                {
                    "name": "invalid2",
                    "lifecycle": {"preStop": _probe("tcpSocket", "b.com")},
                    "startupProbe": _probe("httpGet", "a.com"),
                },
            ]
        },
        "probe or lifecycle host",
        'containers "invalid1", "invalid2" use probe or lifecycle hosts "a.com", "b.com"',
    ),
    (
        "TestHostProbesAndHostLifecycle/invalid host in initcontainer",
        HOST,
        {},
        {
            "initContainers": [
                {"name": "init", "livenessProbe": _probe("httpGet", "invalid.init.host")}
            ]
        },
        "probe or lifecycle host",
        'container "init" uses probe or lifecycle host "invalid.init.host"',
    ),
]


@pytest.mark.parametrize(
    ("function", "metadata", "spec", "reason", "detail"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_go_check_table(
    function: Any,
    metadata: dict[str, Any],
    spec: dict[str, Any],
    reason: str | None,
    detail: str,
) -> None:
    result = function(metadata, spec)
    if reason is None:
        assert result is None
    else:
        assert result is not None, "expected disallowed"
        assert (result.reason, result.detail) == (reason, detail)


def test_ephemeral_containers_are_visited_after_init_and_regular_ones() -> None:
    """policy/visitor.go: initContainers, containers, ephemeralContainers, in that order."""
    spec = {
        "ephemeralContainers": [c("debug", privileged=True)],
        "containers": [c("app", privileged=True)],
        "initContainers": [c("init", privileged=True)],
    }
    result = privilege.privileged_1_0({}, spec)
    assert result is not None
    assert result.detail == (
        'containers "init", "app", "debug" must not set securityContext.privileged=true'
    )
    assert result.paths[0] == ("spec", "initContainers", 0, "securityContext", "privileged")
    assert result.paths[2] == ("spec", "ephemeralContainers", 0, "securityContext", "privileged")


def test_capability_names_are_exact_strings() -> None:
    """check_capabilities_*.go compare strings: CAP_CHOWN is not CHOWN, "all" is not ALL."""
    spec = {"containers": [c("a", capabilities={"add": ["CAP_CHOWN"], "drop": ["all"]})]}
    baseline = capabilities.capabilities_baseline_1_0({}, spec)
    restricted = capabilities.capabilities_restricted_1_22({}, spec)
    assert baseline is not None and '"CAP_CHOWN"' in baseline.detail
    assert restricted is not None
    assert restricted.detail.startswith(
        'container "a" must set securityContext.capabilities.drop=["ALL"]'
    )


def test_apparmor_annotation_values_are_go_quoted() -> None:
    """`fmt.Sprintf("%s=%q", k, v)`: a quote or a newline in the value is escaped."""
    result = apparmor.app_armor_profile_1_0({"annotations": {AA + "x": 'a"b\n'}}, {})
    assert result is not None
    assert result.detail == f'annotation must not set AppArmor profile type to "{AA}x="a\\"b\\n""'
    assert result.paths == (("metadata", "annotations", AA + "x"),)


def test_sysctls_keep_duplicates_in_order() -> None:
    """check_sysctls.go appends every forbidden name in order (no set)."""
    spec = {"securityContext": {"sysctls": [{"name": "b"}, {"name": "a"}, {"name": "b"}]}}
    result = sysctls.sysctls_1_0({}, spec)
    assert result is not None and result.detail == "b, a, b"
    assert result.paths[1] == ("spec", "securityContext", "sysctls", 1, "name")


def test_wrongly_typed_fields_read_as_unset_never_raise() -> None:
    """Values the API server would refuse to decode are not errors here: no traceback."""
    spec: dict[str, Any] = {
        "containers": [
            "not a container",
            {"name": 3, "securityContext": "x", "ports": "y"},
            {"name": "b", "securityContext": {"capabilities": {"add": "NET_RAW"}}},
        ],
        "volumes": [None, {"name": "v", "hostPath": None}],
        "securityContext": {"sysctls": [None, {"name": 5}]},
    }
    for module in (apparmor, capabilities, host, privilege, procmount, seccomp, selinux):
        for check in module.CHECKS:
            for versioned in check.versions:
                versioned.check_pod({"annotations": "z"}, spec)
    assert users.run_as_non_root_1_0({}, spec) is not None
    assert volumes.restricted_volumes_1_0({}, spec) is not None


def test_apparmor_before_the_1_30_release_checks_annotations_only() -> None:
    """check_appArmorProfile.go before kubernetes PR #123435 (servers 1.25-1.29): the test
    table of that release (TestAppArmorProfile/multiple containers), and fields ignored."""
    annotations = {
        AA: "bogus",
        AA + "a": "",
        AA + "b": "runtime/default",
        AA + "c": "localhost/",
        AA + "d": "localhost/foo",
        AA + "e": "unconfined",
        AA + "f": "unknown",
    }
    result = apparmor.app_armor_profile_1_0_before_1_30({"annotations": annotations}, {})
    assert result is not None
    assert result.reason == "forbidden AppArmor profiles"
    assert result.detail == ", ".join([f'{AA}="bogus"', f'{AA}e="unconfined"', f'{AA}f="unknown"'])
    fields = {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}
    assert apparmor.app_armor_profile_1_0_before_1_30({}, fields) is None
    one = apparmor.app_armor_profile_1_0_before_1_30({"annotations": {AA + "x": "u"}}, {})
    assert one is not None and one.reason == "forbidden AppArmor profile"
