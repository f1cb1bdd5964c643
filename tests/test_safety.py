"""Content safety: personal data, unsafe text, review dates and change notes, each reported
at the line and column where it was written."""

import subprocess
from datetime import date

import pytest

from kb_tools.checks.registry import CheckOptions, check_all
from kb_tools.cli import main

from conftest import REAL_CONTENT, SITE_YML, page_yaml

TODAY = CheckOptions(today=date(2026, 6, 1))


def problems_for(content, text: str, options: CheckOptions = TODAY) -> list[str]:
    """Problems of a page whose body text (line 9, from column 11) is `text`."""
    content.page("first", related=("other",), text=text)
    return [str(p) for p in check_all(content.root, options).problems if p.path.endswith("first.yml")]


def flagged(content, text: str) -> bool:
    return bool(problems_for(content, text))


# --- personal data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column, what",
    [
        (
            "Her number is AB 12 34 56 C.",
            25,
            "National Insurance number ('AB 12 34 56 C'; to show the format, write HMRC's specimen QQ 12 34 56 C)",
        ),
        ("NINO ab123456d here", 16, "National Insurance number ('ab123456d';"),
        ("Call 020 7946 0000 now", 16, "UK phone number ('020 7946 0000')"),
        ("Call +44 (0)20 7946 0000 now", 16, "UK phone number ('+44 (0)20 7946 0000')"),
        ("Mobile 07700 900123.", 18, "UK phone number ('07700 900123')"),
        ("Freephone 0800 123 4567.", 21, "UK phone number ('0800 123 4567')"),
        (
            "Write to jo.bloggs@example.co.uk today",
            20,
            "email address 'jo.bloggs@example.co.uk' is not in email_allow_list",
        ),
        ("Lives at SW1A 1AA now", 20, "UK postcode ('SW1A 1AA')"),
        ("Belfast BT1 5GS.", 19, "UK postcode ('BT1 5GS')"),
        ("See case 123456789 first", 15, "case reference ('case 123456789')"),
        ("'Quote reference: 1234 5678 9012.'", 18, "case reference ('reference: 1234 5678 9012')"),
        ("Raise SR number 12345678 again", 17, "case reference ('SR number 12345678')"),
        ("Account 1234567890123 was closed", 11, "case reference ('Account 1234567890123')"),
        ("The number 1234567890123 was closed", 22, "case or account reference ('1234567890123')"),
    ],
)
def test_personal_data_is_caught_where_it_was_written(content, text, column, what):
    problems = problems_for(content, text)
    assert len(problems) == 1, problems
    assert f"first.yml:9:{column}: looks like a {what}" in problems[0] or f"first.yml:9:{column}: {what}" in problems[0]
    assert "never hold personal data" in problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "The specimen QQ 12 34 56 C is not a real number.",  # Q is never a first letter
        "GB 12 34 56 A and ZZ 12 34 56 B are never allocated.",
        "AO 12 34 56 A has O as its second letter; AB 12 34 56 E has no E suffix.",
        "The Child Support (Northern Ireland) Order 1991 (S.I. 1991/2628 (N.I. 23)).",
        "SI 2012/2677, NISR 2012/427, SI 2014/612 and CBP-7777.",
        "Answer within 20 working days, by 14 October 2024 (version 6.8), or 01/02/2024.",
        "Written answer 2018-12-19; parallelparliament question 214260.",
        "Calls are kept 14 months; A&G, Q&A and 1-2-1 coaching; reg. 3 and s.10(1).",
        "In reference to SI 2012/2677 and case 2012/2677.",
        "Use the case 12345 form.",
        "'Personal data: never write it. Data: text/plain is not a URL.'",
        "One = two, only = three, once=four.",
        "Email the team through the A&G mailbox (see the SR page).",
    ],
)
def test_no_false_alarms_on_legislation_dates_and_plain_words(content, text):
    assert problems_for(content, text) == []


def test_allow_listed_email_is_accepted_whatever_its_case(content):
    content.write("site.yml", SITE_YML + "email_allow_list:\n  - Enquiries@Example.gov.uk\n")
    assert problems_for(content, "Write to enquiries@example.gov.uk.") == []
    assert flagged(content, "Write to other@example.gov.uk.")


def test_every_content_file_is_scanned(content):
    content.write("site.yml", SITE_YML.replace("title: Test Procedures", "title: Test <b>Procedures</b>"))
    content.write("terminology.yml", "legacy:\n  - term: call 020 7946 0000\n    use: paying parent\n")
    problems = [str(p) for p in check_all(content.root, TODAY).problems]
    assert any("site.yml:1:13: raw HTML ('<b>')" in p for p in problems), problems
    assert any("terminology.yml:2:16: looks like a UK phone number" in p for p in problems), problems


def test_the_real_content_raises_no_alarm():
    result = check_all(REAL_CONTENT, CheckOptions())
    assert [p for p in result.problems if p.severity == "error"] == []
    assert len(result.library.pages) >= 2


