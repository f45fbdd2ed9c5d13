"""The PodSecurity admission configuration: PSA admission/api/validation/validation_test.go
(TestValidatePodSecurityConfiguration), defaulting (admission/api/v1/defaults.go), and reading
real files: an AdmissionConfiguration with the plugin inline or by `path:`, a bare
PodSecurityConfiguration, and every way a file can be wrong (one `file:line:` line each)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from kubeplan.admission.podsecurity.api import PolicyDefaults
from kubeplan.admission.podsecurity.config import (
    DEFAULT_CONFIG,
    load_admission_config,
    validate_pod_security_configuration,
)
from kubeplan.errors import ConfigError

INVALID_UPPERCASE = "TEST"
INVALID_CHARS = "_&$%#"
INVALID_TOO_LONG = "testtesttesttesttesttesttesttesttesttesttesttesttesttesttesttest"
INVALID_EMPTY = ""
VALID = "testing"


def test_validate_pod_security_configuration_exemptions() -> None:
    """TestValidatePodSecurityConfiguration, first case: error paths, types and bad values."""
    errors = validate_pod_security_configuration(
        PolicyDefaults("privileged", "v1.22", "baseline", "v1.25", "restricted", "latest"),
        usernames=[INVALID_EMPTY, VALID, VALID],
        namespaces=[
            INVALID_EMPTY,
            INVALID_CHARS,
            INVALID_UPPERCASE,
            INVALID_TOO_LONG,
            VALID,
            VALID,
        ],
        runtime_classes=[INVALID_EMPTY, INVALID_CHARS, INVALID_UPPERCASE, VALID, VALID],
    )
    summary = [(path, message.split(": ")[1].split(":")[0]) for path, message in errors]
    assert summary == [
        (("exemptions", "namespaces", 0), "Invalid value"),
        (("exemptions", "namespaces", 1), "Invalid value"),
        (("exemptions", "namespaces", 2), "Invalid value"),
        (("exemptions", "namespaces", 3), "Invalid value"),
        (("exemptions", "namespaces", 5), "Duplicate value"),
        (("exemptions", "runtimeClasses", 0), "Invalid value"),
        (("exemptions", "runtimeClasses", 1), "Invalid value"),
        (("exemptions", "runtimeClasses", 2), "Invalid value"),
        (("exemptions", "runtimeClasses", 4), "Duplicate value"),
        (("exemptions", "usernames", 0), "Required value"),
        (("exemptions", "usernames", 2), "Duplicate value"),
    ]
    assert errors[3][1] == (
        f'exemptions.namespaces[3]: Invalid value: "{INVALID_TOO_LONG}": must be no more than 63'
        " characters"
    )
    assert errors[4][1] == 'exemptions.namespaces[5]: Duplicate value: "testing"'
    assert errors[9][1] == "exemptions.usernames[0]: Required value"


def test_validate_pod_security_configuration_defaults() -> None:
    """TestValidatePodSecurityConfiguration, second case: every default invalid."""
    errors = validate_pod_security_configuration(
        PolicyDefaults("baslein", "v.122", "lorum", "ipsum", "", "")
    )
    assert [message for _, message in errors] == [
        'defaults.enforce: Invalid value: "baslein": must be one of privileged, baseline, restricted',
        'defaults.enforce-version: Invalid value: "v.122": must be "latest" or "v1.x"',
        'defaults.audit: Invalid value: "lorum": must be one of privileged, baseline, restricted',
        'defaults.audit-version: Invalid value: "ipsum": must be "latest" or "v1.x"',
        'defaults.warn: Invalid value: "": must be one of privileged, baseline, restricted',
        'defaults.warn-version: Invalid value: "": must be "latest" or "v1.x"',
    ]


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return str(path)


ADMISSION = """
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: EventRateLimit
  path: eventconfig.yaml
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1
    kind: PodSecurityConfiguration
    defaults:
      enforce: baseline
      enforce-version: v1.30
      warn: restricted
    exemptions:
      usernames: [system:serviceaccount:kube-system:replicaset-controller]
      runtimeClasses: [kata]
      namespaces: [kube-system]
