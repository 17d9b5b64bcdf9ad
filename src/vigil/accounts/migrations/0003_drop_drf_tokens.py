"""Drop Django REST framework's token table, left behind by databases made before API tokens were our own.

Those tokens were stored in clear and were created with `vigil drf_create_token`, which skipped the second
factor; ``rest_framework.authtoken`` is no longer installed, so they no longer work. Nothing is lost that a
user cannot recreate on the API tokens page.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop)]
