"""Transformations inside the warehouse: documents become claims, claims become events, events feed the marts."""
