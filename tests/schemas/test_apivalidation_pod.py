"""The pod spec as the API server validates it, driven through `kubeplan validate` on Pod and
PodTemplate manifests (a PodTemplate's `template` is validated as a workload's is, by
ValidatePodTemplateSpec).

Cases cite pkg/apis/core/validation/validation_test.go (test and case) or the issue's own
examples; each asserts the finding id, the API server's message and the line.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import findings, kubeplan

NATIVE = {
    "api-required",
    "api-invalid",
    "api-unsupported",
    "api-duplicate",
    "api-too-long",
    "api-too-many",
    "api-forbidden",
    "api-not-found",
    "api-warning",
}

POD_HEAD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
TEMPLATE_HEAD = (
    "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: web\ntemplate:\n"
    "  metadata: {labels: {app: web}}\n  spec:\n"
)


def pod(spec: str) -> str:
    """A Pod whose spec starts at line 6."""
    return POD_HEAD + textwrap.indent(textwrap.dedent(spec), "  ")


def template(spec: str) -> str:
    """A PodTemplate whose template spec starts at line 8."""
    return TEMPLATE_HEAD + textwrap.indent(textwrap.dedent(spec), "    ")


def native(tmp_path: Path, text: str, *args: str) -> list[tuple[str, int, str, str]]:
    path = tmp_path / "m.yaml"
    path.write_text(text)
    found: list[dict[str, Any]] = findings("validate", str(path), *args)
    return [(f["rule"], f["line"], f["path"], f["message"]) for f in found if f["rule"] in NATIVE]


def test_a_valid_pod_has_no_finding(tmp_path: Path) -> None:
    text = pod(
        """\
        volumes:
        - name: data
        - name: cfg
          configMap: {name: cfg}
        containers:
        - name: web
          image: nginx
          ports: [{containerPort: 80, name: http}]
          env: [{name: A, value: x}, {name: B, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
          volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /cfg}]
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 1, memory: 128Mi}}
          livenessProbe: {httpGet: {port: http}}
        """
    )
    assert native(tmp_path, text) == []


# --- containers (TestValidateContainers) --------------------------------------------------


def test_container_without_image(tmp_path: Path) -> None:
    # TestValidateContainers "zero-length-image"; issue 17's first pod example.
    text = pod("containers:\n- name: web\n")
    assert native(tmp_path, text) == [
        ("api-required", 7, "spec.containers[0].image", "Required value")
    ]


def test_container_name_not_a_dns_label(tmp_path: Path) -> None:
    # TestValidateContainers "name not a DNS label".
    text = pod("containers:\n- name: Web_1\n  image: x\n")
    found = native(tmp_path, text)
    assert [(r, line, p) for r, line, p, _ in found] == [
        ("api-invalid", 7, "spec.containers[0].name")
    ]
    assert found[0][3].startswith('Invalid value: "Web_1": a lowercase RFC 1123 label')


def test_container_names_unique_across_init_containers(tmp_path: Path) -> None:
    # TestValidateContainers "name not unique"; validateInitContainers checks init names
    # against the regular containers.
    text = pod(
        """\
        initContainers:
        - {name: web, image: x}
        containers:
        - {name: web, image: x}
        - {name: web, image: x}
        """
    )
    assert native(tmp_path, text) == [
        ("api-duplicate", 7, "spec.initContainers[0].name", 'Duplicate value: "web"'),
        ("api-duplicate", 10, "spec.containers[1].name", 'Duplicate value: "web"'),
    ]


def test_pod_image_with_whitespace_only_on_pods(tmp_path: Path) -> None:
    # validateContainerOnlyForPod: a template keeps accepting it ("backward compatibility").
    assert native(tmp_path, pod("containers:\n- {name: web, image: ' nginx'}\n")) == [
        (
            "api-invalid",
            7,
            "spec.containers[0].image",
            'Invalid value: " nginx": must not have leading or trailing whitespace',
        )
    ]
    assert native(tmp_path, template("containers:\n- {name: web, image: ' nginx'}\n")) == []


def test_init_container_probe_needs_restart_policy_always(tmp_path: Path) -> None:
    # TestValidateInitContainers: a probe on a plain init container is Forbidden; a sidecar
    # (restartPolicy: Always, SidecarContainers on from 1.29) may have one.
    text = pod(
        """\
        initContainers:
        - name: init
          image: x
          readinessProbe: {tcpSocket: {port: 80}}
        containers: [{name: web, image: x}]
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-forbidden",
            9,
            "spec.initContainers[0].readinessProbe",
            "Forbidden: may not be set for init containers without restartPolicy=Always",
        )
    ]
    sidecar = text.replace(
        "image: x\n    readinessProbe", "image: x\n    restartPolicy: Always\n    readinessProbe"
    )
    assert native(tmp_path, sidecar) == []


