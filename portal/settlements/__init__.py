"""Monthly settlements (Abrechnungen) of the approved participation reports, their release and payment."""
