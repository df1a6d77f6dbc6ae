"""API plumbing: every viewset's queryset is ``restrict``-ed; writes are re-checked against scope."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, serializers, viewsets
from rest_framework.response import Response

from .drf import Pagination, ScopedPermission  # noqa: F401  (re-exported for apps)
from .scoping import CHANGE, VIEW


class HQSerializer(serializers.ModelSerializer):
    """Runs the model's clean() so the API and the forms reject the same bad input."""

    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request and url else url

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            # Related choices are scoped too: a foreign key outside the user's scope does not exist.
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs, "restrict") and user is not None:
                field.queryset = qs.restrict(user, VIEW)
            child = getattr(field, "child_relation", None)
            if (
                child is not None
                and hasattr(getattr(child, "queryset", None), "restrict")
                and user is not None
            ):
                child.queryset = child.queryset.restrict(user, VIEW)
        return fields

    def run_validators(self, value):
        # DRF's validator of a conditional UniqueConstraint reads the condition's fields from the
        # data and fails with a KeyError (a 500) on a PATCH that leaves them out: give it the
        # record's current values (only the validators see this copy).
        if self.instance is not None and isinstance(value, dict):
            missing = {}
            for validator in self.validators:
                for name in getattr(validator, "condition_fields", ()):
                    source = self.fields[name].source if name in self.fields else name
                    if source not in value:
                        missing[source] = getattr(self.instance, source)
            if missing:
                value = {**missing, **value}
        super().run_validators(value)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        m2m = {f.name for f in model._meta.many_to_many}
        instance = self.instance or model()
        for key, value in attrs.items():
            if key not in m2m:
                setattr(instance, key, value)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return attrs


class ScopedViewSet(viewsets.ModelViewSet):
    """A model viewset whose rows are the user's scope; a write that leaves the scope rolls back."""

    def get_queryset(self):
        action = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return super().get_queryset().restrict(self.request.user, action)

    def _recheck(self, instance):
        model = type(instance)
        if not model.objects.restrict(self.request.user, CHANGE).filter(pk=instance.pk).exists():
            raise exceptions.PermissionDenied(_("The record would be outside your scope."))

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save(created_by=self.request.user)
            self._recheck(instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            self._recheck(instance)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        reasons = instance.delete_blockers()
        if not reasons:
            try:
                with transaction.atomic():
                    instance.delete()
            except (ProtectedError, RestrictedError) as exc:
                # A reference delete_blockers() does not name: refuse like the delete page, not a 500.
                related = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", [])
                names = ", ".join(str(o) for o in list(related)[:5])
                reasons = [_("Other records still refer to it: %(objs)s") % {"objs": names}]
        if reasons:
            return Response({"detail": " ".join(str(r) for r in reasons)}, status=409)
        return Response(status=204)
