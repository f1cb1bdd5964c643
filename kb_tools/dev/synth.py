"""A synthetic procedures library for benchmarks: N valid page files, deterministic from a seed.

The pages look like real ones in size and shape (a few hundred words; body sections with
text, steps, points and notes; FAQ; related pages and in-text `page:id#anchor` links; tags,
keywords; GB terms the NI edition substitutes; NI-only text), so every stage does the work
it does on real content. Same (pages, seed) → byte-identical files.

    python -m kb_tools.dev.synth /tmp/synth --pages 1000      # or: kb synth /tmp/synth --pages 1000

The text is made of public, generic child maintenance vocabulary: no phone numbers,
mailboxes, system names or personal data.
"""

from __future__ import annotations

import itertools
import math
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from kb_tools.config import PAGES_DIR, PROJECT_DIR, SITE_FILE, TERMINOLOGY_FILE
from kb_tools.content.load import read_yaml
from kb_tools.layout import slugify

# Pages per site.yml section: real libraries have dozens of sections of up to a few hundred pages.
SECTION_PAGES = 200
MIN_SECTIONS = 3

# A fixed query set for search latency (abbreviations, old terms, typos, questions, NI terms).
QUERIES = (
    "service request",
    "A&G service request",
    "change of circumstances",
    "paying parent income",
    "receiving parent",
    "non resident parent",
    "mandatory reconsideration time limit",
    "appeal to the tribunal",
    "deduction from earnings order",
    "shared care nights",
    "arrears",
    "freedom of infromation",
    "how do I close a case",
    "CMG",
    "Division",
    "Collect and Pay fees",
    "annual review",
    "qualifying child over 16",
    "MP enquiry",
    "variation request evidence",
)

ACTIONS = (
    "Check",
    "Record",
    "Update",
    "Review",
    "Explain",
    "Handle",
    "Request",
    "Correct",
    "Close",
    "Escalate",
    "Confirm",
    "Set up",
    "Cancel",
    "Prepare",
    "Decide on",
    "Reinstate",
)
SUBJECTS = (
    "maintenance calculation",
    "change of circumstances",
    "shared care",
    "gross weekly income",
    "Collect and Pay",
    "Direct Pay",
    "arrears",
    "mandatory reconsideration",
    "appeal",
    "variation",
    "deduction from earnings order",
    "annual review",
    "case closure",
    "payment schedule",
    "effective date",
    "service request",
    "Freedom of Information request",
    "MP enquiry",
    "complaint",
    "quality check",
    "coaching session",
    "special client record",
    "case notes",
    "call recording",
    "information request",
    "parentage dispute",
    "qualifying child",
    "flat rate",
    "nil rate",
    "default maintenance decision",
    "enforcement action",
    "liability order",
    "regular deduction order",
    "lump sum deduction order",
    "overpayment",
    "refund",
    "third party payment",
    "income evidence",
    "welfare check",
    "domestic abuse disclosure",
)
QUALIFIERS = (
    "",
    "for a new case",
    "after a change",
    "when the paying parent lives abroad",
    "when evidence is missing",
    "in a shared care case",
    "for a receiving parent",
    "by phone",
    "in writing",
    "during an annual review",
    "before a decision",
    "after an appeal",
    "for a closed case",
    "with a representative",
    "on a linked case",
    "when a child leaves education",
    "for a self-employed paying parent",
    "when payments are missed",
    "for a special client",
    "at the effective date",
)
SECTION_NAMES = (
    "Applications",
    "Calculations",
    "Payments",
    "Changes of circumstances",
    "Enforcement",
    "Disputes and appeals",
    "Complaints",
    "Information requests",
    "Case closure",
    "Assurance and guidance",
    "Special clients",
    "Arrears",
    "Variations",
    "Annual reviews",
    "Parentage",
    "Income and evidence",
    "Collect and Pay",
    "Direct Pay",
    "Correspondence",
    "Records management",
)
HEADINGS = (
    "Before you start",
    "What to check",
    "What to do",
    "If evidence is missing",
    "Telling the parents",
    "Recording the decision",
    "When to escalate",
    "Time limits",
    "Working out the dates",
    "If the parents disagree",
    "After the decision",
    "Linked cases",
    "If the case is closed",
    "Getting advice",
)
OWNERS = (
    "Advice and Guidance team",
    "Quality and Assurance team",
    "Casework team",
    "Enforcement team",
    "Complaints team",
    "Freedom of Information team",
    "Payments team",
)
TAGS = (
    "calculations",
    "payments",
    "evidence",
    "arrears",
    "appeals",
    "complaints",
    "enforcement",
    "shared care",
    "income",
    "case closure",
    "service request",
    "information requests",
    "annual review",
    "variations",
    "parentage",
    "special clients",
    "Collect and Pay",
    "Direct Pay",
    "correspondence",
    "records",
    "assurance",
    "coaching",
)
KEYWORDS = (
    "SR",
    "A&G",
    "FOI",
    "PQ",
    "MP",
    "Q&A",
    "CMG",
    "1-2-1",
    "DEO",
    "RDO",
    "LSDO",
    "MR",
    "change of circs",
    "CofC",
    "reinstatement",
    "backdating",
)
# GB phrases that content/terminology.yml turns into NI terms.
TERMS = (
    "the Child Maintenance Group (CMG)",
    "CMG",
    "the Department for Work and Pensions (DWP)",
    "DWP",
    "the First-tier Tribunal",
    "the Child Support Act 1991",
)
ACTORS = (
    "the paying parent",
    "the receiving parent",
    "the caseworker",
    "your team leader",
    "the parents",
    "a representative",
)
VERBS = ("check", "record", "confirm", "explain", "update", "review", "tell", "ask about")
OBJECTS = (
    "the effective date",
    "the gross weekly income",
    "the number of qualifying children",
    "the shared care nights",
    "the payment schedule",
    "the case notes",
    "the evidence provided",
    "any arrears on the case",
    "the collection fees",
    "the decision letter",
    "the mandatory reconsideration request",
    "the date the change was reported",
)
REASONS = (
    "so the calculation uses the right figures",
    "because the decision can be challenged",
    "so both parents get the same information",
    "before the next payment is due",
    "so the case history stays complete",
    "because the time limit runs from that date",
    "so that nobody has to ask again",
    "to keep personal information safe",
)
LEGISLATION = (
    ("Child Support Act 1991", "https://www.legislation.gov.uk/ukpga/1991/48", "gb"),
    ("Child Maintenance and Other Payments Act 2008", "https://www.legislation.gov.uk/ukpga/2008/6", "gb"),
    ("Freedom of Information Act 2000", "https://www.legislation.gov.uk/ukpga/2000/36", None),
    ("Data Protection Act 2018", "https://www.legislation.gov.uk/ukpga/2018/12", None),
    ("Child Support (Northern Ireland) Order 1991", "https://www.legislation.gov.uk/nisi/1991/2628", "ni"),
)
REVIEWED_FROM = date(2026, 1, 5)
REVIEWED_DAYS = 280  # last_reviewed within the year before the fixed date: no review warnings


