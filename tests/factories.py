"""factory_boy factories with boring defaults."""

import datetime

import factory
from django.contrib.auth.models import Group

from sanding.accounts.choices import Role
from sanding.accounts.models import User
from sanding.registry import models as registry


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    short_name = factory.Sequence(lambda n: f"测{n}")
    level = "city"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.Department

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试局{n}")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    region = factory.SubFactory(RegionFactory)
    category = "政府工作部门"
    rank = "正处级"


class RegulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.Regulation

    department = factory.SubFactory(DepartmentFactory)
    doc_no = factory.Sequence(lambda n: f"云编发〔2019〕{n}号")
    issued_on = datetime.date(2019, 6, 1)
    is_current = True


class InternalUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.InternalUnit

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"第{n}科")


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.Duty

    regulation = factory.SubFactory(RegulationFactory)
    seq = factory.Sequence(lambda n: n + 1)
    text = "负责本行业监督管理工作。"


class StaffingQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.StaffingQuota

    department = factory.SubFactory(DepartmentFactory)
    type = "行政编制"
    approved = 10
    actual = 8


class LeaderPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.LeaderPost

    department = factory.SubFactory(DepartmentFactory)
    level = "部门副职"
    approved = 3
    actual = 3


class PlaqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = registry.Plaque

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"测试牌子{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("sanding-test")

    @classmethod
    def _create(cls, model_class, *args, role=None, **kwargs):
        """`role=Role.X` puts the user in that role's group."""
        user = super()._create(model_class, *args, **kwargs)
        if role is not None:
            user.groups.add(Group.objects.get_or_create(name=Role(role).label)[0])
        return user
