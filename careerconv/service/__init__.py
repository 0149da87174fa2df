"""The multi-user back end: a records service that owns the data folder behind JupyterHub.

* :mod:`careerconv.service.policy` — who may read and write what (pure rules);
* :mod:`careerconv.service.access_log` — the append-only log of reads and writes of person records;
* :mod:`careerconv.service.wire` — the JSON shapes the server and the client share;
* :mod:`careerconv.service.server` — the hub-managed tornado service (``python -m careerconv.service``);
* :mod:`careerconv.service.client` — :class:`~careerconv.service.client.ServiceStore`, the store the
  coach's app uses when it runs under the hub (same methods and errors as :class:`careerconv.store.Store`).
"""
