"""Product codes as users type them: a code of the store's HS revision or an error naming the
closest codes, and a code with no trade data in the store told apart from "imported nothing".

Closest codes of an unknown six-digit code c: the codes of the revision sharing the longest
prefix with c (at least 2 digits), nearest to c numerically; at most five.
"""

from __future__ import annotations

from geomon.analyses.context import Context, closest_codes  # noqa: F401  (closest_codes re-exported)
from geomon.errors import DataError

#: What the embedded extract holds, for the "not in the store" message.
EMBEDDED_NOTE = "the embedded extract covers 74 raw-material codes; ingest a full BACI release"


def check_code(ctx: Context, product: str) -> str:
    """An HS6 code of the dataset's revision, else an :class:`InputError` naming the closest codes
    (one message everywhere: :meth:`Context.check_product`)."""
    return ctx.check_product(product)


_STORE_CODES: dict[tuple[str, str], frozenset[str]] = {}


def codes_in_store(ctx: Context) -> frozenset[str]:
    """The HS6 codes with at least one flow in the dataset (any year), read once per dataset."""
    key = (str(ctx.store.root), ctx.dataset.id)
    if key not in _STORE_CODES:
        df = ctx.engine.execute(ctx.flows.select("product").distinct())
        _STORE_CODES[key] = frozenset(df["product"].astype(str))
    return _STORE_CODES[key]


def require_in_store(ctx: Context, code: str) -> None:
    """A :class:`DataError` when the (valid) ``code`` has no trade data in the store at all:
    "not in the store", which is not "imported nothing"."""
    if code in codes_in_store(ctx):
        return
    why = EMBEDDED_NOTE if ctx.store.embedded else f"no flows of it in {ctx.dataset.id}; ingest a release that has it"
    raise DataError(f"HS {code} ({ctx.descriptions.get(code, '')[:60]}) is not in the store ({why})")
