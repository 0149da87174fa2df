"""JupyterHub for careerconv: every coach gets the coach's app, HR the HR page, the data stays with one service.

This file ships in the careerconv package (``careerconv.records.resources.jupyterhub_config_file()``).
Start it with ``jupyterhub -f deploy/jupyterhub/jupyterhub_config.py`` in a
source checkout (a file that loads this one), ``jupyterhub -f $(python -c
"from careerconv.records import resources; print(resources.jupyterhub_config_file())")``
where careerconv is installed, or ``careerconv hub`` for a trial on
127.0.0.1 with a demo organisation. Every setting an organisation changes
comes from the environment:

=============================  ==============================================================
CAREERCONV_DATA                the data folder; only the records service reads or writes it
CAREERCONV_HUB_STATE           the hub's own folder: database, cookie secret, access log, homes
CAREERCONV_HUB_GROUPS          JSON file ``{"coaches": [...], "hr": [...], "operators": [...]}``
                               of hub logins (a coach's login is their roster id, any case, or
                               see CAREERCONV_HUB_COACH_LOGINS)
CAREERCONV_HUB_COACH_LOGINS    optional JSON file ``{"login": "roster coach id"}``
CAREERCONV_HUB_AUTHENTICATOR   ``dummy`` (tests: any password), ``trial-passwords`` (trial: each
                               login signs in with its own password, whose hash is in the JSON file
                               CAREERCONV_HUB_PASSWORD_FILE; ``careerconv hub`` makes one up for a
                               login without one, or for those ``--new-passwords`` names) or
                               any JupyterHub authenticator name (``pam``, ``generic-oauth``,
                               ``ldapauthenticator`` ...), configured further in a file named by
                               CAREERCONV_HUB_EXTRA_CONFIG; not ``shared-password``, with which
                               whoever knows the password signs in as anyone
CAREERCONV_HUB_SPAWNER         ``simple`` (default: every server runs as the hub's own Unix user;
                               a trial) or ``local`` (the hub runs as root and starts each server
                               as the user's own Unix account: the data folder, owned by the
                               service's account with mode 0700, is then out of the coaches' reach)
CAREERCONV_HUB_IP, _PORT       where the proxy listens (default 127.0.0.1:8000)
CAREERCONV_HUB_HUB_PORT,       the hub's and the proxy API's internal ports, and the records
_API_PORT, _SERVICE_PORT       service's (defaults 8081, 8001, 8082; all on 127.0.0.1)
CAREERCONV_HUB_ADMIN_TOKEN     optional: a token for an ``careerconv-admin`` service that may
                               manage users and tokens (the tests use it)
CAREERCONV_HUB_SETTINGS        optional: the organisation's settings file (``careerconv.toml``,
                               e.g. its ``privacy.min_group_size``) for the records service, when
                               it is not the data folder's own
CAREERCONV_HUB_KERNEL_IDLE_   optional: how long a coach's kernel that no page is connected to
SECONDS                        (a tab closed or reloaded) lives after its last use, in seconds
                               (default 180, at least 10); a connected page's kernel lives on, and
                               the one kept heated for the coach's next page lives as below
CAREERCONV_HUB_PREHEAT_IDLE_   optional: how long a coach's server keeps a kernel heated for the
SECONDS                        next page (some 165 MB) with no page of the app opened, in seconds
                               (default 1800, 0 or at least 10; 0: none heated, each page starts
                               its kernel); the next page then starts its own and the server heats
                               one again after it: only servers with a page in that time hold one
=============================  ==============================================================

The hub's output (its own log lines, its proxy's, the records service's, the coaches' servers', a traceback) names
a coach by their login, their id. ``careerconv hub`` writes it through
:mod:`careerconv.surfaces.commands.hub_log_writer`, which names every person erased from the data folder by their
pseudonym and lists the log for ``careerconv erase`` to rewrite; a deployment runs the hub the same way::

    jupyterhub -f jupyterhub_config.py 2>&1 | python -m careerconv.surfaces.commands.hub_log_writer --data DATA LOG

The hub's own state names its users too (the database, the groups and password files, each coach's home folder in
the state folder): this file describes where they are (:class:`careerconv.surfaces.service.hub_state.HubState`, in
the state folder), the records service lists the state folder in the data folder, and an erasure takes the person's
logins out of them (through the hub's API as the ``careerconv-erasure`` service while the hub runs). The hub's log
writer reads ``CAREERCONV_HUB_COACH_LOGINS`` too, so a login that is not an id is named by its pseudonym once erased.

Roles follow hub groups: ``coaches`` get the coach's app (Voila, code-free)
as their server; ``hr`` land on the HR page that the records service draws
from the aggregates (their server, if they start one, has no data folder);
``operators`` use the service's API with their token (made at ``/hub/token``)
to import rosters, erase and read the access log; they are not the hub's
admins, who may act as any user. What each may read and write is enforced by
the records service (:mod:`careerconv.surfaces.service.policy`), not by this file:
a single-user server never opens the data folder, only the service's API
with its own user's token, and it runs no code its coach sends (no
JupyterLab, kernels that take only the widgets' messages, no file written:
:mod:`careerconv.surfaces.commands.singleuser_server`). With the ``simple``
spawner every server still runs as the hub's own Unix account, which may
read the data folder; only the ``local`` spawner (or containers) keeps the
servers out of it at the operating system's level.
"""

