"""Pinyin search of persons (``q``): the list page and the API share the FilterSet."""

import pytest

from hongqing.core.testing.world import make_person
from hongqing.people.models import Person

LIST = "/people/persons/"
API = "/api/people/persons/"


@pytest.fixture
def people(world):
    """张伟 (world.person_a) plus a few names that share letters with it, and one that shares none."""
    return {
        "zhangwei": world.person_a,
        "zhangweihua": make_person(world.hospital, world.dept_a, "张伟华", staff_no="A7001"),
        "zhangli": make_person(world.hospital, world.dept_a, "张丽", staff_no="A7002", gender="F"),
        "zengwei": make_person(world.hospital, world.dept_b, "曾伟", staff_no="B8001"),
        "shanli": make_person(world.hospital, world.dept_b, "单丽", staff_no="B8002", gender="F"),
        "liuyang": make_person(world.hospital, world.dept_b, "刘洋", staff_no="B8003"),
    }


def page_names(client, q) -> set[str]:
    response = client.get(LIST, {"q": q})
    assert response.status_code == 200
    return {p.name for p in response.context["table"].data}


def api_names(client, q) -> set[str]:
    response = client.get(API, {"q": q, "page_size": 500})
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    return set(Person.objects.filter(pk__in=ids).values_list("name", flat=True))


@pytest.fixture(params=["page", "api"])
def search(request, client, world):
    client.force_login(world.office)
    fn = page_names if request.param == "page" else api_names
    return lambda q: fn(client, q)


def test_initials(search, people):
    assert search("zw") == {"张伟", "张伟华", "曾伟"}


def test_initials_upper_case(search, people):
    assert search("ZW") == {"张伟", "张伟华", "曾伟"}


def test_full_pinyin(search, people):
    assert search("zhangwei") == {"张伟", "张伟华"}


def test_full_pinyin_with_a_space(search, people):
    assert search("zhang wei") == {"张伟", "张伟华"}


def test_pinyin_prefix(search, people):
    assert search("zhang") == {"张伟", "张伟华", "张丽"}


def test_initials_prefix(search, people):
    assert search("zwh") == {"张伟华"}


def test_staff_number_prefix(search, people):
    assert search("B800") == {"曾伟", "单丽", "刘洋"}
    assert search("b8001") == {"曾伟"}


def test_staff_number_is_a_prefix_not_a_substring(search, people):
    assert search("8001") == set()


def test_chinese_substring(search, people):
    assert search("伟") == {"张伟", "张伟华", "曾伟"}
    assert search("张伟") == {"张伟", "张伟华"}
    assert search("伟华") == {"张伟华"}


def test_polyphonic_surnames_by_their_name_reading(search, people):
    assert search("zengwei") == {"曾伟"}
    assert search("shanli") == {"单丽"}
    assert search("sl") == {"单丽", "孙立"}  # 孙立 is the office persona


@pytest.mark.parametrize("q", ["xyz", "zhangx", "zwhx", "王五", "Z9", "qq"])
def test_no_match(search, people, q):
    assert search(q) == set()


def test_other_hospital_not_found(search, people, world):
    # 王芳 works in the second hospital: the office of the first never finds her.
    assert search("wf") == set()
    assert search("王芳") == set()


def test_secretary_searches_only_their_scope(client, world, people):
    client.force_login(world.secretary_a)
    assert page_names(client, "zw") == {"张伟", "张伟华"}  # 曾伟 works in department B
    assert api_names(client, "zw") == {"张伟", "张伟华"}


def test_keys_follow_a_rename_through_the_api(client, world, people):
    client.force_login(world.office)
    p = people["liuyang"]
    response = client.patch(f"{API}{p.pk}/", {"name": "何平"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert api_names(client, "hp") == {"何平"}
    assert api_names(client, "ly") == set()
    assert page_names(client, "heping") == {"何平"}


def test_keys_follow_a_rename_through_the_edit_page(client, world, people):
    from django.urls import reverse

    client.force_login(world.office)
    p = people["liuyang"]
    data = {
        "hospital": world.hospital.pk,
        "staff_no": p.staff_no,
        "name": "何平",
        "gender": "M",
        "department": world.dept_b.pk,
        "status": "active",
    }
    response = client.post(reverse("people:person_edit", kwargs={"pk": p.pk}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert page_names(client, "hp") == {"何平"}
    assert page_names(client, "liuyang") == set()
