"""What every page costs before its own work: the user's staff record comes with the user, the roles
with the grants."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def _tables(queries) -> list[str]:
    return [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries if " FROM " in q["sql"]]


def test_a_page_reads_the_staff_record_with_the_user_and_the_roles_once(client, world):
    client.force_login(world.secretary_a)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/notifications/").status_code == 200
    tables = _tables(ctx.captured_queries)
    assert "people_person" not in tables  # joined to the user's query
    assert tables.count("accounts_roleassignment") == 1


def test_a_deactivated_user_is_logged_out(client, world):
    client.force_login(world.member_a)
    world.member_a.is_active = False
    world.member_a.save(update_fields=["is_active"])
    assert client.get("/notifications/").status_code == 302