import json
import os
import secrets
import sys
import urllib.parse
from pathlib import Path

from careerconv.records import resources
from careerconv.surfaces.service.hub_state import ERASURE_SERVICE, TOKEN_FILE, HubState

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)

SERVICE = "careerconv-records"
TRIAL_PASSWORDS = "careerconv.surfaces.service.trial_passwords.TrialPasswordAuthenticator"
SIMPLE_SPAWNERS = ("simple", "jupyterhub.spawner.SimpleLocalProcessSpawner")
env = os.environ.get

state = Path(env("CAREERCONV_HUB_STATE", "hub-state")).resolve()
state.mkdir(parents=True, exist_ok=True, mode=0o700)
data = Path(env("CAREERCONV_DATA", "data")).resolve()
ip = env("CAREERCONV_HUB_IP", "127.0.0.1")
port = int(env("CAREERCONV_HUB_PORT", "8000"))
service_port = int(env("CAREERCONV_HUB_SERVICE_PORT", "8082"))
service_url = f"http://127.0.0.1:{service_port}"
kernel_idle = env("CAREERCONV_HUB_KERNEL_IDLE_SECONDS", "")
if kernel_idle and not (kernel_idle.isdigit() and int(kernel_idle) >= 10):
    raise SystemExit(f"CAREERCONV_HUB_KERNEL_IDLE_SECONDS is {kernel_idle!r}: give a whole number of seconds, "
                     "at least 10 (or leave it unset for 180)")
preheat_idle = env("CAREERCONV_HUB_PREHEAT_IDLE_SECONDS", "")
if preheat_idle and not (preheat_idle.isdigit() and (int(preheat_idle) == 0 or int(preheat_idle) >= 10)):
    raise SystemExit(f"CAREERCONV_HUB_PREHEAT_IDLE_SECONDS is {preheat_idle!r}: give a whole number of seconds, "
                     "0 (no kernel heated) or at least 10 (or leave it unset for 1800)")
# What the hub starts on this machine (its proxy, the records service, each user's server) runs through this
# wrapper, which ties it to the hub's process: it ends when the hub dies, also by SIGKILL, instead of holding its
# port and the data folder with nobody to stop it. JupyterHub starts them from its event loop, in the hub's main
# thread, which lives as long as the hub (careerconv.surfaces.commands.ends_with_parent).
ENDS_WITH_HUB = [sys.executable, "-m", "careerconv.surfaces.commands.ends_with_parent", str(os.getpid())]

# ---------------------------------------------------------------- the hub, its proxy, its state
c.JupyterHub.bind_url = f"http://{ip}:{port}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{env('CAREERCONV_HUB_HUB_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{env('CAREERCONV_HUB_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.should_start = True  # configurable-http-proxy from npm, on PATH
c.ConfigurableHTTPProxy.command = [*ENDS_WITH_HUB, "configurable-http-proxy"]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# ---------------------------------------------------------------- who is who
groups_file = env("CAREERCONV_HUB_GROUPS")
groups = json.loads(Path(groups_file).read_text(encoding="utf-8")) if groups_file else {}
unknown = set(groups) - {"coaches", "hr", "operators"}
if unknown:
    raise SystemExit(f"{groups_file}: unknown group(s) {sorted(unknown)}; use coaches, hr and operators")
