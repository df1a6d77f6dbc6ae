from hongqing.core.testing.contracts import ApiContract, PageContract
from hongqing.people.models import Person


class TestPersonPages(PageContract):
    model = Person

    def in_scope(self, world):
        return world.person_a

    def elsewhere(self, world):
        return world.person_b


class TestPersonApi(ApiContract):
    model = Person
    api_list = "/api/people/persons/"

    def in_scope(self, world):
        return world.person_a

    def elsewhere(self, world):
        return world.person_b


class TestPersonAcrossHospitals(PageContract):
    """The office of one hospital never sees another hospital's staff."""

    model = Person
    viewer = editor = "office"

    def in_scope(self, world):
        return world.person_b

    def elsewhere(self, world):
        return world.person_h2
