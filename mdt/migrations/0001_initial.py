"""The MDT models, moved from referrals/ (issue 15) with their tables, rows and history rows.

State only, but for one history table renamed (below); referrals/0009 gave the models up."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


APP = "mdt"
MODELS = [
    "mdt",
    "mdtmeeting",
    "mdtattendance",
    "patientoutcomepreference",
    "mdtdiscussion",
    "mdtremindersent",
    "mdtcalendartoken",
    "historicalmdt",
    "historicalmdtmeeting",
    "historicalmdtattendance",
    "historicalpatientoutcomepreference",
    "historicalmdtdiscussion",
    "historicalmdtremindersent",
    "historicalmdtcalendartoken",
    "historicalmdt_core_members",
]
TASKS = {
    "referrals.mdt_tasks.mdt_generate_meetings": "mdt.tasks.mdt_generate_meetings",
    "referrals.mdt_tasks.mdt_close_lists": "mdt.tasks.mdt_close_lists",
    "referrals.mdt_tasks.mdt_send_readiness_chases": "mdt.tasks.mdt_send_readiness_chases",
    "referrals.mdt_tasks.mdt_send_case_lists": "mdt.tasks.mdt_send_case_lists",
    "referrals.mdt_tasks.mdt_send_missing_outcome_reminders": "mdt.tasks.mdt_send_missing_outcome_reminders",
    "referrals.mdt_tasks.mdt_send_outcome_not_sent_reminders": "mdt.tasks.mdt_send_outcome_not_sent_reminders",
    "referrals.mdt_tasks.mdt_send_cancellations": "mdt.tasks.mdt_send_cancellations",
}


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


def rename_core_members_history(apps, schema_editor):
    """The one table whose name cannot be pinned: simple-history names the history table of an m2m
    field after the model's app. Renaming a table keeps every row."""
    model = apps.get_model("mdt", "HistoricalMdt_core_members")
    schema_editor.alter_db_table(model, "referrals_historicalmdt_core_members", model._meta.db_table)


