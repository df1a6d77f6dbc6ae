"""In-app notifications (core): the bell's unread count, the list of one's own, opening marks read."""

import pytest
from django.urls import reverse

from hongqing.core.models import Notification
from hongqing.core.notifications import absolute, notify

pytestmark = pytest.mark.django_db


def test_notify_keeps_the_message_and_mails_it_when_the_user_has_an_address(world, mailoutbox, settings):
    settings.SITE_URL = "https://hongqing.hospital.example"
    note, sent = notify(world.secretary_b, "提醒", body="正文", url="/party/duties/")
    assert not sent and mailoutbox == []  # no address
    world.secretary_a.email = "a@hospital.example"
    note, sent = notify(world.secretary_a, "提醒", body="正文", url="/party/duties/")
    assert sent and note.user == world.secretary_a and not note.read
    assert mailoutbox[0].body.endswith("https://hongqing.hospital.example/party/duties/")
    assert absolute("https://elsewhere.example/") == "https://elsewhere.example/"


def test_the_bell_counts_the_unread(client, world):
    client.force_login(world.secretary_a)
    html = client.get(reverse("core:home")).content.decode()
    assert 'id="hq-bell"' in html and 'id="hq-unread"' not in html
    notify(world.secretary_a, "一", url="/")
    notify(world.secretary_a, "二", url="/")
    notify(world.secretary_b, "三", url="/")
    html = client.get(reverse("core:home")).content.decode()
    assert 'id="hq-unread">2<' in html


def test_the_list_shows_ones_own_and_opening_one_marks_it_read(client, world):
    mine, _ = notify(world.secretary_a, "我的提醒", url="/party/duties/")
    theirs, _ = notify(world.secretary_b, "别人的提醒", url="/party/duties/")
    client.force_login(world.secretary_a)
    html = client.get(reverse("core:notifications")).content.decode()
    assert "我的提醒" in html and "别人的提醒" not in html
    response = client.get(reverse("core:notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/party/duties/"
    mine.refresh_from_db()
    assert mine.read
    assert client.get(reverse("core:notification_open", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("core:notification_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.read


def test_mark_all_read(client, world):
    for n in range(3):
        notify(world.secretary_a, f"提醒{n}", url="/")
    other, _ = notify(world.secretary_b, "别人的", url="/")
    client.force_login(world.secretary_a)
    assert client.post(reverse("core:notifications")).status_code == 302
    assert not Notification.objects.filter(user=world.secretary_a, read=False).exists()
    other.refresh_from_db()
    assert not other.read


def test_a_link_to_another_site_is_not_followed(client, world):
    note, _ = notify(world.secretary_a, "外链", url="https://evil.example/")
    client.force_login(world.secretary_a)
    response = client.get(reverse("core:notification_open", args=[note.pk]))
    assert response["Location"] == reverse("core:notifications")


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
