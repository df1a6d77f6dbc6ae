"""In-app notifications and their e-mail: :func:`notify` is how any app tells a user something.

The message is always kept in the app (the bell in the navbar); it is also e-mailed when the user has
an address (SMTP from the EMAIL_* settings). A mail server that refuses is logged, not raised: the
in-app message is the record, the e-mail a courtesy.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from .models import Notification

log = logging.getLogger(__name__)


def absolute(url: str) -> str:
    """``url`` with the site's address in front (settings.SITE_URL), for links in e-mail."""
    base = getattr(settings, "SITE_URL", "") or ""
    return f"{base.rstrip('/')}{url}" if url.startswith("/") and base else url


def notify(
    user, title: str, *, body: str = "", url: str = "", email: bool = True
) -> tuple[Notification, bool]:
    """Create the in-app notification and, if the user has an address, send it by e-mail.

    Returns the notification and whether the e-mail was handed to the mail server.
    """
    note = Notification.objects.create(user=user, title=str(title)[:200], body=str(body), url=url[:300])
    sent = False
    if email and user.email:
        text = "\n\n".join(part for part in (str(body), absolute(url)) if part)
        try:
            sent = bool(send_mail(str(title), text, None, [user.email], fail_silently=False))
        except Exception:  # the SMTP server refused or is down: the in-app message stands
            log.exception("notification e-mail to user %s failed", user.pk)
    return note, sent


def unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read=False).count()