# --- unsafe text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column, what",
    [
        ("Use <b>bold</b> here.", 15, "raw HTML ('<b>')"),
        ("<script>alert(1)</script>", 11, "raw HTML ('<script>')"),
        ("Hidden <!-- comment", 18, "raw HTML ('<!--')"),
        ("'[Open](javascript:alert(1))'", 19, "a script URL ('javascript:')"),
        ("Go to JaVa ScRiPt:alert(1)", 17, "a script URL ('JaVa ScRiPt:')"),
        ("Run vbscript:msgbox", 15, "a script URL ('vbscript:')"),
        ("'[img](data:text/html;base64,PHNjcmlwdD4=)'", 18, "a data: URL ('data:text/html;')"),
        ("Set onclick=steal() on it", 15, "an event-handler attribute ('onclick=')"),
    ],
)
def test_unsafe_text_is_refused_where_it_was_written(content, text, column, what):
    problems = problems_for(content, text)
    assert problems and f"first.yml:9:{column}: {what} is not allowed" in problems[0], problems


def test_a_tag_is_reported_once_even_with_a_handler_inside(content):
    problems = problems_for(content, "'<img src=x onerror=alert(1)>'")
    assert len(problems) == 1 and "first.yml:9:12: raw HTML ('<img src=x onerror=alert(1)>')" in problems[0]


def test_position_inside_a_literal_block(content):
    source = page_yaml("first", related=("other",), text="|")
    content.page("first", source.replace("text: |\n", "text: |\n      Line one.\n      Line two has <i>this</i>.\n"))
    problems = [str(p) for p in check_all(content.root, TODAY).problems]
    assert any("first.yml:11:20: raw HTML ('<i>')" in p for p in problems), problems


# --- review dates -------------------------------------------------------------------------------


def test_a_page_past_its_review_date_is_a_warning_and_an_error_when_strict(content):
    late = CheckOptions(today=date(2027, 1, 11))  # last_reviewed 2026-01-01 + 365 days = 2027-01-01
    result = check_all(content.root, late)
    overdue = [p for p in result.problems if "review was due on 2027-01-01 (10 days ago)" in p.message]
    assert [(p.path.endswith("first.yml"), p.line, p.column, p.severity) for p in overdue][0] == (
        True,
        6,
        16,
        "warning",
    )
    assert result.ok
    strict = check_all(content.root, CheckOptions(strict=True, today=date(2027, 1, 11)))
    assert not strict.ok and all(p.severity == "error" for p in strict.problems)
    assert check_all(content.root, CheckOptions(today=date(2027, 1, 1))).problems == ()


def test_an_explicit_review_due_date_is_used_and_located(content):
    content.page("first", related=("other",), extra="review_due: 2026-03-01\n")
    problems = [p for p in check_all(content.root, TODAY).problems if p.path.endswith("first.yml")]
    assert [(p.line, p.column, p.message[:36]) for p in problems] == [(12, 13, "review was due on 2026-03-01 (92 day")]


def test_cli_strict_fails_on_an_overdue_page(content, capsys):
    content.page("first", page_yaml("first", related=("other",)).replace("2026-01-01", "2000-01-01"))
    assert main(["check", "--content", str(content.root)]) == 0
    assert "first.yml:6:16: warning: review was due on 2000-12-31" in capsys.readouterr().out
    assert main(["check", "--strict", "--content", str(content.root)]) == 1


# --- change notes -------------------------------------------------------------------------------


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(content):
    """The content in a git repository with one commit on main."""
    repo = content.root.parent
    git(repo, "init", "-q", "-b", "main")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.invalid", "add", "-A")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "base")
    return content


NOTE = "changes:\n  - date: {date}\n    note: {note}\n"


def change_problems(content, today=date(2099, 1, 1)) -> list[str]:
    options = CheckOptions(changed_since="main", today=today)
    return [str(p) for p in check_all(content.root, options).problems if "change note" in p.message]


def test_a_changed_page_without_a_new_change_note_is_an_error(repo):
    assert change_problems(repo) == []
    repo.page("first", related=("other",), text="New wording.")
    problems = change_problems(repo)
    assert (
        len(problems) == 1 and "first.yml:1:5: this page changed since main but has no new change note" in problems[0]
    )


def test_a_new_change_note_dated_from_the_base_to_today_is_accepted(repo):
    today = date.today()
    repo.page(
        "first", related=("other",), text="New wording.", extra=NOTE.format(date=today.isoformat(), note="Reworded.")
    )
    assert change_problems(repo, today) == []


def test_an_old_or_future_date_on_the_new_note_is_an_error(repo):
    repo.page("first", related=("other",), extra=NOTE.format(date="2001-01-01", note="Backdated."))
    problems = change_problems(repo, date.today())
    assert len(problems) == 1 and "first.yml:13:11: the new change note is dated 2001-01-01" in problems[0]
    repo.page("first", related=("other",), extra=NOTE.format(date="2999-01-01", note="From the future."))
    assert "dated 2999-01-01" in change_problems(repo, date.today())[0]


def test_a_note_that_was_already_there_does_not_count(repo):
    old = NOTE.format(date="2026-01-01", note="First published.")
    repo.page("first", related=("other",), extra=old)
    git(repo.root.parent, "-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-qam", "note")
    repo.page("first", related=("other",), text="Changed again.", extra=old)
    problems = change_problems(repo)
    assert len(problems) == 1 and "first.yml:13:3: this page changed since main" in problems[0]


def test_a_new_untracked_page_needs_a_note_too(repo):
    repo.page("third", related=("first",))
    assert any("third.yml" in p for p in change_problems(repo))


def test_an_unknown_revision_is_a_usage_error(repo, capsys):
    assert main(["check", "--changed-since", "no-such-branch", "--content", str(repo.root)]) == 2
    assert "cannot compare with 'no-such-branch'" in capsys.readouterr().err