"""


def test_inline_admission_configuration(tmp_path: Path) -> None:
    config = load_admission_config(write(tmp_path, "admission.yaml", ADMISSION))
    assert config.defaults == PolicyDefaults(
        enforce="baseline", enforce_version="v1.30", warn="restricted"
    )
    assert config.exempt_namespaces == {"kube-system"}
    assert config.exempt_runtime_classes == {"kata"}
    assert config.exempt_usernames == {"system:serviceaccount:kube-system:replicaset-controller"}


@pytest.mark.parametrize(
    "version",
    [
        "pod-security.admission.config.k8s.io/v1beta1",
        "pod-security.admission.config.k8s.io/v1alpha1",
    ],
)
def test_bare_pod_security_configuration_older_versions(tmp_path: Path, version: str) -> None:
    path = write(
        tmp_path,
        "psa.yaml",
        f"""
        apiVersion: {version}
        kind: PodSecurityConfiguration
        defaults:
          audit: restricted
          audit-version: ""
        """,
    )
    config = load_admission_config(path)
    assert config.defaults == PolicyDefaults(audit="restricted")  # "" defaults to latest


def test_plugin_path_is_relative_to_the_admission_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        "conf/psa.yaml",
        """
        apiVersion: pod-security.admission.config.k8s.io/v1
        kind: PodSecurityConfiguration
        defaults: {enforce: restricted}
        """,
    )
    path = write(
        tmp_path,
        "conf/admission.yaml",
        """
        apiVersion: apiserver.config.k8s.io/v1alpha1
        kind: AdmissionConfiguration
        plugins:
        - name: PodSecurity
          path: psa.yaml
        """,
    )
    assert load_admission_config(path).defaults.enforce == "restricted"


def test_no_pod_security_plugin_is_the_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "admission.yaml",
        """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - name: EventRateLimit
          path: elsewhere.yaml
        - name: PodSecurity
        """,
    )
    assert load_admission_config(path) == DEFAULT_CONFIG


def expect_error(path: str, line: int, *fragments: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_admission_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    for fragment in fragments:
        assert fragment in message, message


def test_path_outside_the_folder_is_never_read(tmp_path: Path) -> None:
    secret = write(tmp_path, "outside/psa.yaml", "kind: PodSecurityConfiguration\n")
    path = write(
        tmp_path,
        "conf/admission.yaml",
        f"""
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - name: PodSecurity
          path: {secret}
        """,
    )
    expect_error(path, 5, "leads outside", "reads no file outside its input")
    relative = write(
        tmp_path,
        "conf/admission2.yaml",
        """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - name: PodSecurity
          path: ../outside/psa.yaml
        """,
    )
    expect_error(relative, 5, "leads outside")


def test_symlink_leaving_the_folder_is_never_followed(tmp_path: Path) -> None:
    write(tmp_path, "outside/psa.yaml", "kind: PodSecurityConfiguration\n")
    (tmp_path / "conf").mkdir()
    os.symlink(tmp_path / "outside" / "psa.yaml", tmp_path / "conf" / "psa.yaml")
    path = write(
        tmp_path,
        "conf/admission.yaml",
        """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - name: PodSecurity
          path: psa.yaml
        """,
    )
    expect_error(path, 5, "'psa.yaml' leads outside")


def test_path_to_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    os.mkfifo(tmp_path / "conf" / "psa.yaml")
    path = write(
        tmp_path,
        "conf/admission.yaml",
        """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - name: PodSecurity
          path: psa.yaml
        """,
    )
    with pytest.raises(ConfigError, match=r"psa\.yaml: cannot read the admission configuration"):
        load_admission_config(path)


def test_errors_in_the_referenced_file_name_that_file(tmp_path: Path) -> None:
    referenced = write(
        tmp_path,
        "psa.yaml",
        """
        apiVersion: pod-security.admission.config.k8s.io/v1
        kind: PodSecurityConfiguration
        defaults:
          enforce: strict
        """,
    )
    path = write(
        tmp_path,
        "admission.yaml",
        """
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
        - {name: PodSecurity, path: psa.yaml}
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_admission_config(path)
    assert str(caught.value) == (
        f'{referenced}:4: defaults.enforce: Invalid value: "strict": must be one of privileged,'
        " baseline, restricted"
    )


