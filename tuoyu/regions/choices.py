"""Choices for the administrative tree."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    COMMUNITY = "community", _("Community")


class RegionKind(models.TextChoices):
    """The kind of a division, from the statistical code table (taken from the name's suffix)."""

    PROVINCE = "province", pgettext_lazy("region kind", "Province")
    PREFECTURE_CITY = "prefecture_city", _("Prefecture-level city")
    DISTRICT = "district", _("City district")
    COUNTY = "county", pgettext_lazy("region kind", "County")
    COUNTY_CITY = "county_city", _("County-level city")
    ECONOMIC_ZONE = "economic_zone", _("Economic zone")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    TOWN = "town", _("Town")
    TOWNSHIP = "township", _("Rural township")
    OTHER = "other", _("Other township-level unit")
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")
    VILLAGERS_COMMITTEE = "villagers_committee", _("Villagers' committee")


class PointSource(models.TextChoices):
    BOUNDARY = "boundary", _("Derived from the boundary file")
    OFFICIAL = "official", _("Official coordinates")
    SYNTHETIC = "synthetic", _("Synthetic (demo data)")


# The kind column of the statistical code table is Chinese; this maps it to the choice values.
KIND_FROM_CHINESE: dict[str, str] = {
    "省": RegionKind.PROVINCE,
    "自治区": RegionKind.PROVINCE,
    "直辖市": RegionKind.PROVINCE,
    "地级市": RegionKind.PREFECTURE_CITY,
    "市辖区": RegionKind.DISTRICT,
    "县": RegionKind.COUNTY,
    "县级市": RegionKind.COUNTY_CITY,
    "经济功能区": RegionKind.ECONOMIC_ZONE,
    "街道": RegionKind.SUBDISTRICT,
    "镇": RegionKind.TOWN,
    "乡": RegionKind.TOWNSHIP,
    "其他": RegionKind.OTHER,
    "居委会": RegionKind.RESIDENTS_COMMITTEE,
    "村委会": RegionKind.VILLAGERS_COMMITTEE,
    "其他村级": RegionKind.OTHER,
}

# The plan's township coverage (普惠托育机构乡镇街道覆盖率) counts 街道/镇/乡, not parks and farms.
COVERAGE_TOWNSHIP_KINDS = (RegionKind.SUBDISTRICT, RegionKind.TOWN, RegionKind.TOWNSHIP)
