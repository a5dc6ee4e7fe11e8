# The filing opinions now live in SignOff rows (data moved by 0006); their old columns go.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_signoff_data'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='filingrecord',
            name='filing_officer_opinion_has_time',
        ),
        migrations.RemoveConstraint(
            model_name='filingrecord',
            name='filing_unit_opinion_has_time',
        ),
        migrations.RemoveConstraint(
            model_name='filingrecord',
            name='filing_head_opinion_has_time',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='head_decision',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='head_opinion',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='head_opinion_at',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='head_opinion_by',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='officer_opinion',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='officer_opinion_at',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='officer_opinion_by',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='unit_opinion',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='unit_opinion_at',
        ),
        migrations.RemoveField(
            model_name='filingrecord',
            name='unit_opinion_by',
        ),
    ]
