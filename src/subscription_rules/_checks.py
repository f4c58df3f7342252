"""Checking input, and the one way to skip the checks: the vocabulary every module uses.

**Checks.** An argument or a field is checked by a *check*: a function
``check(value, argument)`` that returns quietly or raises one of the library's
errors (:mod:`subscription_rules.errors`) naming ``argument`` and the value,
such as :func:`expect` or :func:`identifier`. The same check guards a value's
field as an attrs validator, a callable ``(instance, attribute, value)`` that
names the attribute: :func:`instance_of` (a type), :func:`field_check` (any
check), :func:`optional` (``None`` allowed). Every message reads
``<argument>: <what is wrong>, got <the value>``:

>>> expect(5, str, "plan_id")
Traceback (most recent call last):
subscription_rules.errors.InvalidArgumentError: plan_id: expected str, got int 5
>>> import attrs
>>> @attrs.frozen
... class Tag:
...     name: str = attrs.field(validator=field_check(identifier))
>>> Tag("café")
Traceback (most recent call last):
subscription_rules.errors.InvalidArgumentError: name: must be printable ASCII, got 'café'

**Trusted construction.** A value the rules build from values already
checked (the sum of two amounts, a period a cycle computed, the next
subscription) need not be checked again: :func:`trusted` gives a class's
constructor without its checks, the one way to skip them. Whatever stays
worth checking on that path (an amount's range, a balance that must not go
negative) is checked by the caller before it builds.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, ParamSpec, TypeAlias, TypeVar

import attrs

from subscription_rules.errors import (
    InvalidAmountError,
    InvalidArgumentError,
    InvalidInstantError,
    InvalidPeriodError,
    SubscriptionRulesError,
)

__all__ = [
    "Check",
    "Validator",
    "about_the_caller",
    "count",
    "described",
    "exact_percent",
    "expect",
    "field_check",
    "identifier",
    "instance_of",
    "names_what_was_passed",
    "optional",
    "shown",
    "trusted",
    "wrong_type",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")
_R = TypeVar("_R")

#: A check of a function's argument: returns quietly or raises, naming the argument.
Check: TypeAlias = Callable[[object, str], object]
#: An attrs validator: ``(instance, attribute, value)``, raising for a bad value.
Validator: TypeAlias = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def shown(value: object) -> str:
    """``repr(value)`` for an error message, even for an int too long to print.

    Python refuses to turn an ``int`` of more than 4,300 digits into text (see
    ``sys.get_int_max_str_digits``); such a value is described by its size.

    >>> shown("gold"), shown(10**5000)
    ("'gold'", '<an int of about 5,001 digits>')
    """
    try:
        return repr(value)
    except ValueError:
        if isinstance(value, int):
            digits = value.bit_length() * 30103 // 100000 + 1  # log10(2) ~ 0.30103
            return f"<an int of about {digits:,} digits>"
        return f"<a {type(value).__name__} too large to print>"


def described(value: object) -> str:
    """A value's type and :func:`shown` text, for a message about a value of the wrong type.

    >>> described("monthly"), described(None)
    ("str 'monthly'", 'NoneType None')
    """
    return f"{type(value).__name__} {shown(value)}"


def expect(
    value: object,
    kind: type | tuple[type, ...],
    argument: str,
    *,
    what: str | None = None,
    error: type[SubscriptionRulesError] = InvalidArgumentError,
    typed: bool = True,
) -> None:
    """Refuse ``value`` unless it is a ``kind``, naming the argument and what came instead.

    ``what`` names the kind in the message (by default the type names joined by
    ``or``); ``error`` is the error raised; ``typed=False`` shows the value
    without its type name (a policy's wording).

    >>> expect(5, str, "plan_id")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: plan_id: expected str, got int 5
    >>> from subscription_rules.errors import InvalidPolicyError
    >>> expect("day", int, "day_count", what="a DayCount", error=InvalidPolicyError, typed=False)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPolicyError: day_count: expected a DayCount, got 'day'
    """
    if not isinstance(value, kind):
        if what is None:
            kinds = (kind,) if isinstance(kind, type) else kind
            what = " or ".join(k.__name__ for k in kinds)
        wrong_type(value, argument, what, error=error, typed=typed)


def wrong_type(
    value: object,
    argument: str,
    what: str,
    *,
    error: type[SubscriptionRulesError] = InvalidArgumentError,
    typed: bool = True,
) -> NoReturn:
    """Raise ``error`` saying that ``argument`` expected ``what`` and got ``value`` instead.

    For a condition :func:`expect` cannot state (a tuple of one kind, a mapping).

    >>> wrong_type([1], "metrics", "a tuple of Metric values")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: metrics: expected a tuple of Metric values, got list [1]
    """
    got = described(value) if typed else shown(value)
    raise error(f"expected {what}, got {got}", argument=argument, value=value)


def instance_of(
    kind: type | tuple[type, ...],
    *,
    what: str | None = None,
    error: type[SubscriptionRulesError] = InvalidArgumentError,
    typed: bool = True,
) -> Validator:
    """An attrs validator: :func:`expect` of a field, naming the field.

    >>> import attrs
    >>> @attrs.frozen
    ... class Note:
    ...     text: str = attrs.field(validator=instance_of(str, what="a str"))
    >>> Note(None)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: text: expected a str, got NoneType None
    """

    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        expect(value, kind, attribute.name, what=what, error=error, typed=typed)

    return check


def field_check(check: Check) -> Validator:
    """An attrs validator running ``check(value, name of the field)``.

    >>> import attrs
    >>> @attrs.frozen
    ... class Account:
    ...     id: str = attrs.field(validator=field_check(identifier))
    >>> Account("")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: id: must be a non-empty str of at most 200 characters, got ''
    """

    def validate(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        check(value, attribute.name)

    return validate


def optional(validator: Validator) -> Validator:
    """An attrs validator accepting ``None`` and anything ``validator`` accepts.

    >>> import attrs
    >>> @attrs.frozen
    ... class Note:
    ...     text: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    >>> Note().text, Note("hi").text
    (None, 'hi')
    """

    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            validator(instance, attribute, value)

    return validate


_MAX_ID = 200


def identifier(value: object, argument: str) -> None:
    """Refuse an id that is not a non-empty str of at most 200 printable ASCII characters.

    Ids go into idempotency keys and document numbers, so nothing else is accepted.

    >>> identifier("sub_1", "id")
    >>> identifier("x" * 201, "id")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: id: must be a non-empty str of at most 200 characters, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
    """
    if not isinstance(value, str) or not value or len(value) > _MAX_ID:
        raise InvalidArgumentError(
            f"must be a non-empty str of at most {_MAX_ID} characters, got {shown(value)}",
            argument=argument,
            value=value,
        )
    if not (value.isascii() and value.isprintable()):
        raise InvalidArgumentError(
            f"must be printable ASCII, got {shown(value)}", argument=argument, value=value
        )


def count(value: object, argument: str) -> None:
    """Refuse anything but a non-negative ``int`` (``bool`` included: ``True`` is no count).

    >>> count(3, "units")
    >>> count(-1, "units")
    Traceback (most recent call last):
    subscription_rules.errors.InvalidArgumentError: units: must be a non-negative int, got -1
    """
    if type(value) is not int or value < 0:
        raise InvalidArgumentError(
            f"must be a non-negative int, got {shown(value)}", argument=argument, value=value
        )


# --- errors about values the rules work out, reported about what the caller passed ---------

# Names the rules give instants and period numbers they work out for themselves: the
# caller never passed them, so an error about one is reported about what the caller did.
_INTERNAL_INSTANTS: frozenset[str | None] = frozenset({"index", "start", "end", "anchor"})


def about_the_caller(
    err: SubscriptionRulesError, argument: str, value: object, why: str
) -> SubscriptionRulesError:
    """``err`` again, of the same class, naming ``argument`` and ``value`` and saying ``why``.

    >>> from subscription_rules.errors import InvalidPeriodError
    >>> inner = InvalidPeriodError("lies beyond year 9999", argument="index", value=5)
    >>> print(about_the_caller(inner, "at", "tomorrow", "is too late"))
    at: 'tomorrow' is too late: lies beyond year 9999
    """
    bare = str(err).removeprefix(f"{err.argument}: ")
    text = value.isoformat() if isinstance(value, datetime) else shown(value)
    return type(err)(f"{text} {why}: {bare}", argument=argument, value=value)


def exact_percent(
    value: object,
    argument: str,
    *,
    error: type[SubscriptionRulesError],
    places: int,
    zero_allowed: bool,
    range_text: str,
    type_note: str = "",
) -> Decimal:
    """``value`` (a str, int or Decimal; never a float or bool) as an exact percentage.

    At most 100, and above 0 or from 0 (``zero_allowed``), with at most
    ``places`` decimal places of value (``"12.50"`` is 12.5); returned
    without trailing zeros (``"20.00"`` is ``Decimal("20")``). ``error`` is
    raised, naming ``argument``, with ``range_text`` ("above 0 and at most
    100") and ``type_note`` in its words: coupons' and tax rates' own.

    >>> from subscription_rules.errors import InvalidTaxRateError
    >>> words = dict(error=InvalidTaxRateError, places=4, zero_allowed=True, range_text="from 0 to 100")
    >>> exact_percent("8.8750", "percent", **words)
    Decimal('8.875')
    >>> exact_percent("8.87501", "percent", **words)
    Traceback (most recent call last):
    subscription_rules.errors.InvalidTaxRateError: percent: must be a percentage from 0 to 100 with at most 4 decimal places, got '8.87501'
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise error(
            f"must be a str, int or Decimal percentage {range_text}{type_note},"
            f" got {described(value)}",
            argument=argument,
            value=value,
        )
    try:
        percent = Decimal(value)
    except InvalidOperation:
        percent = Decimal("NaN")
    if (
        not percent.is_finite()
        or percent < 0
        or (percent == 0 and not zero_allowed)
        or percent > 100
        or percent != percent.quantize(Decimal(1).scaleb(-places))
    ):
        raise error(
            f"must be a percentage {range_text} with at most {places} decimal places,"
            f" got {value!r}",
            argument=argument,
            value=value,
        )
    if percent == percent.to_integral_value():
        return percent.quantize(Decimal(1))
    return percent.normalize()


def names_what_was_passed(
    instant: str, *, amounts: str | None = None
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Make a public function's errors about internal values name what its caller passed.

    At the calendar's limits the rules work out a period or boundary that lies
    beyond year 9999 (or before year 1); the error then names ``index`` or
    ``start``, which the caller never passed. Decorated, the function reports it
    about ``instant`` (``at``, ``until``), saying why. With ``amounts``, an
    amount beyond the supported range (only usage can bill one: prices are
    bounded) is reported about that argument (``usage``).

    >>> from datetime import UTC, datetime
    >>> from subscription_rules.periods import BillingCycle, MONTHLY
    >>> @names_what_was_passed("at")
    ... def start_at(at: datetime) -> object:
    ...     return BillingCycle(at, MONTHLY).period(0)
    >>> start_at(datetime(9999, 12, 15, tzinfo=UTC))
    Traceback (most recent call last):
    subscription_rules.errors.InvalidPeriodError: at: 9999-12-15T00:00:00+00:00 lies too close to the limits of the calendar (years 1 to 9999): period 0 lies beyond year 9999
    """

    def decorate(function: Callable[_P, _R]) -> Callable[_P, _R]:
        signature = inspect.signature(function)

        @functools.wraps(function)
        def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return function(*args, **kwargs)
            except (InvalidPeriodError, InvalidInstantError) as err:
                if err.argument not in _INTERNAL_INSTANTS:
                    raise
                value = signature.bind(*args, **kwargs).arguments.get(instant)
                why = "lies too close to the limits of the calendar (years 1 to 9999)"
                raise about_the_caller(err, instant, value, why) from err
            except InvalidAmountError as err:
                if amounts is None or err.argument != "minor":
                    raise
                value = signature.bind(*args, **kwargs).arguments.get(amounts)
                raise about_the_caller(
                    err, amounts, value, "bills an amount beyond the supported range"
                ) from err

        return checked

    return decorate


# --- trusted construction --------------------------------------------------------------------

_BUILDERS: dict[object, Callable[..., Any]] = {}


def trusted(cls: Callable[_P, _T]) -> Callable[_P, _T]:
    """The constructor of the attrs class ``cls`` without its checks: the one way to skip them.

    For values the rules build from values already checked: the result of
    arithmetic on two valid amounts, a period whose boundaries a cycle worked
    out, the next subscription made of the fields of the last, what a rule
    billed for a stretch of the period. The builder has the signature of the
    class's ``__init__`` (mypy checks its calls alike) and sets every field as
    given: no validator, converter or ``__attrs_post_init__`` runs. What is
    still worth checking on such a path is checked by its caller before it
    builds (``Money`` arithmetic checks the range, ``Subscription.evolve`` the
    credit balance). Never use it for a value that came from outside the
    library.

    Generated once per class (and cached), one statement per field through
    the slot's own descriptor, as attrs generates ``__init__``: about twice as
    fast as a loop of ``object.__setattr__``, and the rules build such values
    on every step.

    >>> from subscription_rules.money import Currency, Money
    >>> build = trusted(Money)
    >>> build(150, Currency.of("USD"))
    Money.of('1.50', 'USD')
    >>> build(minor=150, currency=Currency.of("USD")) == Money.from_minor(150, "USD")
    True
    >>> build(10**30, Currency.of("USD")).minor  # unchecked: the caller's responsibility
    1000000000000000000000000000000
    """
    builder = _BUILDERS.get(cls)
    if builder is None:
        builder = _BUILDERS[cls] = _generated(cls)
    return builder


def _generated(cls: Any) -> Callable[..., Any]:  # noqa: ANN401 - any attrs class
    """``build(...)``: ``cls.__init__``'s parameters, each set on a new instance as given."""
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    positional: list[str] = []
    keyword: list[str] = []
    body = ["    new = _new(_cls)"]
    for i, field in enumerate(attrs.fields(cls)):
        if not field.init or isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"trusted({cls.__name__}): field {field.name} has no plain value")
        parameter = field.alias
        if field.default is not attrs.NOTHING:
            scope[f"_default{i}"] = field.default
            parameter += f"=_default{i}"
        (keyword if field.kw_only else positional).append(parameter)
        scope[f"_set{i}"] = cls.__dict__[field.name].__set__
        body.append(f"    _set{i}(new, {field.alias})")
    parameters = ", ".join([*positional, *(["*", *keyword] if keyword else [])])
    body.append("    return new")
    # Code built from the class's own field names (identifiers, by attrs), nothing else.
    exec("\n".join([f"def build({parameters}):", *body]), scope)  # noqa: S102
    build: Callable[..., Any] = scope["build"]
    build.__qualname__ = f"trusted({cls.__name__})"
    return build
