"""The service tests match the English msgids (``pytest.raises(match=…)``); the page tests
(modules with ``CHINESE = True``) read the pages in Chinese, as users do."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _language(request):
    if getattr(request.module, "CHINESE", False):
        yield
        return
    with translation.override("en"):
        yield
