"""Who may do what with points, from the grants (no query): the one scoping plus the office's acts.

Reading goes through ``restrict`` like everywhere. A few acts are the Party office's alone — a
hospital-wide grant that changes the ``points`` area: editing the catalogue, approving or rejecting
proposals, corrections, closing a year, opening and reviewing selection rounds. A branch
secretary's grant changes their branch's records (proposals, nominations, volunteering), not those.
"""

from __future__ import annotations

from hongqing.core.scoping import ALL, CHANGE, HOSPITAL, OWN, VIEW, grants_for

AREA = "points"


def office_hospitals(user) -> set[int]:
    """The hospitals whose points the user administers as the Party office."""
    return {
        h for g in grants_for(user) if g.kind == HOSPITAL and g.applies(AREA, CHANGE) for h in g.hospital_ids
    }


def is_office(user, hospital_id: int | None = None) -> bool:
    ids = office_hospitals(user)
    return bool(ids) if hospital_id is None else hospital_id in ids


def manages(user, action: str = VIEW) -> bool:
    """Reads (or changes) points beyond the user's own: a branch, a hospital, a region."""
    return any(g.applies(AREA, action) and not g.personal for g in grants_for(user))


def reads_everything(user) -> bool:
    return any(g.kind == ALL and g.applies(AREA, VIEW) for g in grants_for(user))


def has_own(user) -> bool:
    """Linked to a staff record (so with a "my points" page). From the grants: no query."""
    return any(g.kind == OWN and g.applies(AREA, VIEW) for g in grants_for(user))


def own_person(user):
    try:
        return user.person
    except Exception:  # noqa: BLE001 (RelatedObjectDoesNotExist: no staff record)
        return None