# --- ports (TestValidatePorts) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        # "invalid container port" (issue 17: containerPort 70000)
        (
            "{containerPort: 70000}",
            (
                "api-invalid",
                "spec.containers[0].ports[0].containerPort",
                "Invalid value: 70000: must be between 1 and 65535, inclusive",
            ),
        ),
        # "invalid host port"
        (
            "{containerPort: 80, hostPort: 65536}",
            (
                "api-invalid",
                "spec.containers[0].ports[0].hostPort",
                "Invalid value: 65536: must be between 1 and 65535, inclusive",
            ),
        ),
        # "invalid protocol case" (issue 17: protocol udp)
        (
            "{containerPort: 80, protocol: udp}",
            (
                "api-unsupported",
                "spec.containers[0].ports[0].protocol",
                'Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"',
            ),
        ),
        # "invalid protocol"
        (
            "{containerPort: 80, protocol: ICMP}",
            (
                "api-unsupported",
                "spec.containers[0].ports[0].protocol",
                'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
            ),
        ),
        # "name is a number"
        (
            "{containerPort: 80, name: '80'}",
            (
                "api-invalid",
                "spec.containers[0].ports[0].name",
                'Invalid value: "80": must contain at least one letter (a-z)',
            ),
        ),
        # "name contains invalid characters"
        (
            "{containerPort: 80, name: a.b.c}",
            (
                "api-invalid",
                "spec.containers[0].ports[0].name",
                'Invalid value: "a.b.c": must contain only alpha-numeric characters (a-z, 0-9),'
                " and hyphens (-)",
            ),
        ),
        # "zero container port"
        (
            "{containerPort: 0}",
            ("api-required", "spec.containers[0].ports[0].containerPort", "Required value"),
        ),
    ],
)
def test_validate_ports(tmp_path: Path, port: str, expected: tuple[str, str, str]) -> None:
    text = pod(f"containers:\n- name: web\n  image: x\n  ports:\n  - {port}\n")
    assert native(tmp_path, text) == [(expected[0], 10, expected[1], expected[2])]


def test_port_names_unique(tmp_path: Path) -> None:
    # TestValidatePorts "name not unique" (issue 17: two ports with the same name).
    text = pod(
        """\
        containers:
        - name: web
          image: x
          ports:
          - {containerPort: 80, name: abc}
          - {containerPort: 81, name: abc}
        """
    )
    assert native(tmp_path, text) == [
        ("api-duplicate", 11, "spec.containers[0].ports[1].name", 'Duplicate value: "abc"')
    ]


