"""登记号 for every case; the 案号 (立案号 / 受理号) only for cases that were filed or accepted.

Until now a 立案号 was taken at registration, so unfiled, not-filed and rejected cases held filing
numbers. Existing cases get 登记号 in the order they were registered (one gap-free series per
year, continued by the `case:registration` counter); cases never filed or accepted lose the
filing number they should not have had (it stays in their audit entries and in any document
already issued). The filing series keeps its historic holes: numbers are never reused.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_remove_filing_opinion_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="registration_number",
            field=models.CharField(max_length=64, null=True, verbose_name="登记号"),
        ),
        migrations.AlterField(
            model_name="case",
            name="number",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True, verbose_name="案号"),
        ),
    ]
