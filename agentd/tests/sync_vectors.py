#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
Peer sync frames built from the format in daemon/sync_msg.h with Python's
struct, not with mipha's codec: the seed corpus of fuzz/fuzz_sync, and a
second hand for the golden vectors of tests/test_sync_msg.c (`--check`
prints the HELLO and BINDINGS frames as hex, to compare with the test's).
Not run by make check.

    /usr/bin/python3 agentd/tests/sync_vectors.py agentd/fuzz/corpus/sync
    /usr/bin/python3 agentd/tests/sync_vectors.py --check
"""
import os
import socket
import struct
import sys

HELLO, ACK, BINDINGS, BULK_REQUEST, BULK_START, BULK_END = range(1, 7)


def frame(ftype, body, seq=0, flags=0, version=1):
    return struct.pack(">BBHIQ", version, ftype, flags, len(body), seq) + body


def ip(s):
    return socket.inet_aton(s)


def name(s):
    b = s.encode()
    return struct.pack(">B", len(b)) + b


def hello(node_id, mode, role, epoch, resume_epoch, resume_from, digest,
          sections, groups, features=0):
    body = struct.pack(">IBBHQQQ", node_id, mode, role, features, epoch,
                       resume_epoch, resume_from) + digest
    body += struct.pack(">H", len(sections))
    for n, d in sections:
        body += name(n) + d
    body += struct.pack(">H", len(groups))
    for g in groups:
        body += name(g)
    return frame(HELLO, body)


def tlv(t, v):
    return struct.pack(">BB", t, len(v)) + v


def entry(op, cause, home, coa, ha, src, spi, granted, elapsed, kflags,
          version, reg_time, last_id, ha_nonce, replay_flags, req_flags,
          method, encap, flags, tlvs=b""):
    fixed = (ip(home) + ip(coa) + ip(ha) + ip(src) +
             struct.pack(">IIII", spi, granted, elapsed, kflags) +
             struct.pack(">QQQI", version, reg_time, last_id, ha_nonce) +
             struct.pack(">BBBBH", replay_flags, req_flags, method, encap,
                         flags))
    assert len(fixed) == 66
    return struct.pack(">BBH", op, cause, len(fixed) + len(tlvs)) + fixed + tlvs


def bindings(seq, entries):
    return frame(BINDINGS, struct.pack(">H", len(entries)) + b"".join(entries),
                 seq)


# The golden HELLO of test_sync_msg.c.
GOLDEN_HELLO = hello(7, 1, 3, 0x0123456789abcdef, 0xfedcba9876543210, 41,
                     bytes(range(32)),
                     [("home-agent", b"\x11" * 32), ("pool", b"\x22" * 32)],
                     ["ha-lan"])

# The golden BINDINGS of test_sync_msg.c: a renewal with every TLV, and a
# deregistration of a node without NAI on a virtual network.
GOLDEN_BINDINGS = bindings(5, [
    entry(1, 1, "10.1.0.5", "198.51.100.7", "10.1.0.1", "198.51.100.7",
          0x1000, 600, 200000, 1, 3, 1700000000000, 0xe9a1b2c300000001, 0,
          1, 0x02, 0, 1, 0,
          tlv(1, b"alice@example.org") + tlv(2, b"mn-pool") +
          tlv(3, b"eth1") + tlv(4, struct.pack(">H", 25) + b"gold")),
    entry(2, 2, "10.2.0.9", "10.2.0.9", "10.2.0.1", "192.0.2.44", 0x2000, 0,
          0, 0, 9, 1700000100000, 0x0000000500000006, 0x5eed, 3, 0, 1, 2, 1),
])


def corpus():
    """A few valid frames, one per type, and a stream of several."""
    seeds = {
        "hello": GOLDEN_HELLO,
        "bindings": GOLDEN_BINDINGS,
        "ack": frame(ACK, struct.pack(">Q", 5)),
        "bulk-request": frame(BULK_REQUEST,
                              struct.pack(">IH", 77, 2) + ip("10.1.0.1") +
                              ip("10.2.0.1")),
        "bulk-start": frame(BULK_START, struct.pack(">II", 77, 2), 4),
        "bulk-end": frame(BULK_END, struct.pack(">IIB", 77, 2, 0), 7),
        "unknown-type": frame(42, b"from a newer version", 6),
        "unknown-tlv": bindings(1, [
            entry(1, 7, "10.3.0.2", "203.0.113.9", "10.3.0.1", "203.0.113.9",
                  0x3000, 3600, 0, 0, 1, 1700000200000, 1, 0, 1, 0, 0, 1, 0,
                  tlv(99, b"later") + tlv(1, b"bob@example.net"))]),
    }
    seeds["stream"] = (GOLDEN_HELLO + seeds["bulk-request"] +
                       seeds["bulk-start"] + GOLDEN_BINDINGS +
                       seeds["unknown-type"] + seeds["bulk-end"] +
                       seeds["ack"])
    return seeds


def main():
    if sys.argv[1:] == ["--check"]:
        print("hello", GOLDEN_HELLO.hex())
        print("bindings", GOLDEN_BINDINGS.hex())
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for n, b in corpus().items():
        with open(os.path.join(sys.argv[1], n), "wb") as f:
            f.write(b)


main()
