"""The TCP segments and UDP datagrams of a classic pcap file (what `tcpdump -w` writes), link type Ethernet, IPv4.
Python 3 stdlib; for lab/bench/back-and-forth --capture.

Each segment's payload length comes from the IP header's total length, so a small snap length
(headers only) is enough. Timestamps are the capture's: epoch seconds of CLOCK_REALTIME.
"""
import socket
import struct
from typing import NamedTuple

# magic as read in little-endian -> (byte order of the file, seconds per timestamp fraction unit)
MAGIC = {0xa1b2c3d4: ("<", 1e-6), 0xd4c3b2a1: (">", 1e-6), 0xa1b23c4d: ("<", 1e-9), 0x4d3cb2a1: (">", 1e-9)}
ETHERNET = 1


class Segment(NamedTuple):
    t: float       # epoch seconds
    src: str
    dst: str
    sport: int
    dport: int
    flags: int     # TCP flags byte
    seq: int
    ack: int
    payload: int   # TCP payload bytes


class Datagram(NamedTuple):
    t: float       # epoch seconds
    src: str
    dst: str
    sport: int
    dport: int
    payload: int   # UDP payload bytes


def segments(path):
    """Yields the file's IPv4 TCP segments in capture order; a record cut short at the end (the
    capture ended while writing) ends the file."""
    for t, ip, ihl, total in _packets(path, 6):
        if len(ip) < ihl + 14:
            continue
        sport, dport, seq, ack, offset, flags = struct.unpack("!HHIIBB", ip[ihl:ihl + 14])
        yield Segment(t, socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]),
                      sport, dport, flags, seq, ack, total - ihl - (offset >> 4) * 4)


def datagrams(path):
    """Yields the file's IPv4 UDP datagrams in capture order (SNMP to and from a switch)."""
    for t, ip, ihl, total in _packets(path, 17):
        if len(ip) < ihl + 8:
            continue
        sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
        yield Datagram(t, socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]), sport, dport, total - ihl - 8)


def _packets(path, protocol):
    """(time, IPv4 header and what follows, header length, IP total length) of each Ethernet frame
    that carries IPv4 with PROTOCOL."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24 or struct.unpack("<I", head[:4])[0] not in MAGIC:
            raise ValueError(f"{path}: not a classic pcap file")
        order, unit = MAGIC[struct.unpack("<I", head[:4])[0]]
        if struct.unpack(order + "I", head[20:24])[0] & 0xffff != ETHERNET:
            raise ValueError(f"{path}: link type is not Ethernet")
        record = struct.Struct(order + "IIII")
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            sec, frac, incl, _ = record.unpack(h)
            data = f.read(incl)
            if len(data) < incl:
                return
            if data[12:14] != b"\x08\x00" or len(data) < 34 or data[23] != protocol:
                continue
            ip = data[14:]
            yield sec + frac * unit, ip, (ip[0] & 0x0f) * 4, struct.unpack("!H", ip[2:4])[0]
