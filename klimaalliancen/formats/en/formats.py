"""English formats for a Danish portal, read by people in Denmark and abroad.

Django's `en` formats are American: "06/02/2022" for 6 February 2022, which a European reader
takes for 6 February and an American for 2 June. So English here writes dates that no reader
can misread:

- long dates day-month-year with the month's name ("6 February 2022"), as British and
  European English do;
- short dates in ISO 8601 ("2022-02-06"), not "06/02/2022": day/month/year is exactly as
  ambiguous as month/day/year to a reader who does not know which one the page uses, while
  ISO is read the same way everywhere, sorts correctly, and is what the CSV/XLSX exports and
  the browsers' date fields use;
- times on the 24-hour clock ("14:30"), as the meetings are held in Denmark;
- numbers as English writes them: "1,234.5" (the Danish edition writes "1.234,5").

Dates are only typed in `<input type="date">` and `datetime-local` fields, which send ISO
8601; that is all English accepts, so "02/06/2022" is never read one way or the other.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = ["%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
