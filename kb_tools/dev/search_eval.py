"""Search quality on caseworkers' questions, for any search engine.

An engine is a function `question -> ranked answers`: page ids (`str`), or `Answer`s when
the engine also says which section it links and whether it marks a result weak. The
Whoosh search (`whoosh_engine`) is one; the in-browser engine plugs in the same way.

Two question sets, kept apart (tests/): the development set, which the search was tuned
on, and the acceptance set, written before its results were seen and never tuned to.

    .venv/bin/python -m kb_tools.dev.search_eval              # both sets, Whoosh, real content

prints the figures and writes them to test-output/search-quality-*.{md,json}.

Measures, per set and per kind of question:
- MRR@10: 1/rank of the first expected page in the top 10 (0 when none);
- recall@3: the share of the expected pages in the top 3;
- deep links: how often the top result links a section rather than the page top, and, on
  questions that name the sections answering them (`section:`), how often the top result
  is the right page and links one of those sections;
- no answer: a question the site cannot answer (`expect: []`) is answered well by nothing
  useful: no result, or every result marked weak.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kb_tools.dev.browser_search import BrowserSearch, export_indexes

TOP = 10
REPO = Path(__file__).resolve().parents[2]
DEVELOPMENT_SET = REPO / "tests" / "search_questions.yml"
ACCEPTANCE_SET = REPO / "tests" / "search_acceptance.yml"
NO_ANSWER = "no answer"


@dataclass(frozen=True)
class Question:
    text: str
    edition: str
    expect: tuple[str, ...]
    kind: str
    sections: tuple[str, ...] = ()  # anchors of the sections that answer it, when one clearly does


@dataclass(frozen=True)
class Answer:
    """One ranked result as the evaluation sees it."""

    id: str
    anchor: str = ""  # the section the result links ("" for the page top)
    weak: bool = False  # the engine says the page matches too little of the question


Engine = Callable[[Question], Sequence["str | Answer"]]


def load_questions(file: Path) -> list[Question]:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    return [
        Question(q["q"], q.get("edition", "gb"), tuple(q["expect"]), q["kind"], tuple(q.get("section") or ()))
        for q in data
    ]


def reciprocal_rank(found: Sequence[str], expect: Iterable[str]) -> float:
    expected = set(expect)
    return next((1 / rank for rank, page_id in enumerate(found[:TOP], 1) if page_id in expected), 0.0)


def recall_at_3(found: Sequence[str], expect: Sequence[str]) -> float:
    return len(set(found[:3]) & set(expect)) / len(expect) if expect else 0.0


def _answers(raw: Sequence[str | Answer]) -> list[Answer]:
    return [a if isinstance(a, Answer) else Answer(a) for a in raw]


@dataclass
class _Tally:
    questions: int = 0
    rr: float = 0.0
    recall3: float = 0.0
    top_linked: int = 0  # top result links a section
    named: int = 0  # questions naming their sections
    named_right: int = 0  # … whose top result is the right page at one of those sections
    answer_weak: int = 0  # the first expected page found was marked weak
    rows: list[dict] = field(default_factory=list)

    def add(self, row: dict) -> None:
        self.questions += 1
        self.rr += row["rr"]
        self.recall3 += row["recall3"]
        self.top_linked += bool(row["top_anchor"])
        self.answer_weak += row["answer_weak"]
        if row["sections"]:
            self.named += 1
            self.named_right += row["section_right"]
        self.rows.append(row)

    def figures(self) -> dict:
        n = self.questions or 1
        return {
            "questions": self.questions,
            "mrr10": self.rr / n,
            "recall3": self.recall3 / n,
            "top_links_a_section": self.top_linked / n,
            "section_questions": self.named,
            "section_right": self.named_right,
            "answers_marked_weak": self.answer_weak,
        }


def evaluate(engine_name: str, set_name: str, questions: Sequence[Question], engine: Engine) -> dict:
    """Every figure for one engine on one set, with the questions it did not rank first."""
    overall, unanswerable = _Tally(), []
    kinds: dict[str, _Tally] = {}
    for question in questions:
        answers = _answers(engine(question))[:TOP]
        ids = [a.id for a in answers]
        if not question.expect:
            useful = [a.id for a in answers if not a.weak]
            unanswerable.append({"q": question.text, "edition": question.edition, "useful": useful[:3]})
            continue
        top = answers[0] if answers else Answer("")
        row = {
            "q": question.text,
            "edition": question.edition,
            "kind": question.kind,
            "expect": list(question.expect),
            "found": ids[:3],
            "rr": reciprocal_rank(ids, question.expect),
            "recall3": recall_at_3(ids, question.expect),
            "top_anchor": top.anchor,
            "sections": list(question.sections),
            "section_right": top.id in question.expect and top.anchor in question.sections,
            # the first expected page found was marked weak: a right answer the engine doubted
            "answer_weak": next((a.weak for a in answers if a.id in question.expect), False),
        }
        overall.add(row)
        kinds.setdefault(question.kind, _Tally()).add(row)
    return {
        "engine": engine_name,
        "set": set_name,
        **overall.figures(),
        "by_kind": {kind: tally.figures() for kind, tally in kinds.items()},
        "no_answer": {
            "questions": len(unanswerable),
            "nothing_useful": sum(1 for r in unanswerable if not r["useful"]),
            "answered_with": [r for r in unanswerable if r["useful"]],
        },
        "misses": [r for r in overall.rows if r["rr"] < 1],
        "wrong_sections": [r for r in overall.rows if r["sections"] and not r["section_right"]],
    }


def summary_lines(summary: dict) -> list[str]:
    """The figures as text: overall, per kind, no answer, deep links."""

    def line(label: str, f: dict) -> str:
        return f"{label} ({f['questions']}): MRR@10 {f['mrr10']:.3f}, recall@3 {f['recall3']:.3f}"

    lines = [line(f"{summary['engine']}, {summary['set']}", summary)]
    lines += [f"    {line(kind, f)}" for kind, f in summary["by_kind"].items()]
    empty = summary["no_answer"]
    if empty["questions"]:
        lines.append(
            f"    no answer on the site: nothing useful for {empty['nothing_useful']} of {empty['questions']}"
            f" (and {summary['answers_marked_weak']} of {summary['questions']} right answers marked weak)"
        )
    lines.append(
        f"    deep links: top result links a section for {summary['top_links_a_section']:.0%} of questions; "
        f"the right section on {summary['section_right']} of {summary['section_questions']} that name one"
    )
    return lines


def report(summary: dict, folder: Path) -> str:
    """Write the figures and misses to folder/search-quality-<engine>-<set>.{md,json}; return the text."""
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join(summary_lines(summary))
    misses = "\n".join(
        f"  - {m['q']!r} ({m['edition']}, {m['kind']}): expected {', '.join(m['expect'])}; "
        f"top 3: {', '.join(m['found']) or 'nothing'}"
        for m in summary["misses"]
    )
    wrong = "\n".join(
        f"  - {m['q']!r}: expected #{' or #'.join(m['sections'])}; top result {m['found'][:1]} #{m['top_anchor']}"
        for m in summary["wrong_sections"]
    )
    answered = "\n".join(
        f"  - {r['q']!r} ({r['edition']}): {', '.join(r['useful'])}" for r in summary["no_answer"]["answered_with"]
    )
    slug = re.sub(r"\W+", "-", f"{summary['engine']} {summary['set']}".lower()).strip("-")
    body = f"{text}\nNot first:\n{misses}\nWrong section:\n{wrong}\nNo answer on the site, but results not marked weak:\n{answered}\n"
    (folder / f"search-quality-{slug}.md").write_text(body, encoding="utf-8")
    (folder / f"search-quality-{slug}.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return body


# --- the Whoosh engine ------------------------------------------------------------------


def whoosh_engine(search_index: Path) -> Engine:
    """Our Whoosh search (as `kb search` and `kb serve` answer) as an engine."""
    from kb_tools.search.query import SearchService

    service = SearchService(search_index)

    def engine(question: Question) -> list[Answer]:
        response = service.search(question.text, question.edition, TOP)
        return [Answer(r.id, r.url.partition("#")[2], getattr(r, "weak", False)) for r in response.results]

    return engine


def browser_engine(search: BrowserSearch) -> Engine:
    """The page's own search (search-engine.js over the exported index, in chromium) as an engine."""

    def engine(question: Question) -> list[Answer]:
        results = search.search(question.text, question.edition, TOP)
        if isinstance(results, dict):
            raise RuntimeError(f"{question.text!r}: {results['error']}")
        return [Answer(r["id"], r["url"].partition("#")[2], r["weak"]) for r in results]

    return engine


