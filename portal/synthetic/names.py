"""Invented names and NHS numbers from the 999 test range: never real people."""

from collections.abc import Iterator

GIVEN_NAMES = [
    "Ada",
    "Ben",
    "Cara",
    "Dev",
    "Ella",
    "Femi",
    "Gita",
    "Hugo",
    "Iris",
    "Jon",
    "Kemi",
    "Leo",
    "Maya",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vik",
    "Wren",
    "Xan",
    "Yara",
    "Zak",
    "Alys",
    "Bryn",
    "Cai",
    "Dina",
    "Eli",
    "Fern",
    "Gus",
    "Hana",
    "Ivo",
    "Jude",
    "Kit",
    "Lola",
    "Max",
    "Noor",
]
FAMILY_NAMES = [
    "Arden",
    "Brook",
    "Castle",
    "Dunmore",
    "Eastfield",
    "Fairway",
    "Glenn",
    "Hartley",
    "Ingram",
    "Jarvis",
    "Keble",
    "Lowther",
    "Marsh",
    "Norcott",
    "Orwell",
    "Pryce",
    "Quarry",
    "Ridley",
    "Stanton",
    "Thorne",
    "Upton",
    "Vance",
    "Whitby",
    "Yardley",
    "Ashby",
    "Bexley",
    "Carew",
    "Dalton",
    "Elmore",
    "Fenwick",
    "Garrow",
    "Holt",
    "Irwin",
    "Jessop",
    "Kendal",
    "Lindley",
    "Morden",
    "Nash",
    "Oakes",
    "Penrose",
    "Rayner",
    "Selby",
    "Tennant",
    "Usher",
    "Varley",
    "Walcott",
    "Yeo",
    "Abney",
    "Barlow",
    "Corbin",
]
# Family names get a numbered suffix so that a name search is selective, as it is in real life.
FAMILY_SUFFIXES = 2000


def nhs_check_digit(nine_digits: str) -> int | None:
    """The NHS number modulus-11 check digit of the first nine digits, or None where the rule
    makes the number invalid (remainder 1, a check digit of 10)."""
    total = sum(int(digit) * weight for digit, weight in zip(nine_digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def synthetic_nhs_numbers() -> Iterator[str]:
    """Every valid NHS number of the 999 test range, in order (about 909,000 of them)."""
    for serial in range(1_000_000):
        digits = f"999{serial:06d}"
        check = nhs_check_digit(digits)
        if check is not None:
            yield f"{digits}{check}"
