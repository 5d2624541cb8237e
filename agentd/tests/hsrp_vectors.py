#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""
The HSRP vectors of test_hsrp_msg.c, built without mipha's codec: version 1
and its MD5 TLV with scapy's own layers (scapy.layers.hsrp: HSRP, HSRPmd5),
version 2 with scapy packets declared here from the layout Wireshark's
packet-hsrp.c dissects (scapy has no HSRPv2 layer), and the MD5 digests with
hashlib as RFC 1828 defines keyed MD5. Not run by make check: the bytes it
prints are pasted into the test. Needs python3-scapy (Debian).

    /usr/bin/python3 agentd/tests/hsrp_vectors.py
"""
import hashlib
import struct

from scapy.fields import (ByteField, IntField, IP6Field, IPField, ShortField,
                          StrFixedLenField)
from scapy.layers.hsrp import HSRP, HSRPmd5
from scapy.layers.inet import UDP
from scapy.packet import Packet, Raw


def keyed_md5(key, data):
    """RFC 1828: MD5(key || keyfill || data || key), keyfill as MD5 pads."""
    fill = b"\x80" + b"\0" * ((55 - len(key)) % 64) + struct.pack("<Q", 8 * len(key))
    return hashlib.md5(key + fill + data + key).digest()


def with_digest(pkt_bytes, md5_off, key):
    """The message with the digest of its MD5 TLV at md5_off filled in."""
    dig = md5_off + 14
    zeroed = pkt_bytes[:dig] + b"\0" * 16 + pkt_bytes[dig + 16:]
    return zeroed[:dig] + keyed_md5(key, zeroed) + zeroed[dig + 16:]


class HSRPv2GroupState(Packet):
    name = "HSRPv2 Group State TLV"
    fields_desc = [ByteField("type", 1), ByteField("len", 40),
                   ByteField("version", 2), ByteField("opcode", 0),
                   ByteField("state", 6), ByteField("ipver", 4),
                   ShortField("group", 0),
                   StrFixedLenField("identifier", b"\0" * 6, 6),
                   IntField("priority", 100), IntField("hellotime", 3000),
                   IntField("holdtime", 10000),
                   IPField("vip", "0.0.0.0"),
                   StrFixedLenField("vip_pad", b"\0" * 12, 12)]


class HSRPv2GroupState6(Packet):
    name = "HSRPv2 Group State TLV, IPv6"
    fields_desc = HSRPv2GroupState.fields_desc[:-2] + [IP6Field("vip", "::")]


class HSRPv2TextAuth(Packet):
    name = "HSRPv2 Text Authentication TLV"
    fields_desc = [ByteField("type", 3), ByteField("len", 8),
                   StrFixedLenField("auth", b"cisco\0\0\0", 8)]


class HSRPv2IfState(Packet):
    name = "HSRPv2 Interface State TLV"
    fields_desc = [ByteField("type", 2), ByteField("len", 4),
                   ShortField("active", 0), ShortField("passive", 0)]


def c_array(name, data, comment):
    print("/* %s */" % comment)
    print("static const uint8_t %s[] = {" % name)
    for i in range(0, len(data), 8):
        print("\t" + " ".join("0x%02x," % b for b in data[i:i + 8]))
    print("};\n")


def main():
    # v1 Hello from the active router, RFC 2281's defaults, text "cisco".
    v1_hello = bytes(HSRP(opcode=0, state=16, hellotime=3, holdtime=10,
                          priority=110, group=1, auth=b"cisco\0\0\0",
                          virtualIP="192.0.2.1"))
    c_array("v1_hello", v1_hello, "v1 hello, active, 3/10 s, prio 110, group 1, "
            "\"cisco\", VIP 192.0.2.1")

    # v1 Coup from a speaking router, group 255, priority 255.
    v1_coup = bytes(HSRP(opcode=1, state=4, hellotime=1, holdtime=3,
                         priority=255, group=255, auth=b"mipha\0\0\0",
                         virtualIP="10.1.2.3"))
    c_array("v1_coup", v1_coup, "v1 coup, speak, 1/3 s, prio 255, group 255, "
            "\"mipha\", VIP 10.1.2.3")

    # v1 with MD5: the text field zero, as IOS sends it; key "mipha-key".
    v1_md5 = bytes(HSRP(opcode=0, state=8, hellotime=3, holdtime=10,
                        priority=100, group=10, auth=b"\0" * 8,
                        virtualIP="10.0.0.1") /
                   HSRPmd5(len=28, algo=1, flags=0, sourceip="10.0.0.2",
                           keyid=0))
    v1_md5 = with_digest(v1_md5, 20, b"mipha-key")
    c_array("v1_md5", v1_md5, "v1 hello, standby, group 10, prio 100, VIP "
            "10.0.0.1, MD5 TLV sender 10.0.0.2 key id 0, key \"mipha-key\"")

    # v2 Hello with text authentication.
    v2_text = bytes(HSRPv2GroupState(opcode=0, state=6, group=1,
                                     identifier=bytes.fromhex("02005e0001fe"),
                                     priority=110, hellotime=3000,
                                     holdtime=10000, vip="192.0.2.1") /
                    HSRPv2TextAuth(auth=b"cisco\0\0\0"))
    c_array("v2_text", v2_text, "v2 hello, active, group 1, prio 110, 3000/10000 "
            "ms, id 02:00:5e:00:01:fe, VIP 192.0.2.1, text \"cisco\"")

    # v2 Coup with MD5, group 4095, 32-bit priority, millisecond timers.
    v2_md5 = bytes(HSRPv2GroupState(opcode=1, state=4, group=4095,
                                    identifier=bytes.fromhex("020000aabbcc"),
                                    priority=70000, hellotime=250,
                                    holdtime=750, vip="198.51.100.254") /
                   HSRPmd5(len=28, algo=1, flags=0, sourceip="198.51.100.2",
                           keyid=7))
    v2_md5 = with_digest(v2_md5, 42, b"mipha-v2-key")
    c_array("v2_md5", v2_md5, "v2 coup, speak, group 4095, prio 70000, 250/750 "
            "ms, id 02:00:00:aa:bb:cc, VIP 198.51.100.254, MD5 sender "
            "198.51.100.2 key id 7, key \"mipha-v2-key\"")

    # v2 with an Interface State TLV and an unknown TLV (type 9, 3 bytes)
    # before the Group State TLV, IPv6 virtual address: skipped, decoded.
    v2_skip = bytes(HSRPv2IfState(active=3, passive=1) /
                    Raw(b"\x09\x03abc") /
                    HSRPv2GroupState6(opcode=2, state=6, ipver=6, group=300,
                                      identifier=bytes.fromhex("020000000001"),
                                      priority=90, hellotime=3000,
                                      holdtime=10000, vip="fe80::1"))
    c_array("v2_skip", v2_skip, "v2 interface state TLV, unknown TLV 9, resign, "
            "active, IPv6, group 300, prio 90, VIP fe80::1")

    # Keys of 55 (keyfill one block), 56, 63 and 64 bytes (two blocks)
    # over v1_md5: "ABCD...", repeating the alphabet.
    zeroed = v1_md5[:34] + b"\0" * 16
    for n in (55, 56, 63, 64):
        key = bytes(0x41 + i % 26 for i in range(n))
        print("/* key of %d bytes: %s */" % (n, keyed_md5(key, zeroed).hex()))
    print()

    # scapy's dissector reads the v1 vectors back (it needs the UDP
    # header: its length says whether an MD5 TLV follows).
    for v in (v1_hello, v1_coup, v1_md5):
        d = UDP(bytes(UDP(sport=1985, dport=1985) / Raw(v)))
        assert bytes(d[HSRP])[:20] == v[:20]
    d = UDP(bytes(UDP(sport=1985, dport=1985) / Raw(v1_md5)))
    assert d[HSRP].group == 10 and d[HSRP].virtualIP == "10.0.0.1"
    assert d[HSRPmd5].algo == 1 and d[HSRPmd5].sourceip == "10.0.0.2"
    assert d[HSRPmd5].authdigest == v1_md5[34:]


if __name__ == "__main__":
    main()