c.JupyterHub.load_groups = {name: {"users": sorted(members)} for name, members in groups.items()}
members = {login for logins in groups.values() for login in logins}

authenticator = env("CAREERCONV_HUB_AUTHENTICATOR", "dummy")
if authenticator == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
elif authenticator == "trial-passwords":
    c.JupyterHub.authenticator_class = TRIAL_PASSWORDS
    c.TrialPasswordAuthenticator.password_file = env("CAREERCONV_HUB_PASSWORD_FILE", "")
elif authenticator == "shared-password":
    raise SystemExit("CAREERCONV_HUB_AUTHENTICATOR=shared-password lets whoever knows the one password sign in as "
                     "any user, another coach or an operator too; use trial-passwords (careerconv hub) or your "
                     "organisation's authenticator")
else:
    c.JupyterHub.authenticator_class = authenticator
if members:
    c.Authenticator.allowed_users = members
# Nobody is the hub's admin: an admin may make a token for any user and use any user's server, so an operator
# would read a coach's people through the service as that coach (logged under the coach's login). The admin
# role is given to no user (in load_roles below), which also takes it from those a hub state made earlier holds.

# Every user's token may call the records service (what it may do there is the service's decision).
ACCESS = f"access:services!service={SERVICE}"
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", ACCESS]},
    {"name": "admin", "users": []},
]
admin_token = env("CAREERCONV_HUB_ADMIN_TOKEN")
c.JupyterHub.services = [{
    "name": SERVICE,
    "url": service_url,
    "command": [*ENDS_WITH_HUB, sys.executable, "-m", "careerconv.surfaces.commands.records_service",
                "--data", str(data), "--access-log", str(state / "access-log.jsonl"),
                "--reports", str(state / "reports"), "--hub-state", str(state)]
               + (["--coach-logins", env("CAREERCONV_HUB_COACH_LOGINS")] if env("CAREERCONV_HUB_COACH_LOGINS")
                  else [])
               + (["--config", env("CAREERCONV_HUB_SETTINGS")] if env("CAREERCONV_HUB_SETTINGS") else []),
    "environment": {"PYTHONPATH": env("PYTHONPATH", ""), "PATH": env("PATH", "")},
    "oauth_no_confirm": True,
    "display": True,
}]
# A roster import that makes someone a coach lets them in at once (careerconv.surfaces.service.hub_users): the records
# service adds their hub user (admin:users: JupyterHub has no narrower scope that creates a user; with allowed_users
# set, a user added through the API may sign in, allow_existing_users being true) and puts it in the coaches group,
# and no other group (groups!group=coaches), with its own token (JUPYTERHUB_API_TOKEN, which the hub gives it).
c.JupyterHub.load_roles.append({"name": f"{SERVICE}-adds-coaches", "services": [SERVICE],
                                "scopes": ["admin:users", "groups!group=coaches"]})
# An erasure (`careerconv erase`, or the service's) deletes the erased coach's hub user through the hub's API while
# the hub runs, with this service's token, kept in the state folder (which holds the hub's database and cookie secret
# anyway): it may manage users, not make their tokens nor use their servers (careerconv.surfaces.service.hub_state).
erasure_token_file = state / TOKEN_FILE
if not erasure_token_file.exists():
    erasure_token_file.touch(mode=0o600)
    erasure_token_file.write_text(secrets.token_hex(32), encoding="utf-8")
c.JupyterHub.services.append({"name": ERASURE_SERVICE,
                              "api_token": erasure_token_file.read_text(encoding="utf-8").strip()})
c.JupyterHub.load_roles.append({"name": ERASURE_SERVICE, "services": [ERASURE_SERVICE], "scopes": ["admin:users"]})
if admin_token:
    c.JupyterHub.services.append({"name": "careerconv-admin", "api_token": admin_token})
    c.JupyterHub.load_roles.append({"name": "careerconv-admin", "services": ["careerconv-admin"],
                                    "scopes": ["admin:users", "admin:servers", "tokens", "read:users",
                                               "admin:groups"]})

