from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_registration_number_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="registration_number",
            field=models.CharField(max_length=64, unique=True, verbose_name="登记号"),
        ),
    ]
