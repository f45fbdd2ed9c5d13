"""`--format markdown`: parsed with markdown-it-py (CommonMark + GFM tables), as GitHub renders a
pull-request comment or a step summary; short for large inputs."""

from __future__ import annotations

import re

from conftest import corpus, findings, fixture, kubeplan
from markdown_it import MarkdownIt

from kubeplan.model import Finding, Severity
from kubeplan.report import markdown
from kubeplan.report.document import (
    Flow,
    PlanStep,
    RbacVerdict,
    Reachability,
    ReportData,
    display_path,
)

PARSER = MarkdownIt("commonmark").enable("table")
GITHUB_COMMENT_LIMIT = 65536


def _render(*args: str) -> str:
    run = kubeplan(*args, "--format", "markdown")
    assert run.exit_code in (0, 1), run.stderr
    return run.stdout


def _tables(tokens) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header row first)."""
    tables, rows, row, cell = [], None, None, None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            cell = []
        elif token.type == "inline" and cell is not None:
            cell.append(token.content)
        elif token.type in ("th_close", "td_close"):
            row.append("".join(cell))
            cell = None
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "table_close":
            tables.append(rows)
    return tables


def test_findings_grouped_by_severity_with_links(monkeypatch):
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    paths = [fixture("helm", "rendered.yaml"), fixture("broken", "schema-errors.yaml")]
    text = _render("check", *paths)
    expected = findings("check", *paths)
    tokens = PARSER.parse(text)
    heading = next(t for i, t in enumerate(tokens[1:]) if tokens[i].type == "heading_open")
    errors = sum(f["severity"] == "error" for f in expected)
    assert f"{errors} errors" in heading.content
    tables = _tables(tokens)
    finding_rows = [
        row for table in tables if table[0][:2] == ["Where", "Object"] for row in table[1:]
    ]
    assert len(finding_rows) == len(expected)
    hrefs = [
        child.attrs["href"]
        for t in tokens
        if t.type == "inline"
        for child in t.children or []
        if child.type == "link_open"
    ]
    wanted = {f"{display_path(f['file'])}#L{f['line']}" for f in expected}
    assert set(hrefs) == wanted
    html = PARSER.render(text)
    assert html.count("<details>") == html.count("</details>") >= 2
    assert "<table>" in html and "|" not in re.sub(r"<[^>]+>", "", html).replace("\\|", "")


def test_links_point_at_the_commit_on_github(monkeypatch):
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    monkeypatch.setenv("GITHUB_REPOSITORY", "team/manifests")
    monkeypatch.setenv("GITHUB_SHA", "abc123")
    text = _render("check", fixture("broken", "schema-errors.yaml"))
    assert "(https://github.example/team/manifests/blob/abc123/" in text
    assert "schema-errors.yaml#L7)" in text


def test_clean_run_is_one_line_of_verdict():
    text = _render("check", fixture("shop"))
    tokens = PARSER.parse(text)
    assert [t.type for t in tokens].count("table_open") == 0
    assert "✅ no findings" in text


def test_large_input_stays_short():
    text = _render("check", str(corpus("kubernetes-examples")), str(corpus("kube-prometheus")))
    assert len(text) < GITHUB_COMMENT_LIMIT
    for table in _tables(PARSER.parse(text)):
        assert len(table) - 1 <= markdown.MAX_ROWS
    assert "more (the text, JSON or SARIF report has all)" in text


def test_plan_rbac_and_reachability_sections():
    """The sections `plan` and `reach` fill: blocked steps first, verdicts, a mermaid graph."""
    finding = Finding(
        "immutable-field-changed", Severity.ERROR, "spec.selector: immutable", "app.yaml", 12, 3
    )
    report = ReportData(
        command="plan",
        findings=[finding],
        resources=3,
        files=1,
        plan_steps=[
            PlanStep(1, "apply", "Namespace shop"),
            PlanStep(2, "apply", "Deployment shop/web", "denied", ("immutable-field-changed",)),
        ],
        rbac=[RbacVerdict("User alice", "patch", "deployments.apps", "shop", False, "no binding")],
        reachability=Reachability(
            lost=[Flow("shop/frontend", "shop/cart", "TCP 7070")],
            gained=[Flow("shop/debug", "shop/cart", "TCP 7070")],
        ),
    )
    text = markdown.render(report)
    tokens = PARSER.parse(text)
    fences = [t for t in tokens if t.type == "fence"]
    assert [f.info for f in fences] == ["mermaid"]
    graph = fences[0].content.splitlines()
    assert graph[0] == "graph LR"
    assert sum("-. " in line for line in graph) == 1 and sum("-- " in line for line in graph) == 1
    tables = _tables(tokens)
    blocked = tables[0]
    assert blocked[0][0] == "#" and len(blocked) == 2 and "immutable-field-changed" in blocked[1][4]
    assert any(row[0] == "❌ denied" for table in tables for row in table)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0].startswith("kubeplan plan: ❌ 1 blocked step, 1 error")
    assert headings[1:4] == ["Plan", "RBAC", "Reachability"]


def test_cells_escape_pipes_and_markup():
    assert markdown.cell("a | b <x> *y*") == "a \\| b \\<x\\> \\*y\\*"
    html = PARSER.render("| h |\n|---|\n| " + markdown.cell("a | b <script>") + " |\n")
    assert "<script>" not in html and "a | b" in html


def test_a_real_plan_renders_its_steps_rollouts_and_reachability():
    """`plan_report_data` on `kubeplan plan` results of the fixtures: every step in apply
    order, the rollout of the updated Deployment, and the connections a policy change cuts."""
    from kubeplan.config.load import Config
    from kubeplan.planner.plan import PlanOptions, build_plan
    from kubeplan.report.sections import plan_report_data

    plan = build_plan(
        [fixture("plan", "new")], fixture("plan", "old"), PlanOptions("1.37", config=Config())
    )
    report = plan_report_data(plan, text=lambda style: "", json=lambda: "{}")
    tokens = PARSER.parse(markdown.render(report))
    tables = _tables(tokens)
    steps = next(t for t in tables if t[0][:3] == ["#", "Step", "Object"])
    assert [row[0] for row in steps[1:]] == [str(s.order) for s in plan.steps]
    assert [row[1] for row in steps[1:]] == [s.verdict for s in plan.steps]
    rolled = [s for s in plan.steps if s.rolls]
    assert rolled
    rollouts = next(t for t in tables if t[0] == ["Object", "Effect", "How"])
    assert len(rollouts) - 1 == len(plan.rollouts)

    netpol = build_plan(
        [fixture("netpol", "change", "new")],
        fixture("netpol", "change", "base"),
        PlanOptions("1.37", config=Config()),
    )
    report = plan_report_data(netpol, text=lambda style: "", json=lambda: "{}")
    text = markdown.render(report)
    fence = next(t for t in PARSER.parse(text) if t.type == "fence")
    edges = [line for line in fence.content.splitlines() if "->" in line]
    assert len(edges) == len(netpol.reach.lost) + len(netpol.reach.gained) > 0
    assert f"{len(netpol.reach.lost)} connections lost" in text