@pytest.mark.parametrize(
    ("text", "line", "fragments"),
    [
        (
            """
            apiVersion: apiserver.config.k8s.io/v1
            kind: AdmissionConfiguration
            plugins:
            - name: PodSecurity
              configuration:
                apiVersion: pod-security.admission.config.k8s.io/v1
                kind: PodSecurityConfiguration
                exemptions:
                  namespaces: [kube-system, Kube-Public]
            """,
            9,
            ['exemptions.namespaces[1]: Invalid value: "Kube-Public": a lowercase RFC 1123 label'],
        ),
        (
            """
            apiVersion: pod-security.admission.config.k8s.io/v1
            kind: PodSecurityConfiguration
            exemption:
              namespaces: [kube-system]
            """,
            3,
            ["unknown key exemption", "kube-apiserver would ignore it"],
        ),
        (
            """
            apiVersion: pod-security.admission.config.k8s.io/v1
            kind: PodSecurityConfiguration
            defaults:
              enforce: baseline
              enforce-version: 1.30
            """,
            5,
            ["defaults.enforce-version: 1.3 is not a string"],
        ),
        (
            """
            apiVersion: pod-security.admission.config.k8s.io/v2
            kind: PodSecurityConfiguration
            """,
            1,
            ["apiVersion 'pod-security.admission.config.k8s.io/v2'"],
        ),
        (
            """
            apiVersion: v1
            kind: ConfigMap
            """,
            2,
            ["kind 'ConfigMap' is neither AdmissionConfiguration nor PodSecurityConfiguration"],
        ),
        (
            """
            apiVersion: apiserver.config.k8s.io/v1
            kind: AdmissionConfiguration
            plugins:
            - path: psa.yaml
            """,
            4,
            ["plugins[0].name: Required value"],
        ),
        (
            """
            apiVersion: apiserver.config.k8s.io/v1
            kind: AdmissionConfiguration
            plugins:
            - name: PodSecurity
              configuration:
                apiVersion: pod-security.admission.config.k8s.io/v1
                kind: PodSecurityConfiguration
                exemptions:
                  usernames: ["", alice]
            """,
            9,
            ["exemptions.usernames[0]: Required value"],
        ),
        ("defaults: [\n", 2, []),
        ("- a\n- b\n", 1, ["expected a mapping"]),
        ("a: &x [*x]\n", 1, []),
    ],
    ids=[
        "invalid namespace, line of the list",
        "misspelled key",
        "unquoted version is a number",
        "unknown apiVersion",
        "not a configuration",
        "plugin without name",
        "empty username",
        "broken YAML",
        "a list",
        "recursive alias",
    ],
)
def test_bad_files_are_one_line_each(
    tmp_path: Path, text: str, line: int, fragments: list[str]
) -> None:
    expect_error(write(tmp_path, "bad.yaml", text), line, *fragments)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    expect_error(write(tmp_path, "empty.yaml", "# nothing\n"), 1, "empty")
    missing = str(tmp_path / "missing.yaml")
    with pytest.raises(
        ConfigError, match=r"missing\.yaml: cannot read the admission configuration"
    ):
        load_admission_config(missing)


def test_a_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("kind: PodSecurityConfiguration\n" + "#" * (2 * 1024 * 1024) + "\n")
    with pytest.raises(ConfigError, match="larger than kubeplan's limit"):
        load_admission_config(str(path))


def test_exemptions_match_exact_strings(tmp_path: Path) -> None:
    config = load_admission_config(write(tmp_path, "admission.yaml", ADMISSION))
    assert config.exempt_namespace("kube-system")
    assert not config.exempt_namespace("kube-system-2") and not config.exempt_namespace(None)
    assert config.exempt_runtime_class("kata") and not config.exempt_runtime_class("Kata")
    assert not config.exempt_runtime_class(None) and not config.exempt_runtime_class("")
    assert not config.exempt_user("system:serviceaccount:kube-system:deployment-controller")
