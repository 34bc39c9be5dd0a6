"""Every workspace in headless chromium over a small demo store served by ``matcher serve``:
log-in as each role, an enterprise posts a need and sees its matches, a society answers a
lead, staff run a bulk assignment (dry run, then commit) and open the dashboard; every page
of every role is opened once. Fails on any browser console error and on any page showing
"Traceback"; a screenshot of each page is saved (MATCHER_KEEP_SCREENSHOTS=dir keeps them)."""

from __future__ import annotations

import re

import pytest

from .driver import Visit

pytestmark = pytest.mark.browser

NEED_TITLE = "焊接机器人焊缝气孔"
NEED_TEXT = "我们厂的FANUC R-2000iC 焊接机器人焊缝老是有气孔，PLC S7-1200 控制，想找专家来看看。"


def test_each_workspace_in_chromium(served, browser, screenshots) -> None:
    visits: list[Visit] = []

    def log_in(role: str) -> Visit:
        context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        visit = Visit(context.new_page(), role, screenshots)
        visit.log_in(served.ui, f"{role}_demo")
        visit.check(visit.page_labels()[0])
        visits.append(visit)
        return visit

    enterprise = log_in("enterprise")
    post_need(enterprise)
    visit_pages(enterprise)

    society = log_in("society")
    answer_lead(society)
    visit_pages(society)

    staff = log_in("staff")
    bulk_assignment(staff)
    dashboard(staff)
    visit_pages(staff, skip=("Assign", "Dashboard"))

    admin = log_in("admin")
    visit_pages(admin, skip=tuple(staff.page_labels()))

    errors = [f"{v.role}: {e}" for v in visits for e in v.errors]
    assert not errors, "\n".join(errors)
    assert len(list(screenshots.glob("*.png"))) >= 10


def post_need(visit: Visit) -> None:
    """The post form: posted only once it succeeded, then the need's matched societies."""
    visit.field("Title").fill(NEED_TITLE)
    visit.field("Description").fill(NEED_TEXT)
    visit.field("Keywords").fill("焊接机器人、焊缝气孔")
    visit.click(re.compile("Post and match"))
    visit.expect_text(re.compile("need posted"))
    visit.check("posted need and its matches")
    body = visit.page.inner_text("body")
    assert re.search(r"学会", body.split("need posted", 1)[1]), "no matched society shown"
    visit.page.get_by_role("tab", name=re.compile("My needs")).click()
    visit.settle()
    visit.expect_text(NEED_TITLE, in_table=True)
    # the need opened below the list is the one its chooser names (the list just grew by one)
    chooser = visit.page.get_by_test_id("stSelectbox").filter(has_text="open a need")
    named = chooser.get_by_role("combobox").input_value()
    visit.expect_text(f"需求 need: {named.rsplit('（#', 1)[0]}")
    visit.check("my needs tab")


def answer_lead(visit: Visit) -> None:
    """The first lead of the inbox, answered 'interested'."""
    visit.expect_text(re.compile("leads"))
    visit.page.get_by_text("感兴趣 interested", exact=True).last.click()
    visit.click(re.compile("Submit"))
    visit.expect_text(re.compile("已提交 / saved"))
    visit.expect_text(re.compile("current answer: 感兴趣"))
    visit.check("lead answered")


def bulk_assignment(visit: Visit) -> None:
    """A dry run with the default parameters, its pairs reviewed, then committed."""
    visit.open(label_with(visit, "Assign"))
    visit.click(re.compile("Dry run"))
    visit.expect_text(re.compile("对接 Pairs"))
    visit.check("assignment dry run")
    visit.click(re.compile("Commit"))
    visit.expect_text(re.compile(r"committed: \d+ proposed assignments"))
    visit.check("assignment committed")


def dashboard(visit: Visit) -> None:
    visit.open(label_with(visit, "Dashboard"))
    visit.expect_text(re.compile("Needs by city"))
    visit.check("dashboard")


def visit_pages(visit: Visit, skip: tuple[str, ...] = ()) -> None:
    """Open every page of the sidebar not already seen, each checked and photographed."""
    for label in visit.page_labels()[1:]:  # the first is open since the log-in
        if not any(s in label for s in skip):
            visit.open(label)
            visit.check(label)


def label_with(visit: Visit, word: str) -> str:
    labels = [label for label in visit.page_labels() if word in label]
    assert labels, f"no '{word}' page in {visit.role}'s sidebar: {visit.page_labels()}"
    return labels[0]
