"""The years a report of the archive can be from: one definition for the whole project.

Used by the ingest pipeline (dates and year votes outside them are misreadings), the models'
check constraint, the forms and the import command.
"""

from __future__ import annotations

# The People's Republic was founded in 1949: no local government work report is older.
FIRST_YEAR = 1949
# Not a forecast: a bound past which a number read as a year is a misreading (2019 read as 2910).
LAST_YEAR = 2100


def plausible_year(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR
