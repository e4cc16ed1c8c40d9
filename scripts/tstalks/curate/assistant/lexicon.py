"""The words the assistant's rules look for: reporting verbs, titles, institutions, media, event words (keyed by
event_type codes). Written once here; every stage reads them from this module."""
from __future__ import annotations

import re

# Verbs that report speech; "according to" and "told reporters" are handled by their own patterns.
SPEECH = (r"said|says|say|told(?:\s+reporters)?|tells|added|adds|noted|notes|stressed|stresses|stated|states|"
          r"announced|emphasi[sz]ed|underlined|urged|warned|indicated|insisted|pointed\s+to|pointed\s+out|"
          r"reported|reports|described|declared|confirmed|wrote|writes|saying|noting|adding|stressing|"
          r"reaffirmed|discussed|struck")
SPEECH_RX = re.compile(rf"\b(?:{SPEECH})\b", re.IGNORECASE)
ACCORDING = re.compile(r"\baccording\s+to\s+(?P<who>[^,.;“”\"]{2,80}(?:,\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3}(?=\s*[.;]))?)",
                       re.IGNORECASE)
# Nouns that name a body that speaks (an institution, a side, a medium).
DEFINITE = re.compile(r"\b(?:ministry|ministries|statement|readout|agency|office|government|spokes(?:man|woman|person)|"
                      r"presidency|kremlin|side|outlet|media|opposition|regime|forces|fighters|militants|rebels)\b",
                      re.IGNORECASE)
STATEMENT_WORDS = re.compile(r"\b(?:the|its|this|that)\s+(?:statement|readout|communiqu[ée]|release)\b", re.IGNORECASE)
NAME_RUN = re.compile(r"(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|Al)(?:\s+(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|Al))*")
STOP = {"the", "a", "an", "its", "their", "his", "her", "of", "and", "in", "on", "at", "to", "from", "by", "with", "s"}
# A title before a name marks a person the registries may not know yet: "Foreign Minister Mevlut Cavusoglu".
TITLED = re.compile(
    r"\b(?:(?:Defen[cs]e|Foreign|Interior|Prime)\s+Minister|President|Minister|leader|counterparts?,?|Mr\.?|Ms\.?|Mrs\.?|"
    r"spokes(?:man|woman|person))\s+(?P<name>[A-Z][\w’'-]+(?:\s+(?:al-|Al\s+|bin\s+)?[A-Z][\w’'-]+){1,3})")
DEMONYM = re.compile(r"^[A-Z][a-z]+(?:ish|ian|ese|ean)$")
INSTITUTION = re.compile(r"(?:[A-Z][\w’'-]*\s+){1,4}(?:Ministry|Agency|Office|Presidency|Government|Council|Kremlin)")
MEDIUM = re.compile(r"\b(?:news\s+agency|agency|state\s+media|media|news\s+outlet|outlet|broadcaster|television|"
                    r"newspaper|wire)\b", re.IGNORECASE)
# Qualifier words that say what kind of body, not whose ("Defense Ministry").
NOT_QUALIFIERS = ("defense", "defence", "foreign", "interior", "state", "news", "the")

# Words that report an event at all, and words that report an event of each type (schemas/codelists/event_type.csv).
MEETING = re.compile(r"\b(?:met|meet|meets|meeting|talks|hosted|hosts|summit|gathering|encounter|convened|visit(?:ed)?|"
                     r"exchange|launched|operation|attack|protests?)\b", re.IGNORECASE)
EVENT_WORDS = {
    "meeting": r"meeting|met|meet|talks|hosted|hosts|gathering|convened|encounter",
    "summit": r"summit",
    "informal_exchange": r"exchange|sidelines",
    "intelligence_contact": r"intelligence\s+(?:services|chiefs|contacts?)|contact\s+between",
    "military_operation": r"offensive|operations?|fighting\s+in",
    "military_intervention": r"intervened|intervention|military\s+campaign|air\s+strikes",
    "attack": r"attack|bombing",
    "armed_conflict": r"civil\s+war|(?:the\s+)?war\s+in|uprising|insurgency|conflict",
    "diplomatic_rupture": r"severed|severing|cut(?:ting)?\s+(?:diplomatic\s+)?ties|no\s+(?:official\s+)?diplomatic\s+ties",
    "election": r"elections?",
    "protest": r"protests?|demonstrations?",
}
EVENT_RX = {k: re.compile(rf"\b(?:{v})\b", re.IGNORECASE) for k, v in EVENT_WORDS.items()}
EVENT_STOP = {"with", "from", "their", "that", "this", "which", "after", "between", "meeting", "talks", "ministers", "minister"}
