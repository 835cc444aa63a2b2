"""Run a command in a fresh network namespace and report every packet it tried to send.

Used by tests/test_offline_network.py as ``unshare --net --mount python netns_probe.py OUT
-- COMMAND...``. Inside the new namespace only loopback exists; every IPv4 and IPv6 address
is routed to it as local ("AnyIP") and /etc/resolv.conf is bind-mounted to name 127.0.0.1, so
a DNS query or a connection to any host, whatever address native code has hard-coded, becomes
a packet on ``lo`` that a packet socket sees. Packets between loopback addresses (an
in-process server) are not outbound and are left out of the report.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ETH_P_ALL = 0x0003


def _setup_namespace(scratch: Path) -> None:
    for args in (
        ["ip", "link", "set", "lo", "up"],
        ["ip", "route", "add", "local", "0.0.0.0/0", "dev", "lo"],
        ["ip", "-6", "route", "add", "local", "::/0", "dev", "lo"],
    ):
        subprocess.run(args, check=True, capture_output=True)
    resolv = scratch / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\n")
    subprocess.run(
        ["mount", "--bind", str(resolv), "/etc/resolv.conf"], check=True, capture_output=True
    )


def _describe(frame: bytes) -> dict[str, object] | None:
    """The destination of an IP packet on lo, or None for traffic between loopback addresses."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20:
        proto, src, dst = ip[9], ip[12:16], ip[16:20]
        header = (ip[0] & 0x0F) * 4
        payload = ip[header:]
        src_ip, dst_ip = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    elif ethertype == 0x86DD and len(ip) >= 40:
        proto = ip[6]
        src_ip, dst_ip = ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40])
        payload = ip[40:]
    else:
        return None
    port = struct.unpack("!H", payload[2:4])[0] if proto in (6, 17) and len(payload) >= 4 else None
    if src_ip.is_loopback and dst_ip.is_loopback and port != 53:
        return None
    name = _dns_name(payload[8:]) if proto == 17 and port == 53 else None
    return {"proto": proto, "dst": str(dst_ip), "port": port, "dns": port == 53, "name": name}


def _dns_name(message: bytes) -> str | None:
    """The name asked for in a DNS query, so a failing test says who was being called."""
    labels, at = [], 12
    while at < len(message) and message[at] and len(labels) < 64:
        length = message[at]
        labels.append(message[at + 1 : at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    return ".".join(labels) or None


def _sniff(sock: socket.socket, seen: list[dict[str, object]], stop: threading.Event) -> None:
    sock.settimeout(0.2)
    while not stop.is_set():
        try:
            frame, address = sock.recvfrom(65535)
        except TimeoutError:
            continue
        # Each packet on lo is seen twice (outgoing and incoming); keep the outgoing copy.
        if address[2] != socket.PACKET_OUTGOING:
            continue
        described = _describe(frame)
        if described is not None:
            seen.append(described)


def main() -> int:
    out, command = Path(sys.argv[1]), sys.argv[sys.argv.index("--") + 1 :]
    with tempfile.TemporaryDirectory() as scratch:
        _setup_namespace(Path(scratch))
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        sock.bind(("lo", 0))
        seen: list[dict[str, object]] = []
        stop = threading.Event()
        sniffer = threading.Thread(target=_sniff, args=(sock, seen, stop), daemon=True)
        sniffer.start()
        result = subprocess.run(command, capture_output=True, text=True)
        stop.set()
        sniffer.join()
    out.write_text(
        json.dumps(
            {
                "returncode": result.returncode,
                "stdout": result.stdout[-4000:],
                "stderr": result.stderr[-4000:],
                "packets": seen,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