def test_protocol_is_defaulted_so_80_and_80_tcp_are_duplicates(tmp_path: Path) -> None:
    # TestValidatePorts "protocol required" cannot happen on a manifest: SetDefaults_ContainerPort
    # sets TCP. So `80` and `80/TCP` are the same pair: pkg/api/pod/warnings.go warns.
    text = pod(
        """\
        containers:
        - name: web
          image: x
          ports:
          - containerPort: 80
          - containerPort: 80
            protocol: TCP
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-warning",
            11,
            "spec.containers[0].ports[1]",
            "duplicate port definition with spec.containers[0].ports[0]",
        )
    ]


def test_duplicate_port_across_containers_in_a_template(tmp_path: Path) -> None:
    # pkg/api/pod/warnings_test.go "duplicate container ports in two containers": init
    # containers are visited first (VisitContainersWithPath).
    text = template(
        """\
        initContainers:
        - {name: init, image: x, ports: [{containerPort: 53, protocol: UDP}]}
        containers:
        - {name: web, image: x, ports: [{containerPort: 53, protocol: UDP}]}
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-warning",
            11,
            "template.spec.containers[0].ports[0]",
            "duplicate port definition with template.spec.initContainers[0].ports[0]",
        )
    ]


def test_host_port_conflict_is_an_error(tmp_path: Path) -> None:
    # AccumulateUniqueHostPorts (TestValidatePodSpec "duplicate hostPort"-style): the same
    # protocol/hostIP/hostPort twice among the regular containers.
    text = pod(
        """\
        containers:
        - {name: a, image: x, ports: [{containerPort: 80, hostPort: 8080}]}
        - {name: b, image: x, ports: [{containerPort: 81, hostPort: 8080}]}
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-duplicate",
            8,
            "spec.containers[1].ports[0].hostPort",
            'Duplicate value: "TCP//8080"',
        )
    ]


def test_host_network_host_port_must_match(tmp_path: Path) -> None:
    # validatePodHostNetworkDeps: a template may leave hostPort 0; a written one must match.
    spec = """\
        hostNetwork: true
        containers:
        - {name: a, image: x, ports: [{containerPort: 80}, {containerPort: 81, hostPort: 82}]}
        """
    assert native(tmp_path, template(spec)) == [
        (
            "api-invalid",
            10,
            "template.spec.containers[0].ports[1].hostPort",
            "Invalid value: 82: must match `containerPort` when `hostNetwork` is true",
        )
    ]


# --- env (TestValidateEnv, TestValidateEnvFrom) ------------------------------------------------


def test_env_name_rule_follows_the_release(tmp_path: Path) -> None:
    # TestValidateEnv "illegal character" / RelaxedEnvironmentVariableValidation: the strict
    # IsEnvVarName until 1.31, any printable ASCII but '=' from 1.32 (beta, on by default).
    text = pod("containers:\n- name: web\n  image: x\n  env:\n  - {name: 1-bad, value: v}\n")
    strict = native(tmp_path, text, "--kubernetes-version", "1.31")
    assert [(r, line, p) for r, line, p, _ in strict] == [
        ("api-invalid", 10, "spec.containers[0].env[0].name")
    ]
    assert strict[0][3] == (
        'Invalid value: "1-bad": a valid environment variable name must consist of alphabetic'
        " characters, digits, '_', '-', or '.', and must not start with a digit (e.g."
        " 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is"
        " '[-._a-zA-Z][-._a-zA-Z0-9]*')"
    )
    assert native(tmp_path, text, "--kubernetes-version", "1.32") == []
    equals = text.replace("1-bad", "'a=b'")
    assert native(tmp_path, equals, "--kubernetes-version", "1.37") == [
        (
            "api-invalid",
            10,
            "spec.containers[0].env[0].name",
            'Invalid value: "a=b": a valid environment variable name must consist only of'
            " printable ASCII characters other than '='",
        )
    ]


def test_value_from_needs_exactly_one_source(tmp_path: Path) -> None:
    # TestValidateEnv errorCases: "missing source", "value and valueFrom specified",
    # "multiple sources".
    text = pod(
        """\
        containers:
        - name: web
          image: x
          env:
          - {name: a, valueFrom: {}}
          - {name: b, value: v, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
          - name: c
            valueFrom:
              fieldRef: {fieldPath: metadata.name}
              secretKeyRef: {name: s, key: k}
        """
    )
    base = "spec.containers[0].env"
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            10,
            f"{base}[0].valueFrom",
            'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`,'
            " `configMapKeyRef` or `secretKeyRef`",
        ),
        (
            "api-invalid",
            11,
            f"{base}[1].valueFrom",
            'Invalid value: "": may not be specified when `value` is not empty',
        ),
        (
            "api-invalid",
            13,
            f"{base}[2].valueFrom",
            'Invalid value: "": may not have more than one field specified at a time',
        ),
    ]


def test_field_ref_paths(tmp_path: Path) -> None:
    # TestValidateEnv errorCases "invalid fieldPath" (a label ConvertDownwardAPIFieldLabel does
    # not know: Invalid) and "unsupported fieldPath" (a known label the env does not accept:
    # NotSupported, with the sorted validEnvDownwardAPIFieldPathExpressions).
    text = pod(
        """\
        containers:
        - name: web
          image: x
          env:
          - {name: a, valueFrom: {fieldRef: {fieldPath: metadata.whoops}}}
          - {name: b, valueFrom: {fieldRef: {fieldPath: status.phase}}}
          - {name: c, valueFrom: {fieldRef: {fieldPath: "metadata.labels['ok']"}}}
        """
    )
    base = "spec.containers[0].env"
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            10,
            f"{base}[0].valueFrom.fieldRef.fieldPath",
            'Invalid value: "metadata.whoops": error converting fieldPath: field label not'
            " supported: metadata.whoops",
        ),
        (
            "api-unsupported",
            11,
            f"{base}[1].valueFrom.fieldRef.fieldPath",
            'Unsupported value: "status.phase": supported values: "metadata.name",'
            ' "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",'
            ' "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
        ),
    ]


def test_downward_api_and_projected_volumes(tmp_path: Path) -> None:
    # TestValidateVolumes: downwardAPI items need one of fieldRef or resourceFieldRef;
    # projected sources: "conflicting duplicate paths", a token expiry under 10 minutes.
    text = pod(
        """\
        volumes:
        - name: info
          downwardAPI:
            items:
            - {path: labels, fieldRef: {fieldPath: metadata.labels}}
            - {path: nothing}
        - name: proj
          projected:
            sources:
            - configMap: {name: a, items: [{key: k, path: same}]}
            - secret: {name: b, items: [{key: k, path: same}]}
            - serviceAccountToken: {path: token, expirationSeconds: 60}
        containers: [{name: web, image: x}]
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-required",
            11,
            "spec.volumes[0].downwardAPI.items[1]",
            "Required value: one of fieldRef and resourceFieldRef is required",
        ),
        (
            "api-invalid",
            13,
            "spec.volumes[1].projected",
            'Invalid value: "b": conflicting duplicate paths',
        ),
        (
            "api-invalid",
            17,
            "spec.volumes[1].projected.sources[2].serviceAccountToken.expirationSeconds",
            "Invalid value: 60: may not specify a duration less than 10 minutes",
        ),
    ]


