"""Strategies for the commands on an existing subscription, each field drawn valid."""

from __future__ import annotations

from hypothesis import strategies as st

from subscription_rules import (
    Adjust,
    Cancel,
    CancelPendingChange,
    ChangePlan,
    ChangeQuantity,
    Command,
    Declined,
    GatewayError,
    GrantCredit,
    MigratePrice,
    RecordPayment,
    RedeemCoupon,
    Reinstate,
    SetTrialEnd,
    Succeeded,
    Suspend,
    Terminate,
    TopUp,
    UndoCancel,
    UpdatePaymentMethod,
    UpdateTax,
)
from subscription_rules.strategies._base import _MAX_COUNT, _MAX_PRICE, _identifiers, _memo
from subscription_rules.strategies._coupons import coupons
from subscription_rules.strategies._taxes import customer_taxes
from subscription_rules.strategies._values import _money, _plan_ids, instants, intervals, usages


@_memo
def _command_strategies() -> dict[type, st.SearchStrategy[Command]]:
    """A strategy per command type: fields drawn valid, not fitted to any subscription."""
    outcomes = st.one_of(st.from_type(Succeeded), st.from_type(Declined), st.builds(GatewayError))
    return {
        Cancel: st.just(Cancel()),
        ChangePlan: st.builds(
            ChangePlan, _plan_ids(), st.none() | intervals(), st.none() | usages()
        ),
        ChangeQuantity: st.builds(
            ChangeQuantity, st.integers(1, 12) | st.integers(1, _MAX_COUNT), st.none() | usages()
        ),
        UndoCancel: st.just(UndoCancel()),
        Suspend: st.just(Suspend()),
        Reinstate: st.just(Reinstate()),
        UpdatePaymentMethod: st.just(UpdatePaymentMethod()),
        CancelPendingChange: st.just(CancelPendingChange()),
        SetTrialEnd: st.builds(SetTrialEnd, instants()),
        Terminate: st.just(Terminate()),
        Adjust: st.builds(
            Adjust, _identifiers(), _money(None, 1, _MAX_PRICE), reason=st.text(max_size=40)
        ),
        RecordPayment: st.builds(RecordPayment, _identifiers(), outcomes),
        MigratePrice: st.builds(MigratePrice, st.none() | instants()),
        RedeemCoupon: st.builds(RedeemCoupon, coupons(), times_redeemed=st.integers(0, 10_000)),
        UpdateTax: st.builds(UpdateTax, st.none() | customer_taxes()),
        TopUp: st.builds(TopUp, _money(None, 1, _MAX_PRICE)),
        GrantCredit: st.builds(
            GrantCredit,
            _money(None, 1, _MAX_PRICE),
            reason=st.text(max_size=40),
            expires_at=st.none() | instants(),
        ),
    }


def commands() -> st.SearchStrategy[Command]:
    """Commands of every kind, each field valid; shrinks toward ``Cancel()``.

    Plan ids, instants, amounts and attempt keys are not fitted to any
    subscription: a rule may refuse them.

    Returns:
        A strategy for the :data:`~subscription_rules.commands.Command` union.

    >>> from hypothesis import find
    >>> find(commands(), lambda command: True)
    Cancel()
    """
    return st.one_of(*_command_strategies().values())
