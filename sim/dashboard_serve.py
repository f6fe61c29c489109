"""Serving the workshop dashboard privately: nothing leaves the machine.

Solara reads its settings (telemetry, the CDN it falls back on, the banner) from the
environment when ``solara`` is first imported, so :func:`serve` sets them *before*
anything imports solara, and this module imports nothing that does. It then checks
that they took, and that the asset cache is complete, and refuses to start
otherwise (:class:`~sim.errors.InputError`, which the CLI shows as one message and exit
code 2):

- no telemetry (Solara's calls to ``api.mixpanel.com`` and ``api.ipify.org``);
- no CDN: every script, stylesheet and font is served from Solara's local cache
  (``python -m sim.dashboard_assets`` fills it at setup); the fallback CDN is a closed
  local port, so a miss fails at once instead of asking the internet;
- no "runs on Solara" banner, and a session's models are let go of soon after its tab
  closes (:data:`CLOSED_TAB_SECONDS`).

``tests/test_dashboard_privacy.py`` traces the server's ``connect`` calls while a
browser loads every view and plays.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import warnings

from .errors import InputError

__all__ = ["serve", "private_environment", "DEFAULT_HOST", "DEFAULT_PORT", "CLOSED_TAB_SECONDS"]

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765
# A session whose browser tab has gone is closed (its models freed) after this long; a
# reconnect within it (a laptop's wifi dropping for a moment) keeps the run.
CLOSED_TAB_SECONDS = 30
CLOSED_PORT_CDN = "http://127.0.0.1:9/"  # the discard port: nothing listens there


def private_environment() -> dict[str, str]:
    """The environment Solara must see at import: no telemetry, no CDN, no banner."""
    return {
        "SOLARA_APP": "sim.dashboard",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_ASSETS_CDN": CLOSED_PORT_CDN,
        "SOLARA_THEME_SHOW_BANNER": "False",
        "SOLARA_THEME_TITLE": "Placesim workshop",
        "SOLARA_KERNEL_CULL_TIMEOUT": f"{CLOSED_TAB_SECONDS}s",
    }


def _check_private() -> None:
    """Refuse to serve if Solara was imported before its settings could be set."""
    import solara.server.settings as ss

    if ss.telemetry.mixpanel_enable or ss.theme.show_banner:
        raise InputError("dashboard", "SOLARA_TELEMETRY_MIXPANEL_ENABLE",
                         "solara was imported before the dashboard could switch its telemetry "
                         "off; expected `python run.py dashboard` to be the first to import it")
    from .dashboard_assets import check, discover

    missing = check(ss.assets.proxy_cache_dir, discover(False))
    if missing:
        raise InputError("dashboard", "assets",
                         f"{len(missing)} page assets are missing from {ss.assets.proxy_cache_dir} "
                         f"(first: {missing[0]}); expected them there: run "
                         "`python -m sim.dashboard_assets` (setup.sh does) with a registry reachable")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the dashboard until interrupted.

    Listens on ``127.0.0.1`` unless told otherwise: a workshop laptop on a shared
    network should not offer its simulation to the room by accident.

    Raises:
        InputError: when solara was imported too early, the page's assets are missing
            (run ``python -m sim.dashboard_assets``) or the address cannot be used.
    """
    if "solara" not in sys.modules:
        settings = private_environment()
        if os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT"):
            del settings["SOLARA_KERNEL_CULL_TIMEOUT"]  # how soon a closed tab is freed: as set
        os.environ.update(settings)
    _check_private()
    try:
        # A numeric address needs no name look-up; "localhost" is the one name allowed.
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_NUMERICHOST if host != "localhost" else 0)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise InputError("dashboard", "--host/--port",
                         f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "expected a free port on an address of this machine (a number such "
                         "as 127.0.0.1 or 0.0.0.0)") from None
    url_host = f"[{host}]" if ":" in host else host
    print(f"Placesim dashboard: http://{url_host}:{port}/", flush=True)
    if _is_loopback(host):
        print(f"Listening on {host} only: this machine's browser can connect, others cannot. "
              "Use --host 0.0.0.0 to let the room connect.", flush=True)
    else:
        print(f"Listening on {host}: anyone who can reach this machine on port {port} can "
              "open the dashboard.", flush=True)
    print("Nothing leaves this machine: no telemetry, no CDN. Press Ctrl-C to stop.", flush=True)
    import uvicorn

    # Over plain http on a laptop solara warns that it falls back to samesite=lax
    # cookies; that is right for a local server and only alarms a facilitator.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