@dataclass(frozen=True)
class SynthPage:
    id: str
    title: str
    section: str
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class SynthCorpus:
    """What generate() wrote: the content folder and its pages (in file order)."""

    root: Path
    pages: tuple[SynthPage, ...]
    sections: tuple[str, ...]

    def page_file(self, page: SynthPage) -> Path:
        return self.root / PAGES_DIR / page.section / f"{page.id}.yml"


def generate(target: Path, pages: int, seed: int = 1) -> SynthCorpus:
    """Write a content folder of `pages` procedure files to target (replacing it)."""
    if pages < 2:
        raise ValueError("a library needs at least 2 pages (each page has a related page)")
    rng = random.Random(seed)
    if target.exists():
        shutil.rmtree(target)
    (target / PAGES_DIR).mkdir(parents=True)
    sections = _sections(pages)
    skeletons = _skeletons(rng, pages, [s["id"] for s in sections])
    _write_yaml(target / SITE_FILE, _site(sections))
    shutil.copyfile(PROJECT_DIR / "content" / TERMINOLOGY_FILE, target / TERMINOLOGY_FILE)
    by_section: dict[str, list[SynthPage]] = {}
    for page in skeletons:
        by_section.setdefault(page.section, []).append(page)
    for page in skeletons:
        _write_yaml(
            target / PAGES_DIR / page.section / f"{page.id}.yml", _page(rng, page, skeletons, by_section[page.section])
        )
    return SynthCorpus(target, tuple(skeletons), tuple(s["id"] for s in sections))


def _sections(pages: int) -> list[dict]:
    count = min(pages, max(MIN_SECTIONS, math.ceil(pages / SECTION_PAGES)))
    sections = []
    for i in range(count):
        name = SECTION_NAMES[i % len(SECTION_NAMES)]
        part = i // len(SECTION_NAMES)
        title = name if part == 0 else f"{name} (part {part + 1})"
        sections.append({"id": slugify(title), "title": title, "summary": f"Procedures about {name.lower()}."})
    return sections


def _site(sections: list[dict]) -> dict:
    return {
        "title": "Synthetic Procedures",
        "review_interval_days": "365",
        "editions": [
            {"id": "gb", "name": "Great Britain", "badge": "GB"},
            {"id": "ni", "name": "Northern Ireland", "badge": "NI"},
        ],
        "sections": sections,
    }


def _titles(rng: random.Random, count: int) -> list[str]:
    """Distinct titles (numbered once the combinations run out)."""
    combos = list(itertools.product(ACTIONS, SUBJECTS, QUALIFIERS))
    rng.shuffle(combos)
    titles = []
    for i in range(count):
        action, subject, qualifier = combos[i % len(combos)]
        title = f"{action} {subject} {qualifier}".strip()
        round_ = i // len(combos)
        titles.append(title if round_ == 0 else f"{title} ({round_ + 1})")
    return [t[0].upper() + t[1:] for t in titles]


