"""The demo hospital and scale data: each app registers a builder; ``seed_demo`` runs them in order.

A builder is ``fn(ctx: DemoContext) -> None``; it reads what earlier builders left in ``ctx`` and
adds its own. ``core`` only runs them, so it imports no domain app.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker


@dataclass
class DemoScale:
    hospitals: int = 2  # the first is the full demo hospital; others are smaller neighbours
    staff: int = 600
    members: int = 100
    extra_hospital_staff: int = 40
    # The first hospital's layout; None keeps the demo's (organization.demo.MCH_DEPARTMENTS and
    # MCH_BRANCHES, people.demo.MEMBERS_PER_BRANCH). Same shapes as those; scale data sets them.
    departments: list | None = None
    branches: list | None = None
    members_per_branch: list[int] | None = None
    extra_hospital_members_per_branch: list[int] = field(default_factory=lambda: [6, 5])


@dataclass
class DemoContext:
    scale: DemoScale
    today: dt.date
    rng: random.Random
    fake: Faker
    data: dict = field(default_factory=dict)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role label, scope)


_builders: list[tuple[int, str, Callable[[DemoContext], None]]] = []

DEMO_PASSWORD = "hongqing-demo"


def register_builder(order: int, name: str, fn: Callable[[DemoContext], None]) -> None:
    _builders.append((order, name, fn))
    _builders.sort(key=lambda b: b[0])


def builders():
    return list(_builders)


def make_context(
    scale: DemoScale | None = None, seed: int = 2026, today: dt.date | None = None
) -> DemoContext:
    from django.utils import timezone

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return DemoContext(
        scale=scale or DemoScale(), today=today or timezone.localdate(), rng=random.Random(seed), fake=fake
    )


def run(ctx: DemoContext, progress: Callable[[str], None] | None = None) -> DemoContext:
    for _order, name, fn in builders():
        if progress:
            progress(name)
        fn(ctx)
    return ctx
