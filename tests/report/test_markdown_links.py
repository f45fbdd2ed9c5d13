"""Links in the Markdown report (a pull-request comment) work for every input: a file links to
its line, a `git:REV:path` file to that revision's blob on GitHub (no link for a relative
revision GitHub cannot resolve), a rendered Kustomize or Helm folder to the folder."""

from __future__ import annotations

import pytest

from kubeplan.report.markdown import link


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/shop")
    monkeypatch.setenv("GITHUB_SHA", "abc123")


def test_a_file_links_to_its_line(github: None) -> None:
    assert link("deploy/app.yaml", 3).endswith(
        "(https://github.com/acme/shop/blob/abc123/deploy/app.yaml#L3)"
    )


def test_a_git_file_links_to_its_revision(github: None) -> None:
    got = link("git:origin/main:deploy/app.yaml", 12)
    assert got.endswith("(https://github.com/acme/shop/blob/main/deploy/app.yaml#L12)")
    assert "](" not in link("git:HEAD~1:deploy/app.yaml", 12)


def test_a_rendered_folder_links_to_the_folder(github: None) -> None:
    got = link("overlays/prod (kustomize)", 40)
    assert got.endswith("(https://github.com/acme/shop/tree/abc123/overlays/prod)")


def test_outside_github_links_are_relative(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    assert link("deploy/app.yaml", 3) == "[deploy/app.yaml:3](deploy/app.yaml#L3)"
    assert link("overlays/prod (kustomize)", 40).endswith("(overlays/prod)")
