"""Claims: what a post or article says happened (claim | report | other), by whom, with what, where, when.

``extract`` is the entry point; ``model`` holds the learned part (kind, actor, weapon, intercepted), the rules and
dictionaries around it give dates, places and names; ``corpus`` and ``labels`` read the labelled data by reference.
"""
