"""The authentication backend: Django's, with the user's staff record read in the same query.

Every page asks whom the user is on the staff (their own-records grant, the menu's personal entries):
loading the person with the user saves a query on each request.
"""

from django.contrib.auth.backends import ModelBackend


class HQModelBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        model = get_user_model()
        try:
            user = model._default_manager.select_related("person").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