def test_env_from_needs_one_source(tmp_path: Path) -> None:
    # TestValidateEnvFrom errorCases "no refs" (the error sits at envFrom, as in Go).
    text = pod("containers:\n- name: web\n  image: x\n  envFrom:\n  - prefix: P_\n")
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            9,
            "spec.containers[0].envFrom",
            'Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
        )
    ]


# --- volumes and mounts (TestValidateVolumes, TestValidateVolumeMounts) -----------------------


def test_volume_without_source_is_an_empty_dir(tmp_path: Path) -> None:
    # SetDefaults_Volume: no source -> emptyDir, so "must specify a volume type" never fires.
    text = pod("volumes: [{name: data}]\ncontainers: [{name: web, image: x}]\n")
    assert native(tmp_path, text) == []


def test_volumes(tmp_path: Path) -> None:
    # TestValidateVolumes "name not a DNS label", "duplicate", "multiple volume types".
    text = pod(
        """\
        volumes:
        - name: Data
        - name: ok
        - name: ok
        - name: two
          emptyDir: {}
          secret: {secretName: s}
        containers: [{name: web, image: x}]
        """
    )
    found = native(tmp_path, text)
    assert [(r, line, p) for r, line, p, _ in found] == [
        ("api-invalid", 7, "spec.volumes[0].name"),
        ("api-duplicate", 9, "spec.volumes[2].name"),
        ("api-forbidden", 12, "spec.volumes[3].secret"),
    ]
    assert found[2][3] == "Forbidden: may not specify more than 1 volume type"


