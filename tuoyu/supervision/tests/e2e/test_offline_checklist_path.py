"""The inspector's checklist on a phone without a network (issue #7): the page is loaded once, the
network drops, the inspector fills in every item and both signatures, reloads (the service worker
serves the page and the answers are still there), comes back online, syncs, and submits."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tuoyu.core.tests.personas import PASSWORD
from tuoyu.supervision.models import ChecklistEntry, Inspection, SyncReceipt

from ..factories import inspection, team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_be_attached()


def _sign(page: Page, role: str, name: str) -> None:
    pad = page.get_by_test_id(f"signature-{role}")
    pad.locator("input").fill(name)
    pad.locator("canvas").scroll_into_view_if_needed()
    box = pad.locator("canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 20, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 90, steps=5)
    page.mouse.move(box["x"] + 200, box["y"] + 40, steps=5)
    page.mouse.up()
    pad.locator("[data-sign]").click()


def test_inspector_fills_the_checklist_offline_and_syncs(page: Page, live_server, transactional_world):
    base = live_server.url
    world = transactional_world
    members = team(world)
    obj = inspection(world, "in_progress", members=members)
    codes = list(obj.entries.order_by("position").values_list("code", flat=True))
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    _login(page, base, members[0].username)
    url = f"{base}/supervision/inspections/{obj.pk}/checklist/"
    page.goto(url)
    # The service worker is active and the page with its assets is cached.
    page.wait_for_selector("body[data-offline-ready='1']", timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.context.set_offline(True)
    for code in codes:
        entry = page.get_by_test_id(f"entry-{code}")
        entry.locator("input[value=fail]" if code == "C01" else "input[value=pass]").check()
    page.get_by_test_id("entry-C01").locator("textarea").fill("监控录像仅保存30天")
    _sign(page, "inspector", "王检查")
    _sign(page, "institution", "李园长")
    expect(page.get_by_test_id("pending-count")).to_have_text(str(len(codes) + 2))
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("sync-status")).to_contain_text("Offline")
    assert SyncReceipt.objects.filter(inspection=obj).count() == 0  # nothing reached the server

    # Reload without a network: the service worker serves the page; the answers are still there.
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_test_id("pending-count")).to_have_text(str(len(codes) + 2))
    expect(page.get_by_test_id("entry-C01").locator("input[value=fail]")).to_be_checked()
    expect(page.get_by_test_id("entry-C01").locator("textarea")).to_have_value("监控录像仅保存30天")
    expect(page.get_by_test_id("entry-B01").locator("input[value=pass]")).to_be_checked()

    # Back online: sync (the page also syncs by itself on the "online" event).
    page.context.set_offline(False)
    page.get_by_test_id("sync").click()
    expect(page.get_by_test_id("pending-count")).to_have_text("0")
    entries = ChecklistEntry.objects.filter(inspection=obj)
    assert entries.filter(result="").count() == 0
    assert entries.get(code="C01").note == "监控录像仅保存30天"
    assert list(entries.filter(result="fail").values_list("code", flat=True)) == ["C01"]
    # Every answer arrived once (one receipt per item, two signatures).
    assert SyncReceipt.objects.filter(inspection=obj, kind="answer").count() == len(codes)
    assert obj.signatures.count() == 2

    # Syncing again sends nothing; submitting concludes the inspection.
    page.get_by_test_id("sync").click()
    assert SyncReceipt.objects.filter(inspection=obj).count() == len(codes) + 2
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    assert Inspection.objects.get(pk=obj.pk).status == "submitted"
