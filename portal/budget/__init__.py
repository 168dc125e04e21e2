"""The integration budget (Eingliederungsbudget) per year and the commitments of approved offers."""
