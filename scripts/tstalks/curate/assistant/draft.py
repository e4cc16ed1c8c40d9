"""The curation assistant's pipeline: draft the coding of a new article, leaving every judgement to the curator.

`draft(text, known, ...)` reads one raw seed and returns a `Draft`, built by stages that each read the draft and
add their annotations, in order: the layout (body, headline, byline, printed dates: `layout`), the outlet and the
publication date (`metadata`), the names of participants (`names`), date expressions (`datescan`), the events the
body reports (`events`), and the quotes with their speakers and statements (`quotes`). Each drafted item carries
the rule and the evidence that produced it; `render` writes the draft as a coding file with a `draft` mark on each
item, which `tstalks build` refuses until a curator has confirmed or corrected it.

Everything here is rules over the text and the registries: no statistical model.
"""
from __future__ import annotations

from ...core.vocab import ArticleDateSource
from . import datescan, events, metadata, names, quotes
from . import layout as layout_rules
from .model import NEW, Draft, Known


def draft(text: str, known: Known, article_id: str, seed_file: str, sha256: str,
          url: str | None = None, outlet: str | None = None, published: str | None = None) -> Draft:
    """Draft the coding of one seed text. `url`, `outlet` and `published` are what the curator already knows."""
    lay = layout_rules.layout(text)
    own_url = url or (lay.own_url.text if lay.own_url else None)
    d = Draft(article_id, seed_file, sha256, text, lay, outlet or metadata.outlet(text, lay, known), own_url,
              metadata.published(lay, own_url, published),
              given=frozenset(k for k, v in (("url", url), ("outlet", outlet), ("published", published)) if v))
    d.mentions = names.mentions(text, lay.body_start, lay.body_end, known)
    d.dates = datescan.scan(text, lay.body_start, lay.body_end, d.published)
    if d.published.source == ArticleDateSource.UNKNOWN:
        inferred = metadata.infer_published(text, d.dates, d.mentions, known)
        if inferred:
            d.published = inferred
            d.dates = datescan.scan(text, lay.body_start, lay.body_end, d.published)
    d.events = events.link(text, lay.body_start, lay.body_end, d.dates, d.mentions, known, article_id)
    quotes.draft_quotes(d, known)
    for m in d.mentions:
        if m.kind != NEW:
            spellings = d.aliases.setdefault(m.participant_id, [])
            if m.text not in spellings:
                spellings.append(m.text)
    return d
