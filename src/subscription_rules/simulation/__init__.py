"""An offline "test clock": a subscription's life played out from a script, in milliseconds.

:func:`simulate` takes a starting subscription (or the decision that started
it), a script of timed commands (upgrade on day 10, cancel on day 40 …) and
scripted payment outcomes, and runs ``advance``, the commands and
``record_payment`` in time order through the test fakes of the ports. The
result is a :class:`Timeline`: what happened when, the status after it, the
money moved and the notices sent. Deterministic and offline.

>>> from datetime import UTC, datetime
>>> from subscription_rules import MONTHLY, default_catalog, start_subscription
>>> catalog = default_catalog()
>>> start = start_subscription("sub_1", "cus_1", "personal", MONTHLY,
...     datetime(2026, 11, 1, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
>>> timeline = simulate(start, [Step(datetime(2026, 11, 20, tzinfo=UTC), ChangePlan("advanced"))],
...     datetime(2027, 1, 15, tzinfo=UTC), catalog=catalog, policy=SEED_POLICY)
>>> for entry in timeline.entries:
...     print(entry.summary())
2026-11-01  start                          trialing   charged USD 0.00
2026-11-12  trial ending                   trialing   charged USD 0.00
2026-11-15  trial converted                active     charged USD 50.00
2026-11-20  change plan to advanced        active     charged USD 83.33  credited USD 41.67
2026-12-15  renewed                        active     charged USD 150.00
2027-01-15  renewed                        active     charged USD 150.00
"""

from subscription_rules.simulation._scenario import (
    MAX_SCENARIO_BYTES,
    Scenario,
    load_scenario,
    parse_scenario,
)
from subscription_rules.simulation._script import (
    MAX_SIMULATION_STEPS,
    Adjust,
    Cancel,
    CancelPendingChange,
    ChangePlan,
    ChangeQuantity,
    Command,
    GrantCredit,
    MigratePrice,
    RecordPayment,
    RedeemCoupon,
    Reinstate,
    SetTrialEnd,
    SetUsage,
    Step,
    Suspend,
    Terminate,
    Timeline,
    TimelineEntry,
    TopUp,
    UndoCancel,
    UpdatePaymentMethod,
    UpdateTax,
    simulate,
)

__all__ = [
    "MAX_SCENARIO_BYTES",
    "MAX_SIMULATION_STEPS",
    "Adjust",
    "Cancel",
    "CancelPendingChange",
    "ChangePlan",
    "ChangeQuantity",
    "Command",
    "GrantCredit",
    "MigratePrice",
    "RecordPayment",
    "RedeemCoupon",
    "Reinstate",
    "Scenario",
    "SetTrialEnd",
    "SetUsage",
    "Step",
    "Suspend",
    "Terminate",
    "Timeline",
    "TimelineEntry",
    "TopUp",
    "UndoCancel",
    "UpdatePaymentMethod",
    "UpdateTax",
    "load_scenario",
    "parse_scenario",
    "simulate",
]
