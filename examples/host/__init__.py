"""A reference host application for ``subscription_rules``: SQLite (or PostgreSQL), Stripe, email.

``db`` holds the tables and a small DB-API adapter, ``stripe`` and ``mail`` the
fake providers and the adapters at the library's ports, ``app`` the host's four
loops (requests, webhooks, the nightly billing run, the outbox worker), and
``simulation`` a year of customers played against it, with the checks. See
``examples/host/README.md``.
"""
