"""ISO 3166-1 alpha-2 country codes, the only kind SFS takes (CONTRACT.md 6.1: `country.code`,
`sourceCountryCode`), and the near misses people type instead."""

ISO_3166_ALPHA_2 = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI
    BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN
    CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK
    FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
    KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK
    ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
    VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a table reads better than 249 quoted strings
)

# Codes in everyday use that ISO does not assign (or reserves for something else).
NEAR_MISSES = {
    "UK": ("GB", "the United Kingdom"),
    "EL": ("GR", "Greece"),
    "EN": ("GB", "England"),
}


def country_problem(code: str) -> str | None:
    """What is wrong with a two-letter code, in words with a suggestion; None when it is ISO."""
    if code in ISO_3166_ALPHA_2:
        return None
    if code in NEAR_MISSES:
        suggestion, name = NEAR_MISSES[code]
        return f"{code} is not a country code SFS takes: use {suggestion} for {name}."
    return f"{code} is not a country code: use the two-letter ISO code, such as GB or IE."
