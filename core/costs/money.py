"""The one way Segue writes an amount of money, for every widget, screen and command."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")
_MILLS = Decimal("0.001")


def format_usd(amount: Decimal | float | int | None) -> str:
    """'$0.041', '$0.100', '<$0.001', '$1.84', '$1,234.50'; '$—' when unknown.

    Under a dollar three decimals (sub-cent replies are the common case), from a dollar two;
    a non-zero amount that three decimals would print as $0.000 says so instead.
    """
    if amount is None:
        return "$—"
    value = Decimal(str(amount))
    sign, size = ("-" if value < 0 else ""), abs(value)
    if size == 0:
        return "$0.000"
    if size < _MILLS:
        return f"{sign}<$0.001"
    mills = size.quantize(_MILLS, rounding=ROUND_HALF_UP)
    if mills < 1:
        return f"{sign}${mills}"
    return f"{sign}${size.quantize(_CENT, rounding=ROUND_HALF_UP):,}"
