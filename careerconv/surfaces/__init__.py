"""surfaces: What people run: the coach's widget app (app/), the progress report and HR page runners
(report/), the records service of the multi-coach deployment (service/), the command line
(commands/, with its settings), the packaged notebooks (notebooks/) and the JupyterHub configuration
(deploy/), the stop signals held while a surface writes something whole (signals.py) and the values of a report
batch's --shard and --dask (batch_options.py, read as the command line is parsed), both the standard library only.
Surfaces may import every layer below (records, rules, analytics, views, demo); among themselves, signals,
batch_options, service and report come first, app may use them, and commands may use all.
"""
