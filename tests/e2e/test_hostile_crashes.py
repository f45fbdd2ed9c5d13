"""Hostile input never crashes kubeplan, and an internal error never looks like a finding.

Every run goes through the real console entry point (`python -m kubeplan`) in a subprocess, on
real files in tmp_path: the guard around the commands lives in `main()`, and standard streams
(closed, a broken pipe, an ASCII encoding) only exist for a real process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 120
ENV = {**os.environ, "PYTHONUTF8": "1"}


def kubeplan(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd,
        env=env or ENV,
        timeout=TIMEOUT,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def deployment(replicas: str = "3", strategy: str = "", volumes: str = "") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
{strategy}  template:
    metadata: {{labels: {{app: web}}}}
    spec:
{volumes}      containers: [{{name: web, image: "web:1"}}]
"""


BIG = "1" * 5000
HOSTILE: dict[str, str] = {
    # Python refuses to convert a decimal of more than 4,300 digits; the API server refuses any
    # integer past a float64's range.
    "integer-5000-digits": deployment(replicas=BIG),
    "integer-400-digits": deployment(replicas="9" * 400),
    "integer-key-5000-digits": f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  ? {BIG}\n  : x\n",
    "hex-integer": deployment(
        replicas="0x10", strategy="  strategy: {rollingUpdate: {maxSurge: 0x2}}\n"
    ),
    "sexagesimal-integer": deployment(
        replicas="1:30", strategy="  strategy: {rollingUpdate: {maxUnavailable: 1:30}}\n"
    ),
    "recursive-alias-list": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: &a [*a]\n",
    "recursive-alias-mapping": "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: c\n  labels: *m\n",
    "recursive-merge-key": "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: c\n  <<: *m\n",
    "list-items-twice": (
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n"
        "items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"
    ),
    "service-type-list": (
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
        "spec: {type: [LoadBalancer], selector: {app: web}, ports: [{port: 80}]}\n"
    ),
    "volume-name-not-string": deployment(
        volumes="      volumes: [{name: [x], configMap: {name: c}}, {name: 5, emptyDir: {}},"
        " {name: {a: b}, secret: {secretName: 3}}]\n"
    ),
    "percent-superscript": deployment(
        strategy='  strategy: {rollingUpdate: {maxSurge: "²%", maxUnavailable: "²"}}\n'
    ),
    "netpol-port-superscript": (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\n"
        'spec: {podSelector: {}, ingress: [{ports: [{port: "²"}]}]}\n---\n'
        + deployment().replace("web", "w")
    ),
}
# The finding each input must get (None: it must simply be read without a crash).
EXPECTED_RULE: dict[str, str | None] = {
    "integer-5000-digits": "yaml-number-too-large",
    "integer-400-digits": "yaml-number-too-large",
    "integer-key-5000-digits": "yaml-number-too-large",
    "hex-integer": None,
    "sexagesimal-integer": "schema-invalid",
    "recursive-alias-list": "yaml-syntax",
    "recursive-alias-mapping": "yaml-syntax",
    "recursive-merge-key": "yaml-syntax",
    "list-items-twice": "yaml-duplicate-key",
    "service-type-list": "schema-invalid",
    "volume-name-not-string": "schema-invalid",
    "percent-superscript": None,
    "netpol-port-superscript": None,
}
FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"]


