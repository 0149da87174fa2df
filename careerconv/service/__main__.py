"""``python -m careerconv.service --data DIR --access-log FILE``: the records service, as JupyterHub starts it."""

from .server import main

if __name__ == "__main__":
    main()
