from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class TitleGrade(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ASSOCIATE_SENIOR = "associate_senior", _("Associate senior")
    SENIOR = "senior", _("Senior")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate")
    MASTER = "master", _("Master")
    BACHELOR = "bachelor", _("Bachelor")
    COLLEGE = "college", _("College")
    SECONDARY = "secondary", _("Secondary or below")


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("In service")
    RETIRED = "retired", _("Retired")
    LEFT = "left", _("Left")


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ACTIVIST = "activist", _("Activist")
    CANDIDATE = "candidate", _("Candidate")
    PROBATIONARY = "probationary", _("Probationary member")
    FULL = "full", _("Full member")


# Stages of people who count as Party members (for branch sizes).
MEMBER_STAGES = (Stage.PROBATIONARY, Stage.FULL)


class TransferKind(models.TextChoices):
    INTERNAL = "internal", _("Within the hospital")
    IN = "in", _("Transferred in")
    OUT = "out", _("Transferred out")


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION = "organization", _("Organisation member")
    PUBLICITY = "publicity", _("Publicity member")
    DISCIPLINE = "discipline", _("Discipline member")
    MEMBER = "member", _("Committee member")


class CadreLevel(models.TextChoices):
    CHIEF = "chief", _("Head")
    DEPUTY = "deputy", _("Deputy head")
    OTHER = "other", _("Other management post")


class RotationKind(models.TextChoices):
    CADRE = "cadre", _("Cadre rotation")
    KEY_POST = "key_post", _("Key-post rotation")
    NEW_STAFF = "new_staff", _("New staff rotation")
    BACKBONE = "backbone", _("Backbone rotation")


class StepKind(models.TextChoices):
    """The dated steps of member development (发展党员, RULES.md §3), in their usual order."""

    APPLICATION = "application", _("Application received")
    TALK = "talk", _("Talk with the applicant")
    ACTIVIST = "activist", _("Chosen as activist")
    CONTACTS = "contacts", _("Contacts assigned")
    ASSESSMENT = "assessment", _("Activist assessment")
    CANDIDATE_NOTICE = "candidate_notice", _("Public notice before candidacy")
    CANDIDATE = "candidate", _("Chosen as candidate")
    POLITICAL_REVIEW = "political_review", _("Political review")
    TRAINING = "training", _("Short training")
    PRE_REVIEW = "pre_review", _("Pre-review by the base committee")
    ADMISSION_NOTICE = "admission_notice", _("Public notice before admission")
    ADMISSION = "admission", _("Admitted by the branch congress")
    APPROVAL = "approval", _("Approved by the base committee")
    OATH = "oath", _("Oath")
    CONVERSION_APPLICATION = "conversion_application", _("Application for full membership")
    CONVERSION_NOTICE = "conversion_notice", _("Public notice before conversion")
    CONVERSION = "conversion", _("Became a full member")
    EXTENSION = "extension", _("Probation extended")
