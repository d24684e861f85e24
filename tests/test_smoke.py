def test_screen_nld_2022_has_lithium_carbonate(ctx):
    from geomon.analyses.trade.screening import screen

    df = screen(ctx, "NLD", 2022).table
    assert "283691" in set(df["product"])
