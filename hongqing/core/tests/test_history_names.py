from hongqing.organization.models import Department


def test_the_history_names_the_record_a_foreign_key_points_to(client, world):
    client.force_login(world.office)
    dept = Department.objects.add_root(dict(hospital=world.hospital, name="超声科"))
    response = client.post(
        f"/people/persons/{world.person_a.pk}/edit/",
        {
            "hospital": world.hospital.pk,
            "staff_no": world.person_a.staff_no,
            "name": world.person_a.name,
            "gender": "M",
            "department": dept.pk,
            "status": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(f"/people/persons/{world.person_a.pk}/history/").content.decode()
    assert "超声科" in page
    assert "产科" in page


def test_the_history_page_queries_are_bounded(client, world, django_assert_max_num_queries):
    client.force_login(world.office)
    for i in range(20):
        Department.objects.filter(pk=world.dept_a.pk).update(name=f"产科{i}")
        d = Department.objects.get(pk=world.dept_a.pk)
        d.code = f"{i:02d}"
        d.save()
    with django_assert_max_num_queries(25):
        assert client.get(f"/organization/departments/{world.dept_a.pk}/history/").status_code == 200
