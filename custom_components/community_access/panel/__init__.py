"""The integration's own user interface: sidebar panels and their websocket API.

Three panels (the property office, the guard's gate desk, a resident's home)
talk to Home Assistant through ``community_access/...`` websocket commands.
Every command checks its caller itself (see :mod:`.roles`): a panel hidden
from the sidebar is not security.
"""