def _write(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "m.yaml").write_text(HOSTILE[name], encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: zz}\n")
    return folder


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_a_finding_in_check(tmp_path: Path, name: str) -> None:
    folder = _write(tmp_path, name)
    done = kubeplan("check", str(folder), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]}
    if EXPECTED_RULE[name]:
        assert EXPECTED_RULE[name] in rules, rules
        assert done.returncode == 1


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize(
    "command",
    ["validate", "lint", "diff-created", "diff-deleted", "plan", "plan-deleted", "reach", "rbac"],
)
def test_hostile_input_under_every_command(tmp_path: Path, name: str, command: str) -> None:
    folder, empty = _write(tmp_path, name), str(tmp_path / "empty")
    args = {
        "validate": ["validate", str(folder)],
        "lint": ["lint", str(folder)],
        "diff-created": ["diff", str(folder), "--base", empty],
        "diff-deleted": ["diff", empty, "--base", str(folder)],
        "plan": ["plan", str(folder)],
        "plan-deleted": ["plan", empty, "--base", str(folder)],
        "reach": ["reach", str(folder), "--format", "json"],
        "rbac": ["who-can", "get", "pods", str(folder)],
    }[command]
    done = kubeplan(*args)
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_input_in_every_format(tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("integer-5000-digits", "recursive-alias-list", "volume-name-not-string"):
        (folder / f"{name}.yaml").write_text(HOSTILE[name], encoding="utf-8")
    for command in ("check", "plan"):
        report = tmp_path / f"{command}.{fmt}"
        done = kubeplan(command, str(folder), "--format", f"{fmt}={report}", "--format", fmt)
        assert done.returncode == 1, done.stderr
        assert report.read_text(encoding="utf-8").strip()


def test_a_huge_integer_is_refused_where_it_stands(tmp_path: Path) -> None:
    folder = _write(tmp_path, "integer-5000-digits")
    (folder / "ok.yaml").write_text(deployment(replicas="9223372036854775807").replace("web", "w2"))
    findings = json.loads(kubeplan("validate", str(folder), "--format", "json").stdout)["findings"]
    big = [f for f in findings if f["rule"] == "yaml-number-too-large"]
    assert [(Path(f["file"]).name, f["line"], f["column"]) for f in big] == [("m.yaml", 7, 13)]
    assert "5,000 characters" in big[0]["message"]


def test_integers_resolve_as_kubectls_yaml_decoder_does(tmp_path: Path) -> None:
    """go-yaml v2 (sigs.k8s.io/yaml goyaml.v2/resolve.go): 0x10 and 0o17 are integers
    (strconv.ParseInt base 0), 1:30 is a string (no base 60)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "d.yaml").write_text(
        deployment(replicas="0x10", strategy="  strategy: {rollingUpdate: {maxSurge: 0o2}}\n")
    )
    done = kubeplan("plan", str(folder), "--format", "json")
    assert done.returncode == 0, done.stdout
    assert "16 pods" in kubeplan("plan", str(folder)).stdout
    (folder / "d.yaml").write_text(deployment(replicas="1:30"))
    findings = json.loads(kubeplan("validate", str(folder), "--format", "json").stdout)["findings"]
    assert [f["message"] for f in findings] == ['expected integer, got string "1:30"']


WEBHOOK_APP = """apiVersion: v1
kind: Namespace
metadata: {name: ingress-nginx}
---
apiVersion: v1
kind: Service
metadata: {name: admission, namespace: ingress-nginx}
spec:
  selector: {app: ingress-nginx}
  ports: [{name: https-webhook, port: 443, targetPort: webhook}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: ingress-nginx}
spec:
  selector: {matchLabels: {app: ingress-nginx}}
  template:
    metadata: {labels: {app: ingress-nginx}}
    spec:
      containers: [{name: c, image: "ingress-nginx/controller:v1.9.0", ports: [{name: webhook, containerPort: 8443}]}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: ingress-nginx-admission}
webhooks:
- name: validate.nginx.ingress.kubernetes.io
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  rules: [{apiGroups: [networking.k8s.io], apiVersions: [v1], operations: [CREATE], resources: [ingresses]}]
  clientConfig:
    service: {name: admission, namespace: ingress-nginx}
"""


def test_removing_a_webhook_with_its_backend_deletes_the_configuration_first(
    tmp_path: Path,
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (old / "app.yaml").write_text(WEBHOOK_APP)
    (new / "other.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    done = kubeplan("plan", str(new), "--base", str(old), "--format", "json")
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)["steps"]
    deletions = [(s["resource"]["kind"], s["wave"]) for s in steps if s["action"] == "delete"]
    wave = dict(deletions)
    assert wave["ValidatingWebhookConfiguration"] < wave["Service"]
    assert wave["ValidatingWebhookConfiguration"] < wave["Deployment"]
    assert wave["Deployment"] < wave["Namespace"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _repo_with_submodule_and_odd_names(tmp_path: Path) -> Path:
    sub = tmp_path / "sub"
    sub.mkdir()
    _git(sub, "init", "-q")
    (sub / "s.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-sub}\n")
    _git(sub, "add", ".")
    _git(sub, "commit", "-qm", "s")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (repo / "new\nline.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nl}\n")
    _git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "sub")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "a")
    return repo


def test_git_revision_with_a_submodule_and_a_newline_in_a_name(tmp_path: Path) -> None:
    repo = _repo_with_submodule_and_odd_names(tmp_path)
    done = kubeplan("check", "git:HEAD", "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["summary"]["resources"] == 3  # a, nl and the submodule's
    for args in (["diff", ".", "--base", "HEAD"], ["plan", ".", "--base", "HEAD"]):
        done = kubeplan(*args, "--format", "json", cwd=repo)
        assert done.returncode == 0, done.stderr
        changes = json.loads(done.stdout)["changes"]
        assert {c["action"] for c in changes} <= {"unchanged"}, changes


@pytest.mark.parametrize("subdir", ["../outside", "/etc", "a/../../x"])
def test_git_path_outside_the_repository_is_refused(tmp_path: Path, subdir: str) -> None:
    repo = _repo_with_submodule_and_odd_names(tmp_path)
    done = kubeplan("check", f"git:HEAD:{subdir}", cwd=repo)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"kubeplan: git:HEAD:{subdir}: a path outside the repository; refused"
    )


def test_file_name_not_utf8_in_sarif_and_json(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsencode(folder) + b"/a\xff.yaml"
    with open(name, "w", encoding="utf-8") as handle:
        handle.write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: [1]\n")
    sarif, report = tmp_path / "k.sarif", tmp_path / "k.json"
    done = kubeplan(
        "check", str(folder), "--format", f"sarif={sarif}", "--format", f"json={report}"
    )
    assert done.returncode == 1, done.stderr
    uri = json.loads(sarif.read_text())["runs"][0]["results"][0]["locations"][0]
    assert uri["physicalLocation"]["artifactLocation"]["uri"].endswith("a%FF.yaml")
    assert json.loads(report.read_text())["findings"][0]["file"].endswith("a\ufffd.yaml")


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("- a\n", ".kubeplan.yaml"),
        ("just text\n", ".kubeplan.yaml"),
        ("fail-on: never\n".encode("utf-16"), "UTF-8"),
    ],
    ids=["list", "scalar", "utf-16"],
)
@pytest.mark.parametrize("command", ["check", "plan", "reach"])
def test_config_not_a_mapping_or_not_utf8_is_a_config_error(
    tmp_path: Path, content: str | bytes, said: str, command: str
) -> None:
    """One line naming the config (and, for UTF-16, the encoding to save it in); exit 2."""
    (tmp_path / ".git").mkdir()  # the config search stops at the repository root
    config = tmp_path / ".kubeplan.yaml"
    if isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content)
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    done = kubeplan(command, "m.yaml", cwd=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert ".kubeplan.yaml" in done.stderr and "internal error" not in done.stderr


# ---- the guard: an internal error is exit 2, one line, and the reports say the run failed

BOOM = """
import sys
import kubeplan.commands.pipeline, kubeplan.planner.plan
def boom(*args, **kwargs):
    raise ValueError("boom\\nsecond line")
kubeplan.commands.pipeline.run = boom
kubeplan.planner.plan.build_plan = boom
from kubeplan.cli import main
sys.argv = ["kubeplan", *sys.argv[1:]]
main()
"""


def _boom(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-c", BOOM, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env or ENV,
        timeout=TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("command", ["check", "plan"])
def test_internal_error_is_exit_2_with_one_line_and_failed_reports(
    tmp_path: Path, command: str
) -> None:
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    formats = ["sarif", "junit", "json", "markdown", "text"]
    args = [command, "m.yaml"]
    for fmt in formats:
        args += ["--format", f"{fmt}=out.{fmt}"]
    done = _boom(tmp_path, *args, "--format", "json")
    assert done.returncode == 2
    assert done.stderr == (
        "kubeplan: internal error: ValueError: boom second line (please report this)\n"
    )
    line = "internal error: ValueError: boom second line (please report this)"
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    invocation = sarif["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == line
    assert sarif["runs"][0]["results"] == []
    junit = (tmp_path / "out.junit").read_text()
    assert '<error message="internal error: ValueError' in junit and 'errors="1"' in junit
    report = json.loads((tmp_path / "out.json").read_text())
    assert report["error"] == {"type": "ValueError", "message": line}
    assert "findings" not in report and "summary" not in report  # never a clean-looking run
    assert line in (tmp_path / "out.markdown").read_text()
    assert (tmp_path / "out.text").read_text() == line + "\n"
    assert json.loads(done.stdout)["error"]["type"] == "ValueError"


def test_internal_error_traceback_only_on_request(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    done = _boom(tmp_path, "check", "m.yaml", env={**ENV, "KUBEPLAN_DEBUG": "1"})
    assert done.returncode == 2
    assert "Traceback" in done.stderr and done.stderr.endswith("(please report this)\n")


# ---- standard streams


def _many_findings(tmp_path: Path) -> Path:
    folder = tmp_path / "many"
    folder.mkdir()
    docs = [deployment().replace("name: web", f"name: web{i}") for i in range(200)]
    (folder / "all.yaml").write_text("---\n".join(docs))
    return folder


def test_closed_stdout_is_exit_2_with_one_line(tmp_path: Path) -> None:
    folder = _many_findings(tmp_path)
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m kubeplan check "{folder}" >&-'],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "kubeplan: cannot write the report to standard output: it is closed\n"


def test_closed_stdout_is_no_error_when_every_report_goes_to_a_file(tmp_path: Path) -> None:
    folder = _many_findings(tmp_path)
    report = tmp_path / "r.json"
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m kubeplan check "{folder}" -o json={report} >&-'],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr  # warnings only
    assert json.loads(report.read_text())["summary"]["resources"] == 200


def test_broken_pipe_is_quiet_exit_2(tmp_path: Path) -> None:
    folder = _many_findings(tmp_path)
    done = subprocess.run(
        [
            "bash",
            "-o",
            "pipefail",
            "-c",
            f'"{sys.executable}" -m kubeplan check "{folder}" | head -1',
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1


def test_ascii_standard_output(tmp_path: Path) -> None:
    """The summary line starts with ✓, which ASCII cannot encode: it is replaced, not fatal."""
    (tmp_path / "m.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {x: é}\n", encoding="utf-8"
    )
    env = {k: v for k, v in ENV.items() if k != "PYTHONUTF8"}
    for extra in ({"PYTHONIOENCODING": "ascii"}, {"LANG": "C", "LC_ALL": "C"}):
        done = kubeplan("check", str(tmp_path / "m.yaml"), env={**env, **extra})
        assert done.returncode == 0, done.stderr
        assert "1 resource in 1 file" in done.stdout


def test_closed_standard_input(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m kubeplan check - <&-'],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "kubeplan: -: standard input is closed\n"


def test_standard_input_not_utf8_is_a_finding() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", "check", "-", "--format", "json"],
        input=b'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: "\xff"}\n',
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert [f["rule"] for f in json.loads(done.stdout)["findings"]] == ["unreadable-file"]
