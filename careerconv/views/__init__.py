"""views: What people see of the records, the rules and the HR analytics: matplotlib charts that take
an Axes, HTML pieces and their policy, stacked tables for narrow screens, and exports of tables as
spreadsheet-safe files. May import records, rules and analytics; never a surface.
"""
