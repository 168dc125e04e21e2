"""Assignments (Zuweisungen) made by ARGE staff: the upload of the Jobcenter's export, the scheduled weekdays and
the 24-months-in-5-years check."""
