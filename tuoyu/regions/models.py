"""The administrative tree (province → city → county → township → community) and its population."""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import PointSource, RegionKind, RegionLevel
from .constants import CHILD_LEVEL, subtree_bounds

code_validator = RegexValidator(r"^\d{12}$", _("A division code has exactly 12 digits."))


class RegionQuerySet(models.QuerySet["Region"]):
    def within(self, region: Region) -> RegionQuerySet:
        """The region and everything below it (one indexed range scan on the code)."""
        lo, hi = region.subtree_bounds()
        return self.filter(code__gte=lo, code__lte=hi)

    def below(self, region: Region) -> RegionQuerySet:
        return self.within(region).exclude(code=region.code)


class Region(models.Model):
    """An administrative division with its 12-digit statistical code (统计用区划代码)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # A representative point for maps and distance calculations; where it came from is recorded
    # because demo data invents township and community points.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    point_source = models.CharField(_("point source"), max_length=10, choices=PointSource.choices, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, level="province") | models.Q(parent__isnull=False),
                name="region_parent_except_province",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def subtree_bounds(self) -> tuple[str, str]:
        return subtree_bounds(self.code, self.level)

    def contains(self, other_code: str) -> bool:
        lo, hi = self.subtree_bounds()
        return lo <= other_code <= hi

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(self.level)

    def ancestors(self) -> list[Region]:
        """Ancestors from the province down to the parent (one query)."""
        from .constants import ancestor_codes

        codes = ancestor_codes(self.code, self.level)
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [by_code[c] for c in codes if c in by_code]


class RegionPopulation(models.Model):
    """The resident population (常住人口) of a region in a year, with where the figure came from."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="populations", verbose_name=_("region")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1949)])
    population = models.PositiveBigIntegerField(_("population"), validators=[MinValueValidator(1)])
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["region", "year"]
        verbose_name = _("resident population")
        verbose_name_plural = _("resident populations")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="region_population_unique_year"),
            models.CheckConstraint(condition=models.Q(population__gt=0), name="region_population_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.population}"
