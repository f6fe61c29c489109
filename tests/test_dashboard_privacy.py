"""Nothing leaves the machine: the dashboard server's own outbound connections, traced.

The server runs under ``strace``, which records every ``connect``, ``sendto`` and
``sendmsg`` call of every thread (and ``bind``, to show the trace works), and every
file it opens, while a browser loads every view and plays for a few seconds. Any
connection other than to this machine fails the test, and so does any look-up of a
host name, even one answered on this machine: a resolver's port 53, systemd-resolved's
socket, or reading the files a look-up reads (``/etc/hosts``, ``/etc/resolv.conf``).
(Python asks the C library who the user is, which may go to the local nscd socket and
``/etc/passwd``: that stays on the machine and is allowed.) ``setup.sh`` installs strace.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest

from .dashboard_browser import (NetLog, browser_needed, chromium, dashboard_server,
                                open_dashboard, pause, play)

STRACE = shutil.which("strace")
pytestmark = [browser_needed, pytest.mark.slow,
              pytest.mark.skipif(STRACE is None, reason="no strace: setup.sh installs it")]

ADDRESS = re.compile(r"(connect|sendto|sendmsg|bind)\(\d+, .*?sa_family=(AF_\w+)(.*)")
LOOPBACK = re.compile(r'inet_addr\("127\.|inet_pton\(AF_INET6, "(::1|::ffff:127\.)')
HOST_LOOKUP_SOCKETS = ("resolve",)  # systemd-resolved's varlink and D-Bus names
HOST_LOOKUP_FILES = re.compile(r'open(at)?\(.*"/etc/(hosts|resolv\.conf|gai\.conf|host\.conf)"')


def outbound(trace: str) -> tuple[list[str], int]:
    """Calls that reach beyond this machine or look a name up; and how many binds were seen."""
    bad, binds = [], 0
    for line in trace.splitlines():
        if HOST_LOOKUP_FILES.search(line):
            bad.append(line.strip())
            continue
        m = ADDRESS.search(line)
        if not m:
            continue
        call, family, rest = m.groups()
        if call == "bind":
            binds += 1
            continue
        if family in ("AF_INET", "AF_INET6"):
            if not LOOPBACK.search(rest) or "htons(53)" in rest:
                bad.append(line.strip())
        elif family == "AF_UNIX" and any(word in rest for word in HOST_LOOKUP_SOCKETS):
            bad.append(line.strip())
        elif family not in ("AF_UNIX", "AF_NETLINK"):
            bad.append(line.strip())
    return bad, binds


def test_the_outbound_check_sees_what_it_must():
    trace = "\n".join([
        '123 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("104.16.1.2")}, 16) = -1',
        '123 connect(5, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.53")}, 16) = 0',
        '123 connect(6, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1',
        '123 openat(AT_FDCWD, "/etc/resolv.conf", O_RDONLY|O_CLOEXEC) = 8',
        '123 openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 8',
        '123 connect(7, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr("127.0.0.1")}, 16) = -1',
        '123 bind(3, {sa_family=AF_INET, sin_port=htons(8765), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
    ])
    bad, binds = outbound(trace)
    assert [line.split()[1][:7] for line in bad] == ["connect", "connect", "openat("]
    assert "resolv.conf" in bad[2] and binds == 1


def test_the_server_makes_no_outbound_connection_while_a_browser_uses_every_view(tmp_path):
    trace = tmp_path / "strace.log"
    wrapper = [STRACE, "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,bind,open,openat", "-o", str(trace)]
    with dashboard_server(tmp_path / "server.log", wrapper=wrapper) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 720},
                                      accept_downloads=True)
        net = NetLog(base).attach(context)
        page = open_dashboard(context, base + "?population__size=4000&speed=10.0")
        play(page, 5)
        time.sleep(3)  # plays for a few seconds
        pause(page)
        page.get_by_role("button", name="Levers").click()
        page.get_by_role("button", name="Close").click()
        for view in ("Community", "Journeys", "Export"):
            page.get_by_role("button", name=view, exact=True).click()
            page.locator(f".view-{view.lower()} .ps-card").first.wait_for()
        with page.expect_download():
            page.get_by_role("button", name="Download done_with_workshop.yaml").click()
        page.get_by_role("button", name="Side by side", exact=True).click()
        play(page, 12)  # and plays again, on the first view
        pause(page)
        context.close()
        net.assert_clean()
    bad, binds = outbound(trace.read_text())
    assert binds >= 1, "strace recorded nothing: the trace did not work"
    assert not bad, "the server reached beyond this machine:\n" + "\n".join(bad[:10])
