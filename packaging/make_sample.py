"""Write the bundled sample corpus, nerstudio/resources/sample/sample.jsonl.

Every sentence comes from templates written for nerstudio, filled with invented people and
companies, real places, and a few well-known historical facts; nothing is copied from a
licensed corpus. The seed is fixed, so running this again writes the same file:

    python packaging/make_sample.py

The first ANNOTATED documents carry gold spans and ``status: done`` (every fourth of them
in split ``dev``, the rest ``train``) so that Train works at once; the others are plain
text (status new), left for the user to annotate.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nerstudio.core.tokens import tokenize  # noqa: E402

OUT = ROOT / "nerstudio" / "resources" / "sample" / "sample.jsonl"
SEED = 2024
DOCUMENTS = 300
ANNOTATED = 40


def _names(block: str) -> list[str]:
    """A comma-separated block of names, in order (a name may wrap onto the next line)."""
    return [" ".join(name.split()) for name in block.split(",") if name.strip()]


PEOPLE = _names("""
    Mara Okonkwo, Tomasz Wierzbicki, Ines Carvalho, Kenji Araki, Aylin Demir, Soren
    Lindqvist, Priya Raman, Diego Fuentes, Hannah Vogel, Kwame Asante, Elif Yıldız, Nadia
    Haddad, Rafael Moreau, Siobhan Quinn, Jonas Eriksen, Leila Farahani, Oskar Brandt,
    Amara Nwosu, Mateo Silva, Yuki Tanabe, Freya Holm, Samuel Adeyemi, Clara Jansen, Ilya
    Sorokin, Lucía Márquez, Arjun Mehta, Greta Lund, Tariq Bensalem, Mei Lin Zhou, Callum
    Reid, Zanele Dlamini, Henrik Aalto, Rosa Castellano, Emeka Obi, Astrid Nyberg, Farid
    Karimi, Noor Abbasi, Paulo Teixeira, Wren Hartley, Dmitri Volkov
""")
COMPANIES = _names("""
    Halvorsen Freight, Bluewater Analytics, Kestrel Aerospace, Northgate Bank, Aurora
    Biolabs, Tamarind Foods, Vireo Motors, Calder & Finch, Lumen Grid, Saltmarsh Energy,
    Copperleaf Software, Ostrander Mining, Pelican Logistics, Brightwater Pharma, Quillon
    Textiles, Meridian Capital, Fernhill Robotics, Alder Telecom
""")
CLUBS = _names("""
    Harbour City FC, Riverside Falcons, Red Hollow United, Port Elm Rovers, Kingsbridge
    Athletic, Westmoor Wolves, Lakeside Comets, Granite Bay Sharks
""")
UNIVERSITIES = _names("""
    Pinecrest University, the Meridian Institute, Larkfield College, the Coastal Research
    Council, Eastbrook Polytechnic, the Halden Observatory
""")
AIRLINES = _names("""
    Skylark Air, Nordvik Airways, Cobalt Airlines, Sunbird Express
""")
MUSEUMS = _names("""
    the Harbourside Museum, the Ashgrove Gallery, the Old Customs House Museum, the
    Lindenfeld Collection
""")
CITIES = _names("""
    Lisbon, Nairobi, Osaka, Rotterdam, Montreal, Valparaíso, Kraków, Accra, Hanoi,
    Reykjavik, Tbilisi, Perth, Lagos, Seville, Bergen, Cape Town, Quito, Zanzibar,
    Istanbul, Edinburgh, Buenos Aires, Marseille, Kyoto, São Paulo, Tallinn, Dakar,
    Hobart, Vancouver
""")
COUNTRIES = _names("""
    Portugal, Kenya, Japan, Norway, Chile, Ghana, Vietnam, Canada, Brazil, Iceland,
    Georgia, Morocco, New Zealand, Finland, Peru
""")
WATERS = _names("""
    the Danube, the Tagus, the Mekong, the Rhine, the Baltic Sea, Lake Victoria, the
    Atlantic, the Niger
