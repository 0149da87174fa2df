"""``python -m careerconv.surfaces.service --data DIR --access-log FILE``: the records service, as JupyterHub starts
it."""

import sys

try:
    from .server import main
except ImportError as exc:  # the hub extra is not installed
    sys.exit(f"careerconv records service: {exc.name or 'a module'} is not installed; the service needs "
             "JupyterHub: pip install 'careerconv[hub]'")

if __name__ == "__main__":
    main()