def test_volume_mounts(tmp_path: Path) -> None:
    # TestValidateVolumeMounts: "name not found" (issue 17: a volumeMount naming no volume),
    # "empty mountpath", "mountpath collision", "absolute subpath", "subpath contains ..".
    text = pod(
        """\
        volumes: [{name: data}]
        containers:
        - name: web
          image: x
          volumeMounts:
          - {name: nope, mountPath: /a}
          - {name: data, mountPath: /a}
          - {name: data, mountPath: ""}
          - {name: data, mountPath: /b, subPath: /abs}
          - {name: data, mountPath: /c, subPath: ../up}
        """
    )
    assert native(tmp_path, text) == [
        ("api-not-found", 11, "spec.containers[0].volumeMounts[0].name", 'Not found: "nope"'),
        (
            "api-invalid",
            12,
            "spec.containers[0].volumeMounts[1].mountPath",
            'Invalid value: "/a": must be unique',
        ),
        ("api-required", 13, "spec.containers[0].volumeMounts[2].mountPath", "Required value"),
        (
            "api-invalid",
            14,
            "spec.containers[0].volumeMounts[3].subPath",
            'Invalid value: "/abs": must be a relative path',
        ),
        (
            "api-invalid",
            15,
            "spec.containers[0].volumeMounts[4].subPath",
            "Invalid value: \"../up\": must not contain '..'",
        ),
    ]


# --- resources (TestValidateResourceRequirements) -----------------------------------------


def test_request_above_limit(tmp_path: Path) -> None:
    # TestValidateResourceRequirements "Resources with Requests Larger Than Limits";
    # issue 17: a CPU request above its limit. Quantities print as Quantity.String().
    text = pod(
        """\
        containers:
        - name: web
          image: x
          resources:
            requests: {cpu: 1500m, memory: 2Gi}
            limits: {cpu: "1", memory: 1024Mi}
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            10,
            "spec.containers[0].resources.requests",
            'Invalid value: "1500m": must be less than or equal to cpu limit of 1',
        ),
        (
            "api-invalid",
            10,
            "spec.containers[0].resources.requests",
            'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
        ),
    ]


def test_extended_resources_cannot_be_overcommitted(tmp_path: Path) -> None:
    # TestValidateResourceRequirements errorCases for non-overcommitable resources: a request
    # without a limit, a request unlike its limit, a fractional count.
    spec = """\
        containers:
        - name: web
          image: x
          resources:
            requests: {example.com/gpu: "2", example.com/fpga: "1"}
            limits: {example.com/gpu: "1", example.com/dongle: 500m}
        """
    found = native(tmp_path, template(spec))
    assert sorted((r, m) for r, _, _, m in found) == [
        ("api-invalid", 'Invalid value: "2": must be equal to example.com/gpu limit of 1'),
        ("api-invalid", 'Invalid value: "500m": must be an integer'),
        ("api-required", "Required value: Limit must be set for non overcommitable resources"),
    ]


def test_pod_requests_default_to_limits(tmp_path: Path) -> None:
    # SetDefaults_Pod copies limits into missing requests, so a Pod with only an extended
    # limit is fine, and so is a template (requests stay empty there).
    spec = "containers:\n- name: web\n  image: x\n  resources: {limits: {example.com/gpu: 1}}\n"
    assert native(tmp_path, pod(spec)) == []
    assert native(tmp_path, template(spec)) == []


def test_unknown_resource_name(tmp_path: Path) -> None:
    # validateContainerResourceName: a name without '/' must be a standard container resource
    # (on a template; a Pod's request is defaulted from the limit and fails the same way).
    spec = "containers:\n- name: web\n  image: x\n  resources: {limits: {pods: 1}}\n"
    assert native(tmp_path, template(spec)) == [
        (
            "api-invalid",
            11,
            "template.spec.containers[0].resources.limits.pods",
            'Invalid value: "pods": must be a standard resource for containers',
        )
    ]


# --- probes and the pod-level fields -----------------------------------------------------


def test_probe_handler_and_thresholds(tmp_path: Path) -> None:
    # TestValidateProbe: no handler; TestValidateLivenessProbe "successThreshold must be 1".
    text = pod(
        """\
        containers:
        - name: web
          image: x
          livenessProbe: {successThreshold: 2, tcpSocket: {port: 80}}
          readinessProbe: {periodSeconds: 5}
          startupProbe: {exec: {command: [ls]}, httpGet: {port: 80}}
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            9,
            "spec.containers[0].livenessProbe.successThreshold",
            "Invalid value: 2: must be 1",
        ),
        (
            "api-required",
            10,
            "spec.containers[0].readinessProbe",
            "Required value: must specify a handler type",
        ),
        (
            "api-forbidden",
            11,
            "spec.containers[0].startupProbe.httpGet",
            "Forbidden: may not specify more than 1 handler type",
        ),
    ]