def side_by_side(summaries: Sequence[dict]) -> str:
    """One line per engine and set: the figures the README quotes, in columns."""
    lines = ["engine              set              MRR@10  recall@3  top links a section"]
    for s in summaries:
        lines.append(
            f"{s['engine']:<19} {s['set']:<16} {s['mrr10']:.3f}   {s['recall3']:.3f}     {s['top_links_a_section']:.0%}"
        )
    return "\n".join(lines)


def build_search_index(content: Path, search_index: Path) -> None:
    """Index both editions of a content folder as `kb build` does, without rendering the site."""
    from kb_tools.config import EDITIONS
    from kb_tools.content.validate import check_content
    from kb_tools.editions.terminology import edition_pages
    from kb_tools.search import index

    library = check_content(content).library
    if library is None:
        raise SystemExit(f"{content}: the content does not validate (run kb check)")
    for edition in EDITIONS:
        pages = edition_pages(library, edition)
        index.publish(index.prepare(search_index, edition, pages, library.terminology.synonyms))


def main(argv: Sequence[str] = ()) -> int:
    """Both sets through the Whoosh search and, unless --whoosh-only, the in-browser engine."""
    with tempfile.TemporaryDirectory(prefix="kb-search-eval-") as work:
        search_index = Path(work) / "search_index"
        build_search_index(REPO / "content", search_index)
        engines = [("Whoosh", whoosh_engine(search_index))]
        with contextlib.ExitStack() as stack:
            if "--whoosh-only" not in argv:
                folders = export_indexes(search_index, Path(work) / "exported")
                search = stack.enter_context(BrowserSearch(folders, Path(work) / "page"))
                engines.append(("in-browser", browser_engine(search)))
            summaries = []
            for set_name, file in (("development set", DEVELOPMENT_SET), ("acceptance set", ACCEPTANCE_SET)):
                for name, engine in engines:
                    summary = evaluate(name, set_name, load_questions(file), engine)
                    print(report(summary, REPO / "test-output"))
                    summaries.append(summary)
        print(side_by_side(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
