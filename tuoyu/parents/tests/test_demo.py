"""demo_parents: threads with the director's centre, notifications and yesterday's digest; rerunnable."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tuoyu.accounts.choices import Role
from tuoyu.children.models import Guardian
from tuoyu.core.tests.factories import RoleAssignmentFactory, UserFactory
from tuoyu.parents import selectors
from tuoyu.parents.models import Digest, MessageThread, Notification


def _demo_accounts(world):
    parent = UserFactory(username="demo_parent")
    RoleAssignmentFactory(user=parent, role=Role.PARENT)
    for username, role in (("demo_director", Role.DIRECTOR), ("demo_caregiver", Role.CAREGIVER)):
        RoleAssignmentFactory(
            user=UserFactory(username=username), role=role, institution=world.institutions["inst_xuanwu"]
        )
    return parent


def test_demo_needs_linked_children(world):
    _demo_accounts(world)
    with pytest.raises(CommandError, match="demo_children"):
        call_command("demo_parents")


def test_demo_builds_threads_notifications_and_a_digest_and_reruns(world):
    parent = _demo_accounts(world)
    child = world.children["own_child"]
    Guardian.objects.create(child=child, position=2, name="陈", relation="mother", phone="1", user=parent)
    for _ in range(2):
        call_command("demo_parents", "--seed", "1")
    assert MessageThread.objects.filter(child=child).count() == 1
    assert MessageThread.objects.filter(child=world.children["other_child"]).count() == 1
    notes = Notification.objects.filter(user=parent)
    assert notes.count() == 6
    assert notes.filter(urgent=True).count() == 1
    assert notes.filter(read_at__isnull=False).exists() and notes.filter(read_at__isnull=True).exists()
    assert Digest.objects.filter(user=parent).count() == 1
    assert selectors.parent_unread_by_child(parent, [child.pk]) == {child.pk: 1}
    director = parent.__class__.objects.get(username="demo_director")
    assert selectors.staff_unread_total(director) == 1
