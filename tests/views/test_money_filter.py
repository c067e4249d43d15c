from proposals.templatetags.portal import money


def test_money_formats_amounts_with_separators_and_two_decimals():
    assert money("13000.0") == "13,000.00"
    assert money(1450) == "1,450.00"
    assert money("404.1") == "404.10"
    assert money(None) == ""
    assert money("n/a") == "n/a"
