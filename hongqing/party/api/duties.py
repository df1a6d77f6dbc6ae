"""API: duties. Register viewsets on `router`."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()
