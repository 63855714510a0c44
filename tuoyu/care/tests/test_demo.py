"""The demo: menus for every operating institution, this week's published, idempotent; and the PNG writer."""

import io
import zlib

import pytest

from tuoyu.care.demo import add_menus, png_bytes
from tuoyu.care.models import WeeklyMenu
from tuoyu.core.files import sniff_content_type
from tuoyu.institutions.models import Institution

pytestmark = pytest.mark.django_db


def test_menus_for_every_operating_institution_once(world):
    operating = Institution.objects.operating().count()
    assert operating == 3
    out = io.StringIO()
    assert add_menus(seed=1, stdout=out) == 2 * operating
    assert add_menus(seed=1, stdout=out) == 0
    menus = WeeklyMenu.objects.order_by("week_start")
    assert {m.published for m in menus} == {True, False}
    assert all(m.items.count() == 30 for m in menus)


def test_png_bytes_are_a_png():
    data = png_bytes(4, 3, (10, 20, 30))
    assert sniff_content_type(data[:16]) == "image/png"
    assert (
        zlib.decompress(data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8])
        == (b"\x00" + bytes((10, 20, 30)) * 4) * 3
    )
