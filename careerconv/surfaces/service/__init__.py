"""The multi-user back end: a records service that owns the data folder behind JupyterHub.

* :mod:`careerconv.surfaces.service.policy` — who may read and write what (pure rules);
* :mod:`careerconv.surfaces.service.access_log` — the append-only log of reads and writes of person records;
* :mod:`careerconv.surfaces.service.wire` — the JSON shapes the server and the client share;
* :mod:`careerconv.surfaces.service.server` — the hub-managed tornado service
  (started as ``python -m careerconv.surfaces.commands.records_service``, which gives it the organisation's
  settings);
* :mod:`careerconv.surfaces.service.client` — :class:`~careerconv.surfaces.service.client.ServiceStore`, the store the
  coach's app uses when it runs under the hub (same methods and errors as :class:`careerconv.records.store.Store`).
"""
