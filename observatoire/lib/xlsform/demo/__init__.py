"""The demo barometer questionnaires (XLSForm sources for staff) and the script building them."""