def test_restart_and_dns_policy(tmp_path: Path) -> None:
    # validateRestartPolicy / validateDNSPolicy: NotSupported with Go's order of values.
    text = pod("restartPolicy: always\ndnsPolicy: Cluster\ncontainers: [{name: web, image: x}]\n")
    assert native(tmp_path, text) == [
        (
            "api-unsupported",
            6,
            "spec.restartPolicy",
            'Unsupported value: "always": supported values: "Always", "OnFailure", "Never"',
        ),
        (
            "api-unsupported",
            7,
            "spec.dnsPolicy",
            'Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet",'
            ' "ClusterFirst", "Default", "None"',
        ),
    ]


def test_tolerations(tmp_path: Path) -> None:
    # TestValidateTolerations errorCases: "invalid operator", "value must be empty when
    # `operator` is 'Exists'", "operator must be 'Exists' when `key` is empty".
    text = pod(
        """\
        containers: [{name: web, image: x}]
        tolerations:
        - {key: a, operator: Foo}
        - {key: a, operator: Exists, value: v}
        - {operator: Equal, value: v}
        """
    )
    found = native(tmp_path, text)
    assert [(r, line, p) for r, line, p, _ in found] == [
        ("api-unsupported", 8, "spec.tolerations[0].operator"),
        ("api-invalid", 9, "spec.tolerations[1].operator"),
        ("api-invalid", 10, "spec.tolerations[2].operator"),
    ]
    assert found[1][3] == "Invalid value: \"v\": value must be empty when `operator` is 'Exists'"


