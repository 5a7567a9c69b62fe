"""Iterate every row of every sheet with openpyxl in read-only mode.

Usage: /usr/bin/python3 bench/read_openpyxl.py FILE.xlsx
Prints the number of rows per sheet (header included) as JSON.

reset_dimensions() is needed: the workbooks excelize writes declare
<dimension ref="A1"/>, and read-only openpyxl trusts the declared
dimension, so without it each sheet would seem to hold one row.
"""
import json
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
rows = {}
for ws in wb.worksheets:
    ws.reset_dimensions()
    n = 0
    for _ in ws.iter_rows(values_only=True):
        n += 1
    rows[ws.title] = n
wb.close()
print(json.dumps(rows))
