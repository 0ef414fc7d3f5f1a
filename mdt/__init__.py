"""MDTs and their meetings: schedules, case lists, attendance, discussions and outcomes, reminders
and calendar feeds."""
