"""One pod of the namespace lab: echo servers on the given ports, and a client driven by JSON lines on stdin.

Usage: lab-agent.py TCP_PORTS UDP_PORTS   (comma-separated; "-" for none)
Commands (one JSON object per line), each answered with {"id": ..., "result": ...} on stdout:
  {"op": "probe", "id": 1, "proto": "tcp"|"udp", "host": "10.99.0.12", "port": 80, "timeout": 1.0}
      -> "allow" (the echo came back), "deny" (reset, ICMP error), "timeout"
  {"op": "open", "id": 2, "conn": "c1", "host": ..., "port": ..., "timeout": 1.0}   a long-lived TCP connection
  {"op": "ping", "id": 3, "conn": "c1", "timeout": 1.0}   -> "allow" or "broken"
  {"op": "spoof", "id": 4, "src": "10.99.0.11", "host": ..., "port": 53}   one UDP datagram from another address
      (IP_TRANSPARENT, as root: the address need not be this pod's) -> "sent"
  {"op": "seen", "id": 5}   -> the source addresses the UDP servers received datagrams from since the last "seen",
      sorted and comma-separated ("" for none)
Every wait is bounded by its timeout; the process exits when stdin closes.
"""
import json
import socket
import socketserver
import sys
import threading


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while True:
                data = self.request.recv(4096)
                if not data:
                    return
                self.request.sendall(data)
        except OSError:
            return


class TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 1024


seen = set()
seen_lock = threading.Lock()
IP_TRANSPARENT = 19


def serve_udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        data, addr = s.recvfrom(4096)
        with seen_lock:
            seen.add(addr[0])
        s.sendto(data, addr)


def spoof(cmd):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
        s.bind((cmd["src"], 0))
        s.sendto(b"ping", (cmd["host"], cmd["port"]))
        return "sent"
    except OSError as e:
        return "error: %s" % e
    finally:
        s.close()


def take_seen():
    with seen_lock:
        out = ",".join(sorted(seen))
        seen.clear()
    return out


def probe(cmd):
    timeout = cmd.get("timeout", 1.0)
    kind = socket.SOCK_STREAM if cmd["proto"] == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(timeout)
    try:
        s.connect((cmd["host"], cmd["port"]))
        s.send(b"ping")
        return "allow" if s.recv(16) == b"ping" else "deny"
    except socket.timeout:
        return "timeout"
    except (ConnectionRefusedError, ConnectionResetError, OSError):
        return "deny"
    finally:
        s.close()


conns = {}


def open_conn(cmd):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(cmd.get("timeout", 1.0))
    try:
        s.connect((cmd["host"], cmd["port"]))
        s.send(b"ping")
        if s.recv(16) != b"ping":
            return "deny"
    except socket.timeout:
        s.close()
        return "timeout"
    except OSError:
        s.close()
        return "deny"
    conns[cmd["conn"]] = s
    return "allow"


def ping(cmd):
    s = conns.get(cmd["conn"])
    if s is None:
        return "broken"
    s.settimeout(cmd.get("timeout", 1.0))
    try:
        s.send(b"ping")
        return "allow" if s.recv(16) == b"ping" else "broken"
    except OSError:
        conns.pop(cmd["conn"], None)
        return "broken"


def main():
    tcp = [int(p) for p in sys.argv[1].split(",")] if sys.argv[1] != "-" else []
    udp = [int(p) for p in sys.argv[2].split(",")] if sys.argv[2] != "-" else []
    for port in tcp:
        server = TcpServer(("0.0.0.0", port), Echo)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    for port in udp:
        threading.Thread(target=serve_udp, args=(port,), daemon=True).start()
    print(json.dumps({"id": 0, "result": "ready"}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        handlers = {"probe": probe, "open": open_conn, "ping": ping, "spoof": spoof, "seen": lambda _: take_seen()}
        result = handlers[op](cmd)
        print(json.dumps({"id": cmd.get("id"), "result": result}), flush=True)


main()
