"""Ingest a new article offline: proposals with verbatim quotes, review, accept, retract.

``text`` reads the document, ``sentences`` splits it, ``mentions`` finds known entities,
``candidates`` proposes new ones, ``relations`` and ``figures`` the facts between them;
``propose`` runs them all into a review file (``review``), which ``accept`` turns into
records in data/ and ``retract`` takes back out. The rules are in graph/ingest_rules.yaml.
"""
