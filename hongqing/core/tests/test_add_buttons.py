"""A list offers "Add" only to those whose grants could reach what they would add."""

from django.urls import reverse


def test_a_secretary_reads_the_cadres_of_their_departments_but_is_offered_no_add(client, world):
    client.force_login(world.secretary_a)
    response = client.get(reverse("people:cadre_list"))
    assert response.status_code == 200
    assert response.context["add_url"] is None
    assert reverse("people:cadre_add") not in response.content.decode()


def test_the_party_office_is_offered_the_add_button(client, world):
    client.force_login(world.office)
    response = client.get(reverse("people:cadre_list"))
    assert response.context["add_url"] == reverse("people:cadre_add")


def test_a_secretary_is_offered_to_add_what_their_branch_reaches(client, world):
    client.force_login(world.secretary_a)
    assert client.get(reverse("party:meeting_list")).context["add_url"] == reverse("party:meeting_add")
