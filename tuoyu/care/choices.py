"""Choices of the care records: medication, incidents, meals and the class diary."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MedicationStatus(models.TextChoices):
    # Contexts: "Accepted", "Completed" and "Cancelled" mean other things in filings and training.
    REQUESTED = "requested", pgettext_lazy("medication", "Requested")
    ACCEPTED = "accepted", pgettext_lazy("medication", "Accepted")
    DECLINED = "declined", pgettext_lazy("medication", "Declined")
    COMPLETED = "completed", pgettext_lazy("medication", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("medication", "Cancelled")


class IncidentKind(models.TextChoices):
    INJURY = "injury", _("Injury")
    ILLNESS = "illness", _("Illness")
    SAFETY = "safety", _("Safety")
    LOST_CHILD = "lost_child", _("Lost child")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MODERATE = "moderate", _("Moderate")
    SERIOUS = "serious", _("Serious")
    CRITICAL = "critical", _("Critical")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Meal(models.TextChoices):
    BREAKFAST = "breakfast", _("Breakfast")
    MORNING_SNACK = "morning_snack", _("Morning snack")
    LUNCH = "lunch", _("Lunch")
    AFTERNOON_SNACK = "afternoon_snack", _("Afternoon snack")
    DINNER = "dinner", _("Dinner")


# The order meals come in a day (TextChoices order is the declaration order).
MEAL_ORDER = {meal.value: index for index, meal in enumerate(Meal)}


class AteAmount(models.TextChoices):
    WELL = "well", _("Ate well")
    SOME = "some", _("Ate some")
    LITTLE = "little", _("Ate little")


class DiaryKind(models.TextChoices):
    NOTE = "note", _("Note")
    NAP = "nap", _("Nap")
    PHOTO = "photo", _("Photo")
    ACTIVITY = "activity", _("Activity")
