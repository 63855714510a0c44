"""Region selectors."""

from __future__ import annotations

from tuoyu.core.scoping import grants_for
from tuoyu.regions.selectors import widest_region


def test_widest_region_is_the_highest_granted_region(world):
    assert widest_region(grants_for(world.user("county_official"), "view")).code == "320102000000"
    assert widest_region(grants_for(world.user("city_official"), "view")).code == "320100000000"
    assert widest_region(grants_for(world.user("national_observer"), "view")).code == "320000000000"
    assert widest_region(grants_for(world.user("director"), "view")) is None
