"""Choices of the health app: check sessions and outcomes, findings, symptoms, where a dose is known from."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Session(models.TextChoices):
    # 晨午检: a morning check on arrival and a noon check after the midday rest.
    MORNING = "morning", _("Morning check")
    NOON = "noon", _("Noon check")


class Finding(models.TextChoices):
    """Result of one looked-at item (mouth, hands, skin)."""

    NORMAL = "normal", _("Normal")
    ABNORMAL = "abnormal", _("Abnormal")


class Mood(models.TextChoices):
    # 精神状态
    GOOD = "good", _("Lively")
    TIRED = "tired", _("Tired or listless")
    UNWELL = "unwell", _("Unwell or crying")


class Outcome(models.TextChoices):
    ADMITTED = "admitted", _("Admitted")
    OBSERVE = "observe", _("Admitted, under observation")
    SENT_HOME = "sent_home", _("Kept out, sent home")


class Symptom(models.TextChoices):
    FEVER = "fever", _("Fever")
    RASH = "rash", _("Rash")
    COUGH = "cough", _("Cough")
    RUNNY_NOSE = "runny_nose", _("Runny nose")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    VOMITING = "vomiting", _("Vomiting")
    RED_EYES = "red_eyes", _("Red or sticky eyes (conjunctivitis)")
    MOUTH_ULCERS = "mouth_ulcers", _("Mouth ulcers or blisters (herpangina / HFMD signs)")
    HAND_FOOT_BLISTERS = "hand_foot_blisters", _("Blisters on hands or feet")
    JAUNDICE = "jaundice", _("Yellow skin or eyes (jaundice)")
    SWOLLEN_CHEEKS = "swollen_cheeks", _("Swollen cheeks (mumps signs)")
    LICE_SCABIES = "lice_scabies", _("Lice or scabies")
    INJURY = "injury", _("Injury or bruise")


class DoseSource(models.TextChoices):
    CERTIFICATE = "certificate", _("Vaccination certificate")  # 预防接种证
    PARENT = "parent", _("Told by the parent")
    CLINIC = "clinic", _("Vaccination clinic record")


class Vaccine(models.TextChoices):
    """Vaccines of the national immunisation programme given before age four (国家免疫规划)."""

    HEPB = "HepB", _("Hepatitis B (HepB)")  # 乙肝疫苗
    BCG = "BCG", _("BCG")  # 卡介苗
    IPV = "IPV", _("Inactivated polio (IPV)")  # 脊灰灭活疫苗
    BOPV = "bOPV", _("Bivalent oral polio (bOPV)")  # 脊灰减毒活疫苗
    DTAP = "DTaP", _("Diphtheria, tetanus, pertussis (DTaP)")  # 百白破疫苗
    MPSV_A = "MPSV-A", _("Meningococcal A (MPSV-A)")  # A群流脑多糖疫苗
    MMR = "MMR", _("Measles, mumps, rubella (MMR)")  # 麻腮风疫苗
    JE_L = "JE-L", _("Japanese encephalitis, live (JE-L)")  # 乙脑减毒活疫苗
    JE_I = "JE-I", _("Japanese encephalitis, inactivated (JE-I)")  # 乙脑灭活疫苗
    HEPA_L = "HepA-L", _("Hepatitis A, live (HepA-L)")  # 甲肝减毒活疫苗
    HEPA_I = "HepA-I", _("Hepatitis A, inactivated (HepA-I)")  # 甲肝灭活疫苗
    MPSV_AC = "MPSV-AC", _("Meningococcal A and C (MPSV-AC)")  # A群C群流脑多糖疫苗
