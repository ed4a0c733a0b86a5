"""Sans-IO codecs for access control hardware.

Everything here is part of the pure core: no Home Assistant, no I/O, no
threads, no clocks. Each codec turns bytes into events and commands into
bytes, so it can be unit-tested with byte vectors and driven by any
transport later.

Layering, bottom up:

* ``framing`` - resynchronisation on a start byte, shared by the incremental
  frame parsers.
* ``wiegand`` - decodes Wiegand 26/34 bit patterns (parity checked) into a
  card. Used on its own and by the OSDP ``RAW`` reply.
* ``em4100`` - incremental RDM6300 (EM4100, 125 kHz) frame decoder with a
  repeat debounce; the caller passes the time in.
* ``line_reader`` - incremental ASCII line reader (Wiegand-to-serial
  converters, USB readers) with a configurable pattern and radix.
* ``relays`` - LCUS USB relay commands and Modbus-RTU coil requests and
  response parsing.
* ``osdp`` - OSDP v2.2 frame codec in plain mode: command frames out, an
  incremental parser and typed replies in. Secure channel frames are parsed
  (SCB and MAC kept) but not decrypted or verified: a later layer does that.

A transport layer (serial port, timing, retries, polling) sits above these
codecs and is the only part that touches I/O. Card numbers are reported as
decimal strings without leading zeros, the canonical card form of the core.
"""