""")
NATIONALITIES = _names("""
    Portuguese, Kenyan, Japanese, Norwegian, Chilean, Ghanaian, Brazilian, Canadian,
    Icelandic, Dutch, Moroccan, Finnish, Peruvian, Vietnamese
""")
EVENTS = _names("""
    Harvest Film Festival, Global Ocean Summit, Northern Lights Marathon, Midsummer Jazz
    Week, Festival of Lanterns, World Rowing Cup, Spring Book Fair, Coastal Climate Forum
""")
RACES = _names("""
    Northern Lights Marathon, Tour of the Fjords, Harbour Half Marathon, Three Peaks Race,
    Silver Coast Regatta
""")
PRODUCTS = _names("""
    Vireo Aster, Lumen One, Nimbus 4, Kestrel K-9, Fernhill Atlas, Copperleaf Desk, Alder
    Beacon, Tamarind Crunch
""")
AWARDS = _names("""
    Halden Prize, Larkfield Medal, Ostrander Fellowship, Blue Compass Award
""")
ERAS = _names("""
    Bronze Age, Renaissance, Industrial Revolution, Iron Age, Viking Age
""")

# Slot -> (values, label); a trailing digit (ORG2) asks for a different value of the pool.
POOLS: dict[str, tuple[list[str], str]] = {
    "PER": (PEOPLE, "PER"),
    "ORG": (COMPANIES, "ORG"),
    "CLUB": (CLUBS, "ORG"),
    "UNI": (UNIVERSITIES, "ORG"),
    "AIR": (AIRLINES, "ORG"),
    "MUSEUM": (MUSEUMS, "ORG"),
    "LOC": (CITIES, "LOC"),
    "COUNTRY": (COUNTRIES, "LOC"),
    "WATER": (WATERS, "LOC"),
    "NAT": (NATIONALITIES, "MISC"),
    "EVENT": (EVENTS, "MISC"),
    "RACE": (RACES, "MISC"),
    "PRODUCT": (PRODUCTS, "MISC"),
    "AWARD": (AWARDS, "MISC"),
    "ERA": (ERAS, "MISC"),
}
DAYS = _names("""
    Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday
""")
MONTHS = _names("""
    January, February, March, April, May, June, July, August, September, October,
    November, December
