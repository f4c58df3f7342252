"""subscription_rules: the rulebook of a SaaS subscription as a pure, typed library."""

from subscription_rules.errors import SubscriptionRulesError
from subscription_rules.money import Currency, Money, RoundingMode, allocate, divide

__all__ = ["Currency", "Money", "RoundingMode", "SubscriptionRulesError", "allocate", "divide"]
