"""`tstalks add`, `tstalks coverage` and `tstalks evaluate-assistant`: the curator's commands."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.problems import Failed
from .shell import fail, project_at, root_option


@click.command()
@root_option
@click.option("--all", "show_all", is_flag=True, help="List every detected item, not only the missing ones.")
def coverage(root: str | None, show_all: bool) -> None:
    """Report, per article, every quoted passage and attribution sentence of the body and whether it is coded
    as a quote or waived in the coding's `uncoded:` list. Exit 1 unless coverage is 100%."""
    from ..curate import coverage as measure

    project = project_at(root)
    try:
        report = measure.measure(project)
    except Failed as exc:
        fail(exc.problems, "Fix the codings, then measure coverage again.")
    for a in report.articles:
        counts = "; ".join(
            f"{kind}s {a.count(kind, measure.CODED)} coded + {a.count(kind, measure.WAIVED)} waived / {a.count(kind)}"
            for kind in ("quotation", "attribution"))
        click.echo(f"{a.article_id}: {a.percent:.1f}%  ({counts})")
        for item in a.items if show_all else a.missing:
            words = " ".join(item.text.split())
            detail = f" [{item.detail}]" if item.detail else ""
            click.echo(f"  {item.status:7} {item.kind} at [{item.start}, {item.end}){detail}: {words}")
    if not report.complete:
        click.echo("Coverage is below 100%: code each missing item as a quote, or waive it under `uncoded:` "
                   "with a one-line reason.", err=True)
        sys.exit(1)
    click.echo("Coverage 100%.")


@click.command()
@click.argument("article", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--url", help="The page's URL, as known at capture (not words of the text).")
@click.option("--outlet", help="The outlet that published it, as known at capture.")
@click.option("--published", help="Its publication date as known at capture, YYYY-MM-DD.")
@click.option("--captured", help="When the page was captured, YYYY-MM-DD.")
@click.option("--method", help="How it was captured: a code of schemas/codelists/capture_method.csv (full_page, excerpt, wire_copy).")
@click.option("--completeness", help="How complete the stored text is: a code of schemas/codelists/capture_completeness.csv.")
@click.option("--completeness-note", help="What is missing, in words (\"no headline stored\").")
@click.option("--licence", help="A licence note for the text (it stays its publisher's).")
@click.option("--keep-first-contact", is_flag=True,
              help="Also keep the draft unedited in benchmarks/first-contact/ to measure the assistant on it later.")
@root_option
def add(article: Path, url: str | None, outlet: str | None, published: str | None, captured: str | None,
        method: str | None, completeness: str | None, completeness_note: str | None, licence: str | None,
        keep_first_contact: bool, root: str | None) -> None:
    """Add the raw text ARTICLE as a new seed and draft its coding.

    Copies the file byte for byte to seeds/articles/NNN_<sha256 prefix>.txt (refusing a duplicate or a file that is
    not UTF-8 text), writes its capture record beside it (the options below: what the curator knows of the capture,
    not words of the text), writes seeds/codings/articles/aNNN.yaml (body, metadata, quotes with their speakers and
    relays, event mentions, aliases) and appends the participants, statements and events it proposes to the
    registries. Every drafted item is marked `draft:` with its rule and evidence; `tstalks build` refuses them until
    a curator has confirmed each and deleted its mark.
    """
    from ..curate import add as adding
    from ..curate.evaluation import FIRST_CONTACT

    project = project_at(root)
    capture = adding.Capture(url, outlet, published, captured, method, completeness, completeness_note, licence)
    try:
        added = adding.add(project, article, capture, keep_first_contact)
    except Failed as exc:
        fail(exc.problems, "Nothing was added.")
    d = added.draft
    click.echo(f"Added seed {project.relative(added.seed)} and its capture record {project.relative(added.capture)}")
    proposed = ", ".join(f"{n} {kind}" for kind, n in added.registries.items()) or "nothing"
    click.echo(f"Drafted {project.relative(added.coding)}: body at [{d.layout.body_start}, {d.layout.body_end}), "
               f"{len(d.quotes)} quote(s), {len(d.uncoded)} set-aside passage(s), {len(d.dates)} date expression(s), "
               f"{len(d.events)} event mention(s); proposed for the registries: {proposed}.")
    if keep_first_contact:
        click.echo(f"Kept the draft as written in {FIRST_CONTACT}/{added.draft.article_id}/ for `tstalks evaluate-assistant`.")
    click.echo(f"{added.marks} draft item(s) to confirm. Edit the files, then run `tstalks build` to list what remains.")


@click.command("evaluate-assistant")
@root_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if docs/assistant.md is out of date.")
def evaluate_assistant(root: str | None, check: bool) -> None:
    """Measure the curation assistant: every confirmed article drafted as if new (leave-one-out), and the drafts kept
    at first contact in benchmarks/first-contact/; write docs/assistant.md."""
    from ..curate import evaluation

    project = project_at(root)
    try:
        text, stale = evaluation.evaluate(project, check)
    except Failed as exc:
        fail(exc.problems, "Fix the codings, then measure again.")
    if check:
        if stale:
            click.echo(f"{evaluation.REPORT} is out of date. Run: tstalks evaluate-assistant", err=True)
            sys.exit(1)
        click.echo(f"{evaluation.REPORT} is up to date.")
        return
    click.echo(text)


COMMANDS = (add, coverage, evaluate_assistant)
