"""The diagnostic-pathway models, moved from referrals/ (issue 15) with their tables, rows and
history rows. State only; referrals/0009 gave the models up."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


APP = "diagnostics"
MODELS = [
    "referralreturn",
    "pathologyreview",
    "moleculartest",
    "capacitydeclaration",
    "clinicsurvey",
    "historicalreferralreturn",
    "historicalpathologyreview",
    "historicalmoleculartest",
    "historicalcapacitydeclaration",
    "historicalclinicsurvey",
]
TASKS = {"referrals.tasks.notify_referrer_of_return": "diagnostics.tasks.notify_referrer_of_return"}


def move_content_types(apps, schema_editor):
    """The models' content types (and so their permissions, the groups and users that hold them,
    and the admin's log) follow the models to the new app label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=APP, model=model).exists():
            ContentType.objects.using(db).filter(app_label="referrals", model=model).update(app_label=APP)


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label=APP, model__in=MODELS).update(app_label="referrals")


def rename_outbox_tasks(apps, schema_editor):
    """Notifications still owed name their task by its registered name, which moved too."""
    OutboxMessage = apps.get_model("portal", "OutboxMessage")
    db = schema_editor.connection.alias
    for old, new in TASKS.items():
        OutboxMessage.objects.using(db).filter(task=old).update(task=new)


