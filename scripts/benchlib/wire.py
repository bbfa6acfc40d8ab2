"""Request starts on the wire: the kernel's send time of every HTTP GET to one port on loopback,
captured with a packet socket (root only) behind a classic BPF filter, so only that port's
outgoing TCP packets reach Python. nginx's log stamps a request when its worker gets to it, late
by however long the worker waited for a CPU; the wire shows when the crawler really sent it."""
import ctypes
import socket
import struct
import threading

SO_ATTACH_FILTER = 26
SO_TIMESTAMPNS = 35
ETH_P_ALL = 3
PACKET_OUTGOING = 4


def port_filter(port):
    """cBPF: outgoing, IPv4, TCP, destination port `port`; anything else is dropped in the kernel."""
    program = [
        (0x20, 0, 0, 0xFFFFF004),      # ld pkttype (SKF_AD_OFF + SKF_AD_PKTTYPE)
        (0x15, 0, 8, PACKET_OUTGOING),  # jeq outgoing, else drop
        (0x28, 0, 0, 12),              # ldh ethertype
        (0x15, 0, 6, 0x0800),          # jeq IPv4, else drop
        (0x30, 0, 0, 23),              # ldb IP protocol
        (0x15, 0, 4, 6),               # jeq TCP, else drop
        (0xB1, 0, 0, 14),              # ldx 4 * (IP header length)
        (0x48, 0, 0, 16),              # ldh [x + 16]: TCP destination port
        (0x15, 0, 1, port),            # jeq port, else drop
        (0x06, 0, 0, 0xFFFF),          # accept
        (0x06, 0, 0, 0),               # drop
    ]
    code = b"".join(struct.pack("HBBI", *i) for i in program)
    buf = ctypes.create_string_buffer(code)
    return buf, struct.pack("HL", len(program), ctypes.addressof(buf))


class WireCapture:
    """While open, records (kernel send time, destination address) of each GET to `port` on lo."""

    def __init__(self, port):
        self.port, self.gets, self.error = port, [], None
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(ETH_P_ALL))
        self._program, fprog = port_filter(port)  # the buffer must outlive the setsockopt
        self._sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
        self._sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self._sock.bind(("lo", 0))
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._read, name="wire-capture", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *_):
        self._stop.set()
        self._thread.join()
        self._sock.close()

    def _read(self):
        try:
            while not self._stop.is_set():
                try:
                    data, ancillary, _, _ = self._sock.recvmsg(65535, 256)
                except socket.timeout:
                    continue
                ip = data[14:]
                tcp = ip[(ip[0] & 15) * 4:]
                if tcp[(tcp[12] >> 4) * 4:][:4] != b"GET ":
                    continue
                for level, kind, value in ancillary:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        seconds, nanoseconds = struct.unpack("qq", value[:16])
                        self.gets.append((seconds + nanoseconds / 1e9, socket.inet_ntoa(ip[16:20])))
        except OSError as e:  # reported by the caller; the measurement goes on without the wire
            self.error = str(e)

    def gaps_by_host(self):
        """host -> sorted gaps (s) between consecutive GET send times to it."""
        starts = {}
        for t, host in sorted(self.gets):
            starts.setdefault(host, []).append(t)
        return {h: sorted(b - a for a, b in zip(ts, ts[1:])) for h, ts in starts.items()}
