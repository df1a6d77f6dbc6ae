"""What each role may do, as grants over the organisation tree (see core.scoping).

Areas: ``organization`` (hospitals, departments, the Party tree, terms), ``people`` (persons,
cadres), ``membership`` (memberships, transfers), ``party`` (meetings, duties, dues, appraisals),
``decisions`` (三重一大 matters: hospital-wide roles only). Later apps add their areas here.
The three admin roles get no business data at all: they administer accounts, security and audit.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist

from hongqing.core.scoping import ALL, CHANGE, DEPARTMENTS, HOSPITAL, ORG, OWN, VIEW, Grant

from .choices import Role

RW = frozenset({VIEW, CHANGE})
RO = frozenset({VIEW})

# Hospital-wide roles: role -> actions over every area of their hospital.
HOSPITAL_WIDE = {
    Role.PARTY_OFFICE: RW,
    Role.COMMITTEE_MEMBER: RO,
    Role.DISCIPLINE_INSPECTOR: RO,
}
BRANCH_ROLES = {Role.BRANCH_SECRETARY: RW, Role.BRANCH_COMMITTEE_MEMBER: RW}
# Areas only hospital-wide roles reach: a branch's roles and a member's own grant give nothing there
# (403, not an empty list). The hospital's 三重一大 matters are the Party office's and the committee's.
HOSPITAL_ONLY_AREAS = frozenset({"decisions"})
# Roles allowed to see ID numbers unmasked (each view is audited).
UNMASK_ROLES = frozenset({Role.PARTY_OFFICE, Role.DISCIPLINE_INSPECTOR})


def grants_for_user(user) -> list[Grant]:
    from hongqing.organization.models import BranchDepartment

    grants: list[Grant] = []
    assignments = list(user.role_assignments.select_related("organization").all())
    user._hq_roles = {a.role for a in assignments}  # user_roles() need not ask again
    person_id = _person_id(user)
    for a in assignments:
        role = a.role
        if role in HOSPITAL_WIDE:
            grants.append(
                Grant(HOSPITAL, HOSPITAL_WIDE[role], hospital_ids=frozenset({a.hospital_id}), role=role)
            )
        elif role in BRANCH_ROLES and a.organization_id:
            node = a.organization
            paths = (node.path,) if a.include_subtree else ()
            ids = frozenset() if a.include_subtree else frozenset({node.pk})
            grants.append(
                Grant(
                    ORG,
                    BRANCH_ROLES[role],
                    org_paths=paths,
                    org_ids=ids,
                    role=role,
                    except_areas=HOSPITAL_ONLY_AREAS,
                )
            )
            # …and reads the people of the departments the branch (subtree) is built on.
            links = BranchDepartment.objects.filter(end__isnull=True)
            links = (
                links.filter(organization__path__startswith=node.path)
                if a.include_subtree
                else links.filter(organization=node)
            )
            dept_ids = frozenset(links.values_list("department_id", flat=True))
            if dept_ids:
                grants.append(
                    Grant(
                        DEPARTMENTS,
                        RO,
                        areas=frozenset({"people", "organization"}),
                        department_ids=dept_ids,
                        role=role,
                    )
                )
        elif role == Role.REGIONAL_READER:
            if a.hospital_id:
                grants.append(Grant(HOSPITAL, RO, hospital_ids=frozenset({a.hospital_id}), role=role))
            else:
                grants.append(Grant(ALL, RO, role=role))
        elif role == Role.MEMBER and a.organization_id:
            # A member sees their own organisation's node (its name, its tree position), read only.
            grants.append(
                Grant(
                    ORG,
                    RO,
                    areas=frozenset({"organization"}),
                    org_ids=frozenset({a.organization_id}),
                    role=role,
                    personal=True,
                )
            )
    if person_id is not None:
        # Everyone linked to a staff record sees their own records.
        grants.append(
            Grant(
                OWN,
                RO,
                person_id=person_id,
                role=Role.MEMBER,
                personal=True,
                except_areas=HOSPITAL_ONLY_AREAS,
            )
        )
    return grants


def _person_id(user) -> int | None:
    try:
        return user.person.pk
    except (AttributeError, ObjectDoesNotExist):
        return None


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_hq_roles", None)
    if cached is None:
        cached = set(user.role_assignments.values_list("role", flat=True))
        user._hq_roles = cached
    return cached


def has_role(user, *roles) -> bool:
    return bool(user_roles(user) & set(roles))