def test_topology_spread_constraints(tmp_path: Path) -> None:
    # TestValidateTopologySpreadConstraints: "invalid MaxSkew", "invalid whenUnsatisfiable",
    # "missing TopologyKey".
    text = pod(
        """\
        containers: [{name: web, image: x}]
        topologySpreadConstraints:
        - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
        - {maxSkew: 1, topologyKey: "", whenUnsatisfiable: Never}
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-invalid",
            8,
            "spec.topologySpreadConstraints[0].maxSkew",
            "Invalid value: 0: must be greater than zero",
        ),
        (
            "api-required",
            9,
            "spec.topologySpreadConstraints[1].topologyKey",
            "Required value: can not be empty",
        ),
        (
            "api-unsupported",
            9,
            "spec.topologySpreadConstraints[1].whenUnsatisfiable",
            'Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"',
        ),
    ]


def test_affinity_and_host_aliases(tmp_path: Path) -> None:
    # TestValidateAffinity "invalid requiredDuringSchedulingIgnoredDuringExecution node selector,
    # In operator must include Values"; TestValidateHostAliases invalid ip.
    text = pod(
        """\
        containers: [{name: web, image: x}]
        affinity:
          nodeAffinity:
            requiredDuringSchedulingIgnoredDuringExecution:
              nodeSelectorTerms:
              - matchExpressions: [{key: zone, operator: In}]
        hostAliases: [{ip: 999.1.1.1, hostnames: [ok.example]}]
        """
    )
    found = native(tmp_path, text)
    assert [(r, line, p) for r, line, p, _ in found] == [
        (
            "api-required",
            11,
            "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            ".nodeSelectorTerms[0].matchExpressions[0].values",
        ),
        ("api-invalid", 12, "spec.hostAliases[0].ip"),
    ]


def test_ephemeral_containers_not_in_templates(tmp_path: Path) -> None:
    # ValidatePodTemplateSpec: "ephemeral containers not allowed in pod template".
    text = template(
        """\
        containers: [{name: web, image: x}]
        ephemeralContainers: [{name: debug, image: busybox}]
        """
    )
    assert native(tmp_path, text) == [
        (
            "api-forbidden",
            9,
            "template.spec.ephemeralContainers",
            "Forbidden: ephemeral containers not allowed in pod template",
        )
    ]


def test_template_labels_are_validated(tmp_path: Path) -> None:
    # ValidatePodTemplateSpec: unversionedvalidation.ValidateLabels(spec.Labels, ...).
    text = (
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: web\ntemplate:\n"
        "  metadata:\n    labels: {app: -web}\n  spec:\n    containers: [{name: web, image: x}]\n"
    )
    found = native(tmp_path, text)
    assert [(r, line, p) for r, line, p, _ in found] == [
        ("api-invalid", 7, "template.metadata.labels.app")
    ]


def test_plan_rejects_a_pod_the_api_server_refuses_and_not_one_it_only_warns(
    tmp_path: Path,
) -> None:
    # Issue 17: a container without an image passed `plan` as a clean create. An error of
    # this validation rejects the step (exit 1); a warning (a duplicate port) does not.
    bad = tmp_path / "bad.yaml"
    bad.write_text(pod("containers:\n- name: web\n"))
    run = kubeplan("plan", str(bad), "--format", "json")
    assert run.exit_code == 1
    (step,) = run.json()["steps"]
    assert step["verdict"] == "rejected"
    assert "api-required" in step["findings"]
    warned = tmp_path / "warned.yaml"
    warned.write_text(
        pod(
            "containers:\n- name: web\n  image: x\n  ports:\n"
            "  - containerPort: 80\n  - {containerPort: 80, protocol: TCP}\n"
        )
    )
    run = kubeplan("plan", str(warned), "--format", "json")
    assert run.exit_code == 0
    (step,) = run.json()["steps"]
    assert step["verdict"] != "rejected"


def test_resize_policy_from_1_33(tmp_path: Path) -> None:
    # TestValidateResizePolicy: an unsupported resource, a duplicate, RestartContainer with the
    # pod's restartPolicy Never. Before 1.33 (InPlacePodVerticalScaling off by default) the
    # field is dropped (dropDisabledFields), so nothing is reported.
    text = pod(
        """\
        restartPolicy: Never
        containers:
        - name: web
          image: x
          resizePolicy:
          - {resourceName: cpu, restartPolicy: RestartContainer}
          - {resourceName: cpu, restartPolicy: NotRequired}
          - {resourceName: storage, restartPolicy: NotRequired}
        """
    )
    found = native(tmp_path, text, "--kubernetes-version", "1.33")
    assert [(r, line, p) for r, line, p, _ in found] == [
        ("api-invalid", 11, "spec.containers[0].resizePolicy[0].restartPolicy"),
        ("api-duplicate", 12, "spec.containers[0].resizePolicy[1]"),
        ("api-unsupported", 13, "spec.containers[0].resizePolicy[2].resourceName"),
    ]
    assert native(tmp_path, text, "--kubernetes-version", "1.32") == []
