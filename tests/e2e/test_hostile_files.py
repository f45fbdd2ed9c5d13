"""Input a pull request controls: FIFOs, devices, symbolic links (git stores them), huge files,
empty standard input, overlapping PATHs, a report written over an input, line separators that
shift line numbers, YAML directives. Each read is bounded and nothing is skipped in silence.

Tests that could hang or exhaust memory on a regression run kubeplan as a subprocess with a
timeout and an address-space limit, so a failure is a failed test, not a stuck suite.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import kubeplan

from kubeplan.schemas import inputfs
from kubeplan.schemas.catalog import bundled_versions

TIMEOUT = 120
MEMORY = 3 * 1024**3


def config_map(name: str, extra: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{extra}"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_bounded(
    *args: str, cwd: Path | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """kubeplan in a subprocess, bounded in time and memory."""
    done = subprocess.run(
        [sys.executable, "-m", "kubeplan", *args],
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=_limits,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def found(run: subprocess.CompletedProcess[str]) -> list[tuple[str, str, int, str]]:
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    return [(f["file"], f["rule"], f["line"], f["message"]) for f in report["findings"]]


def rules_by_file(findings: list[tuple[str, str, int, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for file, rule, _, _ in findings:
        out.setdefault(os.path.basename(file), set()).add(rule)
    return out


# -- FIFOs, devices, symbolic links in a walked folder ---------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "app.yaml").write_text(config_map("app"))
    return tmp_path / "m"


def test_a_fifo_in_a_folder_is_a_finding_not_a_hang(folder: Path) -> None:
    os.mkfifo(folder / "pipe.yaml")
    run = run_bounded("validate", str(folder), "--format", "json")
    got = found(run)
    assert run.returncode == 1
    assert [(r, line) for f, r, line, _ in got if f.endswith("pipe.yaml")] == [
        ("not-a-regular-file", 1)
    ]
    assert "FIFO" in next(m for f, _, _, m in got if f.endswith("pipe.yaml"))
    assert json.loads(run.stdout)["summary"]["resources"] == 1


def test_a_link_to_dev_zero_is_not_followed(folder: Path) -> None:
    (folder / "zero.yaml").symlink_to("/dev/zero")
    run = run_bounded("validate", str(folder), "--format", "json")
    got = found(run)
    (zero,) = [x for x in got if x[0].endswith("zero.yaml")]
    assert zero[1:3] == ("symlink-not-followed", 1)
    assert "'/dev/zero'" in zero[3] and "not followed" in zero[3]
    assert run.returncode == 0  # a warning: the manifests that were read are fine


def test_a_link_inside_the_folder_to_a_fifo_is_not_opened(folder: Path) -> None:
    os.mkfifo(folder / "pipe")
    (folder / "pipe.yaml").symlink_to("pipe")
    got = found(run_bounded("validate", str(folder), "--format", "json"))
    assert rules_by_file(got) == {"pipe.yaml": {"not-a-regular-file"}}


def test_a_link_to_a_device_named_as_a_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    run = run_bounded("validate", "zero.yaml", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == "kubeplan: zero.yaml: not a regular file or folder"


def test_a_link_out_of_the_folder_is_not_followed(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.yaml").write_text(config_map("secret"))
    (folder / "secret.yaml").symlink_to("../elsewhere/secret.yaml")
    run = kubeplan("validate", str(folder), "--format", "json")
    assert run.exit_code == 0
    report = run.json()
    assert report["summary"]["resources"] == 1
    (finding,) = report["findings"]
    assert finding["rule"] == "symlink-not-followed" and finding["severity"] == "warning"
    assert finding["message"] == (
        f"a symbolic link to '../elsewhere/secret.yaml', outside {folder}; not followed"
    )


def test_a_link_in_the_folder_is_read_once_and_to_any_file_name(folder: Path) -> None:
    (folder / "alias.yaml").symlink_to("app.yaml")  # the same file: no duplicate-resource
    (folder / "data").mkdir()
    (folder / "data" / "extra.txt").write_text(config_map("extra"))
    (folder / "extra.yaml").symlink_to("data/extra.txt")
    run = kubeplan("validate", str(folder), "--format", "json", "--verbose")
    assert run.exit_code == 0, run.stdout
    report = run.json()
    assert report["findings"] == []
    assert report["summary"]["resources"] == 2


def test_a_broken_link_is_a_finding(folder: Path) -> None:
    (folder / "gone.yaml").symlink_to("missing.yaml")
    got = found(run_bounded("validate", str(folder), "--format", "json"))
    assert [(r, m) for f, r, _, m in got] == [
        ("unreadable-file", "a symbolic link to 'missing.yaml', which does not exist")
    ]


def test_linked_folders_are_said_not_skipped_in_silence(tmp_path: Path, folder: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.yaml").write_text(config_map("x"))
    (folder / "out").symlink_to(tmp_path / "outside")
    (folder / "sub").mkdir()
    (folder / "sub" / "b.yaml").write_text(config_map("b"))
    (folder / "again").symlink_to("sub")
    report = kubeplan("validate", str(folder), "--format", "json").json()
    assert report["summary"]["resources"] == 2
    assert [(f["file"], f["rule"]) for f in report["findings"]] == [
        (f"{folder}/out", "symlink-not-followed")
    ]
    verbose = kubeplan("validate", str(folder), "--verbose")
    note = f"{folder}/again: symbolic link to a folder inside {folder}, read at its own path"
    assert note in verbose.stdout + verbose.stderr


def _without_dac_override() -> None:
    """Drop root's power to read any folder (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: 1 and 2 in
    linux/capability.h) from the bounding set, so that after exec chmod 000 denies root too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _denied(folder: Path, demote: Callable[[], None] | None) -> bool:
    """Whether a process started as kubeplan is is refused the folder's listing."""
    try:
        probe = subprocess.run(
            [sys.executable, "-c", f"import os; os.listdir({str(folder)!r})"],
            preexec_fn=demote,
            capture_output=True,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return probe.returncode != 0 and b"PermissionError" in probe.stderr


def test_an_unreadable_folder_is_a_finding(tmp_path: Path) -> None:
    """chmod 000 does not deny root: as root, kubeplan runs without the capabilities that let
    root read any folder, and the test is skipped only where that cannot be done."""
    (tmp_path / "m" / "locked").mkdir(parents=True)
    (tmp_path / "m" / "app.yaml").write_text(config_map("app"))
    (tmp_path / "m" / "locked" / "x.yaml").write_text(config_map("x"))
    locked = tmp_path / "m" / "locked"
    locked.chmod(0o000)
    try:
        demote = _without_dac_override if os.geteuid() == 0 else None
        if not _denied(locked, demote):
            pytest.skip("this process can read a chmod 000 folder (root without capset)")
        done = subprocess.run(
            [sys.executable, "-m", "kubeplan", "validate", "m", "--format", "json"],
            cwd=tmp_path,
            preexec_fn=demote,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        locked.chmod(0o755)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["resources"] == 1
    assert [(f["file"], f["rule"], f["line"]) for f in report["findings"]] == [
        ("m/locked", "unreadable-folder", 1)
    ]
    assert "permission denied" in report["findings"][0]["message"].lower()


# -- size limits ------------------------------------------------------------------------------


def test_the_limit_is_64_mib() -> None:
    assert inputfs.MAX_FILE_BYTES == inputfs.MAX_STDIN_BYTES == 64 * 1024 * 1024


def test_a_file_above_the_limit_is_a_finding_naming_it(folder: Path) -> None:
    with open(folder / "huge.yaml", "wb") as handle:
        handle.truncate(inputfs.MAX_FILE_BYTES + 1)  # sparse: no disk used
    run = run_bounded("validate", str(folder), "--format", "json")
    assert run.returncode == 1
    (huge,) = [x for x in found(run) if x[0].endswith("huge.yaml")]
    assert huge[1:] == (
        "file-too-large",
        1,
        "the file is larger than kubeplan's limit of 64 MiB; not read",
    )


def test_standard_input_above_the_limit_is_a_finding(tmp_path: Path) -> None:
    run = run_bounded(
        "validate", "-", "--format", "json", stdin=b"#" * (inputfs.MAX_STDIN_BYTES + 1)
    )
    assert run.returncode == 1
    assert found(run) == [
        (
            "<stdin>",
            "file-too-large",
            1,
            "standard input is larger than kubeplan's limit of 64 MiB; not read",
        )
    ]


def test_a_growing_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    """The size a file claims is not trusted: the read itself stops at the limit."""
    path = tmp_path / "grows.yaml"
    path.write_bytes(b"a: 1\n" * 10)
    with pytest.raises(inputfs.Refused) as refused:
        inputfs.read_regular(str(path), limit=20)
    assert refused.value.rule == "file-too-large"
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with pytest.raises(inputfs.Refused):
            inputfs._read_bounded(descriptor, 20)
    finally:
        os.close(descriptor)


# -- standard input ---------------------------------------------------------------------------


def test_empty_standard_input_fails_as_a_missing_path_does(tmp_path: Path) -> None:
    run = run_bounded("check", "-")  # stdin is /dev/null: a pipe whose producer failed
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == (
        "kubeplan: standard input is empty (did the command piping into kubeplan fail?)\n"
    )
    assert kubeplan("check", "-", stdin=" \n").exit_code == 2
    missing = kubeplan("check", str(tmp_path / "nope"))
    assert missing.exit_code == 2


# -- overlapping PATHs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "paths",
    [("m", "m/app.yaml"), ("m", "./m"), ("m/app.yaml", "m/../m/app.yaml"), ("m", "link")],
)
def test_overlapping_paths_read_each_file_once(
    folder: Path, monkeypatch: pytest.MonkeyPatch, paths: tuple[str, ...]
) -> None:
    monkeypatch.chdir(folder.parent)
    (folder.parent / "link").symlink_to("m")
    run = kubeplan("validate", *paths, "--format", "json")
    assert run.exit_code == 0, run.stdout
    assert run.json()["findings"] == []
    assert run.json()["summary"]["resources"] == 1


# -- a report written over an input -----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "m", "--output", "m/app.yaml"),
        ("check", "m/app.yaml", "--format", "json=m/app.yaml"),
        ("lint", "m", "--format", "sarif", "--output", "./m/app.yaml"),
        ("diff", "m", "--base", "m", "--output", "m/app.yaml"),
        ("plan", "m", "--output", "m/app.yaml"),
        ("reach", "m", "--output", "m/app.yaml"),
        ("baseline", "write", "m", "--output", "m/app.yaml"),
    ],
)
def test_an_output_naming_an_input_is_refused_before_writing(
    folder: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(folder.parent)
    before = (folder / "app.yaml").read_text()
    run = kubeplan(*args)
    assert run.exit_code == 2
    assert "one of the inputs" in run.stderr and len(run.stderr.splitlines()) == 1
    assert (folder / "app.yaml").read_text() == before


def test_an_output_beside_the_inputs_is_written(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent)
    run = kubeplan("validate", "m", "--output", "report.txt")
    assert run.exit_code == 0
    assert "no findings" in (folder.parent / "report.txt").read_text()


# -- lines as GitHub shows them ---------------------------------------------------------------


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\r"])
def test_line_separators_do_not_shift_later_lines(tmp_path: Path, separator: str) -> None:
    """libyaml (and go-yaml) count these as line breaks; GitHub and editors count only \\n."""
    text = config_map(
        "a",
        f'  annotations:\n    note: "one{separator}two{separator}three"\ndata:\n  k: one\n  k: two\n',
    )
    path = tmp_path / "sep.yaml"
    path.write_text(text, newline="")
    physical = text.split("\n").index("  k: two") + 1
    got = found(run_bounded("validate", str(path), "--format", "json"))
    assert [(r, line) for _, r, line, _ in got] == [("yaml-duplicate-key", physical)]
    assert f"(first at line {physical - 1})" in got[0][3]


def test_a_separator_line_after_a_line_separator_does_not_split(tmp_path: Path) -> None:
    """kubectl splits documents at \\n lines only; the `---` after U+2028 stays in the quoted
    value, where go-yaml and libyaml both refuse it (kubectl 1.32: "found unexpected document
    indicator"). One finding, on the physical line, not two made up by a split."""
    path = tmp_path / "split.yaml"
    text = config_map("a", 'data:\n  k: "x\u2028--- y"\n  n: [1]\n')
    path.write_text(text, newline="")
    got = found(run_bounded("validate", str(path), "--format", "json"))
    assert [(r, line) for _, r, line, _ in got] == [("yaml-syntax", 6)]
    assert "found unexpected document indicator" in got[0][3]


# -- YAML directives --------------------------------------------------------------------------


def test_a_directive_is_the_error_kubectl_makes_of_it_on_its_line(tmp_path: Path) -> None:
    """kubectl apply -f splits at `---` lines before go-yaml parses, so `%YAML 1.1` alone is a
    document go-yaml refuses (kubectl 1.32: "yaml: line 1: did not find expected <document
    start>"); kubeplan says so on the directive's line, and still checks the document."""
    path = tmp_path / "directive.yaml"
    path.write_text("# header\n%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\n" + config_map("a"))
    got = found(run_bounded("validate", str(path), "--format", "json"))
    (syntax,) = [x for x in got if x[1] == "yaml-syntax"]
    assert syntax[2] == 2
    assert "%YAML or %TAG directive" in syntax[3] and "kubectl apply -f" in syntax[3]
    assert len(got) == 1


# -- --kubernetes-version '' ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "check", "lint", "diff", "plan"])
def test_an_empty_kubernetes_version_is_a_usage_error(folder: Path, command: str) -> None:
    extra = ("--base", str(folder)) if command == "diff" else ()
    run = kubeplan(command, str(folder), "--kubernetes-version", "", *extra)
    assert run.exit_code == 2
    versions = bundled_versions()
    assert run.stderr == (
        f"kubeplan: --kubernetes-version is empty; give one of {versions[0]} to {versions[-1]}\n"
    )


# -- git revisions: links read as what they point to, as in the working tree ------------------


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with links committed: inside m/ (to a file of another name, and to a
    manifest of m/), out of m/ (to ../base), absolute (/etc/hostname), and to a folder."""
    _git(tmp_path, "init", "-q")
    m = tmp_path / "m"
    (m / "data").mkdir(parents=True)
    (tmp_path / "base").mkdir()
    (m / "app.yaml").write_text(config_map("app"))
    (m / "data" / "settings.txt").write_text(config_map("settings"))
    (m / "settings.yaml").symlink_to("data/settings.txt")
    (m / "alias.yaml").symlink_to("app.yaml")
    (tmp_path / "base" / "shared.yaml").write_text(config_map("shared"))
    (m / "shared.yaml").symlink_to("../base/shared.yaml")
    (m / "host.yaml").symlink_to("/etc/hostname")
    (m / "folder.yaml").symlink_to("data")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "links")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_committed_link_is_unchanged_against_its_revision(repo: Path) -> None:
    run = kubeplan("diff", "m", "--base", "HEAD", "--format", "json")
    assert run.exit_code == 0, run.stdout
    summary = run.json()["summary"]
    assert (summary["create"], summary["delete"], summary["update"]) == (0, 0, 0)
    assert summary["unchanged"] == 2


def _shape(findings: list[dict]) -> list[tuple[str, str, str]]:
    return sorted(
        (f["file"].rpartition(":")[2], f["rule"], f["message"].split(", outside")[0])
        for f in findings
    )


def test_a_revision_reads_links_as_the_working_tree_does(repo: Path) -> None:
    tree = kubeplan("validate", "m", "--format", "json").json()
    revision = kubeplan("validate", "git:HEAD:m", "--format", "json").json()
    assert tree["summary"]["resources"] == revision["summary"]["resources"] == 2
    assert _shape(tree["findings"]) == _shape(revision["findings"])
    assert _shape(revision["findings"]) == [
        ("m/host.yaml", "symlink-not-followed", "a symbolic link to '/etc/hostname'"),
        ("m/shared.yaml", "symlink-not-followed", "a symbolic link to '../base/shared.yaml'"),
    ]
    # the whole revision holds the link's target: followed, and read once
    whole = kubeplan("validate", "git:HEAD", "--format", "json").json()
    assert whole["summary"]["resources"] == 3
    assert _shape(whole["findings"]) == [
        ("m/host.yaml", "symlink-not-followed", "a symbolic link to '/etc/hostname'")
    ]


def test_a_link_named_as_a_revision_path_stays_in_its_folder(repo: Path) -> None:
    run = kubeplan("validate", "git:HEAD:m/settings.yaml", "--format", "json")
    assert run.exit_code == 0 and run.json()["summary"]["resources"] == 1
    out = kubeplan("validate", "git:HEAD:m/shared.yaml", "--format", "json").json()
    assert [f["rule"] for f in out["findings"]] == ["symlink-not-followed"]


@pytest.fixture
def link_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _git(tmp_path, "init", "-q")
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "ok.yaml").write_text(config_map("ok"))
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "loop")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_link_loop_ends(link_loop: Path) -> None:
    for path in (".", "git:HEAD"):
        run = run_bounded("validate", path, "--format", "json", cwd=link_loop)
        got = found(run)
        assert json.loads(run.stdout)["summary"]["resources"] == 1
        assert {f.rpartition(":")[2] for f, *_ in got} == {"a.yaml", "b.yaml"}
        assert {m for *_, m in got} == {"cannot read: Too many levels of symbolic links"}


def test_a_huge_blob_in_a_revision_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / "ok.yaml").write_text(config_map("ok"))
    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(inputfs.MAX_FILE_BYTES + 1)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "huge")
    (tmp_path / "huge.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    run = kubeplan("validate", "git:HEAD", "--format", "json")
    assert run.json()["summary"]["resources"] == 1
    assert [(f["file"], f["rule"], f["line"]) for f in run.json()["findings"]] == [
        ("git:HEAD:huge.yaml", "file-too-large", 1)
    ]


def test_directive_text_in_a_block_is_no_directive() -> None:
    text = textwrap.dedent(
        """\
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: a
        data:
          k: |
            %YAML 1.1
        """
    )
    run = kubeplan("validate", "-", "--format", "json", stdin=text)
    assert run.exit_code == 0 and run.json()["findings"] == []


# -- kubeplan's own files: config and baseline ------------------------------------------------


@pytest.mark.parametrize("option", ["--config", "--baseline"])
def test_a_config_or_baseline_that_is_a_device_or_fifo_is_refused(
    folder: Path, option: str
) -> None:
    (folder.parent / "zero").symlink_to("/dev/zero")
    os.mkfifo(folder.parent / "pipe")
    for name, kind in (("zero", "a character device"), ("pipe", "a FIFO (named pipe)")):
        run = run_bounded("check", "m", option, name, cwd=folder.parent)
        assert run.returncode == 2
        assert run.stderr.startswith("kubeplan: ") and len(run.stderr.splitlines()) == 1
        assert f"{kind}, not a regular file; not read" in run.stderr


def test_a_link_named_as_a_path_stays_in_its_folder(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a pre-commit hook or a file list passes: the link itself, never its target outside."""
    (tmp_path / "secret.yaml").write_text(config_map("secret"))
    (folder / "leak.yaml").symlink_to("../secret.yaml")
    (folder / "same.yaml").symlink_to("app.yaml")
    monkeypatch.chdir(tmp_path)
    run = kubeplan("validate", "m/leak.yaml", "m/same.yaml", "--format", "json")
    report = run.json()
    assert report["summary"]["resources"] == 1
    assert [(f["file"], f["rule"], f["message"]) for f in report["findings"]] == [
        (
            "m/leak.yaml",
            "symlink-not-followed",
            "a symbolic link to '../secret.yaml', outside m; not followed",
        )
    ]


def test_hook_mode_does_not_open_a_link_to_a_device(tmp_path: Path) -> None:
    """--hook reads each named file to tell manifests from other YAML: bounded as well."""
    (tmp_path / "app.yaml").write_text(config_map("app"))
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    run = run_bounded("check", "--hook", "app.yaml", "zero.yaml", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr.strip() == "kubeplan: zero.yaml: not a regular file or folder"