def _skeletons(rng: random.Random, count: int, section_ids: list[str]) -> list[SynthPage]:
    skeletons = []
    for i, title in enumerate(_titles(rng, count)):
        headings = rng.sample(HEADINGS, rng.randint(3, 4))
        skeletons.append(
            SynthPage(slugify(title), title, section_ids[i % len(section_ids)], tuple(slugify(h) for h in headings))
        )
    return skeletons


def _sentence(rng: random.Random) -> str:
    actor = rng.choice(ACTORS)
    text = f"{actor} should {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(REASONS)}"
    if rng.random() < 0.25:
        text += f", as {rng.choice(TERMS)} expects"
    return text[0].upper() + text[1:] + "."


# GOV.UK's limit, which `kb check` holds summaries to (checks/style.py): the generated
# library passes every check without a warning, as real content should.
SUMMARY_WORDS = 25


def _summary(title: str, sentence: str) -> str:
    """ "How to <title>: <sentence>", or only "How to <title>." when that would run past the
    limit in either edition (NI names can be longer). The sentence is drawn either way, so the
    rest of the library does not depend on the limit."""
    full = f"How to {_lower_first(title)}: {_lower_first(sentence)}"
    # The longest NI form in the table adds at most 4 words to a term; allow for two terms.
    if len(full.split()) + 8 <= SUMMARY_WORDS:
        return full
    return f"How to {_lower_first(title)}."


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:]


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


def _link(rng: random.Random, target: SynthPage) -> str:
    return f"[{target.title.lower()}](page:{target.id}#{rng.choice(target.anchors)})"


def _page(rng: random.Random, page: SynthPage, everyone: list[SynthPage], neighbours: list[SynthPage]) -> dict:
    others = [p for p in neighbours if p.id != page.id] or [p for p in everyone if p.id != page.id]
    related = rng.sample(others, min(len(others), rng.randint(2, 4)))
    if rng.random() < 0.3:
        far = rng.choice(everyone)
        if far.id != page.id and far not in related:
            related.append(far)
    reviewed = REVIEWED_FROM + timedelta(days=rng.randrange(REVIEWED_DAYS))
    data: dict = {
        "id": page.id,
        "title": page.title,
        "summary": _summary(page.title, _sentence(rng)),
        "section": page.section,
        "order": str(rng.randint(1, 200)),
        "owner": rng.choice(OWNERS),
        "last_reviewed": reviewed.isoformat(),
        "source": "synthetic benchmark page",
        "tags": rng.sample(TAGS, rng.randint(1, 3)),
        "keywords": rng.sample(KEYWORDS, rng.randint(0, 3)),
        "body": [
            _body_section(rng, heading_anchor, index, related) for index, heading_anchor in enumerate(page.anchors)
        ],
        "faq": _faqs(rng, rng.randint(1, 2)),
        "related": [p.id for p in related],
        "legislation": [
            {"title": t, "url": u, **({"edition": e} if e else {})} for t, u, e in rng.sample(LEGISLATION, 2)
        ],
        "changes": [{"date": reviewed.isoformat(), "note": f"Reviewed: {rng.choice(REASONS)}."}],
    }
    if not data["keywords"]:
        del data["keywords"]
    return data


def _body_section(rng: random.Random, anchor: str, index: int, related: list[SynthPage]) -> dict:
    heading = next(h for h in HEADINGS if slugify(h) == anchor)
    section: dict = {"heading": heading}
    text = [_paragraph(rng, rng.randint(2, 3))]
    if index < len(related):
        text.append(f"See {_link(rng, related[index])} for what happens next.")
    if rng.random() < 0.2:
        text.append("{ni: In Northern Ireland, check the Northern Ireland legislation before you decide.}")
    section["text"] = "\n\n".join(text) + "\n"
    if rng.random() < 0.6:
        section["steps"] = [_sentence(rng) for _ in range(rng.randint(3, 5))]
    elif rng.random() < 0.5:
        section["points"] = [_lower_first(_sentence(rng)[:-1]) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.3:
        section["notes"] = [{"kind": rng.choice(("note", "warning", "important", "tip")), "text": _sentence(rng)}]
    return section


def _faqs(rng: random.Random, count: int) -> list[dict]:
    objects = rng.sample(OBJECTS, count)  # distinct questions: their anchors must differ
    return [
        {"question": f"What if {rng.choice(ACTORS)} cannot {rng.choice(VERBS)} {thing}?", "answer": _paragraph(rng, 2)}
        for thing in objects
    ]


def edit_page(corpus: SynthCorpus, run: int, index: int = 0) -> Path:
    """Change one sentence of one page, as a maintainer's edit would; returns the file."""
    file = corpus.page_file(corpus.pages[index])
    doc, problems = read_yaml(file)
    assert doc is not None and not problems, problems
    first = doc.data["body"][0]
    first["text"] = first["text"].rstrip("\n") + f" Edited in run {run}.\n"
    _write_yaml(file, doc.data)
    return file


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _write_yaml(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
