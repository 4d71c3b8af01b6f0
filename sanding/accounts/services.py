from django.contrib.auth.models import Group

from .choices import Role


def ensure_role_groups():
    """The four role groups exist (named in Chinese, as admins see them); returns {role: group}."""
    return {role: Group.objects.get_or_create(name=role.label)[0] for role in Role}