# ---------------------------------------------------------------- each user's server
if env("CAREERCONV_HUB_SPAWNER", "simple") == "local":
    c.JupyterHub.spawner_class = "localprocess"  # as root: each server runs as the user's own Unix account
else:
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = str(state / "homes" / "{username}")

SERVER_FOLDER = "~/careerconv-records-service"  # shown in the coach's app as where its data comes from
NOTEBOOKS = resources.notebooks_dir()  # the notebooks of the careerconv installed beside JupyterHub
# jupyterhub-singleuser serving the app only (no JupyterLab, no code run in a kernel, no file written), less an
# import that costs seconds at every spawn (careerconv.surfaces.commands.singleuser_server)
c.Spawner.cmd = [sys.executable, "-m", "careerconv.surfaces.commands.singleuser_server"]
c.Spawner.notebook_dir = str(NOTEBOOKS)
c.Spawner.default_url = f"/voila/render/{resources.APP_NOTEBOOK}"
c.Spawner.args = [
    "--ServerApp.terminals_enabled=False",  # a coach gets the app, not a shell
    "--VoilaConfiguration.strip_sources=True",
    "--VoilaConfiguration.show_tracebacks=False",
    # the app's page without Voila's stylesheets from a public CDN (its template is found through JUPYTER_PATH,
    # set below)
    *resources.voila_template_args(),
    # Voila's page typesets with the MathJax bundled in it when the server names no MathJax URL, as Voila's own
    # server (`careerconv app`) does; on jupyter_server it would load MathJax from cdnjs.cloudflare.com.
    '--ServerApp.tornado_settings={"mathjax_url": None, "mathjax_config": None}',
]
if c.JupyterHub.spawner_class == "simple" and os.geteuid() == 0:
    # A trial or CI as root: the servers run as root too (a real deployment uses "local" with user accounts).
    c.Spawner.args.append("--allow-root")
c.Spawner.disable_user_config = True  # no ~/.jupyter settings of the server's home change the app-only server
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# The server's own token reaches the records service as its user (and says which groups they are in).
c.Spawner.server_token_scopes = ["access:servers!server", "users:activity!user", "read:users:name!user",
                                 "read:users:groups!user", ACCESS]


def not_a_coach(login: str) -> Exception:
    """The refusal of a server to ``login``, who is not a coach, as the page they opened (``/user/hr/``) shows it:
    JupyterHub shows an error's ``jupyterhub_message`` (and its HTML), else only "Failed to start your server ...
    contact admin"; careerconv's pages of the hub (``careerconv_no_server``: :func:`resources.hub_templates_dir`)
    leave out JupyterHub's lines about restarting the server, which they have none to restart."""
    from html import escape

    from tornado.web import HTTPError

    hr_page, api = f"/services/{SERVICE}/hr/", f"/services/{SERVICE}/api/"
    words = f"{login} is not a coach, so there is no app to start: the HR page is at "
    refusal = HTTPError(403, f"{words}{hr_page} and the operators' API at {api}")
    refusal.jupyterhub_message = refusal.log_message
    refusal.jupyterhub_html_message = (f'{escape(words)}<a href="{hr_page}">{hr_page}</a> and the operators\' API '
                                       f"at {api}")
    refusal.careerconv_no_server = True
    return refusal


def careerconv_environment(spawner):
    """The coach's app talks to the records service instead of a data folder; only coaches get a server."""
    if "coaches" not in {g.name for g in spawner.user.groups}:
        raise not_a_coach(spawner.user.name)
    spawner.environment.update({
        "CAREERCONV_SERVICE_URL": f"{service_url}/services/{SERVICE}/",
        # The server's own folder in its home (HOME is set by the spawner): never a record, only the
        # question sets the app copies from the service when it opens (careerconv.surfaces.app.data_folder.open_store).
        "CAREERCONV_DATA": SERVER_FOLDER,
        "JUPYTER_PATH": resources.jupyter_path_with_data(None),  # where Voila finds the app's template
    })
    if kernel_idle:  # read by careerconv.surfaces.commands.singleuser_server
        spawner.environment["CAREERCONV_KERNEL_IDLE_SECONDS"] = kernel_idle
    if preheat_idle:  # ... as this
        spawner.environment["CAREERCONV_PREHEAT_IDLE_SECONDS"] = preheat_idle
    from jupyterhub.spawner import LocalProcessSpawner

    # A server the hub starts on this machine ends with the hub, whatever command the deployment gives it (a local
    # spawner changes to the user's account before the wrapper runs, which keeps the tie).
    if isinstance(spawner, LocalProcessSpawner) and spawner.cmd[:len(ENDS_WITH_HUB)] != ENDS_WITH_HUB:
        spawner.cmd = [*ENDS_WITH_HUB, *spawner.cmd]


