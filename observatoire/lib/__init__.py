"""Plain functions with no Django state (statistics, geography, XLSForm questionnaires)."""
