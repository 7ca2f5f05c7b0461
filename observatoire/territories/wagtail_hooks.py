from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import Frame, FrameMember, Territory
from .viewsets import ReadOnlyPolicy, TerritoriesGroup

# Registered before the viewsets so that they never fall back to the editable default policy.
for model in (Territory, Frame, FrameMember):
    register_permission_policy(model, ReadOnlyPolicy(model), exact_class=True)


@hooks.register("register_admin_viewset")
def register_territories_viewsets():
    return TerritoriesGroup()
