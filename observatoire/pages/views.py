from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """Liveness for a load balancer or a monitor: the database answers and is migrated."""
    status = {"database": "ok", "pending_migrations": None}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        status["pending_migrations"] = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
        healthy = not plan
    except DatabaseError as error:
        status["database"] = f"error: {error.__class__.__name__}"
        healthy = False
    status["status"] = "ok" if healthy else "unhealthy"
    return JsonResponse(status, status=200 if healthy else 503)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
