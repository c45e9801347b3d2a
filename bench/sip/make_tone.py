"""Writes tone-pcmu.wav: 2 s of a 440 Hz tone as G.711 u-law, 8 kHz mono, the
format SIPp's rtp_stream plays. Generated rather than committed as a binary.

    python3 bench/sip/make_tone.py OUT.wav
"""
import math
import struct
import sys


def ulaw(sample):
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    sample = min(abs(sample), clip) + bias
    exponent, mask = 7, 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


rate = 8000
data = bytes(ulaw(int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(rate * 2))
fmt = struct.pack("<HHIIHHH", 7, 1, rate, rate, 1, 8, 0)
chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
chunks += b"fact" + struct.pack("<II", 4, len(data))
chunks += b"data" + struct.pack("<I", len(data)) + data
with open(sys.argv[1], "wb") as out:
    out.write(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
