"""`kubeplan baseline write`: run `check` and record its findings in a file; later runs with
`--baseline FILE` fail only on findings that are not in it (report/baseline.py)."""

from __future__ import annotations

from kubeplan.commands import common, pipeline
from kubeplan.errors import KubeplanError


def write(
    paths: list[str],
    *,
    output: str,
    kubernetes_version: str | None,
    strict: bool | None,
    crd: list[str] | None,
    config: str | None,
    no_inline_ignore: bool,
    context: list[str] | None,
    allow_remote: bool,
    no_render: bool,
) -> int:
    from kubeplan.schemas import renderguard

    renderguard.configure(allow_remote, no_render)
    common.refuse_format_word(output)
    from kubeplan.report import baseline as baselines

    common.refuse_overwrite([output], paths, context, crd, config)
    settings = common.settings(config, kubernetes_version)
    options = pipeline.options(settings, strict, crd, not no_inline_ignore, context)
    result = pipeline.run(paths, options, "check")
    if not result.files and not result.resources and not result.findings:
        raise KubeplanError(common.NOTHING_TO_READ)
    count = baselines.write(result.findings, output)
    noun = "finding" if count == 1 else "findings"
    common.say(f"kubeplan: wrote {count} {noun} to {output}")
    return 0
