"""Reading workbooks (header, column mapping, raw rows), and writing the template people fill in."""