def rename_core_members_history_back(apps, schema_editor):
    model = apps.get_model("mdt", "HistoricalMdt_core_members")
    schema_editor.alter_db_table(model, model._meta.db_table, "referrals_historicalmdt_core_members")


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
                    name='HistoricalMdt',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('code', models.SlugField(help_text='Short code, e.g. LSS, RMH.', max_length=20)),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], help_text='A change applies to meetings created from then on.')),
                        ('start_time', models.TimeField(help_text='Local time in London (GMT or BST). A change applies to meetings created from then on.')),
                        ('duration_minutes', models.PositiveSmallIntegerField(default=120)),
                        ('location', models.CharField(blank=True, max_length=200)),
                        ('video_link', models.URLField(blank=True)),
                        ('cutoff_working_days', models.PositiveSmallIntegerField(default=2, help_text='Cases are added up to noon this many working days before the meeting.', verbose_name='case-list cut-off (working days before)')),
                        ('quorum_specialities', models.JSONField(blank=True, default=list, help_text='The specialities (directory practitioner specialities) that must be present.')),
                        ('weeks_ahead', models.PositiveSmallIntegerField(default=8, help_text='How far ahead meetings are created.')),
                        ('office_email', models.EmailField(blank=True, help_text='Where office reminders go; else every MDT office user.', max_length=254, verbose_name='MDT office e-mail')),
                        ('active', models.BooleanField(default=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('lead', models.ForeignKey(blank=True, db_constraint=False, help_text='The MDT lead, who sees the attendance figures.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                        ('service', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.service')),
                    ],
                    options={
                        'verbose_name': 'historical MDT',
                        'verbose_name_plural': 'historical MDTs',
                        'db_table': 'referrals_historicalmdt',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMdtCalendarToken',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField()),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical MDT calendar token',
                        'verbose_name_plural': 'historical MDT calendar tokens',
                        'db_table': 'referrals_historicalmdtcalendartoken',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalPatientOutcomePreference',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('recipients', models.CharField(choices=[('referrer', 'Referring clinician only'), ('patient', 'Patient only'), ('both', 'Referring clinician and patient')], default='referrer', max_length=20)),
                        ('patient_email', models.EmailField(blank=True, max_length=254, verbose_name="patient's e-mail for outcomes")),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='referrals.patient')),
                    ],
                    options={
                        'verbose_name': 'historical patient outcome preference',
                        'verbose_name_plural': 'historical patient outcome preferences',
                        'db_table': 'referrals_historicalpatientoutcomepreference',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Mdt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200)),
                        ('code', models.SlugField(help_text='Short code, e.g. LSS, RMH.', max_length=20, unique=True)),
                        ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], help_text='A change applies to meetings created from then on.')),
                        ('start_time', models.TimeField(help_text='Local time in London (GMT or BST). A change applies to meetings created from then on.')),
                        ('duration_minutes', models.PositiveSmallIntegerField(default=120)),
                        ('location', models.CharField(blank=True, max_length=200)),
                        ('video_link', models.URLField(blank=True)),
                        ('cutoff_working_days', models.PositiveSmallIntegerField(default=2, help_text='Cases are added up to noon this many working days before the meeting.', verbose_name='case-list cut-off (working days before)')),
                        ('quorum_specialities', models.JSONField(blank=True, default=list, help_text='The specialities (directory practitioner specialities) that must be present.')),
                        ('weeks_ahead', models.PositiveSmallIntegerField(default=8, help_text='How far ahead meetings are created.')),
                        ('office_email', models.EmailField(blank=True, help_text='Where office reminders go; else every MDT office user.', max_length=254, verbose_name='MDT office e-mail')),
                        ('active', models.BooleanField(default=True)),
                        ('core_members', models.ManyToManyField(blank=True, db_table='referrals_mdt_core_members', related_name='core_of_mdts', to='directory.practitioner')),
                        ('lead', models.ForeignKey(blank=True, help_text='The MDT lead, who sees the attendance figures.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='leads_mdts', to='directory.practitioner')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='mdts', to='directory.service')),
                    ],
                    options={
                        'verbose_name': 'MDT',
                        'verbose_name_plural': 'MDTs',
                        'db_table': 'referrals_mdt',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalMdtMeeting',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('starts_at', models.DateTimeField()),
                        ('cutoff_at', models.DateTimeField(verbose_name='case-list cut-off')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('list_closed', 'List closed'), ('held', 'Held'), ('cancelled', 'Cancelled')], default='planned', max_length=20)),
                        ('cancel_reason', models.CharField(blank=True, max_length=300)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('chair', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('mdt', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='mdt.mdt')),
                    ],
                    options={
                        'verbose_name': 'historical MDT meeting',
                        'verbose_name_plural': 'historical MDT meetings',
                        'db_table': 'referrals_historicalmdtmeeting',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMdt_core_members',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='mdt.historicalmdt')),
                        ('practitioner', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                        ('mdt', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='mdt.mdt')),
                    ],
                    options={
                        'verbose_name': 'HistoricalMdt_core_members',
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='MdtAttendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('deputy_for', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.practitioner')),
                        ('practitioner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.practitioner')),
                    ],
                    options={
                        'verbose_name': 'MDT attendance',
                        'verbose_name_plural': 'MDT attendance',
                        'db_table': 'referrals_mdtattendance',
                    },
                ),
                migrations.CreateModel(
                    name='MdtCalendarToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(max_length=64, unique=True)),
                        ('created_at', models.DateTimeField()),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='mdt_calendar', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'MDT calendar token',
                        'db_table': 'referrals_mdtcalendartoken',
                    },
                ),
                migrations.CreateModel(
                    name='MdtMeeting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_at', models.DateTimeField()),
                        ('cutoff_at', models.DateTimeField(verbose_name='case-list cut-off')),
                        ('status', models.CharField(choices=[('planned', 'Planned'), ('list_closed', 'List closed'), ('held', 'Held'), ('cancelled', 'Cancelled')], default='planned', max_length=20)),
                        ('cancel_reason', models.CharField(blank=True, max_length=300)),
                        ('attendees', models.ManyToManyField(blank=True, related_name='mdt_meetings_attended', through='mdt.MdtAttendance', through_fields=('meeting', 'practitioner'), to='directory.practitioner')),
                        ('chair', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.practitioner')),
                        ('mdt', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='meetings', to='mdt.mdt')),
                    ],
                    options={
                        'verbose_name': 'MDT meeting',
                        'db_table': 'referrals_mdtmeeting',
                        'ordering': ['starts_at'],
                    },
                ),
                migrations.CreateModel(
                    name='MdtDiscussion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question', models.TextField(blank=True, verbose_name='question for the MDT')),
                        ('imaging_available', models.BooleanField(default=False)),
                        ('pathology_available', models.BooleanField(default=False)),
                        ('late_addition_reason', models.TextField(blank=True)),
                        ('added_at', models.DateTimeField()),
                        ('outcome', models.CharField(blank=True, choices=[('surgery', 'Surgery'), ('chemotherapy', 'Chemotherapy / systemic therapy'), ('radiotherapy', 'Radiotherapy'), ('further_investigation', 'Further imaging or biopsy'), ('surveillance', 'Surveillance'), ('refer_elsewhere', 'Refer to another service'), ('supportive_care', 'Best supportive care'), ('not_sarcoma', 'Not sarcoma: back to the referrer'), ('rediscuss', 'Re-discuss at a later meeting')], max_length=30)),
                        ('recommendation', models.TextField(blank=True)),
                        ('decision_to_treat_on', models.DateField(blank=True, help_text='Starts the 31-day decision-to-treat clock.', null=True)),
                        ('outcome_recorded_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome_recipients', models.CharField(choices=[('referrer', 'Referring clinician only'), ('patient', 'Patient only'), ('both', 'Referring clinician and patient')], default='referrer', max_length=20, verbose_name='who gets the outcome')),
                        ('referrer_email', models.EmailField(blank=True, max_length=254, verbose_name="referring clinician's e-mail")),
                        ('outcome_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome_sent_to', models.CharField(blank=True, choices=[('referrer', 'Referring clinician only'), ('patient', 'Patient only'), ('both', 'Referring clinician and patient')], max_length=20)),
                        ('version', models.PositiveIntegerField(default=0, help_text='Bumped by every outcome save.')),
                        ('outcome_recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('presenting_clinician', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mdt_presentations', to=settings.AUTH_USER_MODEL)),
                        ('referral', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='mdt_discussions', to='referrals.referral')),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='discussions', to='mdt.mdtmeeting')),
                    ],
                    options={
                        'verbose_name': 'MDT discussion',
                        'db_table': 'referrals_mdtdiscussion',
                        'ordering': ['meeting__starts_at', 'added_at'],
                    },
                ),
                migrations.AddField(
                    model_name='mdtattendance',
                    name='meeting',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendance', to='mdt.mdtmeeting'),
                ),
                migrations.CreateModel(
                    name='HistoricalMdtReminderSent',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('readiness_chase', 'Readiness chase to the presenting clinician'), ('case_list', 'Case list and invitation to a core member'), ('cancellation', 'Cancellation to a core member who had the invitation'), ('missing_outcome', 'Missing outcome to the MDT office'), ('outcome_not_sent', 'Outcome not sent, to the MDT office'), ('outcome_to_referrer', 'Outcome to the referring clinician'), ('outcome_to_patient', 'Outcome to the patient')], max_length=30)),
                        ('object_id', models.PositiveBigIntegerField(help_text='The meeting or discussion it was about.')),
                        ('recipient', models.CharField(max_length=254)),
                        ('sent_at', models.DateTimeField()),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='mdt.mdtmeeting')),
                    ],
                    options={
                        'verbose_name': 'historical MDT reminder sent',
                        'verbose_name_plural': 'historical MDT reminders sent',
                        'db_table': 'referrals_historicalmdtremindersent',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMdtDiscussion',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('question', models.TextField(blank=True, verbose_name='question for the MDT')),
                        ('imaging_available', models.BooleanField(default=False)),
                        ('pathology_available', models.BooleanField(default=False)),
                        ('late_addition_reason', models.TextField(blank=True)),
                        ('added_at', models.DateTimeField()),
                        ('outcome', models.CharField(blank=True, choices=[('surgery', 'Surgery'), ('chemotherapy', 'Chemotherapy / systemic therapy'), ('radiotherapy', 'Radiotherapy'), ('further_investigation', 'Further imaging or biopsy'), ('surveillance', 'Surveillance'), ('refer_elsewhere', 'Refer to another service'), ('supportive_care', 'Best supportive care'), ('not_sarcoma', 'Not sarcoma: back to the referrer'), ('rediscuss', 'Re-discuss at a later meeting')], max_length=30)),
                        ('recommendation', models.TextField(blank=True)),
                        ('decision_to_treat_on', models.DateField(blank=True, help_text='Starts the 31-day decision-to-treat clock.', null=True)),
                        ('outcome_recorded_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome_recipients', models.CharField(choices=[('referrer', 'Referring clinician only'), ('patient', 'Patient only'), ('both', 'Referring clinician and patient')], default='referrer', max_length=20, verbose_name='who gets the outcome')),
                        ('referrer_email', models.EmailField(blank=True, max_length=254, verbose_name="referring clinician's e-mail")),
                        ('outcome_sent_at', models.DateTimeField(blank=True, null=True)),
                        ('outcome_sent_to', models.CharField(blank=True, choices=[('referrer', 'Referring clinician only'), ('patient', 'Patient only'), ('both', 'Referring clinician and patient')], max_length=20)),
                        ('version', models.PositiveIntegerField(default=0, help_text='Bumped by every outcome save.')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('outcome_recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('presenting_clinician', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('referral', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='referrals.referral')),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='mdt.mdtmeeting')),
                    ],
                    options={
                        'verbose_name': 'historical MDT discussion',
                        'verbose_name_plural': 'historical MDT discussions',
                        'db_table': 'referrals_historicalmdtdiscussion',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalMdtAttendance',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('deputy_for', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('practitioner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='directory.practitioner')),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='mdt.mdtmeeting')),
                    ],
                    options={
                        'verbose_name': 'historical MDT attendance',
                        'verbose_name_plural': 'historical MDT attendance',
                        'db_table': 'referrals_historicalmdtattendance',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='MdtReminderSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('readiness_chase', 'Readiness chase to the presenting clinician'), ('case_list', 'Case list and invitation to a core member'), ('cancellation', 'Cancellation to a core member who had the invitation'), ('missing_outcome', 'Missing outcome to the MDT office'), ('outcome_not_sent', 'Outcome not sent, to the MDT office'), ('outcome_to_referrer', 'Outcome to the referring clinician'), ('outcome_to_patient', 'Outcome to the patient')], max_length=30)),
                        ('object_id', models.PositiveBigIntegerField(help_text='The meeting or discussion it was about.')),
                        ('recipient', models.CharField(max_length=254)),
                        ('sent_at', models.DateTimeField()),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reminders_sent', to='mdt.mdtmeeting')),
                    ],
                    options={
                        'verbose_name': 'MDT reminder sent',
                        'verbose_name_plural': 'MDT reminders sent',
                        'db_table': 'referrals_mdtremindersent',
                        'ordering': ['-sent_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PatientOutcomePreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recipients', models.CharField(choices=[('referrer', 'Referring clinician only'), ('patient', 'Patient only'), ('both', 'Referring clinician and patient')], default='referrer', max_length=20)),
                        ('patient_email', models.EmailField(blank=True, max_length=254, verbose_name="patient's e-mail for outcomes")),
                        ('patient', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='outcome_preference', to='referrals.patient')),
                    ],
                    options={
                        'db_table': 'referrals_patientoutcomepreference',
                    },
                ),
                migrations.AddConstraint(
                    model_name='mdtmeeting',
                    constraint=models.UniqueConstraint(fields=('mdt', 'starts_at'), name='mdt_meeting_once_per_start'),
                ),
                migrations.AddConstraint(
                    model_name='mdtdiscussion',
                    constraint=models.UniqueConstraint(fields=('meeting', 'referral'), name='mdt_discussion_once_per_meeting'),
                ),
                migrations.AddConstraint(
                    model_name='mdtattendance',
                    constraint=models.UniqueConstraint(fields=('meeting', 'practitioner'), name='mdt_attendance_once'),
                ),
                migrations.AddConstraint(
                    model_name='mdtremindersent',
                    constraint=models.UniqueConstraint(fields=('kind', 'object_id', 'meeting', 'recipient'), name='mdt_reminder_sent_once'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
        migrations.RunPython(rename_outbox_tasks, rename_outbox_tasks_back),
        migrations.RunPython(rename_core_members_history, rename_core_members_history_back),
    ]
