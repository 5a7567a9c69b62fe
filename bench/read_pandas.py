"""Read every sheet of a workbook with pandas, the way an analyst would.

Usage: /usr/bin/python3 bench/read_pandas.py FILE.xlsx
Prints the number of data rows per sheet as JSON (pandas takes row 1 as
the header), so that bench can check the whole file was read.
"""
import json
import sys

import pandas

sheets = pandas.read_excel(sys.argv[1], sheet_name=None)
print(json.dumps({name: len(df) for name, df in sheets.items()}))
