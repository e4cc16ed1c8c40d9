"""The curation assistant's pipeline: draft the coding of a new article, leaving every judgement to the curator.

`draft(text, known, lexicon, ...)` reads one raw seed and returns a `Draft`, built by stages that each read the
draft and add their annotations, in order: the layout (body, headline, byline, dateline, printed dates: `layout`),
the outlet and the publication date (`metadata`), the names of participants and media (`names`), date expressions
(`datescan`), the events the body reports (`events`), the quotes with their speakers, relays and statements
(`quotes`, `speakers`, `statements`), and the registry entries for whoever is new (`proposals`). Each drafted item
carries the rule and the evidence that produced it; `render_bundle` writes the article coding and the registry
entries with a `draft` mark on each, which `tstalks build` refuses until a curator has confirmed or corrected it.

Everything here is rules over the text, the registries and the lexicon: no statistical model.
"""
from __future__ import annotations

from ...core.vocab import ArticleDateSource
from ..lexicon import Lexicon
from . import datescan, events, metadata, names, proposals, quotes
from . import layout as layout_rules
from .context import Context
from .model import Draft, Known, Mark


def draft(text: str, known: Known, lexicon: Lexicon, article_id: str, seed_file: str, sha256: str,
          url: str | None = None, outlet: str | None = None, published: str | None = None) -> Draft:
    """Draft the coding of one seed text. `url`, `outlet` and `published` are what the curator supplies at capture."""
    ctx = Context(known, lexicon)
    lay = layout_rules.layout(text, tuple(n for m in lexicon.media for n in m.names))
    own_url = lay.own_url.text if lay.own_url else None
    d = Draft(article_id, seed_file, sha256, text, lay, outlet or metadata.outlet(text, lay, known), own_url or url,
              metadata.published(lay, own_url or url, published, url_given=own_url is None and url is not None),
              given=frozenset(k for k, v in (("url", url if not own_url else None), ("outlet", outlet),
                                             ("published", published)) if v))
    d.mentions = names.mentions(text, lay.body_start, lay.body_end, known, lexicon)
    d.dates = datescan.scan(text, lay.body_start, lay.body_end, d.published, lexicon)
    if d.published.source == ArticleDateSource.UNKNOWN:
        inferred = metadata.infer_published(text, d.dates, d.mentions, known)
        if inferred:
            d.published = inferred
            d.dates = datescan.scan(text, lay.body_start, lay.body_end, d.published, lexicon)
    ctx = Context(known, lexicon, d.published.reference)
    events.link(d, ctx)
    quotes.draft_quotes(d, ctx)
    proposals.propose(d, ctx)
    if not d.outlet:
        d.asks.append(Mark("no outlet found", "give it with `tstalks add --outlet` (the capture record), or add "
                                               "`outlet:` if the page names it"))
    if not lay.title:
        d.asks.append(Mark("no headline found", "add `title:` if the page prints a headline (a photo caption is not one)"))
    return d
