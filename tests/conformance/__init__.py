"""Conformance: each preset reproduces the worked examples its engine publishes.

One module per engine (``test_stripe``, ``test_kill_bill``, ``test_lago``). The
rules of this package:

- Every test runs under the engine's preset (``STRIPE_LIKE``, ``KILL_BILL_LIKE``,
  ``LAGO_LIKE``), changed only where the published example itself sets an
  engine option (Kill Bill's ``org.killbill.invoice.proration.fixed.days``, an
  ``IMMEDIATE`` change policy), and the docstring says which.
- The catalog is built to the example's prices.
- The docstring names the source precisely (page URL, or repository, file path
  and test name) and copies the published inputs and outputs: the figures only;
  the engines' code and sentences are not copied.
- Only examples the library expresses today are encoded, and all pass; none is
  skipped or expected to fail. Examples waiting for a convention are listed
  outside the suite until it lands.
- Where an engine's published behaviour is one the library deliberately does
  not copy, the test asserts our rule and says why; docs/policies.md lists
  those differences ("Where the presets differ from the engines, and why").
"""