""")

TEMPLATES: dict[str, list[str]] = {
    "news": [
        "{PER}, the mayor of {LOC}, announced a new bus network on {DAY}.",
        "Officials in {LOC} said the old bridge would reopen in {MONTH}.",
        "{ORG} was fined {MONEY} by regulators in {LOC} for late filings.",
        "Thousands gathered in {LOC} for the {EVENT} despite heavy rain.",
        "The {NAT} trade minister, {PER}, arrived in {LOC} for two days of talks.",
        "A spokesperson for {ORG} declined to comment on the report.",
        "{PER} told reporters that the count in {LOC} had been fair.",
        "Flooding along {WATER} forced {NUM} families from their homes.",
        "Rail workers in {COUNTRY} will strike on {DAY}, their union said.",
        "The city council of {LOC} approved the new library by {VOTES} votes to {SMALL}.",
    ],
    "business": [
        "{ORG} reported a {PCT} rise in quarterly revenue, chief executive {PER} said.",
        "{ORG} agreed to buy {ORG2} for {MONEY}.",
        "Shares of {ORG} fell {PCT} in {LOC} after the company cut its forecast.",
        "{PER} joined {ORG} as chief financial officer in {MONTH}.",
        "The {PRODUCT} will go on sale in {LOC} and {LOC2} this autumn.",
        "{ORG} opened a warehouse outside {LOC}, creating {NUM} jobs.",
        "Analysts at {ORG} expect {NAT} exports to slow this year.",
        "{ORG} is recalling {NUM} units of the {PRODUCT} over a battery fault.",
        "{ORG}'s new plant in {COUNTRY} will run entirely on wind power.",
        "Investors asked {PER} whether {ORG} would pay a dividend in {YEAR}.",
    ],
    "science": [
        "Researchers at {UNI} in {LOC} have sequenced the genome of a rare orchid.",
        "{PER}, a marine biologist at {UNI}, studies coral reefs off {COUNTRY}.",
        "{UNI} will host the {EVENT} in {MONTH}.",
        "{PER} received the {AWARD} for work on soil bacteria.",
        "Sensors placed on glaciers in {COUNTRY} recorded the warmest summer on record.",
        "The {PRODUCT} microscope, built by {ORG}, can image single molecules.",
        "A team led by {PER} found microplastics in {NUM} of {NUM2} samples from {WATER}.",
        "{NAT} astronomers at {UNI} spotted a comet on {DAY} night.",
        "{PER} and {PER2} share the {AWARD} this year.",
    ],
    "sports": [
        "{PER} scored twice as {CLUB} beat {CLUB2} {SCORE} in {LOC}.",
        "{CLUB} signed the {NAT} midfielder {PER} on a three-year contract.",
        "{PER} won the {RACE} in two hours and {MINUTES} minutes.",
        "The {RACE} returns to {LOC} in {MONTH} after a two-year break.",
        "{CLUB} coach {PER} praised the crowd after the draw with {CLUB2}.",
        "{NAT} sprinter {PER} set a national record in {LOC} on {DAY}.",
        "{CLUB} have not lost at home since {MONTH} {YEAR}.",
        "Fans of {CLUB} travelled to {LOC} by the thousand.",
    ],
    "travel": [
        "The old town of {LOC} is best explored on foot early in the morning.",
        "{AIR} now flies daily from {LOC} to {LOC2}.",
        "Travel writer {PER} spent a month walking across {COUNTRY}.",
        "Visitors to {LOC} can take a ferry to the islands in under an hour.",
        "The {EVENT} draws visitors from across {COUNTRY} every summer.",
        "Our guide, {PER}, grew up in a fishing village near {LOC}.",
        "Hotels in {LOC} are booked out during the {EVENT}.",
        "{NAT} cooking is the reason many people fly to {LOC} at all.",
        "The night train from {LOC} to {LOC2} was fully booked.",
    ],
    "history": [
        "Historian {PER} spent a decade in the archives of {LOC} studying the {ERA}.",
        "{MUSEUM} in {LOC} has reopened its gallery of {NAT} maps.",
        "A letter from {YEAR_OLD} found in {LOC} describes a storm that sank {SMALL} ships.",
        "Archaeologists from {UNI} uncovered a settlement from the {ERA} near {LOC}.",
        "[Ibn Battuta](PER) left [Tangier](LOC) in 1325 and travelled for nearly thirty years.",
        "[Ada Lovelace](PER) wrote notes on the [Analytical Engine](MISC) designed by "
        "[Charles Babbage](PER).",
        "[Marie Curie](PER) was the first person to win the [Nobel Prize](MISC) twice.",
        "[Zheng He](PER) led seven voyages across the [Indian Ocean](LOC) in the early "
        "fifteenth century.",
        "The [Great Exhibition](MISC) opened in [London](LOC) in 1851.",
        "[Mary Seacole](PER) nursed soldiers during the [Crimean War](MISC).",
        "[Hypatia](PER) taught mathematics and philosophy in [Alexandria](LOC).",
        "[Leif Erikson](PER) is thought to have reached [North America](LOC) around the year 1000.",
    ],
}
# Second sentences about the document's first person, by surname.
FOLLOW_UPS = [
    "{LAST} said more details would follow next week.",
    "According to {LAST}, the plan will cost about {MONEY}.",
    "{LAST} has lived in {LOC} since {YEAR}.",
    "Asked about {ORG}, {LAST} said only that talks were going well.",
    "{LAST} will speak at the {EVENT} in {MONTH}.",
]
# Closing sentences that fit any flavour.
CLOSERS = [
    "More updates are expected later this week.",
    "The full report is due in {MONTH}.",
    "Tickets went on sale on {DAY} morning.",
    "Local radio in {LOC} carried the news first.",
]

_PART = re.compile(r"\{([A-Z_]+?)(\d?)\}|\[([^\]]+)\]\(([A-Z]+)\)")


class Doc:
    """A document being written: its text, its spans, and the people it mentions."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.text = ""
        self.spans: list[dict[str, object]] = []
        self.people: list[str] = []

    def _entity(self, value: str, label: str) -> None:
        # "the Meridian Institute": the article stays outside the entity.
        if value.startswith("the "):
            sentence_start = not self.text or self.text.endswith(". ")
            self.text += "The " if sentence_start else "the "
            value = value[4:]
        start = len(self.text)
        self.text += value
        self.spans.append({"start": start, "end": len(self.text), "label": label})

    def _filler(self, slot: str) -> str:
        rng = self.rng
        return {
            "NUM": lambda: str(rng.randint(40, 2400)),
            "SMALL": lambda: str(rng.randint(2, 9)),
            "VOTES": lambda: str(rng.randint(11, 30)),
            "MINUTES": lambda: str(rng.randint(5, 59)),
            "PCT": lambda: f"{rng.randint(1, 19)}.{rng.randint(0, 9)} percent",
            "MONEY": lambda: f"{rng.randint(2, 900)} million {rng.choice(['euros', 'dollars'])}",
            "YEAR": lambda: str(rng.randint(1996, 2023)),
            "YEAR_OLD": lambda: str(rng.randint(1620, 1890)),
            "DAY": lambda: rng.choice(DAYS),
            "MONTH": lambda: rng.choice(MONTHS),
            "SCORE": lambda: f"{rng.randint(2, 4)}-{rng.randint(0, 1)}",
        }[slot]()

    def add_sentence(self, template: str) -> None:
        if self.text:
            self.text += " "
        used: dict[str, set[str]] = {}
        pos = 0
        for match in _PART.finditer(template):
            self.text += template[pos : match.start()]
            pos = match.end()
            slot, _, fixed, fixed_label = match.groups()
            if fixed is not None:
                self._entity(fixed, fixed_label)
            elif slot == "LAST":
                self._entity(self.people[0].split()[-1], "PER")
            elif slot in POOLS:
                values, label = POOLS[slot]
                taken = used.setdefault(slot, set())
                value = self.rng.choice([v for v in values if v not in taken])
                taken.add(value)
                if label == "PER":
                    self.people.append(value)
                self._entity(value, label)
            else:
                self.text += self._filler(slot)
        self.text += template[pos:]


