"""Proposal portals, by audience: handling units (`unit`), representatives (`representative`), the
public (`public`), and the documents behind a check (`documents`).

Each view gets its object through an access helper (404 outside the user's scope), validates a
form, calls one service and redirects; a refused transition is shown next to its form.
"""
