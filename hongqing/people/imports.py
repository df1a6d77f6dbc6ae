"""Excel import of persons (职工) and memberships (党员): columns, lookups and row rules.

The model's ``clean()`` holds the rules (ID number checksum, birth date and gender against it;
milestone order), so an import refuses exactly what the forms refuse.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hongqing.core.imports import Choice, ImportColumn, Row, date_value, id_number_value, name_list
from hongqing.core.pinyin import pinyin_keys
from hongqing.core.scoping import VIEW
from hongqing.organization.choices import OrgKind
from hongqing.organization.imports import HospitalImport
from hongqing.organization.models import Department, PartyOrganization

from .choices import Education, Gender, Stage, TitleGrade
from .models import Membership, Person, TalentTag

GENDER = Choice(Gender, {"男": Gender.MALE, "女": Gender.FEMALE})
TITLE_GRADE = Choice(
    TitleGrade,
    {
        "初级": TitleGrade.JUNIOR,
        "中级": TitleGrade.INTERMEDIATE,
        "副高": TitleGrade.ASSOCIATE_SENIOR,
        "副高级": TitleGrade.ASSOCIATE_SENIOR,
        "正高": TitleGrade.SENIOR,
        "正高级": TitleGrade.SENIOR,
    },
)
EDUCATION = Choice(
    Education,
    {
        "博士研究生": Education.DOCTORATE,
        "博士": Education.DOCTORATE,
        "硕士研究生": Education.MASTER,
        "硕士": Education.MASTER,
        "本科": Education.BACHELOR,
        "大学本科": Education.BACHELOR,
        "大专": Education.COLLEGE,
        "专科": Education.COLLEGE,
        "中专及以下": Education.SECONDARY,
        "中专": Education.SECONDARY,
        "高中及以下": Education.SECONDARY,
    },
)
STAGE = Choice(
    Stage,
    {
        "申请人": Stage.APPLICANT,
        "入党申请人": Stage.APPLICANT,
        "积极分子": Stage.ACTIVIST,
        "入党积极分子": Stage.ACTIVIST,
        "发展对象": Stage.CANDIDATE,
        "预备党员": Stage.PROBATIONARY,
        "正式党员": Stage.FULL,
    },
)

PINYIN_MAX = Person._meta.get_field("name_pinyin").max_length
INITIALS_MAX = Person._meta.get_field("name_initials").max_length


class PersonImport(HospitalImport):
    model = Person
    columns = [
        ImportColumn(
            "工号", "staff_no", required=True, help=gettext_lazy("Unique in the hospital."), example="10023"
        ),
        ImportColumn("姓名", "name", required=True, example="张伟"),
        ImportColumn(
            "性别",
            "gender",
            parser=GENDER,
            help=gettext_lazy("May be left empty when the ID number is given."),
            example="男",
        ),
        ImportColumn(
            "出生日期",
            "birth_date",
            parser=date_value,
            is_text=False,
            help=gettext_lazy("May be left empty when the ID number is given."),
            example="1985-03-12",
        ),
        ImportColumn(
            "身份证号", "id_number", parser=id_number_value, sensitive=True, example="11010519491231002X"
        ),
        ImportColumn("手机", "phone", example="13800138000"),
        ImportColumn(
            "科室",
            "department",
            help=gettext_lazy("The name of an existing department in your scope."),
            example="产科",
        ),
        ImportColumn("职务", "post", example="科主任"),
        ImportColumn("职称", "title_grade", parser=TITLE_GRADE, example="中级"),
        ImportColumn("学历", "education", parser=EDUCATION, example="本科"),
        ImportColumn("入职日期", "employment_start", parser=date_value, is_text=False, example="2010-07-01"),
        ImportColumn(
            "人才标签",
            "talent_tags",
            parser=name_list,
            help=gettext_lazy("Names of existing talent tags."),
            example="学科带头人、头雁人才",
        ),
    ]

    def prepare(self) -> None:
        h = self.hospital
        # Staff and ID numbers are unique in the hospital, whoever may see the records holding them.
        self.staff_nos = set()
        self.id_numbers = set()
        for staff_no, id_number in Person.objects.filter(hospital=h).values_list("staff_no", "id_number"):
            self.staff_nos.add(staff_no)
            if id_number:
                self.id_numbers.add(id_number)
        self.departments = {
            d.name: d
            for d in Department.objects.restrict(self.user, VIEW)
            .filter(hospital=h)
            .only("pk", "hospital_id", "name", "path")
        }
        self.tags = {t.name: t for t in TalentTag.objects.restrict(self.user, VIEW).filter(hospital=h)}
        self._pinyin: dict[str, tuple[str, str]] = {}  # names repeat: 张伟 is converted once

    def build(self, row: Row, values: dict):
        staff_no = values["staff_no"]
        if staff_no and self.unique_in_file(row, "staff_no", staff_no) and staff_no in self.staff_nos:
            row.error(
                "工号", _("Staff number “%(no)s” is already on record in this hospital.") % {"no": staff_no}
            )
        id_number = values["id_number"] or ""
        if id_number and self.unique_in_file(row, "id_number", id_number) and id_number in self.id_numbers:
            row.error("身份证号", _("This ID number is already on record in this hospital."))
        department = None
        if values["department"]:
            department = self.departments.get(values["department"])
            if department is None:
                row.error(
                    "科室", _("No department “%(name)s” in your scope.") % {"name": values["department"]}
                )
        if not values["gender"] and not id_number and "性别" not in {e.column for e in row.errors}:
            row.error("性别", _("Enter the gender, or an ID number to derive it from."))
        tags = []
        for tag_name in values["talent_tags"] or []:
            tag = self.tags.get(tag_name)
            if tag is None:
                row.error("人才标签", _("No talent tag “%(name)s”.") % {"name": tag_name})
            else:
                tags.append(tag)
        name = values["name"] or ""
        obj = Person(
            hospital=self.hospital,
            staff_no=staff_no or "",
            name=name,
            gender=values["gender"] or "",
            birth_date=values["birth_date"],
            id_number=id_number,
            phone=values["phone"] or "",
            department=department,
            post=values["post"] or "",
            title_grade=values["title_grade"] or "",
            education=values["education"] or "",
            employment_start=values["employment_start"],
            created_by=self.user,
        )
        # bulk_create does not call save(), which keeps the pinyin search keys (cut to the columns).
        keys = self._pinyin.get(name)
        if keys is None:
            keys = self._pinyin[name] = pinyin_keys(name)
        full, initials = keys
        obj.name_pinyin, obj.name_initials = full[:PINYIN_MAX], initials[:INITIALS_MAX]
        obj._import_tags = tags
        return obj

    def after_save(self, objects) -> None:
        through = Person.talent_tags.through
        links = [through(person_id=p.pk, talenttag_id=t.pk) for p in objects for t in p._import_tags]
        through.objects.bulk_create(links, batch_size=self.batch_size)


MILESTONE_HELP = gettext_lazy("Required from the stage it marks on; each date on or after the one before.")


class MembershipImport(HospitalImport):
    model = Membership
    columns = [
        ImportColumn(
            "工号",
            "person",
            required=True,
            help=gettext_lazy("The staff number of an existing person."),
            example="10023",
        ),
        ImportColumn(
            "姓名", "name", help=gettext_lazy("Optional: checked against the staff number."), example="张伟"
        ),
        ImportColumn(
            "党组织",
            "organization",
            required=True,
            help=gettext_lazy("The name of a Party organisation in your scope."),
            example="产科党支部",
        ),
        ImportColumn("阶段", "stage", required=True, parser=STAGE, example="正式党员"),
        ImportColumn(
            "申请入党日期", "application_date", parser=date_value, is_text=False, example="2008-03-01"
        ),
        ImportColumn(
            "积极分子日期",
            "activist_date",
            parser=date_value,
            is_text=False,
            help=MILESTONE_HELP,
            example="2008-09-01",
        ),
        ImportColumn(
            "发展对象日期",
            "candidate_date",
            parser=date_value,
            is_text=False,
            help=MILESTONE_HELP,
            example="2009-09-01",
        ),
        ImportColumn(
            "入党日期",
            "admission_date",
            parser=date_value,
            is_text=False,
            help=MILESTONE_HELP,
            example="2010-01-05",
        ),
        ImportColumn(
            "转正日期",
            "conversion_date",
            parser=date_value,
            is_text=False,
            help=MILESTONE_HELP,
            example="2011-01-05",
        ),
        ImportColumn("备注", "note"),
    ]

    def prepare(self) -> None:
        h = self.hospital
        self.persons = {
            p.staff_no: p
            for p in Person.objects.restrict(self.user, VIEW)
            .filter(hospital=h)
            .only("pk", "hospital_id", "staff_no", "name")
        }
        # One membership per person, whoever may see it.
        self.with_membership = set(
            Membership.objects.filter(person__hospital=h).values_list("person_id", flat=True)
        )
        orgs = (
            PartyOrganization.objects.restrict(self.user, VIEW)
            .filter(hospital=h)
            .exclude(kind=OrgKind.DISCIPLINE_COMMITTEE)
            .only("pk", "hospital_id", "name", "short_name", "path")
        )
        self.organizations = {}
        for org in orgs:
            if org.short_name:
                self.organizations.setdefault(org.short_name, org)
        for org in orgs:
            self.organizations[org.name] = org

    def build(self, row: Row, values: dict):
        staff_no = values["person"]
        person = None
        if staff_no and self.unique_in_file(row, "person", staff_no):
            person = self.persons.get(staff_no)
            if person is None:
                row.error("工号", _("No person with staff number “%(no)s” in your scope.") % {"no": staff_no})
            elif person.pk in self.with_membership:
                row.error("工号", _("%(person)s already has a membership record.") % {"person": person})
            elif values["name"] and values["name"] != person.name:
                row.error(
                    "姓名",
                    _("Staff number %(no)s is %(name)s, not %(given)s.")
                    % {"no": staff_no, "name": person.name, "given": values["name"]},
                )
        organization = None
        if values["organization"]:
            organization = self.organizations.get(values["organization"])
            if organization is None:
                row.error(
                    "党组织",
                    _("No Party organisation “%(name)s” in your scope.") % {"name": values["organization"]},
                )
        if person is None or organization is None:
            return None
        return Membership(
            person=person,
            organization=organization,
            stage=values["stage"] or Stage.APPLICANT,
            application_date=values["application_date"],
            activist_date=values["activist_date"],
            candidate_date=values["candidate_date"],
            admission_date=values["admission_date"],
            conversion_date=values["conversion_date"],
            note=values["note"] or "",
            created_by=self.user,
        )
