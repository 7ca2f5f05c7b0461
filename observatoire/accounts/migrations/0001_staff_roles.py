"""The four staff roles as groups (observatoire/accounts/roles.py says what each may do)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    # The roles are kept in step with roles.py after every migrate (AccountsConfig.ready); this
    # first run makes them exist as soon as the schema does. It uses the real models on purpose:
    # groups and permissions are Django's and Wagtail's, whose shape this project does not own.
    from observatoire.accounts.roles import ensure_roles

    ensure_roles()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailredirects", "0008_add_verbose_name_plural"),
        ("barometer", "0001_initial"),
        ("barometer_results", "0001_initial"),
        ("directory", "0001_initial"),
        ("editorial", "0001_initial"),
        ("territories", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