c.Spawner.pre_spawn_hook = careerconv_environment


def landing_page(handler):
    """HR land on the HR page, operators on the hub's home page, coaches on their app."""
    user = handler.current_user
    names = {g.name for g in user.groups} if user else set()
    if "hr" in names and "coaches" not in names:
        return f"/services/{SERVICE}/hr/"
    if "operators" in names and "coaches" not in names:
        return "/hub/home"
    return "/hub/spawn" if user else "/hub/login"  # starts the coach's app if it is not running


c.JupyterHub.default_url = landing_page
# Signing out stops the user's server, and with it its token: an app left open in another tab (a shared computer)
# then saves nothing more, opens no one, and says it lost its connection.
c.JupyterHub.shutdown_on_logout = True
c.JupyterHub.implicit_spawn_seconds = 0.5  # a coach's bookmark of /user/<name>/ starts their app too
# the hub's error pages without JupyterHub's "restart your server" lines for someone who gets none (not_a_coach)
c.JupyterHub.template_paths = [str(resources.hub_templates_dir())]

extra = env("CAREERCONV_HUB_EXTRA_CONFIG")
if extra:  # the organisation's own settings: authenticator, TLS, Kubernetes spawner ...
    load_subconfig(extra)  # noqa: F821


# ---------------------------------------------------------------- where this hub keeps what names its users
# Described for an erasure to find (the records service lists this folder: careerconv.surfaces.service.hub_state)
# once the organisation's own settings have run, with the values the hub starts with: a database, homes or pid file
# they move is where the erasure looks.
def configured(section: str, name: str, default=None):
    """The value ``c.<section>.<name>`` ends with, or ``default`` when nothing set it."""
    values = c[section]
    return values[name] if name in values else default


def absolute(path) -> Path | None:
    """``path`` made absolute from the hub's working folder (as the hub reads it); None for none."""
    return Path(path).resolve() if path else None


def database_described() -> dict:
    """The hub's database: its file when it is SQLite's, else the kind of database (nothing kept: in memory)."""
    from sqlalchemy.engine import make_url  # JupyterHub's own

    url = make_url(configured("JupyterHub", "db_url", "sqlite:///jupyterhub.sqlite"))
    if url.get_backend_name() != "sqlite":
        return {"database_kind": url.get_backend_name()}
    return {"database": absolute(url.database) if url.database not in (None, "", ":memory:") else None}


def homes_described() -> Path | None:
    """The folder of the users' home folders of a ``simple`` spawner, when its template is ``FOLDER/{username}``."""
    spawner = configured("JupyterHub", "spawner_class", "simple")
    name = spawner if isinstance(spawner, str) else f"{spawner.__module__}.{spawner.__qualname__}"
    template = configured("SimpleLocalProcessSpawner", "home_dir_template", "")
    if name not in SIMPLE_SPAWNERS or Path(template).name != "{username}":
        return None
    return absolute(Path(template).parent)


def api_described() -> str:
    """The address of the hub's REST API: where it binds, under its base URL (JupyterHub sets that path itself)."""
    bound = urllib.parse.urlparse(configured("JupyterHub", "hub_bind_url"))
    return f"{bound.scheme}://{bound.netloc}{configured('JupyterHub', 'base_url', '/').rstrip('/')}/hub/api"


authenticator_class = configured("JupyterHub", "authenticator_class")
HubState(state, api_described(),
         groups=absolute(groups_file),
         passwords=absolute(configured("TrialPasswordAuthenticator", "password_file"))
         if authenticator_class == TRIAL_PASSWORDS else None,
         coach_logins=absolute(env("CAREERCONV_HUB_COACH_LOGINS")), homes=homes_described(),
         token_file=erasure_token_file, pid_file=absolute(configured("JupyterHub", "pid_file")),
         **database_described()).write()
