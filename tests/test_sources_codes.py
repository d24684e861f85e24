"""One message for an unknown product code everywhere: the closest codes of the store's revision named.

The embedded store is CEPII BACI HS92; 811292 is not an HS1992 code (HS2007 split 811290 into it),
and the HS1992 code list has 811291 and 811299 beside it (811210-811299: beryllium, chromium,
germanium, vanadium, ...). Closest codes: longest common prefix (>= 2 digits), then numeric distance.
"""

from __future__ import annotations

import pytest

from geomon.analyses.context import closest_codes
from geomon.errors import InputError

WANT = "error: unknown product '811292': not an HS6 code of HS92; closest HS92 codes: 811291, 811299"


def test_closest_codes_by_prefix_then_distance():
    known = {"811291", "811299", "811211", "283691", "28369"}   # 5-digit entries are not HS6 codes
    # prefix 81129 is shared by 811291 and 811299: |811291-811292| = 1 < |811299-811292| = 7
    assert closest_codes(known, "811292") == ["811291", "811299"]
    # prefix 2836 only: 283691
    assert closest_codes(known, "283600") == ["283691"]
    assert closest_codes(known, "999998") == []


def test_context_check_product(ctx):
    assert ctx.check_product("10120") == "010120"          # a dropped leading zero is restored
    assert ctx.check_product("283691") == "283691"
    with pytest.raises(InputError, match=r"^unknown product '811292': not an HS6 code of HS92; closest HS92 codes: 811291, 811299$"):
        ctx.check_product("811292")
    with pytest.raises(InputError, match=r"^unknown product 'abc': not an HS6 code of HS92; give an HS6 code of HS92"):
        ctx.check_product("abc")


@pytest.mark.parametrize("args", [
    ("scenario", "--reporter", "NLD", "--stop", "CHN", "--year", "2022", "--products", "811292"),
    ("trends", "--reporter", "NLD", "-p", "811292"),
    ("suppliers", "--reporter", "NLD", "--product", "811292", "--year", "2022"),
])
def test_same_message_in_every_command(cli, args):
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == WANT