def make_document(rng: random.Random) -> Doc:
    doc = Doc(rng)
    flavour = rng.choice(sorted(TEMPLATES))
    sentences = rng.choices([1, 2, 3], weights=[45, 40, 15])[0]
    used: set[str] = set()
    for i in range(sentences):
        if i == 0:
            pool = TEMPLATES[flavour]
        elif doc.people and rng.random() < 0.5:
            pool = FOLLOW_UPS
        elif rng.random() < 0.25:
            pool = CLOSERS
        else:
            pool = TEMPLATES[flavour]
        template = rng.choice([t for t in pool if t not in used])  # no sentence twice
        used.add(template)
        doc.add_sentence(template)
    return doc


def check_on_tokens(doc: Doc) -> None:
    """Every span starts and ends on one of nerstudio's own token boundaries."""
    tokens = tokenize(doc.text)
    starts = {s for s, _ in tokens}
    ends = {e for _, e in tokens}
    for span in doc.spans:
        if span["start"] not in starts or span["end"] not in ends:
            raise SystemExit(f"span {span} is not on token boundaries in {doc.text!r}")


def main() -> int:
    rng = random.Random(SEED)
    seen: set[str] = set()
    lines = []
    while len(lines) < DOCUMENTS:
        doc = make_document(rng)
        if doc.text in seen:
            continue
        seen.add(doc.text)
        check_on_tokens(doc)
        index = len(lines)
        if index < ANNOTATED:
            record = {
                "text": doc.text,
                "spans": doc.spans,
                "status": "done",
                "split": "dev" if index % 4 == 3 else "train",
            }
        else:
            record = {"text": doc.text}
        lines.append(json.dumps(record, ensure_ascii=False))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} documents ({ANNOTATED} annotated) to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