def rename_outbox_tasks_back(apps, schema_editor):
    OutboxMessage = apps.get_model("portal", "OutboxMessage")
    db = schema_editor.connection.alias
    for old, new in TASKS.items():
        OutboxMessage.objects.using(db).filter(task=new).update(task=old)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('portal', '0005_outbox_message'),
        ('directory', '0004_diagnostic_clinic'),
        ('referrals', '0009_move_mdt_and_diagnostics_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only which app owns the models moves.
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalCapacityDeclaration',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('starts_on', models.DateField()),
                        ('ends_on', models.DateField()),
                        ('reason', models.TextField()),
                        ('declared_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('declared_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner_service', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.service')),
                        ('service', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.service')),
                    ],
                    options={
                        'verbose_name': 'historical capacity declaration',
                        'verbose_name_plural': 'historical capacity declarations',
                        'db_table': 'referrals_historicalcapacitydeclaration',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalClinicSurvey',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField()),
                        ('service_model', models.JSONField(blank=True, default=list)),
                        ('referrals_per_year', models.PositiveIntegerField(verbose_name='referrals received in the year')),
                        ('sarcomas_diagnosed', models.PositiveIntegerField(verbose_name='sarcomas diagnosed in the year')),
                        ('clinics_per_week', models.DecimalField(decimal_places=1, max_digits=4)),
                        ('radiologists_wte', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='consultant radiologists (WTE)')),
                        ('sonographers_wte', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='sonographers (WTE)')),
                        ('nurse_specialists_wte', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='clinical nurse specialists (WTE)')),
                        ('pathway_steps', models.JSONField(blank=True, default=list)),
                        ('notes', models.TextField(blank=True)),
                        ('submitted_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('clinic', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.diagnosticclinic')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('submitted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical clinic survey',
                        'verbose_name_plural': 'historical clinic surveys',
                        'db_table': 'referrals_historicalclinicsurvey',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalPathologyReview',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('requested_on', models.DateField()),
                        ('reported_on', models.DateField(blank=True, null=True)),
                        ('diagnosis', models.TextField(blank=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('referral', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='referrals.referral')),
                        ('reported_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                        ('requested_from', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                    ],
                    options={
                        'verbose_name': 'historical pathology review',
                        'verbose_name_plural': 'historical pathology reviews',
                        'db_table': 'referrals_historicalpathologyreview',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalReferralReturn',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('returned_at', models.DateTimeField()),
                        ('missing', models.JSONField(default=list, help_text='What the referral lacked, one item each.')),
                        ('note', models.TextField(blank=True)),
                        ('resubmitted_at', models.DateTimeField(blank=True, null=True)),
                        ('referrer_notified_at', models.DateTimeField(blank=True, help_text='When the referrer was e-mailed what is missing (set once).', null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('referral', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='referrals.referral')),
                        ('resubmitted_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('returned_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical referral return',
                        'verbose_name_plural': 'historical referral returns',
                        'db_table': 'referrals_historicalreferralreturn',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PathologyReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('requested_on', models.DateField()),
                        ('reported_on', models.DateField(blank=True, null=True)),
                        ('diagnosis', models.TextField(blank=True)),
                        ('referral', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='pathology_review', to='referrals.referral')),
                        ('reported_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='pathology_reviews_reported', to='directory.practitioner')),
                        ('requested_from', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pathology_reviews_requested', to='directory.practitioner')),
                    ],
                    options={
                        'db_table': 'referrals_pathologyreview',
                        'ordering': ['-requested_on'],
                    },
                ),
                migrations.CreateModel(
                    name='MolecularTest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('test_name', models.CharField(max_length=200)),
                        ('requested_on', models.DateField()),
                        ('resulted_on', models.DateField(blank=True, null=True)),
                        ('result', models.TextField(blank=True)),
                        ('review', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='molecular_tests', to='diagnostics.pathologyreview')),
                    ],
                    options={
                        'db_table': 'referrals_moleculartest',
                        'ordering': ['requested_on', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalMolecularTest',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('test_name', models.CharField(max_length=200)),
                        ('requested_on', models.DateField()),
                        ('resulted_on', models.DateField(blank=True, null=True)),
                        ('result', models.TextField(blank=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('review', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='diagnostics.pathologyreview')),
                    ],
                    options={
                        'verbose_name': 'historical molecular test',
                        'verbose_name_plural': 'historical molecular tests',
                        'db_table': 'referrals_historicalmoleculartest',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='ReferralReturn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('returned_at', models.DateTimeField()),
                        ('missing', models.JSONField(default=list, help_text='What the referral lacked, one item each.')),
                        ('note', models.TextField(blank=True)),
                        ('resubmitted_at', models.DateTimeField(blank=True, null=True)),
                        ('referrer_notified_at', models.DateTimeField(blank=True, help_text='When the referrer was e-mailed what is missing (set once).', null=True)),
                        ('referral', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='returns', to='referrals.referral')),
                        ('resubmitted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('returned_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'referrals_referralreturn',
                        'ordering': ['-returned_at'],
                    },
                ),
                migrations.CreateModel(
                    name='CapacityDeclaration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField()),
                        ('ends_on', models.DateField()),
                        ('reason', models.TextField()),
                        ('declared_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('declared_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('partner_service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.service')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='capacity_declarations', to='directory.service')),
                    ],
                    options={
                        'db_table': 'referrals_capacitydeclaration',
                        'ordering': ['-starts_on'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('ends_on__gte', models.F('starts_on'))), name='capacity_declaration_dates_in_order'), models.CheckConstraint(condition=models.Q(('partner_service', models.F('service')), _negated=True), name='capacity_declaration_other_partner')],
                    },
                ),
                migrations.CreateModel(
                    name='ClinicSurvey',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField()),
                        ('service_model', models.JSONField(blank=True, default=list)),
                        ('referrals_per_year', models.PositiveIntegerField(verbose_name='referrals received in the year')),
                        ('sarcomas_diagnosed', models.PositiveIntegerField(verbose_name='sarcomas diagnosed in the year')),
                        ('clinics_per_week', models.DecimalField(decimal_places=1, max_digits=4)),
                        ('radiologists_wte', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='consultant radiologists (WTE)')),
                        ('sonographers_wte', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='sonographers (WTE)')),
                        ('nurse_specialists_wte', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='clinical nurse specialists (WTE)')),
                        ('pathway_steps', models.JSONField(blank=True, default=list)),
                        ('notes', models.TextField(blank=True)),
                        ('submitted_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('clinic', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='surveys', to='directory.diagnosticclinic')),
                        ('submitted_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'referrals_clinicsurvey',
                        'ordering': ['-year', 'clinic__name'],
                        'permissions': [('view_diagnostic_figures', "Can view the diagnostic pathway's evaluation figures and reports")],
                        'constraints': [models.UniqueConstraint(fields=('clinic', 'year'), name='one_clinic_survey_per_year')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='pathologyreview',
                    constraint=models.CheckConstraint(condition=models.Q(('reported_on__isnull', True), ('reported_on__gte', models.F('requested_on')), _connector='OR'), name='pathology_reported_after_requested'),
                ),
                migrations.AddConstraint(
                    model_name='referralreturn',
                    constraint=models.UniqueConstraint(condition=models.Q(('resubmitted_at__isnull', True)), fields=('referral',), name='one_outstanding_return_per_referral'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.RunPython(rename_outbox_tasks, rename_outbox_tasks_back),
    ]
