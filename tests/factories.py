"""factory_boy factories for the suite's data."""

import factory

from users.models import Role, User

TEST_PASSWORD = "Secreta-de-prueba-91"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    document = factory.Sequence(lambda n: f"{10_000_000 + n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name", locale="es_ES")
    last_name = factory.Faker("last_name", locale="es_ES")
    number = factory.Sequence(lambda n: f"+57 310 {n:07d}")
    role = Role.CLIENT
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])
