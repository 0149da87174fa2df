"""JupyterHub for careerconv: ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py``.

The configuration itself ships inside the careerconv package
(``careerconv/surfaces/deploy/jupyterhub_config.py``, found through
``careerconv.records.resources.jupyterhub_config_file()``), so that ``careerconv hub``
and a hub on a machine with careerconv installed from a wheel run the same
file. This file only loads it; its settings (environment variables) are
listed at its top, or print them with
``python -c "from careerconv.records import resources; print(resources.jupyterhub_config_file().read_text())"``.
"""

from careerconv.records import resources

load_subconfig(str(resources.jupyterhub_config_file()))  # noqa: F821 (JupyterHub's config loader defines it)
